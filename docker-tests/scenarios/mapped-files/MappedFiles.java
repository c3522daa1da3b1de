import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

/**
 * Writes a file of random bytes, then reads it through memory mappings: read-only from the start,
 * read-only at a position that is not on a page, private (copy-on-write) and read-write.
 */
public final class MappedFiles {
  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[0]).resolve("data.bin");
    byte[] content = new byte[3 * 4096 + 1234];
    new Random().nextBytes(content);
    Files.write(file, content);

    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      MappedByteBuffer whole = channel.map(MapMode.READ_ONLY, 0, channel.size());
      System.out.println("whole: " + whole.limit() + " bytes, sum " + sum(whole) + ", first long "
          + whole.getLong(0) + ", last byte " + whole.get(whole.limit() - 1));
      System.out.println("whole matches what was written: " + whole.equals(ByteBuffer.wrap(content)));
      MappedByteBuffer odd = channel.map(MapMode.READ_ONLY, 5001, 3000);
      System.out.println("at 5001: " + odd.limit() + " bytes, sum " + sum(odd) + ", int " + odd.getInt(0)
          + ", matches: " + odd.equals(ByteBuffer.wrap(content, 5001, 3000)));
      MappedByteBuffer tail = channel.map(MapMode.READ_ONLY, content.length - 10, 10);
      System.out.println("last 10 bytes: sum " + sum(tail) + ", byte " + tail.get(9));
    }

    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      MappedByteBuffer copy = channel.map(MapMode.PRIVATE, 4096, 100);
      byte before = copy.get(0);
      copy.put(0, (byte) (before + 1));
      System.out.println("private: was " + before + ", now " + copy.get(0) + ", next " + copy.get(1));
      MappedByteBuffer shared = channel.map(MapMode.READ_WRITE, 100, 8);
      long stamp = System.nanoTime();
      shared.putLong(0, stamp);
      shared.force();
      System.out.println("read-write: wrote " + stamp + ", reads " + shared.getLong(0));
    }
    byte[] after = Files.readAllBytes(file);
    System.out.println("the file after: long at 100 " + ByteBuffer.wrap(after, 100, 8).getLong()
        + ", byte at 4096 unchanged: " + (after[4096] == content[4096]));
  }

  private static long sum(ByteBuffer buffer) {
    long sum = 0;
    for (int i = 0; i < buffer.limit(); i++) sum += buffer.get(i) & 0xff;
    return sum;
  }
}
