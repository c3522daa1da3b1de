package dev.retrace.tape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM bindings and their wrapper, on a recording written by make_test_tape. */
class RecordingTest {
    @TempDir
    Path dir;

    Path tape;

    @BeforeEach
    void makeTape() throws Exception {
        tape = dir.resolve("t.retrace");
        Process p = new ProcessBuilder(System.getProperty("retrace.makeTestTape"), "--child", "--cwd", "/srv", tape.toString())
                .inheritIO()
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    @Test
    void summaryIsParsedIntoRecords() throws Exception {
        try (Recording recording = Recording.open(tape)) {
            RecordingSummary s = recording.summary();
            assertEquals(tape.toString(), s.path());
            assertEquals(Files.size(tape), s.fileSize());
            assertEquals(4, s.formatVersion());
            assertTrue(s.complete());
            assertTrue(s.stop().clean());
            assertEquals(Files.size(tape), s.stop().offset());
            assertEquals(List.of(4242L, 4243L), s.pids());
            RecordingSummary.Process root = s.process(4242).orElseThrow();
            assertEquals(0, root.parentPid());
            assertEquals("/srv", root.cwd());
            assertEquals("demo.Main", root.argv().get(4));
            assertEquals(List.of("HOME=/home/ci", "LANG=C.UTF-8"), root.env());
            assertEquals("/srv", root.systemProperties().get("user.dir"));
            assertEquals("worker-1", root.threadName(1));
            assertEquals("thread-7", root.threadName(7));
            assertEquals(8, root.events());
            assertEquals(0, root.end().exitStatus());
            assertEquals(2, root.code().size());
            assertEquals(List.of(s.process(4243).orElseThrow()), s.children(4242));
            assertTrue(s.incompleteReason().isEmpty());
            assertEquals(3, root.calls().stream().filter(c -> c.name().equals("java.lang.System.nanoTime()J"))
                    .findFirst().orElseThrow().count());
        }
    }

    @Test
    void eventsOfOneProcess() throws Exception {
        try (Recording recording = Recording.open(tape)) {
            List<Event> events;
            try (Stream<Event> stream = recording.events(4242)) {
                events = stream.toList();
            }
            assertEquals(8, events.size());
            Event read = events.get(3);
            assertEquals("java.io.FileInputStream.readBytes([BII)I", read.call());
            assertEquals(7, read.value());
            assertEquals(new Event.Data(7, "hello\n\u0001"), read.data());
            assertNull(read.thrown());
            Event open = events.get(4);
            assertEquals(new Event.Thrown("java.io.FileNotFoundException", "missing.txt (No such file or directory)", 2),
                    open.thrown());
            assertEquals(List.of("java.io.FileInputStream.open(FileInputStream.java:213)", "demo.Main.main(Main.java:12)"),
                    open.stack());
            assertEquals(java.util.Arrays.asList("PATH=/usr/bin", null, "LANG=C.UTF-8"), events.get(2).items());
            Event stat = events.get(6);
            assertEquals(1, stat.thread());
            assertEquals(0, stat.index());
            assertEquals(List.of(33188L, 1024L, 1763740000L), stat.fields());

            // A second iteration starts again from the beginning, for another process.
            try (Stream<String> json = recording.eventsJson(4243)) {
                List<String> child = json.toList();
                assertEquals(2, child.size());
                assertTrue(child.getFirst().contains("\"value\":2000000"), child.getFirst());
            }
        }
    }

    @Test
    void handoversAndTheirCounts() throws Exception {
        Path threads = dir.resolve("threads.retrace");
        Process p = new ProcessBuilder(System.getProperty("retrace.makeHandoverTape"), threads.toString())
                .inheritIO()
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        try (Recording recording = Recording.open(threads)) {
            RecordingSummary.Process root = recording.summary().process(4343).orElseThrow();
            assertEquals(9, root.handovers());
            assertEquals(java.util.Map.of("yield", 5L, "block", 2L, "forced", 1L, "escape", 1L, "preempt", 0L), root.handoverKinds());
            assertEquals(2, root.handoversOutsideGuarantee());
            assertTrue(root.handoversComplete());
            assertEquals(9, root.end().handoverCount());
            List<Handover> handovers;
            try (Stream<Handover> stream = recording.handovers(4343)) {
                handovers = stream.toList();
            }
            assertEquals(9, handovers.size());
            assertEquals(new Handover(4343, 3, 0, 7, 2, "forced", 0), handovers.get(3));
            // Events after hand-overs: each iteration rewinds.
            try (Stream<Event> events = recording.events(4343)) {
                assertEquals(3, events.count());
            }
            try (Stream<Handover> child = recording.handovers(4344)) {
                assertEquals(List.of(new Handover(4344, 0, 0, 2, 1, "yield", 0), new Handover(4344, 1, 1, 1, 0, "yield", 0)),
                        child.toList());
            }
        }
        // make_test_tape writes no schedule: nothing handed over, nothing missing.
        try (Recording recording = Recording.open(tape)) {
            RecordingSummary.Process root = recording.summary().process(4242).orElseThrow();
            assertEquals(0, root.handovers());
            assertEquals(0, root.handovers("yield"));
            assertTrue(root.handoversComplete());
            try (Stream<Handover> none = recording.handovers(4242)) {
                assertEquals(0, none.count());
            }
        }
    }

    @Test
    void unknownPid() throws Exception {
        try (Recording recording = Recording.open(tape)) {
            RecordingException e = assertThrows(RecordingException.class, () -> recording.events(1));
            assertEquals("no process 1 in " + tape + " (its processes: 4242, 4243)", e.getMessage());
            e = assertThrows(RecordingException.class, () -> recording.handovers(1));
            assertEquals("no process 1 in " + tape + " (its processes: 4242, 4243)", e.getMessage());
        }
    }

    @Test
    void openErrorsAreOneLine() throws Exception {
        assertEquals(dir.resolve("none") + ": no such file",
                assertThrows(RecordingException.class, () -> Recording.open(dir.resolve("none"))).getMessage());
        Path text = Files.writeString(dir.resolve("x.txt"), "line 1\nline 2\n");
        String message = assertThrows(RecordingException.class, () -> Recording.open(text)).getMessage();
        assertTrue(message.contains("x.txt") && !message.contains("\n"), message);
    }

    @Test
    void closedRecordingIsAnError() throws Exception {
        Recording recording = Recording.open(tape);
        recording.close();
        recording.close();  // idempotent
        assertThrows(IllegalStateException.class, recording::summary);
    }

    @Test
    void frameFileFindsTheSameFramesAsTheLibrary() throws Exception {
        try (Recording recording = Recording.open(tape)) {
            RecordingSummary s = recording.summary();
            List<FrameFile.Frame> frames = FrameFile.scan(tape, s.stop().offset());
            assertEquals(s.frames(), frames.size());
            FrameFile.Frame last = frames.getLast();
            assertEquals(Files.size(tape), last.offset() + last.size());
            assertEquals(s.process(4243).orElseThrow().firstOffset(),
                    frames.stream().filter(f -> f.pid() == 4243).findFirst().orElseThrow().offset());
        }
    }
}
