import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * A tree of JVMs: `Tree root` starts four `Tree leaf` JVMs at once from four threads, then a chain
 * `Tree 2` -> `Tree 1` -> `Tree leaf` (three levels below it). Every JVM prints its nanoTime; a
 * parent prints each child's output, indented, in a fixed order.
 */
public final class Tree {
  public static void main(String[] args) throws Exception {
    String what = args[0];
    System.out.println(what + ": nanoTime " + System.nanoTime());
    if (what.equals("leaf")) return;
    if (what.equals("root")) {
      String[] outputs = new String[4];
      List<Thread> starters = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        int n = i;
        Thread t = new Thread(() -> outputs[n] = run("leaf"));
        starters.add(t);
        t.start();
      }
      for (Thread t : starters) t.join();
      for (String out : outputs) System.out.print(out);
      System.out.print(run("2"));
    } else {
      int level = Integer.parseInt(what);
      System.out.print(run(level == 1 ? "leaf" : String.valueOf(level - 1)));
    }
  }

  /** Runs `Tree what` in a child JVM; returns its output, indented. */
  static String run(String what) {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    try {
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "Tree", what).start();
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
