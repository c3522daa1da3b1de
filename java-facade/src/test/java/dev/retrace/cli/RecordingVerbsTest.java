package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.retrace.tape.Recording;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary, print, list-pids and extract on recordings written by make_test_tape. */
class RecordingVerbsTest {
    @TempDir
    Path dir;

    Path tape;

    @BeforeEach
    void makeTape() throws Exception {
        tape = Cli.makeTape(dir.resolve("run.retrace"), "--child", "--cwd", "/srv/app", "--exit", "3");
    }

    @Test
    void summaryOfACompleteRecording() {
        Cli.Result r = Cli.run("summary", tape.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.outLines();
        assertTrue(lines.contains(" Recording: " + tape), r.out());
        assertTrue(lines.contains(" Format version: 2"), r.out());
        assertTrue(lines.contains(" Size: " + tape.toFile().length() + " bytes"), r.out());
        assertTrue(lines.contains(" Status: complete"), r.out());
        assertTrue(lines.contains(" Process 4242 (root)"), r.out());
        assertTrue(lines.contains(" Children: 4243"), r.out());
        assertTrue(lines.contains(" Command line: java -agentpath:/opt/retrace/lib/libretrace.so=record,tape=" + tape
                + " -cp app.jar demo.Main 'hello world'"), r.out());
        assertTrue(lines.contains(" JVM: OpenJDK 64-Bit Server VM 25.0.3+9-LTS"), r.out());
        assertTrue(lines.contains(" Java home: /usr/lib/jvm/temurin-25-jdk-amd64"), r.out());
        assertTrue(lines.contains(" Working directory: /srv/app"), r.out());
        assertTrue(lines.contains(" Start: 2025-11-21T15:46:40Z"), r.out());
        assertTrue(lines.contains(" End: 2025-11-21T15:46:41.234Z (1.234 s)"), r.out());
        assertTrue(lines.contains(" Exit status: 3"), r.out());
        assertTrue(lines.contains(" Events: 8"), r.out());
        assertTrue(lines.contains(" Threads: 2 (main, worker-1)"), r.out());
        assertEquals(" Hand-overs: 0 (yield 0, block 0, forced 0, escape 0)",
                lines.get(lines.indexOf(" Threads: 2 (main, worker-1)") + 1), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches(" java\\.lang\\.System\\.nanoTime\\(\\)J +3")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches(" java\\.io\\.FileInputStream\\.readBytes\\(\\[BII\\)I +1")), r.out());
        // the child
        assertTrue(lines.contains(" Process 4243"), r.out());
        assertTrue(lines.contains(" Parent: 4242 (at event 3 of its thread 0)"), r.out());
        assertTrue(lines.contains(" Command line: java -cp app.jar demo.Child"), r.out());
        assertTrue(lines.indexOf(" Process 4242 (root)") < lines.indexOf(" Process 4243"));
    }

    @Test
    void listPidsRootFirst() {
        Cli.Result viaOption = Cli.run("--recording", tape.toString(), "--list_pids");
        assertEquals(0, viaOption.status(), viaOption.err());
        assertEquals("4242\n4243\n", viaOption.out());
        assertEquals(viaOption.out(), Cli.run("list-pids", tape.toString()).out());
    }

    @Test
    void recordingFormRunsVerbs() {
        assertEquals(Cli.run("summary", tape.toString()).out(), Cli.run("--recording", tape.toString(), "summary").out());
        assertEquals(Cli.run("print", "--pid", "4243", tape.toString()).out(),
                Cli.run("--recording", tape.toString(), "print", "--pid", "4243").out());
    }

