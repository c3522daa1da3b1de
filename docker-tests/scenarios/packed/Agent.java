package agent;

/** A -javaagent of the user's (such as a coverage agent): its jar is code the pack must hold. */
public final class Agent {
  public static void premain(String options) {
    System.out.println("the java agent says " + options);
  }
}
