package dev.retrace.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.eclipse.lsp4j.debug.ExitedEventArguments;
import org.eclipse.lsp4j.debug.StackFrame;
import org.eclipse.lsp4j.debug.StoppedEventArguments;
import org.eclipse.lsp4j.debug.TerminatedEventArguments;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * retrace dap driven by a scripted DAP client against a recording of a program whose values come
 * from the clock: every value the debugger shows must be the recorded one, going forwards and
 * backwards, and a plain run of the same program prints others.
 */
class RetraceDapTest {
    private static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";
    private static final Pattern PRINTED = Pattern.compile("i=(\\d+) v=(-?\\d+)");
    private static final String PROGRAM = """
            package demo;

            public class Loop {
                public static void main(String[] args) {
                    long total = 0;
                    StringBuilder seen = new StringBuilder();
                    for (int i = 0; i < 5; i++) {
                        long t = System.nanoTime();
                        int v = (int) (t % 1000);
                        total += v;
                        System.out.println("i=" + i + " v=" + v);
                        seen.append(v).append(',');
                    }
                    System.out.println("total=" + total);
                    System.exit(3);
                }
            }
            """;

    @TempDir
    static Path work;

    static Path dist;
    static Path source;
    static Path recording;
    static String recordedOutput;
    static int recordedStatus;
    /** v of each iteration, as the recorded run printed them. */
    static List<String> recordedValues;

    private static final String FAILING = """
            package demo;

            public class Boom {
                public static void main(String[] args) {
                    long t = System.nanoTime();
                    int divisor = zero(t);
                    System.out.println("t=" + t);
                    System.out.println(1000 / divisor);
                }

                static int zero(long t) {
                    return (int) (t % 2) * 0;
                }
            }
            """;

    private static final String THREADS = """
            package demo;

            public class Race {
                static int shared;

                public static void main(String[] args) throws Exception {
                    Thread a = new Thread(() -> work("a"), "worker-a");
                    Thread b = new Thread(() -> work("b"), "worker-b");
                    a.start();
                    b.start();
                    a.join();
                    b.join();
                    System.out.println("shared=" + shared);
                }

                static void work(String name) {
                    for (int k = 0; k < 3; k++) {
                        int seen = shared;
                        shared = seen + (int) (System.nanoTime() % 10);
                        System.out.println(name + " k=" + k + " seen=" + seen);
                    }
                }
            }
            """;

    private static final String SPIN = """
            package demo;

            public class Spin {
                public static void main(String[] args) {
                    long sum = 0;
                    for (long call = 1; call <= 4_000_000; call++) {
                        sum += System.nanoTime() % 7;
                    }
                    System.out.println("sum=" + sum);
                }
            }
            """;

    /** A recording, with what the recorded run printed and its exit status. */
    record Recorded(Path file, Path source, String output, int status) {}

    static Recorded failing;
    static Recorded race;
    static Recorded spin;

    @BeforeAll
    static void record() throws Exception {
        dist = Path.of(System.getProperty("retrace.dist"));
        Recorded loop = record("Loop", PROGRAM);
        source = loop.source();
        recording = loop.file();
        recordedOutput = loop.output();
        recordedStatus = loop.status();
        recordedValues = values(recordedOutput);
        assertEquals(5, recordedValues.size(), recordedOutput);
        Process plain = new ProcessBuilder(JDK17 + "/bin/java", "-cp", work.resolve("Loop-classes").toString(), "demo.Loop").start();
        String plainOutput = new String(plain.getInputStream().readAllBytes());
        assertTrue(plain.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(recordedValues, values(plainOutput), "a plain run reads other clock values");
        failing = record("Boom", FAILING);
        race = record("Race", THREADS);
        spin = record("Spin", SPIN);
    }

    /** Compiles demo.NAME with -g for JDK 17 and records it with the dist's retrace. */
    private static Recorded record(String name, String program) throws Exception {
        Path file = work.resolve("src/demo/" + name + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, program);
        Path classes = work.resolve(name + "-classes");  // one each: a replay checks its class path is unchanged
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "--release", "17", "-g", "-d", classes.toString(), file.toString());
        assertEquals(0, compiled, "javac");
        Path recorded = work.resolve(name + ".retrace");
        Process record = new ProcessBuilder(dist.resolve("bin/retrace").toString(), "record", "-o", recorded.toString(),
                "--java", JDK17 + "/bin/java", "--", "-cp", classes.toString(), "demo." + name)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String output = new String(record.getInputStream().readAllBytes());
        assertTrue(record.waitFor(120, TimeUnit.SECONDS));
        return new Recorded(recorded, file, output, record.exitValue());
    }

