package corpus;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;

/**
 * H2 embedded, file-backed (MVStore) database in the working directory: two tables, random rows,
 * a join and an aggregate, printed with a seed and a timing; then SHUTDOWN.
 */
public class H2File {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        String url = "jdbc:h2:file:./data/corpus;DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS orders");
                s.execute("DROP TABLE IF EXISTS customers");
                s.execute("CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(40), city VARCHAR(20))");
                s.execute("CREATE TABLE orders(id IDENTITY PRIMARY KEY, customer INT REFERENCES customers(id),"
                        + " amount DECIMAL(10,2), placed TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
                s.execute("CREATE INDEX orders_customer ON orders(customer)");
            }
            String[] cities = {"Oslo", "Lima", "Pune", "Kyiv", "Quito", "Perth"};
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO customers VALUES (?, ?, ?)")) {
                for (int i = 0; i < 500; i++) {
                    p.setInt(1, i);
                    p.setString(2, "customer-" + Long.toString(random.nextLong() & 0xffffffL, 36));
                    p.setString(3, cities[random.nextInt(cities.length)]);
                    p.addBatch();
                }
                p.executeBatch();
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO orders(customer, amount) VALUES (?, ?)")) {
                for (int i = 0; i < 5000; i++) {
                    p.setInt(1, random.nextInt(500));
                    p.setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(100000), 2));
                    p.addBatch();
                    if (i % 1000 == 999) {
                        p.executeBatch();
                        c.commit();
                    }
                }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT c.city, COUNT(*), SUM(o.amount), MAX(o.amount)"
                         + " FROM orders o JOIN customers c ON o.customer = c.id GROUP BY c.city ORDER BY c.city")) {
                while (r.next()) {
                    System.out.println(r.getString(1) + " " + r.getInt(2) + " " + r.getBigDecimal(3) + " " + r.getBigDecimal(4));
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT c.name, SUM(o.amount) t FROM orders o JOIN customers c"
                         + " ON o.customer = c.id GROUP BY c.name ORDER BY t DESC, c.name LIMIT 5")) {
                while (r.next()) {
                    System.out.println("top " + r.getString(1) + " " + r.getBigDecimal(2));
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT MIN(placed) <= CURRENT_TIMESTAMP, H2VERSION() FROM orders")) {
                r.next();
                System.out.println("timestamps ok " + r.getBoolean(1) + ", h2 " + r.getString(2));
            }
            try (Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
        }
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
