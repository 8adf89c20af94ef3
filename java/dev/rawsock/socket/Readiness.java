package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;

/** poll(2) for one descriptor, with the pollfd in a caller's long-lived native block (no allocation per call). */
final class Readiness {
    private Readiness() {}

    /**
     * Waits up to {@code timeoutMillis} for {@code fd} to be readable, using the {@code struct pollfd} at
     * {@code pollfdOffset} of {@code block}. False on timeout, and on EINTR (the caller's loop decides
     * whether to wait again); poll's other errors are thrown.
     */
    static boolean awaitReadable(LibC libc, NativeBuffer block, int pollfdOffset, int fd, int timeoutMillis) throws ErrnoException {
        ByteBuffer a = block.buffer();
        a.putInt(pollfdOffset + Structs.Pollfd.FD, fd);
        a.putShort(pollfdOffset + Structs.Pollfd.EVENTS, (short) Constants.POLLIN);
        a.putShort(pollfdOffset + Structs.Pollfd.REVENTS, (short) 0);
        int ready = libc.poll(block.address(pollfdOffset), 1, timeoutMillis);
        if (ready > 0) {
            return true;
        }
        if (ready < 0) {
            int errno = Syscall.errno();
            if (!Syscall.interrupted(errno)) {
                throw Syscall.failure("poll", errno, null);
            }
        }
        return false;
    }
}
