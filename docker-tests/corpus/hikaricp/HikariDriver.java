package corpus;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * HikariCP pooling H2 in-memory connections (its housekeeper thread, connection adder, leak
 * checks), four worker threads borrowing connections to insert and sum random rows concurrently.
 */
public class HikariDriver {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        System.out.println("seed " + seed);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:pool;DB_CLOSE_DELAY=-1");
        config.setUsername("sa");
        config.setMaximumPoolSize(3);
        config.setMinimumIdle(1);
        config.setPoolName("corpus-pool");
        config.setLeakDetectionThreshold(10_000);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE ledger(id IDENTITY PRIMARY KEY, worker INT, amount INT)");
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<Long>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                final int worker = w;
                final Random random = new Random(seed + w);
                results.add(pool.submit(() -> {
                    long sum = 0;
                    for (int i = 0; i < 100; i++) {
                        try (Connection c = ds.getConnection();
                             PreparedStatement p = c.prepareStatement("INSERT INTO ledger(worker, amount) VALUES (?, ?)")) {
                            int amount = random.nextInt(1000);
                            p.setInt(1, worker);
                            p.setInt(2, amount);
                            p.executeUpdate();
                            sum += amount;
                        }
                    }
                    return sum;
                }));
            }
            long expected = 0;
            for (Future<Long> f : results) {
                expected += f.get();
            }
            pool.shutdown();
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT worker, COUNT(*), SUM(amount) FROM ledger GROUP BY worker ORDER BY worker")) {
                long total = 0;
                while (r.next()) {
                    System.out.println("worker " + r.getInt(1) + ": " + r.getInt(2) + " rows, sum " + r.getLong(3));
                    total += r.getLong(3);
                }
                System.out.println("total " + total + " matches " + (total == expected));
            }
            System.out.println("pool total connections " + ds.getHikariPoolMXBean().getTotalConnections());
        }
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
