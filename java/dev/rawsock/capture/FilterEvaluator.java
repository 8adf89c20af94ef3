package dev.rawsock.capture;

import dev.rawsock.capture.FilterNode.Address;
import dev.rawsock.capture.FilterNode.And;
import dev.rawsock.capture.FilterNode.Base;
import dev.rawsock.capture.FilterNode.EtherType;
import dev.rawsock.capture.FilterNode.Field;
import dev.rawsock.capture.FilterNode.IpProtocol;
import dev.rawsock.capture.FilterNode.Not;
import dev.rawsock.capture.FilterNode.Or;
import dev.rawsock.capture.FilterNode.Port;
import dev.rawsock.wire.DecodedPacket;

import java.nio.ByteBuffer;

/**
 * Evaluates a {@link FilterNode} in Java against a decoded packet's frame, with the semantics the compiled
 * BPF has in the kernel (the tests hold the two to agreement on many thousands of packets): the same fields
 * at the same offsets, compared unsigned; and, as in the kernel, a packet too short for a field that the
 * evaluation reaches is rejected as a whole, whatever the rest of the expression says (so {@code not tcp
 * port 80} rejects a TCP packet cut short before its ports). This is why fields are read in the order the
 * compiled program reads them. For offline use (pcap files) and for checking the kernel's work; the sniffer
 * itself leaves filtering to the kernel.
 */
public final class FilterEvaluator {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;

    private FilterEvaluator() {}

    /** A read past the end: the packet is rejected, as the kernel's BPF rejects it. */
    private static final class Short extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Short INSTANCE = new Short();

