import java.lang.reflect.Method;

/**
 * Starts one virtual thread (JDK 21 and later; through reflection, so that it compiles for 17). On
 * a JDK without virtual threads it says so and exits 3.
 */
public final class Virtual {
  public static void main(String[] args) throws Exception {
    Method ofVirtual;
    try {
      ofVirtual = Thread.class.getMethod("ofVirtual");
    } catch (NoSuchMethodException e) {
      System.out.println("no virtual threads on this JDK");
      System.exit(3);
      return;
    }
    System.out.println("starting a virtual thread");
    Object builder = ofVirtual.invoke(null);
    Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
    Thread t = (Thread) start.invoke(builder, (Runnable) () -> System.out.println("in the virtual thread"));
    t.join();
    System.out.println("done");
  }
}
