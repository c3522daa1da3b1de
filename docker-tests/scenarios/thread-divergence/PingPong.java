/**
 * Two threads, "ping" and "pong", take turns through one monitor (wait/notifyAll), 40 turns each,
 * printing each turn with the clock; main starts them and joins them. Every turn hands the baton
 * from one to the other, so the recording has a long, regular schedule of hand-overs.
 */
public final class PingPong {
  static final Object lock = new Object();
  static int turn; // even: ping's turn, odd: pong's

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    Thread ping = player("ping", 0, t0);
    Thread pong = player("pong", 1, t0);
    ping.start();
    pong.start();
    ping.join();
    pong.join();
    System.out.println("turns " + turn);
  }

  static Thread player(String name, int parity, long t0) {
    return new Thread(() -> {
      for (int i = 0; i < 40; i++) {
        synchronized (lock) {
          while (turn % 2 != parity) {
            try {
              lock.wait();
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          System.out.println(name + " " + i + " at +" + (System.nanoTime() - t0) / 1000 + " us");
          turn++;
          lock.notifyAll();
        }
      }
    }, name);
  }
}
