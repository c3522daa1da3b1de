/**
 * Four threads add to a counter through a getter and a setter, with a little work in between and
 * no lock: an update is lost whenever another thread runs between one thread's get and its set.
 * There is no boundary call in the loop, so under a baton that changes hands only at boundary
 * calls nothing would be lost; with preemption at method entries, recordings lose updates as
 * plain runs do, each a different number.
 */
public final class LostUpdatesAcrossCalls {
  static final int THREADS = 4;
  static final int PER_THREAD = 2_000_000;

  static final class Counter {
    private int value;

    int get() {
      return value;
    }

    void set(int v) {
      value = v;
    }
  }

  static final Counter counter = new Counter();

  static int work(int x) {
    return (x * 31) ^ (x >>> 3);
  }

  public static void main(String[] args) throws Exception {
    Thread[] threads = new Thread[THREADS];
    int[] sink = new int[THREADS];
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        for (int i = 0; i < PER_THREAD; i++) {
          int v = counter.get();
          sink[id] += work(v);
          counter.set(v + 1);
        }
      }, "adder-" + t);
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    System.out.println("total " + counter.get() + " of " + THREADS * PER_THREAD);
  }
}
