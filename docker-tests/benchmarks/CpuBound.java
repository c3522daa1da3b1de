/**
 * Benchmark: CPU-bound Java with no boundary call inside the timed region.
 *
 * <p>ROUNDS rounds of integer and array work: fill an array from a linear congruential generator,
 * sort it (Arrays.sort, pure Java), a sieve of Eratosthenes, and a small integer matrix product.
 * No allocation inside a round beyond reused arrays, no I/O, no clock reads except at the start and
 * end of the whole run. Prints {@code rounds=N ns=T checksum=C}; the checksum is the same on every
 * run, recorded or not.
 *
 * <p>Usage: {@code CpuBound ROUNDS [cpu]}; with {@code cpu} it also prints the CPU time of the
 * timed region ({@link CpuClock}).
 */
public class CpuBound {
  public static void main(String[] args) {
    int rounds = Integer.parseInt(args[0]);
    CpuClock cpu = new CpuClock(args.length > 1 && args[1].equals("cpu"));
    int[] data = new int[200_000];
    boolean[] composite = new boolean[2_000_000];
    int n = 96;
    int[] a = new int[n * n];
    int[] b = new int[n * n];
    int[] c = new int[n * n];
    long checksum = 0;
    cpu.start();
    long start = System.nanoTime();
    long seed = 42;
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < data.length; i++) {
        seed = seed * 6364136223846793005L + 1442695040888963407L;
        data[i] = (int) (seed >>> 33);
      }
      java.util.Arrays.sort(data);
      checksum = checksum * 31 + data[data.length / 2];
      java.util.Arrays.fill(composite, false);
      int primes = 0;
      for (int i = 2; i < composite.length; i++) {
        if (composite[i]) continue;
        primes++;
        for (long j = (long) i * i; j < composite.length; j += i) composite[(int) j] = true;
      }
      checksum = checksum * 31 + primes;
      for (int i = 0; i < n * n; i++) {
        a[i] = (i * 7 + round) & 0xff;
        b[i] = (i * 13 + round) & 0xff;
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          int sum = 0;
          for (int k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
          c[i * n + j] = sum;
        }
      }
      checksum = checksum * 31 + c[(round * 17) % (n * n)];
    }
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("rounds=" + rounds + " ns=" + elapsed + cpuTime + " checksum=" + checksum);
  }
}
