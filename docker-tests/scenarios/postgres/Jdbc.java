import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A JDBC session against PostgreSQL on 127.0.0.1 (port in the first argument), through java.sql
 * only: the driver (pgjdbc) is found on the class path by DriverManager. Creates a table, inserts
 * rows stamped by the server's now() and random(), reads them back, rolls a transaction back and
 * runs a query that fails. The backend's pid, the client's port, now() and random() differ on
 * every run.
 */
public final class Jdbc {
  public static void main(String[] args) throws Exception {
    String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/postgres?user=postgres";
    try (Connection c = DriverManager.getConnection(url)) {
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT pg_backend_pid(), inet_client_port(), now(), random(), current_setting('server_version')")) {
        r.next();
        System.out.println("connected to PostgreSQL " + r.getString(5) + ": backend pid " + r.getInt(1)
            + ", client port " + r.getInt(2) + ", server time " + r.getString(3) + ", random " + r.getDouble(4));
      }
      try (Statement s = c.createStatement()) {
        // A temporary table: the server outlives each run, and every run starts from nothing.
        s.execute("CREATE TEMP TABLE readings (id serial PRIMARY KEY, label text, at timestamptz, value float8)");
      }
      System.out.println("inserted " + insert(c, "alpha", "beta", "gamma") + " rows");
      printRows(c);
      System.out.println("rows: " + count(c));

      c.setAutoCommit(false);
      insert(c, "doomed-1", "doomed-2");
      System.out.println("in the transaction: " + count(c) + " rows");
      c.rollback();
      c.setAutoCommit(true);
      System.out.println("after rollback: " + count(c) + " rows");

      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT * FROM no_such_table");
        System.out.println("the failing query succeeded");
      } catch (SQLException e) {
        System.out.println("failing query: SQLState " + e.getSQLState() + ": " + e.getMessage());
      }
    }
  }

  private static int insert(Connection c, String... labels) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO readings (label, at, value) VALUES (?, now(), random())")) {
      for (String label : labels) {
        p.setString(1, label);
        p.addBatch();
      }
      return p.executeBatch().length;
    }
  }

  private static void printRows(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, label, at, value FROM readings ORDER BY id")) {
      while (r.next()) {
        System.out.println("row " + r.getInt(1) + " " + r.getString(2) + " at " + r.getString(3) + " value " + r.getDouble(4));
      }
    }
  }

  private static int count(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM readings")) {
      r.next();
      return r.getInt(1);
    }
  }
}
