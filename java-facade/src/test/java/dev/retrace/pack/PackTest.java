package dev.retrace.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.retrace.cli.Dist;
import dev.retrace.cli.Main;
import dev.retrace.tape.Recording;
import dev.retrace.tape.RecordingSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * retrace pack, summary's Pack line and the extraction for replay, on a real recording: a JVM whose
 * class path is a directory, a jar and a byte copy of that jar (given in an @argfile), which starts
 * a child JVM with the same jar on its class path.
 */
class PackTest {
    private static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";

    @TempDir
    static Path work;

    @TempDir
    Path dir;

    static Path dist;
    static Path recorded;
    static RecordingSummary recordedSummary;

    private static final String PARENT = """
            package demo;

            public class Parent {
                public static void main(String[] args) throws Exception {
                    System.out.println(demo.lib.Greeter.greet("parent") + " at " + (System.nanoTime() > 0));
                    String java = System.getProperty("java.home") + "/bin/java";
                    Process child = new ProcessBuilder(java, "-cp", "lib.jar", "demo.lib.Child").inheritIO().start();
                    System.exit(child.waitFor());
                }
            }
            """;
    private static final String GREETER = """
            package demo.lib;

            public class Greeter {
                public static String greet(String who) {
                    return "hello from " + who;
                }
            }
            """;
    private static final String CHILD = """
            package demo.lib;

            public class Child {
                public static void main(String[] args) {
                    System.out.println(Greeter.greet("child") + " at " + System.currentTimeMillis());
                }
            }
            """;

    @BeforeAll
    static void record() throws Exception {
        dist = Path.of(System.getProperty(Dist.PROPERTY));
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Path libClasses = work.resolve("lib-classes");
        compile(libClasses, write(src.resolve("demo/lib/Greeter.java"), GREETER), write(src.resolve("demo/lib/Child.java"), CHILD));
        compile(classes, List.of("-cp", libClasses.toString()), write(src.resolve("demo/Parent.java"), PARENT));
        jar(libClasses, work.resolve("lib.jar"));
        Files.copy(work.resolve("lib.jar"), work.resolve("lib-copy.jar"));
        Files.writeString(work.resolve("opts"), "-cp classes:lib.jar:lib-copy.jar\n");
        recorded = work.resolve("tree.retrace");
        // java itself, not retrace record, which gives java the argfile's content instead of the argfile.
        Run run = run(work, Map.of(), JDK17 + "/bin/java", "-agentpath:" + dist.resolve("lib/libretrace.so")
                + "=record,tape=" + recorded, "@opts", "demo.Parent");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("hello from parent"), run.out());
        assertTrue(run.out().contains("hello from child"), run.out());
        try (Recording recording = Recording.open(recorded)) {
            recordedSummary = recording.summary();
        }
        assertEquals(2, recordedSummary.processes().size(), "the parent and the child JVM");
        assertTrue(recordedSummary.incompleteReason().isEmpty(), recordedSummary.incompleteReason().toString());
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void summaryShowsThePackAndTheFramesStayByteForByte() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        Cli r = cli("pack", packed.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().matches("packed " + packed + ": 4 code entries, 4 files \\(3 distinct\\), .* in .*\n"), r.out());

