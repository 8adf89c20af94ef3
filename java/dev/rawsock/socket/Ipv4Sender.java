package dev.rawsock.socket;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;

/**
 * Something that sends an assembled IPv4 packet, header included: a raw socket of this process
 * ({@link RawSender}), or the privileged helper on its behalf (dev.rawsock.helper.HelperClient), which
 * checks the packet against its policy first.
 */
public interface Ipv4Sender extends AutoCloseable {
    /** Sends {@code length} bytes at {@code offset} of {@code packet} to {@code destinationAddress}; returns bytes sent. */
    int send(NativeBuffer packet, int offset, int length, int destinationAddress) throws ErrnoException;

    @Override
    void close() throws ErrnoException;
}
