import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/**
 * A local HTTP server on a free loopback port (printed on the first line) and a UDP responder
 * (its port on the second line) whose every answer differs: a request counter and the server's
 * clock.
 */
public final class Server {
  public static void main(String[] args) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", new CountingHandler());
    server.start();
    DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    Thread responder = new Thread(() -> {
      byte[] buffer = new byte[1500];
      try {
        for (int n = 1; ; n++) {
          DatagramPacket in = new DatagramPacket(buffer, buffer.length);
          udp.receive(in);
          byte[] out = ("datagram " + n + " at " + System.nanoTime() + " echo="
              + new String(in.getData(), 0, in.getLength())).getBytes();
          udp.send(new DatagramPacket(out, out.length, in.getSocketAddress()));
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    });
    responder.setDaemon(true);
    responder.start();
    System.out.println(server.getAddress().getPort());
    System.out.println(udp.getLocalPort());
    System.out.flush();
  }
}
