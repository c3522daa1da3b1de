package corpus;

import java.util.Random;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.ThreadContext;

/**
 * Log4j 2 with all loggers asynchronous (LMAX Disruptor ring buffer, its background thread) and
 * a pattern with timestamps, thread names and MDC, logging from three threads to stdout and to
 * a rolling file in the working directory; the file's size is printed at the end.
 */
public class Log4jAsync {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Logger log = LogManager.getLogger(Log4jAsync.class);
        log.info("seed {}", seed);
        Thread[] threads = new Thread[3];
        for (int t = 0; t < threads.length; t++) {
            final int id = t;
            final Random random = new Random(seed + t);
            threads[t] = new Thread(() -> {
                ThreadContext.put("worker", "w" + id);
                Logger wl = LogManager.getLogger("corpus.worker" + id);
                for (int i = 0; i < 300; i++) {
                    int v = random.nextInt(10000);
                    if (v % 50 == 0) {
                        wl.warn("value {} divisible by 50 at {}", v, i);
                    } else if (i % 60 == 0) {
                        wl.info("step {} value {}", i, v);
                    } else {
                        wl.debug("step {} value {}", i, v);
                    }
                }
                ThreadContext.clearAll();
            }, "worker-" + t);
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        log.info("done in {} ms", (System.nanoTime() - start) / 1_000_000);
        LogManager.shutdown();
        System.out.println("log file bytes " + java.nio.file.Files.size(java.nio.file.Paths.get("logs/app.log")));
    }
}
