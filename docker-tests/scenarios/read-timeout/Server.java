import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A local server on a free loopback port (printed on the first line). Each connection sends one
 * line: to "silence" it never answers; to "reset" it resets the connection (SO_LINGER 0, so the
 * close sends RST); to anything else it answers after args[0] ms with the line and its clock, so
 * every answer differs.
 */
public final class Server {
  public static void main(String[] args) throws Exception {
    long delayMs = Long.parseLong(args[0]);
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    System.out.println(server.getLocalPort());
    System.out.flush();
    while (true) {
      Socket s = server.accept();
      new Thread(() -> serve(s, delayMs)).start();
    }
  }

  private static void serve(Socket s, long delayMs) {
    try (s) {
      String line = new BufferedReader(new InputStreamReader(s.getInputStream())).readLine();
      if ("reset".equals(line)) {
        s.setSoLinger(true, 0);
        return;
      }
      if (line == null || line.equals("silence")) {
        s.getInputStream().read(); // holds the connection open until the client closes it
        return;
      }
      Thread.sleep(delayMs);
      OutputStream out = s.getOutputStream();
      out.write((line + " answered at " + System.nanoTime() + "\n").getBytes());
    } catch (Exception e) {
      // a client that went away is no concern of the server
    }
  }
}
