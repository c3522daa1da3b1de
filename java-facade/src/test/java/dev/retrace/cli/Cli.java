package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in-process and makes test recordings; the build directory comes from the pom. */
final class Cli {
    private Cli() {}

    record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }

        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }

        /** A data error: exit 1, nothing on stdout, exactly one stderr line starting with prefix. */
        void assertDataError(String prefix) {
            assertDataError(prefix, 1);
        }

        void assertDataError(String prefix, int expectedStatus) {
            assertEquals(expectedStatus, status, () -> "exit status; stderr: " + err);
            assertEquals(1, errLines().size(), () -> "one stderr line, got: " + err);
            assertTrue(err.startsWith(prefix), () -> "stderr starts with '" + prefix + "': " + err);
            assertTrue(!err.contains("\tat ") && !err.contains("Exception"), () -> "no stack trace: " + err);
        }
    }

    static Dist dist() {
        String dist = System.getProperty(Dist.PROPERTY);
        if (dist == null) {
            fail("the system property retrace.dist is not set (run the tests through Maven)");
        }
        return new Dist(Path.of(dist));
    }

    static Result run(String... args) {
        return run(dist(), args);
    }

    static Result run(Dist dist, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(dist, args, new PrintWriter(out), new PrintWriter(err), false);
        return new Result(status, out.toString(), err.toString());
    }

    /** Writes a small recording with go-style-replay-launcher/test/make_test_tape. */
    static Path makeTape(Path file, String... options) throws IOException, InterruptedException {
        return runTool("retrace.makeTestTape", file, options);
    }

    /** Runs the test tool the system property names: OPTIONS... FILE. */
    private static Path runTool(String property, Path file, String... options) throws IOException, InterruptedException {
        String tool = System.getProperty(property);
        String name = tool == null ? property : Path.of(tool).getFileName().toString();
        if (tool == null || !Files.isExecutable(Path.of(tool))) {
            fail(name + " is not built (" + tool + "): build the native part first");
        }
        List<String> command = new ArrayList<>(List.of(tool));
        command.addAll(Arrays.asList(options));
        command.add(file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), name + ": " + output);
        return file;
    }

    /** Writes a crafted or changed recording of KIND with tape-format/test/make_hostile_tape (OUT KIND). */
    static Path makeHostileTape(Path file, String kind) throws IOException, InterruptedException {
        String tool = System.getProperty("retrace.makeHostileTape");
        if (tool == null || !Files.isExecutable(Path.of(tool))) {
            fail("make_hostile_tape is not built (" + tool + "): build the native part first");
        }
        Process process = new ProcessBuilder(tool, file.toString(), kind).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "make_hostile_tape: " + output);
        return file;
    }

    /** Writes a recording with a thread hand-over schedule with tape-format/test/make_handover_tape. */
    static Path makeHandoverTape(Path file, String... options) throws IOException, InterruptedException {
        return runTool("retrace.makeHandoverTape", file, options);
    }

    static Path script(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** A dist with an (empty) agent and the given bin/ files, for commands that only run things. */
    static Dist fakeDist(Path root) throws IOException {
        Files.createDirectories(root.resolve("lib"));
        Files.createDirectories(root.resolve("bin"));
        Files.writeString(root.resolve("lib/libretrace.so"), "");
        return new Dist(root);
    }
}
