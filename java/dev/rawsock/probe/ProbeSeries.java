package dev.rawsock.probe;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.Ipv6Assembler;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.craft.Transport;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;

import java.nio.ByteBuffer;

/**
 * The probes of one run: a packet assembled once from the spec (random fields drawn once, from the
 * seeded generator), and for probe {@code i} the fields that change per probe patched in place with the
 * views: the IP id (+i, so ICMP errors can be matched by it), the swept destination port and TTL, and
 * the source port and sequence number when asked to increase. Checksums are recomputed only where the
 * template had them computed; explicit or deliberately wrong ones stay as the user set them. Writing a
 * probe allocates nothing.
 *
 * <p>IPv6 probes ({@link PacketSpec#isIpv6()}) are assembled by {@link Ipv6Assembler}; they have no IP id
 * and no header checksum, the swept TTL is the hop limit, and ICMP is ICMPv6 (echo request 128).
 */
public final class ProbeSeries {
    private final Transport transport;
    private final boolean ipv6;
    /** IPv6 only: the destination and source addresses (16 bytes each), and the next header sent. */
    private final byte[] destination6;
    private final byte[] source6;
    private final int nextHeader;
    /** The protocol the transport checksum's pseudo-header names (ICMP over IPv6: 58). */
    private final int pseudoProtocol;
    private final byte[] template;
    private final int length;
    private final int ipHeaderBytes;
    private final int destination;
    private final int baseId;
    private final int baseSourcePort;
    private final long baseSequence;
    private final int baseIcmpSequence;
    private final IntRange destinationPorts;
    private final IntRange ttls;
    private final boolean sourcePortIncrement;
    private final boolean sequenceIncrement;
    private final boolean fixIpChecksum;
    private final boolean fixTransportChecksum;
    private final boolean badTransportChecksum;
    /** ICMP echo request (ICMPv6: 128) with room for its sequence number, which increases per probe. */
    private final boolean echo;
    /** For {@link #patch}: the checksums' sums over what does not change from probe to probe. */
    private final long ipFixedSum;
    private final long transportFixedSum;

    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();
    private final Ipv6View ip6 = new Ipv6View();
    private final Icmpv6View icmp6 = new Icmpv6View();

    /**
     * @param destinationPorts swept per probe (null: the spec's); {@code ttls} likewise
     * @param ipChecksumExplicit and {@code transportChecksumExplicit}: the user gave these fields, so they
     *        are not recomputed; {@code badTransportChecksum}: keep it wrong after patching
     */
    public ProbeSeries(PacketSpec spec, Randomness random, EmitOptions options, IntRange destinationPorts, IntRange ttls,
                       boolean sourcePortIncrement, boolean sequenceIncrement, boolean ipChecksumExplicit,
                       boolean transportChecksumExplicit, boolean badTransportChecksum) {
        this.transport = spec.transport();
        this.ipv6 = spec.isIpv6();
        ByteBuffer b = ByteBuffer.allocate(ipv6 ? Ipv6Assembler.lengthOf(spec) : Assembler.lengthOf(spec));
        this.length = ipv6 ? new Ipv6Assembler().assemble(spec, random, options, b, 0)
                : new Assembler().assemble(spec, random, options, b, 0);
        this.template = b.array();
        if (ipv6) {
            ip6.wrap(b, 0);
            this.ipHeaderBytes = Ipv6View.HEADER_BYTES;
            this.destination = 0;
            this.baseId = 0;
            this.destination6 = java.util.Arrays.copyOfRange(template, 24, 40);
            this.source6 = java.util.Arrays.copyOfRange(template, 8, 24);
            this.nextHeader = ip6.nextHeader();
            this.pseudoProtocol = Ipv6Assembler.transportProtocol(spec);
        } else {
            ip.wrap(b, 0);
            this.ipHeaderBytes = Assembler.ipHeaderLengthOf(spec);
            this.destination = ip.destination();
            this.baseId = ip.identification();
            this.destination6 = null;
            this.source6 = null;
            this.nextHeader = ip.protocol();
            this.pseudoProtocol = transport.protocol;
        }
        this.baseSourcePort = transport == Transport.TCP ? tcp.wrap(b, ipHeaderBytes).sourcePort()
                : transport == Transport.UDP ? udp.wrap(b, ipHeaderBytes).sourcePort() : 0;
        this.baseSequence = transport == Transport.TCP ? tcp.wrap(b, ipHeaderBytes).sequenceNumber() : 0;
        this.baseIcmpSequence = transport == Transport.ICMP && length >= ipHeaderBytes + IcmpView.HEADER_BYTES
                ? icmp.wrap(b, ipHeaderBytes).sequence() : 0;
        this.destinationPorts = destinationPorts;
        this.ttls = ttls;
        this.sourcePortIncrement = sourcePortIncrement;
        this.sequenceIncrement = sequenceIncrement;
        this.fixIpChecksum = options.computeChecksums() && !ipChecksumExplicit;
        this.fixTransportChecksum = options.computeChecksums() && !transportChecksumExplicit;
        this.badTransportChecksum = badTransportChecksum;
        this.echo = isEcho();
        this.ipFixedSum = ipFixedSum();
        this.transportFixedSum = transportFixedSum();
    }