        byte[] original = Files.readAllBytes(recorded);
        byte[] withPack = Files.readAllBytes(packed);
        assertArrayEquals(original, Arrays.copyOf(withPack, original.length), "the frames are the recording's bytes");
        byte[] magic = RecordingSummary.PACK_MAGIC.getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(magic, Arrays.copyOfRange(withPack, original.length, original.length + magic.length));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(packed));

        Cli summary = cli("summary", packed.toString());
        assertEquals(0, summary.status(), summary.err());
        String packLine = summary.out().lines().filter(l -> l.startsWith(" Pack: ")).findFirst().orElseThrow();
        long packBytes = withPack.length - original.length;
        assertTrue(packLine.matches(" Pack: 4 code entries, 4 files \\(3 distinct\\), [0-9.]+ kB in "
                + PackStats.size(packBytes).replace(".", "\\.")), packLine);
        // Everything else is what the recording says without its pack.
        Cli plain = cli("summary", recorded.toString());
        assertEquals(withoutNameSizeAndPack(plain.out()), withoutNameSizeAndPack(summary.out()));
        assertTrue(plain.out().contains(" Pack: none"), plain.out());

        Cli verbose = cli("summary", "--verbose", packed.toString());
        long parent = recordedSummary.root().orElseThrow().pid();
        long child = recordedSummary.children(parent).getFirst().pid();
        assertTrue(verbose.out().lines().anyMatch(l -> l.matches("   classpath +file +" + work.resolve("lib.jar")
                + " \\([0-9.]+ kB, sha256 [0-9a-f]{12}; processes " + parent + ", " + child + "\\)")), verbose.out());
        assertTrue(verbose.out().lines().anyMatch(l -> l.matches("   classpath +directory +" + work.resolve("classes")
                + " \\(1 class file, [0-9.]+ (kB|bytes); process " + parent + "\\)")), verbose.out());
        assertTrue(verbose.out().lines().anyMatch(l -> l.matches("   argfile +file +" + work.resolve("opts") + " \\(\\d+ bytes, sha256 [0-9a-f]{12}; process "
                + parent + "\\)")), verbose.out());

        Cli json = cli("summary", "--json", packed.toString());
        assertEquals(0, json.status(), json.err());
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertEquals(original.length, root.path("pack").path("offset").asLong());
        assertEquals(packBytes, root.path("pack").path("bytes").asLong());
        assertEquals(3, root.path("pack").path("objects").asInt());
        assertEquals(4, root.path("pack").path("index").path("entries").size());
        assertEquals(2, root.path("processes").size());
    }

    @Test
    void aJarSharedByEntriesAndProcessesIsStoredOnce() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        assertEquals(0, cli("pack", packed.toString()).status());
        PackIndex index = index(packed);
        PackIndex.Entry lib = entry(index, work.resolve("lib.jar").toString());
        PackIndex.Entry copy = entry(index, work.resolve("lib-copy.jar").toString());
        long parent = recordedSummary.root().orElseThrow().pid();
        long child = recordedSummary.children(parent).getFirst().pid();
        assertEquals(List.of(parent, child), lib.pids(), "one entry for the jar both processes have");
        assertEquals(List.of(parent), copy.pids());
        assertEquals(lib.sha256(), copy.sha256());
        try (ZipFile zip = new ZipFile(packed.toFile())) {
            List<String> objects = Collections.list(zip.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("objects/")).toList();
            assertEquals(3, objects.size(), objects.toString());
            assertEquals(1, objects.stream().filter(n -> n.equals("objects/" + lib.sha256())).count());
            assertEquals(ZipEntry.STORED, zip.getEntry("objects/" + lib.sha256()).getMethod(), "a jar is stored as it is");
            String classFile = entry(index, work.resolve("classes").toString()).files().getFirst().sha256();
            assertEquals(ZipEntry.DEFLATED, zip.getEntry("objects/" + classFile).getMethod(), "a class file is deflated");
        }
        // Neither the JDK nor Retrace's own files are packed.
        assertTrue(index.entries().stream().noneMatch(e -> e.path().startsWith(JDK17) || e.path().startsWith(dist.toString())),
                index.entries().toString());
    }

    @Test
    void packingAgainGivesTheSameFileAndAnOutputLeavesTheOriginal() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        assertEquals(0, cli("pack", packed.toString()).status());
        byte[] once = Files.readAllBytes(packed);
        Cli again = cli("pack", packed.toString());
        assertEquals(0, again.status(), again.err());
        assertArrayEquals(once, Files.readAllBytes(packed), "the pack is replaced by the same pack");

        Path out = dir.resolve("out.retrace");
        Cli toOut = cli("pack", recorded.toString(), "-o", out.toString());
        assertEquals(0, toOut.status(), toOut.err());
        assertArrayEquals(once, Files.readAllBytes(out));
        Cli exists = cli("pack", recorded.toString(), "-o", out.toString());
        assertOneLine(exists, "retrace pack: " + out + " already exists (use --force to replace it)");
        assertEquals(0, cli("pack", recorded.toString(), "-o", out.toString(), "--force").status());
        try (Recording recording = Recording.open(recorded)) {
            assertEquals(null, recording.summary().pack(), "the original has no pack");
        }
    }

    @Test
    void aClassFileChangedSinceTheRecordingIsRefusedAndTheFileIsUntouched() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        Path classFile = work.resolve("classes/demo/Parent.class");
        byte[] before = Files.readAllBytes(classFile);
        try {
            Files.write(classFile, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
            Cli r = cli("pack", packed.toString());
            assertOneLine(r, null);
            assertTrue(r.err().matches("retrace pack: the classpath entry " + work.resolve("classes")
                    + " changed since the recording \\(crc32c [0-9a-f]{8}, \\d+ bytes; recorded [0-9a-f]{8}, \\d+ bytes\\)\n"),
                    r.err());
            assertArrayEquals(Files.readAllBytes(recorded), Files.readAllBytes(packed), "the recording is as it was");
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(packed), files.toList(), "no temporary file is left");
            }
        } finally {
            Files.write(classFile, before);
        }
        Path jar = work.resolve("lib-copy.jar");
        Path moved = work.resolve("lib-copy.jar.away");
        Files.move(jar, moved);
        try {
            Cli r = cli("pack", packed.toString());
            assertOneLine(r, "retrace pack: the classpath entry " + jar + " is missing (it was there when recorded)");
        } finally {
            Files.move(moved, jar);
        }
    }

    @Test
    void extractionWritesObjectsAndAMapWhoseFilesHaveTheRecordedChecksums() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        assertEquals(0, cli("pack", packed.toString()).status());
        Path cache = dir.resolve("cache");
        Path map = PackedCode.codeMap(packed, cache).orElseThrow();
        assertTrue(map.startsWith(cache.resolve("maps")), map.toString());
        Map<String, Path> local = readMap(map);
        assertEquals(Set.of(work.resolve("classes").toString(), work.resolve("lib.jar").toString(),
                work.resolve("lib-copy.jar").toString(), work.resolve("opts").toString()), local.keySet());

        Map<String, RecordingSummary.Code> recordedCode = new HashMap<>();
        recordedSummary.processes().forEach(p -> p.code().forEach(c -> recordedCode.putIfAbsent(c.path(), c)));
        for (String path : List.of("classes", "lib.jar", "lib-copy.jar")) {
            RecordingSummary.Code code = recordedCode.get(work.resolve(path).toString());
            CodeChecksum.OnDisk now = CodeChecksum.look(local.get(code.path()));
            long[] checksum = switch (now) {
                case CodeChecksum.RegularFile f -> new long[] {f.digest().crc32c(), f.digest().size()};
                case CodeChecksum.Directory d -> new long[] {d.crc32c(), d.size()};
                default -> throw new AssertionError(path + " is " + now);
            };
            assertArrayEquals(new long[] {code.crc32c(), code.size()}, checksum, path + " as the agent checksums it");
        }
        assertEquals(Files.readString(work.resolve("opts")), Files.readString(local.get(work.resolve("opts").toString())));
        assertEquals(local.get(work.resolve("lib.jar").toString()), local.get(work.resolve("lib-copy.jar").toString()));

        Path tree = local.get(work.resolve("classes").toString());
        Path classFile = tree.resolve("demo/Parent.class");
        assertTrue(tree.startsWith(cache.resolve("trees")), tree.toString());
        Path object = cache.resolve("objects").resolve(CodeChecksum.sha256(Files.readAllBytes(classFile)));
        assertTrue(Files.isSameFile(classFile, object), "a tree's files are links to the objects");
        assertEquals(PosixFilePermissions.fromString("r--------"), Files.getPosixFilePermissions(object));
        for (Path d : List.of(cache, cache.resolve("objects"), cache.resolve("trees"), cache.resolve("maps"), tree)) {
            assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(d), d.toString());
        }

        // Again: the same map. A cached object that was changed is checked, found out and replaced.
        Path jarObject = local.get(work.resolve("lib.jar").toString());
        byte[] jarBytes = Files.readAllBytes(jarObject);
        Files.setPosixFilePermissions(jarObject, PosixFilePermissions.fromString("rw-------"));
        Files.write(jarObject, "not the jar".getBytes(StandardCharsets.UTF_8));
        assertEquals(map, PackedCode.codeMap(packed, cache).orElseThrow());
        assertArrayEquals(jarBytes, Files.readAllBytes(jarObject));
        assertEquals(local, readMap(map));

        assertTrue(PackedCode.codeMap(recorded, cache).isEmpty(), "a recording without a pack has no map");
    }

    @Test
    void anObjectAlteredInThePackIsRefusedNamingTheRecordedPath() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        assertEquals(0, cli("pack", packed.toString()).status());
        PackIndex index = index(packed);
        String jar = work.resolve("lib.jar").toString();
        Path tampered = alterObject(packed, entry(index, jar).sha256(), dir.resolve("jar-changed.retrace"));
        try (Recording recording = Recording.open(tampered)) {
            assertNotNull(recording.summary().pack(), "the altered recording has its pack");
        }
        PackException e = assertThrows(PackException.class, () -> PackedCode.codeMap(tampered, dir.resolve("cache")));
        assertEquals("the pack's copy of " + jar + " does not match its checksum: the recording was changed after it was packed",
                e.getMessage());
        assertTrue(e.changedAfterPacking());

        String classes = work.resolve("classes").toString();
        PackIndex.TreeFile classFile = entry(index, classes).files().getFirst();
        Path tamperedClass = alterObject(packed, classFile.sha256(), dir.resolve("class-changed.retrace"));
        PackException c = assertThrows(PackException.class, () -> PackedCode.codeMap(tamperedClass, dir.resolve("cache")));
        assertEquals("the pack's copy of " + classes + "/" + classFile.path()
                + " does not match its checksum: the recording was changed after it was packed", c.getMessage());

        // The cache holds the class file now, from the extraction above: the pack's copy is still compared.

        // retrace replay refuses it as any changed recording, before the launcher runs.
        Path cache = dir.resolve("replay-cache");
        Run replay = retrace(dir, Map.of("RETRACE_CACHE", cache.toString()), "replay", tampered.toString());
        assertEquals(122, replay.status(), replay.err());
        assertEquals("retrace replay: the pack's copy of " + jar
                + " does not match its checksum: the recording was changed after it was packed\n", replay.err());
        assertEquals("", replay.out());
        try (Stream<Path> objects = Files.list(cache.resolve("objects"))) {
            assertFalse(objects.anyMatch(o -> o.getFileName().toString().equals(entry(index, jar).sha256())),
                    "the altered object is not in the cache");
        }
    }

    @Test
    void anIndexThatGivesARecordedPathOtherChecksumsIsRefused() throws Exception {
        Path packed = copy(recorded, dir.resolve("run.retrace"));
        assertEquals(0, cli("pack", packed.toString()).status());
        PackIndex index = index(packed);
        List<PackIndex.Entry> entries = new ArrayList<>();
        for (PackIndex.Entry e : index.entries()) {
            entries.add(e.path().endsWith("/lib-copy.jar")
                    ? new PackIndex.Entry(e.pids(), "/tmp/elsewhere.jar", null, e.role(), e.kind(), e.crc32c(), e.size(),
                            e.sha256(), null)
                    : e);
        }
        Path crafted = rewritePack(packed, dir.resolve("crafted.retrace"), "index.json",
                new PackIndex(PackIndex.VERSION, entries).toJson());
        PackException e = assertThrows(PackException.class, () -> PackedCode.codeMap(crafted, dir.resolve("cache")));
        assertEquals("the pack's copy of /tmp/elsewhere.jar does not match its checksum: the recording was changed after "
                + "it was packed", e.getMessage());

        Path noIndex = rewritePack(packed, dir.resolve("no-index.retrace"), "index.json", "{".getBytes(StandardCharsets.UTF_8));
        PackException broken = assertThrows(PackException.class, () -> PackedCode.codeMap(noIndex, dir.resolve("cache")));
        assertTrue(broken.getMessage().startsWith("the pack is damaged: its index.json is not an index"), broken.getMessage());
        Cli summary = cli("summary", noIndex.toString());
        assertEquals(1, summary.status());
        assertTrue(summary.out().contains(" Pack: unreadable, "), summary.out());
        assertEquals(1, summary.err().lines().count(), summary.err());
    }

    @Test
    void aPackedRecordingReplaysWhereItsCodeIsGone() throws Exception {
        Path ci = Files.createDirectories(dir.resolve("ci"));
        Files.copy(work.resolve("lib.jar"), ci.resolve("lib.jar"));
        Path tape = dir.resolve("gone.retrace");
        Run recordedRun = retrace(ci, Map.of(), "record", "--pack", "-o", tape.toString(), "--java", JDK17 + "/bin/java",
                "--", "-cp", "lib.jar", "demo.lib.Child");
        assertEquals(0, recordedRun.status(), recordedRun.err());
        Files.delete(ci.resolve("lib.jar"));
        Files.delete(ci);
        Path cache = dir.resolve("cache");
        Run replay = retrace(dir, Map.of("RETRACE_CACHE", cache.toString()), "replay", tape.toString());
        assertEquals(0, replay.status(), replay.err());
        assertEquals(recordedRun.out(), replay.out(), "the recorded clock reading, from the pack's jar");
        assertTrue(replay.out().startsWith("hello from child at "), replay.out());
        Run again = retrace(dir, Map.of("RETRACE_CACHE", cache.toString()), "replay", tape.toString());
        assertEquals(recordedRun.out(), again.out(), "again, from the cache: " + again.err());
    }

    @Test
    void recordPackPacksWhatWasKeptAndNothingElse() throws Exception {
        Path out = dir.resolve("child.retrace");
        Run run = retrace(work, Map.of(), "record", "--pack", "-o", out.toString(), "--java", JDK17 + "/bin/java", "--",
                "-cp", "lib.jar", "demo.lib.Child");
        assertEquals(0, run.status(), run.err());
        List<String> lines = run.err().lines().toList();
        assertEquals("retrace record: saved " + out + " (replay with: " + out + ")", lines.get(0), run.err());
        assertTrue(lines.get(1).matches("retrace record: packed " + out + ": 1 code entry, 1 file \\(1 distinct\\), "
                + "[0-9.]+ kB in .*"), run.err());
        assertEquals(2, lines.size(), run.err());
        assertEquals(work.resolve("lib.jar").toString(), index(out).entries().getFirst().path());

        Path none = dir.resolve("none.retrace");
        Run green = retrace(work, Map.of(), "record", "--pack", "--save-on", "failure", "-o", none.toString(), "--java",
                JDK17 + "/bin/java", "--", "-cp", "lib.jar", "demo.lib.Child");
        assertEquals(0, green.status(), green.err());
        assertEquals("retrace record: no recording kept (save-on failure and the run succeeded)\n", green.err());
        assertFalse(Files.exists(none));
    }

    // ---------------------------------------------------------------------------------------------

    record Cli(int status, String out, String err) {}

    record Run(int status, String out, String err) {}

    private static Cli cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(new Dist(dist), args, new PrintWriter(out), new PrintWriter(err), false);
        return new Cli(status, out.toString(), err.toString());
    }

    /** bin/retrace in {@code cwd}, with {@code environment} added to this one. */
    private static Run retrace(Path cwd, Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(dist.resolve("bin/retrace").toString()));
        command.addAll(List.of(args));
        return run(cwd, environment, command.toArray(String[]::new));
    }

    private static Run run(Path cwd, Map<String, String> environment, String... command) throws Exception {
        String[] args = command;
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile());
        builder.environment().putAll(environment);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), String.join(" ", args) + " ends");
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void assertOneLine(Cli r, String line) {
        assertEquals(1, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        if (line != null) {
            assertEquals(line + "\n", r.err());
        }
    }

    private static String withoutNameSizeAndPack(String summary) {
        return summary.lines().filter(l -> !l.startsWith(" Recording: ") && !l.startsWith(" Size: ") && !l.startsWith(" Pack: "))
                .reduce("", (a, b) -> a + b + "\n");
    }

    private static PackIndex index(Path packed) throws Exception {
        try (ZipFile zip = new ZipFile(packed.toFile())) {
            return PackIndex.parse(zip.getInputStream(zip.getEntry("index.json")).readAllBytes());
        }
    }

    private static PackIndex.Entry entry(PackIndex index, String path) {
        return index.entries().stream().filter(e -> e.resolvedPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no entry " + path + " in " + index));
    }

    private static Map<String, Path> readMap(Path map) throws IOException {
        Map<String, Path> local = new LinkedHashMap<>();
        for (String line : Files.readAllLines(map)) {
            String[] parts = line.split("\t", -1);
            assertEquals(2, parts.length, line);
            assertTrue(local.putIfAbsent(parts[0], Path.of(parts[1])) == null, "one line per path: " + line);
        }
        return local;
    }

    /** The packed recording with one object's last byte changed, in a zip that is valid (its CRC-32s are right). */
    private static Path alterObject(Path packed, String sha256, Path out) throws Exception {
        byte[] content;
        try (ZipFile zip = new ZipFile(packed.toFile())) {
            content = zip.getInputStream(zip.getEntry("objects/" + sha256)).readAllBytes();
        }
        content[content.length - 1] ^= 1;
        return rewritePack(packed, out, "objects/" + sha256, content);
    }

    /** The recording's frames, the magic, and its pack's zip written again with {@code name} holding {@code content}. */
    private static Path rewritePack(Path packed, Path out, String name, byte[] content) throws Exception {
        long offset;
        try (Recording recording = Recording.open(packed)) {
            offset = recording.summary().pack().offset();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(Arrays.copyOf(Files.readAllBytes(packed), (int) offset));
        bytes.write(RecordingSummary.PACK_MAGIC.getBytes(StandardCharsets.US_ASCII));
        try (ZipFile zip = new ZipFile(packed.toFile()); ZipOutputStream rewritten = new ZipOutputStream(nonClosing(bytes))) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                rewritten.putNextEntry(new ZipEntry(entry.getName()));
                rewritten.write(entry.getName().equals(name) ? content : zip.getInputStream(entry).readAllBytes());
                rewritten.closeEntry();
            }
        }
        Files.write(out, bytes.toByteArray());
        return out;
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.copy(from, to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
        return to;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text);
    }

    private static void compile(Path classes, Path... sources) {
        compile(classes, List.of(), sources);
    }

    private static void compile(Path classes, List<String> options, Path... sources) {
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString()));
        args.addAll(options);
        Stream.of(sources).map(Path::toString).forEach(args::add);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new)), "javac");
    }

    private static void jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                JarEntry entry = new JarEntry(classes.relativize(file).toString());
                entry.setTime(0);
                out.putNextEntry(entry);
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
    }

    @Test
    void sizesAreDecimal() {
        assertEquals("999 bytes", PackStats.size(999));
        assertEquals("1.0 kB", PackStats.size(1000));
        assertEquals("3.4 MB", PackStats.size(3_400_000));
        assertEquals("1.0 MB", PackStats.size(999_999));
        assertEquals("12 code entries, 9 files (7 distinct), 3.4 MB in 2.1 MB",
                new PackStats(12, 0, 9, 7, 3_400_000, 2_100_000).line());
    }
}
