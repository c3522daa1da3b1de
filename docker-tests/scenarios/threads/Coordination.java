import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;

/**
 * The java.util.concurrent toolbox, one section each: ReentrantLock with a Condition, CountDownLatch,
 * Semaphore, CyclicBarrier, CompletableFuture chains on the common pool, a parallel stream,
 * ConcurrentHashMap.merge from many threads, Thread.interrupt of a sleeping thread, and a
 * ScheduledExecutorService at a fixed rate. Each section prints "== name" and then an order of events
 * (which thread did what, in which order, or after how many microseconds), which depends on the
 * interleaving and the clock.
 *
 * <p>Usage: {@code Coordination [section...]}; no argument runs every section, in this order.
 */
public final class Coordination {
  interface Section {
    void run() throws Exception;
  }

  static final Map<String, Section> SECTIONS = new LinkedHashMap<>();

  static {
    SECTIONS.put("lock-condition", Coordination::lockCondition);
    SECTIONS.put("countdown-latch", Coordination::countDownLatch);
    SECTIONS.put("semaphore", Coordination::semaphore);
    SECTIONS.put("cyclic-barrier", Coordination::cyclicBarrier);
    SECTIONS.put("completable-future", Coordination::completableFuture);
    SECTIONS.put("parallel-stream", Coordination::parallelStream);
    SECTIONS.put("chm-merge", Coordination::chmMerge);
    SECTIONS.put("interrupt", Coordination::interrupt);
    SECTIONS.put("scheduled", Coordination::scheduled);
  }

  /** The events of a section, in the order they happened. */
  static final List<String> log = Collections.synchronizedList(new ArrayList<>());

  static String me() {
    return Thread.currentThread().getName();
  }

  public static void main(String[] args) throws Exception {
    List<String> names = args.length == 0 ? new ArrayList<>(SECTIONS.keySet()) : List.of(args);
    for (String name : names) {
      Section section = SECTIONS.get(name);
      if (section == null) throw new IllegalArgumentException("no section " + name);
      System.out.println("== " + name);
      log.clear();
      section.run();
      synchronized (log) {
        for (String line : log) System.out.println(line);
      }
    }
  }

  static Thread[] startAll(int n, String prefix, Section body) {
    Thread[] threads = new Thread[n];
    for (int i = 0; i < n; i++) {
      threads[i] = new Thread(() -> {
        try {
          body.run();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, prefix + i);
    }
    for (Thread t : threads) t.start();
    return threads;
  }

  static void joinAll(Thread[] threads) throws InterruptedException {
    for (Thread t : threads) t.join();
  }

  /** Four threads take turns through one lock: signal the next waiter, then wait a little (timed). */
  static void lockCondition() throws Exception {
    ReentrantLock lock = new ReentrantLock();
    Condition changed = lock.newCondition();
    int[] shared = {0};
    joinAll(startAll(4, "locker-", () -> {
      for (int round = 0; round < 15; round++) {
        lock.lock();
        try {
          log.add(me() + " round " + round + " sees " + shared[0]++);
          changed.signal();
          changed.awaitNanos(50_000);
        } finally {
          lock.unlock();
        }
      }
    }));
  }

  /** Five threads wait for one start signal, work for different lengths, and count down when done. */
  static void countDownLatch() throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(5);
    long[] t0 = new long[1];
    Thread[] threads = startAll(5, "latch-", () -> {
      start.await();
      int n = Integer.parseInt(me().substring(6));
      long x = n;
      for (int i = 0; i < 20_000 * (5 - n); i++) x = x * 31 + i;
      log.add(me() + " done after " + (System.nanoTime() - t0[0]) / 1000 + " us" + (x == 7 ? "!" : ""));
      done.countDown();
    });
    t0[0] = System.nanoTime();
    start.countDown();
    done.await();
    log.add("main saw the latch open after " + (System.nanoTime() - t0[0]) / 1000 + " us");
    joinAll(threads);
  }

  /** Six threads through a semaphore of two permits, three times each. */
  static void semaphore() throws Exception {
    Semaphore permits = new Semaphore(2);
    joinAll(startAll(6, "permit-", () -> {
      for (int round = 0; round < 3; round++) {
        permits.acquire();
        try {
          log.add(me() + " in, round " + round);
          Thread.yield();
          log.add(me() + " out");
        } finally {
          permits.release();
        }
      }
    }));
  }

  /** Four parties, three generations; each prints its arrival index (which arrival it was). */
  static void cyclicBarrier() throws Exception {
    int[] generation = {0};
    CyclicBarrier barrier = new CyclicBarrier(4, () -> log.add("generation " + generation[0]++ + " tripped by " + me()));
    joinAll(startAll(4, "party-", () -> {
      for (int g = 0; g < 3; g++) {
        int index = barrier.await();
        log.add(me() + " generation " + g + " arrival index " + index);
      }
    }));
  }

  /** Chains on the common pool: each stage notes the thread that ran it, in the order stages finish. */
  static void completableFuture() throws Exception {
    // The common pool named explicitly: with fewer than 3 CPUs the default async executor of
    // CompletableFuture is a new thread per task instead.
    ForkJoinPool pool = ForkJoinPool.commonPool();
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      CompletableFuture<String> supplied = CompletableFuture.supplyAsync(() -> stage("supply " + n), pool);
      // A random pause of main's before it adds the next stage: that stage runs on main when the
      // first one has finished by then, else on the pool's worker (timing, even with one worker).
      LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(300_000));
      CompletableFuture<String> f = supplied
          .thenApply(s -> s + " | " + stage("apply " + n))
          .thenApplyAsync(s -> s + " | " + stage("applyAsync " + n), pool)
          .thenCombine(CompletableFuture.supplyAsync(() -> stage("other " + n), pool), (a, b) -> a + " | " + b);
      futures.add(f);
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
    for (CompletableFuture<String> f : futures) log.add("result " + f.get());
  }

