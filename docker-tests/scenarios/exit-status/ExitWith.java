/** Exits the way its argument says, after reading the clock: 0, a status, or an uncaught exception. */
public final class ExitWith {
  public static void main(String[] args) {
    long now = System.nanoTime();
    System.out.println("started at " + now);
    switch (args[0]) {
      case "throw" -> throw new IllegalStateException("failed at " + now);
      case "0" -> System.out.println("done");
      default -> System.exit(Integer.parseInt(args[0]));
    }
  }
}
