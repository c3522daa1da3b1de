package dev.retrace.tape;

/** A recording cannot be read: missing, not a recording, or damaged. The message is one line. */
public final class RecordingException extends Exception {
    private static final long serialVersionUID = 1L;

    public RecordingException(String message) {
        super(oneLine(message));
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
