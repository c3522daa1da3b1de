package dev.retrace.tape;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * A recording is read only from a regular file. A FIFO, a device, a socket or a directory is
 * refused before it is opened: {@code FileChannel.open} of a FIFO without a writer waits for one
 * forever, and {@code /dev/zero} never ends. The check reads the file's attributes (through a
 * symbolic link) without opening it; the tape library checks again on the descriptor it opens.
 */
public final class RegularFile {
    private RegularFile() {}

    /**
     * Why {@code path} cannot hold a recording although it exists: {@code PATH is a directory, not
     * a recording} or {@code PATH is not a regular file (a FIFO)}; empty for a regular file, and
     * for a missing or unreadable one (opening it then says what is wrong).
     */
    public static Optional<String> refusal(Path path) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        if (attributes.isRegularFile()) {
            return Optional.empty();
        }
        if (attributes.isDirectory()) {
            return Optional.of(path + " is a directory, not a recording");
        }
        return Optional.of(path + " is not a regular file (" + kind(path) + ")");
    }

    /** Opens a recording to read it, refusing anything but a regular file (see {@link #refusal}). */
    public static FileChannel open(Path path) throws IOException {
        Optional<String> refused = refusal(path);
        if (refused.isPresent()) {
            throw new IOException(refused.get());
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    /** What a file that is neither regular nor a directory is, from its mode bits (S_IFMT). */
    private static String kind(Path path) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException
                | SecurityException e) {
            return "a special file";
        }
        return switch (mode & 0170000) {
            case 0010000 -> "a FIFO";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            case 0140000 -> "a socket";
            default -> "a special file";
        };
    }
}