        private Short() {
            super(null, null, false, false);
        }
    }

    /** The bytes the filter looks at: the network header onward, and how the protocol is known. */
    private static final class Frame {
        ByteBuffer b;
        int frameStart;
        int net;
        int end;
        /** The EtherType when the link says it outright; -1 when it is read from the Ethernet header. */
        int protocol;

        int protocol() {
            if (protocol >= 0) {
                return protocol;
            }
            if (frameStart + 14 > end) {
                throw Short.INSTANCE;
            }
            return ((b.get(frameStart + 12) & 0xFF) << 8) | (b.get(frameStart + 13) & 0xFF);
        }

        /** {@code size} bytes (1, 2, 4) at {@code offset} from the network header, big-endian, unsigned. */
        long load(int offset, int size) {
            int at = net + offset;
            if (offset < 0 || at + size > end) {
                throw Short.INSTANCE;
            }
            switch (size) {
                case 1: return b.get(at) & 0xFFL;
                case 2: return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
                default: return b.getInt(at) & 0xFFFF_FFFFL;
            }
        }

        /** BPF_MSH: 4 * (the low nibble of the byte at {@code offset}), the IPv4 header's length. */
        int headerLength(int offset) {
            return (int) (load(offset, 1) & 0xF) * 4;
        }
    }

    /**
     * True when {@code filter} (null: every packet) accepts the frame {@code p} was decoded from, captured
     * with link type {@code link}: ETHERNET (EtherType at 12, network header at 14), LINUX_SLL (protocol at
     * 14, network at 16), LINUX_SLL2 (protocol at 0, network at 20), RAW (IPv4 or IPv6 by the version
     * nibble), IPV4 or IPV6. The frame is {@code p}'s captured bytes.
     */
    public static boolean matches(FilterNode filter, DecodedPacket p, LinkType link) {
        return matches(filter, p.buffer(), p.frameOffset(), p.capturedLength(), link);
    }

    /** The same for {@code length} bytes at {@code offset} of {@code b}. */
    public static boolean matches(FilterNode filter, ByteBuffer b, int offset, int length, LinkType link) {
        if (filter == null) {
            return true;
        }
        Frame f = new Frame();
        f.b = b;
        f.frameStart = offset;
        f.end = offset + length;
        switch (link) {
            case ETHERNET:
                f.net = offset + 14;
                f.protocol = -1;
                break;
            case LINUX_SLL:
            case LINUX_SLL2: {
                int header = link.headerBytes();
                if (length < header) {
                    return false;
                }
                int at = offset + (link == LinkType.LINUX_SLL ? LinkType.SLL_PROTOCOL_OFFSET : LinkType.SLL2_PROTOCOL_OFFSET);
                f.protocol = ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
                f.net = offset + header;
                break;
            }
            case IPV4:
                f.protocol = ETHERTYPE_IPV4;
                f.net = offset;
                break;
            case IPV6:
                f.protocol = ETHERTYPE_IPV6;
                f.net = offset;
                break;
            default: { // RAW: the version nibble says which IP
                int version = length > 0 ? (b.get(offset) & 0xF0) >>> 4 : 0;
                f.protocol = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : 0;
                f.net = offset;
            }
        }
        try {
            return eval(filter, f);
        } catch (Short tooShort) {
            return false;
        }
    }

    private static boolean eval(FilterNode node, Frame f) {
        if (node instanceof And a) {
            return eval(a.left(), f) && eval(a.right(), f);
        }
        if (node instanceof Or o) {
            return eval(o.left(), f) || eval(o.right(), f);
        }
        if (node instanceof Not n) {
            return !eval(n.operand(), f);
        }
        if (node instanceof EtherType e) {
            return f.protocol() == e.type();
        }
        if (node instanceof IpProtocol p) {
            int protocol = f.protocol();
            if (p.overIpv4() && protocol == ETHERTYPE_IPV4) {
                return f.load(9, 1) == p.protocol();
            }
            if (p.overIpv6() && protocol == ETHERTYPE_IPV6) {
                return f.load(6, 1) == p.protocol();
            }
            return false;
        }
        if (node instanceof Address a) {
            int protocol = f.protocol();
            if (!a.ipv6() && a.overIp() && protocol == ETHERTYPE_IPV4) {
                return addressEither(a, f, 12, 16);
            }
            if (a.ipv6() && protocol == ETHERTYPE_IPV6) {
                return addressEither(a, f, 8, 24);
            }
            if (a.overArp() && protocol == ETHERTYPE_ARP) {
                return addressEither(a, f, 14, 24);
            }
            return false;
        }
        if (node instanceof Port p) {
            int protocol = f.protocol();
            if (protocol == ETHERTYPE_IPV4) {
                if (!contains(p.protocols(), f.load(9, 1)) || laterFragment(f)) {
                    return false;
                }
                return portEither(p, f, f.headerLength(0));
            }
            if (protocol == ETHERTYPE_IPV6) {
                return contains(p.protocols(), f.load(6, 1)) && portEither(p, f, 40);
            }
            return false;
        }
        if (node instanceof Field fd) {
            return field(fd, f);
        }
        throw new IllegalArgumentException("unknown filter node " + node);
    }

    private static boolean laterFragment(Frame f) {
        return (f.load(6, 2) & 0x1FFF) != 0;
    }

    private static boolean addressEither(Address a, Frame f, int source, int destination) {
        switch (a.direction()) {
            case SRC: return addressAt(a, f, source);
            case DST: return addressAt(a, f, destination);
            default: return addressAt(a, f, source) || addressAt(a, f, destination);
        }
    }

    private static boolean addressAt(Address a, Frame f, int at) {
        int[] words = a.words();
        int[] masks = a.masks();
        for (int i = 0; i < words.length; i++) {
            if (masks[i] == 0) {
                continue;
            }
            long mask = masks[i] & 0xFFFF_FFFFL;
            if ((f.load(at + 4 * i, 4) & mask) != (words[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean portEither(Port p, Frame f, int transport) {
        switch (p.direction()) {
            case SRC: return inRange(p, f.load(transport, 2));
            case DST: return inRange(p, f.load(transport + 2, 2));
            default: return inRange(p, f.load(transport, 2)) || inRange(p, f.load(transport + 2, 2));
        }
    }

    private static boolean inRange(Port p, long port) {
        return port >= p.low() && port <= p.high();
    }

    private static boolean contains(int[] protocols, long protocol) {
        for (int p : protocols) {
            if (p == protocol) {
                return true;
            }
        }
        return false;
    }

    private static boolean field(Field fd, Frame f) {
        int protocol = f.protocol();
        if (fd.base() == Base.IP) {
            return protocol == ETHERTYPE_IPV4 && compare(fd, f.load(fd.offset(), fd.size()));
        }
        int ipProtocol = fd.base() == Base.TCP ? FilterNode.IPPROTO_TCP
                : fd.base() == Base.UDP ? FilterNode.IPPROTO_UDP : FilterNode.IPPROTO_ICMP;
        if (protocol == ETHERTYPE_IPV4) {
            if (f.load(9, 1) != ipProtocol || laterFragment(f)) {
                return false;
            }
            return compare(fd, f.load(f.headerLength(0) + fd.offset(), fd.size()));
        }
        if (protocol == ETHERTYPE_IPV6 && fd.base() != Base.ICMP) {
            return f.load(6, 1) == ipProtocol && compare(fd, f.load(40 + fd.offset(), fd.size()));
        }
        return false;
    }

    private static boolean compare(Field fd, long loaded) {
        long value = fd.mask() >= 0 ? loaded & fd.mask() : loaded;
        return fd.relation().holds(value, fd.value());
    }
}
