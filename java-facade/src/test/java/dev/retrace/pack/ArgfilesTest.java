package dev.retrace.pack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.retrace.tape.RecordingSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which words of a recorded command line the java launcher read as @argfiles. */
class ArgfilesTest {
    @TempDir
    Path cwd;

    private RecordingSummary.Process process(List<String> argv, List<String> env) {
        return new RecordingSummary.Process(1, 0, 0, 0, argv, "/jdk", "vm", cwd.toString(), 0, "", env, Map.of(),
                List.of(), null, List.of(), 0, true, 0, 0, 0, List.of(), 0, Map.of(), true);
    }

    @Test
    void argfilesAmongTheJvmOptionsUpToTheMainClass() throws Exception {
        Files.writeString(cwd.resolve("cp"), "a.jar:b.jar\n");
        Files.writeString(cwd.resolve("opts"), "-Dx=1\n");
        var p = process(List.of("java", "-agentpath:/r/libretrace.so=record", "-cp", "@cp", "@opts", "@@literal", "@after"),
                List.of());
        assertEquals(List.of("cp", "opts"), Argfiles.of(p), "an option's value may be one; @@ escapes, and is the main class");
        var q = process(List.of("java", "@a", "demo.Main", "@program-argument"), List.of("JDK_JAVA_OPTIONS=@env -Dx=1"));
        assertEquals(List.of("env", "a"), Argfiles.of(q), "JDK_JAVA_OPTIONS first, as the launcher reads it");
        var r = process(List.of("java", "--disable-@files", "@not"), List.of());
        assertEquals(List.of(), Argfiles.of(r));
    }

    @Test
    void aMainClassInsideAnArgfileEndsTheOptions() throws Exception {
        Files.writeString(cwd.resolve("opts"), "# options\n-cp \"a b.jar\"\ndemo.Main\n");
        var p = process(List.of("java", "@opts", "@later"), List.of());
        assertEquals(List.of("opts"), Argfiles.of(p), "@later is the program's argument");
        Files.writeString(cwd.resolve("opts"), "-cp a.jar\n");
        assertEquals(List.of("opts", "later"), Argfiles.of(p));
    }
}
