package dev.retrace.tape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An open recording, read through the tape library's C ABI ({@link TapeC}). Not thread-safe:
 * one iteration of events or hand-overs at a time (the C side holds a single cursor).
 *
 * <pre>{@code
 * try (Recording recording = Recording.open(Path.of("run.retrace"))) {
 *     RecordingSummary summary = recording.summary();
 *     try (Stream<Event> events = recording.events(summary.pids().getFirst())) {
 *         events.forEach(System.out::println);
 *     }
 * }
 * }</pre>
 */
public final class Recording implements AutoCloseable {
    private static final int ERROR_BYTES = 1024;
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path path;
    private MemorySegment tape;
    private RecordingSummary summary;
    private String summaryJson;

    private Recording(Path path, MemorySegment tape) {
        this.path = path;
        this.tape = tape;
    }

    /**
     * Opens a recording. Fails with a one-line message when the file is missing, a directory or
     * anything else that is not a regular file (a FIFO, a device: refused at once, not read), not
     * a recording, or from an unknown format version. A damaged tail is not an error: see
     * {@link RecordingSummary#incompleteReason()}.
     */
    public static Recording open(Path path) throws RecordingException {
        if (!Files.exists(path)) {
            throw new RecordingException(path + ": no such file");
        }
        var refused = RegularFile.refusal(path);
        if (refused.isPresent()) {
            throw new RecordingException(refused.get());
        }
        if (!Files.isReadable(path)) {
            throw new RecordingException(path + ": permission denied");
        }
        Path library;
        try {
            library = TapeC.libraryPath();
        } catch (IllegalStateException e) {
            throw new RecordingException("cannot find the tape library: " + e.getMessage());
        }
        if (!Files.isRegularFile(library)) {
            throw new RecordingException("the tape library is not built: " + library + " is missing");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment error = arena.allocate(ERROR_BYTES);
            MemorySegment tape = TapeC.rt_tape_open(arena.allocateFrom(path.toString()), error, ERROR_BYTES);
            if (tape.equals(MemorySegment.NULL)) {
                String message = error.getString(0);
                throw new RecordingException(message.isEmpty() ? path + " is not a recording" : message);
            }
            return new Recording(path, tape);
        }
    }

    public Path path() {
        return path;
    }

    /** The summary of the whole recording (computed once). */
    public RecordingSummary summary() throws RecordingException {
        if (summary == null) {
            String json = summaryJson();
            try {
                summary = JSON.readValue(json, RecordingSummary.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the tape library's summary is not the JSON of tape_c.h", e);
            }
        }
        return summary;
    }

    /** The summary as the tape library writes it (tape_c.h {@code rt_tape_summary_json}), computed once. */
    public String summaryJson() throws RecordingException {
        if (summaryJson == null) {
            summaryJson = takeString(TapeC.rt_tape_summary_json(handle()));
            if (summaryJson == null) {
                throw new RecordingException("the tape library gave no summary of " + path);
            }
        }
        return summaryJson;
    }

    /**
     * The events of one process in file order, as the JSON text tape_c.h documents, one object
     * each: what {@code retrace print --json} streams out. Close the stream (or read it to the
     * end) before starting another iteration.
     */
    public Stream<String> eventsJson(long pid) throws RecordingException {
        rewind(pid, "events");
        return stream(() -> takeString(TapeC.rt_tape_next_event_json(handle())));
    }

    /** The events of one process in file order, parsed. */
    public Stream<Event> events(long pid) throws RecordingException {
        return eventsJson(pid).map(Recording::parseEvent);
    }

    /**
     * The thread hand-over schedule of one process in order, as the JSON text tape_c.h documents,
     * one object each: what {@code retrace print --json} copies out. It ends at the first hole in
     * the schedule (see {@link RecordingSummary.Process#handoversComplete()}). Like
     * {@link #eventsJson}, one iteration at a time.
     */
    public Stream<String> handoversJson(long pid) throws RecordingException {
        rewind(pid, "hand-overs");
        return stream(() -> takeString(TapeC.rt_tape_next_handover_json(handle())));
    }

    /** The thread hand-over schedule of one process in order, parsed. */
    public Stream<Handover> handovers(long pid) throws RecordingException {
        return handoversJson(pid).map(Recording::parseHandover);
    }

    private void rewind(long pid, String what) throws RecordingException {
        if (summary().process(pid).isEmpty()) {
            throw new RecordingException("no process " + pid + " in " + path + " (its processes: "
                    + String.join(", ", summary().pids().stream().map(String::valueOf).toList()) + ")");
        }
        int status = TapeC.rt_tape_rewind(handle(), (int) pid);
        if (status != 0) {
            throw new RecordingException("cannot read the " + what + " of process " + pid + " in " + path);
        }
    }

    /** The strings {@code source} gives until it gives null, lazily. */
    private static Stream<String> stream(Supplier<String> source) {
        Iterator<String> iterator = new Iterator<>() {
            private String next = source.get();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public String next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                String current = next;
                next = source.get();
                return current;
            }
        };
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    static Event parseEvent(String json) {
        try {
            return JSON.readValue(json, Event.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the tape library's event is not the JSON of tape_c.h: " + json, e);
        }
    }

    static Handover parseHandover(String json) {
        try {
            return JSON.readValue(json, Handover.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the tape library's hand-over is not the JSON of tape_c.h: " + json, e);
        }
    }

    @Override
    public void close() {
        if (tape != null) {
            TapeC.rt_tape_close(tape);
            tape = null;
        }
    }

    private MemorySegment handle() {
        if (tape == null) {
            throw new IllegalStateException("the recording " + path + " is closed");
        }
        return tape;
    }

    /** Copies a C string the caller owns into Java and frees it; null for NULL. */
    private static String takeString(MemorySegment string) {
        if (string.equals(MemorySegment.NULL)) {
            return null;
        }
        try {
            return string.reinterpret(Long.MAX_VALUE).getString(0);
        } finally {
            TapeC.rt_free(string);
        }
    }
}