    /** True for ICMP echo requests (type 8; ICMPv6: 128), whose sequence number increases per probe. */
    public boolean isEcho() {
        return transport == Transport.ICMP && length >= ipHeaderBytes + IcmpView.HEADER_BYTES
                && (template[ipHeaderBytes] & 0xFF) == (ipv6 ? Ipv6Assembler.ECHO_REQUEST : 8);
    }

    /** True for IPv6 probes. */
    public boolean isIpv6() {
        return ipv6;
    }

    /** The IP protocol / next header every probe carries (the socket's protocol for IPv6 sends). */
    public int nextHeader() {
        return nextHeader;
    }

    /** A copy of the IPv6 destination (16 bytes), or null for IPv4. */
    public byte[] destination6() {
        return destination6 == null ? null : destination6.clone();
    }

    /** A copy of the IPv6 source (16 bytes; all zero when the kernel is to fill it in), or null for IPv4. */
    public byte[] source6() {
        return source6 == null ? null : source6.clone();
    }

    /** True when the 16 bytes at {@code offset} of {@code b} are the IPv6 destination (false for IPv4). */
    public boolean isDestination6(ByteBuffer b, int offset) {
        if (destination6 == null) {
            return false;
        }
        for (int k = 0; k < 16; k++) {
            if (b.get(offset + k) != destination6[k]) {
                return false;
            }
        }
        return true;
    }

    /** The destination as text: 127.0.0.1 or ::1. */
    public String destinationText() {
        return ipv6 ? Ipv6Address.text(ByteBuffer.wrap(destination6), 0) : dev.rawsock.wire.Ipv4Address.text(destination);
    }

    public int baseIdentification() {
        return baseId;
    }

    public int baseSourcePort() {
        return baseSourcePort;
    }

    public long baseSequence() {
        return baseSequence;
    }

    public int baseIcmpSequence() {
        return baseIcmpSequence;
    }

    public boolean sourcePortIncrement() {
        return sourcePortIncrement;
    }

    public boolean sequenceIncrement() {
        return sequenceIncrement;
    }

    /** The swept destination ports, or null. */
    public IntRange destinationPorts() {
        return destinationPorts;
    }

    /** The bytes of every probe. */
    public int length() {
        return length;
    }

    public Transport transport() {
        return transport;
    }

    /** The IPv4 destination (0 for IPv6: see {@link #destination6()}). */
    public int destination() {
        return destination;
    }

    /** How many probes a full sweep takes (1 without sweeps). */
    public int sweepLength() {
        int n = 1;
        if (destinationPorts != null) {
            n = Math.max(n, destinationPorts.size());
        }
        if (ttls != null) {
            n = Math.max(n, ttls.size());
        }
        return n;
    }

    /** Where the transport header starts in every probe. */
    public int transportOffset() {
        return ipHeaderBytes;
    }

    /** Writes probe {@code i} at {@code offset} of {@code b}; returns its length. */
    public int write(long i, ByteBuffer b, int offset) {
        b.put(offset, template, 0, length);
        return patch(i, b, offset);
    }

