/** Prints what differs from run to run: the clock and a random number. */
public final class Clock {
  public static void main(String[] args) {
    System.out.println("nanoTime " + System.nanoTime() + " random " + new java.util.Random().nextLong());
  }
}
