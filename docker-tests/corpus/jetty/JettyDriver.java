package corpus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An embedded Jetty 12 server on 127.0.0.1 (port 0) with one core handler, and
 * java.net.http.HttpClient requests against it from the same JVM: GETs, a POST echoed back, a 404.
 */
public class JettyDriver {
    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        AtomicInteger served = new AtomicInteger();
        QueuedThreadPool pool = new QueuedThreadPool(8, 2);
        pool.setName("jetty");
        Server server = new Server(pool);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                if (path.startsWith("/missing")) {
                    return false;
                }
                String body;
                if ("POST".equals(request.getMethod())) {
                    body = "echo " + Content.Source.asString(request, StandardCharsets.UTF_8);
                } else {
                    body = "hello " + path + " #" + served.incrementAndGet();
                }
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        });
        server.start();
        int port = connector.getLocalPort();
        System.out.println("started " + server.getState());
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port;
        for (int i = 0; i < 8; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/item/" + random.nextInt(1000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.printf("GET %d %s (%d us)%n", r.statusCode(), r.body(), (System.nanoTime() - t0) / 1000);
        }
        String payload = Long.toHexString(random.nextLong());
        HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(URI.create(base + "/echo"))
                        .POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("POST " + post.statusCode() + " " + post.body() + " matches " + post.body().equals("echo " + payload));
        HttpResponse<String> missing = client.send(
                HttpRequest.newBuilder(URI.create(base + "/missing")).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("GET /missing " + missing.statusCode() + " server header " + missing.headers().firstValue("server").orElse("-"));
        server.stop();
        System.out.println("stopped " + server.getState() + ", served " + served.get());
        System.out.printf("done in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }
}
