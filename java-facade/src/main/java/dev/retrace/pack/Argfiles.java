package dev.retrace.pack;

import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code @argfiles} a recorded process's java launcher read: they are on the recorded command
 * line as written ({@code java -agentpath:... @opts Main}, a {@code JDK_JAVA_OPTIONS} with one)
 * and are read again when the replay starts the JVM, so a pack carries them. The launcher expands
 * them among the JVM options only, up to the main class (which may itself come from an argfile),
 * as go-style-replay-launcher/trust.cpp reads the options.
 */
final class Argfiles {
    private Argfiles() {}

    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-cp", "-classpath", "--class-path", "-p",
            "--module-path", "--upgrade-module-path", "--add-modules", "--add-exports", "--add-opens", "--add-reads",
            "--limit-modules", "--patch-module", "--enable-native-access", "--source");
    private static final Set<String> OPTIONS_ENDING_OPTIONS = Set.of("-jar", "-m", "--module");

    /** The argfiles as written (without the {@code @}), JDK_JAVA_OPTIONS's first, as the launcher reads them. */
    static List<String> of(RecordingSummary.Process process) {
        Set<String> found = new LinkedHashSet<>();
        Scan scan = new Scan(process.cwd(), found);
        for (String variable : process.env()) {
            if (variable.startsWith("JDK_JAVA_OPTIONS=")) {
                for (String word : variable.substring("JDK_JAVA_OPTIONS=".length()).trim().split("\\s+")) {
                    if (!word.isEmpty()) {
                        scan.word(word, true);
                    }
                }
                scan.ended = false;  // the variable cannot name the main class: the command line goes on
            }
        }
        List<String> argv = process.argv();
        for (int i = 1; i < argv.size() && !scan.ended; i++) {
            scan.word(argv.get(i), true);
        }
        return List.copyOf(found);
    }

    /** The argfile's path against the recorded working directory, as the java launcher opened it. */
    static Path resolve(String cwd, String argfile) {
        Path path = Path.of(argfile);
        return path.isAbsolute() || cwd == null || cwd.isEmpty() ? path.normalize() : Path.of(cwd).resolve(path).normalize();
    }

    private static final class Scan {
        final String cwd;
        final Set<String> found;
        boolean ended;
        boolean valueNext;
        boolean filesDisabled;

        Scan(String cwd, Set<String> found) {
            this.cwd = cwd;
            this.found = found;
        }

        void word(String word, boolean mayBeArgfile) {
            if (ended) {
                return;
            }
            // The launcher expands an argfile wherever it is among the options, an option's value too.
            if (mayBeArgfile && !filesDisabled && word.startsWith("@") && !word.startsWith("@@") && word.length() > 1) {
                String argfile = word.substring(1);
                found.add(argfile);
                // What it holds decides where the options end; argfiles do not nest.
                for (String inner : words(resolve(cwd, argfile))) {
                    word(inner, false);
                }
                return;
            }
            if (valueNext) {
                valueNext = false;
                return;
            }
            if (word.equals("--disable-@files")) {
                filesDisabled = true;
                return;
            }
            if (!word.startsWith("-")) {
                ended = true;  // the main class or source file: the rest is the program's
                return;
            }
            if (OPTIONS_ENDING_OPTIONS.contains(word) || word.startsWith("--module=")) {
                ended = true;
                return;
            }
            if (OPTIONS_WITH_VALUE.contains(word)) {
                valueNext = true;
            }
        }
    }

    /** An argfile is a few lines of options: a larger file, or one that is not regular, is not read. */
    private static final long MAX_ARGFILE_BYTES = 1 << 20;

    /**
     * An argfile's words: separated by white space, quotes group, # starts a comment line (JEP 293,
     * roughly). The path comes from the recording: a FIFO or a device is not opened.
     */
    private static List<String> words(Path argfile) {
        String text;
        try {
            BasicFileAttributes attributes = Files.readAttributes(argfile, BasicFileAttributes.class);
            if (!attributes.isRegularFile() || attributes.size() > MAX_ARGFILE_BYTES) {
                return List.of();
            }
            try (InputStream in = Files.newInputStream(argfile)) {
                text = new String(in.readNBytes((int) MAX_ARGFILE_BYTES), StandardCharsets.UTF_8);
            }
        } catch (IOException | RuntimeException e) {
            return List.of();  // packing it says what is wrong with it
        }
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (c == '#' && !inWord) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
