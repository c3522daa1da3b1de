package dev.retrace.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code retrace scan} takes for a secret: a value under a secret-looking name, and values of
 * well-known secret shapes in any text. Pure: no recording, no I/O, so the rules are unit-tested.
 */
final class SecretMatcher {
    /** The agent's placeholder for a redacted value (native/src/redaction.h): not a finding. */
    static final String PLACEHOLDER = "RETRACE_REDACTED";

    /** Keep in sync with Redaction::defaultPatterns (native/src/redaction.cpp) and docs/cli.md#redaction. */
    static final List<String> DEFAULT_NAME_PATTERNS = List.of(
            "*PASSWORD*", "*PASSWD*", "*SECRET*", "*TOKEN*", "*API_KEY*", "*APIKEY*", "*PRIVATE_KEY*",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "NPM_TOKEN",
            "SLACK_WEBHOOK_URL");

    /** One thing that looks like a secret: what kind, and a preview that does not give it away. */
    record Finding(String kind, String preview) {}

    private record Shape(String kind, Pattern pattern, int keepGroup) {}

    // keepGroup: the group shown as it is (the key of key=value, the PEM header); the rest is masked.
    private static final List<Shape> SHAPES = List.of(
            new Shape("private key (PEM)", Pattern.compile("-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----"), 0),
            new Shape("AWS access key id", Pattern.compile("\\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\\b"), -1),
            new Shape("GitHub token", Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"), -1),
            new Shape("Slack token", Pattern.compile("\\bxox[abposr]-[A-Za-z0-9-]{10,}"), -1),
            new Shape("JSON web token", Pattern.compile("\\beyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*"), -1),
            new Shape("bearer token",
                    Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/-]{12,}=*"), 1),
            new Shape("basic credentials",
                    Pattern.compile("(?i)\\b(authorization:\\s*basic\\s+)[A-Za-z0-9+/]{8,}=*"), 1),
            new Shape("credentials in a URL",
                    Pattern.compile("\\b([a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@\"']+:)[^/\\s@\"']+@"), 1),
            new Shape("password= in text",
                    Pattern.compile("(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)"
                            + "[\"']?\\s*[=:]\\s*[\"']?)([^\\s\"'&,;]{3,})"), 1));

    // No '/': path segments would join into long mixed-case runs (a mktemp directory, a package path).
    private static final Pattern CANDIDATE = Pattern.compile("[A-Za-z0-9+_=-]{24,}");

    private final List<Pattern> namePatterns;

    SecretMatcher(List<String> extraNamePatterns, boolean defaults) {
        List<Pattern> patterns = new ArrayList<>();
        if (defaults) {
            DEFAULT_NAME_PATTERNS.forEach(p -> patterns.add(glob(p)));
        }
        extraNamePatterns.forEach(p -> patterns.add(glob(p)));
        this.namePatterns = List.copyOf(patterns);
    }

    /** A glob ({@code *}, {@code ?}) as a whole-name, case-insensitive regular expression. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    }

    boolean secretName(String name) {
        return namePatterns.stream().anyMatch(p -> p.matcher(name).matches());
    }

    /** A value under this name (an environment variable, a system property). */
    List<Finding> named(String name, String value) {
        List<Finding> out = new ArrayList<>();
        if (value.isEmpty() || value.equals(PLACEHOLDER)) {
            return out;
        }
        if (secretName(name)) {
            out.add(new Finding("secret name", mask(value)));
            return out;  // the value is reported already; its shape adds nothing
        }
        out.addAll(inText(value));
        return out;
    }

    /** Every secret shape in free text: a command-line argument, file or socket bytes, a string. */
    List<Finding> inText(String text) {
        List<Finding> out = new ArrayList<>();
        List<int[]> taken = new ArrayList<>();
        for (Shape shape : SHAPES) {
            Matcher m = shape.pattern().matcher(text);
            while (m.find()) {
                if (overlaps(taken, m.start(), m.end()) || redacted(m)) {
                    continue;
                }
                taken.add(new int[] {m.start(), m.end()});
                String preview = switch (shape.keepGroup()) {
                    case 0 -> m.group();
                    case -1 -> mask(m.group());
                    default -> m.group(shape.keepGroup()) + mask(text.substring(m.end(shape.keepGroup()), m.end()));
                };
                out.add(new Finding(shape.kind(), preview));
            }
        }
        Matcher m = CANDIDATE.matcher(text);
        while (m.find()) {
            String token = m.group();
            if (!overlaps(taken, m.start(), m.end()) && highEntropy(token)) {
                taken.add(new int[] {m.start(), m.end()});
                out.add(new Finding("high-entropy string", mask(token)));
            }
        }
        return out;
    }

    private static boolean redacted(Matcher m) {
        return m.group().contains(PLACEHOLDER);
    }

    private static boolean overlaps(List<int[]> taken, int start, int end) {
        return taken.stream().anyMatch(r -> start < r[1] && r[0] < end);
    }

    /**
     * A random-looking token: upper and lower case letters and digits, and at least 4 bits of
     * entropy per character. Words, paths, class names and hex digests stay below that.
     */
    static boolean highEntropy(String token) {
        boolean upper = token.chars().anyMatch(Character::isUpperCase);
        boolean lower = token.chars().anyMatch(Character::isLowerCase);
        boolean digit = token.chars().anyMatch(Character::isDigit);
        return upper && lower && digit && entropy(token) >= 4.0;
    }

    /** Shannon entropy of the characters, in bits per character. */
    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (char c : s.toCharArray()) {
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double bits = 0;
        for (int n : counts) {
            bits += term(n, s.length());
        }
        return bits + term(other, s.length());
    }

    private static double term(int n, int length) {
        if (n == 0) {
            return 0;
        }
        double p = (double) n / length;
        return -p * Math.log(p) / Math.log(2);
    }

    /** {@code wJal********** (40 chars)}: enough to recognise a value you know, not to learn one. */
    static String mask(String value) {
        int keep = value.length() >= 16 ? 4 : value.length() >= 8 ? 2 : 0;
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(keep).forEach(c -> out.append(printable(c)));
        out.append("*".repeat(Math.min(12, Math.max(3, value.length() - keep))));
        return out + " (" + value.length() + " chars)";
    }

    private static String printable(int c) {
        return c >= 0x20 && c != 0x7f ? Character.toString(c) : String.format(Locale.ROOT, "\\x%02x", c);
    }
}
