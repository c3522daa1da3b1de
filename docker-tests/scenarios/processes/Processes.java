import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Starts processes and reports what it saw of them: a shell printing its clock and its pid and
 * exiting 3, a child JVM printing its nanoTime, a sleep that is destroyed, a program that does not
 * exist; and its own pid, as ProcessHandle and RuntimeMXBean give it, and its parent's. What
 * ProcessHandle.Info says of the running sleep, of the sleep and the shell once they are gone, and
 * of this JVM (its arguments, start time and CPU time).
 */
public final class Processes {
  public static void main(String[] args) throws Exception {
    Process sh = new ProcessBuilder("sh", "-c", "date +%s%N; echo $$; exit 3").start();
    String out = new String(sh.getInputStream().readAllBytes()).replace('\n', ' ');
    System.out.println("sh printed " + out + "and exited " + sh.waitFor() + "; its pid " + sh.pid());

    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "Processes$Child")
        .redirectErrorStream(true).start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
      System.out.println("the child JVM said: " + r.readLine());
    }
    System.out.println("the child JVM exited " + child.waitFor());

    Process sleeper = new ProcessBuilder("sleep", "30").start();
    System.out.println("sleep is alive: " + sleeper.isAlive());
    System.out.println("sleep's info: " + describe(sleeper.info()));
    sleeper.destroy();
    System.out.println("sleep ended in time: " + sleeper.waitFor(10, TimeUnit.SECONDS) + ", exit " + sleeper.exitValue());
    System.out.println("sleep's info once it is gone: " + describe(sleeper.info()));
    System.out.println("sh's info once it is gone: " + describe(sh.info()));

    try {
      new ProcessBuilder("retrace-no-such-program").start();
    } catch (IOException e) {
      System.out.println("a missing program: " + e.getMessage());
    }
    ProcessHandle me = ProcessHandle.current();
    System.out.println("my pid " + me.pid() + ", my parent " + me.parent().map(ProcessHandle::pid).orElse(-1L) + ", "
        + ManagementFactory.getRuntimeMXBean().getName().replaceAll("@.*", "@host"));
    System.out.println("my info: " + describe(me.info()));
  }

  /** What ProcessHandle.Info reports, "-" for what it does not know. */
  static String describe(ProcessHandle.Info info) {
    return "command " + info.command().orElse("-") + ", arguments "
        + info.arguments().map(Arrays::toString).orElse("-") + ", started "
        + info.startInstant().map(Instant::toString).orElse("-") + ", cpu "
        + info.totalCpuDuration().map(Duration::toString).orElse("-") + ", user " + info.user().orElse("-");
  }

  public static final class Child {
    public static void main(String[] args) {
      System.out.println("nanoTime " + System.nanoTime());
    }
  }
}
