package greeter;

/** Lives in its own jar, on the class path beside the program's classes. */
public final class Greeter {
  public static String greet(long now) {
    return "hello at " + now;
  }
}
