package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real retrace-replay, copied into a dist of its own with an empty agent, a stand-in JDK
 * (bin/java logs what it was started with) and a stand-in facade (bin/retrace logs its
 * arguments). Recordings name this launcher in their shebang, so they are run directly.
 */
class LauncherTest {
    @TempDir
    Path dir;

    Path launcher;
    Path jdk;
    Path work;

    record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : Arrays.asList(err.split("\n"));
        }
    }

    @BeforeEach
    void install() throws IOException {
        Path real = Cli.dist().launcher();
        assertTrue(Files.isExecutable(real), "the launcher is not built: " + real);
        Dist dist = Cli.fakeDist(dir.resolve("dist"));
        launcher = Files.copy(real, dist.launcher(), StandardCopyOption.COPY_ATTRIBUTES);
        Cli.script(dist.root().resolve("bin/retrace"), """
                #!/bin/sh
                printf '%s\\n' "$@" > "$(dirname "$0")/facade-args.txt"
                exit 5
                """);
        jdk = dir.resolve("jdk");
        Cli.script(jdk.resolve("bin/java"), """
                #!/bin/sh
                log="$(dirname "$0")/run.txt"
                printf '%s\\n' "$@" > "$log"
                echo "cwd=$(pwd)" >> "$log"
                echo "JAVA_TOOL_OPTIONS=${JAVA_TOOL_OPTIONS-unset}" >> "$log"
                echo "JDK_JAVA_OPTIONS=${JDK_JAVA_OPTIONS-unset}" >> "$log"
                echo "_JAVA_OPTIONS=${_JAVA_OPTIONS-unset}" >> "$log"
                echo "KEPT=${KEPT-unset}" >> "$log"
                exit 42
                """);
        // The launcher runs the JDK here that is the recorded build: the tapes carry these files' checksums.
        Files.createDirectories(jdk.resolve("lib/server"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Files.writeString(jdk.resolve("lib/server/libjvm.so"), "a stand-in libjvm.so\n");
        work = Files.createDirectories(dir.resolve("work"));
        // The test tapes' code: the launcher checks that the recorded classpath entries are there.
        Files.createFile(work.resolve("app.jar"));
    }

    private Path tape(String... options) throws Exception {
        List<String> all = new ArrayList<>(List.of("--launcher", launcher.toString(), "--java-home", jdk.toString(),
                "--cwd", work.toString(), "--jdk-checksums"));
        all.addAll(Arrays.asList(options));
        return Cli.makeTape(dir.resolve("run.retrace"), all.toArray(String[]::new));
    }

    private Run run(List<String> command) throws IOException, InterruptedException {
        return run(command, 60);
    }

    /** Runs the command; one still running after {@code seconds} is killed and fails the test. */
    private Run run(List<String> command, int seconds) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.put("_JAVA_OPTIONS", "-Dfrom=the-shell");
        env.put("KEPT", "yes");
        env.put("RETRACE_JDKS", jdk.toString());
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            fail(command + " still ran after " + seconds + " s; stderr: " + Files.readString(err));
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> javaRun() throws IOException {
        return Files.readAllLines(jdk.resolve("bin/run.txt"));
    }

    private String replayAgent(Path tape, long pid) {
        return "-agentpath:" + dir.resolve("dist/lib/libretrace.so") + "=replay,tape=" + tape + ",pid=" + pid;
    }

    @Test
    void theRecordingRunsTheRecordedCommandWithTheReplayAgent() throws Exception {
        Path tape = tape("--env", "JAVA_TOOL_OPTIONS=-Xss2m -agentpath:/ci/libretrace.so=record,tape=/ci/t.retrace",
                "--env", "HOME=/home/ci");
        Run r = run(List.of("./run.retrace"));
        assertEquals(42, r.status(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of(replayAgent(tape, 4242), "-XX:-UsePerfData", "-cp", "app.jar", "demo.Main", "hello world",
                "cwd=" + work, "JAVA_TOOL_OPTIONS=-Xss2m", "JDK_JAVA_OPTIONS=unset", "_JAVA_OPTIONS=unset", "KEPT=yes"),
                javaRun());
    }

    @Test
    void theAgentGoesFirstWhenItCameFromTheEnvironment() throws Exception {
        Path tape = tape("--arg", "-Xmx64m", "--arg", "-jar", "--arg", "app.jar",
                "--env", "JAVA_TOOL_OPTIONS=-agentpath:/ci/libretrace.so=record", "--env", "JDK_JAVA_OPTIONS=-Dx=1");
        Run r = run(List.of("./run.retrace"));
        assertEquals(42, r.status(), r.err());
        assertEquals(List.of(replayAgent(tape, 4242), "-XX:-UsePerfData", "-Xmx64m", "-jar", "app.jar", "cwd=" + work,
                "JAVA_TOOL_OPTIONS=unset", "JDK_JAVA_OPTIONS=-Dx=1", "_JAVA_OPTIONS=unset", "KEPT=yes"), javaRun());
    }

    @Test
    void pidAndVerbose() throws Exception {
        Path tape = tape("--child");
        Run r = run(List.of("./run.retrace", "--pid", "4243", "--verbose"));
        assertEquals(42, r.status(), r.err());
        assertEquals(replayAgent(tape, 4243) + ",verbose", javaRun().getFirst());
        assertEquals("-XX:-UsePerfData", javaRun().get(1));
        assertEquals("demo.Child", javaRun().get(4));
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace-replay: cd " + work + " && env -u _JAVA_OPTIONS " + jdk + "/bin/java "
                + replayAgent(tape, 4243) + ",verbose -XX:-UsePerfData -cp app.jar demo.Child"), r.err());
    }

    @Test
    void unknownPidNamesThePids() throws Exception {
        tape("--child");
        Run r = run(List.of("./run.retrace", "--pid", "9"));
        assertEquals(2, r.status());
        assertEquals(List.of("retrace-replay: no process 9 in ./run.retrace (its processes: 4242, 4243)"), r.errLines());
    }

    @Test
    void unknownPidInACutRecordingSaysItStopsEarly() throws Exception {
        Path tape = tape("--child");
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(tape.toFile(), "rw")) {
            file.setLength(file.length() - 5);
        }
        Run r = run(List.of("./run.retrace", "--pid", "9"));
        assertEquals(2, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace-replay: no process 9 in ./run.retrace (its processes: 4242, 4243); "
                + "./run.retrace stops early, at offset "), r.err());
        assertTrue(r.err().endsWith(": a process that started after that is not in it\n"), r.err());
    }

    @Test
    void aMissingJvmIs121() throws Exception {
        Cli.makeTape(dir.resolve("run.retrace"), "--launcher", launcher.toString(), "--java-home", "/nonexistent/jdk");
        Run r = run(List.of("./run.retrace"));
        assertEquals(121, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace-replay: cannot replay: no JDK here is the recorded build "
                + "(OpenJDK 64-Bit Server VM 25.0.3+9-LTS; looked at "), r.err());
        assertTrue(r.err().contains("give its home with --java DIR, or list JDK homes in RETRACE_JDKS"), r.err());
        // The stand-in JDK here says 25.0.3 in its release file but is not the recorded build.
        assertTrue(r.err().endsWith(dir.resolve("jdk") + " (25.0.3) is another build of JDK 25: replay on it with "
                + "--any-build, and the replay stops at the first difference it makes\n"), r.err());
    }

    @Test
    void optionsThatRunCommandsAreRefusedUnlessTrusted() throws Exception {
        Path marker = dir.resolve("marker");
        String payload = "-XX:OnError=touch " + marker;
        for (List<String> tapeOptions : List.of(
                List.of("--arg", "-XX:+UnlockDiagnosticVMOptions", "--arg", payload, "--arg", "-cp", "--arg", "app.jar",
                        "--arg", "demo.Main"),
                List.of("--env", "JAVA_TOOL_OPTIONS=-Xss2m '" + payload + "'"),
                List.of("--env", "JDK_JAVA_OPTIONS=-agentpath:" + dir.resolve("evil.so")))) {
            Path tape = tape(tapeOptions.toArray(String[]::new));
            Files.deleteIfExists(jdk.resolve("bin/run.txt"));
            Run refused = run(List.of("./run.retrace"));
            assertEquals(124, refused.status(), refused.err());
            assertEquals(1, refused.errLines().size(), refused.err());
            assertTrue(refused.err().startsWith("retrace-replay: refusing to replay: the recorded "), refused.err());
            assertTrue(refused.err().contains("--trust"), refused.err());
            assertFalse(Files.exists(jdk.resolve("bin/run.txt")), "the JVM ran: " + tapeOptions);
            assertFalse(Files.exists(marker));
            // The same recording with --trust: what was refused is what the JVM would have been given.
            Run trusted = run(List.of(launcher.toString(), "--recording", tape.toString(), "--trust"));
            assertEquals(42, trusted.status(), trusted.err());
            assertTrue(Files.exists(jdk.resolve("bin/run.txt")));
        }
        Run mentioned = run(List.of("./run.retrace"));
        assertTrue(mentioned.err().contains("JDK_JAVA_OPTIONS has -agentpath:"), mentioned.err());
    }

    @Test
    void theJvmIsFoundHereNotAtTheRecordedJavaHome() throws Exception {
        // A recording whose java.home names a directory with a java of its author's choosing, and
        // with the checksums of the real JDK's files: the JDK here that is that build runs instead.
        Path evil = dir.resolve("evil-jdk");
        Path marker = dir.resolve("marker");
        Cli.script(evil.resolve("bin/java"), "#!/bin/sh\ntouch " + marker + "\n");
        Files.createDirectories(evil.resolve("lib/server"));
        Files.copy(jdk.resolve("release"), evil.resolve("release"));
        Files.copy(jdk.resolve("lib/server/libjvm.so"), evil.resolve("lib/server/libjvm.so"));
        Cli.makeTape(dir.resolve("run.retrace"), "--launcher", launcher.toString(), "--java-home", evil.toString(),
                "--cwd", work.toString(), "--jdk-checksums");
        Run r = run(List.of("./run.retrace"));
        assertEquals(42, r.status(), r.err());
        assertFalse(Files.exists(marker), "the recorded java.home ran");
        assertTrue(Files.exists(jdk.resolve("bin/run.txt")));
        // Another build than any JDK here: refused, even though the recorded directory exists.
        Files.writeString(evil.resolve("release"), "JAVA_VERSION=\"26\"\n");
        Cli.makeTape(dir.resolve("run.retrace"), "--launcher", launcher.toString(), "--java-home", evil.toString(),
                "--cwd", work.toString(), "--jdk-checksums");
        Run other = run(List.of("./run.retrace"));
        assertEquals(121, other.status(), other.err());
        assertTrue(other.err().startsWith("retrace-replay: cannot replay: no JDK here is the recorded build"), other.err());
        assertFalse(Files.exists(marker), "the recorded java.home ran");
        // --java names the JDK to use; it too must be the recorded build.
        Run explicit = run(List.of("./run.retrace", "--java", jdk.toString()));
        assertEquals(121, explicit.status(), explicit.err());
        assertTrue(explicit.err().contains("looked at 1)"), explicit.err());
        assertFalse(Files.exists(marker));
    }

    @Test
    void aMissingDirectoryIs121() throws Exception {
        Cli.makeTape(dir.resolve("run.retrace"), "--launcher", launcher.toString(), "--java-home", jdk.toString(),
                "--cwd", "/nonexistent/dir", "--jdk-checksums");
        Run r = run(List.of("./run.retrace"));
        assertEquals(121, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace-replay: the working directory of this recording (/nonexistent/dir)"), r.err());
    }

    @Test
    void aMissingClasspathEntryIs121BeforeTheJvmStarts() throws Exception {
        Path tape = tape();
        Files.delete(work.resolve("app.jar"));
        Run r = run(List.of("./" + tape.getFileName()));
        assertEquals(121, r.status());
        assertEquals(List.of("retrace-replay: the classpath entry app.jar is missing (it was there when recorded,"
                + " and replay runs the recorded code)"), r.errLines());
        assertFalse(Files.exists(jdk.resolve("bin/run.txt")), "the JVM ran");
    }

    @Test
    void notARecordingIs122() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello\n");
        Run text = run(List.of(launcher.toString(), "--recording", "notes.txt"));
        assertEquals(122, text.status());
        assertEquals(1, text.errLines().size(), text.err());
        assertTrue(text.err().startsWith("retrace-replay: notes.txt"), text.err());
        Run missing = run(List.of(launcher.toString(), "--recording", "missing.retrace"));
        assertEquals(122, missing.status());
        assertEquals(1, missing.errLines().size(), missing.err());
    }

    @Test
    void nonRegularFilesAre122AtOnce() throws Exception {
        Path fifo = CliErrorsTest.mkfifo(dir.resolve("fifo.retrace"));
        Path directory = Files.createDirectory(dir.resolve("dir.retrace"));
        for (List<String> args : List.<List<String>>of(List.of(), List.of("--pid", "4242"), List.of("--verbose"))) {
            for (Path file : List.of(fifo, Path.of("/dev/zero"), directory)) {
                List<String> command = new ArrayList<>(List.of(launcher.toString(), "--recording", file.toString()));
                command.addAll(args);
                Run r = run(command, 10);
                assertEquals(122, r.status(), () -> command + ": " + r.err());
                String what = file.equals(fifo) ? " is not a regular file (a FIFO)"
                        : file.equals(directory) ? " is a directory, not a Retrace recording"
                        : " is not a regular file (a character device)";
                assertEquals(List.of("retrace-replay: " + file + what), r.errLines(), command::toString);
                assertFalse(Files.exists(jdk.resolve("bin/run.txt")), "the JVM ran");
            }
        }
    }

    @Test
    void otherArgumentsGoToTheFacade() throws Exception {
        tape();
        for (List<String> args : List.of(List.of("--list_pids"), List.of("--extract", "out"), List.of("summary"),
                List.of("print", "--json"), List.of("--help"), List.of("--pid", "4242", "summary"))) {
            List<String> command = new ArrayList<>(List.of("./run.retrace"));
            command.addAll(args);
            Run r = run(command);
            assertEquals(5, r.status(), () -> args + ": " + r.err());
            List<String> expected = new ArrayList<>(List.of("--recording", "./run.retrace"));
            expected.addAll(args);
            assertEquals(expected, Files.readAllLines(dir.resolve("dist/bin/facade-args.txt")));
        }
    }

    @Test
    void usage() throws Exception {
        Run help = run(List.of(launcher.toString(), "--help"));
        assertEquals(0, help.status());
        assertTrue(help.out().startsWith("Usage: retrace-replay --recording FILE"), help.out());
        Run none = run(List.of(launcher.toString()));
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("retrace-replay: no recording given\nUsage:"), none.err());
        Run badPid = run(List.of(launcher.toString(), "--recording", "x.retrace", "--pid", "x"));
        assertEquals(2, badPid.status());
    }
}
