import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Four threads claim keys of a shared map with a check, some work, then a put: the check and the
 * act are separate calls, so two threads can both find a key free and both claim it (the later put
 * wins). Prints how many keys each thread holds in the end and how many claims were overwritten.
 */
public final class CheckThenAct {
  static final int KEYS = 20_000;
  static final Map<Integer, Integer> owners = new ConcurrentHashMap<>();

  static boolean free(int key) {
    return !owners.containsKey(key);
  }

  static int prepare(int key) {
    int h = key;
    for (int i = 0; i < 50; i++) h = h * 31 + i;
    return h;
  }

  public static void main(String[] args) throws Exception {
    int[] claims = new int[4];
    Thread[] threads = new Thread[4];
    for (int t = 0; t < 4; t++) {
      int id = t;
      threads[t] = new Thread(() -> {
        for (int key = 0; key < KEYS; key++) {
          if (free(key) && prepare(key) != 0) {
            owners.put(key, id);
            claims[id]++;
          }
        }
      });
    }
    for (Thread t : threads) t.start();
    for (Thread t : threads) t.join();
    int[] held = new int[4];
    owners.values().forEach(id -> held[id]++);
    int total = claims[0] + claims[1] + claims[2] + claims[3];
    System.out.println("held " + held[0] + " " + held[1] + " " + held[2] + " " + held[3]
        + ", overwritten " + (total - KEYS));
  }
}
