package dev.rawsock.probe;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.craft.Transport;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
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
 */
public final class ProbeSeries {
    private final Transport transport;
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

    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();

    /**
     * @param destinationPorts swept per probe (null: the spec's); {@code ttls} likewise
     * @param ipChecksumExplicit and {@code transportChecksumExplicit}: the user gave these fields, so they
     *        are not recomputed; {@code badTransportChecksum}: keep it wrong after patching
     */
    public ProbeSeries(PacketSpec spec, Randomness random, EmitOptions options, IntRange destinationPorts, IntRange ttls,
                       boolean sourcePortIncrement, boolean sequenceIncrement, boolean ipChecksumExplicit,
                       boolean transportChecksumExplicit, boolean badTransportChecksum) {
        this.transport = spec.transport();
        ByteBuffer b = ByteBuffer.allocate(Assembler.lengthOf(spec));
        this.length = new Assembler().assemble(spec, random, options, b, 0);
        this.template = b.array();
        ip.wrap(b, 0);
        this.ipHeaderBytes = Assembler.ipHeaderLengthOf(spec);
        this.destination = ip.destination();
        this.baseId = ip.identification();
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
    }

    /** True for ICMP echo requests (type 8), whose sequence number increases per probe. */
    public boolean isEcho() {
        return transport == Transport.ICMP && length >= ipHeaderBytes + IcmpView.HEADER_BYTES && (template[ipHeaderBytes] & 0xFF) == 8;
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
        ip.wrap(b, offset).identification((baseId + (int) i) & 0xFFFF);
        if (ttls != null) {
            ip.ttl(ttls.at(i));
        }
        int l4 = offset + ipHeaderBytes;
        int l4Bytes = length - ipHeaderBytes;
        switch (transport) {
            case TCP:
                if (l4Bytes >= TcpView.MIN_HEADER_BYTES) {
                    tcp.wrap(b, l4);
                    if (destinationPorts != null) {
                        tcp.destinationPort(destinationPorts.at(i));
                    }
                    if (sourcePortIncrement) {
                        tcp.sourcePort((baseSourcePort + (int) i) & 0xFFFF);
                    }
                    if (sequenceIncrement) {
                        tcp.sequenceNumber((baseSequence + i) & 0xFFFFFFFFL);
                    }
                    if (fixTransportChecksum) {
                        tcp.checksum(0);
                        int sum = tcp.computeChecksum(pseudo(b, offset, l4Bytes), l4Bytes);
                        tcp.checksum(badTransportChecksum ? sum ^ 0x00FF : sum);
                    }
                }
                break;
            case UDP:
                if (l4Bytes >= UdpView.HEADER_BYTES) {
                    udp.wrap(b, l4);
                    if (destinationPorts != null) {
                        udp.destinationPort(destinationPorts.at(i));
                    }
                    if (sourcePortIncrement) {
                        udp.sourcePort((baseSourcePort + (int) i) & 0xFFFF);
                    }
                    if (fixTransportChecksum) {
                        udp.checksum(0);
                        int sum = Checksums.udpField(udp.computeChecksum(pseudo(b, offset, l4Bytes), l4Bytes));
                        int bad = sum ^ 0x00FF;
                        udp.checksum(!badTransportChecksum ? sum : bad != 0 ? bad : sum ^ 0xFF00);
                    }
                }
                break;
            case ICMP:
                if (l4Bytes >= IcmpView.HEADER_BYTES && isEcho()) {
                    // Like ping(8): each echo request its own sequence number, so each reply names its request.
                    icmp.wrap(b, l4).sequence((baseIcmpSequence + (int) i) & 0xFFFF);
                }
                if (l4Bytes >= IcmpView.HEADER_BYTES && fixTransportChecksum) {
                    icmp.wrap(b, l4).checksum(0);
                    int sum = icmp.computeChecksum(l4Bytes);
                    icmp.checksum(badTransportChecksum ? sum ^ 0x00FF : sum);
                }
                break;
            default:
                break;
        }
        if (fixIpChecksum) {
            ip.wrap(b, offset).checksum(0);
            ip.checksum(ip.computeChecksum(ipHeaderBytes));
        }
        return length;
    }

    private long pseudo(ByteBuffer b, int offset, int l4Bytes) {
        ip.wrap(b, offset);
        return Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), transport.protocol, l4Bytes);
    }
}
