package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How {@code retrace --recording FILE ...} (what the launcher hands over) maps to verbs. */
class RecordingFormTest {
    private final CommandLine retrace =
            Main.commandLine(new Dist(null), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false);

    private String[] translate(String... args) {
        return Main.recordingForm(retrace, args);
    }

    @Test
    void mapsToVerbs() {
        assertArrayEquals(new String[] {"replay", "r.retrace"}, translate("--recording", "r.retrace"));
        assertArrayEquals(new String[] {"replay", "r.retrace", "--pid", "7", "--verbose"},
                translate("--recording", "r.retrace", "--pid", "7", "--verbose"));
        assertArrayEquals(new String[] {"list-pids", "r.retrace"}, translate("--recording", "r.retrace", "--list_pids"));
        assertArrayEquals(new String[] {"extract", "r.retrace"}, translate("--recording", "r.retrace", "--extract"));
        assertArrayEquals(new String[] {"extract", "r.retrace", "/tmp/x"},
                translate("--recording", "r.retrace", "--extract", "/tmp/x"));
        assertArrayEquals(new String[] {"print", "r.retrace", "--json"},
                translate("--recording", "r.retrace", "print", "--json"));
        assertArrayEquals(new String[] {"summary", "r.retrace"}, translate("--recording=r.retrace", "summary"));
        assertNull(translate("--recording", "r.retrace", "--help"));
    }

    @Test
    void rejectsTheRest() {
        assertThrows(CommandLine.ParameterException.class, () -> translate("--recording"));
        assertThrows(CommandLine.ParameterException.class, () -> translate("--recording", "r.retrace", "record"));
        assertThrows(CommandLine.ParameterException.class, () -> translate("--recording", "r.retrace", "-x"));
    }
}
