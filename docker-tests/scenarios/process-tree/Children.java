import java.nio.charset.StandardCharsets;

/**
 * A JVM that starts a shell, a child JVM of the same JDK directly, and a JVM through a shell.
 * Each JVM prints its clock, its pid and the system property x (from JAVA_TOOL_OPTIONS, when the
 * user sets one). The root prints what its children printed, then exits with --exit=N's N.
 */
public class Children {
  public static void main(String[] args) throws Exception {
    String x = System.getProperty("x");
    if (args.length > 0 && !args[0].startsWith("--exit=")) {  // a child JVM: "direct" or "shell"
      System.out.println(args[0] + " JVM: nanoTime " + System.nanoTime() + ", pid " + ProcessHandle.current().pid()
          + ", x=" + x);
      return;
    }
    System.out.println("root JVM: nanoTime " + System.nanoTime() + ", pid " + ProcessHandle.current().pid()
        + ", x=" + x);
    String java = System.getProperty("java.home") + "/bin/java";
    String classPath = System.getProperty("java.class.path");
    run("the shell", new ProcessBuilder("sh", "-c", "echo shell: pid $$, date $(date +%s%N)"));
    run("the direct JVM", new ProcessBuilder(java, "-cp", classPath, "Children", "direct"));
    // Not the shell's last command, so that the shell forks the JVM and stays in between.
    run("the JVM through sh", new ProcessBuilder("sh", "-c", "\"$0\" -cp \"$1\" Children shell; echo shell: done",
        java, classPath));
    if (args.length > 0) System.exit(Integer.parseInt(args[0].substring("--exit=".length())));
  }

  private static void run(String what, ProcessBuilder builder) throws Exception {
    Process process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.print(out);
    System.out.println(what + " exited " + process.waitFor());
  }
}
