package dev.rawsock.junit;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.Ipv6Assembler;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.helper.HelperClient;
import dev.rawsock.socket.Ipv4Sender;
import dev.rawsock.socket.Ipv6RawSender;
import dev.rawsock.socket.RawSender;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.TcpFlags;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;

/**
 * Sends crafted packets on a raw socket: a {@link PacketSpec} is assembled (lengths and checksums
 * fixed) into one reused buffer and sent. IPv4 only to 127.0.0.0/8 or the lab range 198.18.0.0/15, IPv6
 * only to ::1; a missing source becomes 127.0.0.1 (::1) on loopback so the transport checksum is computed over the address the kernel
 * will put there. Every burst is bounded by {@link #MAX_BURST}.
 */
public final class Packets implements AutoCloseable {
    public static final int MAX_BURST = 100_000;
    private static final int LOOPBACK = 0x7F00_0001;

    private static final byte[] IPV6_LOOPBACK = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private final SocketApi api;
    private final Ipv4Sender sender;
    private final NativeBuffer buffer = NativeBuffer.allocate(Math.max(Assembler.MAX_IPV4_PACKET_BYTES, Ipv6RawSender.HEADER_BYTES + 0xFFFF));
    private final Assembler assembler = new Assembler();
    private final Ipv6Assembler ipv6Assembler = new Ipv6Assembler();
    private final Randomness random;
    /** IPv6 goes out on an AF_INET6 raw socket of the packet's own protocol, opened on first use. */
    private Ipv6RawSender ipv6Sender;
    private int ipv6Protocol = -1;
    private long sent;

    private Packets(SocketApi api, Ipv4Sender sender, Randomness random) {
        this.api = api;
        this.sender = sender;
        this.random = random;
    }

    /** A raw socket of this process; or, when raw sockets come through the privileged helper ({@link Availability#helper()}), the helper. */
    public static Packets open(SocketApi api) throws ErrnoException {
        String helper = Availability.helper();
        if (helper != null) {
            return new Packets(api, HelperClient.connect(helper), Randomness.unseeded());
        }
        return new Packets(api, RawSender.open(api), Randomness.unseeded());
    }

    /** True for 127.0.0.0/8 and 198.18.0.0/15: where rawsock's tests may send. */
    public static boolean allowedDestination(int address) {
        return (address >>> 24) == 127 || (address & 0xFFFE_0000) == 0xC612_0000;
    }

    /** An IPv4 address as rawsock's int (network order value). */
    public static int address(InetSocketAddress a) {
        if (!(a.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("IPv4 only: " + a);
        }
        byte[] b = a.getAddress().getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** Assembles and sends {@code spec}; returns the bytes sent. */
    public int send(PacketSpec spec) throws ErrnoException {
        if (spec.isIpv6()) {
            return sendIpv6(spec);
        }
        if (!spec.hasDestination()) {
            throw new IllegalArgumentException("the packet has no destination address");
        }
        int destination = spec.destination();
        if (!allowedDestination(destination)) {
            throw new IllegalArgumentException("rawsock's test harness sends only to 127.0.0.0/8 or 198.18.0.0/15, not "
                    + Ipv4Address.text(destination));
        }
        if (spec.source() == null && (destination >>> 24) == 127) {
            spec = spec.source(LOOPBACK);
        }
        int length = assembler.assemble(spec, random, EmitOptions.DEFAULT, buffer.buffer(), 0);
        int n = sender.send(buffer, 0, length, destination);
        sent++;
        return n;
    }

    /**
     * An IPv6 packet, only to ::1 (from ::1 unless the spec says otherwise), on a raw socket of its protocol:
     * the kernel builds the IPv6 header from the spec's fields (see {@link Ipv6RawSender}). Not through the
     * helper, which sends IPv4 only.
     */
    private int sendIpv6(PacketSpec spec) throws ErrnoException {
        if (spec.ipv6Destination() == null || !java.util.Arrays.equals(spec.ipv6Destination().toArray(), IPV6_LOOPBACK)) {
            throw new IllegalArgumentException("rawsock's test harness sends IPv6 only to ::1, not "
                    + (spec.ipv6Destination() == null ? "(no destination)" : Ipv6Address.text(spec.ipv6Destination())));
        }
        if (sender instanceof HelperClient) {
            throw new UnsupportedOperationException("through the privileged helper rawsock sends IPv4 only");
        }
        if (spec.ipv6Source() == null) {
            spec = spec.ipv6Source(Bytes.of(IPV6_LOOPBACK));
        }
        int protocol = Ipv6Assembler.transportProtocol(spec);
        if (ipv6Sender == null || protocol != ipv6Protocol) {
            if (ipv6Sender != null) {
                ipv6Sender.close();
            }
            ipv6Sender = Ipv6RawSender.open(api, protocol, spec.ipv6Source().toArray());
            ipv6Protocol = protocol;
        }
        int length = ipv6Assembler.assemble(spec, random, EmitOptions.DEFAULT, buffer.buffer(), 0);
        int n = ipv6Sender.send(buffer, 0, length);
        sent++;
        return n;
    }

    /** A SYN to {@code to} from {@code sourcePort} with sequence number {@code isn} (a spec to adjust further). */
    public static PacketSpec syn(InetSocketAddress to, int sourcePort, long isn) {
        PacketSpec spec = to.getAddress() instanceof Inet6Address
                ? PacketSpec.tcp().ipv6Destination(Bytes.of(to.getAddress().getAddress()))
                : PacketSpec.tcp().destination(address(to));
        return spec.destinationPort(to.getPort()).sourcePort(sourcePort).sequence(isn).flags(TcpFlags.SYN).window(64_240);
    }

    /**
     * A SYN flood: {@code count} SYNs (at most {@link #MAX_BURST}) to {@code to} from source ports counting up
     * from {@code firstSourcePort} (wrapping within 1024-65535), each with its own sequence number.
     */
    public int synFlood(InetSocketAddress to, int firstSourcePort, int count) throws ErrnoException {
        if (count < 0 || count > MAX_BURST) {
            throw new IllegalArgumentException("a flood needs a count of 0-" + MAX_BURST + ", not " + count);
        }
        for (int i = 0; i < count; i++) {
            int port = 1024 + Math.floorMod(firstSourcePort - 1024 + i, 65536 - 1024);
            send(syn(to, port, 1_000_000L * (i + 1)));
        }
        return count;
    }

    /** Packets sent so far. */
    public long sent() {
        return sent;
    }

    @Override
    public void close() throws ErrnoException {
        try {
            sender.close();
        } finally {
            if (ipv6Sender != null) {
                ipv6Sender.close();
            }
        }
    }
}
