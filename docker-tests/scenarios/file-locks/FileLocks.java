import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * File locks on two different files, held at once, as an embedded database holds its data and log
 * files: the JDK keeps every lock of the JVM in one table keyed by the file's device and inode
 * (sun.nio.ch.FileKey), so locks on two files must not collide. A second lock on a file already
 * locked through another channel must. Where the locks start is drawn at random, so plain runs
 * differ.
 */
public final class FileLocks {
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    long start = ThreadLocalRandom.current().nextLong(1_000_000);
    try (FileChannel data = FileChannel.open(dir.resolve("data.db"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel log = FileChannel.open(dir.resolve("log.db"), StandardOpenOption.READ, StandardOpenOption.WRITE);
        RandomAccessFile again = new RandomAccessFile(dir.resolve("data.db").toFile(), "rw")) {
      FileLock dataLock = data.tryLock(start, 100, false);
      System.out.println("data.db locked: " + describe(dataLock));
      FileLock logLock = log.lock(start, 100, false);
      System.out.println("log.db locked: " + describe(logLock));
      try {
        again.getChannel().tryLock(start + 50, 100, false);
        System.out.println("data.db locked twice: wrong");
      } catch (OverlappingFileLockException e) {
        System.out.println("data.db through another channel: overlapping, as it should");
      }
      FileLock beside = again.getChannel().tryLock(start + 100, 10, true);
      System.out.println("data.db beside the first lock: " + describe(beside));
      beside.release();
      logLock.release();
      dataLock.release();
      System.out.println("released: " + !dataLock.isValid() + " " + !logLock.isValid());
    }
  }

  private static String describe(FileLock lock) {
    return lock == null ? "null" : lock.position() + "+" + lock.size() + (lock.isShared() ? " shared" : " exclusive");
  }
}
