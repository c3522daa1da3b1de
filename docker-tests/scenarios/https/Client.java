import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.security.KeyStore;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Talks TLS to Server, trusting only the certificate in the PKCS12 trust store args[1] (password
 * args[2]): two HttpsURLConnection GETs and a POST, then a raw SSLSocket speaking HTTP/1.0. Prints
 * what came back and what the handshake negotiated.
 */
public final class Client {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    char[] password = args[2].toCharArray();
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[1])) {
      trusted.load(in, password);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);

    for (int i = 0; i < 3; i++) {
      HttpsURLConnection c = (HttpsURLConnection) new URL("https://127.0.0.1:" + port + "/get" + i).openConnection();
      c.setSSLSocketFactory(tls.getSocketFactory());
      if (i == 2) {
        c.setDoOutput(true);
        c.setRequestMethod("POST");
        c.getOutputStream().write("hello".getBytes());
      }
      int status = c.getResponseCode();
      System.out.println(status + " " + new String(c.getInputStream().readAllBytes()).trim());
      System.out.println("cipher suite: " + c.getCipherSuite());
    }
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.getOutputStream().write("GET /raw HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes());
      BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream()));
      System.out.println("raw: " + r.readLine() + ", " + s.getSession().getProtocol() + " " + s.getSession().getCipherSuite()
          + ", from local port " + s.getLocalPort());
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("request")) System.out.println("raw body: " + line);
      }
    }
  }
}
