import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Says whether the secrets it is given are set, and their lengths and hashes, through every way a
 * program reads them: System.getenv(name), the getenv() map, System.getProperty, the Properties
 * object; then reads a file (args[0]) and starts a child JVM (which inherits the environment and
 * gets -Dpassword from its parent's property). The hashes make a replay that saw other values
 * print other lines.
 */
public class Secrets {
  static String show(String value) throws Exception {
    if (value == null) {
      return "unset";
    }
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    return "set, " + value.length() + " chars, sha256 " + HexFormat.of().formatHex(digest).substring(0, 16);
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("child")) {
      System.out.println("child AWS_SECRET_ACCESS_KEY " + show(System.getenv("AWS_SECRET_ACCESS_KEY")));
      System.out.println("child password " + show(System.getProperty("password")));
      return;
    }
    System.out.println("getenv AWS_SECRET_ACCESS_KEY " + show(System.getenv("AWS_SECRET_ACCESS_KEY")));
    System.out.println("getenv() map AWS_SECRET_ACCESS_KEY " + show(System.getenv().get("AWS_SECRET_ACCESS_KEY")));
    System.out.println("getenv SCENARIO_PLAIN " + show(System.getenv("SCENARIO_PLAIN")));
    System.out.println("getProperty password " + show(System.getProperty("password")));
    System.out.println("getProperties password " + show(System.getProperties().getProperty("password")));
    System.out.println("getProperty scenario.plain " + show(System.getProperty("scenario.plain")));
    byte[] file = Files.readAllBytes(Path.of(args[0]));
    System.out.println("file " + file.length + " bytes, sha256 "
        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)).substring(0, 16));

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Dpassword=" + System.getProperty("password"), "-cp",
        System.getProperty("java.class.path"), "Secrets", "child").redirectErrorStream(true).start();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (InputStream in = child.getInputStream()) {
      in.transferTo(output);
    }
    System.out.print(output.toString(StandardCharsets.UTF_8));
    System.out.println("child exit " + child.waitFor());
  }
}
