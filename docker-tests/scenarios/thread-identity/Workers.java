import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Threads that start threads, each reading the clock on its own, with no shared data until main
 * joins them: the order threads start in varies from run to run, their results must not.
 */
public final class Workers {
  static final Map<String, Long> results = new ConcurrentHashMap<>();

  static Thread worker(String name, int children) {
    Thread t = new Thread(() -> {
      Thread[] kids = new Thread[children];
      for (int i = 0; i < children; i++) {
        kids[i] = worker(name + "." + i, 0);
        kids[i].start();
      }
      long sum = 0;
      for (int i = 0; i < 20_000; i++) sum += System.nanoTime() % 1000;
      results.put(name, sum);
      for (Thread kid : kids) {
        try { kid.join(); } catch (InterruptedException e) { throw new IllegalStateException(e); }
      }
    }, name);
    return t;
  }

  public static void main(String[] args) throws Exception {
    Thread[] top = new Thread[3];
    for (int i = 0; i < top.length; i++) {
      top[i] = worker("w" + i, 2);
      top[i].start();
    }
    for (Thread t : top) t.join();
    new TreeMap<>(results).forEach((name, sum) -> System.out.println(name + " " + sum));
  }
}
