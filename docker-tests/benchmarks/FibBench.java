/**
 * Benchmark: a program made only of tiny calls, the worst case for method-entry ticks (--preempt).
 * Prints {@code ns=T result=R} for fib(N) (default 38: 126 million calls), timed with nanoTime.
 */
public class FibBench {
  static int fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 38;
    long start = System.nanoTime();
    int result = fib(n);
    System.out.println("ns=" + (System.nanoTime() - start) + " result=" + result);
  }
}
