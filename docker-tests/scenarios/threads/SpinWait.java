/**
 * A thread spins on a volatile flag ({@code while (!flag) {}}, no call in the loop) until another
 * thread sets it; the setter first publishes a value it computed from the clock. Prints what the
 * setter computed, what the spinner read after the wait, and the spinner's wait in microseconds
 * (never the number of spins, which depends on the CPU).
 */
public final class SpinWait {
  static volatile boolean flag;
  static volatile long value;

  public static void main(String[] args) throws Exception {
    Thread spinner = new Thread(() -> {
      long start = System.nanoTime();
      while (!flag) {
        // spin: no call, no scheduling point
      }
      long seen = value;
      long waited = (System.nanoTime() - start) / 1000;
      System.out.println("spinner read " + seen + " after waiting " + waited + " us");
    }, "spinner");
    Thread setter = new Thread(() -> {
      long computed = System.nanoTime() % 1_000_003;
      value = computed;
      flag = true;
      System.out.println("setter computed " + computed);
    }, "setter");
    spinner.start();
    setter.start();
    spinner.join();
    setter.join();
    System.out.println("value " + value);
  }
}
