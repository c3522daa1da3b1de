import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Asks Server (port args[0]) for silence with a 300 ms read timeout and prints the timeout: its
 * class, message and how long the read waited (to the nearest 100 ms). Then asks for a reset and
 * prints the exception, and asks for an answer on a third connection, within its timeout.
 */
public final class Client {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(300);
      s.getOutputStream().write("silence\n".getBytes());
      long start = System.nanoTime();
      try {
        System.out.println("read " + s.getInputStream().read() + ": the server answered");
      } catch (SocketTimeoutException e) {
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println(e.getClass().getName() + ": " + e.getMessage() + " after " + Math.round(waitedMs / 100.0) * 100 + " ms");
      }
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write("reset\n".getBytes());
      System.out.println("read " + s.getInputStream().read() + " after the reset");
    } catch (SocketException e) {
      System.out.println(e.getClass().getName() + ": " + e.getMessage());
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write("hello\n".getBytes());
      System.out.println(new BufferedReader(new InputStreamReader(s.getInputStream())).readLine());
    }
  }
}
