import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.io.IOException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.stream.Collectors;

/**
 * Lists the machine's network interfaces at start-up, as Netty does to pick a MAC address for its
 * ids: each with its addresses, bindings, flags, MTU and MAC, then the lookups by name, index and
 * address. What it prints depends on the machine (and the time line on the run).
 */
public final class Interfaces {
  public static void main(String[] args) throws IOException {
    System.out.println("time " + System.nanoTime());
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      describe(ni, "");
    }
    System.out.println("by name lo: " + NetworkInterface.getByName("lo"));
    System.out.println("by name retrace-none: " + NetworkInterface.getByName("retrace-none"));
    NetworkInterface lo = NetworkInterface.getByName("lo");
    System.out.println("by index " + lo.getIndex() + ": " + NetworkInterface.getByIndex(lo.getIndex()));
    System.out.println("by address 127.0.0.1: " + NetworkInterface.getByInetAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})));
    System.out.println("equal to its lookup: " + lo.equals(NetworkInterface.getByName("lo")));
  }

  private static void describe(NetworkInterface ni, String indent) throws IOException {
    byte[] mac = ni.getHardwareAddress();
    System.out.println(indent + ni + " index " + ni.getIndex() + " virtual " + ni.isVirtual() + " parent "
        + (ni.getParent() == null ? "none" : ni.getParent().getName()));
    System.out.println(indent + "  up " + ni.isUp() + " loopback " + ni.isLoopback() + " p2p " + ni.isPointToPoint()
        + " multicast " + ni.supportsMulticast() + " mtu " + ni.getMTU()
        + " mac " + (mac == null ? "none" : HexFormat.ofDelimiter(":").formatHex(mac)));
    System.out.println(indent + "  addresses " + Collections.list(ni.getInetAddresses()));
    for (InterfaceAddress binding : ni.getInterfaceAddresses()) {
      System.out.println(indent + "  binding " + binding + " prefix " + binding.getNetworkPrefixLength()
          + " hash " + binding.hashCode());
    }
    System.out.println(indent + "  scopes " + Collections.list(ni.getInetAddresses()).stream()
        .map(a -> a instanceof java.net.Inet6Address ? String.valueOf(((java.net.Inet6Address) a).getScopeId()) : "-")
        .collect(Collectors.joining(",")));
    for (NetworkInterface child : Collections.list(ni.getSubInterfaces())) {
      describe(child, indent + "  ");
    }
  }
}
