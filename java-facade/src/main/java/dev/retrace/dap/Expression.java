package dev.retrace.dap;

import com.sun.jdi.ArrayReference;
import com.sun.jdi.BooleanValue;
import com.sun.jdi.ByteValue;
import com.sun.jdi.CharValue;
import com.sun.jdi.ClassNotLoadedException;
import com.sun.jdi.DoubleValue;
import com.sun.jdi.FloatValue;
import com.sun.jdi.IncompatibleThreadStateException;
import com.sun.jdi.IntegerValue;
import com.sun.jdi.InvocationException;
import com.sun.jdi.LongValue;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.PrimitiveType;
import com.sun.jdi.ShortValue;
import com.sun.jdi.StackFrame;
import com.sun.jdi.StringReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.Type;
import com.sun.jdi.Value;
import com.sun.jdi.VirtualMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the debug console, watches and hovers evaluate: Java expressions over the stopped frame.
 * Locals, fields and paths ({@code a.b[i + 1].c}), literals, arithmetic, comparisons, {@code !},
 * {@code &&} and {@code ||} (short-circuit), string concatenation, parentheses, and calls of query
 * methods ({@code list.size()}, {@code map.get("k")}, {@code s.isEmpty()}, {@code x.toString()}).
 *
 * <p>Only what reads: assignments and increments do not parse, and a call must be of a query
 * method ({@link #QUERY_NAMES}, or a name starting with get, is, has or to). Calls run in the
 * replayed JVM on the frame's thread alone, outside the recording (the agent's debugger-call
 * wrapper); values the adapter computes (sums, comparisons, concatenations) stay in the adapter and
 * allocate nothing in the replay.
 */
final class Expression {
    /** Method names that only read, besides get*, is*, has* and to*. */
    static final Set<String> QUERY_NAMES = Set.of("size", "length", "isEmpty", "isBlank", "contains", "containsKey",
            "containsValue", "indexOf", "lastIndexOf", "charAt", "substring", "startsWith", "endsWith", "equals",
            "equalsIgnoreCase", "compareTo", "hashCode", "name", "ordinal", "peek", "keySet", "values", "entrySet",
            "trim", "strip", "matches", "count", "first", "last", "firstKey", "lastKey", "min", "max", "sum", "abs",
            "signum", "intValue", "longValue", "doubleValue", "floatValue", "booleanValue", "charValue");

    /** Where an expression is evaluated: a thread stopped at a frame (frames are read again after each call). */
    record Scope(ThreadReference thread, int frameIndex) {
        StackFrame frame() throws IncompatibleThreadStateException {
            return thread.frame(frameIndex);
        }

        VirtualMachine vm() {
            return thread.virtualMachine();
        }
    }

    /** A JDI value of the replay (a reference, or null), or a Java value the adapter computed. */
    record Result(Value remote, Object local) {
        static Result remote(Value value) {
            return new Result(value, null);
        }

        static Result local(Object value) {
            return new Result(null, value);
        }

        boolean isLocal() {
            return local != null;
        }
    }

    private final String text;
    private final List<String> tokens;
    private int at;

    private Expression(String text) {
        this.text = text.strip();
        this.tokens = tokenize(this.text);
    }

    /** Evaluates {@code text}; an IllegalArgumentException says what it cannot evaluate, and why. */
    static Result evaluate(String text, Scope scope) throws IncompatibleThreadStateException {
        Expression expression = new Expression(text);
        Node node = expression.parseOr();
        if (expression.at < expression.tokens.size()) {
            throw new IllegalArgumentException("'" + expression.tokens.get(expression.at) + "' was not expected in "
                    + expression.text);
        }
        return node.evaluate(scope);
    }

    // ---- the syntax tree -------------------------------------------------------------------------

    private interface Node {
        Result evaluate(Scope scope) throws IncompatibleThreadStateException;
    }

    private record Literal(Object value) implements Node {
        public Result evaluate(Scope scope) {
            return value == null ? Result.remote(null) : Result.local(value);
        }
    }

    /** A local, a field of this, or a static field of the frame's class (ValuePath's first segment). */
    private record Name(String name) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            return of(new ValuePath(List.of(name)).read(scope.frame()));
        }
    }

    private record Member(Node target, String name) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            Value value = remoteOf(target.evaluate(scope), "." + name);
            return of(ValuePath.member(value, name));
        }
    }

    private record Index(Node target, Node index) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            Value value = remoteOf(target.evaluate(scope), "[...]");
            long i = integral(index.evaluate(scope), "an index");
            if (!(value instanceof ArrayReference array)) {
                throw new IllegalArgumentException((value == null ? "null" : value.type().name()) + " is not an array");
            }
            if (i < 0 || i >= array.length()) {
                throw new IllegalArgumentException("index " + i + " is outside the array's length " + array.length());
            }
            return of(array.getValue((int) i));
        }
    }

    private record Call(Node target, String name, List<Node> arguments) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            if (!isQuery(name)) {
                throw new IllegalArgumentException(name + "() may change the program's state: evaluate calls query "
                        + "methods only (get..., is..., has..., to..., size, length, contains, equals, ...)");
            }
            Value receiver = target == null ? scope.frame().thisObject() : remoteOf(target.evaluate(scope), name + "()");
            List<Result> values = new ArrayList<>();
            for (Node argument : arguments) {
                values.add(argument.evaluate(scope));
            }
            return invoke(receiver, name, values, scope);
        }
    }

    /** Calls a query method of `receiver` on the scope's thread alone. */
    private static Result invoke(Value receiver, String name, List<Result> values, Scope scope) {
        if (!(receiver instanceof ObjectReference object)) {
            throw new IllegalArgumentException(receiver == null ? "null has no " + name + "()"
                    : receiver.type().name() + " has no methods (" + name + "())");
        }
        Method method = chooseMethod(object, name, values);
        List<Value> remote = new ArrayList<>();
        try {
            List<Type> types = method.argumentTypes();
            for (int i = 0; i < values.size(); i++) {
                remote.add(toRemote(values.get(i), types.get(i), scope));
            }
        } catch (ClassNotLoadedException e) {
            throw new IllegalArgumentException(name + "(): its parameter type " + e.className() + " is not loaded");
        }
        try {
            return of(object.invokeMethod(scope.thread(), method, remote, ObjectReference.INVOKE_SINGLE_THREADED));
        } catch (InvocationException e) {
            throw new IllegalArgumentException(name + "() threw " + e.exception().referenceType().name());
        } catch (com.sun.jdi.InvalidTypeException | ClassNotLoadedException
                | com.sun.jdi.IncompatibleThreadStateException e) {
            throw new IllegalArgumentException(name + "(): " + e);
        }
    }

    private record Unary(String operator, Node operand) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            Object value = localOf(operand.evaluate(scope), operator);
            if (operator.equals("!")) {
                return Result.local(!bool(value, "!"));
            }
            return Result.local(arithmetic("-", 0, number(value, "-")));
        }
    }

    private record Binary(String operator, Node left, Node right) implements Node {
        public Result evaluate(Scope scope) throws IncompatibleThreadStateException {
            Result a = left.evaluate(scope);
            switch (operator) {
                case "&&" -> {
                    return Result.local(bool(localOf(a, "&&"), "&&") && bool(localOf(right.evaluate(scope), "&&"), "&&"));
                }
                case "||" -> {
                    return Result.local(bool(localOf(a, "||"), "||") || bool(localOf(right.evaluate(scope), "||"), "||"));
                }
                default -> {
                    Result b = right.evaluate(scope);
                    if (operator.equals("+") && (isString(a) || isString(b))) {
                        return Result.local(text(a, scope) + text(b, scope));
                    }
                    if (operator.equals("==") || operator.equals("!=")) {
                        return Result.local(same(a, b) == operator.equals("=="));
                    }
                    Object x = localOf(a, operator);
                    Object y = localOf(b, operator);
                    return switch (operator) {
                        case "<", "<=", ">", ">=" -> Result.local(compare(operator, number(x, operator), number(y, operator)));
                        default -> Result.local(arithmetic(operator, number(x, operator), number(y, operator)));
                    };
                }
            }
        }
    }

    // ---- parsing ---------------------------------------------------------------------------------

    private static final List<List<String>> LEVELS = List.of(List.of("||"), List.of("&&"), List.of("==", "!="),
            List.of("<", "<=", ">", ">="), List.of("+", "-"), List.of("*", "/", "%"));

    private Node parseOr() {
        return parseLevel(0);
    }

    private Node parseLevel(int level) {
        if (level == LEVELS.size()) {
            return parseUnary();
        }
        Node node = parseLevel(level + 1);
        while (at < tokens.size() && LEVELS.get(level).contains(tokens.get(at))) {
            String operator = tokens.get(at++);
            node = new Binary(operator, node, parseLevel(level + 1));
        }
        return node;
    }

    private Node parseUnary() {
        if (peek("!") || peek("-")) {
            String operator = tokens.get(at++);
            return new Unary(operator, parseUnary());
        }
        return parsePostfix(parsePrimary());
    }

    private Node parsePostfix(Node node) {
        while (true) {
            if (accept(".")) {
                String name = identifier();
                node = peek("(") ? new Call(node, name, arguments()) : new Member(node, name);
            } else if (accept("[")) {
                Node index = parseOr();
                expect("]");
                node = new Index(node, index);
            } else {
                return node;
            }
        }
    }

    private Node parsePrimary() {
        if (at >= tokens.size()) {
            throw new IllegalArgumentException("'" + text + "' ends where a value was expected");
        }
        String token = tokens.get(at);
        if (accept("(")) {
            Node inner = parseOr();
            expect(")");
            return inner;
        }
        if (token.startsWith("\"")) {
            at++;
            return new Literal(unquote(token));
        }
        if (token.startsWith("'")) {
            at++;
            String value = unquote(token);
            if (value.length() != 1) {
                throw new IllegalArgumentException(token + " is not one character");
            }
            return new Literal(value.charAt(0));
        }
        if (Character.isDigit(token.charAt(0))) {
            at++;
            return new Literal(numberLiteral(token));
        }
        switch (token) {
            case "true", "false" -> {
                at++;
                return new Literal(Boolean.parseBoolean(token));
            }
            case "null" -> {
                at++;
                return new Literal(null);
            }
            default -> {
                String name = identifier();
                return peek("(") ? new Call(null, name, arguments()) : new Name(name);
            }
        }
    }

    private List<Node> arguments() {
        expect("(");
        List<Node> arguments = new ArrayList<>();
        if (accept(")")) {
            return arguments;
        }
        do {
            arguments.add(parseOr());
        } while (accept(","));
        expect(")");
        return arguments;
    }

    private String identifier() {
        if (at < tokens.size() && Character.isJavaIdentifierStart(tokens.get(at).charAt(0))) {
            return tokens.get(at++);
        }
        throw new IllegalArgumentException("a name was expected in " + text
                + (at < tokens.size() ? ", not '" + tokens.get(at) + "'" : ""));
    }

    private boolean peek(String token) {
        return at < tokens.size() && tokens.get(at).equals(token);
    }

    private boolean accept(String token) {
        if (peek(token)) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(String token) {
        if (!accept(token)) {
            throw new IllegalArgumentException("'" + token + "' was expected in " + text);
        }
    }

    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != c) {
                    end += text.charAt(end) == '\\' ? 2 : 1;
                }
                if (end >= text.length()) {
                    throw new IllegalArgumentException("a quote is not closed in " + text);
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else if (Character.isJavaIdentifierStart(c) || Character.isDigit(c)) {
                int end = i + 1;
                while (end < text.length() && (Character.isJavaIdentifierPart(text.charAt(end))
                        || Character.isDigit(c) && text.charAt(end) == '.')) {
                    end++;
                }
                tokens.add(text.substring(i, end));
                i = end;
            } else {
                String two = i + 1 < text.length() ? text.substring(i, i + 2) : "";
                if (two.equals("++") || two.equals("--") || c == '=' && !two.equals("==")
                        || two.length() == 2 && two.charAt(1) == '=' && "+-*/%&|^".indexOf(c) >= 0) {
                    throw new IllegalArgumentException("evaluate does not assign (" + text + "): a replay's state "
                            + "comes from its recording");
                }
                if (List.of("==", "!=", "<=", ">=", "&&", "||").contains(two)) {
                    tokens.add(two);
                    i += 2;
                } else if ("+-*/%<>!()[].,".indexOf(c) >= 0) {
                    tokens.add(String.valueOf(c));
                    i++;
                } else {
                    throw new IllegalArgumentException("'" + c + "' is not something evaluate reads in " + text);
                }
            }
        }
        return tokens;
    }

    private static Object numberLiteral(String token) {
        try {
            String digits = token.replace("_", "");
            if (digits.endsWith("L") || digits.endsWith("l")) {
                return Long.parseLong(digits.substring(0, digits.length() - 1));
            }
            if (digits.endsWith("f") || digits.endsWith("F")) {
                return Float.parseFloat(digits);
            }
            if (digits.contains(".") || digits.endsWith("d") || digits.endsWith("D")) {
                return Double.parseDouble(digits);
            }
            long value = Long.parseLong(digits);
            return value == (int) value ? (Object) (int) value : (Object) value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(token + " is not a number");
        }
    }

    private static String unquote(String token) {
        String body = token.substring(1, token.length() - 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\' || i + 1 == body.length()) {
                out.append(c);
                continue;
            }
            char next = body.charAt(++i);
            out.append(switch (next) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case '0' -> '\0';
                default -> next;
            });
        }
        return out.toString();
    }

    // ---- values ----------------------------------------------------------------------------------

    static boolean isQuery(String name) {
        return QUERY_NAMES.contains(name) || startsWord(name, "get") || startsWord(name, "is")
                || startsWord(name, "has") || startsWord(name, "to");
    }

    private static boolean startsWord(String name, String prefix) {
        return name.length() > prefix.length() && name.startsWith(prefix)
                && Character.isUpperCase(name.charAt(prefix.length())) || name.equals(prefix);
    }

    /** A JDI value as a Result: primitives and strings become Java values the adapter can compute with. */
    private static Result of(Value value) {
        return switch (value) {
            case BooleanValue v -> Result.local(v.value());
            case CharValue v -> Result.local(v.value());
            case ByteValue v -> Result.local(v.value());
            case ShortValue v -> Result.local(v.value());
            case IntegerValue v -> Result.local(v.value());
            case LongValue v -> Result.local(v.value());
            case FloatValue v -> Result.local(v.value());
            case DoubleValue v -> Result.local(v.value());
            case null, default -> Result.remote(value);
        };
    }

    private static Value remoteOf(Result result, String what) {
        if (result.isLocal()) {
            throw new IllegalArgumentException(Variables.displayLocal(result.local()) + " has no " + what);
        }
        return result.remote();
    }

    /** The Java value of a result for arithmetic and logic: primitives as they are, strings as String. */
    private static Object localOf(Result result, String operator) {
        if (result.isLocal()) {
            return result.local();
        }
        if (result.remote() instanceof StringReference string) {
            return string.value();
        }
        throw new IllegalArgumentException("'" + operator + "' needs a number or a boolean, not "
                + (result.remote() == null ? "null" : result.remote().type().name()));
    }

    private static boolean isString(Result result) {
        return result.local() instanceof String || result.remote() instanceof StringReference;
    }

    /** String.valueOf, as concatenation does it (an object's toString() is a query call). */
    private static String text(Result result, Scope scope) throws IncompatibleThreadStateException {
        if (result.isLocal()) {
            return String.valueOf(result.local());
        }
        Value value = result.remote();
        if (value == null) {
            return "null";
        }
        if (value instanceof StringReference string) {
            return string.value();
        }
        Result shown = invoke(value, "toString", List.of(), scope);
        return shown.remote() instanceof StringReference string ? string.value() : "null";
    }

    private static boolean same(Result a, Result b) {
        if (!a.isLocal() && !b.isLocal()) {
            return a.remote() == null ? b.remote() == null : a.remote().equals(b.remote());
        }
        if (a.isLocal() && b.isLocal() && a.local() instanceof Number x && b.local() instanceof Number y) {
            return compare("==", x, y);
        }
        // A string literal is not in the replay: it equals a string of the same characters.
        if (isString(a) && isString(b)) {
            return String.valueOf(a.isLocal() ? a.local() : ((StringReference) a.remote()).value())
                    .equals(b.isLocal() ? b.local() : ((StringReference) b.remote()).value());
        }
        Object x = a.isLocal() ? a.local() : a.remote();
        Object y = b.isLocal() ? b.local() : b.remote();
        return x == null ? y == null : x.equals(y);
    }

    private static boolean bool(Object value, String operator) {
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("'" + operator + "' needs a boolean, not " + Variables.displayLocal(value));
    }

    private static Number number(Object value, String operator) {
        if (value instanceof Character c) {
            return (int) c;
        }
        if (value instanceof Number n) {
            return n;
        }
        throw new IllegalArgumentException("'" + operator + "' needs a number, not " + Variables.displayLocal(value));
    }

    private static long integral(Result result, String what) {
        Object value = localOf(result, "[]");
        if (value instanceof Character c) {
            return c;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        throw new IllegalArgumentException(what + " must be an integer, not " + Variables.displayLocal(value));
    }

    private static boolean floating(Number x) {
        return x instanceof Double || x instanceof Float;
    }

    /** Java's binary numeric promotion: double, else long, else int. */
    private static Number arithmetic(String operator, Number x, Number y) {
        if (floating(x) || floating(y)) {
            double a = x.doubleValue();
            double b = y.doubleValue();
            return switch (operator) {
                case "+" -> a + b;
                case "-" -> a - b;
                case "*" -> a * b;
                case "/" -> a / b;
                default -> a % b;
            };
        }
        boolean wide = x instanceof Long || y instanceof Long;
        long a = x.longValue();
        long b = y.longValue();
        if ((operator.equals("/") || operator.equals("%")) && b == 0) {
            throw new IllegalArgumentException("/ by zero");
        }
        long r = switch (operator) {
            case "+" -> a + b;
            case "-" -> a - b;
            case "*" -> a * b;
            case "/" -> a / b;
            default -> a % b;
        };
        return wide ? (Number) r : (Number) (int) r;
    }

    private static boolean compare(String operator, Number x, Number y) {
        int order = floating(x) || floating(y) ? Double.compare(x.doubleValue(), y.doubleValue())
                : Long.compare(x.longValue(), y.longValue());
        return switch (operator) {
            case "==" -> order == 0;
            case "<" -> order < 0;
            case "<=" -> order <= 0;
            case ">" -> order > 0;
            default -> order >= 0;
        };
    }

    private static Method chooseMethod(ObjectReference object, String name, List<Result> arguments) {
        List<Method> candidates = object.referenceType().methodsByName(name).stream()
                .filter(m -> !m.isStatic() && !m.isAbstract() && m.argumentTypeNames().size() == arguments.size())
                .toList();
        for (Method method : candidates) {
            if (fits(method, arguments)) {
                return method;
            }
        }
        throw new IllegalArgumentException(object.referenceType().name() + " has no " + name + " taking "
                + arguments.size() + " argument" + (arguments.size() == 1 ? "" : "s") + " of those types");
    }

    private static boolean fits(Method method, List<Result> arguments) {
        List<String> types = method.argumentTypeNames();
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            Result argument = arguments.get(i);
            boolean primitiveParameter = !type.contains(".") && !type.endsWith("]");
            boolean primitiveArgument = argument.isLocal() && !(argument.local() instanceof String);
            if (primitiveParameter != primitiveArgument && !(primitiveArgument && type.startsWith("java.lang."))) {
                return false;
            }
        }
        return true;
    }

    private static Value toRemote(Result result, Type type, Scope scope) {
        if (!result.isLocal()) {
            return result.remote();
        }
        VirtualMachine vm = scope.vm();
        Object value = result.local();
        if (value instanceof String s) {
            return vm.mirrorOf(s);
        }
        if (!(type instanceof PrimitiveType)) {
            return boxed(value, scope);
        }
        return primitive(value, type.name(), vm);
    }

    private static Value primitive(Object value, String target, VirtualMachine vm) {
        return switch (target) {
            case "boolean" -> vm.mirrorOf(bool(value, "an argument"));
            case "char" -> vm.mirrorOf((char) number(value, "an argument").intValue());
            case "byte" -> vm.mirrorOf(number(value, "an argument").byteValue());
            case "short" -> vm.mirrorOf(number(value, "an argument").shortValue());
            case "int" -> vm.mirrorOf(number(value, "an argument").intValue());
            case "long" -> vm.mirrorOf(number(value, "an argument").longValue());
            case "float" -> vm.mirrorOf(number(value, "an argument").floatValue());
            default -> vm.mirrorOf(number(value, "an argument").doubleValue());
        };
    }

    /** A primitive passed where an object is expected: boxed in the replay by the box's valueOf, as javac would. */
    private static Value boxed(Object value, Scope scope) {
        String primitive = switch (value) {
            case Boolean b -> "boolean";
            case Character c -> "char";
            case Long l -> "long";
            case Double d -> "double";
            case Float f -> "float";
            case Short s -> "short";
            case Byte b -> "byte";
            default -> "int";
        };
        String box = switch (primitive) {
            case "int" -> "java.lang.Integer";
            case "char" -> "java.lang.Character";
            default -> "java.lang." + Character.toUpperCase(primitive.charAt(0)) + primitive.substring(1);
        };
        List<com.sun.jdi.ReferenceType> types = scope.vm().classesByName(box);
        if (types.isEmpty() || !(types.getFirst() instanceof com.sun.jdi.ClassType boxType)) {
            throw new IllegalArgumentException(box + " is not loaded in the replay");
        }
        Method valueOf = boxType.methodsByName("valueOf").stream()
                .filter(m -> m.argumentTypeNames().equals(List.of(primitive))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(box + " has no valueOf(" + primitive + ")"));
        try {
            return boxType.invokeMethod(scope.thread(), valueOf, List.of(primitive(value, primitive, scope.vm())),
                    ObjectReference.INVOKE_SINGLE_THREADED);
        } catch (Exception e) {
            throw new IllegalArgumentException(box + ".valueOf failed: " + e);
        }
    }
}
