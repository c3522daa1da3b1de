import java.net.InetAddress;
import java.net.ServerSocket;

/** Prints a loopback port the kernel says is free, for a server started next to listen on. */
public final class FreePort {
  public static void main(String[] args) throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      System.out.println(s.getLocalPort());
    }
  }
}
