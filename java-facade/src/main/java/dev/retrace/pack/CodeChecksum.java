package dev.retrace.pack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import java.util.zip.Deflater;

/**
 * The agent's checksums of code, as native/src/code_identity.cpp takes them, so that what is packed
 * is checked against what the recording holds: a file's CRC32C and size; for a directory, each
 * {@code .class} file below it in bytewise name order (recursing into directories in that order,
 * symbolic links skipped), its relative path's bytes then its content, and the sum of the contents.
 */
final class CodeChecksum {
    private CodeChecksum() {}

    /** What a recorded code path is now. */
    sealed interface OnDisk permits Missing, NotRegular, RegularFile, Directory {}

    record Missing() implements OnDisk {}

    /** A FIFO, a device, a socket: the agent checksums it as empty. */
    record NotRegular() implements OnDisk {}

    record RegularFile(Digest digest) implements OnDisk {}

    /** A directory: its class files in checksum order, with their digests, and the tree's checksum. */
    record Directory(List<ClassFile> files, long crc32c, long size) implements OnDisk {}

    record ClassFile(String relative, Path path, Digest digest) {}

    /**
     * One pass over a file's bytes: what the recording checks (CRC32C, size), what the pack names
     * it by (SHA-256), what a stored zip entry needs (CRC-32), and whether deflating pays (measured
     * on its first MiB).
     */
    record Digest(long size, long crc32c, String sha256, long crc32, boolean compressible) {}

    private static final int SAMPLE = 1 << 20;
    private static final Charset FILE_NAMES = fileNameCharset();

    static boolean isClassFile(String name) {
        return name.length() > 6 && name.endsWith(".class");
    }

    /** Looks at a recorded code path (following a symbolic link, as the agent's stat does) and digests what it holds. */
    static OnDisk look(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (IOException e) {
            return new Missing();  // stat failed: the agent records such a path as missing too
        }
        if (attributes.isDirectory()) {
            return tree(path);
        }
        if (!attributes.isRegularFile()) {
            return new NotRegular();
        }
        return new RegularFile(digest(path, null));
    }

    private static Directory tree(Path root) throws IOException {
        List<ClassFile> files = new ArrayList<>();
        CRC32C crc = new CRC32C();
        long size = 0;
        for (String relative : classFiles(root)) {
            byte[] relativeBytes = pathBytes(relative);
            crc.update(relativeBytes, 0, relativeBytes.length);
            Path file = root.resolve(relative);
            Digest digest = digest(file, crc);
            size += digest.size();
            files.add(new ClassFile(relative, file, digest));
        }
        return new Directory(List.copyOf(files), crc.getValue(), size);
    }

    /** The class files below {@code root} that the agent checksums, in its order, as paths relative to it. */
    static List<String> classFiles(Path root) throws IOException {
        List<String> files = new ArrayList<>();
        walk(root, "", files);
        return files;
    }

    private static void walk(Path root, String relative, List<String> files) {
        Path dir = relative.isEmpty() ? root : root.resolve(relative);
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (IOException | RuntimeException e) {
            return;  // opendir failed: the agent skips the directory
        }
        names.sort(CodeChecksum::compareBytes);
        for (String name : names) {
            String rel = relative.isEmpty() ? name : relative + "/" + name;
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(root.resolve(rel), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
                continue;
            }
            if (attributes.isDirectory()) {
                walk(root, rel, files);
            } else if (attributes.isRegularFile() && isClassFile(name)) {
                files.add(rel);
            }
        }
    }

    /** The tree's file names as the agent's std::sort orders them: by their bytes, unsigned. */
    static int compareBytes(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(FILE_NAMES), b.getBytes(FILE_NAMES));
    }

    /** The bytes of a relative path as the agent checksums them (the file system's own bytes). */
    static byte[] pathBytes(String relative) {
        return relative.getBytes(FILE_NAMES);
    }

    /** Digests a file, feeding its bytes to {@code alsoTo} too (a tree's running checksum) when not null. */
    static Digest digest(Path file, Checksum alsoTo) throws IOException {
        MessageDigest sha = sha256();
        CRC32C crc32c = new CRC32C();
        CRC32 crc32 = new CRC32();
        Deflater deflater = new Deflater();
        long size = 0;
        long sampled = 0;
        long sampleDeflated = 0;
        byte[] buffer = new byte[1 << 16];
        byte[] sink = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                crc32c.update(buffer, 0, n);
                crc32.update(buffer, 0, n);
                if (alsoTo != null) {
                    alsoTo.update(buffer, 0, n);
                }
                if (sampled < SAMPLE) {
                    int take = (int) Math.min(n, SAMPLE - sampled);
                    deflater.setInput(buffer, 0, take);
                    while (!deflater.needsInput()) {
                        sampleDeflated += deflater.deflate(sink);
                    }
                    sampled += take;
                }
                size += n;
            }
            deflater.finish();
            while (!deflater.finished()) {
                sampleDeflated += deflater.deflate(sink);
            }
        } finally {
            deflater.end();
        }
        // Jars and other compressed content gain almost nothing and cost time: store them.
        boolean compressible = sampled > 0 && sampleDeflated < sampled * 9 / 10;
        return new Digest(size, crc32c.getValue(), hex(sha.digest()), crc32.getValue(), compressible);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static String sha256(byte[] bytes) {
        return hex(sha256().digest(bytes));
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