    /**
     * Turns the probe at {@code offset} of {@code b}, which must be one this series wrote (any probe), into probe
     * {@code i}: only the fields that change per probe, and the checksums; returns its length. What a flood does
     * to the slots of its batch, so the template is copied once per slot, not once per probe.
     *
     * <p>The checksums are the fixed part's sum, taken once from the template, plus the changed fields' words
     * (RFC 1071 §2: the sum is commutative and associative, so it can be updated; RFC 1624): a few additions
     * instead of a pass over every byte, the same value as the full sum.
     */
    public int patch(long i, ByteBuffer b, int offset) {
        int id = 0;
        int ttlWord = 0;
        if (ipv6) {
            if (ttls != null) {
                ip6.wrap(b, offset).hopLimit(ttls.at(i));
            }
        } else {
            id = (baseId + (int) i) & 0xFFFF;
            ip.wrap(b, offset).identification(id);
            if (ttls != null) {
                int ttl = ttls.at(i);
                ip.ttl(ttl);
                ttlWord = (ttl & 0xFF) << 8; // the high byte of the TTL/protocol word
            }
        }
        int l4 = offset + ipHeaderBytes;
        int l4Bytes = length - ipHeaderBytes;
        switch (transport) {
            case TCP:
                if (l4Bytes >= TcpView.MIN_HEADER_BYTES) {
                    tcp.wrap(b, l4);
                    long changed = 0;
                    if (destinationPorts != null) {
                        int port = destinationPorts.at(i);
                        tcp.destinationPort(port);
                        changed += port;
                    }
                    if (sourcePortIncrement) {
                        int port = (baseSourcePort + (int) i) & 0xFFFF;
                        tcp.sourcePort(port);
                        changed += port;
                    }
                    if (sequenceIncrement) {
                        long sequence = (baseSequence + i) & 0xFFFFFFFFL;
                        tcp.sequenceNumber(sequence);
                        changed += (sequence >>> 16) + (sequence & 0xFFFF);
                    }
                    if (fixTransportChecksum) {
                        int sum = Checksums.finish(transportFixedSum + changed);
                        tcp.checksum(badTransportChecksum ? sum ^ 0x00FF : sum);
                    }
                }
                break;
            case UDP:
                if (l4Bytes >= UdpView.HEADER_BYTES) {
                    udp.wrap(b, l4);
                    long changed = 0;
                    if (destinationPorts != null) {
                        int port = destinationPorts.at(i);
                        udp.destinationPort(port);
                        changed += port;
                    }
                    if (sourcePortIncrement) {
                        int port = (baseSourcePort + (int) i) & 0xFFFF;
                        udp.sourcePort(port);
                        changed += port;
                    }
                    if (fixTransportChecksum) {
                        int sum = Checksums.udpField(Checksums.finish(transportFixedSum + changed));
                        int bad = sum ^ 0x00FF;
                        udp.checksum(!badTransportChecksum ? sum : bad != 0 ? bad : sum ^ 0xFF00);
                    }
                }
                break;
            case ICMP:
                if (l4Bytes >= IcmpView.HEADER_BYTES) {
                    icmp.wrap(b, l4);
                    long changed = 0;
                    if (echo) {
                        // Like ping(8): each echo request its own sequence number, so each reply names its request.
                        int sequence = (baseIcmpSequence + (int) i) & 0xFFFF;
                        icmp.sequence(sequence);
                        changed += sequence;
                    }
                    if (fixTransportChecksum) {
                        int sum = Checksums.finish(transportFixedSum + changed);
                        icmp.checksum(badTransportChecksum ? sum ^ 0x00FF : sum);
                    }
                }
                break;
            default:
                break;
        }
        if (fixIpChecksum && !ipv6) {
            ip.wrap(b, offset).checksum(Checksums.finish(ipFixedSum + id + ttlWord));
        }
        return length;
    }

    /**
     * The unfolded sum of the IPv4 header with the checksum, the id and (when swept) the TTL counted as zero; 0 for
     * IPv6, which has no header checksum.
     */
    private long ipFixedSum() {
        if (ipv6) {
            return 0;
        }
        ByteBuffer copy = ByteBuffer.wrap(template.clone());
        ip.wrap(copy, 0).checksum(0).identification(0);
        if (ttls != null) {
            ip.ttl(0);
        }
        return Checksums.sum(copy, 0, ipHeaderBytes);
    }

    /**
     * The unfolded sum the transport checksum starts from: the pseudo-header (none for ICMPv4) and the transport
     * bytes, with the checksum and the fields {@link #patch} changes per probe counted as zero.
     */
    private long transportFixedSum() {
        ByteBuffer copy = ByteBuffer.wrap(template.clone());
        int l4Bytes = length - ipHeaderBytes;
        switch (transport) {
            case TCP:
                if (l4Bytes < TcpView.MIN_HEADER_BYTES) {
                    return 0;
                }
                tcp.wrap(copy, ipHeaderBytes).checksum(0);
                if (destinationPorts != null) {
                    tcp.destinationPort(0);
                }
                if (sourcePortIncrement) {
                    tcp.sourcePort(0);
                }
                if (sequenceIncrement) {
                    tcp.sequenceNumber(0);
                }
                break;
            case UDP:
                if (l4Bytes < UdpView.HEADER_BYTES) {
                    return 0;
                }
                udp.wrap(copy, ipHeaderBytes).checksum(0);
                if (destinationPorts != null) {
                    udp.destinationPort(0);
                }
                if (sourcePortIncrement) {
                    udp.sourcePort(0);
                }
                break;
            case ICMP:
                if (l4Bytes < IcmpView.HEADER_BYTES) {
                    return 0;
                }
                icmp.wrap(copy, ipHeaderBytes).checksum(0);
                if (echo) {
                    icmp.sequence(0);
                }
                if (!ipv6) {
                    return Checksums.sum(copy, ipHeaderBytes, l4Bytes); // ICMPv4 has no pseudo-header (RFC 792)
                }
                break;
            default:
                return 0;
        }
        return pseudo(copy, 0, l4Bytes) + Checksums.sum(copy, ipHeaderBytes, l4Bytes);
    }

    private long pseudo(ByteBuffer b, int offset, int l4Bytes) {
        if (ipv6) {
            return ip6.wrap(b, offset).pseudoHeader(l4Bytes, pseudoProtocol);
        }
        ip.wrap(b, offset);
        return Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), transport.protocol, l4Bytes);
    }
}
