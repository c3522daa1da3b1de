package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What retrace pack refuses, on recordings written by make_test_tape; packing real ones: dev.retrace.pack.PackTest. */
class PackCommandTest {
    @TempDir
    Path dir;

    @Test
    void aProcessWithoutAnEndFrameIsPackedOnlyWithForce() throws Exception {
        Path tape = Cli.makeTape(dir.resolve("killed.retrace"), "--no-end", "--cwd", dir.toString());
        byte[] before = Files.readAllBytes(tape);
        Cli.Result r = Cli.run("pack", tape.toString());
        r.assertDataError("retrace pack: process 4242 of " + tape + " has no end frame (killed, or still recording)");
        // --force goes on to the code, whose relative path is resolved in the recorded working directory.
        Cli.Result forced = Cli.run("pack", "--force", tape.toString());
        forced.assertDataError("retrace pack: the classpath entry " + dir.resolve("app.jar")
                + " is missing (it was there when recorded)");
        assertArrayEquals(before, Files.readAllBytes(tape));
    }

    @Test
    void aChangedRecordingIsNotPacked() throws Exception {
        Path tape = Cli.makeHostileTape(dir.resolve("appended.retrace"), "appended");
        Cli.Result r = Cli.run("pack", tape.toString());
        r.assertDataError("retrace pack: refusing to pack " + tape + ": it was changed after it was recorded (frame at offset ");
    }

    @Test
    void aDamagedRecordingIsNotPacked() throws Exception {
        Path tape = Cli.makeTape(dir.resolve("cut.retrace"), "--cwd", dir.toString());
        try (RandomAccessFile file = new RandomAccessFile(tape.toFile(), "rw")) {
            file.setLength(file.length() - 5);
        }
        Cli.Result r = Cli.run("pack", tape.toString());
        r.assertDataError("retrace pack: cannot pack " + tape + ": it is damaged (truncated frame at offset ");
        assertTrue(r.err().contains("retrace extract writes its readable processes"), r.err());
    }

    @Test
    void anUnreadablePackIsShownAndRefusedOnReplay() throws Exception {
        Path tape = Cli.makeHostileTape(dir.resolve("packed.retrace"), "packed");
        Cli.Result summary = Cli.run("summary", tape.toString());
        assertEquals(1, summary.status(), summary.err());
        assertTrue(summary.out().contains(" Pack: unreadable, "), summary.out());
        assertEquals(List.of("retrace summary: " + tape + ": the pack is damaged: it is not a zip archive (zip END header "
                + "not found): the recording was changed after it was packed"), summary.errLines());
        // Nothing is extracted, so the cache (the user's own, in this test) is not touched.
        Cli.Result replay = Cli.run("replay", tape.toString());
        replay.assertDataError("retrace replay: the pack is damaged: it is not a zip archive", 122);
    }

    @Test
    void theReplayCommandCarriesTheCodeMapOfAPackedRecording() {
        Path launcher = Path.of("/opt/retrace/bin/retrace-replay");
        Path file = Path.of("run.retrace");
        assertEquals(List.of(launcher.toString(), "--recording", "run.retrace", "--code-map", "/c/maps/ab.tsv", "--pid", "7"),
                ReplayCommand.command(launcher, file, 7L, false, null, null, false, Path.of("/c/maps/ab.tsv")));
        assertEquals(List.of(launcher.toString(), "--recording", "run.retrace"),
                ReplayCommand.command(launcher, file, null, false, null, null, false, null));
    }

    @Test
    void theRecordingFormPacks() throws Exception {
        Path tape = Cli.makeTape(dir.resolve("form.retrace"), "--no-end");
        Cli.Result r = Cli.run("--recording", tape.toString(), "pack");
        r.assertDataError("retrace pack: process 4242 of " + tape + " has no end frame");
    }
}
