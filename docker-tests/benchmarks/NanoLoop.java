/**
 * Benchmark: the cost of one boundary call from JIT-compiled code.
 *
 * <p>Calls {@code System.nanoTime()} in a tight loop: a warm-up (so the loop is C2-compiled, both
 * on-stack and as a normal method), then a timed loop of CALLS calls. The loop is timed with
 * nanoTime itself (two reads); while recorded those reads return the real clock, so the figure is
 * honest. Prints {@code calls=N ns=T}.
 *
 * <p>Usage: {@code NanoLoop CALLS WARMUP_CALLS [cpu]}; with {@code cpu} it also prints the CPU time
 * of the timed loop ({@link CpuClock}).
 */
public class NanoLoop {
  public static void main(String[] args) {
    long calls = Long.parseLong(args[0]);
    long warmup = Long.parseLong(args[1]);
    CpuClock cpu = new CpuClock(args.length > 2 && args[2].equals("cpu"));
    long sink = 0;
    for (int round = 0; round < 20; round++) sink += loop(warmup / 20);
    cpu.start();
    long start = System.nanoTime();
    sink += loop(calls);
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("calls=" + calls + " ns=" + elapsed + cpuTime + " sink=" + (sink & 1));
  }

  static long loop(long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) sum += System.nanoTime();
    return sum;
  }
}
