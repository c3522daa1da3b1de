import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Name-service lookups: a name that only some machines know (retrace-probe), localhost, the local
 * host, a reverse lookup, an unknown name, and a reachability probe. What it prints depends on the
 * machine's name service.
 */
public final class Lookups {
  public static void main(String[] args) throws Exception {
    try {
      System.out.println("probe " + Arrays.toString(InetAddress.getAllByName("retrace-probe")));
    } catch (UnknownHostException e) {
      System.out.println("probe unknown: " + e.getMessage());
    }
    System.out.println("localhost " + InetAddress.getByName("localhost"));
    InetAddress local = InetAddress.getLocalHost();
    System.out.println("local host " + local.getHostName() + " " + local.getHostAddress());
    System.out.println("reverse of 127.0.0.42: " + InetAddress.getByAddress(new byte[] {127, 0, 0, 42}).getHostName());
    try {
      InetAddress.getByName("no-such-host.invalid");
      System.out.println("no-such-host.invalid resolved");
    } catch (UnknownHostException e) {
      System.out.println("unknown: " + e.getMessage());
    }
    System.out.println("127.0.0.1 reachable: " + InetAddress.getByName("127.0.0.1").isReachable(500));
  }
}
