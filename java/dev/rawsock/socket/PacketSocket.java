package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An AF_PACKET socket (packet(7)) for capturing: every frame on one interface or on all, whole
 * (SOCK_RAW, with the link-layer header) or cooked (SOCK_DGRAM, from the network header on). It keeps
 * the kernel's own sockaddr_ll of the last frame (direction, interface, protocol), takes a classic BPF
 * filter so the kernel drops what is not wanted, and reports the kernel's drop count. Receiving allocates
 * nothing: all memory is set up when the socket is opened. Needs CAP_NET_RAW.
 */
public final class PacketSocket implements PacketSource {
    private final SocketApi api;
    private final Socket socket;
    private final boolean cooked;
    private final int protocol;
    private final LibC libc = Linux.libc();

    // PACKET_AUXDATA and SCM_TIMESTAMPNS arrive as control messages: CMSG_SPACE(20) + CMSG_SPACE(16) = 72, with room.
    private final MessageReceiver receiver = new MessageReceiver(libc, Structs.SockaddrLl.SIZE, 96);
    private int lastStatus;
    private long lastTimestampNanos;

    private int lastPacketType;
    private int lastInterfaceIndex;
    private int lastProtocol;
    private int lastOriginalLength;
    private int lastHardwareType;

    /** ARPHRD_ETHER: the hardware type of Ethernet devices (sll_hatype, /sys/class/net/NAME/type). */
    public static final int ARPHRD_ETHER = Constants.ARPHRD_ETHER;
    /** ARPHRD_LOOPBACK: the loopback device's hardware type; its frames carry a 14-byte Ethernet header of zero MACs. */
    public static final int ARPHRD_LOOPBACK = Constants.ARPHRD_LOOPBACK;

    private PacketSocket(SocketApi api, Socket socket, boolean cooked, int protocol) {
        this.api = api;
        this.socket = socket;
        this.cooked = cooked;
        this.protocol = protocol;
    }

    /**
     * Opens a packet socket for one Ethernet protocol (ETH_P_ALL for every frame); {@code cooked} gives
     * frames from the network header on (SOCK_DGRAM), otherwise whole (SOCK_RAW).
     */
    public static PacketSocket open(SocketApi api, boolean cooked, Protocol ethernetProtocol) throws ErrnoException {
        Socket s = api.socket(Domain.AF_PACKET, cooked ? SocketType.SOCK_DGRAM : SocketType.SOCK_RAW, ethernetProtocol);
        try {
            // PACKET_AUXDATA: each frame comes with its status, which says when a checksum was never filled
            // in (a loopback segment with checksum offload) rather than wrong.
            api.setsockopt(s, Constants.SOL_PACKET, Constants.PACKET_AUXDATA, new byte[] {1, 0, 0, 0});
            // SO_TIMESTAMPNS: the kernel's receive time of each frame, for round trips our own delays cannot stretch.
            api.setsockopt(s, SocketOptions.SO_TIMESTAMPNS, true);
        } catch (ErrnoException e) {
            api.close(s);
            throw e;
        }
        return new PacketSocket(api, s, cooked, ethernetProtocol.number);
    }

