/**
 * Prints what a replay elsewhere must still see as recorded: a clock reading (differs between
 * plain runs), the class path, the working directory, where its own class came from, and a line
 * from a class in a jar on the class path.
 */
public final class Main {
  public static void main(String[] args) {
    long now = System.nanoTime();
    System.out.println(greeter.Greeter.greet(now));
    System.out.println("class path " + System.getProperty("java.class.path"));
    System.out.println("user.dir " + System.getProperty("user.dir"));
    System.out.println("loaded from " + Main.class.getResource("Main.class"));
    System.out.println("data file " + new java.io.File("input.txt").getAbsolutePath());
  }
}
