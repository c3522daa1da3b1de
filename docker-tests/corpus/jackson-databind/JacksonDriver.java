package corpus;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * jackson-databind round-tripping random data on 3 threads sharing one ObjectMapper (its
 * serializer and deserializer caches filled concurrently): Java records with nested lists and
 * maps to JSON bytes and back, and through the JsonNode tree. Prints each thread's record count,
 * bytes and hash in the order the threads finished, and the time it took.
 */
public final class JacksonDriver {
  public record Line(String sku, int quantity, double price) {}

  public record Order(long id, String customer, boolean paid, List<Line> lines, Map<String, String> notes) {}

  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<String>> results = new ArrayList<>();
    List<String> finished = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 3; t++) {
      int thread = t;
      results.add(pool.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<Order> orders = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) {
          List<Line> lines = new ArrayList<>();
          for (int l = random.nextInt(1, 6); l > 0; l--) {
            lines.add(new Line(word(random), random.nextInt(100), random.nextInt(100_000) / 100.0));
          }
          Map<String, String> notes = new LinkedHashMap<>();
          for (int n = random.nextInt(3); n > 0; n--) {
            notes.put(word(random), word(random) + " \"quoted\" \u00e9\u4e2d");
          }
          orders.add(new Order(random.nextLong(), word(random), random.nextBoolean(), lines, notes));
        }
        byte[] json = mapper.writeValueAsBytes(orders);
        List<Order> back = mapper.readValue(json, new TypeReference<List<Order>>() {});
        JsonNode tree = mapper.readTree(json);
        byte[] again = mapper.writeValueAsBytes(mapper.treeToValue(tree, Order[].class));
        String result = "thread " + thread + ": orders " + back.size() + ", bytes " + json.length + ", hash "
            + java.util.Arrays.hashCode(json) + ", round trip "
            + (back.equals(orders) && java.util.Arrays.equals(json, again) ? "equal" : "DIFFERENT");
        finished.add(result);
        return result;
      }));
    }
    for (Future<String> result : results) {
      result.get();
    }
    pool.shutdown();
    finished.forEach(System.out::println);
    System.out.println("elapsed ms " + (System.nanoTime() - start) / 1_000_000);
  }

  static String word(ThreadLocalRandom random) {
    StringBuilder word = new StringBuilder();
    for (int i = random.nextInt(3, 10); i > 0; i--) {
      word.append((char) ('a' + random.nextInt(26)));
    }
    return word.toString();
  }
}
