import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Talks to Server through the NIO half of the JDK: java.net.http.HttpClient (send, and three
 * concurrent sendAsync POSTs), a non-blocking SocketChannel driven by a Selector, and UDP through
 * DatagramChannel and DatagramSocket. Prints what came back.
 */
public final class NioClient {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int udpPort = Integer.parseInt(args[1]);
    String base = "http://127.0.0.1:" + port;

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> got = client.send(HttpRequest.newBuilder(URI.create(base + "/send")).build(),
        HttpResponse.BodyHandlers.ofString());
    System.out.println("send: " + got.statusCode() + " " + got.body().trim());
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HttpRequest post = HttpRequest.newBuilder(URI.create(base + "/async" + i))
          .POST(HttpRequest.BodyPublishers.ofString("async body " + i)).build();
      pending.add(client.sendAsync(post, HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> f : pending) {
      HttpResponse<String> r = f.get();
      System.out.println("sendAsync: " + r.statusCode() + " " + r.body().trim());
    }

    System.out.println("selector: " + selectorExchange(port).replace("\r\n", " | "));

    try (DatagramChannel channel = DatagramChannel.open()) {
      ByteBuffer request = StandardCharsets.UTF_8.encode("from a channel");
      channel.send(request, new InetSocketAddress("127.0.0.1", udpPort));
      ByteBuffer reply = ByteBuffer.allocate(1500);
      InetSocketAddress from = (InetSocketAddress) channel.receive(reply);
      reply.flip();
      System.out.println("udp channel: " + StandardCharsets.UTF_8.decode(reply) + " from port "
          + (from.getPort() == udpPort ? "udpPort" : from.getPort()));
    }
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", udpPort));
      byte[] out = "from a socket".getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(out, out.length));
      DatagramPacket in = new DatagramPacket(new byte[1500], 1500);
      socket.receive(in);
      System.out.println("udp socket: " + new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8));
    }
  }

  /** An HTTP/1.0 GET over a non-blocking channel: connect, write and read only when the selector says so. */
  static String selectorExchange(int port) throws Exception {
    StringBuilder answer = new StringBuilder();
    try (Selector selector = Selector.open(); SocketChannel channel = SocketChannel.open()) {
      channel.configureBlocking(false);
      channel.connect(new InetSocketAddress("127.0.0.1", port));
      channel.register(selector, SelectionKey.OP_CONNECT);
      ByteBuffer request = StandardCharsets.US_ASCII.encode("GET /selector HTTP/1.0\r\nHost: localhost\r\n\r\n");
      ByteBuffer buffer = ByteBuffer.allocate(256);
      int selects = 0;
      while (channel.isOpen()) {
        selector.select(5000);
        selects++;
        for (SelectionKey key : selector.selectedKeys()) {
          if (key.isConnectable() && channel.finishConnect()) key.interestOps(SelectionKey.OP_WRITE);
          if (key.isValid() && key.isWritable()) {
            channel.write(request);
            if (!request.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
          }
          if (key.isValid() && key.isReadable()) {
            buffer.clear();
            if (channel.read(buffer) < 0) {
              channel.close();
              break;
            }
            buffer.flip();
            answer.append(StandardCharsets.US_ASCII.decode(buffer));
          }
        }
        selector.selectedKeys().clear();
      }
      return answer.toString().trim() + " (" + selects + " selects)";
    }
  }
}
