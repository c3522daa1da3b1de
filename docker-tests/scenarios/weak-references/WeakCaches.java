import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.WeakHashMap;

/**
 * Weak and soft references under allocation churn: when the collector first clears one, how many
 * its queue hands back and how big a WeakHashMap still is are the collector's choice, and the replay
 * JVM does not collect at the same moments as the recorded one.
 */
public final class WeakCaches {
  public static void main(String[] args) {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    List<WeakReference<Object>> weak = new ArrayList<>();
    for (int i = 0; i < 1000; i++) weak.add(new WeakReference<>(new byte[100], queue));
    SoftReference<Object> soft = new SoftReference<>(new byte[1 << 20]);
    WeakHashMap<Object, Integer> map = new WeakHashMap<>();
    for (int i = 0; i < 1000; i++) map.put(new Object(), i);
    List<byte[]> churn = new ArrayList<>();
    int firstCleared = -1;
    for (int i = 0; i < 200_000 && firstCleared < 0; i++) {
      churn.add(new byte[1000 + (int) (System.nanoTime() & 1023)]);
      if (churn.size() > 100) churn.clear();
      if (weak.get(i % 1000).get() == null) firstCleared = i;
    }
    int polled = 0;
    while (queue.poll() != null) polled++;
    System.out.println("first cleared at " + firstCleared + ", polled " + polled + ", map " + map.size()
        + ", soft " + (soft.get() != null ? "kept" : "cleared"));
    System.out.println("at " + System.nanoTime());
  }
}
