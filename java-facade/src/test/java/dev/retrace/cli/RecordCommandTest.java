package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * retrace record against a stand-in java that logs its arguments and, when told to by a file
 * beside it, writes the tape the agent would have written and exits with a given status.
 */
class RecordCommandTest {
    @TempDir
    Path dir;

    Dist dist;
    Path jdk;
    Path java;

    @BeforeEach
    void fakeJava() throws IOException {
        dist = Cli.fakeDist(dir.resolve("dist"));
        jdk = dir.resolve("jdk");
        java = Cli.script(jdk.resolve("bin/java"), """
                #!/bin/sh
                here=$(dirname "$0")
                printf '%s\\n' "$@" > "$here/args.txt"
                tape=$(printf '%s\\n' "$1" | sed -n 's/^-agentpath:[^=]*=record,tape=\\([^,]*\\).*/\\1/p')
                if [ -f "$here/create" ]; then echo recorded > "$tape"; fi
                exit $(cat "$here/status" 2>/dev/null || echo 0)
                """);
    }

    private Cli.Result record(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "record";
        all[1] = "--java";
        all[2] = java.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.run(dist, all);
    }

    private List<String> javaArguments() throws IOException {
        return Files.readAllLines(jdk.resolve("bin/args.txt"));
    }

    @Test
    void runsJavaWithTheAgentAndReportsTheRecording() throws IOException {
        Files.writeString(jdk.resolve("bin/create"), "");
        Path out = dir.resolve("run.retrace");
        Cli.Result r = record("-o", out.toString(), "--stacktraces", "--", "-jar", "app.jar", "--port", "0");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("-agentpath:" + dist.agent() + "=record,tape=" + out + ",stacktraces",
                "-jar", "app.jar", "--port", "0"), javaArguments());
        assertEquals(List.of("retrace record: saved " + out + " (replay with: " + out + ")"), r.errLines());
    }

    @Test
    void passesTheEscapeTimeAndRefusesANegativeOne() throws IOException {
        Files.writeString(jdk.resolve("bin/create"), "");
        Path out = dir.resolve("e.retrace");
        Cli.Result r = record("-o", out.toString(), "--escape-after", "0", "--", "Main");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("-agentpath:" + dist.agent() + "=record,tape=" + out + ",escape_after=0", "Main"),
                javaArguments());
        Cli.Result bad = record("-o", dir.resolve("f.retrace").toString(), "--escape-after", "-5", "--", "Main");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--escape-after takes milliseconds"), bad.err());
    }

    @Test
    void passesEveryAgentOption() throws IOException {
        Path out = dir.resolve("f.retrace");
        Files.writeString(jdk.resolve("bin/status"), "1");
        Files.writeString(jdk.resolve("bin/create"), "");
        Cli.Result r = record("-o", out.toString(), "--save-on", "failure", "--stacktraces", "--verbose", "--", "Main");
        assertEquals(1, r.status(), r.err());
        assertEquals("-agentpath:" + dist.agent() + "=record,tape=" + out + ",save_on=failure,stacktraces,verbose",
                javaArguments().getFirst());
        assertEquals("retrace record: " + java + " -agentpath:" + dist.agent() + "=record,tape=" + out
                + ",save_on=failure,stacktraces,verbose Main", r.errLines().getFirst());
    }

    @Test
    void preemptFieldsAsksForTheFinerTicks() throws IOException {
        Path out = dir.resolve("f.retrace");
        Files.writeString(jdk.resolve("bin/status"), "0");
        Files.writeString(jdk.resolve("bin/create"), "");
        String agent = "-agentpath:" + dist.agent() + "=record,tape=" + out;
        String[][] cases = {
            {"--preempt", agent + ",preempt=on"},
            {"--preempt-fields", agent + ",preempt=fields"},
            {"--chaos", agent + ",chaos"},
            {"--chaos --preempt-fields", agent + ",chaos,preempt=fields"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("-o", out.toString(), "--force"));
            args.addAll(List.of(c[0].split(" ")));
            args.addAll(List.of("--", "Main"));
            Cli.Result r = record(args.toArray(new String[0]));
            assertEquals(0, r.status(), r.err());
            assertEquals(c[1], javaArguments().getFirst(), c[0]);
        }
    }

    @Test
    void childrenAreRecordedUnlessNoChildren() throws IOException {
        Path out = dir.resolve("c.retrace");
        record("-o", out.toString(), "--", "Main");
        assertEquals("-agentpath:" + dist.agent() + "=record,tape=" + out, javaArguments().getFirst());
        Cli.Result r = record("-o", out.toString(), "--force", "--no-children", "--", "Main");
        assertEquals(0, r.status(), r.err());
        assertEquals("-agentpath:" + dist.agent() + "=record,tape=" + out + ",no_children", javaArguments().getFirst());
    }

    @Test
    void exitsWithTheProgramsStatus() throws IOException {
        Files.writeString(jdk.resolve("bin/status"), "42");
        Cli.Result r = record("-o", dir.resolve("x.retrace").toString(), "--", "Main");
        assertEquals(42, r.status());
        assertEquals(List.of("retrace record: no recording was written to " + dir.resolve("x.retrace")
                + " (did the agent load? try --verbose)"), r.errLines());
    }

    @Test
    void saveOnFailureAfterSuccessKeepsNothing() {
        Cli.Result r = record("-o", dir.resolve("x.retrace").toString(), "--save-on", "failure", "--", "Main");
        assertEquals(0, r.status());
        assertEquals(List.of("retrace record: no recording kept (save-on failure and the run succeeded)"), r.errLines());
    }

    @Test
    void anExistingFileIsKeptWithoutForce() throws IOException {
        Path out = Files.writeString(dir.resolve("old.retrace"), "precious");
        Cli.Result r = record("-o", out.toString(), "--", "Main");
        r.assertDataError("retrace record: " + out + " already exists (use --force to overwrite it)");
        assertEquals("precious", Files.readString(out));
        assertFalse(Files.exists(jdk.resolve("bin/args.txt")), "java must not run");
    }

    @Test
    void forceReplacesTheFile() throws IOException {
        Path out = Files.writeString(dir.resolve("old.retrace"), "precious");
        Cli.Result r = record("-o", out.toString(), "--force", "--save-on", "failure", "--", "Main");
        assertEquals(0, r.status());
        assertFalse(Files.exists(out), "an old recording must not pass for this run's");
        assertEquals(List.of("retrace record: no recording kept (save-on failure and the run succeeded)"), r.errLines());
    }

    @Test
    void aMissingDirectoryIsADataError() {
        Path out = dir.resolve("nowhere/run.retrace");
        record("-o", out.toString(), "--", "Main").assertDataError(
                "retrace record: the directory of " + out + " does not exist");
    }

    @Test
    void aCommaInThePathIsADataError() {
        record("-o", dir.resolve("a,b.retrace").toString(), "--", "Main").assertDataError("retrace record: the path ");
    }

    @Test
    void javaMayBeAJdkDirectory() throws IOException {
        Cli.Result r = Cli.run(dist, "record", "--java", jdk.toString(), "-o", dir.resolve("r.retrace").toString(), "--", "Main");
        assertEquals(0, r.status(), r.err());
        assertEquals("Main", javaArguments().getLast());
    }

    @Test
    void aMissingJavaIsADataError() {
        Cli.Result r = Cli.run(dist, "record", "--java", dir.resolve("nojava").toString(), "--", "Main");
        r.assertDataError("retrace record: --java " + dir.resolve("nojava") + " is not a java executable");
    }

    @Test
    void withoutAnAgentNothingRuns() throws IOException {
        Files.delete(dist.agent());
        Cli.Result r = record("-o", dir.resolve("r.retrace").toString(), "--", "Main");
        r.assertDataError("retrace record: the agent is not built: " + dist.agent() + " is missing");
        assertFalse(Files.exists(jdk.resolve("bin/args.txt")));
    }

    @Test
    void javaArgumentsAreRequired() {
        Cli.Result r = record("-o", dir.resolve("r.retrace").toString());
        assertEquals(2, r.status());
        assertEquals("retrace record: missing the java arguments to run, e.g. retrace record -- -jar app.jar",
                r.errLines().getFirst());
        assertTrue(r.err().contains("Usage: retrace record"), r.err());
    }

    @Test
    void javaOptionsNeedTheSeparator() {
        Cli.Result r = record("-jar", "app.jar");
        assertEquals(2, r.status());
        assertEquals("retrace record: unknown option '-jar' (put the java arguments after --, e.g. retrace record -- -jar app.jar)",
                r.errLines().getFirst());
    }

    @Test
    void argumentsAfterTheMainClassAreTheProgramsOwn() throws IOException {
        Cli.Result r = record("-o", dir.resolve("r.retrace").toString(), "demo.Main", "--verbose", "-x");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("demo.Main", "--verbose", "-x"), javaArguments().subList(1, 4));
        assertFalse(javaArguments().getFirst().endsWith(",verbose"));
    }

    @Test
    void badSaveOnIsAUsageError() {
        Cli.Result r = record("--save-on", "sometimes", "--", "Main");
        assertEquals(2, r.status());
        assertTrue(r.errLines().getFirst().startsWith("retrace record: invalid value for option '--save-on'"), r.err());
    }

    @Test
    void defaultNameAndHowToRunIt() {
        assertEquals("retrace-20251121-164800.retrace", RecordCommand.defaultName(LocalDateTime.of(2025, 11, 21, 16, 48, 0)));
        assertEquals("./run.retrace", RecordCommand.runnable(Path.of("run.retrace")));
        assertEquals("./recordings/run.retrace", RecordCommand.runnable(Path.of("recordings/run.retrace")));
        assertEquals("../run.retrace", RecordCommand.runnable(Path.of("../run.retrace")));
        assertEquals("/tmp/run.retrace", RecordCommand.runnable(Path.of("/tmp/run.retrace")));
    }
}
