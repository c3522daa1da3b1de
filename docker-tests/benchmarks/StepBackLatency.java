/**
 * Benchmark: going back in a long recording (docker-tests/benchmarks/step-back-latency).
 *
 * <p>Calls {@code System.nanoTime()} CALLS times, each call a recorded event, and calls {@link
 * #marker} right after the calls numbered MARK... (counted from 1): the line in {@code marker} is
 * where the driver puts its breakpoint, with the condition {@code call == MARK}.
 *
 * <p>Usage: {@code StepBackLatency CALLS MARK...}
 */
public class StepBackLatency {
  public static void main(String[] args) {
    long calls = Long.parseLong(args[0]);
    long[] marks = new long[args.length - 1];
    for (int k = 1; k < args.length; k++) marks[k - 1] = Long.parseLong(args[k]);
    long sum = 0;
    int next = 0;
    for (long call = 1; call <= calls; call++) {
      sum += System.nanoTime();
      if (next < marks.length && call == marks[next]) next = marker(call, sum, next);
    }
    System.out.println("calls=" + calls + " sum=" + (sum & 0xffff));
  }

  static int marker(long call, long sum, int next) {
    System.out.println("mark call=" + call + " sum=" + (sum & 0xffff)); // breakpoint line
    return next + 1;
  }
}
