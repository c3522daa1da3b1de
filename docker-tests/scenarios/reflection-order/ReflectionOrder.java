import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * HotSpot keeps a class's methods sorted by the addresses of their names in memory, which differ
 * from run to run. Class.getDeclaredMethods returns them in that order, and resolves the types in
 * their signatures through the class's loader in that order. Prints both orders, as a loader that
 * notes what it is asked for sees them.
 */
public class ReflectionOrder {
  static final List<String> asked = new ArrayList<>();

  static class NotingLoader extends URLClassLoader {
    NotingLoader(URL[] urls) {
      super(urls, ReflectionOrder.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("reflected.")) asked.add(name);
      return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (!name.startsWith("reflected.")) throw new ClassNotFoundException(name);
      return super.findClass(name);
    }
  }

  public static void main(String[] args) throws Exception {
    File dir = new File(args[0]);
    try (NotingLoader loader = new NotingLoader(new URL[] {dir.toURI().toURL()})) {
      Class<?> host = Class.forName("reflected.Host", false, loader);
      StringBuilder out = new StringBuilder("methods:");
      for (Method m : host.getDeclaredMethods()) out.append(' ').append(m.getName());
      out.append("\nconstructors:");
      for (Constructor<?> c : host.getDeclaredConstructors()) out.append(' ').append(c.getParameterCount());
      out.append("\nloader asked for: ").append(String.join(" ", asked));
      System.out.println(out);
    }
  }
}
