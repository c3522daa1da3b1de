package dev.retrace.dap;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.ArrayReference;
import com.sun.jdi.Field;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ReferenceType;
import com.sun.jdi.StackFrame;
import com.sun.jdi.Value;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A local or field path such as {@code a.b.c}, {@code this.items.length} or {@code arr[2]}, read
 * in a frame without running any code of the program.
 */
record ValuePath(List<String> segments) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z_$][\\w$]*|\\[\\d+]");

    /** Parses {@code a.b[1].c}; an IllegalArgumentException says what is not a path. */
    static ValuePath parse(String text) {
        String trimmed = text.strip();
        List<String> segments = new java.util.ArrayList<>();
        for (String dotted : trimmed.replace("[", ".[").split("\\.", -1)) {
            if (!SEGMENT.matcher(dotted).matches()) {
                throw new IllegalArgumentException("'" + trimmed + "' is not a local or field path (a.b.c, a[1])");
            }
            segments.add(dotted);
        }
        return new ValuePath(segments);
    }

    Value read(StackFrame frame) {
        Value value = first(frame, segments.getFirst());
        for (String segment : segments.subList(1, segments.size())) {
            value = member(value, segment);
        }
        return value;
    }

    private static Value first(StackFrame frame, String name) {
        if (name.equals("this")) {
            return frame.thisObject();
        }
        try {
            LocalVariable local = frame.visibleVariableByName(name);
            if (local != null) {
                return frame.getValue(local);
            }
        } catch (AbsentInformationException e) {
            // no local variable table (compiled without -g): fields only
        }
        ObjectReference self = frame.thisObject();
        ReferenceType type = self != null ? self.referenceType() : frame.location().declaringType();
        Field field = type.fieldByName(name);
        if (field == null) {
            throw new IllegalArgumentException("no local or field '" + name + "' here");
        }
        return field.isStatic() ? type.getValue(field) : self.getValue(field);
    }

    static Value member(Value value, String segment) {
        if (value == null) {
            throw new IllegalArgumentException("null has no '" + segment + "'");
        }
        if (value instanceof ArrayReference array) {
            if (segment.equals("length")) {
                return array.virtualMachine().mirrorOf(array.length());
            }
            if (segment.startsWith("[")) {
                int index = Integer.parseInt(segment.substring(1, segment.length() - 1));
                if (index >= array.length()) {
                    throw new IllegalArgumentException("index " + index + " is past the array's length " + array.length());
                }
                return array.getValue(index);
            }
        }
        if (value instanceof ObjectReference object && !segment.startsWith("[")) {
            Field field = object.referenceType().fieldByName(segment);
            if (field != null) {
                return field.isStatic() ? object.referenceType().getValue(field) : object.getValue(field);
            }
        }
        throw new IllegalArgumentException(value.type().name() + " has no '" + segment + "'");
    }
}
