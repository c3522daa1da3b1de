/** Prints a clock reading, which differs between plain runs. */
public final class Clock {
  public static void main(String[] args) {
    System.out.println("now " + System.nanoTime());
  }
}
