package dev.retrace.tape;

import java.util.List;

/**
 * One entry of a process's thread hand-over schedule as {@code rt_tape_next_handover_json} gives
 * it (tape_c.h): thread {@code from} gave the baton up after its {@code fromPoint}-th scheduling
 * point and {@code to} got it next. {@code index} counts within the process's schedule. A preempt
 * hand-over happened {@code fromTick} ticks (method entries) after that point; other kinds have 0.
 */
public record Handover(long pid, long index, long from, long fromPoint, long to, String kind, long fromTick) {
    /** The kinds, in the order tape_c.h lists them in {@code handoverKinds}. */
    public static final List<String> KINDS = List.of("yield", "block", "forced", "escape", "preempt");

    /**
     * Forced and escape hand-overs moved the baton without its holder reaching a scheduling point,
     * so the determinism guarantee does not cover what ran around them.
     */
    public static boolean outsideGuarantee(String kind) {
        return "forced".equals(kind) || "escape".equals(kind);
    }
}
