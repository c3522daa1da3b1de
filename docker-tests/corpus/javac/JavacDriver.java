package corpus;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The JDK's own compiler, in this JVM, through javax.tools: the driver writes a small project of
 * generated sources (records, sealed interfaces, generics, lambdas, switch on strings) into src/,
 * javac compiles it into out/ (reading the JDK's modules image, writing class files), and the
 * driver prints what javac said, the class files and their sizes, and the time it took.
 */
public final class JavacDriver {
  public static void main(String[] args) throws IOException {
    Path src = Path.of("src/gen");
    Files.createDirectories(src);
    List<String> files = new ArrayList<>();
    int classes = 20;
    for (int i = 0; i < classes; i++) {
      Path file = src.resolve("Part" + i + ".java");
      Files.writeString(file, part(i, classes));
      files.add(file.toString());
    }
    long start = System.nanoTime();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream messages = new ByteArrayOutputStream();
    List<String> options = new ArrayList<>(List.of("--release", "17", "-Xlint:all", "-d", "out", "-g"));
    options.addAll(files);
    int status = javac.run(null, messages, messages, options.toArray(new String[0]));
    long elapsed = (System.nanoTime() - start) / 1_000_000;
    System.out.print(messages.toString());
    System.out.println("javac exit " + status);
    long total = 0;
    int count = 0;
    try (Stream<Path> out = Files.walk(Path.of("out"))) {
      for (Path p : (Iterable<Path>) out.filter(Files::isRegularFile).sorted()::iterator) {
        total += Files.size(p);
        count++;
      }
    }
    System.out.println(count + " class files, " + total + " bytes");
    System.out.println("javac took ms " + elapsed);
    System.exit(status);
  }

  static String part(int i, int classes) {
    int next = (i + 1) % classes;
    return "package gen;\n"
        + "import java.util.*;\nimport java.util.function.*;\nimport java.util.stream.*;\n"
        + "public final class Part" + i + " {\n"
        + "  sealed interface Shape permits Circle, Square {}\n"
        + "  record Circle(double r) implements Shape {}\n"
        + "  record Square(double side) implements Shape {}\n"
        + "  static double area(Shape s) {\n"
        + "    if (s instanceof Circle c) return Math.PI * c.r() * c.r();\n"
        + "    if (s instanceof Square q) return q.side() * q.side();\n"
        + "    throw new IllegalStateException();\n  }\n"
        + "  static <T extends Comparable<? super T>> List<T> sorted" + i + "(Collection<T> in) {\n"
        + "    return in.stream().sorted().collect(Collectors.toList());\n  }\n"
        + "  static String name(String kind) {\n"
        + "    return switch (kind) { case \"a\" -> \"alpha\"; case \"b\" -> \"beta\"; default -> kind + " + i + "; };\n"
        + "  }\n"
        + "  public static Map<String, List<Integer>> group(int n) {\n"
        + "    Function<Integer, String> key = x -> name(x % 3 == 0 ? \"a\" : x % 3 == 1 ? \"b\" : \"c\");\n"
        + "    return IntStream.range(0, n).boxed().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.toList()));\n"
        + "  }\n"
        + "  public static double run() {\n"
        + "    List<Shape> shapes = new ArrayList<>();\n"
        + "    for (int k = 0; k < " + (i + 3) + "; k++) shapes.add(k % 2 == 0 ? new Circle(k) : new Square(k));\n"
        + "    return shapes.stream().mapToDouble(Part" + i + "::area).sum() + sorted" + i + "(List.of(3, 1, 2)).get(0)"
        + (next == 0 ? "" : " + Part" + next + ".group(" + i + ").size()") + ";\n"
        + "  }\n}\n";
  }
}
