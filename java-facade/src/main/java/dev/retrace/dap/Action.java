package dev.retrace.dap;

/**
 * One way the debugger let the replay run from one stop to the next. The session's history is the
 * list of actions since launch; re-running them on a fresh replay reaches the same stops, because
 * the replay is deterministic and the debugger's requests do not change what the program does.
 */
sealed interface Action {
    /** From the JVM's start to the first method of the program (not in the JDK). */
    record ToEntry() implements Action {}

    /** Run until the {@code skip+1}-th event that stops under {@code requests}. */
    record Continue(Requests requests, int skip) implements Action {}

    /** A debugger step (next, stepIn, stepOut) of {@code thread}; a breakpoint hit first ends it too. */
    record Step(String thread, StepKind kind, Requests requests) implements Action {}

    /** {@code count} line steps of {@code thread} into program code: where stepBack lands. */
    record LineSteps(String thread, int count) implements Action {}

    /**
     * Runs until {@code thread}'s progress through the recording is {@code progress} (the agent's
     * count of its recorded events, native/src/progress_points.h) and stops it there, inside
     * System.retrace$reached: a waypoint of going back, followed by line steps, never shown.
     */
    record Seek(String thread, long progress) implements Action {}

    /** A pause: where it stops depends on timing, so nothing after it can be reached again. */
    record Pause(Requests requests) implements Action {}

    enum StepKind { OVER, INTO, OUT }
}
