import java.util.concurrent.CountDownLatch;

/**
 * An unsynchronised lazy initialisation: two threads, released together, each ask for the
 * configuration; when one reads the field while the other is still constructing, both construct,
 * and the two threads end up with different configurations (exit 1). The window is the
 * constructor, a few calls and field writes wide, and the second thread asks a moment after the
 * first, so a plain run loses the race rarely.
 */
public final class LazyInit {
  static final class Config {
    final int[] slots = new int[4];
    final long made;

    Config(long seed) {
      for (int i = 0; i < slots.length; i++) slots[i] = mix(seed, i);
      made = seed;
    }

    static int mix(long seed, int i) {
      return (int) (seed >>> i) ^ i;
    }
  }

  static Config config;
  /** How long the second thread computes (without calls) before it asks: the plain failure rate. */
  static final int GAP = 2_000;

  static Config config() {
    long now = System.nanoTime();
    Config c = config;
    if (c == null) {
      c = new Config(now);
      config = c;
    }
    return c;
  }

  public static void main(String[] args) throws Exception {
    int gap = args.length > 0 ? Integer.parseInt(args[0]) : GAP;
    // Once before the race, then forgotten: the classes are loaded and the calls linked, so the
    // window is the constructor alone.
    config();
    config = null;
    CountDownLatch go = new CountDownLatch(1);
    Config[] seen = new Config[2];
    long[] spun = new long[2];
    Thread[] threads = new Thread[2];
    for (int t = 0; t < 2; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        Object[] first = {null}; // the thread's first allocation takes its allocation buffer
        try {
          go.await();
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
        long spin = 0;
        for (int i = 0; i < gap * id; i++) spin += i ^ spin; // a moment without calls
        seen[id] = config();
        first[0] = seen[id];
        spun[id] = spin;
      });
      threads[t].start();
    }
    go.countDown();
    for (Thread thread : threads) thread.join();
    if (seen[0] != seen[1]) {
      System.out.println("two configurations: " + seen[0].made + " and " + seen[1].made);
      System.exit(1);
    }
    System.out.println("one configuration: " + seen[0].made + (spun[1] == 42 ? "" : "."));
  }
}
