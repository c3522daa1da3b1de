import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the clocks, a file and the environment in a fixed order, printing as it goes. */
public final class Ticker {
  public static void main(String[] args) throws Exception {
    long sum = 0;
    for (int round = 0; round < 6; round++) {
      for (int i = 0; i < 50_000; i++) sum += System.nanoTime() & 0xff;
      System.out.println("round " + round + " at " + System.currentTimeMillis() + " sum " + sum);
    }
    System.out.println("hostname file exists: " + Files.exists(Path.of("/etc/hostname")));
    System.out.println("HOME=" + System.getenv("HOME"));
  }
}
