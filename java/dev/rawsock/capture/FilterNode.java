package dev.rawsock.capture;

import java.util.Arrays;
import java.util.Locale;

/**
 * The parsed form of a capture filter ({@link FilterParser}): and/or/not over a few kinds of primitive.
 * {@link #toString()} writes the canonical text, fully parenthesized, which parses back to an equal tree.
 * {@link BpfCompiler} turns a tree into classic BPF; {@link FilterEvaluator} evaluates it in Java. Both
 * follow the semantics documented on each primitive (tcpdump's, see pcap-filter(7)).
 */
public sealed interface FilterNode {

    /** Which end of the packet an address or port test looks at. */
    enum Direction {
        SRC, DST, EITHER;

        String prefix() {
            return this == EITHER ? "" : name().toLowerCase(Locale.ROOT) + " ";
        }
    }

    /** A comparison of a loaded field with a value; unsigned, as BPF compares. */
    enum Relation {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        public final String text;

        Relation(String text) {
            this.text = text;
        }

        public boolean holds(long left, long right) {
            switch (this) {
                case EQ: return left == right;
                case NE: return left != right;
                case LT: return left < right;
                case LE: return left <= right;
                case GT: return left > right;
                default: return left >= right;
            }
        }
    }

    /** {@code left and right}: both. */
    record And(FilterNode left, FilterNode right) implements FilterNode {
        @Override
        public String toString() {
            return "(" + left + " and " + right + ")";
        }
    }

    /** {@code left or right}: either. */
    record Or(FilterNode left, FilterNode right) implements FilterNode {
        @Override
        public String toString() {
            return "(" + left + " or " + right + ")";
        }
    }

    /** {@code not operand}. */
    record Not(FilterNode operand) implements FilterNode {
        @Override
        public String toString() {
            return "not " + operand;
        }
    }

    /** {@code ip}, {@code ip6}, {@code arp}: the packet's EtherType is this one. */
    record EtherType(int type) implements FilterNode {
        @Override
        public String toString() {
            return FilterNode.etherTypeName(type);
        }
    }

    /**
     * {@code tcp}, {@code udp}, {@code icmp}, {@code ip proto 47}, ...: an IPv4 packet whose protocol field
     * (byte 9) is this number, or an IPv6 packet whose next-header field (byte 6) is. IPv6 extension headers
     * are not followed (as in tcpdump). A later IPv4 fragment still counts: its header names the protocol.
     */
    record IpProtocol(boolean overIpv4, boolean overIpv6, int protocol) implements FilterNode {
        @Override
        public String toString() {
            String name = FilterNode.protocolName(protocol);
            if (name != null && overIpv4 == FilterNode.defaultOverIpv4(protocol) && overIpv6 == FilterNode.defaultOverIpv6(protocol)) {
                return name;
            }
            return (overIpv4 && overIpv6 ? "" : overIpv4 ? "ip " : "ip6 ") + "proto " + protocol;
        }
    }

