package dev.rawsock.socket;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;

/**
 * Received packets, one at a time, with what the kernel said about each: this process's own
 * {@link PacketSocket}, or a capture made for it elsewhere (the privileged helper's). The reply side of a
 * probe run reads through this, as its send side writes through {@link Ipv4Sender}.
 */
public interface PacketSource extends AutoCloseable {
    /** Copies the next packet to {@code into} at {@code offset}, waiting up to {@code timeoutMillis}; -1 when none came. */
    int receive(NativeBuffer into, int offset, int capacity, int timeoutMillis) throws ErrnoException;

    /** The last packet's receive time (CLOCK_REALTIME ns), or 0 when unknown. */
    long timestampNanos();

    /** True when the last packet was one this host sent. */
    boolean outgoing();

    /** The last packet's whole length, even when fewer bytes were copied. */
    int originalLength();

    /** True when the kernel left the last packet's transport checksum to offload (loopback). */
    boolean checksumNotReady();

    /** Packets lost before they were read, since the last call. */
    long drops() throws ErrnoException;

    @Override
    void close() throws ErrnoException;
}
