/**
 * Four threads increment a plain int field with no synchronisation: updates get lost, and how many
 * depends on the interleaving. Prints the total (4 x PER_THREAD when nothing was lost).
 *
 * <p>The counter is reached through a non-final static field and each iteration reads a volatile,
 * so the JIT must load and store the field every time (it cannot fold the loop into one add). Every
 * 1024th increment straddles a Thread.yield (read, yield, write back): under a baton that changes
 * hands only at scheduling points, updates are lost exactly where the baton changed hands there.
 */
public final class LostUpdates {
  static final int THREADS = 4;
  static final int PER_THREAD = 3_000_000;

  static final class Counter {
    int count;
  }

  static Counter counter = new Counter();
  static volatile boolean stop;

  static void work() {
    for (int i = 0; i < PER_THREAD; i++) {
      if (stop) return;
      Counter c = counter;
      if ((i & 1023) == 0) {
        int v = c.count;
        Thread.yield();
        c.count = v + 1;
      } else {
        c.count++;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Thread[] threads = new Thread[THREADS];
    for (int t = 0; t < THREADS; t++) {
      threads[t] = new Thread(LostUpdates::work, "adder-" + t);
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    int total = counter.count;
    System.out.println("expected " + THREADS * PER_THREAD);
    System.out.println("total " + total);
    System.out.println("lost " + (THREADS * PER_THREAD - total));
  }
}