    /**
     * {@code host A}, {@code net A/len} with optional {@code src}/{@code dst} and {@code ip}/{@code ip6}/{@code arp}:
     * the source address (IPv4 byte 12, IPv6 byte 8, ARP sender 14), the destination (IPv4 16, IPv6 24,
     * ARP target 24), or either, under the mask. {@code words} and {@code masks} hold one 32-bit word for
     * IPv4 and four for IPv6, most significant first. An IPv4 {@code host} matches IPv4 and ARP packets,
     * as in tcpdump.
     */
    record Address(Direction direction, boolean ipv6, boolean overIp, boolean overArp, int[] words, int[] masks,
                   int prefixLength, boolean net) implements FilterNode {
        @Override
        public String toString() {
            String scope = ipv6 || (overIp && overArp) ? "" : overIp ? "ip " : "arp ";
            StringBuilder text = new StringBuilder(scope).append(direction.prefix()).append(net ? "net " : "host ");
            if (ipv6) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
                for (int w : words) {
                    b.putInt(w);
                }
                text.append(dev.rawsock.wire.Ipv6Address.text(b, 0));
            } else {
                text.append(dev.rawsock.wire.Ipv4Address.text(words[0]));
            }
            if (net) {
                text.append('/').append(prefixLength);
            }
            return text.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Address a && a.direction == direction && a.ipv6 == ipv6 && a.overIp == overIp
                    && a.overArp == overArp && Arrays.equals(a.words, words) && Arrays.equals(a.masks, masks)
                    && a.prefixLength == prefixLength && a.net == net;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(words) * 31 + prefixLength;
        }
    }

    /**
     * {@code port N}, {@code portrange A-B}, with optional {@code src}/{@code dst} and {@code tcp}/{@code udp}/{@code sctp}:
     * an IPv4 packet of one of the {@code protocols} that is not a later fragment (fragment offset 0, as in
     * tcpdump: later fragments carry no ports), with the port (the 16 bits at the start of the transport
     * header, which begins ihl*4 bytes in; the destination port 2 bytes on) from {@code low} to {@code high};
     * or an IPv6 packet whose next header is one of them, ports right after the 40-byte header.
     */
    record Port(Direction direction, int low, int high, int[] protocols) implements FilterNode {
        @Override
        public String toString() {
            String scope = protocols.length == 1 ? FilterNode.protocolName(protocols[0]) + " " : "";
            return scope + direction.prefix() + (low == high ? "port " + low : "portrange " + low + "-" + high);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Port p && p.direction == direction && p.low == low && p.high == high
                    && Arrays.equals(p.protocols, protocols);
        }

        @Override
        public int hashCode() {
            return low * 31 + high;
        }
    }

    /** The header a {@link Field} indexes. */
    enum Base {
        IP, TCP, UDP, ICMP;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code tcp[13] & 0x12 != 0}, {@code tcp[tcpflags] & (syn|ack) == syn|ack}, {@code ip[8] < 5}: {@code size}
     * bytes (1, 2 or 4, big-endian) at {@code offset} into the header, masked when {@code mask} is not -1,
     * compared with {@code value}. {@code ip[...]} indexes the IPv4 header; {@code tcp}, {@code udp} and
     * {@code icmp} the transport header of an IPv4 packet of that protocol that is not a later fragment, or
     * (tcp, udp) of an IPv6 packet whose next header is that protocol.
     */
    record Field(Base base, int offset, int size, long mask, Relation relation, long value) implements FilterNode {
        @Override
        public String toString() {
            return base.text() + "[" + offset + (size == 1 ? "" : ":" + size) + "]"
                    + (mask >= 0 ? " & 0x" + Long.toHexString(mask) : "") + " " + relation.text + " 0x" + Long.toHexString(value);
        }
    }

    // ---- names ----

    int IPPROTO_ICMP = 1;
    int IPPROTO_TCP = 6;
    int IPPROTO_UDP = 17;
    int IPPROTO_ICMPV6 = 58;
    int IPPROTO_SCTP = 132;

    static String protocolName(int protocol) {
        switch (protocol) {
            case IPPROTO_ICMP: return "icmp";
            case IPPROTO_TCP: return "tcp";
            case IPPROTO_UDP: return "udp";
            case IPPROTO_ICMPV6: return "icmp6";
            case IPPROTO_SCTP: return "sctp";
            default: return null;
        }
    }

    /** {@code icmp} means ICMP over IPv4 only; {@code icmp6} over IPv6 only; tcp, udp, sctp over both. */
    static boolean defaultOverIpv4(int protocol) {
        return protocol != IPPROTO_ICMPV6;
    }

    static boolean defaultOverIpv6(int protocol) {
        return protocol != IPPROTO_ICMP;
    }

    static String etherTypeName(int type) {
        switch (type) {
            case 0x0800: return "ip";
            case 0x86DD: return "ip6";
            case 0x0806: return "arp";
            default: return String.format("ether proto 0x%04x", type);
        }
    }
}
