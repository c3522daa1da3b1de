import java.util.Arrays;

/**
 * Benchmark: CPU-bound Java with no boundary call inside the timed region.
 *
 * <p>ROUNDS rounds of integer and array work: fill an array from a linear congruential generator
 * and sort it (Arrays.sort), a sieve of Eratosthenes, and a small integer matrix product. Each
 * kernel is its own method, called once per round, so the JIT compiles it as a whole method
 * (not only on-stack replacement of one long loop), as it would in a service. No allocation
 * inside a round, no I/O, no clock reads except at the start and end of the whole run; JIT
 * warm-up is part of the timed region, as it is part of a real run. Prints
 * {@code rounds=N ns=T checksum=C}; the checksum is the same on every run, recorded or not.
 *
 * <p>Usage: {@code CpuBound ROUNDS [cpu]}; with {@code cpu} it also prints the CPU time of the
 * timed region ({@link CpuClock}).
 */
public class CpuBound {
  static final int N = 96;

  public static void main(String[] args) {
    int rounds = Integer.parseInt(args[0]);
    CpuClock cpu = new CpuClock(args.length > 1 && args[1].equals("cpu"));
    int[] data = new int[200_000];
    boolean[] composite = new boolean[2_000_000];
    int[] a = new int[N * N];
    int[] b = new int[N * N];
    int[] c = new int[N * N];
    long checksum = 0;
    long seed = 42;
    cpu.start();
    long start = System.nanoTime();
    for (int round = 0; round < rounds; round++) {
      seed = fillAndSort(data, seed);
      checksum = checksum * 31 + data[data.length / 2];
      checksum = checksum * 31 + sieve(composite);
      checksum = checksum * 31 + multiply(a, b, c, round);
    }
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    System.out.println("rounds=" + rounds + " ns=" + elapsed + cpuTime + " checksum=" + checksum);
  }

  static long fillAndSort(int[] data, long seed) {
    for (int i = 0; i < data.length; i++) {
      seed = seed * 6364136223846793005L + 1442695040888963407L;
      data[i] = (int) (seed >>> 33);
    }
    Arrays.sort(data);
    return seed;
  }

  static int sieve(boolean[] composite) {
    Arrays.fill(composite, false);
    int primes = 0;
    for (int i = 2; i < composite.length; i++) {
      if (composite[i]) continue;
      primes++;
      for (long j = (long) i * i; j < composite.length; j += i) composite[(int) j] = true;
    }
    return primes;
  }

  static int multiply(int[] a, int[] b, int[] c, int round) {
    for (int i = 0; i < N * N; i++) {
      a[i] = (i * 7 + round) & 0xff;
      b[i] = (i * 13 + round) & 0xff;
    }
    for (int i = 0; i < N; i++) {
      for (int j = 0; j < N; j++) {
        int sum = 0;
        for (int k = 0; k < N; k++) sum += a[i * N + k] * b[k * N + j];
        c[i * N + j] = sum;
      }
    }
    return c[(round * 17) % (N * N)];
  }
}
