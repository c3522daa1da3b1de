package dev.retrace.pack;

import dev.retrace.tape.RecordingSummary;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The pack of a recording, open: its index and its objects. {@link ZipFile} finds the archive from
 * the end of the file and accepts the recording in front of it (its offsets count from the
 * archive's first byte, after the magic). Nothing read here is trusted: names are checked by
 * {@link PackIndex#parse}, contents by their SHA-256 where they are used.
 */
public final class PackFile implements Closeable {
    /** An index is a few hundred bytes per entry: more than this is not one. */
    private static final long MAX_INDEX_BYTES = 64L << 20;

    private final ZipFile zip;
    private final byte[] indexBytes;
    private final PackIndex index;
    private final Map<String, ZipEntry> objects;

    private PackFile(ZipFile zip, byte[] indexBytes, PackIndex index, Map<String, ZipEntry> objects) {
        this.zip = zip;
        this.indexBytes = indexBytes;
        this.index = index;
        this.objects = objects;
    }

    /** Opens the pack {@code where} says the recording has. */
    public static PackFile open(Path recording, RecordingSummary.PackLocation where) throws PackException, IOException {
        checkArchiveStart(recording, where);
        ZipFile zip;
        try {
            zip = new ZipFile(recording.toFile());
        } catch (ZipException e) {
            throw PackException.damaged("it is not a zip archive (" + e.getMessage() + ")");
        }
        try {
            ZipEntry indexEntry = zip.getEntry(Packer.INDEX);
            if (indexEntry == null) {
                throw PackException.damaged("it has no " + Packer.INDEX);
            }
            byte[] indexBytes;
            try (InputStream in = zip.getInputStream(indexEntry)) {
                indexBytes = in.readNBytes((int) MAX_INDEX_BYTES + 1);
            } catch (ZipException e) {
                throw PackException.damaged("its " + Packer.INDEX + " is unreadable (" + e.getMessage() + ")");
            }
            if (indexBytes.length > MAX_INDEX_BYTES) {
                throw PackException.damaged("its " + Packer.INDEX + " is larger than " + MAX_INDEX_BYTES + " bytes");
            }
            PackIndex index = PackIndex.parse(indexBytes);
            Map<String, ZipEntry> objects = new HashMap<>();
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getName().startsWith(Packer.OBJECTS) && !entry.isDirectory()) {
                    objects.put(entry.getName().substring(Packer.OBJECTS.length()), entry);
                }
            }
            PackFile pack = new PackFile(zip, indexBytes, index, Map.copyOf(objects));
            zip = null;
            return pack;
        } finally {
            if (zip != null) {
                zip.close();
            }
        }
    }

    /** The magic, then a zip's first local header: the archive is where the tape reader says the pack is. */
    private static void checkArchiveStart(Path recording, RecordingSummary.PackLocation where)
            throws IOException, PackException {
        byte[] magic = RecordingSummary.PACK_MAGIC.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer head = ByteBuffer.allocate(magic.length + 4);
        try (FileChannel in = dev.retrace.tape.RegularFile.open(recording)) {
            while (head.hasRemaining() && in.read(head, where.offset() + head.position()) > 0) {
                // read on
            }
        }
        byte[] bytes = head.array();
        if (head.hasRemaining() || !Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length)
                || bytes[magic.length] != 'P' || bytes[magic.length + 1] != 'K' || bytes[magic.length + 2] != 3
                || bytes[magic.length + 3] != 4) {
            throw PackException.damaged("no zip archive follows its magic at offset " + where.offset());
        }
    }

    public PackIndex index() {
        return index;
    }

    /** The index as stored: the code map is named by its SHA-256. */
    public byte[] indexBytes() {
        return indexBytes.clone();
    }

    /** The objects by SHA-256 (as their names say; what they hold is checked where they are read). */
    public Map<String, ZipEntry> objects() {
        return objects;
    }

    public InputStream read(ZipEntry object) throws IOException {
        return zip.getInputStream(object);
    }

    /** What the pack holds, for {@code summary}. */
    public PackStats stats(long packBytes) {
        long content = objects.values().stream().mapToLong(e -> Math.max(0, e.getSize())).sum();
        return PackStats.of(index, objects.size(), content, packBytes);
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