    private static List<String> values(String output) {
        List<String> values = new ArrayList<>();
        Matcher m = PRINTED.matcher(output);
        while (m.find()) {
            values.add(m.group(2));
        }
        return values;
    }

    private static int lineOf(String text) throws IOException {
        return lineOf(source, text);
    }

    private static int lineOf(Path file, String text) throws IOException {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i + 1;
            }
        }
        throw new AssertionError("no line with " + text);
    }

    private static DapClient launched() throws Exception {
        return launched(recording);
    }

    private static DapClient launched(Path file) throws Exception {
        return launched(file, Map.of());
    }

    private static DapClient launched(Path file, Map<String, Object> more) throws Exception {
        DapClient client = new DapClient(dist);
        assertTrue(client.initialize().getSupportsStepBack());
        Map<String, Object> args = new java.util.HashMap<>(more);
        args.put("recording", file.toString());
        args.put("sourcePaths", List.of(work.resolve("src").toString()));
        client.launch(args);
        return client;
    }

    /** A stop's line and locals, to compare stops reached forwards and backwards. */
    record State(int line, Map<String, String> locals) {}

    private static State state(DapClient client, int thread) throws Exception {
        return new State(client.topFrame(thread).getLine(), client.locals(thread));
    }

    @Test
    void forwardsAndBackwardsShowTheRecordedValues() throws Exception {
        int loopBody = lineOf("total += v;");
        try (DapClient client = launched()) {
            assertTrue(client.setBreakpoints(source, loopBody, null).getBreakpoints()[0].isVerified());
            client.configurationDone();
            int thread = client.stopped("breakpoint").getThreadId();
            StackFrame top = client.topFrame(thread);
            assertEquals(loopBody, top.getLine());
            assertEquals(source.toRealPath().toString(), top.getSource().getPath());
            State first = state(client, thread);
            assertEquals("0", first.locals().get("i"));
            assertEquals(recordedValues.get(0), first.locals().get("v"));

            client.continue_(thread);
            client.stopped("breakpoint");
            assertEquals("1", client.locals(thread).get("i"));
            assertEquals(recordedValues.get(1), client.locals(thread).get("v"));
            // toString() runs in the replay (invokeMethod), on the recorded values.
            assertEquals("\"" + recordedValues.get(0) + ",\"", client.evaluate(thread, "seen.toString()"));

            long start = System.nanoTime();
            client.reverseContinue(thread);
            client.stopped("breakpoint");
            System.err.printf("reverseContinue took %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertEquals(first, state(client, thread), "reverseContinue lands on the first hit again");

            // Forwards line by line to the next iteration's breakpoint line, remembering each stop.
            List<State> forwards = new ArrayList<>(List.of(first));
            do {
                client.next(thread);
                client.nextEvent(StoppedEventArguments.class);
                forwards.add(state(client, thread));
            } while (forwards.getLast().line() != loopBody && forwards.size() < 20);
            assertEquals(recordedValues.get(1), forwards.getLast().locals().get("v"));
            State beforeV = forwards.get(forwards.size() - 2);
            assertEquals(lineOf("int v ="), beforeV.line());
            // Backwards over the same lines: each stop has the line and the values it had forwards.
            for (int k = forwards.size() - 2; k >= 1; k--) {
                start = System.nanoTime();
                client.stepBack(thread);
                client.stopped("step");
                System.err.printf("stepBack took %d ms%n", (System.nanoTime() - start) / 1_000_000);
                assertEquals(forwards.get(k), state(client, thread), "stepBack to stop " + k);
                if (k == forwards.size() - 2) {
                    long t = Long.parseLong(client.evaluate(thread, "t"));
                    assertEquals(recordedValues.get(1), String.valueOf((int) (t % 1000)), "the recorded clock reading");
                }
            }
            client.reverseContinue(thread);
            client.stopped("breakpoint");
            assertEquals(first, state(client, thread), "reverseContinue from a stepped-back stop");

            client.setBreakpoints(source, 0, null);
            client.continue_(thread);
            assertEquals(recordedStatus, client.nextEvent(ExitedEventArguments.class).getExitCode());
            client.nextEvent(TerminatedEventArguments.class);
            assertEquals(3, recordedStatus);
            Thread.sleep(300);
            assertEquals(recordedOutput, client.stdout(), "the program's output, once, as recorded");
        }
    }

    /** A stop as the client sees it: the thread, the line and the locals. */
    record Seen(String thread, int line, Map<String, String> locals) {}

    /**
     * Forwards and backwards through the race with every kind of step, recording each stop. With
     * {@code awaitParked}, each step backwards waits until the adapter's parked replays are in place,
     * so that they serve it.
     */
    private static List<Seen> exchange(DapClient client, boolean awaitParked) throws Exception {
        int line = lineOf(race.source(), "shared = seen +");
        List<Seen> seen = new ArrayList<>();
        client.setBreakpoints(race.source(), line, null);
        int announced = client.parkedAnnouncements();
        client.configurationDone();
        int thread = client.stopped("breakpoint").getThreadId();
        interface Move {
            void go(int thread) throws Exception;
        }
        List<Move> moves = List.of(client::continue_, client::continue_, client::continue_, client::reverseContinue,
                client::stepBack, client::stepBack, client::next, client::stepBack, client::reverseContinue,
                client::continue_, client::stepBack, client::reverseContinue, client::reverseContinue);
        for (Move move : moves) {
            seen.add(new Seen(client.threadName(thread), client.topFrame(thread).getLine(), client.locals(thread)));
            if (awaitParked) {
                client.awaitParked(announced);
            }
            announced = client.parkedAnnouncements();
            move.go(thread);
            thread = client.nextEvent(StoppedEventArguments.class).getThreadId();
        }
        seen.add(new Seen(client.threadName(thread), client.topFrame(thread).getLine(), client.locals(thread)));
        return seen;
    }

    @Test
    void parkedReplaysChangeNothingButTheTime() throws Exception {
        List<Seen> fromTheStart;
        try (DapClient client = launched(race.file(), Map.of("parkedReplays", 0))) {
            fromTheStart = exchange(client, false);
        }
        List<Seen> parked;
        try (DapClient client = launched(race.file(), Map.of("parkedReplays", 5))) {
            parked = exchange(client, true);
            assertTrue(client.tracedFromEvents() > 0, "some step back traced from a thread's last recorded event");
        }
        assertEquals(fromTheStart, parked);
        assertEquals(14, parked.size());
        List<Seen> tracedFromTheStop;
        try (DapClient client = launched(race.file(), Map.of("parkedReplays", 5, "progressPoints", false))) {
            tracedFromTheStop = exchange(client, true);
            assertEquals(0, client.tracedFromEvents());
        }
        assertEquals(parked, tracedFromTheStop, "stepBack traced from the last event and from the previous stop");
    }

    @Test
    void evaluateComputesJavaExpressionsOverTheRecordedValuesAndRefusesChanges() throws Exception {
        try (DapClient client = launched()) {
            assertTrue(client.setBreakpoints(source, lineOf("total += v;"), "i == 2").getBreakpoints()[0].isVerified());
            client.configurationDone();
            int thread = client.stopped("breakpoint").getThreadId();
            int v0 = Integer.parseInt(recordedValues.get(0));
            int v1 = Integer.parseInt(recordedValues.get(1));
            int v2 = Integer.parseInt(recordedValues.get(2));
            String seen = v0 + "," + v1 + ",";
            assertEquals(String.valueOf(v2 + 1), client.evaluate(thread, "v + 1"));
            assertEquals("5", client.evaluate(thread, "i * 2 + 1"));
            assertEquals("true", client.evaluate(thread, "t % 1000 == v && (v >= 0 || v < 0)"));
            assertEquals(String.valueOf(v0 + v1), client.evaluate(thread, "total"), "the sum of the recorded readings");
            assertEquals(String.valueOf((v0 + v1) / 2.0), client.evaluate(thread, "total / 2.0"));
            assertEquals(String.valueOf(seen.length()), client.evaluate(thread, "seen.length()"));
            assertEquals("'" + seen.charAt(0) + "'", client.evaluate(thread, "seen.charAt(0)"));
            assertEquals("true", client.evaluate(thread, "seen.toString().startsWith(\"" + v0 + ",\")"));
            assertEquals("\"v=" + v2 + " of " + seen + "\"", client.evaluate(thread, "\"v=\" + v + \" of \" + seen"));
            assertEquals("false", client.evaluate(thread, "!(seen.indexOf(\",\") > 0)"));
            for (String[] refused : new String[][] {{"seen.append(1)", "append() may change the program's state"},
                    {"i = 3", "does not assign"}, {"i++", "does not assign"}, {"total += 1", "does not assign"}, {"v / 0", "/ by zero"},
                    {"nosuch + 1", "no local or field 'nosuch'"}}) {
                Exception e = assertThrows(Exception.class, () -> client.evaluate(thread, refused[0]), refused[0]);
                assertTrue(String.valueOf(e.getMessage()).contains(refused[1]), refused[0] + ": " + e.getMessage());
            }
            // What ran in the replay for those evaluations (length, charAt, toString, startsWith,
            // indexOf) left the program on its recorded course.
            client.setBreakpoints(source, 0, null);
            client.continue_(thread);
            assertEquals(recordedStatus, client.nextEvent(ExitedEventArguments.class).getExitCode());
            client.nextEvent(TerminatedEventArguments.class);
            Thread.sleep(300);
            assertEquals(recordedOutput, client.stdout());
        }
    }

    @Test
    void aConditionalBreakpointStopsOnceWhereItHolds() throws Exception {
        try (DapClient client = launched()) {
            assertTrue(client.setBreakpoints(source, lineOf("total += v;"), "i == 3").getBreakpoints()[0].isVerified());
            client.configurationDone();
            int thread = client.stopped("breakpoint").getThreadId();
            assertEquals("3", client.locals(thread).get("i"));
            assertEquals(recordedValues.get(3), client.evaluate(thread, "v"));
            client.continue_(thread);
            assertEquals(recordedStatus, client.nextEvent(ExitedEventArguments.class).getExitCode());
            client.nextEvent(TerminatedEventArguments.class);
        }
    }

    @Test
    void anUncaughtExceptionStopsAndStepBackLeavesIt() throws Exception {
        String recordedT = failing.output().replaceAll("(?s).*t=(\\d+).*", "$1");
        try (DapClient client = launched(failing.file())) {
            client.setExceptionBreakpoints("uncaught");
            client.configurationDone();
            StoppedEventArguments stopped = client.stopped("exception");
            int thread = stopped.getThreadId();
            assertEquals("java.lang.ArithmeticException", stopped.getDescription());
            assertEquals(lineOf(failing.source(), "1000 / divisor"), client.topFrame(thread).getLine());
            assertEquals(recordedT, client.locals(thread).get("t"));
            client.stepBack(thread);
            client.stopped("step");
            assertEquals(lineOf(failing.source(), "\"t=\""), client.topFrame(thread).getLine());
            assertEquals(Map.of("args", "java.lang.String[0]", "t", recordedT, "divisor", "0"), client.locals(thread));
            client.continue_(thread);
            client.nextEvent(StoppedEventArguments.class);  // the exception again
            client.continue_(thread);
            assertEquals(failing.status(), client.nextEvent(ExitedEventArguments.class).getExitCode());
        }
    }

    @Test
    void aPauseStopsWhereAReplayCanGoAgainAndStepBackWorksFromIt() throws Exception {
        int loopLine = lineOf(spin.source(), "for (long call = 1;");
        int bodyLine = lineOf(spin.source(), "sum += System.nanoTime()");
        try (DapClient client = launched(spin.file(), Map.of("stopOnEntry", true))) {
            client.configurationDone();
            int thread = client.stopped("entry").getThreadId();
            client.continue_(thread);
            Thread.sleep(400);
            client.pause(thread);
            thread = client.stopped("pause").getThreadId();
            // At a progress point: back in the program right after one of the recorded nanoTime calls.
            assertEquals("demo.Spin.main", client.topFrame(thread).getName());
            assertEquals(bodyLine, client.topFrame(thread).getLine());
            Map<String, String> paused = client.locals(thread);
            System.err.println("threads at the pause: " + client.threadNames());
            assertTrue(client.threadNames().contains("main"));
            assertFalse(client.threadNames().contains("retrace watchdog"), "the agent's thread is not the program's");
            long call = Long.parseLong(paused.get("call"));
            assertTrue(call > 1 && call < 4_000_000, "paused inside the loop: " + paused);
            // The pause is inside the line, just after the call: one step back is the line's start, before the call.
            client.stepBack(thread);
            client.stopped("step");
            assertEquals(bodyLine, client.topFrame(thread).getLine());
            assertEquals(String.valueOf(call), client.locals(thread).get("call"), "the same iteration");
            client.stepBack(thread);
            client.stopped("step");
            assertEquals(loopLine, client.topFrame(thread).getLine());
            assertEquals(String.valueOf(call - 1), client.locals(thread).get("call"), "before the loop's call++");
            client.next(thread);
            client.stopped("step");
            assertEquals(bodyLine, client.topFrame(thread).getLine());
            assertEquals(paused, client.locals(thread), "forwards again to the pause's line, with its values");
            client.reverseContinue(thread);
            client.stopped("entry");
            assertEquals("demo.Spin.main", client.topFrame(thread).getName());
            client.continue_(thread);
            assertEquals(spin.status(), client.nextEvent(ExitedEventArguments.class).getExitCode());
            client.nextEvent(TerminatedEventArguments.class);
            Thread.sleep(300);
            assertTrue(client.stdout().endsWith(spin.output()), "the program's output as recorded: " + client.stdout());
        }
    }

    @Test
    void stepInStepOutAndStepBackOutOfACall() throws Exception {
        String recordedT = failing.output().replaceAll("(?s).*t=(\\d+).*", "$1");
        int call = lineOf(failing.source(), "int divisor = zero(t);");
        try (DapClient client = launched(failing.file())) {
            client.setBreakpoints(failing.source(), call, null);
            client.configurationDone();
            int thread = client.stopped("breakpoint").getThreadId();
            client.stepIn(thread);
            client.stopped("step");
            StackFrame inside = client.topFrame(thread);
            assertEquals("demo.Boom.zero", inside.getName());
            assertEquals(lineOf(failing.source(), "return (int) (t % 2) * 0;"), inside.getLine());
            assertEquals(recordedT, client.evaluate(thread, "t"));
            client.stepBack(thread);
            client.stopped("step");
            assertEquals("demo.Boom.main", client.topFrame(thread).getName());
            assertEquals(call, client.topFrame(thread).getLine(), "from a method's first line back to its call");
            client.stepIn(thread);
            client.stopped("step");
            assertEquals("demo.Boom.zero", client.topFrame(thread).getName());
            client.stepOut(thread);
            client.stopped("step");
            assertEquals("demo.Boom.main", client.topFrame(thread).getName());
            client.setBreakpoints(failing.source(), 0, null);
            client.continue_(thread);
            assertEquals(failing.status(), client.nextEvent(ExitedEventArguments.class).getExitCode());
        }
    }

    /** A breakpoint hit in the race: which thread, and that thread's k and seen. */
    record Hit(String thread, String k, String seen) {}

    private static Hit hit(DapClient client, StoppedEventArguments stopped) throws Exception {
        int thread = stopped.getThreadId();
        Map<String, String> locals = client.locals(thread);
        return new Hit(client.threadName(thread), locals.get("k"), locals.get("seen"));
    }

    @Test
    void reverseContinueRetracesTheHitsOfBothThreads() throws Exception {
        int line = lineOf(race.source(), "shared = seen +");
        int lineBefore = lineOf(race.source(), "int seen = shared;");
        List<Hit> forwards = new ArrayList<>();
        try (DapClient client = launched(race.file())) {
            client.setBreakpoints(race.source(), line, null);
            client.configurationDone();
            Object event;
            while ((event = client.nextEvent(Object.class)) instanceof StoppedEventArguments stopped) {
                Hit h = hit(client, stopped);
                forwards.add(h);
                // worker-a prints "a k=0 seen=0": the values the recorded race gave that thread.
                assertTrue(race.output().contains(h.thread().substring("worker-".length()) + " k=" + h.k() + " seen=" + h.seen()),
                        () -> h + " is not what the recording printed: " + race.output());
                client.continue_(stopped.getThreadId());
            }
            assertTrue(event instanceof ExitedEventArguments, String.valueOf(event));
            assertEquals(6, forwards.size(), forwards::toString);
        }
        // Again, to the last hit, then back through every earlier hit, whichever thread it was in.
        try (DapClient client = launched(race.file())) {
            client.setBreakpoints(race.source(), line, "k == 2");
            client.configurationDone();
            client.continue_(client.stopped("breakpoint").getThreadId());
            StoppedEventArguments last = client.stopped("breakpoint");
            Hit lastHit = hit(client, last);
            assertEquals(forwards.getLast(), lastHit);
            client.stepBack(last.getThreadId());
            StoppedEventArguments before = client.stopped("step");
            assertEquals(last.getThreadId(), before.getThreadId());
            assertEquals(lineBefore, client.topFrame(before.getThreadId()).getLine());
            assertEquals(lastHit.k(), client.locals(before.getThreadId()).get("k"));

            client.setBreakpoints(race.source(), line, null);
            List<Hit> backwards = new ArrayList<>(List.of(lastHit));
            int thread = before.getThreadId();
            for (int n = 0; n < 5; n++) {
                client.reverseContinue(thread);
                StoppedEventArguments stopped = client.stopped("breakpoint");
                thread = stopped.getThreadId();
                backwards.addFirst(hit(client, stopped));
            }
            assertEquals(forwards, backwards);
            // The first hit's thread started after the program's start: its trace begins when it starts.
            client.stepBack(thread);
            client.stopped("step");
            assertEquals(lineBefore, client.topFrame(thread).getLine());
            assertEquals("0", client.locals(thread).get("k"));
            client.reverseContinue(thread);
            client.stopped("entry");
        }
    }

    @Test
    void aBadRecordingIsAnErrorResponse() throws Exception {
        try (DapClient client = new DapClient(dist)) {
            client.initialize();
            Path missing = work.resolve("no-such.retrace");
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> DapClient.await(client.server.launch(Map.of("recording", missing.toString()))));
            assertTrue(refused.getCause().getMessage().contains(missing.toString()), refused.getCause().getMessage());
            var breakpoint = client.setBreakpoints(source, lineOf("total += v;"), "name.equals(\"x\")").getBreakpoints()[0];
            assertFalse(breakpoint.isVerified());
            assertTrue(breakpoint.getMessage().contains("cannot call methods"), breakpoint.getMessage());
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            fail(e);
        }
    }
}
