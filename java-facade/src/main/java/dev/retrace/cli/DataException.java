package dev.retrace.cli;

/**
 * A problem with the user's data (a missing file, not a recording, an unknown pid): the verb
 * prints {@code retrace <verb>: <message>} on one line and exits 1. Never a stack trace.
 */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message, null, false, false);
    }
}
