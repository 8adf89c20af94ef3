package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;

/**
 * The receive path the raw IP and packet sockets share: recvmsg(2) of one message into the caller's memory, the
 * sender's address and the control messages (cmsg(3)) landing in one native block set up once (the sender's
 * sockaddr, a pollfd, the iovec, the msghdr, the control buffer). Receiving allocates nothing.
 */
final class MessageReceiver {
    /** Where the sender's address (sockaddr_in, sockaddr_ll) is in {@link #buffer()}. */
    static final int NAME = 0;
    private static final int NAME_BYTES = 24;
    private static final int POLLFD = NAME + NAME_BYTES;
    private static final int IOVEC = POLLFD + Structs.Pollfd.SIZE;
    private static final int MSGHDR = IOVEC + Structs.Iovec.SIZE;
    private static final int CONTROL = MSGHDR + Structs.Msghdr.SIZE;

    private final LibC libc;
    private final int nameBytes;
    private final int controlBytes;
    private final NativeBuffer block;

    /** For a sender's address of {@code nameBytes} (at most 24) and control messages of up to {@code controlBytes}. */
    MessageReceiver(LibC libc, int nameBytes, int controlBytes) {
        if (nameBytes > NAME_BYTES) {
            throw new IllegalArgumentException("a sender's address of " + nameBytes + " bytes (at most " + NAME_BYTES + ")");
        }
        this.libc = libc;
        this.nameBytes = nameBytes;
        this.controlBytes = controlBytes;
        this.block = NativeBuffer.allocate(CONTROL + controlBytes);
        ByteBuffer a = block.buffer();
        a.putLong(MSGHDR + Structs.Msghdr.MSG_NAME, block.address(NAME));
        a.putLong(MSGHDR + Structs.Msghdr.MSG_IOV, block.address(IOVEC));
        a.putLong(MSGHDR + Structs.Msghdr.MSG_IOVLEN, 1);
        a.putLong(MSGHDR + Structs.Msghdr.MSG_CONTROL, block.address(CONTROL));
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a message on {@code fd} and receives at most
     * {@code capacity} bytes of it at the native address {@code into}. Returns the message's whole length, which
     * may exceed {@code capacity} (MSG_TRUNC: raw(7), packet(7)), or -1 on timeout. EINTR is retried.
     */
    long receive(int fd, long into, int capacity, int timeoutMillis) throws ErrnoException {
        if (timeoutMillis >= 0 && !Readiness.awaitReadable(libc, block, POLLFD, fd, timeoutMillis)) {
            return -1;
        }
        ByteBuffer a = block.buffer();
        a.putLong(IOVEC + Structs.Iovec.IOV_BASE, into);
        a.putLong(IOVEC + Structs.Iovec.IOV_LEN, capacity);
        long rc;
        int errno = 0;
        do {
            // the kernel writes both lengths back (what it stored): set them again before each call
            a.putInt(MSGHDR + Structs.Msghdr.MSG_NAMELEN, nameBytes);
            a.putLong(MSGHDR + Structs.Msghdr.MSG_CONTROLLEN, controlBytes);
            rc = libc.recvmsg(fd, block.address(MSGHDR), Constants.MSG_TRUNC);
        } while (rc < 0 && Syscall.interrupted(errno = Syscall.errno()));
        if (rc < 0) {
            throw Syscall.failure("recvmsg", errno, null);
        }
        return rc;
    }

    /** The block: the last sender's address at {@link #NAME}, the control messages where {@link #firstControl()} says. */
    ByteBuffer buffer() {
        return block.buffer();
    }

    /** The native address of the sender's address field, for a call that takes a sockaddr (bind). */
    long nameAddress() {
        return block.address(NAME);
    }

    /** Where the last message's first control message is in {@link #buffer()}, or -1 when it brought none. */
    int firstControl() {
        return controlAt(CONTROL);
    }

    /** The control message after the one at {@code at}, or -1: each starts on 8 bytes (CMSG_NXTHDR, cmsg(3)). */
    int nextControl(int at) {
        return controlAt(at + (int) ((block.buffer().getLong(at + Structs.Cmsghdr.CMSG_LEN) + 7) & ~7L));
    }

    /** The control message at {@code at} if the kernel wrote a whole one there, else -1. */
    private int controlAt(int at) {
        ByteBuffer a = block.buffer();
        long received = a.getLong(MSGHDR + Structs.Msghdr.MSG_CONTROLLEN);
        if (at + Structs.Cmsghdr.SIZE > CONTROL + received) {
            return -1;
        }
        long length = a.getLong(at + Structs.Cmsghdr.CMSG_LEN);
        return length < Structs.Cmsghdr.SIZE || at + length > CONTROL + controlBytes ? -1 : at;
    }

    /** True when the control message at {@code at} is {@code level}/{@code type} with at least {@code dataBytes} of data. */
    boolean isControl(int at, int level, int type, int dataBytes) {
        ByteBuffer a = block.buffer();
        return a.getInt(at + Structs.Cmsghdr.CMSG_LEVEL) == level && a.getInt(at + Structs.Cmsghdr.CMSG_TYPE) == type
                && a.getLong(at + Structs.Cmsghdr.CMSG_LEN) >= Structs.Cmsghdr.SIZE + dataBytes;
    }

    /** Where the data of the control message at {@code at} starts in {@link #buffer()}. */
    static int controlData(int at) {
        return at + Structs.Cmsghdr.SIZE;
    }

    /** The kernel's receive time of the last message (SCM_TIMESTAMPNS), CLOCK_REALTIME nanoseconds; 0 if none came. */
    long timestampNanos() {
        for (int at = firstControl(); at >= 0; at = nextControl(at)) {
            if (isControl(at, Constants.SOL_SOCKET, Constants.SCM_TIMESTAMPNS, Structs.Timespec.SIZE)) {
                ByteBuffer a = block.buffer();
                int data = controlData(at);
                return a.getLong(data + Structs.Timespec.TV_SEC) * 1_000_000_000L + a.getLong(data + Structs.Timespec.TV_NSEC);
            }
        }
        return 0;
    }
}
