import java.util.concurrent.locks.ReentrantLock;

/**
 * Benchmark: a contended counter. THREADS threads each increment one shared long N times, under
 * {@code synchronized} (mode "sync") or a {@code ReentrantLock} (mode "lock"). The timed region
 * (starting the threads to joining them) is measured with nanoTime. A warm-up of N/10 increments per
 * thread comes first. Prints {@code increments=N ns=T total=C}; the total is always THREADS * N.
 *
 * <p>Usage: {@code Contended sync|lock THREADS N [cpu]} ({@link CpuClock} for {@code cpu}).
 */
public class Contended {
  static long counter;
  static final Object monitor = new Object();
  static final ReentrantLock lock = new ReentrantLock();

  public static void main(String[] args) throws InterruptedException {
    boolean sync = args[0].equals("sync");
    int threads = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    CpuClock cpu = new CpuClock(args.length > 3 && args[3].equals("cpu"));
    run(sync, threads, n / 10);
    counter = 0;
    cpu.start();
    long start = System.nanoTime();
    run(sync, threads, n);
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("increments=" + (long) threads * n + " ns=" + elapsed + cpuTime + " total=" + counter);
  }

  static void run(boolean sync, int count, int n) throws InterruptedException {
    Thread[] threads = new Thread[count];
    for (int t = 0; t < count; t++) {
      threads[t] = new Thread(sync ? () -> viaMonitor(n) : () -> viaLock(n));
      threads[t].start();
    }
    for (Thread t : threads) t.join();
  }

  static void viaMonitor(int n) {
    for (int i = 0; i < n; i++) {
      synchronized (monitor) {
        counter++;
      }
    }
  }

  static void viaLock(int n) {
    for (int i = 0; i < n; i++) {
      lock.lock();
      try {
        counter++;
      } finally {
        lock.unlock();
      }
    }
  }
}
