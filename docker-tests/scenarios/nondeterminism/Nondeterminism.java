import java.io.File;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Prints every kind of nondeterminism a single-threaded program meets. */
public final class Nondeterminism {
  public static void main(String[] args) throws Exception {
    System.out.println("currentTimeMillis " + System.currentTimeMillis());
    System.out.println("nanoTime " + System.nanoTime());
    System.out.println("Instant.now " + Instant.now());
    System.out.println("LocalDateTime.now " + LocalDateTime.now());
    // A hot loop: C2 compiles it, and System.nanoTime is an intrinsic there.
    long hash = 0;
    for (int i = 0; i < 5_000_000; i++) {
      hash = hash * 31 + System.nanoTime();
    }
    System.out.println("nanoTime loop hash " + hash);
    System.out.println("Random " + new Random().nextLong());
    System.out.println("ThreadLocalRandom " + ThreadLocalRandom.current().nextLong());
    System.out.println("SplittableRandom " + new SplittableRandom().nextLong());
    System.out.println("Math.random " + Math.random());
    System.out.println("UUID " + UUID.randomUUID());
    byte[] secure = new byte[16];
    new SecureRandom().nextBytes(secure);
    System.out.println("SecureRandom " + HexFormat.of().formatHex(secure));
    Set<String> set = Set.of("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango");
    System.out.println("Set.of order " + String.join(",", set));
    System.out.println("env RETRACE_SCENARIO_MARK " + System.getenv("RETRACE_SCENARIO_MARK"));
    System.out.println("user.name " + System.getProperty("user.name"));
    File temp = File.createTempFile("retrace-scenario", ".tmp");
    System.out.println("temp file " + temp.getName());
    System.out.println("temp file deleted " + temp.delete());
  }
}
