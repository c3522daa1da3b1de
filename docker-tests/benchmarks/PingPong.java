import java.util.concurrent.SynchronousQueue;

/**
 * Benchmark: the cost of a hand-over. Two threads pass a token back and forth through a
 * SynchronousQueue, so every exchange blocks one thread and wakes the other: when recorded, every
 * exchange is at least one hand-over of the baton. Prints {@code exchanges=N ns=T} (and the CPU
 * time with {@code cpu}).
 *
 * <p>Usage: {@code PingPong EXCHANGES [cpu]}
 */
public class PingPong {
  public static void main(String[] args) throws InterruptedException {
    int n = Integer.parseInt(args[0]);
    CpuClock cpu = new CpuClock(args.length > 1 && args[1].equals("cpu"));
    exchange(n / 10);
    cpu.start();
    long start = System.nanoTime();
    exchange(n);
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("exchanges=" + n + " ns=" + elapsed + cpuTime);
  }

  static void exchange(int n) throws InterruptedException {
    SynchronousQueue<Integer> there = new SynchronousQueue<>();
    SynchronousQueue<Integer> back = new SynchronousQueue<>();
    Thread pong = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) back.put(there.take() + 1);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    pong.start();
    int token = 0;
    for (int i = 0; i < n; i++) {
      there.put(token);
      token = back.take();
    }
    pong.join();
    if (token != n) throw new IllegalStateException("token " + token);
  }
}
