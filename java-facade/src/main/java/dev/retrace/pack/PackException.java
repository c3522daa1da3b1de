package dev.retrace.pack;

/**
 * A pack cannot be made or used; the message is one line, meant to follow {@code retrace <verb>: }.
 * {@link #changedAfterPacking()} tells the ones that mean the recording was changed after it was
 * packed (a replay exits 122 for those, as for any changed recording).
 */
public final class PackException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean changedAfterPacking;

    private PackException(String message, boolean changedAfterPacking) {
        super(message, null, false, false);
        this.changedAfterPacking = changedAfterPacking;
    }

    public boolean changedAfterPacking() {
        return changedAfterPacking;
    }

    /** The recording cannot be packed, or the pack cannot be made as asked. */
    static PackException refused(String message) {
        return new PackException(message, false);
    }

    /** The pack's content for {@code recordedPath} is not what its index and the recording say. */
    static PackException copyDoesNotMatch(String recordedPath) {
        return new PackException("the pack's copy of " + recordedPath
                + " does not match its checksum: the recording was changed after it was packed", true);
    }

    /** The pack cannot be read as a pack at all. */
    static PackException damaged(String why) {
        return new PackException("the pack is damaged: " + why + ": the recording was changed after it was packed", true);
    }
}
