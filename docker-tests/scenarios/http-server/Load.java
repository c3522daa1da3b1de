import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * A load generator: CONNECTIONS threads, each with one keep-alive HTTP/1.1 connection to the port,
 * sending REQUESTS requests one after another (GETs, every third a POST). The first WARM_UP
 * requests of each connection warm both sides up (JIT) and are not timed; the rest start together.
 * Prints the number of answers, the throughput and the 50th and 99th percentile latencies of the
 * timed requests.
 *
 *   java Load PORT CONNECTIONS REQUESTS_PER_CONNECTION [WARM_UP]
 */
public final class Load {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int connections = Integer.parseInt(args[1]);
    int perConnection = Integer.parseInt(args[2]);
    int warmUp = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int timed = perConnection - warmUp;
    long[] latencies = new long[connections * timed];
    int[] ok = new int[connections];
    List<Thread> threads = new ArrayList<>();
    CyclicBarrier warm = new CyclicBarrier(connections + 1);
    for (int c = 0; c < connections; c++) {
      int id = c;
      Thread t = new Thread(() -> {
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setTcpNoDelay(true);
          OutputStream out = s.getOutputStream();
          InputStream in = new BufferedInputStream(s.getInputStream());
          for (int r = 0; r < perConnection; r++) {
            if (r == warmUp) warm.await();
            String path = "/c" + id + "/r" + r;
            String request = r % 3 == 2
                ? "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"
                : "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
            long sent = System.nanoTime();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            boolean answered = readResponse(in).startsWith("HTTP/1.1 200");
            if (r < warmUp) continue;
            if (answered) ok[id]++;
            latencies[id * timed + r - warmUp] = System.nanoTime() - sent;
          }
        } catch (IOException | InterruptedException | BrokenBarrierException e) {
          System.err.println("connection " + id + ": " + e);
          warm.reset();
        }
      });
      threads.add(t);
      t.start();
    }
    warm.await();
    long start = System.nanoTime();
    for (Thread t : threads) t.join();
    double seconds = (System.nanoTime() - start) / 1e9;
    int answers = Arrays.stream(ok).sum();
    Arrays.sort(latencies);
    System.out.printf("answers %d of %d%n", answers, latencies.length);
    System.out.printf("throughput %.0f requests/s%n", answers / seconds);
    System.out.printf("p50 %.3f ms%n", latencies[latencies.length / 2] / 1e6);
    System.out.printf("p99 %.3f ms%n", latencies[(int) (latencies.length * 0.99)] / 1e6);
    System.exit(answers == latencies.length ? 0 : 1);
  }

  /** Reads one response with a Content-Length body; returns its status line. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("the server closed the connection");
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
    }
    in.readNBytes(length);
    return headers;
  }
}
