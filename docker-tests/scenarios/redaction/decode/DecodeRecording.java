import dev.retrace.tape.Event;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingSummary;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Prints every string a recording holds, decoded through the tape library (the packed encoding
 * splits strings, so the file itself cannot be grepped): per process its command line, environment,
 * system properties and agent options, then each event's items, data preview and exception message.
 * Run with the facade jar on the class path: java --enable-native-access=ALL-UNNAMED
 * -Dretrace.dist=DIST -cp DIST/lib/retrace-facade.jar:DIST/lib/jackson-*.jar DecodeRecording.java FILE
 */
public class DecodeRecording {
  public static void main(String[] args) throws Exception {
    try (Recording recording = Recording.open(Path.of(args[0]))) {
      RecordingSummary summary = recording.summary();
      for (long pid : summary.pids()) {
        RecordingSummary.Process p = summary.process(pid).orElseThrow();
        p.argv().forEach(a -> System.out.println(pid + " argv " + a));
        p.env().forEach(e -> System.out.println(pid + " env " + e));
        for (Map.Entry<String, String> e : p.systemProperties().entrySet()) {
          System.out.println(pid + " property " + e.getKey() + "=" + e.getValue());
        }
        System.out.println(pid + " agentOptions " + p.agentOptions());
        try (Stream<Event> events = recording.events(pid)) {
          Iterator<Event> it = events.iterator();
          while (it.hasNext()) {
            Event e = it.next();
            String where = pid + " event " + e.thread() + "#" + e.index() + " " + e.call();
            if (e.items() != null) {
              e.items().forEach(item -> System.out.println(where + " item " + item));
            }
            if (e.data() != null) {
              System.out.println(where + " data " + e.data().text());
            }
            if (e.thrown() != null) {
              System.out.println(where + " thrown " + e.thrown().message());
            }
          }
        }
      }
    }
  }
}
