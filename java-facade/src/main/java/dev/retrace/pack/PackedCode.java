package dev.retrace.pack;

import dev.retrace.pack.PackIndex.Entry;
import dev.retrace.pack.PackIndex.Kind;
import dev.retrace.pack.PackIndex.Role;
import dev.retrace.pack.PackIndex.TreeFile;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * A packed recording's code, on this machine: its objects extracted into a content-addressed
 * cache, each directory entry as a tree of links to them, and a code map that tells the replay
 * launcher where each recorded path's content is now ({@code maps/<sha256 of the index>.tsv},
 * lines {@code <recorded absolute path> TAB <local path>}). Every object is checked by its
 * SHA-256 as it is written and again each time it is used, and against the recording's own
 * checksums (CRC32C and size; a directory's as the agent computes them).
 */
public final class PackedCode {
    private PackedCode() {}

    static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OBJECT_MODE = PosixFilePermissions.fromString("r--------");
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIRECTORY =
            PosixFilePermissions.asFileAttribute(DIRECTORY_MODE);

    /** {@code ${RETRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/retrace}}, from {@code environment}. */
    public static Path cacheRoot(Map<String, String> environment) throws PackException {
        String own = environment.get("RETRACE_CACHE");
        if (own != null && !own.isEmpty()) {
            return Path.of(own).toAbsolutePath().normalize();
        }
        String xdg = environment.get("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) {  // the XDG spec ignores a relative one
            return Path.of(xdg, "retrace");
        }
        String home = environment.get("HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home, ".cache", "retrace");
        }
        throw PackException.refused("no directory for the pack cache: set RETRACE_CACHE (or HOME)");
    }

    /** The code map of a packed recording, extracting what the cache lacks; empty for a recording without a pack. */
    public static Optional<Path> codeMap(Path recording, Path cache) throws PackException, RecordingException, IOException {
        RecordingSummary summary;
        try (Recording opened = Recording.open(recording)) {
            summary = opened.summary();
        }
        if (summary.pack() == null) {
            return Optional.empty();
        }
        return Optional.of(extract(recording, summary, cache));
    }

    /** Extracts the pack {@code summary} says {@code recording} has, and returns its code map. */
    public static Path extract(Path recording, RecordingSummary summary, Path cache)
            throws PackException, IOException {
        try (PackFile pack = PackFile.open(recording, summary.pack())) {
            PackIndex index = pack.index();
            matchRecording(index, summary);
            Cache dirs = Cache.at(cache);
            Map<String, Path> local = new LinkedHashMap<>();
            for (Entry entry : index.entries()) {
                Path where = switch (entry.kind()) {
                    case missing -> null;
                    case file -> file(pack, dirs, entry);
                    case directory -> tree(pack, dirs, entry);
                };
                if (where != null) {
                    local.putIfAbsent(entry.resolvedPath(), where);
                }
            }
            return writeMap(dirs, CodeChecksum.sha256(pack.indexBytes()), local);
        }
    }

    /**
     * Each entry of the index is a code entry of the processes it names, with the same path, role
     * and checksums (an argfile: one their command lines name). A crafted index cannot map a path
     * the recording does not hold, nor give a recorded path other checksums.
     */
    private static void matchRecording(PackIndex index, RecordingSummary summary) throws PackException {
        for (Entry entry : index.entries()) {
            if (entry.pids().isEmpty()) {
                throw PackException.copyDoesNotMatch(entry.resolvedPath());
            }
            for (long pid : entry.pids()) {
                RecordingSummary.Process process = summary.process(pid).orElse(null);
                if (process == null || !Objects.equals(entry.absolute(), absoluteIfRelative(process.cwd(), entry))
                        || !recorded(process, entry)) {
                    throw PackException.copyDoesNotMatch(entry.resolvedPath());
                }
            }
        }
    }

    private static String absoluteIfRelative(String cwd, Entry entry) {
        if (entry.role() == Role.argfile) {
            String resolved = Argfiles.resolve(cwd, entry.path()).toString();
            return resolved.equals(entry.path()) ? null : resolved;
        }
        if (entry.path().startsWith("/") || cwd == null || cwd.isEmpty()) {
            return null;
        }
        return Path.of(cwd).resolve(entry.path()).normalize().toString();
    }

    private static boolean recorded(RecordingSummary.Process process, Entry entry) {
        if (entry.role() == Role.argfile) {
            return entry.kind() == Kind.file && Argfiles.of(process).contains(entry.path());
        }
        if ((entry.kind() == Kind.missing) != (entry.size() == null)) {
            return false;
        }
        List<RecordingSummary.Code> code = new ArrayList<>(process.code());
        if (process.end() != null) {
            code.addAll(process.end().code());
        }
        for (RecordingSummary.Code c : code) {
            if (c.path().equals(entry.path()) && Packer.packedRole(c) == entry.role()
                    && entry.crc32c() != null && c.crc32c() == entry.crc32c() && Objects.equals(c.size(), entry.size())) {
                return true;
            }
        }
        return false;
    }

    private static Path file(PackFile pack, Cache cache, Entry entry) throws PackException, IOException {
        Verified object = cache.object(pack, entry.sha256(), entry.size(), entry.resolvedPath());
        if (object.size() != entry.size() || object.crc32c() != entry.crc32c()) {
            throw PackException.copyDoesNotMatch(entry.resolvedPath());
        }
        return object.path();
    }

    /** A directory entry: its class files' objects, checked together as the agent checksums the directory. */
    private static Path tree(PackFile pack, Cache cache, Entry entry) throws PackException, IOException {
        List<TreeFile> files = new ArrayList<>(entry.files());
        files.sort(Comparator.comparing(TreeFile::path, CodeChecksum::compareBytes));
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i).path().equals(files.get(i - 1).path())) {
                throw PackException.damaged("its index.json lists " + entry.resolvedPath() + "/" + files.get(i).path()
                        + " twice");
            }
        }
        Map<String, Path> objects = new LinkedHashMap<>();
        CRC32C crc = new CRC32C();
        long size = 0;
        for (TreeFile file : files) {
            String named = entry.resolvedPath() + "/" + file.path();
            Verified object = cache.object(pack, file.sha256(), entry.size(), named);
            objects.put(file.path(), object.path());
            byte[] relative = CodeChecksum.pathBytes(file.path());
            crc.update(relative, 0, relative.length);
            try (InputStream in = Files.newInputStream(object.path())) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    crc.update(buffer, 0, n);
                    size += n;
                }
            }
        }
        if (crc.getValue() != entry.crc32c() || size != entry.size()) {
            throw PackException.copyDoesNotMatch(entry.resolvedPath());
        }
        return cache.tree(objects);
    }

    private static Path writeMap(Cache cache, String indexSha, Map<String, Path> local) throws IOException {
        StringBuilder text = new StringBuilder();
        local.forEach((recorded, path) -> text.append(recorded).append('\t').append(path).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        Path map = cache.maps.resolve(indexSha + ".tsv");
        if (Files.isRegularFile(map, LinkOption.NOFOLLOW_LINKS) && java.util.Arrays.equals(Files.readAllBytes(map), bytes)) {
            return map;
        }
        Path temporary = Files.createTempFile(cache.maps, "." + indexSha + ".", ".tmp");
        try {
            Files.write(temporary, bytes);
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            moveInto(temporary, map);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return map;
    }

    /** A file of the cache as read through: its size, CRC32C, SHA-256, and the CRC-32 a zip entry of it has. */
    record Verified(Path path, long size, long crc32c, String sha256, long crc32) {}

    /** The cache's directories: objects/, trees/, maps/, each 0700. */
    private record Cache(Path objects, Path trees, Path maps) {
        static Cache at(Path root) throws IOException {
            Path objects = directory(root.resolve("objects"));
            Path trees = directory(root.resolve("trees"));
            Path maps = directory(root.resolve("maps"));
            return new Cache(objects, trees, maps);
        }

        private static Path directory(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                Path parent = dir.getParent();
                if (parent != null && !Files.isDirectory(parent)) {
                    Files.createDirectories(parent, PRIVATE_DIRECTORY);
                }
                try {
                    Files.createDirectory(dir, PRIVATE_DIRECTORY);
                } catch (FileAlreadyExistsException e) {
                    // made by a replay beside this one
                }
                Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
            }
            return dir;
        }

        /**
         * {@code objects/<sha256>}: checked again if it is there (a damaged one is replaced), else
         * extracted from the pack through a temporary file, at most {@code limit} bytes.
         */
        Verified object(PackFile pack, String sha256, long limit, String recordedPath) throws PackException, IOException {
            Path object = objects.resolve(sha256);
            ZipEntry entry = pack.objects().get(sha256);
            if (entry == null) {
                throw PackException.copyDoesNotMatch(recordedPath);
            }
            if (Files.isRegularFile(object, LinkOption.NOFOLLOW_LINKS)) {
                Verified cached = check(object);
                if (cached != null && cached.sha256().equals(sha256)) {
                    // The cached copy is the one used; the pack's is compared by what its zip entry says of
                    // it, so that a changed pack is refused whether the cache is warm or not.
                    if (entry.getCrc() != cached.crc32() || entry.getSize() != cached.size()) {
                        throw PackException.copyDoesNotMatch(recordedPath);
                    }
                    return cached;
                }
            }
            Path temporary = Files.createTempFile(objects, "." + sha256 + ".", ".tmp");
            try {
                MessageDigest sha = CodeChecksum.sha256();
                CRC32C crc = new CRC32C();
                CRC32 zipCrc = new CRC32();
                long size = 0;
                try (InputStream in = pack.read(entry); OutputStream out = Files.newOutputStream(temporary)) {
                    byte[] buffer = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buffer)) > 0) {
                        size += n;
                        if (size > limit) {
                            throw PackException.copyDoesNotMatch(recordedPath);
                        }
                        sha.update(buffer, 0, n);
                        crc.update(buffer, 0, n);
                        zipCrc.update(buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                } catch (ZipException e) {
                    throw PackException.copyDoesNotMatch(recordedPath);  // the zip's own CRC-32 or inflation failed
                }
                if (!CodeChecksum.hex(sha.digest()).equals(sha256)) {
                    throw PackException.copyDoesNotMatch(recordedPath);
                }
                Files.setPosixFilePermissions(temporary, OBJECT_MODE);
                moveInto(temporary, object);
                return new Verified(object, size, crc.getValue(), sha256, zipCrc.getValue());
            } finally {
                Files.deleteIfExists(temporary);
            }
        }

        /** Reads a cached file through; null if it cannot be read. */
        private static Verified check(Path object) {
            MessageDigest sha = CodeChecksum.sha256();
            CRC32C crc = new CRC32C();
            CRC32 zipCrc = new CRC32();
            long size = 0;
            try (InputStream in = Files.newInputStream(object)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    crc.update(buffer, 0, n);
                    zipCrc.update(buffer, 0, n);
                    size += n;
                }
            } catch (IOException e) {
                return null;
            }
            return new Verified(object, size, crc.getValue(), CodeChecksum.hex(sha.digest()), zipCrc.getValue());
        }

        /**
         * {@code trees/<sha256 of its file list>/<relative paths>}: hard links to the objects (copies
         * where the file system has none), used again while every file is still its object.
         */
        Path tree(Map<String, Path> files) throws IOException {
            StringBuilder list = new StringBuilder();
            files.forEach((relative, object) ->
                    list.append(object.getFileName()).append("  ").append(relative).append('\n'));
            String name = CodeChecksum.sha256(list.toString().getBytes(StandardCharsets.UTF_8));
            Path tree = trees.resolve(name);
            if (Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
                if (intact(tree, files)) {
                    return tree;
                }
                deleteTree(tree);
            }
            Path temporary = Files.createTempDirectory(trees, "." + name + ".", PRIVATE_DIRECTORY);
            try {
                for (Map.Entry<String, Path> file : files.entrySet()) {
                    Path link = temporary.resolve(file.getKey()).normalize();
                    if (!link.startsWith(temporary)) {
                        throw new IOException("the tree path " + file.getKey() + " leaves its directory");
                    }
                    Files.createDirectories(link.getParent(), PRIVATE_DIRECTORY);
                    try {
                        Files.createLink(link, file.getValue());
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(file.getValue(), link);
                        Files.setPosixFilePermissions(link, OBJECT_MODE);
                    }
                }
                try {
                    Files.move(temporary, tree, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                    if (!intact(tree, files)) {  // made by a replay beside this one, or else damaged
                        throw new IOException("the cached tree " + tree + " does not hold the pack's files");
                    }
                }
            } finally {
                if (Files.exists(temporary, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(temporary);
                }
            }
            return tree;
        }

        /** The tree holds exactly these class files, each its object (a link to it, or a copy with its content). */
        private static boolean intact(Path tree, Map<String, Path> files) throws IOException {
            List<String> present;
            try {
                present = CodeChecksum.classFiles(tree);
            } catch (IOException e) {
                return false;
            }
            if (present.size() != files.size() || !files.keySet().containsAll(present)) {
                return false;
            }
            for (Map.Entry<String, Path> file : files.entrySet()) {
                Path copy = tree.resolve(file.getKey());
                if (!Files.isRegularFile(copy, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                if (Files.isSameFile(copy, file.getValue())) {
                    continue;
                }
                Verified checked = check(copy);
                if (checked == null || !checked.sha256().equals(file.getValue().getFileName().toString())) {
                    return false;
                }
            }
            return true;
        }

        private static void deleteTree(Path root) throws IOException {
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static void moveInto(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
