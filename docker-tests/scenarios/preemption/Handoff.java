import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Two producers compute and offer numbered items to a small queue; two consumers take them and
 * sum what they got from each producer. Who gets which item depends on the interleaving.
 */
public final class Handoff {
  static final int ITEMS = 2_000;

  static long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }

  public static void main(String[] args) throws Exception {
    BlockingQueue<int[]> queue = new ArrayBlockingQueue<>(8);
    long[][] got = new long[2][2];
    Thread[] producers = new Thread[2];
    Thread[] consumers = new Thread[2];
    for (int p = 0; p < 2; p++) {
      int id = p;
      producers[p] = new Thread(() -> {
        try {
          for (int i = 0; i < ITEMS; i++) {
            fib(12 + i % 5);
            queue.put(new int[] {id, i});
          }
          queue.put(new int[] {-1, 0});
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
      });
    }
    for (int c = 0; c < 2; c++) {
      int id = c;
      consumers[c] = new Thread(() -> {
        try {
          for (int[] item = queue.take(); item[0] >= 0; item = queue.take()) {
            fib(13 + item[1] % 3);
            got[id][item[0]] += item[1];
          }
        } catch (InterruptedException e) {
          throw new RuntimeException(e);
        }
      });
    }
    for (Thread t : producers) t.start();
    for (Thread t : consumers) t.start();
    for (Thread t : producers) t.join();
    for (Thread t : consumers) t.join();
    System.out.println("consumer 0 got " + got[0][0] + "+" + got[0][1] + ", consumer 1 got " + got[1][0] + "+" + got[1][1]);
  }
}
