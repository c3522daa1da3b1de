package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallTest {
    @TempDir
    Path dir;

    @Test
    void installAddsOneBlockPrintsItAndKeepsTheRest() throws IOException {
        Path rc = Files.writeString(dir.resolve(".bashrc"), "alias ll='ls -l'\nexport EDITOR=vi\n");
        Cli.Result r = Cli.run("install", "--rc", rc.toString());
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(rc);
        assertEquals(List.of("alias ll='ls -l'", "export EDITOR=vi"), lines.subList(0, 2));
        assertEquals(ShellInstall.BEGIN, lines.get(2));
        assertEquals(ShellInstall.END, lines.getLast());
        String export = lines.stream().filter(l -> l.startsWith("export JAVA_TOOL_OPTIONS=")).findFirst().orElseThrow();
        assertTrue(export.contains("-agentpath:" + Cli.dist().builtAgent().toAbsolutePath() + "\""), export);
        assertTrue(r.out().startsWith("retrace install: added to " + rc + ":"), r.out());
        assertTrue(r.out().contains("  " + export), "prints exactly the lines it added:\n" + r.out());
    }

    @Test
    void installTwiceChangesNothingAndSaysSo() throws IOException {
        Path rc = dir.resolve(".bashrc");
        assertEquals(0, Cli.run("install", "--rc", rc.toString()).status());
        List<String> once = Files.readAllLines(rc);
        Cli.Result again = Cli.run("install", "--rc", rc.toString());
        assertEquals(0, again.status());
        assertEquals(once, Files.readAllLines(rc));
        assertTrue(again.out().contains("already has these lines; nothing changed"), again.out());
    }

    @Test
    void uninstallRemovesExactlyTheBlock() throws IOException {
        Path rc = Files.writeString(dir.resolve(".zshrc"), "export A=1\n");
        assertEquals(0, Cli.run("install", "--rc", rc.toString()).status());
        Files.writeString(rc, "export B=2\n", java.nio.file.StandardOpenOption.APPEND);
        Cli.Result r = Cli.run("uninstall", "--rc", rc.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("export A=1", "export B=2"), Files.readAllLines(rc));
        assertTrue(r.out().startsWith("retrace uninstall: removed from " + rc + ":"), r.out());
        assertTrue(r.out().contains("  " + ShellInstall.BEGIN), r.out());
        Cli.Result twice = Cli.run("uninstall", "--rc", rc.toString());
        assertEquals(0, twice.status());
        assertTrue(twice.out().contains("nothing changed"), twice.out());
    }

    @Test
    void aBrokenBlockIsOneLineAndTheFileIsLeftAlone() throws IOException {
        Path rc = Files.writeString(dir.resolve(".bashrc"), "export A=1\n" + ShellInstall.BEGIN + "\nexport X=2\n");
        Cli.Result r = Cli.run("uninstall", "--rc", rc.toString());
        r.assertDataError("retrace uninstall: " + rc + " has '" + ShellInstall.BEGIN + "' without");
        assertEquals("export A=1\n" + ShellInstall.BEGIN + "\nexport X=2\n", Files.readString(rc));
    }

    @Test
    void aStartUpFileInADirectoryThatDoesNotExistIsOneLine() {
        Path rc = dir.resolve("no/such/dir/.bashrc");
        Cli.Result r = Cli.run("install", "--rc", rc.toString());
        assertEquals(1, r.status(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().startsWith("retrace install: "), r.err());
        assertFalse(Files.exists(rc));
    }
}