    @Test
    void printShowsEveryEvent() {
        Cli.Result r = Cli.run("print", tape.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines();
        assertEquals("Process 4242 (root, 8 events, exit 3): java -agentpath:/opt/retrace/lib/libretrace.so=record,tape="
                + tape + " -cp app.jar demo.Main 'hello world'", lines.getFirst());
        assertTrue(lines.contains("  main     #0     java.lang.System.nanoTime()J = 1000000"), r.out());
        assertTrue(lines.contains("  main     #2     java.lang.ProcessEnvironment.environ()[[B"
                + " items=[\"PATH=/usr/bin\", null, \"LANG=C.UTF-8\"]"), r.out());
        assertTrue(lines.contains("  main     #3     java.io.FileInputStream.readBytes([BII)I = 7 data[7]=\"hello\\n\\x01\""),
                r.out());
        assertTrue(lines.contains("  main     #4     java.io.FileInputStream.open0(Ljava/lang/String;)V"
                + " threw java.io.FileNotFoundException: missing.txt (No such file or directory) (errno 2)"), r.out());
        int open = lines.indexOf("  main     #4     java.io.FileInputStream.open0(Ljava/lang/String;)V"
                + " threw java.io.FileNotFoundException: missing.txt (No such file or directory) (errno 2)");
        assertEquals("at java.io.FileInputStream.open(FileInputStream.java:213)", lines.get(open + 1).strip());
        assertEquals("at demo.Main.main(Main.java:12)", lines.get(open + 2).strip());
        assertTrue(lines.contains("  worker-1 #0     sun.nio.fs.UnixNativeDispatcher.stat0(JLsun/nio/fs/UnixFileAttributes;)I"
                + " = 0 fields=[33188, 1024, 1763740000]"), r.out());
        assertTrue(lines.contains("Process 4243 (child of 4242 at event 3 of its thread 0, 2 events, exit 0): java -cp app.jar demo.Child"),
                r.out());
        long eventLines = lines.stream().filter(l -> l.matches("  \\S+ +#\\d+ .*")).count();
        assertEquals(10, eventLines, r.out());
    }

    @Test
    void printOneProcess() {
        Cli.Result r = Cli.run("print", "--pid", "4243", tape.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of(
                "Process 4243 (child of 4242 at event 3 of its thread 0, 2 events, exit 0): java -cp app.jar demo.Child",
                "  main #0     java.lang.System.nanoTime()J = 2000000",
                "  main #1     java.lang.System.nanoTime()J = 2000100"), r.outLines());
    }

    @Test
    void printUnknownPidIsOneLine() {
        Cli.Result r = Cli.run("print", "--pid", "9", tape.toString());
        r.assertDataError("retrace print: no process 9 in " + tape + " (its processes: 4242, 4243)");
    }

    @Test
    void printJson() throws IOException {
        Cli.Result r = Cli.run("print", "--json", tape.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(tape.toString(), root.get("recording").asText());
        JsonNode processes = root.get("processes");
        assertEquals(2, processes.size());
        assertEquals(4242, processes.get(0).get("pid").asLong());
        assertEquals(4243, processes.get(1).get("pid").asLong());
        JsonNode events = processes.get(0).get("events");
        assertEquals(8, events.size());
        JsonNode read = events.get(3);
        assertEquals("java.io.FileInputStream.readBytes([BII)I", read.get("call").asText());
        assertEquals(7, read.get("data").get("length").asInt());
        assertEquals("hello\n\u0001", read.get("data").get("text").asText());
        JsonNode thrown = events.get(4).get("thrown");
        assertEquals("java.io.FileNotFoundException", thrown.get("className").asText());
        assertEquals(2, thrown.get("errno").asInt());
        assertEquals(2, events.get(4).get("stack").size());
        assertTrue(events.get(2).get("items").get(1).isNull());
        assertEquals(2, processes.get(1).get("events").size());
        assertEquals(0, processes.get(0).get("handovers").size());
    }

    @Test
    void truncatedRecordingIsSummarisedThenExitsOne() throws IOException {
        Path cut = copy("cut.retrace");
        try (RandomAccessFile file = new RandomAccessFile(cut.toFile(), "rw")) {
            file.setLength(file.length() - 5);
        }
        Cli.Result r = Cli.run("summary", cut.toString());
        assertEquals(1, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace summary: " + cut + " is incomplete: "), r.err());
        assertTrue(r.out().contains(" Status: incomplete: "), r.out());
        assertTrue(r.out().contains(" Process 4242 (root)"), r.out());
        assertTrue(r.out().contains(" End: none (killed, or still running)"), r.out());
        // The rest is still readable.
        Cli.Result pids = Cli.run("list-pids", cut.toString());
        assertEquals("4242\n4243\n", pids.out());
        assertEquals(1, pids.status());
        Cli.Result print = Cli.run("print", "--pid", "4243", cut.toString());
        assertEquals(1, print.status());
        assertEquals(3, print.outLines().size(), print.out());
    }

    @Test
    void killedProcessHasNoEnd() throws Exception {
        Path killed = Cli.makeTape(dir.resolve("killed.retrace"), "--no-end");
        Cli.Result r = Cli.run("summary", killed.toString());
        assertEquals(1, r.status());
        assertEquals(List.of("retrace summary: " + killed + " is incomplete: process 4242 has no end frame (killed, or still running)"),
                r.errLines());
        assertTrue(r.outLines().contains(" Exit status: unknown"), r.out());
        assertTrue(r.outLines().contains(" Events: 8"), r.out());
    }

    @Test
    void corruptedFrameStopsReadingThere() throws IOException {
        Path bad = copy("bad.retrace");
        byte[] bytes = Files.readAllBytes(bad);
        bytes[bytes.length - 20] ^= 0x5a;  // inside the last frame's payload: its checksum fails
        Files.write(bad, bytes);
        Cli.Result r = Cli.run("summary", bad.toString());
        assertEquals(1, r.status());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace summary: " + bad + " is incomplete: "), r.err());
        assertTrue(r.out().contains(" Process 4243"), r.out());
    }

    @Test
    void damagedFirstFrameIsNotARecording() throws IOException {
        Path bad = copy("first.retrace");
        byte[] bytes = Files.readAllBytes(bad);
        int firstFrame = new String(bytes, 0, 200, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('\n') + 1;
        bytes[firstFrame] ^= 0x01;  // the magic
        Files.write(bad, bytes);
        Cli.Result r = Cli.run("summary", bad.toString());
        r.assertDataError("retrace summary: ");
        assertEquals("", r.out());
    }

    @Test
    void extractWritesAReplayableFilePerProcess() throws Exception {
        Cli.Result r = Cli.run("--recording", tape.toString(), "--extract");
        assertEquals(0, r.status(), r.err());
        Path out = dir.resolve("run.d");
        assertEquals(List.of(out.resolve("4242.bin").toString(), out.resolve("4243.bin").toString(),
                out.resolve("index.json").toString()), r.outLines());
        for (String bin : List.of("4242.bin", "4243.bin")) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(bin))));
            assertTrue(Files.readString(out.resolve(bin), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .startsWith(Files.readString(tape, java.nio.charset.StandardCharsets.ISO_8859_1).lines().findFirst().get()));
        }
        try (Recording child = Recording.open(out.resolve("4243.bin"))) {
            assertEquals(List.of(4243L), child.summary().pids());
            assertEquals(2, child.summary().process(4243).orElseThrow().events());
            assertTrue(child.summary().incompleteReason().isEmpty());
        }
        try (Recording root = Recording.open(out.resolve("4242.bin"))) {
            assertEquals(8, root.summary().process(4242).orElseThrow().events());
            assertEquals(3, root.summary().process(4242).orElseThrow().end().exitStatus());
        }
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        assertEquals(4242, index.get("root").asLong());
        assertTrue(index.get("complete").asBoolean());
        JsonNode first = index.get("processes").get(0);
        assertEquals(4242, first.get("pid").asLong());
        assertEquals("4242.bin", first.get("file").asText());
        assertEquals(List.of(4243L), List.of(first.get("children").get(0).asLong()));
        assertEquals("demo.Main", first.get("argv").get(4).asText());
        assertEquals(4242, index.get("processes").get(1).get("parentPid").asLong());

        // Again into the same directory: a previous extraction is replaced.
        assertEquals(0, Cli.run("extract", tape.toString(), out.toString()).status());
    }

    @Test
    void extractNeverOverwritesOtherFiles() throws IOException {
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        Cli.Result r = Cli.run("extract", tape.toString(), busy.toString());
        r.assertDataError("retrace extract: " + busy + " is not empty");
        assertEquals("mine", Files.readString(busy.resolve("notes.txt")));
    }

    @Test
    void extractDefaultDirectory() {
        assertEquals(Path.of("recordings/run.d"), ExtractCommand.defaultDirectory(Path.of("recordings/run.retrace")));
        assertEquals(Path.of("4242.d"), ExtractCommand.defaultDirectory(Path.of("4242.bin")));
        assertEquals(Path.of("trace.d"), ExtractCommand.defaultDirectory(Path.of("trace")));
        assertFalse(ExtractCommand.defaultDirectory(Path.of(".retrace")).toString().isEmpty());
    }

    private Path copy(String name) throws IOException {
        return Files.copy(tape, dir.resolve(name));
    }
}
