package dev.retrace.dap;

import com.sun.jdi.BooleanValue;
import com.sun.jdi.CharValue;
import com.sun.jdi.PrimitiveValue;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A breakpoint condition the adapter evaluates itself, by reading values: comparisons of locals
 * or fields with literals ({@code i == 3}, {@code name == "x"}, {@code p.x >= 2.5}, {@code done}),
 * joined by {@code &&} and {@code ||}. It never runs program code, so evaluating it cannot change
 * the replay, and re-executions evaluate it the same way.
 */
record Condition(String text, List<List<Comparison>> anyOfAll) {
    static final String METHOD_CALLS_REFUSED = "a condition compares locals or fields with literals "
            + "(i == 3, name == \"x\", p != null); it cannot call methods";

    private static final Pattern COMPARISON = Pattern.compile("^(.+?)\\s*(==|!=|<=|>=|<|>)\\s*(.+)$");

    /** Parses a condition; an IllegalArgumentException says what it cannot evaluate. */
    static Condition parse(String text) {
        if (text.contains("(")) {
            throw new IllegalArgumentException(METHOD_CALLS_REFUSED);
        }
        List<List<Comparison>> alternatives = new ArrayList<>();
        for (String alternative : text.split("\\|\\|")) {
            List<Comparison> all = new ArrayList<>();
            for (String part : alternative.split("&&")) {
                all.add(Comparison.parse(part.strip()));
            }
            alternatives.add(all);
        }
        return new Condition(text.strip(), alternatives);
    }

    boolean holds(StackFrame frame) {
        return anyOfAll.stream().anyMatch(all -> all.stream().allMatch(c -> c.holds(frame)));
    }

    /** {@code path OP literal}, or a bare boolean path. */
    record Comparison(ValuePath path, String operator, Object literal) {
        static Comparison parse(String text) {
            Matcher m = COMPARISON.matcher(text);
            if (!m.matches()) {
                return new Comparison(ValuePath.parse(text), "==", Boolean.TRUE);
            }
            return new Comparison(ValuePath.parse(m.group(1)), m.group(2), literal(m.group(3).strip()));
        }

        private static Object literal(String text) {
            if (text.equals("null")) {
                return null;
            }
            if (text.equals("true") || text.equals("false")) {
                return Boolean.valueOf(text);
            }
            if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
                return text.substring(1, text.length() - 1);
            }
            if (text.length() == 3 && text.startsWith("'") && text.endsWith("'")) {
                return text.charAt(1);
            }
            try {
                String number = text.replaceAll("[lLdDfF]$", "").replace("_", "");
                return number.contains(".") || number.contains("e") ? (Object) Double.parseDouble(number)
                        : (Object) Long.parseLong(number);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a literal; " + METHOD_CALLS_REFUSED);
            }
        }

        boolean holds(StackFrame frame) {
            Value value = path.read(frame);
            int order;
            if (literal == null || value == null) {
                order = literal == value ? 0 : 1;  // only == and != are meaningful with null
                return switch (operator) {
                    case "==" -> order == 0;
                    case "!=" -> order != 0;
                    default -> false;
                };
            }
            order = switch (literal) {
                case Boolean b when value instanceof BooleanValue v -> Boolean.compare(v.value(), b);
                case String s when value instanceof StringReference v -> v.value().compareTo(s);
                case Character c when value instanceof CharValue v -> Character.compare(v.value(), c);
                case Long l when value instanceof PrimitiveValue v && !(value instanceof BooleanValue) ->
                        Double.compare(v.doubleValue(), l.doubleValue());
                case Double d when value instanceof PrimitiveValue v && !(value instanceof BooleanValue) ->
                        Double.compare(v.doubleValue(), d);
                default -> throw new IllegalArgumentException("cannot compare " + value.type().name() + " with " + literal);
            };
            return switch (operator) {
                case "==" -> order == 0;
                case "!=" -> order != 0;
                case "<" -> order < 0;
                case "<=" -> order <= 0;
                case ">" -> order > 0;
                default -> order >= 0;
            };
        }
    }
}
