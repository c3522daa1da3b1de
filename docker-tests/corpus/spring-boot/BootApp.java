package corpus;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web application (embedded Tomcat, Jackson) on 127.0.0.1 with server.port=0:
 * a few requests from java.net.http.HttpClient, then SpringApplication.exit.
 */
@SpringBootApplication
public class BootApp {
    @RestController
    public static class Api {
        private final AtomicLong hits = new AtomicLong();

        @GetMapping("/greet/{name}")
        public Map<String, Object> greet(@PathVariable("name") String name) {
            return Map.of("greeting", "hello " + name, "hit", hits.incrementAndGet());
        }

        @PostMapping("/sum")
        public Map<String, Object> sum(@RequestBody int[] numbers) {
            long total = 0;
            for (int n : numbers) {
                total += n;
            }
            return Map.of("count", numbers.length, "total", total);
        }
    }

    public static void main(String[] args) throws Exception {
        long start = System.nanoTime();
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        System.out.println("seed " + seed);
        SpringApplication app = new SpringApplication(BootApp.class);
        app.setDefaultProperties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                "spring.main.banner-mode", "off"));
        ConfigurableApplicationContext context = app.run(args);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create(base + "/greet/n" + random.nextInt(100))).build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf("GET %d %s (%d us)%n", r.statusCode(), r.body(), (System.nanoTime() - t0) / 1000);
        }
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 20; i++) {
            json.append(i == 0 ? "" : ",").append(random.nextInt(1000));
        }
        json.append(']');
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/sum"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.toString())).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("POST " + r.statusCode() + " " + r.body());
        HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(base + "/nothing")).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println("GET /nothing " + missing.statusCode());
        int code = SpringApplication.exit(context, () -> 0);
        System.out.printf("exit %d, done in %d ms%n", code, (System.nanoTime() - start) / 1_000_000);
        System.exit(code);
    }
}
