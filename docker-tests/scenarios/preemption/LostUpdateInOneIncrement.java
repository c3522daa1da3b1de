/**
 * Four threads each do `count++` on a shared static field a million times, with no method call in
 * the loop and no lock: getstatic, iadd, putstatic. An update is lost only when another thread
 * writes the field between one thread's read and its write, inside a single `count++`. With
 * --preempt (ticks at method entries) the loop has no tick, so a recording loses nothing; with
 * --preempt-fields there is a tick before the read and one before the write, and recordings lose
 * updates as plain runs do.
 */
public final class LostUpdateInOneIncrement {
  static final int THREADS = 4;
  static final int PER_THREAD = 1_000_000;
  static int count;

  public static void main(String[] args) throws Exception {
    Thread[] threads = new Thread[THREADS];
    for (int t = 0; t < THREADS; t++) {
      threads[t] = new Thread(() -> {
        for (int i = 0; i < PER_THREAD; i++) {
          count++;
        }
      }, "incrementer-" + t);
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    System.out.println("total " + count + " of " + THREADS * PER_THREAD);
  }
}
