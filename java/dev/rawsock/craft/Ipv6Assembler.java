package dev.rawsock.craft;

import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;

import java.nio.ByteBuffer;

/**
 * Builds an IPv6 {@link PacketSpec} ({@link PacketSpec#isIpv6()}) into bytes, in place in the caller's
 * buffer, as {@link Assembler} does for IPv4: the 40-byte fixed header (RFC 8200 §3: version 6, traffic
 * class, flow label, payload length, next header, hop limit, addresses; no extension headers), then the
 * TCP segment, UDP datagram, ICMPv6 message (RFC 4443) or raw payload. Transport checksums cover the IPv6
 * pseudo-header (RFC 8200 §8.1); a UDP checksum that computes to 0 is sent as 0xFFFF, since 0 ("none") is
 * not allowed over IPv6. Random draws in a fixed order, only for automatic fields: source port, sequence
 * number, ICMP id (IPv6 has no IP id). The spec is never changed; assembly allocates nothing.
 */
public final class Ipv6Assembler {
    /** The largest payload length field without a jumbogram (RFC 2675). */
    public static final int MAX_PAYLOAD_BYTES = 0xFFFF;
    /** The next header of ICMPv6. */
    public static final int ICMPV6 = 58;
    /** ICMPv6 echo request, the default type for {@code icmp} over IPv6. */
    public static final int ECHO_REQUEST = 128;

    private final Ipv6View ip = new Ipv6View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final Icmpv6View icmp = new Icmpv6View();

    /** The bytes {@code spec} needs: the 40-byte header, the transport header and the payload. */
    public static int lengthOf(PacketSpec spec) {
        return Ipv6View.HEADER_BYTES + transportHeaderBytes(spec) + spec.payload.length();
    }

    /** The protocol the transport checksum's pseudo-header names: 6, 17, 58 for ICMPv6, or 255 (raw). */
    public static int transportProtocol(PacketSpec spec) {
        return spec.transport == Transport.ICMP ? ICMPV6 : spec.transport.protocol;
    }

    /** The next header written: the explicit --protocol, else the transport's (ICMP: 58). */
    public static int nextHeader(PacketSpec spec) {
        return spec.protocol != null ? spec.protocol : transportProtocol(spec);
    }

    /** The ICMPv6 type written: the explicit one, else echo request (128). */
    public static int icmpType(PacketSpec spec) {
        return spec.icmpTypeGiven ? spec.icmpType : ECHO_REQUEST;
    }

    private static int transportHeaderBytes(PacketSpec spec) {
        switch (spec.transport) {
            case TCP: return TcpView.MIN_HEADER_BYTES + ((spec.tcpOptions.length() + 3) & ~3);
            case UDP: return UdpView.HEADER_BYTES;
            case ICMP: return Icmpv6View.HEADER_BYTES;
            default: return 0;
        }
    }

    /**
     * Writes the packet at {@code offset} of {@code b} and returns its length. IllegalArgumentException
     * when the spec is not IPv6, or the packet does not fit the buffer or IPv6's 65,535-byte payload length.
     */
    public int assemble(PacketSpec spec, Randomness random, EmitOptions options, ByteBuffer b, int offset) {
        if (!spec.isIpv6()) {
            throw new IllegalArgumentException("not an IPv6 spec: give an IPv6 destination, or use Assembler for IPv4");
        }
        int transportBytes = transportHeaderBytes(spec);
        int l4Bytes = transportBytes + spec.payload.length();
        int total = Ipv6View.HEADER_BYTES + l4Bytes;
        if (l4Bytes > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("the IPv6 payload would be " + l4Bytes + " bytes, more than the 65535 its length field holds");
        }
        if (offset + total > b.limit()) {
            throw new IllegalArgumentException("the packet (" + total + " bytes) does not fit the buffer");
        }
        for (int i = offset; i < offset + Ipv6View.HEADER_BYTES + transportBytes; i++) {
            b.put(i, (byte) 0);
        }
        int sourcePort = spec.sourcePort != null ? spec.sourcePort
                : (spec.transport == Transport.TCP || spec.transport == Transport.UDP ? random.nextSourcePort() : 0);
        long sequence = spec.sequence != null ? spec.sequence
                : (spec.transport == Transport.TCP ? random.nextSequence() : 0);
        int icmpId = spec.icmpIdentifier != null ? spec.icmpIdentifier
                : (spec.transport == Transport.ICMP ? random.nextIcmpIdentifier() : 0);

        ip.wrap(b, offset).version(6).trafficClass(spec.trafficClass()).flowLabel(spec.flowLabel)
                .payloadLength(options.fixLengths() ? l4Bytes : 0).nextHeader(nextHeader(spec)).hopLimit(spec.ttl)
                .destination(spec.destination6);
        if (spec.source6 != null) {
            ip.source(spec.source6);
        }
        int l4 = offset + Ipv6View.HEADER_BYTES;
        spec.payload.writeTo(b, l4 + transportBytes);
        long pseudo = ip.pseudoHeader(l4Bytes, transportProtocol(spec));
        switch (spec.transport) {
            case TCP: {
                tcp.wrap(b, l4).sourcePort(sourcePort).destinationPort(spec.destinationPort)
                        .sequenceNumber(sequence).acknowledgmentNumber(spec.acknowledgment)
                        .dataOffset(spec.dataOffset != null ? spec.dataOffset : options.fixLengths() ? transportBytes / 4 : 0)
                        .reserved(spec.tcpReserved).flags(spec.tcpFlags).window(spec.window).checksum(0)
                        .urgentPointer(spec.urgentPointer);
                spec.tcpOptions.writeTo(b, l4 + TcpView.MIN_HEADER_BYTES);
                if (spec.transportChecksum != null) {
                    tcp.checksum(spec.transportChecksum);
                } else if (options.computeChecksums()) {
                    tcp.checksum(maybeBad(spec, tcp.computeChecksum(pseudo, l4Bytes), false));
                }
                break;
            }
            case UDP: {
                udp.wrap(b, l4).sourcePort(sourcePort).destinationPort(spec.destinationPort)
                        .length(spec.udpLength != null ? spec.udpLength : options.fixLengths() ? l4Bytes : 0).checksum(0);
                if (spec.transportChecksum != null) {
                    udp.checksum(spec.transportChecksum);
                } else if (options.computeChecksums()) {
                    udp.checksum(maybeBad(spec, Checksums.udpField(udp.computeChecksum(pseudo, l4Bytes)), true));
                }
                break;
            }
            case ICMP: {
                long rest = spec.icmpRestOfHeader != null ? spec.icmpRestOfHeader
                        : ((long) icmpId << 16) | spec.icmpSequence;
                icmp.wrap(b, l4).type(icmpType(spec)).code(spec.icmpCode).checksum(0).restOfHeader(rest);
                if (spec.transportChecksum != null) {
                    icmp.checksum(spec.transportChecksum);
                } else if (options.computeChecksums()) {
                    icmp.checksum(maybeBad(spec, icmp.computeChecksum(pseudo, l4Bytes), false));
                }
                break;
            }
            default:
                break;
        }
        return total;
    }

    /** As {@link Assembler}: the low byte flipped when a wrong checksum is asked for; for UDP never 0. */
    private static int maybeBad(PacketSpec spec, int correct, boolean udp) {
        if (!spec.badTransportChecksum) {
            return correct;
        }
        int bad = correct ^ 0x00FF;
        if (udp && bad == 0) {
            bad = correct ^ 0xFF00;
        }
        return bad;
    }
}
