package dev.retrace.dap;

import java.util.List;

/**
 * The breakpoints and exception filters that were active while the replay ran an action. An
 * action re-executed later installs the same requests, so it stops at the same events.
 */
record Requests(List<BreakpointSpec> breakpoints, boolean caughtExceptions, boolean uncaughtExceptions) {
    static final Requests NONE = new Requests(List.of(), false, false);

    Requests {
        breakpoints = List.copyOf(breakpoints);
    }

    boolean isEmpty() {
        return breakpoints.isEmpty() && !caughtExceptions && !uncaughtExceptions;
    }

    /** A line of a top-level class (and its nested classes), with an optional condition. */
    record BreakpointSpec(String className, int line, Condition condition) {
        /** Whether a location in {@code typeName} at {@code line} is this breakpoint's. */
        boolean matches(String typeName, int lineNumber) {
            return lineNumber == line && (typeName.equals(className) || typeName.startsWith(className + "$"));
        }
    }
}
