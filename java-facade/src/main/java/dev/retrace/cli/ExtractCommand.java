package dev.retrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.retrace.tape.FrameFile;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "extract",
        description = {
            "Splits a recording into one replayable file per process.",
            "",
            "Writes DIR/index.json (the process tree: for each process its pid, parent, argv, start and end, "
                    + "children in start order, and where its frames are) and DIR/<PID>.bin: the shebang line "
                    + "and that process's frames, executable and replayable on its own (./DIR/<PID>.bin). DIR "
                    + "defaults to the recording's name without .retrace, plus .d; it must be new, empty, or a "
                    + "previous extraction. Also: retrace --recording FILE --extract [DIR].",
        },
        footerHeading = "%nExample usage:%n%n",
        footer = {
            " retrace extract recordings/run.retrace          (writes recordings/run.d/)",
            "",
            " ./recordings/run.retrace --extract /tmp/run",
            "",
            " ./recordings/run.d/4243.bin",
        })
final class ExtractCommand implements Callable<Integer> {
    static final String INDEX = "index.json";
    // Like the recording itself: the extraction holds command lines, environment and data.
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY_DIRECTORY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY_EXECUTABLE = OWNER_ONLY_DIRECTORY;
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The recording.")
    Path file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "DIR", description = "Where to write (default: FILE without .retrace, plus .d).")
    Path directory;

    @Override
    public Integer call() throws RecordingException, IOException {
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            Path dir = directory != null ? directory : defaultDirectory(file);
            prepare(dir);
            List<FrameFile.Frame> frames = FrameFile.scan(file, summary.stop().offset());
            Map<Long, Integer> frameCounts = new LinkedHashMap<>();
            PrintWriter out = spec.commandLine().getOut();
            try (FileChannel source = FileChannel.open(file, StandardOpenOption.READ)) {
                byte[] shebang = FrameFile.shebang(source);
                for (long pid : summary.pids()) {
                    Path bin = dir.resolve(pid + ".bin");
                    frameCounts.put(pid, writeProcess(source, shebang, frames, pid, bin));
                    out.println(bin);
                }
            }
            Path index = dir.resolve(INDEX);
            writeIndex(summary, frameCounts, index);
            out.println(index);
            return Recordings.status(summary, spec, file);
        }
    }

    static Path defaultDirectory(Path file) {
        String name = file.getFileName().toString();
        for (String extension : List.of(".retrace", ".bin")) {
            if (name.endsWith(extension) && name.length() > extension.length()) {
                name = name.substring(0, name.length() - extension.length());
                break;
            }
        }
        Path parent = file.getParent();
        return parent == null ? Path.of(name + ".d") : parent.resolve(name + ".d");
    }

    /** The directory must be new, empty, or hold a previous extraction (never overwrite other files). */
    private static void prepare(Path dir) throws IOException {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new DataException(dir + " exists and is not a directory");
            }
            boolean empty;
            try (Stream<Path> entries = Files.list(dir)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(dir.resolve(INDEX))) {
                throw new DataException(dir + " is not empty and holds no previous extraction (choose another DIR)");
            }
        } else {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new DataException("the directory of " + dir + " does not exist");
            }
            Files.createDirectory(dir, OWNER_ONLY_DIRECTORY);
        }
    }

    private static int writeProcess(FileChannel source, byte[] shebang, List<FrameFile.Frame> frames, long pid, Path bin)
            throws IOException {
        Files.deleteIfExists(bin);
        int count = 0;
        try (FileChannel target = FileChannel.open(bin, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                OWNER_ONLY_EXECUTABLE)) {
            target.write(java.nio.ByteBuffer.wrap(shebang));
            for (FrameFile.Frame frame : frames) {
                if (frame.pid() != pid) {
                    continue;
                }
                long done = 0;
                while (done < frame.size()) {
                    done += source.transferTo(frame.offset() + done, frame.size() - done, target);
                }
                count++;
            }
        }
        // Executable and owner-only, like the recording: it holds environment and data.
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwx------"));
        return count;
    }

    private void writeIndex(RecordingSummary summary, Map<Long, Integer> frameCounts, Path index) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("recording", file.toAbsolutePath().normalize().toString());
        root.put("formatVersion", summary.formatVersion());
        root.put("complete", summary.incompleteReason().isEmpty());
        summary.incompleteReason().ifPresent(reason -> root.put("incompleteReason", reason));
        summary.root().ifPresent(p -> root.put("root", p.pid()));
        ArrayNode processes = root.putArray("processes");
        for (long pid : summary.pids()) {
            RecordingSummary.Process p = summary.process(pid).orElseThrow();
            ObjectNode node = processes.addObject();
            node.put("pid", p.pid());
            node.put("parentPid", p.parentPid());
            node.put("parentEventIndex", p.parentEventIndex());
            node.put("parentThread", p.parentThread());
            node.set("argv", json.valueToTree(p.argv()));
            node.put("javaHome", p.javaHome());
            node.put("jvmVersion", p.jvmVersion());
            node.put("cwd", p.cwd());
            node.put("startTimeMillis", p.startTimeMillis());
            node.set("end", json.valueToTree(p.end()));
            node.put("events", p.events());
            node.set("threads", json.valueToTree(p.threads()));
            ArrayNode children = node.putArray("children");
            summary.children(pid).forEach(c -> children.add(c.pid()));
            node.put("file", pid + ".bin");
            node.put("frames", frameCounts.getOrDefault(pid, 0));
            node.put("bytes", p.bytes());
            node.put("firstOffset", p.firstOffset());
            node.put("lastOffset", p.lastOffset());
        }
        Path temporary = index.resolveSibling(INDEX + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, OWNER_ONLY_FILE);
        json.writeValue(temporary.toFile(), root);
        Files.move(temporary, index, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
