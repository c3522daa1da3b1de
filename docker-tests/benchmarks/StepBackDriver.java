import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.lsp4j.debug.ConfigurationDoneArguments;
import org.eclipse.lsp4j.debug.ContinueArguments;
import org.eclipse.lsp4j.debug.DisconnectArguments;
import org.eclipse.lsp4j.debug.InitializeRequestArguments;
import org.eclipse.lsp4j.debug.ReverseContinueArguments;
import org.eclipse.lsp4j.debug.SetBreakpointsArguments;
import org.eclipse.lsp4j.debug.Source;
import org.eclipse.lsp4j.debug.SourceBreakpoint;
import org.eclipse.lsp4j.debug.StepBackArguments;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.launch.DSPLauncher;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;

/**
 * The driver of docker-tests/benchmarks/step-back-latency: drives {@code retrace dap} over stdio
 * against a recording of StepBackLatency, to the breakpoint in {@code marker} at the call MARK,
 * and times one reverseContinue there (it lands at the program's first method), then, after a
 * continue to the same stop, one stepBack and a second one from where it landed (up to the mark
 * STEPBACK_UP_TO), each from the request to the stopped event. Modes: {@code off} (parkedReplays 0: every re-run from
 * the program's start), {@code ready} (parked replays, each step once the adapter logs that they
 * are in place), {@code cold} (parked replays, the step right after the stop, while they are
 * still being prepared). Prints one line per measurement: {@code MODE MARK forwards|reverseContinue|stepBack|stepBack2 MS}.
 *
 * <p>Usage: {@code java -cp "DIST/lib/*" StepBackDriver.java DIST RECORDING SOURCE MODE REPS STEPBACK_UP_TO MARK...}
 */
public class StepBackDriver implements IDebugProtocolClient {
  private static final long TIMEOUT_S = 1800;
  private final BlockingQueue<StoppedEventArguments> stops = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> initialized = new CompletableFuture<>();
  private final AtomicInteger parkedAnnouncements = new AtomicInteger();

  @Override
  public void initialized() {
    initialized.complete(null);
  }

  @Override
  public void stopped(StoppedEventArguments args) {
    stops.add(args);
  }

  public static void main(String[] args) throws Exception {
    Path dist = Path.of(args[0]);
    Path recording = Path.of(args[1]);
    Path source = Path.of(args[2]);
    String mode = args[3];
    int reps = Integer.parseInt(args[4]);
    long stepBackUpTo = Long.parseLong(args[5]);
    int line = lineOf(source, "// breakpoint line");
    for (int k = 6; k < args.length; k++) {
      for (int rep = 0; rep < reps; rep++) {
        new StepBackDriver().measure(dist, recording, source, line, mode, Long.parseLong(args[k]), stepBackUpTo);
      }
    }
  }

  private void measure(Path dist, Path recording, Path source, int line, String mode, long mark, long stepBackUpTo)
      throws Exception {
    Process adapter = new ProcessBuilder(dist.resolve("bin/retrace").toString(), "dap").start();
    Thread.ofPlatform().daemon().start(() -> readLog(adapter));
    Launcher<IDebugProtocolServer> launcher =
        DSPLauncher.createClientLauncher(this, adapter.getInputStream(), adapter.getOutputStream());
    IDebugProtocolServer server = launcher.getRemoteProxy();
    launcher.startListening();
    try {
      InitializeRequestArguments init = new InitializeRequestArguments();
      init.setAdapterID("retrace");
      init.setLinesStartAt1(true);
      await(server.initialize(init));
      Map<String, Object> launch = new HashMap<>();
      launch.put("recording", recording.toString());
      launch.put("sourcePaths", List.of(source.getParent().toString()));
      if (mode.equals("off")) {
        launch.put("parkedReplays", 0);
      }
      await(server.launch(launch));
      await(initialized);
      SetBreakpointsArguments breakpoints = new SetBreakpointsArguments();
      Source s = new Source();
      s.setPath(source.toString());
      breakpoints.setSource(s);
      SourceBreakpoint breakpoint = new SourceBreakpoint();
      breakpoint.setLine(line);
      breakpoint.setCondition("call == " + mark);
      breakpoints.setBreakpoints(new SourceBreakpoint[] {breakpoint});
      await(server.setBreakpoints(breakpoints));

      int announced = parkedAnnouncements.get();
      long start = System.nanoTime();
      await(server.configurationDone(new ConfigurationDoneArguments()));
      int thread = stopped().getThreadId();
      report(mode, mark, "forwards", start);
      awaitParked(mode, announced);
      ReverseContinueArguments reverse = new ReverseContinueArguments();
      reverse.setThreadId(thread);
      announced = parkedAnnouncements.get();
      start = System.nanoTime();
      await(server.reverseContinue(reverse));
      stopped();
      report(mode, mark, "reverseContinue", start);
      if (mark > stepBackUpTo) {
        return;
      }
      // Back at the program's first method: forwards to the same stop again, the history as before.
      awaitParked(mode, announced);
      ContinueArguments forwards = new ContinueArguments();
      forwards.setThreadId(thread);
      announced = parkedAnnouncements.get();
      await(server.continue_(forwards));
      stopped();
      awaitParked(mode, announced);
      StepBackArguments back = new StepBackArguments();
      back.setThreadId(thread);
      announced = parkedAnnouncements.get();
      start = System.nanoTime();
      await(server.stepBack(back));
      stopped();
      report(mode, mark, "stepBack", start);
      // And once more from there: a step back from a step back's landing.
      awaitParked(mode, announced);
      start = System.nanoTime();
      await(server.stepBack(back));
      stopped();
      report(mode, mark, "stepBack2", start);
    } finally {
      try {
        server.disconnect(new DisconnectArguments()).get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // already gone
      }
      adapter.getOutputStream().close();
      if (!adapter.waitFor(30, TimeUnit.SECONDS)) {
        adapter.destroyForcibly();
      }
    }
  }

  private static void report(String mode, long mark, String what, long start) {
    System.out.printf("%s %d %s %d%n", mode, mark, what, (System.nanoTime() - start) / 1_000_000);
    System.out.flush();
  }

  /** In mode ready, waits for the adapter to log that the parked replays wanted after the last stop are in place. */
  private void awaitParked(String mode, int announcedBefore) throws InterruptedException {
    if (!mode.equals("ready")) {
      return;
    }
    long deadline = System.currentTimeMillis() + TIMEOUT_S * 1000;
    synchronized (parkedAnnouncements) {
      while (parkedAnnouncements.get() <= announcedBefore && System.currentTimeMillis() < deadline) {
        parkedAnnouncements.wait(1000);
      }
    }
  }

  private void readLog(Process adapter) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(adapter.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        if (line.contains("parked replays at stops")) {
          synchronized (parkedAnnouncements) {
            parkedAnnouncements.incrementAndGet();
            parkedAnnouncements.notifyAll();
          }
        } else if (line.contains("failed") || line.contains("went back")) {
          System.err.println(line);
        }
      }
    } catch (Exception e) {
      // the adapter ended
    }
  }

  private StoppedEventArguments stopped() throws InterruptedException {
    StoppedEventArguments stop = stops.poll(TIMEOUT_S, TimeUnit.SECONDS);
    if (stop == null) {
      throw new IllegalStateException("no stop within " + TIMEOUT_S + " s");
    }
    return stop;
  }

  private static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  private static int lineOf(Path file, String text) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) return i + 1;
    }
    throw new IllegalArgumentException("no line with " + text + " in " + file);
  }
}
