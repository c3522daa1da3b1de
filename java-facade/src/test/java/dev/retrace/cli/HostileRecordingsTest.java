package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recordings changed after they were recorded (tape-format/test/make_hostile_tape): frames
 * appended, copied, taken from another recording, or a thread's events repeated or skipped. The
 * CLI says so in one line and exits 1, and no replay starts (122); a real tree is not flagged.
 */
class HostileRecordingsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"appended", "duplicated", "foreign", "concatenated", "orphan", "repeated", "skipped"})
    @Timeout(60)
    void aChangedRecordingIsReportedAndNotReplayed(String kind) throws Exception {
        Path file = Cli.makeHostileTape(dir.resolve(kind + ".retrace"), kind);

        Cli.Result summary = Cli.run("summary", file.toString());
        assertEquals(1, summary.status(), summary.err());
        assertEquals(1, summary.errLines().size(), summary.err());
        assertTrue(summary.err().startsWith("retrace summary: " + file + " was changed after it was recorded: "),
                summary.err());
        assertTrue(summary.out().contains(" Status: changed after it was recorded: "), summary.out());

        Cli.Result replay = Cli.run("replay", file.toString());
        replay.assertDataError("retrace replay: refusing to replay " + file + ": it was changed after it was recorded (",
                ReplayCommand.UNREADABLE);
        Cli.Result why = Cli.run("why", file.toString());
        why.assertDataError("retrace why: refusing to replay " + file + ": it was changed after it was recorded (",
                ReplayCommand.UNREADABLE);
    }

    @Test
    void aTreeWhoseChildrenStartAfterOthersEndedIsWhole() throws Exception {
        Path file = Cli.makeHostileTape(dir.resolve("tree.retrace"), "tree");
        Cli.Result summary = Cli.run("summary", file.toString());
        assertEquals(0, summary.status(), summary.err());
        assertTrue(summary.out().contains(" Status: complete"), summary.out());
    }

    @Test
    void anExpansionBombIsAnsweredAtOnceInOneLine() throws Exception {
        // 94 KB that unpack to millions of empty items: bounded work, not minutes and gigabytes.
        Path file = Cli.makeHostileTape(dir.resolve("bomb.retrace"), "empty-items");
        long start = System.nanoTime();
        Cli.Result summary = Cli.run("summary", file.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(1, summary.status(), summary.err());
        assertEquals(1, summary.errLines().size(), summary.err());
        assertTrue(summary.err().contains(" is incomplete: corrupt frame at offset "), summary.err());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "took " + took);
    }
}
