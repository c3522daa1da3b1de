/**
 * Benchmark: a loop made only of field and array accesses, no calls, the worst case for
 * --preempt-fields (a tick before each of the five accesses of an iteration) and free for
 * --preempt (no method entry in the loop). Prints {@code ns=T result=R} for N iterations
 * (default 200 million), timed with nanoTime.
 */
public class FieldLoop {
  static int count;
  static final int[] table = new int[1024];

  static void run(int n) {
    for (int i = 0; i < n; i++) {
      count += i;  // getstatic, putstatic
      table[i & 1023] ^= count;  // getstatic table, iaload, getstatic count, iastore
    }
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000_000;
    long start = System.nanoTime();
    run(n);
    System.out.println("ns=" + (System.nanoTime() - start) + " result=" + (count ^ table[7]));
  }
}
