package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An AF_INET raw socket for receiving one IP protocol (raw(7): {@code socket(AF_INET, SOCK_RAW, IPPROTO_TCP)}):
 * a copy of every IPv4 packet of that protocol the host receives (not the ones it sends), from the IPv4
 * header on. It takes a classic BPF filter as packet sockets do (the program sees the IPv4 header at offset
 * 0), stamps each packet with the kernel's receive time (SO_TIMESTAMPNS), and counts what the kernel dropped
 * because the receive queue was full (SO_MEMINFO). Unlike a packet socket it gets no auxdata: whether a
 * loopback segment's checksum was left to offload cannot be asked. Receiving allocates nothing. Needs CAP_NET_RAW.
 */
public final class RawIpSocket implements AutoCloseable {
    private final SocketApi api;
    private final Socket socket;
    private final LibC libc = Linux.libc();

    private final MessageReceiver receiver = new MessageReceiver(libc, Structs.SockaddrIn.SIZE, 64); // CMSG_SPACE(16) = 32, with room
    private long lastTimestampNanos;
    private int lastOriginalLength;

    private RawIpSocket(SocketApi api, Socket socket) {
        this.api = api;
        this.socket = socket;
    }

    /** Opens a raw socket for {@code ipProtocol} (IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP). */
    public static RawIpSocket open(SocketApi api, Protocol ipProtocol) throws ErrnoException {
        if (ipProtocol.ethernet) {
            throw new IllegalArgumentException(ipProtocol + " is an Ethernet protocol; a raw IP socket takes an IP protocol");
        }
        Socket s = api.socket(Domain.AF_INET, SocketType.SOCK_RAW, ipProtocol);
        try {
            api.setsockopt(s, SocketOptions.SO_TIMESTAMPNS, true);
        } catch (ErrnoException e) {
            api.close(s);
            throw e;
        }
        return new RawIpSocket(api, s);
    }

    /** Attaches a classic BPF program (see {@link PacketSocket#attachFilter(long[])}); it sees the IPv4 header at 0. */
    public void attachFilter(long[] instructions) throws ErrnoException {
        SocketFilters.attach(libc, socket, instructions);
    }

    /** See {@link PacketSocket#receiveBufferSize(int)}. */
    public int receiveBufferSize(int bytes) throws ErrnoException {
        return SocketFilters.receiveBufferSize(api, socket, bytes);
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a packet and copies at most {@code capacity} bytes
     * of it to {@code offset} of the direct buffer {@code into}. Returns the bytes stored, or -1 on timeout;
     * the packet's whole length is then {@link #originalLength()}.
     */
    public int receive(ByteBuffer into, int offset, int capacity, int timeoutMillis) throws ErrnoException {
        if (!into.isDirect()) {
            throw new IllegalArgumentException("receive needs a direct buffer");
        }
        Objects.checkFromIndexSize(offset, capacity, into.capacity());
        long rc = receiver.receive(socket.fdFor("recvmsg"), NativeBuffer.addressOf(into) + offset, capacity, timeoutMillis);
        if (rc < 0) {
            return -1;
        }
        lastTimestampNanos = receiver.timestampNanos();
        lastOriginalLength = (int) rc;
        return (int) Math.min(rc, capacity);
    }

    /** The last packet's whole length, which may exceed what was stored. */
    public int originalLength() {
        return lastOriginalLength;
    }

    /** When the kernel received the last packet, in CLOCK_REALTIME nanoseconds since the epoch (0 if unknown). */
    public long timestampNanos() {
        return lastTimestampNanos;
    }

    /**
     * Packets the kernel dropped for this socket since it was opened because its receive queue was full
     * (SO_MEMINFO's SK_MEMINFO_DROPS; packets the filter rejected are not counted).
     */
    public long drops() throws ErrnoException {
        byte[] raw = api.getsockopt(socket, Constants.SOL_SOCKET, Constants.SO_MEMINFO, 4 * Constants.SK_MEMINFO_VARS);
        if (raw.length < 4 * (Constants.SK_MEMINFO_DROPS + 1)) {
            return 0;
        }
        return Integer.toUnsignedLong(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getInt(4 * Constants.SK_MEMINFO_DROPS));
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws ErrnoException {
        api.close(socket);
    }
}
