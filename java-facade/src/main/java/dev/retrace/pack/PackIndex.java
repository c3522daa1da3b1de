package dev.retrace.pack;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The pack's {@code index.json} (docs/recording-format.md#the-pack): one entry per code entry of
 * the recording's processes (the same path, role and checksum in several processes is one entry
 * with their pids), each naming the objects that hold its content.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PackIndex(int version, List<Entry> entries) {
    public static final int VERSION = 1;

    /** What the recording says the code is; "agent" entries are -javaagent jars, not Retrace's own files. */
    public enum Role {
        classpath,
        loaded,
        agent,
        argfile
    }

    public enum Kind {
        file,
        directory,
        missing
    }

    /**
     * One code entry. {@code path} is as recorded; {@code absolute} only when that path is relative
     * (resolved against the process's recorded working directory). {@code crc32c} and {@code size}
     * are the recorded ones (an argfile's are taken when packed: the recording has none). A file
     * has {@code sha256}, a directory {@code files}, a missing entry (recorded as missing) neither.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entry(
            List<Long> pids,
            String path,
            String absolute,
            Role role,
            Kind kind,
            Long crc32c,
            Long size,
            String sha256,
            List<TreeFile> files) {
        public Entry {
            pids = pids == null ? List.of() : List.copyOf(pids);
        }

        /** The path the recorded process used: {@code absolute} when the recorded path is relative. */
        public String resolvedPath() {
            return absolute != null ? absolute : path;
        }
    }

    /** A {@code .class} file of a directory entry: its path below the directory, and its content's object. */
    public record TreeFile(String path, String sha256) {}

    public PackIndex {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public byte[] toJson() {
        try {
            return (JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the pack index cannot be written as JSON", e);
        }
    }

    /**
     * Reads and checks an index: a pack is input from whoever made the recording, so every name
     * that becomes a file name here (objects, the files of a tree) is checked before it is used.
     */
    public static PackIndex parse(byte[] json) throws PackException {
        PackIndex index;
        try {
            index = JSON.readValue(json, PackIndex.class);
        } catch (java.io.IOException e) {
            throw PackException.damaged("its index.json is not an index (" + firstLine(e.getMessage()) + ")");
        }
        if (index.version() != VERSION) {
            throw PackException.damaged("its index.json is version " + index.version() + "; this build reads version "
                    + VERSION);
        }
        for (Entry entry : index.entries()) {
            check(entry);
        }
        return index;
    }

    private static void check(Entry entry) throws PackException {
        if (entry == null || entry.path() == null || entry.role() == null || entry.kind() == null) {
            throw PackException.damaged("its index.json has an entry without a path, role or kind");
        }
        String name = entry.resolvedPath();
        if (!name.startsWith("/") || name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\0') >= 0) {
            throw PackException.damaged("its index.json names " + entry.path() + ", not an absolute path");
        }
        switch (entry.kind()) {
            case file -> {
                if (entry.sha256() == null || !SHA256.matcher(entry.sha256()).matches() || entry.size() == null
                        || entry.size() < 0 || entry.crc32c() == null) {
                    throw PackException.damaged("its index.json entry for " + entry.path() + " has no checksums");
                }
            }
            case directory -> {
                if (entry.files() == null || entry.size() == null || entry.size() < 0 || entry.crc32c() == null) {
                    throw PackException.damaged("its index.json entry for " + entry.path() + " lists no files");
                }
                for (TreeFile file : entry.files()) {
                    if (file == null || file.sha256() == null || !SHA256.matcher(file.sha256()).matches()
                            || !isTreePath(file.path())) {
                        throw PackException.damaged("its index.json entry for " + entry.path()
                                + " has a file that is not a .class file below it: "
                                + (file == null ? "null" : file.path()));
                    }
                }
            }
            case missing -> {
                if (entry.sha256() != null || entry.files() != null) {
                    throw PackException.damaged("its index.json entry for " + entry.path() + " is missing and has content");
                }
            }
        }
    }

    /**
     * A path below a directory that names a .class file and stays below it: relative, no empty,
     * {@code .} or {@code ..} part, no NUL, tab or newline (it becomes a file name in the cache).
     */
    static boolean isTreePath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || !CodeChecksum.isClassFile(path)
                || path.indexOf('\0') >= 0 || path.indexOf('\t') >= 0 || path.indexOf('\n') >= 0) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
