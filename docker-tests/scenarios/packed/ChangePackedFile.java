import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Test tool, as a careless or hostile sender would: in a packed recording, changes one byte of the
 * pack's copy of the file recorded at PATH and writes the pack again as a valid zip (every other
 * entry as it was), so that only the content checks can tell.
 *
 * <pre>java ChangePackedFile RECORDING PATH</pre>
 */
public final class ChangePackedFile {
  private static final byte[] MAGIC = "RETRACE-PACK-v1\n".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws IOException {
    Path recording = Path.of(args[0]);
    byte[] bytes = Files.readAllBytes(recording);
    int packStart = indexOf(bytes, MAGIC);
    if (packStart < 0) {
      throw new IllegalStateException(recording + " has no pack");
    }
    String object;
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (ZipFile pack = new ZipFile(recording.toFile())) {
      String index = new String(pack.getInputStream(pack.getEntry("index.json")).readAllBytes(), StandardCharsets.UTF_8);
      Matcher entry = Pattern.compile("\"(?:path|absolute)\"\\s*:\\s*\"" + Pattern.quote(args[1])
          + "\"[^{}]*?\"sha256\"\\s*:\\s*\"([0-9a-f]{64})\"").matcher(index);
      if (!entry.find()) {
        throw new IllegalStateException("the pack's index has no file " + args[1]);
      }
      object = "objects/" + entry.group(1);
      try (ZipOutputStream out = new ZipOutputStream(zipped)) {
        for (ZipEntry e : Collections.list(pack.entries())) {
          byte[] content = pack.getInputStream(e).readAllBytes();
          if (e.getName().equals(object)) {
            content[content.length / 2] ^= 0x01;
          }
          out.putNextEntry(new ZipEntry(e.getName()));
          out.write(content);
          out.closeEntry();
        }
      }
    }
    ByteArrayOutputStream changed = new ByteArrayOutputStream();
    changed.write(bytes, 0, packStart + MAGIC.length);
    zipped.writeTo(changed);
    Files.write(recording, changed.toByteArray());
    System.out.println("changed a byte of " + object + " (" + args[1] + ")");
  }

  private static int indexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= bytes.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
