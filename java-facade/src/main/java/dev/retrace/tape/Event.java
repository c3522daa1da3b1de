package dev.retrace.tape;

import java.util.List;

/**
 * One recorded boundary event as {@code rt_tape_next_event_json} gives it (tape_c.h). Optional
 * parts are null when absent. {@code index} counts within the event's thread.
 */
public record Event(
        long pid,
        long thread,
        long index,
        String call,
        int callId,
        long value,
        Data data,
        List<String> items,
        List<Long> fields,
        Thrown thrown,
        List<String> stack) {

    /** Bytes the call produced or wrote: their length and an escaped preview of the first 64. */
    public record Data(long length, String text) {}

    /** The exception the call threw. */
    public record Thrown(String className, String message, int errno) {}
}
