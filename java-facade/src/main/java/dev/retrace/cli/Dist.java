package dev.retrace.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The installed Retrace: {@code <dist>/bin/retrace-replay}, {@code <dist>/lib/libretrace.so},
 * {@code <dist>/lib/libretrace_tape.so}, {@code <dist>/lib/retrace-facade.jar}. Found from the
 * system property {@code retrace.dist} (set by bin/retrace), else from this jar's location.
 */
public record Dist(Path root) {
    public static final String PROPERTY = "retrace.dist";

    public static Dist locate() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isEmpty()) {
            return new Dist(Path.of(property).toAbsolutePath().normalize());
        }
        try {
            Path jar = Path.of(Dist.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.toString().endsWith(".jar") && jar.getParent() != null && jar.getParent().getParent() != null) {
                return new Dist(jar.getParent().getParent().toAbsolutePath().normalize());
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through: no dist known
        }
        return new Dist(null);
    }

    public Path agent() {
        return require().resolve("lib/libretrace.so");
    }

    public Path launcher() {
        return require().resolve("bin/retrace-replay");
    }

    /** {@link #agent()}, or a data error naming the missing file. */
    public Path builtAgent() {
        Path agent = agent();
        if (!Files.isRegularFile(agent)) {
            throw new DataException("the agent is not built: " + agent + " is missing");
        }
        return agent;
    }

    /** {@link #launcher()}, or a data error naming the missing file. */
    public Path builtLauncher() {
        Path launcher = launcher();
        if (!Files.isExecutable(launcher)) {
            throw new DataException("the replay launcher is not built: " + launcher + " is missing");
        }
        return launcher;
    }

    private Path require() {
        if (root == null) {
            throw new DataException("cannot find the Retrace installation (run bin/retrace, or set -D" + PROPERTY + ")");
        }
        return root;
    }
}
