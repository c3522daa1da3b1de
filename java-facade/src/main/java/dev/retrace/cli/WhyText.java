package dev.retrace.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;

/** {@code retrace why} for a terminal: each failure, its frames with their locals, what fed it. */
final class WhyText {
    private static final int MAX_FRAMES = 12;
    private static final int STACK_LINES = 4;
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");
    /** Test frameworks and runners: their frames hold the assertion, not the cause. */
    private static final List<String> FRAMEWORK_PACKAGES = List.of("org.junit.", "junit.", "org.opentest4j.",
            "org.testng.", "org.apache.maven.surefire.", "org.hamcrest.", "org.assertj.", "org.gradle.");

    private WhyText() {}

    /**
     * Whether an event is something the thread got from outside (a clock, a seed, bytes read, the
     * environment), not an identity hash the agent keeps for the JVM's sake or bytes it wrote.
     */
    static boolean isInput(String call) {
        if (call == null) {
            return false;
        }
        int paren = call.indexOf('(');
        String qualified = paren < 0 ? call : call.substring(0, paren);
        String method = qualified.substring(qualified.lastIndexOf('.') + 1);
        return !method.startsWith("write") && !method.equals("hashCode") && !method.equals("identityHashCode")
                && !method.equals("identityHashWhenLinked") && !method.equals("platformProperties");
    }

    static void print(JsonNode answer, PrintWriter out) {
        out.println("Process " + answer.path("pid").asLong() + ": " + argv(answer.path("argv")) + ", exit "
                + answer.path("exitStatus").asInt());
        JsonNode failures = answer.path("failures");
        if (failures.isEmpty()) {
            out.println();
            out.println(answer.path("exitStatus").asInt() == 0
                    ? "It did not fail: no exception went uncaught, no assertion failed, and it exited with 0."
                    : "No exception went uncaught, no assertion failed and System.exit was not called with it:"
                            + " the status came from elsewhere (Runtime.halt, a signal, a native exit).");
        }
        for (JsonNode failure : failures) {
            out.println();
            printFailure(failure, out);
        }
        JsonNode tests = answer.path("failedTests");
        if (!tests.isEmpty()) {
            out.println();
            out.println("Failed tests, as the test runner reported them:");
            for (JsonNode test : tests) {
                String report = test.asText();
                out.println("  " + report.lines().findFirst().orElse(""));
            }
        }
    }

    private static void printFailure(JsonNode failure, PrintWriter out) {
        String thread = "thread " + failure.path("thread").asLong() + " \"" + failure.path("threadName").asText() + "\"";
        String kind = failure.path("kind").asText();
        if (kind.equals("exit")) {
            out.println("System.exit(" + failure.path("status").asInt() + ")");
            out.println("  called in " + thread);
        } else {
            JsonNode exception = failure.path("exception");
            String message = exception.path("message").isNull() ? "" : ": " + exception.path("message").asText();
            out.println(exception.path("className").asText() + message);
            out.println("  " + (kind.equals("uncaught")
                    ? "thrown in " + thread + ", and nothing caught it"
                    : "an assertion failed in " + thread + " (the test runner caught it)"));
        }
        // Every frame from the throw to the program's first one (an assertion's values are there),
        // then the program's own frames; locals of JDK frames are left to --json.
        JsonNode frames = failure.path("frames");
        int firstProgram = -1;
        int lastProgram = -1;
        for (int i = 0; i < frames.size(); ++i) {
            if (isProgram(frames.get(i).path("method").asText())) {
                firstProgram = firstProgram < 0 ? i : firstProgram;
                lastProgram = i;
            }
        }
        int shown = Math.min(frames.size(), Math.min(MAX_FRAMES, lastProgram < 0 ? MAX_FRAMES : lastProgram + 3));
        for (int i = 0; i < shown; ++i) {
            JsonNode frame = frames.get(i);
            String method = frame.path("method").asText();
            out.println("  at " + atLine(method, frame.path("line").asInt()));
            boolean withLocals = !JDK_PACKAGES.stream().anyMatch(method::startsWith)
                    && (i <= firstProgram || isProgram(method));
            if (!withLocals) {
                continue;
            }
            if (!frame.path("localsKnown").asBoolean()) {
                out.println("      (no local variable names: the class was compiled without -g)");
            }
            for (JsonNode local : frame.path("locals")) {
                out.println("      " + local.path("name").asText() + " = " + local.path("value").asText());
            }
        }
        if (shown < frames.size()) {
            out.println("  ... " + (frames.size() - shown) + " more frames (retrace why --json)");
        }
        JsonNode events = failure.path("events");
        long inputs = failure.path("inputEventsBefore").asLong();
        out.println();
        if (events.isEmpty()) {
            out.println("  The thread got nothing from outside before it (no recorded clock, random or input event).");
            return;
        }
        out.println("  What " + thread + " got from outside before it, newest first (" + events.size() + " of "
                + inputs + "):");
        for (JsonNode event : events) {
            out.println("    #" + event.path("index").asLong() + "  " + eventText(event));
            JsonNode stack = event.path("stack");
            for (int i = 1; i < stack.size() && i <= STACK_LINES; ++i) {
                out.println("          at " + stack.get(i).asText());
            }
        }
    }

    private static boolean isProgram(String method) {
        return !JDK_PACKAGES.stream().anyMatch(method::startsWith) && !FRAMEWORK_PACKAGES.stream().anyMatch(method::startsWith);
    }

    /** "pkg.Class.method(File.java)" and its line: "pkg.Class.method(File.java:12)". */
    private static String atLine(String method, int line) {
        if (line < 0 || !method.endsWith(")")) {
            return method;
        }
        return method.substring(0, method.length() - 1) + ":" + line + ")";
    }

    private static String eventText(JsonNode event) {
        StringBuilder text = new StringBuilder(event.path("call").asText());
        String value = EventFormat.value(event.path("call").asText(), event.path("value").asLong());
        JsonNode thrown = event.path("thrown");
        if (value != null && thrown.isMissingNode() || value != null && thrown.isNull()) {
            text.append(" = ").append(value);
        }
        JsonNode data = event.path("data");
        if (data.isObject()) {
            text.append(" data[").append(data.path("length").asLong()).append("]=\"")
                    .append(EventFormat.escape(data.path("text").asText(), Integer.MAX_VALUE)).append('"');
        }
        if (thrown.isObject()) {
            text.append(" threw ").append(thrown.path("className").asText());
            if (!thrown.path("message").isNull() && !thrown.path("message").isMissingNode()) {
                text.append(": ").append(thrown.path("message").asText());
            }
        }
        return text.toString();
    }

    private static String argv(JsonNode argv) {
        StringBuilder line = new StringBuilder();
        for (JsonNode arg : argv) {
            if (arg.asText().startsWith("-agentpath:") && arg.asText().contains("libretrace.so")) {
                continue;  // the recording agent, not the program's
            }
            line.append(line.isEmpty() ? "" : " ").append(Recordings.shellQuote(arg.asText()));
        }
        return line.toString();
    }
}
