import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A pool of 4 threads runs 24 tasks that only compute (no boundary call inside a task) and notes
 * the order in which they finish. The order depends on how the threads share the CPU.
 */
public final class PoolOrder {
  static long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }

  public static void main(String[] args) throws Exception {
    List<Integer> finished = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int task = 0; task < 24; task++) {
      int id = task;
      pool.execute(() -> {
        if (fib(26 + id % 4) < 0) throw new AssertionError();
        finished.add(id);
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(60, TimeUnit.SECONDS)) throw new AssertionError("pool did not finish");
    System.out.println("finished " + finished);
  }
}
