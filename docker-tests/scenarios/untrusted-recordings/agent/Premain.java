/** A Java agent that does nothing: a recording made with it carries its jar's checksum. */
public final class Premain {
  public static void premain(String args) {}
}
