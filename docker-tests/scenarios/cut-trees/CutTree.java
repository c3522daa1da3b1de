import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;

/**
 * A small tree of JVMs: `CutTree root` starts two `CutTree leaf` JVMs at once from two threads,
 * then `CutTree mid`, which starts one more leaf. Each JVM prints its nanoTime; a parent prints its
 * children's output, indented, in a fixed order, and waits for each (Process.waitFor: a monitor
 * wait on JDK 17, a park on JDK 25).
 */
public final class CutTree {
  public static void main(String[] args) throws Exception {
    String what = args[0];
    System.out.println(what + ": nanoTime " + System.nanoTime());
    if (what.equals("root")) {
      String[] outputs = new String[2];
      Thread[] starters = new Thread[2];
      for (int i = 0; i < 2; i++) {
        int n = i;
        starters[i] = new Thread(() -> outputs[n] = run("leaf"));
        starters[i].start();
      }
      for (Thread t : starters) t.join();
      for (String out : outputs) System.out.print(out);
      System.out.print(run("mid"));
    } else if (what.equals("mid")) {
      System.out.print(run("leaf"));
    }
  }

  /** Runs `CutTree what` in a child JVM; returns its output, indented. */
  static String run(String what) {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    try {
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "CutTree", what).start();
      String out = new String(p.getInputStream().readAllBytes());
      int status = p.waitFor();
      return out.indent(2) + (status == 0 ? "" : "  exit " + status + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
