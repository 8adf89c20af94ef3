package dev.rawsock.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * Buffered, positioned reading from a file channel for the capture readers: small fields come from one
 * reused heap buffer, large records are copied into the caller's buffer, skips seek. Nothing here
 * allocates after construction.
 */
final class FileInput implements Closeable {
    private final FileChannel channel;
    /** Unread bytes are [position, limit); index 0 is file offset {@code bufferStart}. */
    private final ByteBuffer buffer;
    private long bufferStart;
    /** The file's size when last asked; a file still being written may have grown since. */
    private long knownSize = -1;

    FileInput(FileChannel channel, int capacity) {
        this.channel = channel;
        this.buffer = ByteBuffer.allocate(capacity);
        this.buffer.flip();
    }

    void order(ByteOrder order) {
        buffer.order(order);
    }

    /** The file offset of the next unread byte. */
    long position() {
        return bufferStart + buffer.position();
    }

    /**
     * Bytes left in the file from the read position. The file's size is asked once and again only when
     * fewer than {@code wanted} bytes seemed left (no system call per record).
     */
    long remaining(long wanted) throws IOException {
        long left = knownSize - position();
        if (knownSize < 0 || left < wanted) {
            knownSize = channel.size();
            left = knownSize - position();
        }
        return left;
    }

    /** Bytes buffered and not yet read. */
    int buffered() {
        return buffer.remaining();
    }

    /**
     * Makes {@code n} bytes ({@code n} at most the buffer's capacity) readable, unless the file ends first;
     * returns how many are readable, {@code min(n, what is left)}.
     */
    int require(int n) throws IOException {
        if (n > buffer.capacity()) {
            throw new IllegalArgumentException(n + " bytes do not fit the " + buffer.capacity() + "-byte buffer");
        }
        if (buffer.remaining() >= n) {
            return n;
        }
        bufferStart += buffer.position();
        buffer.compact();
        while (buffer.position() < n) {
            if (channel.read(buffer) < 0) {
                break;
            }
        }
        buffer.flip();
        return Math.min(n, buffer.remaining());
    }

    /** The next 4 bytes as an int in the current order (after {@link #require}). */
    int int32() {
        return buffer.getInt();
    }

    /** The next 4 bytes, big-endian whatever the order (for magic numbers). */
    int int32BigEndian() {
        int v = buffer.getInt();
        return buffer.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    int uint16() {
        return buffer.getShort() & 0xFFFF;
    }

    int uint8() {
        return buffer.get() & 0xFF;
    }

    long int64() {
        return buffer.getLong();
    }

    /** Moves the read position {@code n} bytes on, seeking when they are not buffered. */
    void skip(long n) throws IOException {
        if (n <= buffer.remaining()) {
            buffer.position(buffer.position() + (int) n);
            return;
        }
        seek(position() + n);
    }

    /** Moves the read position to a file offset. */
    void seek(long offset) throws IOException {
        long relative = offset - bufferStart;
        if (relative >= 0 && relative <= buffer.limit()) {
            buffer.position((int) relative);
            return;
        }
        channel.position(offset);
        bufferStart = offset;
        buffer.clear().flip();
    }

    /**
     * Copies the next {@code n} bytes into {@code dst} at 0 (its capacity must be at least {@code n});
     * returns how many were copied, fewer only when the file ends.
     */
    int readInto(ByteBuffer dst, int n) throws IOException {
        int copied = Math.min(n, buffer.remaining());
        dst.put(0, buffer, buffer.position(), copied);
        buffer.position(buffer.position() + copied);
        if (copied == n) {
            return n;
        }
        if (n - copied <= buffer.capacity() / 2) {
            int got = require(n - copied);
            dst.put(copied, buffer, buffer.position(), got);
            buffer.position(buffer.position() + got);
            return copied + got;
        }
        // A large record: read it straight into the destination, then start the buffer afresh after it.
        dst.limit(n).position(copied);
        while (dst.hasRemaining()) {
            if (channel.read(dst) < 0) {
                break;
            }
        }
        int total = dst.position();
        dst.position(0);
        bufferStart = channel.position();
        buffer.clear().flip();
        return total;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
