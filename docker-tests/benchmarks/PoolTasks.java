import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Benchmark: an executor with many small tasks, the hand-over pattern of a thread pool (a queue,
 * park and unpark). A fixed pool of 4 threads runs TASKS tasks, each adding to a LongAdder; main
 * submits them all, then shuts the pool down and waits for it. A warm-up pool runs TASKS/10 tasks
 * first. The timed region (first submit to termination) is measured with nanoTime. Prints
 * {@code tasks=N ns=T sum=S}.
 *
 * <p>Usage: {@code PoolTasks TASKS [cpu]}; with {@code cpu} it also prints the CPU time
 * ({@link CpuClock}: main's own, and the whole process's, which is the one that matters here).
 */
public class PoolTasks {
  public static void main(String[] args) throws InterruptedException {
    int tasks = Integer.parseInt(args[0]);
    CpuClock cpu = new CpuClock(args.length > 1 && args[1].equals("cpu"));
    LongAdder sum = new LongAdder();
    run(tasks / 10, sum);
    sum.reset();
    cpu.start();
    long start = System.nanoTime();
    run(tasks, sum);
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("tasks=" + tasks + " ns=" + elapsed + cpuTime + " sum=" + sum.sum());
  }

  static void run(int tasks, LongAdder sum) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < tasks; i++) {
      int n = i;
      pool.execute(() -> sum.add(n & 7));
    }
    pool.shutdown();
    if (!pool.awaitTermination(10, TimeUnit.MINUTES)) throw new IllegalStateException("pool did not finish");
  }
}
