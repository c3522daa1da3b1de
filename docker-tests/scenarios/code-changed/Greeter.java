/** Version 1 of a program that will be changed after it was recorded. */
public final class Greeter {
  public static void main(String[] args) {
    System.out.println("hello at " + System.currentTimeMillis());
  }
}
