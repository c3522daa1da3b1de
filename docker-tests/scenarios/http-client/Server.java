import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server on a free loopback port (printed on the first line) whose every answer
 * differs: a request counter and the server's clock.
 */
public final class Server {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger requests = new AtomicInteger();
    server.createContext("/", exchange -> {
      byte[] in = exchange.getRequestBody().readAllBytes();
      byte[] body = ("request " + requests.incrementAndGet() + " at " + System.nanoTime() + " "
          + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " body=" + new String(in) + "\n").getBytes();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    System.out.println(server.getAddress().getPort());
    System.out.flush();
  }
}
