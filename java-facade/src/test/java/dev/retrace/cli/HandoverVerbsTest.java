package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread hand-over schedule in summary and print, on recordings written by make_handover_tape:
 * process 4343 with nine hand-overs (5 yield, 2 block, 1 forced, 1 escape) in three frames, and its
 * child 4344 with two yields.
 */
class HandoverVerbsTest {
    static final String OUTSIDE_GUARANTEE = " happened outside the determinism guarantee (forced: the baton holder"
            + " blocked inside the VM; escape: a thread ran without a scheduling point for too long); see docs/threads.md";

    @TempDir
    Path dir;

    Path tape;

    @BeforeEach
    void makeTape() throws Exception {
        tape = Cli.makeHandoverTape(dir.resolve("threads.retrace"));
    }

    @Test
    void summaryCountsHandoversByKindAndWarnsAboutForcedAndEscape() {
        Cli.Result r = Cli.run("summary", tape.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.outLines();
        int root = lines.indexOf(" Process 4343 (root)");
        int child = lines.indexOf(" Process 4344");
        assertTrue(root >= 0 && child > root, r.out());
        int rootHandovers = lines.indexOf(" Hand-overs: 9 (yield 5, block 2, forced 1, escape 1, preempt 0)");
        assertTrue(rootHandovers > root && rootHandovers < child, r.out());
        assertEquals(" Threads: 3 (main, worker-1, worker-2)", lines.get(rootHandovers - 1));
        assertEquals(" Warning: 2 hand-overs" + OUTSIDE_GUARANTEE, lines.get(rootHandovers + 1));
        // Only yields in the child: no warning.
        int childHandovers = lines.indexOf(" Hand-overs: 2 (yield 2, block 0, forced 0, escape 0, preempt 0)");
        assertTrue(childHandovers > child, r.out());
        assertEquals("", lines.get(childHandovers + 1));
        assertEquals(1, lines.stream().filter(l -> l.startsWith(" Warning:")).count(), r.out());
    }

    @Test
    void summaryOfAProcessWithoutHandovers() throws Exception {
        Path single = Cli.makeTape(dir.resolve("single.retrace"));
        Cli.Result r = Cli.run("summary", single.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.outLines().contains(" Hand-overs: 0 (yield 0, block 0, forced 0, escape 0, preempt 0)"), r.out());
        assertFalse(r.out().contains("Warning"), r.out());
    }

    @Test
    void aHoleInTheScheduleMakesTheRecordingIncomplete() throws Exception {
        Path hole = Cli.makeHandoverTape(dir.resolve("hole.retrace"), "--hole");
        Cli.Result r = Cli.run("summary", hole.toString());
        assertEquals(1, r.status());
        assertEquals(List.of("retrace summary: " + hole
                + " is incomplete: process 4343 has 4 of its 9 hand-overs (its thread schedule has a hole)"), r.errLines());
        List<String> lines = r.outLines();
        int handovers = lines.indexOf(" Hand-overs: 4 (yield 2, block 1, forced 1, escape 0, preempt 0)");
        assertTrue(handovers > 0, r.out());
        assertEquals(" Warning: 1 hand-over" + OUTSIDE_GUARANTEE, lines.get(handovers + 1));
        assertEquals(" Warning: only 4 of the 9 recorded hand-overs are readable (the thread schedule has a hole)",
                lines.get(handovers + 2));
        assertTrue(lines.contains(" Status: incomplete: process 4343 has 4 of its 9 hand-overs"
                + " (its thread schedule has a hole)"), r.out());

        Cli.Result print = Cli.run("print", "--pid", "4343", hole.toString());
        assertEquals(1, print.status());
        assertEquals("  hand-over #3: thread 0 at point 7 -> thread 2 (forced)", print.outLines().getLast());
    }

    @Test
    void aKilledProcessShowsTheScheduleItLeft() throws Exception {
        Path killed = Cli.makeHandoverTape(dir.resolve("killed.retrace"), "--no-end");
        Cli.Result r = Cli.run("summary", killed.toString());
        assertEquals(1, r.status());
        assertEquals(List.of("retrace summary: " + killed
                + " is incomplete: process 4343 has no end frame (killed, or still running)"), r.errLines());
        assertTrue(r.outLines().contains(" Hand-overs: 9 (yield 5, block 2, forced 1, escape 1, preempt 0)"), r.out());
        // Without an end frame there is no count to miss: the status line already says why.
        assertFalse(r.out().contains("are readable"), r.out());
    }

    @Test
    void printShowsEveryHandoverAfterTheEvents() {
        Cli.Result r = Cli.run("print", tape.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines();
        assertEquals(List.of(
                "Process 4343 (root, 3 events, exit 0): java -cp app.jar demo.Threads",
                "  main     #0     java.lang.System.nanoTime()J = 1000000",
                "  worker-1 #0     java.lang.System.nanoTime()J = 1000001",
                "  worker-2 #0     java.lang.System.nanoTime()J = 1000002",
                "  hand-over #0: thread 0 at point 3 -> thread 1 (yield)",
                "  hand-over #1: thread 1 at point 1 -> thread 2 (block)",
                "  hand-over #2: thread 2 at point 5 -> thread 0 (yield)",
                "  hand-over #3: thread 0 at point 7 -> thread 2 (forced)",
                "  hand-over #4: thread 2 at point 9 -> thread 1 (yield)",
                "  hand-over #5: thread 1 at point 4 -> thread 0 (escape)",
                "  hand-over #6: thread 0 at point 12 -> thread 1 (block)",
                "  hand-over #7: thread 1 at point 6 -> thread 2 (yield)",
                "  hand-over #8: thread 2 at point 14 -> thread 0 (yield)",
                "",
                "Process 4344 (child of 4343 at event 0 of its thread 0, 2 events, exit 0): java -cp app.jar demo.Child",
                "  main     #0     java.lang.System.nanoTime()J = 2000000",
                "  worker-1 #0     java.lang.System.nanoTime()J = 2000100",
                "  hand-over #0: thread 0 at point 2 -> thread 1 (yield)",
                "  hand-over #1: thread 1 at point 1 -> thread 0 (yield)"), lines);
    }

    @Test
    void printJsonHasTheHandoversOfEachProcess() throws IOException {
        Cli.Result r = Cli.run("print", "--json", tape.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode processes = new ObjectMapper().readTree(r.out()).get("processes");
        assertEquals(2, processes.size());
        JsonNode root = processes.get(0);
        assertEquals(4343, root.get("pid").asLong());
        assertEquals(3, root.get("events").size());
        JsonNode handovers = root.get("handovers");
        assertEquals(9, handovers.size());
        JsonNode forced = handovers.get(3);
        assertEquals(3, forced.get("index").asLong());
        assertEquals(0, forced.get("from").asLong());
        assertEquals(7, forced.get("fromPoint").asLong());
        assertEquals(2, forced.get("to").asLong());
        assertEquals("forced", forced.get("kind").asText());
        assertEquals("escape", handovers.get(5).get("kind").asText());
        for (int i = 0; i < handovers.size(); i++) {
            assertEquals(i, handovers.get(i).get("index").asInt());
            assertEquals(4343, handovers.get(i).get("pid").asLong());
        }
        JsonNode child = processes.get(1);
        assertEquals(4344, child.get("pid").asLong());
        assertEquals(2, child.get("handovers").size());
        assertEquals("yield", child.get("handovers").get(1).get("kind").asText());
    }

    @Test
    void printJsonOfAProcessWithoutHandoversHasAnEmptyList() throws Exception {
        Path single = Cli.makeTape(dir.resolve("single.retrace"));
        Cli.Result r = Cli.run("print", "--json", "--pid", "4242", single.toString());
        assertEquals(0, r.status(), r.err());
        JsonNode process = new ObjectMapper().readTree(r.out()).get("processes").get(0);
        assertTrue(process.get("handovers").isArray());
        assertEquals(0, process.get("handovers").size());
    }
}
