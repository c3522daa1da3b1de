/** Benchmark: JVM start-up. Prints one line and exits. */
public class Hello {
  public static void main(String[] args) {
    System.out.println("hello");
  }
}
