package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CliErrorsTest {
    @TempDir
    Path dir;

    @Test
    void noArgumentsPrintsTheTutorial() {
        Cli.Result r = Cli.run();
        assertEquals(0, r.status());
        assertEquals("", r.err());
        assertTrue(r.out().contains("retrace record -o run.retrace -- -jar app.jar"), r.out());
        assertTrue(r.out().contains("./run.retrace"), r.out());
        for (String verb : new String[] {"record", "replay", "print", "summary", "list-pids", "extract", "pack", "agent-path"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("  " + verb + " ")), "lists " + verb + ":\n" + r.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"record", "replay", "print", "summary", "list-pids", "extract", "pack", "agent-path"})
    void everyVerbHasSyntaxOptionsAndExamples(String verb) {
        Cli.Result r = Cli.run(verb, "--help");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Usage: retrace " + verb), r.out());
        assertTrue(r.out().contains("-h, --help"), r.out());
        assertTrue(r.out().contains("Example usage:"), r.out());
        assertEquals(r.out(), Cli.run("help", verb).out());
    }

    @Test
    void unknownVerbIsAUsageError() {
        Cli.Result r = Cli.run("frobnicate", "x.retrace");
        assertEquals(2, r.status());
        assertEquals("retrace: unknown command 'frobnicate'", r.errLines().getFirst());
        assertTrue(r.err().contains("Usage: retrace <command>"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void misspeltVerbGetsASuggestion() {
        Cli.Result r = Cli.run("summry", "x.retrace");
        assertEquals(2, r.status());
        assertTrue(r.errLines().getFirst().startsWith("retrace: unknown command 'summry'; did you mean summary"), r.err());
    }

    @Test
    void unknownOptionIsAUsageErrorWithTheVerbsUsage() {
        Cli.Result r = Cli.run("print", "--bogus", "x.retrace");
        assertEquals(2, r.status());
        assertEquals("retrace print: unknown option '--bogus'", r.errLines().getFirst());
        assertTrue(r.err().contains("Usage: retrace print"), r.err());
        assertTrue(r.err().contains("Example usage:"), r.err());
    }

    @Test
    void missingParameterIsAUsageError() {
        Cli.Result r = Cli.run("summary");
        assertEquals(2, r.status());
        assertEquals("retrace summary: missing required parameter: 'FILE'", r.errLines().getFirst());
    }

    @Test
    void badOptionValueIsAUsageError() {
        Cli.Result r = Cli.run("print", "--pid", "abc", "x.retrace");
        assertEquals(2, r.status());
        assertTrue(r.errLines().getFirst().startsWith("retrace print: invalid value for option '--pid'"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"summary", "print", "list-pids", "extract", "pack", "replay"})
    void missingFileIsOneLine(String verb) {
        Path missing = dir.resolve("missing.retrace");
        Cli.Result r = Cli.run(verb, missing.toString());
        // replay exits like the launcher and the agent do for an unreadable recording.
        r.assertDataError("retrace " + verb + ": ", verb.equals("replay") ? 122 : 1);
        assertEquals("retrace " + verb + ": " + missing + ": no such file", r.errLines().getFirst());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"summary", "print", "list-pids", "extract", "pack"})
    void textFileIsNotARecording(String verb) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\nworld\n");
        Cli.Result r = Cli.run(verb, text.toString());
        r.assertDataError("retrace " + verb + ": ");
        assertTrue(r.err().contains("notes.txt"), r.err());
        assertTrue(r.err().contains("not a Retrace recording"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"summary", "print", "list-pids", "extract"})
    void emptyFileIsNotARecording(String verb) throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.retrace"));
        Cli.Result r = Cli.run(verb, empty.toString());
        r.assertDataError("retrace " + verb + ": ");
        assertTrue(r.err().contains("empty.retrace"), r.err());
    }

    @Test
    void replayOfATextFileExitsLikeTheLauncher() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\nworld\n");
        Cli.Result r = Cli.run("replay", text.toString());
        r.assertDataError("retrace replay: ", 122);
        assertTrue(r.err().contains("not a Retrace recording"), r.err());
    }

    @Test
    void shebangWithoutFramesIsNotARecording() throws IOException {
        Path file = Files.writeString(dir.resolve("bare.retrace"), "#!/usr/bin/env retrace-replay --recording\n");
        Cli.Result r = Cli.run("summary", file.toString());
        r.assertDataError("retrace summary: ");
    }

    @Test
    void directoryIsNotARecording() {
        Cli.Result r = Cli.run("summary", dir.toString());
        r.assertDataError("retrace summary: ");
        assertEquals("retrace summary: " + dir + " is a directory, not a recording", r.errLines().getFirst());
    }

    /** Every verb that reads a recording, as `retrace VERB FILE` and as the launcher hands it over. */
    static Stream<Arguments> verbsOnNonRegularFiles() {
        List<Arguments> all = new ArrayList<>();
        for (String kind : List.of("fifo", "/dev/zero", "directory")) {
            for (String verb : List.of("summary", "print", "list-pids", "extract", "pack", "replay", "scan")) {
                all.add(Arguments.of(kind, List.of(verb, "FILE"), "retrace " + verb + ": "));
            }
            all.add(Arguments.of(kind, List.of("print", "--json", "FILE"), "retrace print: "));
            all.add(Arguments.of(kind, List.of("--recording", "FILE"), "retrace replay: "));
            all.add(Arguments.of(kind, List.of("--recording", "FILE", "--list_pids"), "retrace list-pids: "));
            all.add(Arguments.of(kind, List.of("--recording", "FILE", "--extract"), "retrace extract: "));
            all.add(Arguments.of(kind, List.of("--recording", "FILE", "summary"), "retrace summary: "));
        }
        return all.stream();
    }

    /**
     * A FIFO (opening one without a writer waits for a writer), /dev/zero (reading it never ends)
     * and a directory: refused at once, in one line naming what the file is, before anything reads
     * it. The timeout runs the test in a thread of its own, so a verb that blocks fails the test.
     */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("verbsOnNonRegularFiles")
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void nonRegularFilesAreRefusedAtOnceInOneLine(String kind, List<String> args, String prefix) throws Exception {
        Path file = switch (kind) {
            case "fifo" -> mkfifo(dir.resolve("fifo.retrace"));
            case "directory" -> Files.createDirectory(dir.resolve("run.retrace"));
            default -> Path.of(kind);
        };
        String[] command = args.stream().map(a -> a.equals("FILE") ? file.toString() : a).toArray(String[]::new);
        long started = System.nanoTime();
        Cli.Result r = Cli.run(command);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        boolean replays = prefix.startsWith("retrace replay") || prefix.startsWith("retrace scan");
        r.assertDataError(prefix, replays ? 122 : 1);  // 122: as the launcher and scan give an unreadable recording
        String what = switch (kind) {
            case "fifo" -> " is not a regular file (a FIFO)";
            case "directory" -> " is a directory, not a recording";
            default -> " is not a regular file (a character device)";
        };
        assertEquals(prefix + file + what, r.errLines().getFirst());
        assertEquals("", r.out());
        assertTrue(millis < 5000, "took " + millis + " ms");
        if (kind.equals("directory")) {
            try (Stream<Path> entries = Files.list(file)) {
                assertEquals(List.of(), entries.toList(), "nothing was written into it");
            }
        }
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLinkToAFifoIsRefusedForWhatItNames() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("link.retrace"), mkfifo(dir.resolve("fifo")));
        Cli.Result r = Cli.run("summary", link.toString());
        r.assertDataError("retrace summary: ");
        assertEquals("retrace summary: " + link + " is not a regular file (a FIFO)", r.errLines().getFirst());
    }

    static Path mkfifo(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        String output = new String(mkfifo.getInputStream().readAllBytes());
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue(), "mkfifo: " + output);
        return path;
    }

    @Test
    void recordingFormRejectsUnknownArguments() {
        Cli.Result r = Cli.run("--recording", "x.retrace", "--bogus");
        assertEquals(2, r.status());
        assertTrue(r.errLines().getFirst().startsWith("retrace: unknown argument '--bogus' after --recording x.retrace"),
                r.err());
    }

    @Test
    void recordingFormNeedsAFile() {
        Cli.Result r = Cli.run("--recording");
        assertEquals(2, r.status());
        assertEquals("retrace: --recording needs a file", r.errLines().getFirst());
        assertTrue(r.err().contains("retrace --recording FILE --list_pids"), r.err());
    }

    @Test
    void recordingFormHelp() {
        Cli.Result r = Cli.run("--recording", "x.retrace", "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("retrace --recording FILE --list_pids"), r.out());
    }

    @Test
    void versionIsPrinted() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("retrace "), r.out());
    }

    @Test
    void internalErrorsAreOneLineWithoutStackTrace() {
        Cli.Result r = Cli.run(new String[] {null});
        assertEquals(70, r.status(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace: unexpected internal error: java.lang.NullPointerException"), r.err());
    }

    @Test
    void agentPathPrintsTheAgent() throws IOException {
        Dist dist = Cli.fakeDist(dir.resolve("dist"));
        Cli.Result r = Cli.run(dist, "agent-path");
        assertEquals(0, r.status(), r.err());
        assertEquals(dir.resolve("dist/lib/libretrace.so") + "\n", r.out());
    }

    @Test
    void agentPathWithoutAnAgentIsADataError() throws IOException {
        Files.createDirectories(dir.resolve("empty-dist"));
        Cli.Result r = Cli.run(new Dist(dir.resolve("empty-dist")), "agent-path");
        r.assertDataError("retrace agent-path: the agent is not built: ");
        assertEquals("", r.out());
    }

    @Test
    void withoutAnInstallationCommandsSayWhatIsMissing() {
        Cli.Result r = Cli.run(new Dist(null), "agent-path");
        r.assertDataError("retrace agent-path: cannot find the Retrace installation");
    }
}
