package dev.rawsock.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Writes a classic libpcap file (https://www.tcpdump.org/manual/file-format: a 24-byte file header, then a
 * 16-byte header and the captured bytes per record), completely or not at all: the records go to a
 * temporary file beside the target ({@code .<name>.<random>.tmp}, created with the usual permissions),
 * which {@link #close()} flushes, syncs to disk and renames over the target in one atomic step. Until then
 * the target is untouched (an existing file keeps its old content); {@link #abort()} — or any I/O failure
 * inside the writer — deletes the temporary file instead. A crash of the JVM can leave the temporary file,
 * never a partial target.
 *
 * <p>{@code close()} is what commits, so in a try-with-resources block an exception thrown by the body
 * still commits the records written so far. When the body's failure should discard the file, use
 * {@link #writeFile}, or call {@link #abort()} in a catch block.
 *
 * <p>Per packet nothing is allocated: the record header and the data are copied into one reused 64 KiB
 * buffer that is written to the file channel when full. Files are little-endian by default (what libpcap
 * writes on x86), with microsecond or nanosecond timestamps. Not thread-safe.
 */
public final class PcapWriter implements AutoCloseable {
    /** Magic number of a file with microsecond timestamps. */
    public static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
    /** Magic number of a file with nanosecond timestamps. */
    public static final int MAGIC_NANOSECONDS = 0xA1B23C4D;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    public static final int FILE_HEADER_BYTES = 24;
    public static final int RECORD_HEADER_BYTES = 16;
    /** The largest snapshot length accepted, the same limit {@link PcapReader} applies to records (256 MiB). */
    public static final int MAX_SNAP_LENGTH = PcapReader.MAX_RECORD_BYTES;
    /** The snapshot length tcpdump uses by default, and the largest libpcap accepts for most link types. */
    public static final int DEFAULT_SNAP_LENGTH = 262_144;

    private static final int BUFFER_BYTES = 64 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** What {@link #writeFile} runs with the open writer. */
    @FunctionalInterface
    public interface Body {
        void write(PcapWriter writer) throws IOException;
    }

    private enum State { OPEN, COMMITTED, ABORTED }

    private final Path target;
    private final Path temporary;
    private final FileChannel file;
    private final WritableByteChannel out;
    private final ByteBuffer buffer;
    private final LinkType linkType;
    private final int snapLength;
    private final boolean nanosecond;
    private State state = State.OPEN;
    private long records;

    private PcapWriter(Path target, Path temporary, FileChannel file, WritableByteChannel out, ByteOrder order,
                       LinkType linkType, int snapLength, boolean nanosecond) {
        this.target = target;
        this.temporary = temporary;
        this.file = file;
        this.out = out;
        this.buffer = ByteBuffer.allocate(BUFFER_BYTES).order(order);
        this.linkType = linkType;
        this.snapLength = snapLength;
        this.nanosecond = nanosecond;
    }

    /** Opens a little-endian file; see {@link #open(Path, LinkType, int, boolean, ByteOrder)}. */
    public static PcapWriter open(Path target, LinkType linkType, int snapLength, boolean nanosecond) throws IOException {
        return open(target, linkType, snapLength, nanosecond, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Starts a capture file for {@code target}: creates the temporary file beside it and buffers the
     * file header. {@code snapLength} (1 to 256 MiB) is written in the header and bounds each record's
     * captured length; {@code nanosecond} chooses the timestamp precision (magic 0xa1b23c4d rather than
     * 0xa1b2c3d4); {@code order} the byte order of every header field.
     */
    public static PcapWriter open(Path target, LinkType linkType, int snapLength, boolean nanosecond, ByteOrder order)
            throws IOException {
        return open(target, linkType, snapLength, nanosecond, order, UnaryOperator.identity());
    }

    /** The same, with the channel the records go through wrapped (tests inject failures here). */
    static PcapWriter open(Path target, LinkType linkType, int snapLength, boolean nanosecond, ByteOrder order,
                           UnaryOperator<WritableByteChannel> wrap) throws IOException {
        Objects.requireNonNull(linkType, "linkType");
        Objects.requireNonNull(order, "order");
        if (snapLength < 1 || snapLength > MAX_SNAP_LENGTH) {
            throw new IllegalArgumentException("snap_length must be 1-" + MAX_SNAP_LENGTH + " but was " + snapLength);
        }
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (absolute.getFileName() == null || directory == null) {
            throw new IllegalArgumentException("'" + target + "' does not name a file");
        }
        Path temporary;
        FileChannel channel;
        while (true) {
            temporary = directory.resolve("." + absolute.getFileName() + "."
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + ".tmp");
            try {
                channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                break;
            } catch (FileAlreadyExistsException taken) {
                // another writer's temporary file: pick another name
            }
        }
        PcapWriter writer;
        try {
            writer = new PcapWriter(absolute, temporary, channel, Objects.requireNonNull(wrap.apply(channel)), order,
                    linkType, snapLength, nanosecond);
        } catch (RuntimeException | Error e) {
            channel.close();
            Files.deleteIfExists(temporary);
            throw e;
        }
        writer.buffer.putInt(nanosecond ? MAGIC_NANOSECONDS : MAGIC_MICROSECONDS)
                .putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
                .putInt(0) // thiszone: timestamps are UTC
                .putInt(0) // sigfigs
                .putInt(snapLength)
                .putInt(linkType.value());
        return writer;
    }

    /**
     * Writes a whole file: opens it, runs {@code body}, and commits when the body returns; when the body
     * (or the writer) throws, aborts instead, so the target is left as it was, and rethrows.
     */
    public static void writeFile(Path target, LinkType linkType, int snapLength, boolean nanosecond, Body body)
            throws IOException {
        PcapWriter writer = open(target, linkType, snapLength, nanosecond);
        try {
            body.write(writer);
        } catch (Throwable t) {
            writer.abortAfter(t);
            throw t;
        }
        writer.close();
    }

    public Path target() {
        return target;
    }

    /** The temporary file the records go to until {@link #close()}. */
    public Path temporaryFile() {
        return temporary;
    }

    public LinkType linkType() {
        return linkType;
    }

    public int snapLength() {
        return snapLength;
    }

    public boolean nanosecond() {
        return nanosecond;
    }

    /** Records written so far. */
    public long records() {
        return records;
    }

    /**
     * Writes a packet of {@code length} bytes, captured up to the snapshot length:
     * {@code write(epochNanos, b, offset, min(length, snapLength), length)}.
     */
    public void write(long epochNanos, ByteBuffer b, int offset, int length) throws IOException {
        write(epochNanos, b, offset, Math.min(length, snapLength), length);
    }

    /**
     * Writes one record: the timestamp ({@code epochNanos} since 1970-01-01 UTC, cut to microseconds unless
     * the file is nanosecond), the lengths, and {@code capturedLength} bytes of {@code b} from {@code offset}
     * (the buffer's position, limit and order are not used or changed). IllegalArgumentException, with
     * nothing written, when the captured length is negative or over the snapshot length, the original length
     * is below it, or the time is before 1970 or after 2106 (32-bit seconds); any I/O failure aborts the
     * file and is rethrown.
     */
    public void write(long epochNanos, ByteBuffer b, int offset, int capturedLength, int originalLength) throws IOException {
        checkOpen();
        if (capturedLength < 0 || capturedLength > snapLength) {
            throw new IllegalArgumentException("captured_length must be 0-" + snapLength + " (the snapshot length) but was "
                    + capturedLength);
        }
        if (originalLength < capturedLength) {
            throw new IllegalArgumentException("original_length must be at least the captured length " + capturedLength
                    + " but was " + originalLength);
        }
        long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        if (epochNanos < 0 || seconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("timestamp must be from 1970 to 2106 (32-bit seconds) but was "
                    + epochNanos + " ns since the epoch");
        }
        Objects.checkFromIndexSize(offset, capturedLength, b.limit());
        long fraction = epochNanos - seconds * NANOS_PER_SECOND;
        try {
            if (buffer.remaining() < RECORD_HEADER_BYTES) {
                flush();
            }
            buffer.putInt((int) seconds).putInt((int) (nanosecond ? fraction : fraction / 1000))
                    .putInt(capturedLength).putInt(originalLength);
            int done = 0;
            while (done < capturedLength) {
                if (!buffer.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buffer.remaining(), capturedLength - done);
                buffer.put(buffer.position(), b, offset + done, n);
                buffer.position(buffer.position() + n);
                done += n;
            }
            records++;
        } catch (IOException | RuntimeException | Error e) {
            abortAfter(e);
            throw e;
        }
    }

    /**
     * Commits: flushes the buffer, syncs the temporary file to disk, closes it and renames it over the
     * target atomically. Does nothing when already committed or aborted. On failure the temporary file is
     * deleted and the target left as it was.
     */
    @Override
    public void close() throws IOException {
        if (state != State.OPEN) {
            return;
        }
        try {
            flush();
            file.force(true);
            out.close();
            file.close();
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            state = State.COMMITTED;
        } catch (IOException | RuntimeException | Error e) {
            abortAfter(e);
            throw e;
        }
    }

    /**
     * Discards the file: closes and deletes the temporary file, leaving the target as it was. Does nothing
     * when already committed or aborted. Throws when the temporary file cannot be deleted.
     */
    public void abort() throws IOException {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        // Failures to close a file that is then deleted do not matter; failing to delete it does.
        try {
            out.close();
        } catch (IOException ignored) {
            // deleted below
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // deleted below
        }
        Files.deleteIfExists(temporary);
    }

    /** Aborts after {@code cause}, attaching any failure of the abort to it. */
    private void abortAfter(Throwable cause) {
        try {
            abort();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("the writer for " + target + " is "
                    + (state == State.COMMITTED ? "closed" : "aborted"));
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }
}
