import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server with a pool of four handler threads, on a free loopback port (printed first). It
 * logs one line per request, in the order it handles them, answers with a counter and its clock,
 * and stops after the number of requests given as its argument.
 */
public final class LogServer {
  public static void main(String[] args) throws Exception {
    int expected = Integer.parseInt(args[0]);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    server.setExecutor(pool);
    AtomicInteger count = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(expected);
    server.createContext("/", exchange -> {
      byte[] in = exchange.getRequestBody().readAllBytes();
      long now = System.nanoTime();
      int n;
      synchronized (LogServer.class) {
        n = count.incrementAndGet();
        System.out.println("request " + n + " " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
            + " from port " + exchange.getRemoteAddress().getPort() + " on " + Thread.currentThread().getName()
            + " body=" + new String(in) + " at " + now);
      }
      byte[] body = ("answer " + n + " at " + now + "\n").getBytes();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
      done.countDown();
    });
    server.start();
    System.out.println("listening on port " + server.getAddress().getPort());
    System.out.flush();
    done.await();
    server.stop(0);
    pool.shutdown();
    System.out.println("served " + count.get() + " requests");
  }
}
