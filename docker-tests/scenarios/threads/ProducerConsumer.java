import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Producers and consumers, twice: over an ArrayBlockingQueue of capacity 3, then over a hand-made
 * bounded buffer with synchronized, wait(5) and notifyAll. Each consumer prints what it took
 * ("item by consumer") as it takes it, so the output is the consumption order.
 */
public final class ProducerConsumer {
  static final int PRODUCERS = 2;
  static final int CONSUMERS = 3;
  static final int ITEMS = 100; // per producer
  static final String POISON = "stop";

  public static void main(String[] args) throws Exception {
    blockingQueue();
    waitNotify();
  }

  static void blockingQueue() throws InterruptedException {
    System.out.println("== array-blocking-queue (capacity 3)");
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(3);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CONSUMERS; c++) {
      threads.add(new Thread(() -> {
        try {
          for (String item = queue.take(); !item.equals(POISON); item = queue.take()) {
            System.out.println(item + " by " + Thread.currentThread().getName());
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "q-consumer-" + c));
    }
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int id = p;
      producers.add(new Thread(() -> {
        try {
          for (int i = 0; i < ITEMS; i++) queue.put("p" + id + "." + i);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "q-producer-" + p));
    }
    threads.addAll(producers);
    for (Thread t : threads) t.start();
    for (Thread t : producers) t.join();
    for (int c = 0; c < CONSUMERS; c++) queue.put(POISON);
    for (Thread t : threads) t.join();
  }

  /** A bounded buffer of 3 with wait(5)/notifyAll: waits that time out and waits that are notified mix. */
  static final class Buffer {
    final ArrayDeque<String> items = new ArrayDeque<>();
    int timeouts;

    synchronized void put(String item) throws InterruptedException {
      while (items.size() == 3) {
        long before = System.nanoTime();
        wait(5);
        if (System.nanoTime() - before >= 5_000_000L) timeouts++;
      }
      items.add(item);
      notifyAll();
    }

    synchronized String take() throws InterruptedException {
      while (items.isEmpty()) {
        long before = System.nanoTime();
        wait(5);
        if (System.nanoTime() - before >= 5_000_000L) timeouts++;
      }
      String item = items.poll();
      notifyAll();
      return item;
    }
  }

  static void waitNotify() throws InterruptedException {
    System.out.println("== wait-notify (wait(5), notifyAll)");
    Buffer buffer = new Buffer();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CONSUMERS; c++) {
      threads.add(new Thread(() -> {
        try {
          for (String item = buffer.take(); !item.equals(POISON); item = buffer.take()) {
            System.out.println(item + " by " + Thread.currentThread().getName());
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "w-consumer-" + c));
    }
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      int id = p;
      producers.add(new Thread(() -> {
        try {
          for (int i = 0; i < ITEMS; i++) {
            // Now and then the producers pause longer than a wait: the consumers' waits time out.
            if (i % 40 == 39) Thread.sleep(6);
            buffer.put("p" + id + "." + i);
          }
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }, "w-producer-" + p));
    }
    threads.addAll(producers);
    for (Thread t : threads) t.start();
    for (Thread t : producers) t.join();
    for (int c = 0; c < CONSUMERS; c++) buffer.put(POISON);
    for (Thread t : threads) t.join();
    synchronized (buffer) {
      System.out.println("waits that timed out " + buffer.timeouts);
    }
  }
}