  static String stage(String what) {
    String s = what + "@" + me();
    log.add(s);
    return s;
  }

  /** A parallel stream's forEach: which thread processed which element, in the order they did. */
  static void parallelStream() {
    IntStream.range(0, 64).parallel().forEach(i -> {
      long x = i;
      for (int k = 0; k < 5_000; k++) x = x * 6364136223846793005L + 1;
      log.add(i + "@" + me() + (x == 3 ? "!" : ""));
    });
  }

  /** Four threads merge into the same keys: the merge function logs every merge, in merge order. */
  static void chmMerge() throws Exception {
    ConcurrentHashMap<String, Integer> map = new ConcurrentHashMap<>();
    joinAll(startAll(4, "merger-", () -> {
      for (int j = 0; j < 25; j++) {
        String key = "k" + (j % 5);
        map.merge(key, 1, (a, b) -> {
          log.add(me() + " " + key + " " + a + "+" + b);
          return a + b;
        });
      }
    }));
    log.add("totals " + new TreeMap<>(map));
  }

  /** main interrupts a thread sleeping for 10 s after sleeping 3 ms itself. */
  static void interrupt() throws Exception {
    long t0 = System.nanoTime();
    Thread sleeper = new Thread(() -> {
      long start = System.nanoTime();
      try {
        Thread.sleep(10_000);
        log.add("sleeper was not interrupted");
      } catch (InterruptedException e) {
        long now = System.nanoTime();
        log.add("sleeper interrupted after sleeping " + (now - start) / 1000 + " us, "
            + (now - t0) / 1000 + " us after main started it");
      }
    }, "sleeper");
    sleeper.start();
    Thread.sleep(3);
    log.add("main interrupts at " + (System.nanoTime() - t0) / 1000 + " us");
    sleeper.interrupt();
    sleeper.join();
  }

  /** A task at a fixed rate of 2 ms for about 25 ms: how many runs, and the gaps between them. */
  static void scheduled() throws Exception {
    ScheduledExecutorService ses = Executors.newScheduledThreadPool(1);
    List<Long> times = Collections.synchronizedList(new ArrayList<>());
    ScheduledFuture<?> task = ses.scheduleAtFixedRate(() -> times.add(System.nanoTime()), 0, 2, TimeUnit.MILLISECONDS);
    Thread.sleep(25);
    task.cancel(false);
    ses.shutdown();
    if (!ses.awaitTermination(10, TimeUnit.SECONDS)) throw new IllegalStateException("scheduler did not stop");
    synchronized (times) {
      log.add("runs " + times.size());
      StringBuilder gaps = new StringBuilder("gaps us");
      for (int i = 1; i < times.size(); i++) gaps.append(' ').append((times.get(i) - times.get(i - 1)) / 1000);
      log.add(gaps.toString());
    }
  }
}
