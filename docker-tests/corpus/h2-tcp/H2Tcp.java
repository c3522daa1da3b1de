package corpus;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import org.h2.tools.Server;

/**
 * H2's TCP server started inside this JVM on 127.0.0.1 (a free port it picks), an in-memory
 * database behind it, and two JDBC clients over the wire: one writes random rows, the other reads.
 */
public class H2Tcp {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        int port = server.getPort();
        System.out.println("server running: " + server.isRunning(false));
        String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:corpus;DB_CLOSE_DELAY=-1";
        try (Connection writer = DriverManager.getConnection(url, "sa", "");
             Connection reader = DriverManager.getConnection(url, "sa", "")) {
            try (Statement s = writer.createStatement()) {
                s.execute("CREATE TABLE events(id IDENTITY PRIMARY KEY, kind VARCHAR(10), weight DOUBLE, at TIMESTAMP)");
            }
            String[] kinds = {"click", "view", "buy", "leave"};
            try (PreparedStatement p = writer.prepareStatement(
                    "INSERT INTO events(kind, weight, at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                for (int round = 0; round < 5; round++) {
                    for (int i = 0; i < 200; i++) {
                        p.setString(1, kinds[random.nextInt(kinds.length)]);
                        p.setDouble(2, Math.round(random.nextGaussian() * 1000) / 100.0);
                        p.addBatch();
                    }
                    p.executeBatch();
                    try (Statement s = reader.createStatement();
                         ResultSet r = s.executeQuery("SELECT COUNT(*), ROUND(AVG(weight), 4) FROM events")) {
                        r.next();
                        System.out.println("round " + round + ": " + r.getLong(1) + " rows, avg " + r.getDouble(2));
                    }
                }
            }
            try (Statement s = reader.createStatement();
                 ResultSet r = s.executeQuery("SELECT kind, COUNT(*), ROUND(SUM(weight), 2) FROM events GROUP BY kind ORDER BY kind")) {
                while (r.next()) {
                    System.out.println(r.getString(1) + " " + r.getInt(2) + " " + r.getDouble(3));
                }
            }
        }
        server.stop();
        System.out.println("server running: " + server.isRunning(false));
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
