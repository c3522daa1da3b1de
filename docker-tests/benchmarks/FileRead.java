import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Benchmark: small-file reads, each a handful of boundary calls (open, size/stat, read, close).
 *
 * <p>Writes a 1 KiB file into DIR, then reads it whole ITERATIONS times, either with a
 * {@code FileInputStream} (open, read into a 4 KiB array until end of file, close) or with
 * {@code Files.readAllBytes}. A warm-up of ITERATIONS/5 reads comes first so the loop is compiled.
 * The timed loop is measured with two nanoTime reads. Prints {@code iterations=N ns=T}.
 *
 * <p>Usage: {@code FileRead fis|nio ITERATIONS DIR [cpu]}; with {@code cpu} it also prints the CPU
 * time of the timed loop ({@link CpuClock}).
 */
public class FileRead {
  public static void main(String[] args) throws IOException {
    String mode = args[0];
    int iterations = Integer.parseInt(args[1]);
    Path file = Path.of(args[2], "input-1k.bin");
    CpuClock cpu = new CpuClock(args.length > 3 && args[3].equals("cpu"));
    byte[] content = new byte[1024];
    for (int i = 0; i < content.length; i++) content[i] = (byte) (i * 31 + 7);
    Files.write(file, content);
    boolean fis = mode.equals("fis");
    long sink = fis ? viaStream(file.toString(), iterations / 5) : viaFiles(file, iterations / 5);
    cpu.start();
    long start = System.nanoTime();
    sink += fis ? viaStream(file.toString(), iterations) : viaFiles(file, iterations);
    long elapsed = System.nanoTime() - start;
    String cpuTime = cpu.stop();
    if (sink != 1024L * (iterations + iterations / 5)) throw new AssertionError("read " + sink + " bytes");
    System.out.println("mode=" + mode + " iterations=" + iterations + " ns=" + elapsed + cpuTime);
  }

  static long viaStream(String path, int n) throws IOException {
    byte[] buffer = new byte[4096];
    long total = 0;
    for (int i = 0; i < n; i++) {
      try (InputStream in = new FileInputStream(path)) {
        int read;
        while ((read = in.read(buffer)) > 0) total += read;
      }
    }
    return total;
  }

  static long viaFiles(Path path, int n) throws IOException {
    long total = 0;
    for (int i = 0; i < n; i++) total += Files.readAllBytes(path).length;
    return total;
  }
}
