package dev.retrace.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** One-line messages for exceptions that reach the user. */
final class Messages {
    private Messages() {}

    static String of(Throwable e) {
        String message = switch (e) {
            case NoSuchFileException x -> x.getFile() + ": no such file or directory";
            case AccessDeniedException x -> x.getFile() + ": permission denied";
            case FileAlreadyExistsException x -> x.getFile() + " already exists";
            case NotDirectoryException x -> x.getFile() + " is not a directory";
            case DirectoryNotEmptyException x -> x.getFile() + " is not empty";
            case FileSystemException x -> x.getReason() == null
                    ? x.getFile()
                    : x.getFile() + ": " + x.getReason();
            default -> e.getMessage() == null ? e.toString() : e.getMessage();
        };
        return oneLine(message);
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
