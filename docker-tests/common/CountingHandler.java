import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test servers' answer: every one differs, with a request counter and the server's clock, and
 * echoes the method, the URI and the request body.
 */
public final class CountingHandler implements HttpHandler {
  private final AtomicInteger requests = new AtomicInteger();

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    byte[] in = exchange.getRequestBody().readAllBytes();
    byte[] body = ("request " + requests.incrementAndGet() + " at " + System.nanoTime() + " "
        + exchange.getRequestMethod() + " " + exchange.getRequestURI() + " body=" + new String(in) + "\n").getBytes();
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
