package dev.retrace.dap;

import com.sun.jdi.AbsentInformationException;
import com.sun.jdi.ArrayReference;
import com.sun.jdi.CharValue;
import com.sun.jdi.ClassType;
import com.sun.jdi.Field;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.LocalVariable;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.lsp4j.debug.Variable;

/**
 * The numbers DAP uses for frames and for expandable values, valid while the replay is stopped:
 * every resume (and every fresh replay) clears them, as the protocol allows.
 */
final class Variables {
    private static final Set<String> BOXES = Set.of("java.lang.Integer", "java.lang.Long", "java.lang.Short",
            "java.lang.Byte", "java.lang.Character", "java.lang.Boolean", "java.lang.Float", "java.lang.Double");

    /** A frame of a thread, by its index from the top. */
    record FrameRef(ThreadReference thread, int index) {
        StackFrame frame() throws IncompatibleThreadStateException {
            return thread.frame(index);
        }
    }

    sealed interface Container {}

    record Locals(FrameRef frame) implements Container {}

    record Fields(ObjectReference object) implements Container {}

    record Elements(ArrayReference array) implements Container {}

    private final Map<Integer, FrameRef> frames = new HashMap<>();
    private final Map<Integer, Container> containers = new HashMap<>();
    private int next = 1;

    synchronized void clear() {
        frames.clear();
        containers.clear();
    }

    synchronized int frameId(ThreadReference thread, int index) {
        int id = next++;
        frames.put(id, new FrameRef(thread, index));
        return id;
    }

    synchronized FrameRef frame(int id) {
        FrameRef frame = frames.get(id);
        if (frame == null) {
            throw new IllegalArgumentException("no frame " + id + " (the replay ran since)");
        }
        return frame;
    }

    synchronized int reference(Container container) {
        int id = next++;
        containers.put(id, container);
        return id;
    }

    List<Variable> variables(int reference) throws IncompatibleThreadStateException {
        Container container;
        synchronized (this) {
            container = containers.get(reference);
        }
        if (container == null) {
            throw new IllegalArgumentException("no variables " + reference + " (the replay ran since)");
        }
        List<Variable> result = new ArrayList<>();
        switch (container) {
            case Locals(FrameRef ref) -> {
                StackFrame frame = ref.frame();
                try {
                    for (LocalVariable local : frame.visibleVariables()) {
                        result.add(variable(local.name(), frame.getValue(local)));
                    }
                } catch (AbsentInformationException e) {
                    // compiled without -g: only the arguments' values, unnamed
                    List<Value> arguments = frame.getArgumentValues();
                    for (int i = 0; i < arguments.size(); i++) {
                        result.add(variable("arg" + i, arguments.get(i)));
                    }
                }
            }
            case Fields(ObjectReference object) -> {
                for (Field field : object.referenceType().allFields()) {
                    if (!field.isStatic()) {
                        result.add(variable(field.name(), object.getValue(field)));
                    }
                }
            }
            case Elements(ArrayReference array) -> {
                int shown = Math.min(array.length(), 1000);
                List<Value> values = shown == 0 ? List.of() : array.getValues(0, shown);
                for (int i = 0; i < shown; i++) {
                    result.add(variable("[" + i + "]", values.get(i)));
                }
            }
        }
        return result;
    }

    Variable variable(String name, Value value) {
        Variable variable = new Variable();
        variable.setName(name);
        variable.setValue(display(value));
        variable.setType(value == null ? null : value.type().name());
        variable.setVariablesReference(expandable(value));
        return variable;
    }

    /** 0 for a value with nothing inside (null, a primitive, a string, a boxed primitive). */
    int expandable(Value value) {
        return switch (value) {
            case null -> 0;
            case ArrayReference array -> array.length() == 0 ? 0 : reference(new Elements(array));
            case StringReference s -> 0;
            case ObjectReference object when BOXES.contains(object.referenceType().name()) -> 0;
            case ObjectReference object -> reference(new Fields(object));
            default -> 0;
        };
    }

    static String display(Value value) {
        return switch (value) {
            case null -> "null";
            case StringReference s -> quote(s.value());
            case CharValue c -> "'" + c.value() + "'";
            case PrimitiveValue p -> p.toString();
            case ArrayReference array -> array.type().name().replaceFirst("\\[]$", "[" + array.length() + "]");
            case ObjectReference object when BOXES.contains(object.referenceType().name()) ->
                    display(object.getValue(((ClassType) object.referenceType()).fieldByName("value")));
            // No JDWP object id: it differs between replays, and a value must look the same after going back.
            case ObjectReference object -> object.referenceType().name();
            default -> value.toString();
        };
    }

    /** A value the adapter computed (Expression): shown as a Java literal would be. */
    static String displayLocal(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> quote(s);
            case Character c -> "'" + c + "'";
            default -> String.valueOf(value);
        };
    }

    /** The Java type name of a value the adapter computed. */
    static String typeOfLocal(Object value) {
        return switch (value) {
            case String s -> "java.lang.String";
            case Integer i -> "int";
            case Long l -> "long";
            case Double d -> "double";
            case Float f -> "float";
            case Boolean b -> "boolean";
            case Character c -> "char";
            case Short s -> "short";
            case Byte b -> "byte";
            default -> value.getClass().getName();
        };
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }
}
