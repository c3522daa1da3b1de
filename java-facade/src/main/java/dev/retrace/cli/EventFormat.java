package dev.retrace.cli;

import dev.retrace.tape.Event;
import java.util.List;
import java.util.stream.Collectors;

/** One event as one line of {@code retrace print}, plus its stack frames when recorded. */
final class EventFormat {
    private static final int MAX_ITEMS = 8;
    private static final int MAX_ITEM_CHARS = 64;
    private static final int PREVIEW_BYTES = 64;  // tape_c.h: data.text holds the first 64 bytes

    private EventFormat() {}

    /**
     * {@code <thread> #<index>  <call> = <value> data[N]="..." items=[...] fields=[...]
     * threw <class>: <message> (errno N)}; the value is shown as the call's return type says.
     */
    static String line(Event e, String threadName, int threadWidth) {
        StringBuilder line = new StringBuilder();
        line.append(String.format("%-" + Math.max(1, threadWidth) + "s #%-5d %s", threadName, e.index(), e.call()));
        String value = value(e.call(), e.value());
        if (value != null && e.thrown() == null) {
            line.append(" = ").append(value);
        }
        if (e.data() != null) {
            line.append(" data[").append(e.data().length()).append("]=\"").append(escape(e.data().text(), Integer.MAX_VALUE)).append('"');
            if (e.data().length() > PREVIEW_BYTES) {
                line.append("...");
            }
        }
        if (e.items() != null) {
            line.append(" items=").append(items(e.items()));
        }
        if (e.fields() != null && !e.fields().isEmpty()) {
            line.append(" fields=").append(e.fields());
        }
        if (e.thrown() != null) {
            line.append(" threw ").append(e.thrown().className());
            if (e.thrown().message() != null) {
                line.append(": ").append(escape(e.thrown().message(), Integer.MAX_VALUE));
            }
            if (e.thrown().errno() != 0) {
                line.append(" (errno ").append(e.thrown().errno()).append(')');
            }
        }
        return line.toString();
    }

    /** The recorded value as the descriptor's return type reads it; null for void. */
    static String value(String call, long value) {
        int close = call == null ? -1 : call.lastIndexOf(')');
        char type = close < 0 || close + 1 >= call.length() ? 'J' : call.charAt(close + 1);
        return switch (type) {
            case 'V' -> null;
            case 'Z' -> value != 0 ? "true" : "false";
            case 'D' -> Double.toString(Double.longBitsToDouble(value));
            case 'F' -> Float.toString(Float.intBitsToFloat((int) value));
            case 'C' -> value + " '" + escape(String.valueOf((char) value), 8) + "'";
            case 'L', '[' -> value == 0 ? null : Long.toString(value);
            default -> Long.toString(value);
        };
    }

    static String items(List<String> items) {
        String shown = items.stream()
                .limit(MAX_ITEMS)
                .map(item -> item == null ? "null" : '"' + escape(item, MAX_ITEM_CHARS) + '"')
                .collect(Collectors.joining(", "));
        return "[" + shown + (items.size() > MAX_ITEMS ? ", ... " + items.size() + " items" : "") + "]";
    }

    /** Control characters, quotes and backslashes escaped; cut after {@code max} characters. */
    static String escape(String s, int max) {
        StringBuilder out = new StringBuilder();
        int count = 0;
        for (int i = 0; i < s.length(); i++, count++) {
            if (count == max) {
                return out.append("...").toString();
            }
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
