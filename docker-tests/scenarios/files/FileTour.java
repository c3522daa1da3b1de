import java.io.BufferedReader;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads, lists, checks, writes, reads back, seeks, deletes, and misses files: java.io and java.nio. */
public final class FileTour {
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    // java.io
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new FileInputStream(dir.resolve("input.txt").toFile()), StandardCharsets.UTF_8))) {
      System.out.println("io read: " + in.readLine());
    }
    String[] names = dir.toFile().list();
    Arrays.sort(names);
    System.out.println("io list: " + String.join(",", names));
    System.out.println("io exists input.txt: " + new File(dir.toFile(), "input.txt").exists());
    System.out.println("io length input.txt: " + new File(dir.toFile(), "input.txt").length());
    System.out.println("io isDirectory: " + dir.toFile().isDirectory());
    File out = new File(dir.toFile(), "written-io.txt");
    try (FileOutputStream os = new FileOutputStream(out)) {
      os.write(("written at " + System.nanoTime() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    try (FileInputStream is = new FileInputStream(out)) {
      System.out.print("io read back: " + new String(is.readAllBytes(), StandardCharsets.UTF_8));
    }
    try (RandomAccessFile raf = new RandomAccessFile(out, "rw")) {
      raf.seek(3);
      System.out.println("raf length " + raf.length() + " byte@3 " + (char) raf.read() + " pointer " + raf.getFilePointer());
    }
    System.out.println("io delete: " + out.delete());
    try {
      new FileInputStream(new File(dir.toFile(), "missing.txt"));
    } catch (FileNotFoundException e) {
      System.out.println("io missing: " + e.getMessage().replace(dir.toString(), "<dir>"));
    }
    // java.nio.file
    System.out.println("nio read: " + Files.readString(dir.resolve("input.txt")).trim());
    try (Stream<Path> entries = Files.list(dir)) {
      System.out.println("nio list: " + entries.map(p -> p.getFileName().toString()).sorted().collect(Collectors.joining(",")));
    }
    System.out.println("nio exists: " + Files.exists(dir.resolve("input.txt")) + " " + Files.exists(dir.resolve("nope")));
    System.out.println("nio size: " + Files.size(dir.resolve("input.txt")));
    System.out.println("nio modified: " + Files.getLastModifiedTime(dir.resolve("input.txt")));
    Path written = dir.resolve("written-nio.txt");
    Files.writeString(written, "nio written " + System.currentTimeMillis() + "\n");
    System.out.print("nio read back: " + Files.readString(written));
    // Files.copy between paths: the copy runs in C between two descriptors (UnixCopyFile, or
    // bufferedCopy0/directCopy0), and replacing an existing target deletes it first.
    Path copy = dir.resolve("copy-nio.txt");
    Files.copy(written, copy);
    Files.copy(written, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    System.out.print("nio copied: " + Files.readString(copy));
    Files.delete(copy);
    Files.delete(written);
    System.out.println("nio deleted: " + !Files.exists(written));
    try {
      Files.readAllBytes(dir.resolve("missing.txt"));
    } catch (NoSuchFileException e) {
      System.out.println("nio missing: " + e.getMessage().replace(dir.toString(), "<dir>"));
    }
  }
}
