package dev.retrace.pack;

import java.util.Locale;

/**
 * What a pack holds, as {@code summary} and {@code pack} say it: {@code entries} code entries
 * ({@code missing} of them recorded as missing, so without content), {@code files} files in them
 * (a directory's class files each), {@code objects} distinct contents of {@code contentBytes} bytes
 * in all, stored in {@code packBytes} bytes (the magic and the zip archive).
 */
public record PackStats(int entries, int missing, long files, int objects, long contentBytes, long packBytes) {

    static PackStats of(PackIndex index, int objects, long contentBytes, long packBytes) {
        int missing = 0;
        long files = 0;
        for (PackIndex.Entry entry : index.entries()) {
            switch (entry.kind()) {
                case file -> files++;
                case directory -> files += entry.files().size();
                case missing -> missing++;
            }
        }
        return new PackStats(index.entries().size(), missing, files, objects, contentBytes, packBytes);
    }

    /** {@code 12 code entries, 9 files (7 distinct), 3.4 MB in 2.1 MB}. */
    public String line() {
        return entries + " code " + (entries == 1 ? "entry" : "entries")
                + (missing > 0 ? " (" + missing + " recorded as missing)" : "")
                + ", " + files + " file" + (files == 1 ? "" : "s") + " (" + objects + " distinct), "
                + size(contentBytes) + " in " + size(packBytes);
    }

    /** Decimal units, as file managers and CI artifact pages show sizes. */
    public static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 999.95 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
