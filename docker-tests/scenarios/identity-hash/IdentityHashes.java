import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Prints identity hash codes, the default toString, and the iteration order of a HashSet of plain
 * objects, from main and from two worker threads; then hashes taken under locks, and those of
 * classes. The JVM generates these hashes from per-thread
 * sequences; with the agent loaded they are not those of a plain run, and replay must reproduce the
 * recorded ones, not generate its own.
 */
public final class IdentityHashes {
  public static void main(String[] args) throws Exception {
    long warm = 0;
    for (int i = 0; i < 2_000_000; i++) warm += Integer.toString(i).hashCode();  // JIT threads come and go
    describe("main");
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      Thread t = new Thread(() -> describe(Thread.currentThread().getName()), "worker-" + w);
      workers.add(t);
      t.start();
      t.join();  // one after the other: the output order is not what this test is about
    }
    Object locked = new Object();
    System.out.println("hashed before locking " + locked.hashCode());
    synchronized (locked) {
      System.out.println("the same, locked " + System.identityHashCode(locked));
    }
    Object lockedFirst = new Object();
    synchronized (lockedFirst) {
      System.out.println("first hashed while locked " + lockedFirst.hashCode());
    }
    // Class objects: JDK 17 hashes them inside the JVM while linking (and java.util.logging.Level
    // takes its first hash under a class lock); a HashSet of classes iterates in hash order.
    System.out.println("class hash under its own lock " + Locked.hashOfOwnClass());
    System.out.println("logging level " + java.util.logging.Level.INFO + " " + java.util.logging.Level.class.hashCode());
    // JDK classes the start-up linked on main, before the agent can record a hash: on JDK 17 their
    // mirror hashes come from main's sequence, which must be in step in every run (issue 11: the
    // Finalizer thread linked jdk.internal.misc.VM in some runs, putting all of these one step on).
    System.out.println("start-up classes " + Arrays.class.hashCode() + " " + java.util.Hashtable.class.hashCode());
    // Classes the program links (on JDK 17, a JDK class first linked by a JDK thread while the
    // program runs is not covered: docs/limitations.md#identity-hash-codes).
    Set<Class<?>> classes = new HashSet<>(List.of(Locked.class, IdentityHashes.class, A.class, B.class, C.class,
        java.util.logging.Level.class, java.util.logging.Logger.class));
    StringBuilder names = new StringBuilder();
    for (Class<?> c : classes) names.append(c.getSimpleName()).append(' ');
    System.out.println("class set order " + names.toString().trim());
    System.out.println(warm != 0);
  }

  interface A {}

  record B(int b) {}

  enum C { X }

  static final class Locked {
    static synchronized int hashOfOwnClass() {
      return Locked.class.hashCode();
    }
  }

  static void describe(String who) {
    Object[] objects = new Object[8];
    for (int i = 0; i < objects.length; i++) objects[i] = new Object();
    Set<Object> set = new HashSet<>(Arrays.asList(objects));
    StringBuilder order = new StringBuilder();
    for (Object o : set) order.append(Arrays.asList(objects).indexOf(o));
    System.out.println(who + ": set order " + order + ", first " + objects[0] + ", identityHashCode "
        + System.identityHashCode(objects[1]));
  }
}
