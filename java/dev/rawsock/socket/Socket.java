package dev.rawsock.socket;

import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket descriptor made by {@link SocketApi#socket} or {@link SocketApi#accept}. Closing it is
 * idempotent: the first close releases the descriptor, later ones do nothing. Calls on a closed socket
 * fail with EBADF without reaching the kernel, where the number may already belong to another file.
 *
 * <p>Each socket keeps its own long-lived native scratch memory (addresses, option values, and a copy
 * area for heap arrays), one area for the reading side and one for the writing side, so one thread may
 * read while another writes.
 */
public final class Socket implements AutoCloseable {
    /** Room for an option value or a sockaddr_storage (128 bytes), with the length cell after it. */
    static final int CONTROL_BYTES = 256;
    static final int CONTROL_LENGTH_CELL = 248;
    private static final int MIN_SCRATCH_BYTES = 2048;
    static final int MAX_SCRATCH_BYTES = 1 << 20;

    private final SocketApi api;
    private final int fd;
    private final Domain domain;
    private final SocketType type;
    private final int protocol;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final Object controlLock = new Object();
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    private NativeBuffer control;
    private NativeBuffer readScratch;
    private NativeBuffer writeScratch;
    private NativeBuffer sendAddress;
    private NativeBuffer receiveAddress;
    private jnr.ffi.Pointer receiveAddressLengthCell;

    Socket(SocketApi api, int fd, Domain domain, SocketType type, int protocol) {
        this.api = api;
        this.fd = fd;
        this.domain = domain;
        this.type = type;
        this.protocol = protocol;
    }

    /** The descriptor number, as the kernel gave it (kept after close, for messages). */
    public int fd() {
        return fd;
    }

    public Domain domain() {
        return domain;
    }

    public SocketType type() {
        return type;
    }

    /** The protocol argument socket(2) was given (0 for accepted sockets: the kernel's default). */
    public int protocol() {
        return protocol;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Same as {@code api.close(this)}. */
    @Override
    public void close() throws ErrnoException {
        api.close(this);
    }

    @Override
    public String toString() {
        return "Socket(fd=" + fd + ", " + domain + ", " + type + (isClosed() ? ", closed" : "") + ")";
    }

    /** The descriptor for a call, or EBADF when the socket was closed. */
    int fdFor(String call) throws ErrnoException {
        if (closed.get()) {
            throw Syscall.failure(call, Errno.EBADF.number, "socket " + fd + " was already closed");
        }
        return fd;
    }

    /** True exactly once: for the call that closes it. */
    boolean markClosed() {
        return closed.compareAndSet(false, true);
    }

    Object controlLock() {
        return controlLock;
    }

    Object readLock() {
        return readLock;
    }

    Object writeLock() {
        return writeLock;
    }

    /** Scratch for sockaddrs and option values; call with {@link #controlLock()} held. */
    NativeBuffer control() {
        if (control == null) {
            control = NativeBuffer.allocate(CONTROL_BYTES);
        }
        return control;
    }

    /** Scratch of at least min(bytes, 1 MiB) for the reading side; call with {@link #readLock()} held. */
    NativeBuffer readScratch(int bytes) {
        readScratch = sized(readScratch, bytes);
        return readScratch;
    }

    /** Scratch of at least min(bytes, 1 MiB) for the writing side; call with {@link #writeLock()} held. */
    NativeBuffer writeScratch(int bytes) {
        writeScratch = sized(writeScratch, bytes);
        return writeScratch;
    }

    /** A sockaddr for sendto's destination; call with {@link #writeLock()} held. */
    NativeBuffer sendAddress() {
        if (sendAddress == null) {
            sendAddress = NativeBuffer.allocate(Structs.SockaddrStorage.SIZE);
        }
        return sendAddress;
    }

    /** A sockaddr_storage and, at {@link #RECEIVE_LENGTH_CELL}, its length cell; call with {@link #readLock()} held. */
    NativeBuffer receiveAddress() {
        if (receiveAddress == null) {
            receiveAddress = NativeBuffer.allocate(RECEIVE_LENGTH_CELL + 4);
            receiveAddressLengthCell = receiveAddress.pointer(RECEIVE_LENGTH_CELL);
        }
        return receiveAddress;
    }

    /** The length cell of {@link #receiveAddress()}, as a long-lived pointer. */
    jnr.ffi.Pointer receiveAddressLengthCell() {
        receiveAddress();
        return receiveAddressLengthCell;
    }

    static final int RECEIVE_LENGTH_CELL = Structs.SockaddrStorage.SIZE;

    private static NativeBuffer sized(NativeBuffer current, int bytes) {
        int wanted = Math.max(MIN_SCRATCH_BYTES, Math.min(bytes, MAX_SCRATCH_BYTES));
        if (current != null && current.capacity() >= wanted) {
            return current;
        }
        return NativeBuffer.allocate(Math.max(wanted, current == null ? 0 : Math.min(2 * current.capacity(), MAX_SCRATCH_BYTES)));
    }
}
