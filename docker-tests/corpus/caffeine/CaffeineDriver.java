package corpus;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Caffeine under several threads: a bounded loading cache (size eviction, expiry after write,
 * refresh after write, its maintenance on the common pool) read and written by 4 threads with
 * random keys. Prints what the race decided: hits, misses, loads, evictions, the final size.
 */
public final class CaffeineDriver {
  public static void main(String[] args) throws Exception {
    long start = System.nanoTime();
    AtomicLong loads = new AtomicLong();
    LoadingCache<Integer, String> cache = Caffeine.newBuilder()
        .maximumSize(1_000)
        .expireAfterWrite(Duration.ofMillis(200))
        .refreshAfterWrite(Duration.ofMillis(50))
        .recordStats()
        .build(key -> {
          loads.incrementAndGet();
          return "value-" + key + "-" + System.nanoTime();
        });
    int threads = 4;
    int operations = 8_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Long>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(pool.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long checksum = 0;
        for (int i = 0; i < operations; i++) {
          int key = (int) Math.abs(random.nextGaussian() * 800);
          if (random.nextInt(10) == 0) {
            cache.put(key, "put-" + i);
          } else if (random.nextInt(50) == 0) {
            cache.invalidate(key);
          } else {
            checksum += cache.get(key).length();
          }
        }
        return checksum;
      }));
    }
    long checksum = 0;
    for (Future<Long> result : results) {
      checksum += result.get();
    }
    pool.shutdown();
    cache.cleanUp();
    CacheStats stats = cache.stats();
    System.out.println("hits " + stats.hitCount() + ", misses " + stats.missCount() + ", loads "
        + loads.get() + ", evictions " + stats.evictionCount() + ", size " + cache.estimatedSize());
    System.out.println("checksum " + checksum);
    System.out.println("elapsed ms " + (System.nanoTime() - start) / 1_000_000);
  }
}
