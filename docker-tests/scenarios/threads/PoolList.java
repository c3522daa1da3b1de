import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * A fixed pool of 8 threads runs 1,000 tasks; each appends "task@worker" to a shared list under
 * synchronized. Which worker ran which task, and the order of the list, depend on the interleaving.
 * Prints a digest of the whole list, how many tasks each worker ran, and the first 50 entries.
 */
public final class PoolList {
  public static void main(String[] args) throws Exception {
    List<String> log = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int task = 0; task < 1000; task++) {
      int n = task;
      pool.execute(() -> {
        // A little work per task, so that the workers overlap.
        long x = n;
        for (int i = 0; i < 2000; i++) x = x * 6364136223846793005L + 1442695040888963407L;
        String entry = n + "@" + Thread.currentThread().getName() + (x == 42 ? "!" : "");
        synchronized (log) {
          log.add(entry);
        }
      });
    }
    pool.shutdown();
    if (!pool.awaitTermination(30, TimeUnit.SECONDS)) throw new IllegalStateException("pool did not finish");
    CRC32 crc = new CRC32();
    int[] perWorker = new int[9];
    for (String entry : log) {
      crc.update((entry + "\n").getBytes());
      perWorker[Integer.parseInt(entry.substring(entry.lastIndexOf('-') + 1))]++;
    }
    System.out.println("entries " + log.size());
    System.out.printf("digest %08x%n", crc.getValue());
    StringBuilder counts = new StringBuilder("tasks per worker");
    for (int w = 1; w <= 8; w++) counts.append(' ').append(perWorker[w]);
    System.out.println(counts);
    for (int i = 0; i < 50; i++) System.out.println(log.get(i));
  }
}
