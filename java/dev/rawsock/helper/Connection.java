package dev.rawsock.helper;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Syscall;
import jnr.unixsocket.UnixSocketChannel;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;

/**
 * One end of a helper connection: frames ({@link Protocol}) read and written over a non-blocking Unix
 * stream socket, every wait a poll(2) with a deadline, so a peer that sends half a frame and sleeps, or
 * stops reading, cannot hold the other end for longer than the timeout. Not thread-safe for reading;
 * writes are serialised.
 */
public final class Connection implements AutoCloseable {
    /** The framing broke (length out of range, cut short, too slow): the connection cannot continue. */
    public static final class FramingException extends IOException {
        private static final long serialVersionUID = 1L;

        public FramingException(String message) {
            super(message);
        }
    }

    /** No frame started within the idle timeout. */
    public static final class IdleException extends IOException {
        private static final long serialVersionUID = 1L;

        public IdleException(String message) {
            super(message);
        }
    }

    private final UnixSocketChannel channel;
    private final int fd;
    private final LibC libc = Linux.libc();
    private final NativeBuffer pollfd = NativeBuffer.allocate(8);
    private final ByteBuffer lengthCell = ByteBuffer.allocate(4);
    private final Object writeLock = new Object();
    private final long writeTimeoutMillis;

    public Connection(UnixSocketChannel channel, long writeTimeoutMillis) throws IOException {
        this.channel = channel;
        this.fd = channel.getFD();
        this.writeTimeoutMillis = writeTimeoutMillis;
        channel.configureBlocking(false);
    }

    public UnixSocketChannel channel() {
        return channel;
    }

    /**
     * Reads one frame: waits up to {@code idleMillis} for it to start, then up to {@code frameMillis} for the
     * rest. EOFException when the peer closed between frames; IdleException when none started in time;
     * FramingException when the frame's length is out of range or it did not arrive whole.
     */
    public Protocol.Frame read(long idleMillis, long frameMillis) throws IOException {
        lengthCell.clear();
        long idleDeadline = System.nanoTime() + idleMillis * 1_000_000L;
        // the first byte: EOF here is a clean close
        while (lengthCell.position() == 0) {
            if (!waitFor(Constants.POLLIN, idleDeadline)) {
                throw new IdleException("no request within " + idleMillis + " ms");
            }
            int n = channel.read(lengthCell);
            if (n < 0) {
                throw new EOFException("closed by the peer");
            }
        }
        long frameDeadline = System.nanoTime() + frameMillis * 1_000_000L;
        fill(lengthCell, frameDeadline, "the frame length");
        int length = lengthCell.getInt(0);
        if (length < Protocol.MIN_FRAME_BYTES || length > Protocol.MAX_FRAME_BYTES) {
            throw new FramingException("frame length " + Integer.toUnsignedString(length) + " is outside "
                    + Protocol.MIN_FRAME_BYTES + "-" + Protocol.MAX_FRAME_BYTES);
        }
        ByteBuffer frame = ByteBuffer.allocate(length);
        fill(frame, frameDeadline, "a frame of " + length + " bytes");
        frame.flip();
        int version = frame.get() & 0xFF;
        int type = frame.get() & 0xFF;
        int requestId = frame.getInt();
        return new Protocol.Frame(version, type, requestId, frame.slice());
    }

    private void fill(ByteBuffer b, long deadline, String what) throws IOException {
        while (b.hasRemaining()) {
            if (!waitFor(Constants.POLLIN, deadline)) {
                throw new FramingException("truncated frame: " + what + " did not arrive whole in time (" + b.position()
                        + " of " + b.limit() + " bytes)");
            }
            if (channel.read(b) < 0) {
                throw new FramingException("truncated frame: the peer closed after " + b.position() + " of " + b.limit()
                        + " bytes of " + what);
            }
        }
    }

    /** Writes one frame whole, or fails when the peer does not take it within the write timeout. */
    public void write(int type, int requestId, ByteBuffer body) throws IOException {
        ByteBuffer b = body.duplicate();
        ByteBuffer header = ByteBuffer.allocate(4 + Protocol.HEADER_BYTES);
        header.putInt(Protocol.HEADER_BYTES + b.remaining()).put((byte) Protocol.VERSION).put((byte) type).putInt(requestId).flip();
        writeRaw(header, b);
    }

    /** Writes bytes as they are (the tests use it to send broken frames). */
    public void writeRaw(ByteBuffer... parts) throws IOException {
        synchronized (writeLock) {
            long deadline = System.nanoTime() + writeTimeoutMillis * 1_000_000L;
            for (ByteBuffer part : parts) {
                while (part.hasRemaining()) {
                    if (!waitFor(Constants.POLLOUT, deadline)) {
                        throw new FramingException("the peer did not read a frame within " + writeTimeoutMillis + " ms");
                    }
                    channel.write(part);
                }
            }
        }
    }

    /** True when something can be read now (data, or the peer's close). */
    public boolean readable() throws IOException {
        return waitFor(Constants.POLLIN, System.nanoTime());
    }

    /** Waits for {@code events} until {@code deadline} (System.nanoTime); false when it passed. Hang-ups count as ready. */
    private boolean waitFor(int events, long deadline) throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            int millis = (int) Math.max(0, Math.min(left / 1_000_000L, 1000));
            ByteBuffer p = pollfd.buffer();
            p.putInt(0, fd);
            p.putShort(4, (short) events);
            p.putShort(6, (short) 0);
            int rc = libc.poll(pollfd.address(), 1, millis);
            if (rc < 0) {
                int errno = Syscall.errno();
                if (Syscall.interrupted(errno)) {
                    continue;
                }
                throw Syscall.failure("poll", errno, null);
            }
            if (rc > 0) {
                return true;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted");
            }
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
        }
    }

    /** Ends both directions without closing the descriptor (safe while another thread waits on it): its reads see EOF. */
    public void shutdown() {
        try {
            channel.shutdownInput();
            channel.shutdownOutput();
        } catch (IOException ignored) {
            // not connected any more
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a Unix socket does not fail in a way we could act on
        }
    }
}
