import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * JDBC round trips: one pgjdbc connection to PostgreSQL on the loopback port, one prepared query
 * per round trip. Prints ns= (wall time of the timed round trips) and checksum=.
 *
 *   java -cp .:postgresql.jar JdbcRoundTrips PORT QUERIES
 */
public final class JdbcRoundTrips {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int queries = Integer.parseInt(args[1]);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        PreparedStatement q = c.prepareStatement("SELECT ?::int + 1")) {
      long checksum = roundTrips(q, queries / 10);  // warm-up: JIT, and the server's prepared plan
      long start = System.nanoTime();
      checksum += roundTrips(q, queries);
      long ns = System.nanoTime() - start;
      System.out.println("ns=" + ns + " checksum=" + checksum);
    }
  }

  static long roundTrips(PreparedStatement q, int count) throws Exception {
    long sum = 0;
    for (int i = 0; i < count; i++) {
      q.setInt(1, i);
      try (ResultSet r = q.executeQuery()) {
        r.next();
        sum += r.getInt(1);
      }
    }
    return sum;
  }
}
