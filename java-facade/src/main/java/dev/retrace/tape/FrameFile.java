package dev.retrace.tape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The framing of a recording file, read in Java to copy frames out (for {@code --extract}); see
 * tape-format/include/retrace/tape/frame.h. Keep in sync with frame.h:
 *
 * <pre>
 *   #!&lt;launcher&gt; --recording\n
 *   frame*: u32 magic "RTF1" | u32 pid | u32 length | u32 crc32c(pid, length, payload) | payload
 * </pre>
 *
 * Decoding the payloads stays with the tape library; this class only finds whole frames with a
 * good checksum, up to where the library's reader stopped.
 */
public final class FrameFile {
    public static final int MAGIC = 0x31465452;
    public static final int HEADER_SIZE = 16;
    public static final long MAX_FRAME_LENGTH = 64L << 20;  // kMaxFrameLength
    private static final int MAX_SHEBANG = 4096;

    /** One whole frame: where its header starts, its pid, its payload length. */
    public record Frame(long offset, long pid, int length) {
        public long size() {
            return HEADER_SIZE + (long) length;
        }
    }

    private FrameFile() {}

    /** The first line, newline included. */
    public static byte[] shebang(FileChannel file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(MAX_SHEBANG, file.size()));
        file.read(buffer, 0);
        byte[] bytes = buffer.array();
        for (int i = 0; i < buffer.position(); i++) {
            if (bytes[i] == '\n') {
                return java.util.Arrays.copyOf(bytes, i + 1);
            }
        }
        throw new IOException("no shebang line");
    }

    /**
     * The frames from the end of the shebang line up to {@code stopOffset} (where the tape
     * library's reader stopped), each checked against its magic and checksum.
     */
    public static List<Frame> scan(Path path, long stopOffset) throws IOException {
        List<Frame> frames = new ArrayList<>();
        try (FileChannel file = RegularFile.open(path)) {
            long offset = shebang(file).length;
            long end = Math.min(stopOffset, file.size());
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            while (offset + HEADER_SIZE <= end) {
                header.clear();
                readFully(file, header, offset);
                header.flip();
                int magic = header.getInt();
                long pid = Integer.toUnsignedLong(header.getInt());
                long length = Integer.toUnsignedLong(header.getInt());
                int crc = header.getInt();
                if (magic != MAGIC || offset + HEADER_SIZE + length > end) {
                    break;
                }
                if (checksum(file, offset, header, length) != crc) {
                    break;
                }
                frames.add(new Frame(offset, pid, (int) length));
                offset += HEADER_SIZE + length;
            }
        }
        return frames;
    }

    /**
     * The pid of the frame at {@code offset} when the end of the file cuts it (its header or its
     * payload is not all there) and its magic and pid are readable; empty otherwise (a whole frame,
     * a damaged one, or fewer than 8 bytes left). Used to name a process whose first frame was cut off.
     */
    public static OptionalLong cutFramePid(Path path, long offset) throws IOException {
        try (FileChannel file = RegularFile.open(path)) {
            long size = file.size();
            if (offset < 0 || offset + 8 > size) {
                return OptionalLong.empty();
            }
            ByteBuffer header = ByteBuffer.allocate((int) Math.min(HEADER_SIZE, size - offset)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(file, header, offset);
            header.flip();
            if (header.getInt() != MAGIC) {
                return OptionalLong.empty();
            }
            long pid = Integer.toUnsignedLong(header.getInt());
            if (header.remaining() < 8) {
                return OptionalLong.of(pid);  // the header itself is cut
            }
            long length = Integer.toUnsignedLong(header.getInt());
            boolean cut = length <= MAX_FRAME_LENGTH && offset + HEADER_SIZE + length > size;
            return cut ? OptionalLong.of(pid) : OptionalLong.empty();
        }
    }

    private static int checksum(FileChannel file, long offset, ByteBuffer header, long length) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 4, 8);  // pid and length, as little-endian bytes
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        long at = offset + HEADER_SIZE;
        long left = length;
        while (left > 0) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), left));
            readFully(file, chunk, at);
            chunk.flip();
            crc.update(chunk);
            at += chunk.limit();
            left -= chunk.limit();
        }
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel file, ByteBuffer buffer, long offset) throws IOException {
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, offset + buffer.position());
            if (n < 0) {
                throw new IOException("unexpected end of file at offset " + (offset + buffer.position()));
            }
        }
    }
}
