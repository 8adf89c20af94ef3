package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Sends crafted IPv6 packets on an AF_INET6 raw socket of their transport protocol (raw(7), ipv6(7)),
 * where Linux builds the IPv6 header itself. The caller hands over the whole packet as crafted (the 40-byte
 * fixed header, no extension headers, then the transport); what the header says is turned into what the
 * kernel takes:
 *
 * <ul>
 *   <li>the transport part (after the 40 bytes) is what is sent; its checksum goes out as computed, since
 *       without IPV6_CHECKSUM Linux leaves TCP and UDP alone, except ICMPv6, whose checksum Linux always
 *       computes (RFC 3542 §3.1: IPV6_CHECKSUM cannot be changed on an ICMPv6 socket);</li>
 *   <li>the hop limit becomes IPV6_UNICAST_HOPS (and IPV6_MULTICAST_HOPS for a multicast destination), the
 *       traffic class IPV6_TCLASS, set with setsockopt only when they change from the last packet;</li>
 *   <li>the flow label goes into sin6_flowinfo with IPV6_FLOWINFO_SEND on, and IPV6_AUTOFLOWLABEL off, so
 *       that a flow label of 0 stays 0 (unless net.ipv6.auto_flowlabels is 3, "forced");</li>
 *   <li>the destination is the sendto address; the source is the address the socket is bound to
 *       ({@link #open}), or the route's when none is given;</li>
 *   <li>the payload length and next header are the kernel's (the socket's protocol).</li>
 * </ul>
 *
 * <p>Protocol 255 (IPPROTO_RAW) is the exception: on AF_INET6 it implies IPV6_HDRINCL, and the whole
 * packet, header included, goes out as given. The socket would also receive a copy of every incoming
 * packet of its protocol; a one-instruction filter drops them (SO_ATTACH_FILTER), since replies are read
 * elsewhere. One packet at a time through sendto(2), or many per sendmmsg(2) call from a preallocated
 * {@link Batch}; neither allocates per packet. Needs CAP_NET_RAW.
 */
public final class Ipv6RawSender implements AutoCloseable {
    /** The fixed header every packet handed over starts with. */
    public static final int HEADER_BYTES = 40;
    private static final int HOP_LIMIT = 7;
    private static final int DESTINATION = 24;

    private final SocketApi api;
    private final Socket socket;
    private final boolean headerIncluded;
    private final int skip;
    private final LibC libc = Linux.libc();
    private final NativeBuffer destination = NativeBuffer.allocate(Structs.SockaddrIn6.SIZE);
    private final jnr.ffi.Pointer destinationPointer = destination.pointer();
    private final NativeBuffer cell = NativeBuffer.allocate(4);
    private int hopLimit = -2;
    private int multicastHopLimit = -2;
    private int trafficClass = -2;
    private NativeBuffer lastPacket;
    private int lastOffset = -1;
    private jnr.ffi.Pointer lastPointer;

    private Ipv6RawSender(SocketApi api, Socket socket, boolean headerIncluded) {
        this.api = api;
        this.socket = socket;
        this.headerIncluded = headerIncluded;
        this.skip = headerIncluded ? 0 : HEADER_BYTES;
        destination.buffer().putShort(Structs.SockaddrIn6.SIN6_FAMILY, (short) Constants.AF_INET6);
    }

    /**
     * Opens socket(AF_INET6, SOCK_RAW, {@code protocol}) and binds it to {@code source} (16 bytes) unless it
     * is null or :: (then the kernel picks the route's source). A source that is not this host's fails with
     * EADDRNOTAVAIL: an AF_INET6 raw socket sends only from its own addresses.
     */
    public static Ipv6RawSender open(SocketApi api, int protocol, byte[] source) throws ErrnoException {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("protocol must be 0-255 but was " + protocol);
        }
        Socket s = api.socket(Domain.AF_INET6, SocketType.SOCK_RAW, protocol);
        boolean headerIncluded = protocol == Constants.IPPROTO_RAW;
        try {
            Ipv6RawSender sender = new Ipv6RawSender(api, s, headerIncluded);
            sender.dropEverythingReceived();
            if (!headerIncluded) {
                api.setsockopt(s, Constants.SOL_IPV6, Constants.IPV6_FLOWINFO_SEND, intBytes(1));
                try {
                    api.setsockopt(s, Constants.SOL_IPV6, Constants.IPV6_AUTOFLOWLABEL, intBytes(0));
                } catch (ErrnoException e) {
                    // Before Linux 4.11 there is no per-socket switch: the sysctl decides. The label given still wins.
                }
                if (source != null && !unspecified(source)) {
                    InetSocketAddress local;
                    try {
                        local = new InetSocketAddress(Inet6Address.getByAddress(null, source, -1), 0);
                    } catch (UnknownHostException e) {
                        throw new IllegalArgumentException("source must be 16 bytes but was " + source.length);
                    }
                    try {
                        api.bind(s, local);
                    } catch (ErrnoException e) {
                        throw Syscall.failure("bind", e.errnoNumber(), Sockaddrs.text(local)
                                + ": an AF_INET6 raw socket sends only from an address of this host (give a local --src, or none)");
                    }
                }
            }
            return sender;
        } catch (ErrnoException | RuntimeException e) {
            api.close(s);
            throw e;
        }
    }

    private static boolean unspecified(byte[] address) {
        for (byte b : address) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] intBytes(int value) {
        return ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(0, value).array();
    }

    /** A classic BPF program of one instruction, {@code ret #0}: the socket queues nothing it receives. */
    private void dropEverythingReceived() throws ErrnoException {
        NativeBuffer program = NativeBuffer.allocate(Structs.SockFilter.SIZE + Structs.SockFprog.SIZE);
        ByteBuffer p = program.buffer();
        p.putShort(Structs.SockFilter.CODE, (short) 0x06); // BPF_RET | BPF_K
        p.putInt(Structs.SockFilter.K, 0);
        int fprog = Structs.SockFilter.SIZE;
        p.putShort(fprog + Structs.SockFprog.LEN, (short) 1);
        p.putLong(fprog + Structs.SockFprog.FILTER, program.address());
        int fd = socket.fdFor("setsockopt");
        if (libc.setsockopt(fd, Constants.SOL_SOCKET, Constants.SO_ATTACH_FILTER, program.address(fprog), Structs.SockFprog.SIZE) < 0) {
            throw Syscall.failure("setsockopt SO_ATTACH_FILTER", Syscall.errno(), "a filter that drops what the raw socket receives");
        }
    }

    public Socket socket() {
        return socket;
    }

    /** True for protocol 255 (IPPROTO_RAW): IPV6_HDRINCL, the whole packet goes out as given. */
    public boolean headerIncluded() {
        return headerIncluded;
    }

    /**
     * Sends the crafted IPv6 packet of {@code length} bytes at {@code offset} of {@code packet}: its transport
     * part, with the header's hop limit, traffic class, flow label and destination applied. Returns the bytes
     * the kernel took (the transport part; the whole packet with IPPROTO_RAW).
     */
    public int send(NativeBuffer packet, int offset, int length) throws ErrnoException {
        if (length < skip) {
            throw new IllegalArgumentException("a " + length + "-byte packet has no room for the 40-byte IPv6 header");
        }
        int fd = socket.fdFor("sendto");
        ByteBuffer b = packet.buffer();
        applyHeader(fd, b, offset);
        ByteBuffer d = destination.buffer();
        writeAddress(b, offset, d, 0);
        if (packet != lastPacket || offset != lastOffset) {
            lastPacket = packet;
            lastOffset = offset;
            lastPointer = packet.pointer(offset + skip);
        }
        long rc = Syscall.sendto(libc, fd, lastPointer, length - skip, 0, destinationPointer, Structs.SockaddrIn6.SIZE);
        if (rc < 0) {
            throw Syscall.failure("sendto", (int) -rc, null);
        }
        return (int) rc;
    }

    /** The destination and flow label of the header at {@code offset} into the sockaddr_in6 at {@code at} of {@code d}. */
    private void writeAddress(ByteBuffer b, int offset, ByteBuffer d, int at) {
        for (int k = 0; k < 16; k++) {
            d.put(at + Structs.SockaddrIn6.SIN6_ADDR + k, b.get(offset + DESTINATION + k));
        }
        // sin6_flowinfo is network order: the 20-bit label, as the header's bytes 1-3 carry it.
        d.put(at + Structs.SockaddrIn6.SIN6_FLOWINFO, (byte) 0);
        d.put(at + Structs.SockaddrIn6.SIN6_FLOWINFO + 1, headerIncluded ? 0 : (byte) (b.get(offset + 1) & 0x0F));
        d.put(at + Structs.SockaddrIn6.SIN6_FLOWINFO + 2, headerIncluded ? 0 : b.get(offset + 2));
        d.put(at + Structs.SockaddrIn6.SIN6_FLOWINFO + 3, headerIncluded ? 0 : b.get(offset + 3));
    }

    /** Sets the hop limit and traffic class of the header at {@code offset} on the socket, where they changed. */
    private void applyHeader(int fd, ByteBuffer b, int offset) throws ErrnoException {
        if (headerIncluded) {
            return;
        }
        int hops = b.get(offset + HOP_LIMIT) & 0xFF;
        int tclass = ((b.get(offset) & 0x0F) << 4) | ((b.get(offset + 1) & 0xF0) >>> 4);
        if (hops != hopLimit) {
            set(fd, Constants.IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS", hops);
            hopLimit = hops;
        }
        if ((b.get(offset + DESTINATION) & 0xFF) == 0xFF && hops != multicastHopLimit) {
            set(fd, Constants.IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS", hops);
            multicastHopLimit = hops;
        }
        if (tclass != trafficClass) {
            set(fd, Constants.IPV6_TCLASS, "IPV6_TCLASS", tclass);
            trafficClass = tclass;
        }
    }

    private void set(int fd, int name, String cName, int value) throws ErrnoException {
        cell.buffer().putInt(0, value);
        if (libc.setsockopt(fd, Constants.SOL_IPV6, name, cell.address(), 4) < 0) {
            throw Syscall.failure("setsockopt " + cName, Syscall.errno(), Integer.toString(value));
        }
    }

    /** The source address as the kernel will use it for this socket (getsockname), or null before a bind. */
    public InetSocketAddress boundTo() throws ErrnoException {
        return api.getsockname(socket);
    }

    /**
     * A sendmmsg(2) arena: {@code slots} packet buffers of {@code slotBytes} each, with their iovecs,
     * sockaddr_in6s and mmsghdrs wired once. Write whole crafted IPv6 packets into the slots through
     * {@link #buffer()} at {@link #slotOffset}, {@link #set} each one's length, then {@link #send(int)}:
     * slots whose hop limit and traffic class match go out in one call, and the socket options are set
     * between runs that differ.
     */
    public Batch batch(int slots, int slotBytes) {
        return new Batch(slots, slotBytes);
    }

    public final class Batch extends MessageBatch {
        private Batch(int slots, int slotBytes) {
            super(slots, slotBytes, HEADER_BYTES, "the 40-byte IPv6 header", Structs.SockaddrIn6.SIZE, skip);
            ByteBuffer h = headers.buffer();
            for (int i = 0; i < slots; i++) {
                h.putShort(addressOffset(i) + Structs.SockaddrIn6.SIN6_FAMILY, (short) Constants.AF_INET6);
            }
        }

        /** The crafted packet in slot {@code slot} is {@code lengthBytes} long: its destination and flow label are read now. */
        public void set(int slot, int lengthBytes) {
            if (lengthBytes < skip || lengthBytes > slotBytes) {
                throw new IllegalArgumentException("a " + lengthBytes + "-byte packet in a " + slotBytes + "-byte slot");
            }
            length(slot, lengthBytes - skip);
            writeAddress(packets.buffer(), slotOffset(slot), headers.buffer(), addressOffset(slot));
        }

        /**
         * Sends slots 0 to {@code count}-1: each run of slots with the same hop limit and traffic class after
         * setting them, by sendmmsg until all went or it fails. Returns how many went.
         */
        public int send(int count) throws ErrnoException {
            int fd = socket.fdFor("sendmmsg");
            ByteBuffer p = packets.buffer();
            int sent = 0;
            while (sent < count) {
                int runEnd = sent + 1;
                int first = slotOffset(sent);
                while (runEnd < count && sameOptions(p, first, slotOffset(runEnd))) {
                    runEnd++;
                }
                applyHeader(fd, p, first);
                sent = sendSlots(libc, fd, sent, runEnd, null);
                if (sent < runEnd) {
                    return sent; // report the partial batch; the next call will meet the error again
                }
            }
            return sent;
        }

        /** True when the headers at {@code a} and {@code b} ask for the same hop limit and traffic class. */
        private boolean sameOptions(ByteBuffer p, int a, int b) {
            return headerIncluded || (p.get(a + HOP_LIMIT) == p.get(b + HOP_LIMIT)
                    && ((p.get(a) ^ p.get(b)) & 0x0F) == 0 && ((p.get(a + 1) ^ p.get(b + 1)) & 0xF0) == 0
                    && (p.get(a + DESTINATION) == (byte) 0xFF) == (p.get(b + DESTINATION) == (byte) 0xFF));
        }
    }

    @Override
    public void close() throws ErrnoException {
        api.close(socket);
    }
}
