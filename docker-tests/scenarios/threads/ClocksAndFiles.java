import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Three threads read the clock and small files at the same time, each with another file API, and
 * print what they read, tagged with the thread, as they go: the order of the lines and the times in
 * them depend on the interleaving. The files are in the directory given as the argument.
 */
public final class ClocksAndFiles {
  static final String[] FILES = {"alpha.txt", "bravo.txt", "charlie.txt"};

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long t0 = System.nanoTime();
    Thread[] readers = new Thread[3];
    for (int k = 0; k < readers.length; k++) {
      int id = k;
      readers[k] = new Thread(() -> {
        try {
          for (int i = 0; i < 12; i++) {
            String name = FILES[(i + id) % FILES.length];
            String text = read(id, dir.resolve(name));
            long at = (System.nanoTime() - t0) / 1000;
            System.out.println("reader-" + id + " #" + i + " " + name + " \"" + text.strip().replace("\n", " / ") + "\" at +" + at + " us"
                + (i % 4 == 3 ? " millis " + System.currentTimeMillis() % 100_000 : ""));
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, "reader-" + k);
    }
    for (Thread t : readers) t.start();
    System.out.println("main started the readers at +" + (System.nanoTime() - t0) / 1000 + " us");
    for (Thread t : readers) t.join();
    System.out.println("main joined the readers at +" + (System.nanoTime() - t0) / 1000 + " us");
  }

  /** Reader 0 uses FileInputStream, reader 1 Files.readAllBytes, reader 2 a BufferedReader. */
  static String read(int reader, Path file) throws IOException {
    switch (reader) {
      case 0:
        try (FileInputStream in = new FileInputStream(file.toFile())) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      case 1:
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      default:
        try (BufferedReader in = Files.newBufferedReader(file)) {
          return in.readLine();
        }
    }
  }
}
