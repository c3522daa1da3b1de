package dev.retrace.pack;

import dev.retrace.pack.CodeChecksum.ClassFile;
import dev.retrace.pack.CodeChecksum.Digest;
import dev.retrace.pack.CodeChecksum.Directory;
import dev.retrace.pack.CodeChecksum.Missing;
import dev.retrace.pack.CodeChecksum.NotRegular;
import dev.retrace.pack.CodeChecksum.OnDisk;
import dev.retrace.pack.CodeChecksum.RegularFile;
import dev.retrace.pack.PackIndex.Entry;
import dev.retrace.pack.PackIndex.Kind;
import dev.retrace.pack.PackIndex.Role;
import dev.retrace.pack.PackIndex.TreeFile;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipOutputStream;

/**
 * Writes a recording's pack (docs/recording-format.md#the-pack): the recording's frames as they
 * are, the magic, then a zip of every code file the recording names that the replaying machine's
 * JDK and Retrace do not provide, each checked first against the recorded checksum and stored
 * once by its SHA-256. The result is written beside the target and renamed over it: the original
 * is untouched on any error.
 */
public final class Packer {
    private Packer() {}

    public record Result(Path file, PackStats stats) {}

    static final Set<PosixFilePermission> RECORDING_MODE = PosixFilePermissions.fromString("rwx------");
    /** Fixed times make the archive a function of its content: packing twice gives the same bytes. */
    static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);
    static final String INDEX = "index.json";
    static final String OBJECTS = "objects/";

    /**
     * Packs {@code recording} into {@code output} (null: in place). A recording packed already gets
     * a new pack in place of the old one. {@code force}: pack a recording some of whose processes
     * have no end frame, and replace an existing {@code output}.
     */
    public static Result pack(Path recording, Path output, boolean force)
            throws PackException, RecordingException, IOException {
        RecordingSummary summary;
        try (Recording opened = Recording.open(recording)) {
            summary = opened.summary();
        }
        checkPackable(recording, summary, force);
        Path target = target(recording, output, force);
        Plan plan = plan(summary);

        Path temporary = Files.createTempFile(target.toAbsolutePath().getParent(),
                "." + target.getFileName() + ".", ".packing", PosixFilePermissions.asFileAttribute(RECORDING_MODE));
        boolean moved = false;
        try {
            long packBytes;
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE);
                    FileChannel in = dev.retrace.tape.RegularFile.open(recording)) {
                copy(in, out, summary.framesEnd());
                out.write(ByteBuffer.wrap(RecordingSummary.PACK_MAGIC.getBytes(StandardCharsets.US_ASCII)));
                writeArchive(plan, out);
                out.force(true);
                packBytes = out.size() - summary.framesEnd();
            }
            if (Files.size(recording) != summary.fileSize()) {
                throw PackException.refused(recording + " grew while it was being packed (a process is still "
                        + "recording into it); pack it when the program has ended");
            }
            Files.setPosixFilePermissions(temporary, RECORDING_MODE);  // whatever the umask did
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            return new Result(target, plan.stats(packBytes));
        } finally {
            if (!moved) {
                Files.deleteIfExists(temporary);
            }
        }
    }

    /**
     * What cannot be packed: a recording changed after it was recorded, one with a damaged tail (a
     * pack after the damage would never be found: readers stop at it), and, unless forced, one with a
     * process that has no end frame (killed, or still recording: its code found by class loaders is
     * in the end frame, and more frames may follow).
     */
    private static void checkPackable(Path recording, RecordingSummary summary, boolean force) throws PackException {
        RecordingSummary.Stop stop = summary.stop();
        if (stop != null && stop.tampered()) {
            throw PackException.refused("refusing to pack " + recording + ": it was changed after it was recorded ("
                    + stop.reason() + ")");
        }
        if (summary.processes().isEmpty()) {
            throw PackException.refused(recording + " holds no whole process (" + (stop == null ? "" : stop.reason())
                    + "); nothing to pack");
        }
        if (stop != null && !stop.clean()) {
            throw PackException.refused("cannot pack " + recording + ": it is damaged (" + stop.reason()
                    + ") and a pack after the damage would not be found; retrace extract writes its readable "
                    + "processes, each of which can be packed");
        }
        if (!force) {
            for (RecordingSummary.Process process : summary.processes()) {
                if (process.end() == null) {
                    throw PackException.refused("process " + process.pid() + " of " + recording
                            + " has no end frame (killed, or still recording), so the code its class loaders found "
                            + "is not known; --force packs what the recording names");
                }
            }
        }
    }

    private static Path target(Path recording, Path output, boolean force) throws IOException, PackException {
        if (output == null) {
            // A symbolic link stays one: the file it names gets the pack.
            return recording.toRealPath();
        }
        Path target = output.toAbsolutePath().normalize();
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw PackException.refused("the directory of " + output + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw PackException.refused(output + " is a directory");
        }
        if (Files.exists(target) && !Files.isSameFile(target, recording) && !force) {
            throw PackException.refused(output + " already exists (use --force to replace it)");
        }
        return target;
    }

    // ---------------------------------------------------------------------------------------------
    // What goes in: the index and the objects.

    /** A distinct content and where to read it from. */
    record ObjectSource(String sha256, Path file, long size, long crc32, boolean compressible, String description) {}

    record Plan(PackIndex index, Map<String, ObjectSource> objects) {
        PackStats stats(long packBytes) {
            long content = objects.values().stream().mapToLong(ObjectSource::size).sum();
            return PackStats.of(index, objects.size(), content, packBytes);
        }
    }

    /** An entry's identity across processes: the same recorded path, role and checksums are one entry. */
    private record Key(String path, String absolute, Role role, Long crc32c, Long size) {}

    static Plan plan(RecordingSummary summary) throws PackException, IOException {
        Map<Key, List<Long>> pidsOf = new LinkedHashMap<>();
        for (long pid : summary.pids()) {
            RecordingSummary.Process process = summary.process(pid).orElseThrow();
            List<RecordingSummary.Code> code = new ArrayList<>(process.code());
            if (process.end() != null) {
                code.addAll(process.end().code());
            }
            for (RecordingSummary.Code entry : code) {
                Role role = packedRole(entry);
                if (role != null) {
                    Key key = new Key(entry.path(), absoluteIfRelative(process.cwd(), entry.path()), role,
                            entry.crc32c(), entry.size());
                    addPid(pidsOf, key, pid);
                }
            }
            for (String argfile : Argfiles.of(process)) {
                Path resolved = Argfiles.resolve(process.cwd(), argfile);
                Key key = new Key(argfile, resolved.toString().equals(argfile) ? null : resolved.toString(),
                        Role.argfile, null, null);
                addPid(pidsOf, key, pid);
            }
        }

        Map<String, OnDisk> looked = new HashMap<>();
        Map<String, ObjectSource> objects = new TreeMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Key, List<Long>> each : pidsOf.entrySet()) {
            Key key = each.getKey();
            String path = key.absolute() != null ? key.absolute() : key.path();
            if (path.indexOf('\t') >= 0 || path.indexOf('\n') >= 0) {
                throw PackException.refused("cannot pack " + describe(key.role()) + " " + path
                        + ": its name has a tab or a newline, which the code map cannot carry");
            }
            if (key.role() != Role.argfile && key.size() == null) {
                entries.add(new Entry(each.getValue(), key.path(), key.absolute(), key.role(), Kind.missing,
                        key.crc32c(), null, null, null));
                continue;
            }
            OnDisk now = looked.get(path);
            if (now == null) {
                now = CodeChecksum.look(Path.of(path));
                looked.put(path, now);
            }
            entries.add(entry(key, each.getValue(), path, now, objects));
        }
        return new Plan(new PackIndex(PackIndex.VERSION, entries), objects);
    }

    private static void addPid(Map<Key, List<Long>> pidsOf, Key key, long pid) {
        List<Long> pids = pidsOf.computeIfAbsent(key, k -> new ArrayList<>());
        if (!pids.contains(pid)) {
            pids.add(pid);
        }
    }

    private static Entry entry(Key key, List<Long> pids, String path, OnDisk now, Map<String, ObjectSource> objects)
            throws PackException {
        String what = describe(key.role());
        switch (now) {
            case Missing m -> throw PackException.refused(what + " " + path
                    + (key.role() == Role.argfile ? " is missing" : " is missing (it was there when recorded)"));
            case NotRegular n -> throw PackException.refused(what + " " + path
                    + " is not a regular file or a directory: it cannot be packed");
            case RegularFile file -> {
                Digest digest = file.digest();
                Long crc = key.role() == Role.argfile ? (Long) digest.crc32c() : key.crc32c();
                Long size = key.role() == Role.argfile ? (Long) digest.size() : key.size();
                checkUnchanged(what, path, digest.crc32c(), digest.size(), crc, size);
                objects.putIfAbsent(digest.sha256(), new ObjectSource(digest.sha256(), Path.of(path), digest.size(),
                        digest.crc32(), digest.compressible(), what + " " + path));
                return new Entry(pids, key.path(), key.absolute(), key.role(), Kind.file, crc, size, digest.sha256(), null);
            }
            case Directory tree -> {
                if (key.role() == Role.argfile) {
                    throw PackException.refused(what + " " + path + " is a directory");
                }
                checkUnchanged(what, path, tree.crc32c(), tree.size(), key.crc32c(), key.size());
                List<TreeFile> files = new ArrayList<>();
                for (ClassFile file : tree.files()) {
                    Digest digest = file.digest();
                    files.add(new TreeFile(file.relative(), digest.sha256()));
                    objects.putIfAbsent(digest.sha256(), new ObjectSource(digest.sha256(), file.path(), digest.size(),
                            digest.crc32(), digest.compressible(), what + " " + path + " (its " + file.relative() + ")"));
                }
                return new Entry(pids, key.path(), key.absolute(), key.role(), Kind.directory, key.crc32c(), key.size(),
                        null, files);
            }
        }
    }

    private static void checkUnchanged(String what, String path, long crc, long size, Long recordedCrc, Long recordedSize)
            throws PackException {
        if (recordedCrc != null && recordedSize != null && crc == recordedCrc && size == recordedSize) {
            return;
        }
        throw PackException.refused(String.format("%s %s changed since the recording (crc32c %08x, %d bytes; "
                + "recorded %08x, %d bytes)", what, path, crc, size, recordedCrc, recordedSize));
    }

    /**
     * The role an entry is packed under, or null: the JDK is found on the replaying machine, and
     * Retrace's own files (the agent, the JUnit listener it adds) come with the Retrace that
     * replays. A -javaagent jar is the program's: it is packed.
     */
    static Role packedRole(RecordingSummary.Code code) {
        return switch (code.role()) {
            case "classpath" -> Role.classpath;
            case "loaded" -> Role.loaded;
            case "agent" -> isRetracesOwn(code.path()) ? null : Role.agent;
            default -> null;  // javaHome, and roles of later formats this build does not know
        };
    }

    static boolean isRetracesOwn(String path) {
        return path.endsWith("/libretrace.so") || path.endsWith("/retrace-junit.jar");
    }

    static String describe(Role role) {
        return switch (role) {
            case classpath -> "the classpath entry";
            case loaded -> "the code file (opened by a class loader)";
            case agent -> "the agent jar";
            case argfile -> "the argument file";
        };
    }

    private static String absoluteIfRelative(String cwd, String path) {
        if (path.startsWith("/") || cwd == null || cwd.isEmpty()) {
            return null;
        }
        return Path.of(cwd).resolve(path).normalize().toString();
    }

    // ---------------------------------------------------------------------------------------------
    // The bytes.

    private static void copy(FileChannel in, FileChannel out, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long n = in.transferTo(done, length - done, out);
            if (n <= 0) {
                throw new IOException("the recording is shorter than its frames (" + done + " of " + length + " bytes)");
            }
            done += n;
        }
    }

    private static void writeArchive(Plan plan, FileChannel channel) throws IOException, PackException {
        OutputStream unclosable = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16) {
            @Override
            public void close() throws IOException {
                flush();  // the channel is the caller's
            }
        };
        try (ZipOutputStream zip = new ZipOutputStream(unclosable)) {
            ZipEntry index = new ZipEntry(INDEX);
            index.setTimeLocal(ENTRY_TIME);
            zip.putNextEntry(index);
            zip.write(plan.index().toJson());
            zip.closeEntry();
            for (ObjectSource object : plan.objects().values()) {
                writeObject(zip, object);
            }
        }
    }

    private static void writeObject(ZipOutputStream zip, ObjectSource object) throws IOException, PackException {
        ZipEntry entry = new ZipEntry(OBJECTS + object.sha256());
        entry.setTimeLocal(ENTRY_TIME);
        if (!object.compressible()) {
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(object.size());
            entry.setCompressedSize(object.size());
            entry.setCrc(object.crc32());
        }
        MessageDigest sha = CodeChecksum.sha256();
        long size = 0;
        try {
            zip.putNextEntry(entry);
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(object.file())) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    zip.write(buffer, 0, n);
                    size += n;
                }
            }
            zip.closeEntry();
        } catch (ZipException e) {
            throw changedWhilePacking(object);  // a stored entry's size or CRC-32 no longer matches
        }
        if (size != object.size() || !CodeChecksum.hex(sha.digest()).equals(object.sha256())) {
            throw changedWhilePacking(object);
        }
    }

    private static PackException changedWhilePacking(ObjectSource object) {
        return PackException.refused(object.description() + " changed while it was being packed");
    }
}
