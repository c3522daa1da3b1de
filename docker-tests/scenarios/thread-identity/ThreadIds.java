import java.util.concurrent.ThreadLocalRandom;

/**
 * Threads started while a busy one computes print their java.lang.Thread ids and a ThreadLocalRandom
 * value (whose sequence adds the thread id). With --preempt the watchdog asks the busy thread to stop
 * at its next tick: the agent's own Java thread must not take an id at that moment.
 */
public final class ThreadIds {
    static volatile long sink;
    public static void main(String[] args) throws Exception {
        Thread busy = new Thread(() -> {
            long x = 0;
            long end = System.nanoTime() + 300_000_000L;
            while (x++ < 2_000_000_000L && (x & 0xffffff) != 0 || System.nanoTime() < end) sink = x;
        });
        busy.start();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                synchronized (out) {
                    out.append(Thread.currentThread().getId()).append(':');
                    out.append(ThreadLocalRandom.current().nextInt(1000)).append(' ');
                }
            });
            t.start();
            t.join();
        }
        busy.join();
        System.out.println(out + "at " + System.nanoTime());
    }
}
