package dev.retrace.dap;

/**
 * Where the replay stopped. {@code eventSet} is the ordinal of the JDI event set that stopped it,
 * counted from the replay's start: in a deterministic replay the same run gives the same ordinals.
 */
record Stop(Reason reason, Position at, long eventSet, String description) {
    /** A thread's place: its top frame's method and line, and how deep its stack is. */
    record Position(String thread, String method, int line, int frames) {
        @Override
        public String toString() {
            return method + ":" + line + " (" + frames + " frames) in \"" + thread + "\"";
        }
    }

    enum Reason {
        ENTRY("entry"), BREAKPOINT("breakpoint"), STEP("step"), EXCEPTION("exception"), PAUSE("pause"),
        /** Where an {@link Action.Seek} stops: only ever followed by line steps, not shown. */
        WAYPOINT("step");

        final String dap;

        Reason(String dap) {
            this.dap = dap;
        }
    }
}
