package dev.retrace.dap;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.Location;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Source files to classes and back, as Java debug adapters do it: a file's class is its
 * {@code package} plus its file name (nested classes are {@code Outer$...}); a frame's source is
 * its class's package path and source name, looked up in the launch's {@code sourcePaths}.
 */
final class SourceMap {
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    private final List<Path> sourcePaths;
    private final Map<String, Optional<Path>> byRelativePath = new ConcurrentHashMap<>();

    SourceMap(List<Path> sourcePaths) {
        this.sourcePaths = List.copyOf(sourcePaths);
    }

    /** The top-level class a {@code .java} file declares. */
    static String className(Path sourceFile) {
        String text;
        try {
            text = Files.readString(sourceFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sourceFile + ": " + e.getMessage(), e);
        }
        String stem = sourceFile.getFileName().toString().replaceFirst("\\.java$", "");
        Matcher m = PACKAGE.matcher(text);
        return m.find() ? m.group(1) + "." + stem : stem;
    }

    /** The file a frame's code comes from, when a source path holds it. */
    Optional<Path> source(Location location) {
        String relative;
        try {
            relative = location.sourcePath();
        } catch (AbsentInformationException e) {
            return Optional.empty();
        }
        return byRelativePath.computeIfAbsent(relative, this::find);
    }

    private Optional<Path> find(String relative) {
        for (Path root : sourcePaths) {
            Path candidate = root.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate.toAbsolutePath().normalize());
            }
        }
        // Sources not laid out by package (a flat folder): match the file name and its package line.
        String name = Path.of(relative).getFileName().toString();
        String expectedPackage = relative.contains("/") ? relative.substring(0, relative.lastIndexOf('/')).replace('/', '.') : "";
        for (Path root : sourcePaths) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                Optional<Path> match = files.filter(p -> p.getFileName().toString().equals(name))
                        .filter(p -> {
                            String className = className(p);
                            int dot = className.lastIndexOf('.');
                            return (dot < 0 ? "" : className.substring(0, dot)).equals(expectedPackage);
                        })
                        .findFirst();
                if (match.isPresent()) {
                    return Optional.of(match.get().toAbsolutePath().normalize());
                }
            } catch (IOException | UncheckedIOException e) {
                // an unreadable folder holds no source we can show
            }
        }
        return Optional.empty();
    }
}
