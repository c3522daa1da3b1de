package dev.retrace.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanTest {
    private final SecretMatcher defaults = new SecretMatcher(List.of(), true);

    private static List<String> kinds(List<SecretMatcher.Finding> findings) {
        return findings.stream().map(SecretMatcher.Finding::kind).toList();
    }

    /** The repository root: Maven runs the facade's tests in java-facade/. */
    private static Path repository() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    }

    @Test
    void theDefaultNamesAreTheAgentsAndTheDocs() throws IOException {
        // The agent redacts by its list, scan judges by this one, and the docs show a third copy.
        String agent = Files.readString(repository().resolve("native/src/redaction.cpp"));
        Matcher body = Pattern.compile("defaultPatterns\\(\\) \\{(.*?)return patterns;", Pattern.DOTALL).matcher(agent);
        assertTrue(body.find(), "Redaction::defaultPatterns() in native/src/redaction.cpp");
        List<String> agentList = Pattern.compile("\"([^\"]+)\"").matcher(body.group(1)).results()
                .map(m -> m.group(1)).toList();
        assertEquals(SecretMatcher.DEFAULT_NAME_PATTERNS, agentList);

        String cli = Files.readString(repository().resolve("docs/cli.md"));
        int list = cli.indexOf("The default list (`native/src/redaction.cpp`");
        assertTrue(list >= 0, "the default list in docs/cli.md#redaction");
        int open = cli.indexOf("```\n", list) + 4;
        List<String> documented = Arrays.stream(cli.substring(open, cli.indexOf("```", open)).split("\\s+"))
                .filter(name -> !name.isEmpty()).toList();
        assertEquals(SecretMatcher.DEFAULT_NAME_PATTERNS, documented);
    }

    @Test
    void secretNamesAreGlobsIgnoringCase() {
        assertTrue(defaults.secretName("AWS_SECRET_ACCESS_KEY"));
        assertTrue(defaults.secretName("db.password"));
        assertTrue(defaults.secretName("github_token"));
        assertTrue(defaults.secretName("STRIPE_API_KEY"));
        assertFalse(defaults.secretName("PATH"));
        assertFalse(defaults.secretName("PWD"));
        assertFalse(defaults.secretName("AWS_ACCESS_KEY_ID"));
        assertFalse(defaults.secretName("java.class.path"));
        SecretMatcher own = new SecretMatcher(List.of("acme_?ey"), false);
        assertTrue(own.secretName("ACME_KEY"));
        assertFalse(own.secretName("ACME_KEYS"));
        assertFalse(own.secretName("GITHUB_TOKEN"));
    }

    @Test
    void aValueUnderASecretNameIsOneMaskedFinding() {
        List<SecretMatcher.Finding> found = defaults.named("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        assertEquals(List.of(new SecretMatcher.Finding("secret name", "wJal************ (40 chars)")), found);
        assertTrue(defaults.named("GITHUB_TOKEN", SecretMatcher.PLACEHOLDER).isEmpty(), "redacted is not a finding");
        assertTrue(defaults.named("GITHUB_TOKEN", "").isEmpty(), "empty is not a finding");
        assertTrue(defaults.named("HOME", "/home/me").isEmpty());
        // Under an ordinary name, the value's shape still counts.
        assertEquals(List.of("AWS access key id"), kinds(defaults.named("MY_ID", "AKIAIOSFODNN7EXAMPLE")));
    }

    @Test
    void valueShapes() {
        assertEquals(List.of("private key (PEM)"), kinds(defaults.inText("-----BEGIN RSA PRIVATE KEY-----\nMIIE")));
        assertEquals(List.of("private key (PEM)"), kinds(defaults.inText("x\n-----BEGIN PRIVATE KEY-----\n")));
        assertTrue(defaults.inText("-----BEGIN CERTIFICATE-----\nMIIB").isEmpty(), "a certificate is public");
        assertEquals(List.of("AWS access key id"), kinds(defaults.inText("id=AKIAIOSFODNN7EXAMPLE;")));
        assertEquals(List.of("bearer token"),
                kinds(defaults.inText("GET / HTTP/1.1\r\nAuthorization: Bearer abcDEF123456ghiJKL\r\n")));
        assertEquals(List.of("basic credentials"), kinds(defaults.inText("Authorization: Basic dXNlcjpwYXNz\r\n")));
        assertEquals(List.of("credentials in a URL"),
                kinds(defaults.inText("jdbc:postgresql://app:s3cret@db:5432/app")));
        assertEquals(List.of("password= in text"), kinds(defaults.inText("user=app\npassword=hunter22\n")));
        assertEquals(List.of("password= in text"), kinds(defaults.inText("{\"api_key\": \"k-123456\"}")));
        assertEquals(List.of("GitHub token"), kinds(defaults.inText("ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")));
        assertEquals(List.of("JSON web token"),
                kinds(defaults.inText("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N")));
        assertEquals(List.of("high-entropy string"), kinds(defaults.inText("key: q8Zt3Kp0Lx7Wm2Rv9Bn4Yc6Hd1Fs5Gj")));
        assertTrue(defaults.inText("password=" + SecretMatcher.PLACEHOLDER).isEmpty(), "the placeholder is not a secret");
    }

    @Test
    void ordinaryTextIsNoFinding() {
        for (String text : List.of(
                "/usr/lib/jvm/temurin-25-jdk-amd64/lib/modules",
                "/tmp/retrace-scenarios.Ab3xYz/redaction-17/classes/Secrets.class",
                "org.apache.commons.lang3.builder.ReflectionToStringBuilder",
                "0123456789abcdef0123456789abcdef01234567",
                "The quick brown fox jumps over the lazy dog, twice over.",
                "-agentpath:/opt/retrace/lib/libretrace.so=record,tape=/tmp/run.retrace",
                "password: ",
                "-XX:+UseG1GC")) {
            assertTrue(defaults.inText(text).isEmpty(), () -> text + " -> " + defaults.inText(text));
        }
    }

    @Test
    void masksKeepLittle() {
        assertEquals("*** (2 chars)", SecretMatcher.mask("ab"));
        assertEquals("hu****** (8 chars)", SecretMatcher.mask("hunter22"));
        assertEquals("abcd************ (30 chars)", SecretMatcher.mask("abcd" + "x".repeat(26)));
    }

    @Test
    void unreadableFilesExit122WithOneLine(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "password=hunter22\n");
        Cli.Result notRecording = Cli.run("scan", text.toString());
        notRecording.assertDataError("retrace scan: ", ScanCommand.EXIT_UNREADABLE);
        Cli.run("scan", dir.resolve("missing.retrace").toString()).assertDataError("retrace scan: ", 122);
        Cli.run("scan", dir.toString()).assertDataError("retrace scan: ", 122);
    }

    @Test
    void helpNamesTheExitStatus() {
        Cli.Result help = Cli.run("scan", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("0 nothing found, 1 findings"), help.out());
    }

    @Test
    void recordRefusesPatternsTheAgentOptionsCannotCarry() {
        for (String bad : List.of("a,b", "a:b", "has space", "")) {
            Cli.Result r = Cli.run("record", "--redact", bad, "--", "-version");
            assertEquals(2, r.status(), r.err());
            assertTrue(r.errLines().getFirst().startsWith("retrace record: --redact '" + bad + "' is not a name pattern"),
                    r.err());
        }
    }
}