    /** The interface's index (if_nametoindex(3)); ENODEV when there is none of that name. */
    public static int interfaceIndex(String name) throws ErrnoException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= Constants.IFNAMSIZ) {
            throw Syscall.failure("if_nametoindex", dev.rawsock.linux.Errno.ENODEV.number,
                    "'" + name + "' is not an interface name (1-" + (Constants.IFNAMSIZ - 1) + " characters)");
        }
        NativeBuffer text = NativeBuffer.allocate(Constants.IFNAMSIZ);
        text.buffer().put(0, bytes);
        int index = Linux.libc().if_nametoindex(text.address());
        if (index == 0) {
            throw Syscall.failure("if_nametoindex", dev.rawsock.linux.Errno.ENODEV.number, "no interface named '" + name + "'");
        }
        return index;
    }

    /** Receive only from this interface (bind(2) with a sockaddr_ll). */
    public void bindInterface(int interfaceIndex) throws ErrnoException {
        ByteBuffer b = receiver.buffer(); // the sockaddr_ll field, free between receives
        for (int i = 0; i < Structs.SockaddrLl.SIZE; i++) {
            b.put(i, (byte) 0);
        }
        b.putShort(Structs.SockaddrLl.SLL_FAMILY, (short) Constants.AF_PACKET);
        b.putShort(Structs.SockaddrLl.SLL_PROTOCOL, Short.reverseBytes((short) protocol)); // network order
        b.putInt(Structs.SockaddrLl.SLL_IFINDEX, interfaceIndex);
        int fd = socket.fdFor("bind");
        if (libc.bind(fd, receiver.nameAddress(), Structs.SockaddrLl.SIZE) < 0) {
            throw Syscall.failure("bind", Syscall.errno(), "interface index " + interfaceIndex);
        }
    }

    /**
     * Attaches a classic BPF program (SO_ATTACH_FILTER, socket(7)); each element packs one sock_filter:
     * {@code code << 48 | jt << 40 | jf << 32 | k}. The kernel checks the program and refuses a bad one (EINVAL).
     */
    public void attachFilter(long[] instructions) throws ErrnoException {
        SocketFilters.attach(libc, socket, instructions);
    }

    /**
     * Asks for a receive buffer of {@code bytes} (SO_RCVBUFFORCE, which may exceed net.core.rmem_max and
     * needs CAP_NET_ADMIN; SO_RCVBUF, capped at rmem_max, when that is refused) and returns what the kernel
     * granted (Linux reports twice the request, for its bookkeeping).
     */
    public int receiveBufferSize(int bytes) throws ErrnoException {
        return SocketFilters.receiveBufferSize(api, socket, bytes);
    }

    /**
     * Sends one frame, {@code length} bytes at {@code offset} of {@code frame}, out of the interface the
     * socket is bound to ({@link #bindInterface}): write(2) on a bound packet socket (packet(7)). For a
     * SOCK_RAW socket the bytes start with the link-layer header, written by the caller; the kernel adds
     * nothing and computes no checksum. Returns the bytes sent.
     */
    public int send(NativeBuffer frame, int offset, int length) throws ErrnoException {
        int fd = socket.fdFor("write");
        long rc;
        int errno = 0;
        while ((rc = libc.write(fd, frame.address(offset), length)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
            // write again after EINTR
        }
        if (rc < 0) {
            throw Syscall.failure("write", errno, "a " + length + "-byte frame on a packet socket");
        }
        return (int) rc;
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a frame and copies at most {@code capacity}
     * bytes of it to {@code offset} of {@code into}. Returns the bytes stored, or -1 on timeout. The
     * frame's real length, direction, interface and protocol are then in {@link #originalLength()},
     * {@link #packetType()}, {@link #interfaceIndex()} and {@link #protocol()}.
     */
    public int receive(NativeBuffer into, int offset, int capacity, int timeoutMillis) throws ErrnoException {
        return receiveAt(into.address(offset), capacity, timeoutMillis);
    }

    /** {@link #receive(NativeBuffer, int, int, int)} into a direct ByteBuffer (its position and limit are not used). */
    public int receive(ByteBuffer direct, int offset, int capacity, int timeoutMillis) throws ErrnoException {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("receive needs a direct buffer");
        }
        java.util.Objects.checkFromIndexSize(offset, capacity, direct.capacity());
        return receiveAt(NativeBuffer.addressOf(direct) + offset, capacity, timeoutMillis);
    }

    private int receiveAt(long into, int capacity, int timeoutMillis) throws ErrnoException {
        long rc = receiver.receive(socket.fdFor("recvmsg"), into, capacity, timeoutMillis);
        if (rc < 0) {
            return -1;
        }
        ByteBuffer a = receiver.buffer();
        readControlMessages();
        lastOriginalLength = (int) rc;
        lastPacketType = a.get(MessageReceiver.NAME + Structs.SockaddrLl.SLL_PKTTYPE) & 0xFF;
        lastInterfaceIndex = a.getInt(MessageReceiver.NAME + Structs.SockaddrLl.SLL_IFINDEX);
        lastProtocol = Short.toUnsignedInt(Short.reverseBytes(a.getShort(MessageReceiver.NAME + Structs.SockaddrLl.SLL_PROTOCOL)));
        lastHardwareType = Short.toUnsignedInt(a.getShort(MessageReceiver.NAME + Structs.SockaddrLl.SLL_HATYPE));
        return (int) Math.min(rc, capacity);
    }

    /** Reads tp_status (PACKET_AUXDATA) and the receive time (SCM_TIMESTAMPNS) from the control messages (cmsg(3)). */
    private void readControlMessages() {
        lastStatus = 0;
        for (int at = receiver.firstControl(); at >= 0; at = receiver.nextControl(at)) {
            if (receiver.isControl(at, Constants.SOL_PACKET, Constants.PACKET_AUXDATA, Structs.TpacketAuxdata.SIZE)) {
                lastStatus = receiver.buffer().getInt(MessageReceiver.controlData(at) + Structs.TpacketAuxdata.TP_STATUS);
            }
        }
        lastTimestampNanos = receiver.timestampNanos();
    }

    /** When the kernel received the last frame, in CLOCK_REALTIME nanoseconds since the epoch (0 if unknown). */
    public long timestampNanos() {
        return lastTimestampNanos;
    }

    /**
     * True when the kernel had not filled in the last frame's transport checksum (TP_STATUS_CSUMNOTREADY):
     * its own segments on loopback, offloaded; the value in the header is then meaningless, not wrong.
     */
    public boolean checksumNotReady() {
        return (lastStatus & Constants.TP_STATUS_CSUMNOTREADY) != 0;
    }

    /** PACKET_HOST, PACKET_OUTGOING, ... of the last frame (packet(7)). */
    public int packetType() {
        return lastPacketType;
    }

    /** True when the last frame was one this host sent (seen on the way out). */
    public boolean outgoing() {
        return lastPacketType == Constants.PACKET_OUTGOING;
    }

    public int interfaceIndex() {
        return lastInterfaceIndex;
    }

    /** The ARPHRD_ type of the device the last frame came through (sll_hatype): 1 Ethernet, 772 loopback, ... */
    public int hardwareType() {
        return lastHardwareType;
    }

    /** The length of the last frame's link-layer address (sll_halen: 6 on Ethernet, 0 where there is none). */
    public int hardwareAddressLength() {
        return receiver.buffer().get(MessageReceiver.NAME + Structs.SockaddrLl.SLL_HALEN) & 0xFF;
    }

    /** Copies the last frame's link-layer address field (sll_addr, 8 bytes, zero-padded) to {@code at} of {@code out}. */
    public void hardwareAddress(ByteBuffer out, int at) {
        out.put(at, receiver.buffer(), MessageReceiver.NAME + Structs.SockaddrLl.SLL_ADDR, 8);
    }

    /** The Ethernet protocol of the last frame (host order, e.g. 0x0800). */
    public int protocol() {
        return lastProtocol;
    }

    /** The last frame's length on the wire, which may exceed what was stored. */
    public int originalLength() {
        return lastOriginalLength;
    }

    /** True for SOCK_DGRAM sockets, whose frames start at the network header. */
    public boolean cooked() {
        return cooked;
    }

    /** What the kernel counted since the last call (PACKET_STATISTICS resets on read). */
    public record Statistics(long packets, long drops) {}

    public Statistics statistics() throws ErrnoException {
        byte[] raw = api.getsockopt(socket, Constants.SOL_PACKET, Constants.PACKET_STATISTICS, Structs.TpacketStats.SIZE);
        ByteBuffer b = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.nativeOrder());
        return new Statistics(Integer.toUnsignedLong(b.getInt(Structs.TpacketStats.TP_PACKETS)),
                Integer.toUnsignedLong(b.getInt(Structs.TpacketStats.TP_DROPS)));
    }

    /** The kernel's drops since the last call ({@link #statistics()}). */
    @Override
    public long drops() throws ErrnoException {
        return statistics().drops();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws ErrnoException {
        api.close(socket);
    }
}
