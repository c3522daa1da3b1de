import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;

/** Reads stdin to the end and reports what it read. */
public final class EchoStdin {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    int lines = 0;
    long sum = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lines++;
      sum += line.chars().sum();
      System.out.println("line " + lines + ": " + line);
    }
    System.out.println(lines + " lines, checksum " + sum + ", read at " + System.nanoTime());
  }
}
