import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URL;

/**
 * Talks to Server: two HttpURLConnection GETs and a POST, a raw Socket speaking HTTP/1.0, and a
 * connection refused by a port nobody listens on. Prints what came back. The POST's body is the
 * second argument (default "hello").
 */
public final class Client {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String postBody = args.length > 1 ? args[1] : "hello";
    for (int i = 0; i < 3; i++) {
      HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/get" + i).openConnection();
      if (i == 2) {
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.getOutputStream().write(postBody.getBytes());
      }
      System.out.println(c.getResponseCode() + " " + new String(c.getInputStream().readAllBytes()).trim());
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream().write("GET /raw HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes());
      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream()));
      System.out.println("raw: " + r.readLine() + ", from local port " + s.getLocalPort());
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("request")) System.out.println("raw body: " + line);
      }
    }
    try {
      new Socket("127.0.0.1", 1).close();
      System.out.println("port 1 accepted a connection");
    } catch (IOException e) {
      System.out.println("refused: " + e.getMessage());
    }
  }
}
