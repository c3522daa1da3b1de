package dev.retrace.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.retrace.tape.FrameFile;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingException;
import dev.retrace.tape.RecordingSummary;
import dev.retrace.tape.RegularFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
                    + "previous extraction; an earlier <PID>.bin that holds more of a process is kept. Also: "
                    + "retrace --recording FILE --extract [DIR].",
            "",
            "A recording cut short (a killed process, a full disk, a copy that stopped early): every whole "
                    + "process is extracted, and so is the readable part of the others; then one line on stderr "
                    + "per process that is incomplete (or whose first frame is cut off: missing), one line for "
                    + "the recording, and exit 1. index.json marks each process \"complete\": true or false.",
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

    /** What became of one process: its frames in the recording, and whether an earlier, longer file was kept. */
    private record Written(int frames, boolean kept) {}

    /** A process the recording names only in a frame the end of the file cuts: nothing of it is readable. */
    private record Missing(long pid, String reason) {}

    @Override
    public Integer call() throws RecordingException, IOException {
        try (Recording recording = Recording.open(file)) {
            RecordingSummary summary = recording.summary();
            List<Missing> missing = missing(summary);
            if (summary.processes().isEmpty()) {
                // Nothing to write: leave DIR (and a previous extraction in it) as it is.
                throw new DataException(file + " holds no whole process start ("
                        + (summary.stop().clean() ? "no process" : summary.stop().reason()) + "); nothing was extracted");
            }
            Path dir = directory != null ? directory : defaultDirectory(file);
            prepare(dir);
            List<FrameFile.Frame> frames = FrameFile.scan(file, summary.stop().offset());
            Map<Long, Written> written = new LinkedHashMap<>();
            PrintWriter out = spec.commandLine().getOut();
            try (FileChannel source = RegularFile.open(file)) {
                byte[] shebang = FrameFile.shebang(source);
                for (long pid : summary.pids()) {
                    Path bin = dir.resolve(pid + ".bin");
                    Written w = writeProcess(source, shebang, frames, pid, bin);
                    written.put(pid, w);
                    if (!w.kept()) {
                        out.println(bin);
                    }
                }
            }
            Path index = dir.resolve(INDEX);
            writeIndex(summary, written, missing, index);
            out.println(index);
            return report(summary, written, missing, dir);
        }
    }

    /**
     * One line on stderr per process that is not whole or is missing, and per earlier file kept,
     * then one line for the recording; exit 1 when anything is not whole, 0 otherwise.
     */
    private int report(RecordingSummary summary, Map<Long, Written> written, List<Missing> missing, Path dir) {
        spec.commandLine().getOut().flush();
        PrintWriter err = spec.commandLine().getErr();
        String prefix = spec.qualifiedName() + ": ";
        int incomplete = 0;
        for (long pid : summary.pids()) {
            RecordingSummary.Process p = summary.process(pid).orElseThrow();
            Path bin = dir.resolve(pid + ".bin");
            String kept = "kept " + bin + " of an earlier extraction, which holds more of it";
            if (!p.complete()) {
                incomplete++;
                String where = written.get(pid).kept()
                        ? kept
                        : bin + " replays up to where its recording stops (exit 123 if the program goes on past that)";
                err.println(prefix + Messages.oneLine("process " + pid + " is incomplete: " + reason(summary, p) + "; " + where));
            } else if (written.get(pid).kept()) {
                err.println(prefix + Messages.oneLine("process " + pid + ": " + kept));
            }
        }
        for (Missing m : missing) {
            err.println(prefix + Messages.oneLine("process " + m.pid() + " is missing: " + m.reason()));
        }
        var why = summary.incompleteReason();
        if (why.isEmpty()) {
            return Main.EXIT_OK;
        }
        int known = summary.processes().size() + missing.size();
        String counts = (known - incomplete - missing.size()) + " of " + known + " processes extracted whole"
                + (incomplete > 0 ? ", " + incomplete + " incomplete" : "")
                + (missing.isEmpty() ? "" : ", " + missing.size() + " missing");
        String stop = summary.stop().clean() ? "" : summary.stop().reason() + "; ";
        err.println(prefix + Messages.oneLine(file + " is incomplete: " + stop + counts));
        return Main.EXIT_DATA;
    }

    /** Why a process is not whole; a missing end frame says the file may have been cut before it. */
    private static String reason(RecordingSummary summary, RecordingSummary.Process p) {
        if (p.end() == null && !summary.stop().clean()) {
            return "no end frame (the recording stops before it, at offset " + summary.stop().offset()
                    + ", or the process was killed)";
        }
        return p.incompleteReason().orElse("");
    }

    /** The process whose first frame the end of the file cuts, if the cut frame's pid is readable. */
    private List<Missing> missing(RecordingSummary summary) throws IOException {
        if (summary.stop().clean()) {
            return List.of();
        }
        long offset = summary.stop().offset();
        var pid = FrameFile.cutFramePid(file, offset);
        if (pid.isEmpty() || summary.process(pid.getAsLong()).isPresent()) {
            return List.of();
        }
        return List.of(new Missing(pid.getAsLong(), "its first frame, at offset " + offset
                + ", is cut off by the end of the file; nothing of it was extracted"));
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

    /**
     * Writes {@code bin} through a temporary file, so that a failed write leaves the earlier file
     * whole. An earlier file that holds all of the new one and more (a previous extraction of the
     * same process before the recording was cut) is kept: extracting never loses frames.
     */
    private static Written writeProcess(FileChannel source, byte[] shebang, List<FrameFile.Frame> frames, long pid,
            Path bin) throws IOException {
        Path temporary = bin.resolveSibling(bin.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        int count = 0;
        try (FileChannel target = FileChannel.open(temporary,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OWNER_ONLY_EXECUTABLE)) {
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
        if (Files.isRegularFile(bin, LinkOption.NOFOLLOW_LINKS) && Files.size(bin) > Files.size(temporary)
                && Files.mismatch(temporary, bin) == Files.size(temporary)) {
            Files.delete(temporary);
            return new Written(count, true);
        }
        // Executable and owner-only, like the recording: it holds environment and data.
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwx------"));
        Files.move(temporary, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Written(count, false);
    }

    private void writeIndex(RecordingSummary summary, Map<Long, Written> written, List<Missing> missing, Path index)
            throws IOException {
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
            node.put("complete", p.complete());
            if (!p.complete()) {
                node.put("incompleteReason", reason(summary, p));
            }
            if (written.get(pid).kept()) {
                node.put("kept", true);  // the file is an earlier extraction that holds more of the process
            }
            node.put("frames", written.get(pid).frames());
            node.put("bytes", p.bytes());
            node.put("firstOffset", p.firstOffset());
            node.put("lastOffset", p.lastOffset());
        }
        ArrayNode absent = root.putArray("missing");
        for (Missing m : missing) {
            absent.addObject().put("pid", m.pid()).put("reason", m.reason());
        }
        Path temporary = index.resolveSibling(INDEX + ".tmp");
        Files.deleteIfExists(temporary);
        Files.createFile(temporary, OWNER_ONLY_FILE);
        json.writeValue(temporary.toFile(), root);
        Files.move(temporary, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
