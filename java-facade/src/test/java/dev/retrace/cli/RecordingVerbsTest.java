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
import java.util.stream.Stream;
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
        assertTrue(lines.contains(" Format version: 4"), r.out());
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
        assertEquals(" Hand-overs: 0 (yield 0, block 0, forced 0, escape 0, preempt 0)",
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
    void extractOfACutRecordingExtractsTheWholeProcessesAndNamesTheOthers() throws Exception {
        Path cut = copy("cut.retrace");
        try (RandomAccessFile file = new RandomAccessFile(cut.toFile(), "rw")) {
            file.setLength(file.length() - 5);  // into the last frame: the root's end
        }
        Cli.Result r = Cli.run("extract", cut.toString());
        assertEquals(1, r.status(), r.err());
        Path out = dir.resolve("cut.d");
        assertEquals(List.of(out.resolve("4242.bin").toString(), out.resolve("4243.bin").toString(),
                out.resolve("index.json").toString()), r.outLines());
        assertEquals(2, r.errLines().size(), r.err());
        assertTrue(r.errLines().get(0).startsWith("retrace extract: process 4242 is incomplete: no end frame (the "
                + "recording stops before it, at offset "), r.err());
        assertTrue(r.errLines().get(0).endsWith(out.resolve("4242.bin")
                + " replays up to where its recording stops (exit 123 if the program goes on past that)"), r.err());
        assertTrue(r.errLines().get(1).startsWith("retrace extract: " + cut + " is incomplete: truncated frame at offset "),
                r.err());
        assertTrue(r.errLines().get(1).endsWith("; 1 of 2 processes extracted whole, 1 incomplete"), r.err());
        // The whole child is what extracting the whole recording gives.
        Path whole = dir.resolve("whole.d");
        assertEquals(0, Cli.run("extract", tape.toString(), whole.toString()).status());
        assertEquals(-1, Files.mismatch(whole.resolve("4243.bin"), out.resolve("4243.bin")));
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        assertFalse(index.get("complete").asBoolean());
        assertEquals(0, index.get("missing").size());
        JsonNode root = index.get("processes").get(0);
        assertEquals(4242, root.get("pid").asLong());
        assertFalse(root.get("complete").asBoolean());
        assertTrue(root.get("incompleteReason").asText().startsWith("no end frame"), root.toString());
        assertTrue(index.get("processes").get(1).get("complete").asBoolean());
        assertFalse(index.get("processes").get(1).has("incompleteReason"));
    }

    @Test
    void extractNamesAProcessWhoseFirstFrameIsCutOff() throws Exception {
        long childStart = dev.retrace.tape.FrameFile.scan(tape, Long.MAX_VALUE).stream()
                .filter(f -> f.pid() == 4243).findFirst().orElseThrow().offset();
        Path cut = copy("cut.retrace");
        try (RandomAccessFile file = new RandomAccessFile(cut.toFile(), "rw")) {
            file.setLength(childStart + 20);
        }
        Cli.Result r = Cli.run("extract", cut.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(List.of(
                "retrace extract: process 4242 is incomplete: no end frame (the recording stops before it, at offset "
                        + childStart + ", or the process was killed); " + dir.resolve("cut.d/4242.bin")
                        + " replays up to where its recording stops (exit 123 if the program goes on past that)",
                "retrace extract: process 4243 is missing: its first frame, at offset " + childStart
                        + ", is cut off by the end of the file; nothing of it was extracted"),
                r.errLines().subList(0, 2));
        assertTrue(r.errLines().get(2).endsWith("; 0 of 2 processes extracted whole, 1 incomplete, 1 missing"), r.err());
        JsonNode index = new ObjectMapper().readTree(dir.resolve("cut.d/index.json").toFile());
        assertEquals(4243, index.get("missing").get(0).get("pid").asLong());
        assertEquals(1, index.get("processes").size());
        // An unknown pid in a cut recording says the file stops early.
        Cli.Result print = Cli.run("print", "--pid", "4243", cut.toString());
        print.assertDataError("retrace print: no process 4243 in " + cut + " (its processes: 4242); " + cut
                + " stops early, at offset " + childStart + ": a process that started after that is not in it");
    }

    @Test
    void extractKeepsAnEarlierFileThatHoldsMore() throws Exception {
        Path out = dir.resolve("run.d");
        assertEquals(0, Cli.run("extract", tape.toString()).status());
        byte[] root = Files.readAllBytes(out.resolve("4242.bin"));
        Path cut = dir.resolve("cut/run.retrace");
        Files.createDirectories(cut.getParent());
        Files.copy(tape, cut);
        try (RandomAccessFile file = new RandomAccessFile(cut.toFile(), "rw")) {
            file.setLength(file.length() - 5);
        }
        Cli.Result r = Cli.run("extract", cut.toString(), out.toString());
        assertEquals(1, r.status(), r.err());
        assertTrue(r.errLines().getFirst().endsWith("; kept " + out.resolve("4242.bin")
                + " of an earlier extraction, which holds more of it"), r.err());
        assertEquals(List.of(out.resolve("4243.bin").toString(), out.resolve("index.json").toString()), r.outLines());
        assertTrue(java.util.Arrays.equals(root, Files.readAllBytes(out.resolve("4242.bin"))));
        JsonNode index = new ObjectMapper().readTree(out.resolve("index.json").toFile());
        assertTrue(index.get("processes").get(0).get("kept").asBoolean());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(List.of("4242.bin", "4243.bin", "index.json"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void extractOfARecordingWithNoWholeProcessWritesNothing() throws IOException {
        Path cut = copy("cut.retrace");
        long shebang = Files.readString(tape, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf('\n') + 1;
        try (RandomAccessFile file = new RandomAccessFile(cut.toFile(), "rw")) {
            file.setLength(shebang + 40);  // inside the first frame
        }
        Cli.Result r = Cli.run("extract", cut.toString());
        r.assertDataError("retrace extract: " + cut + " holds no whole process start (truncated frame at offset " + shebang);
        assertTrue(r.err().endsWith("; nothing was extracted\n"), r.err());
        assertFalse(Files.exists(dir.resolve("cut.d")));
    }

    @Test
    void replayOfAnUnknownPidIsOneLineAndExitsTwo() {
        String line = "no process 9 in " + tape + " (its processes: 4242, 4243)";
        Cli.run("replay", tape.toString(), "--pid", "9").assertDataError("retrace replay: " + line, 2);
        Cli.run("--recording", tape.toString(), "--pid", "9").assertDataError("retrace replay: " + line, 2);
        Cli.run("print", "--pid", "9", tape.toString()).assertDataError("retrace print: " + line, 1);
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
