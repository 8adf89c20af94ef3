package dev.rawsock.craft;

import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;

import java.nio.ByteBuffer;

/**
 * The assembler as it was written first, field by field through the views' setters after zeroing the
 * headers: kept as the oracle the fast {@link Assembler} is compared with, byte for byte, over random
 * specs ({@code AssemblerTest#matchesTheFieldByFieldAssemblerOnRandomSpecs}).
 */
final class FieldByFieldAssembler {
    public static final int MAX_IPV4_PACKET_BYTES = 0xFFFF;

    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();

    /** The bytes {@code spec} needs: IP header (options padded to 4), transport header, payload. */
    public static int lengthOf(PacketSpec spec) {
        return Ipv4View.MIN_HEADER_BYTES + pad4(spec.ipOptions.length()) + transportHeaderBytes(spec) + spec.payload.length();
    }

    /** The IP header bytes {@code spec} assembles to: 20 plus its options padded to 4 (whatever IHL it writes). */
    public static int ipHeaderLengthOf(PacketSpec spec) {
        return Ipv4View.MIN_HEADER_BYTES + pad4(spec.ipOptions.length());
    }

    private static int transportHeaderBytes(PacketSpec spec) {
        switch (spec.transport) {
            case TCP: return TcpView.MIN_HEADER_BYTES + pad4(spec.tcpOptions.length());
            case UDP: return UdpView.HEADER_BYTES;
            case ICMP: return IcmpView.HEADER_BYTES;
            default: return 0;
        }
    }

    /** Zeroes {@code length} bytes at {@code offset}: 8 at a time (the byte order of a zero does not matter). */
    private static void zero(ByteBuffer b, int offset, int length) {
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            b.putLong(i, 0L);
        }
        for (; i < end; i++) {
            b.put(i, (byte) 0);
        }
    }

    private static int pad4(int bytes) {
        return (bytes + 3) & ~3;
    }

    /**
     * Writes the packet at {@code offset} of {@code b} and returns its length. IllegalArgumentException
     * when it does not fit the buffer or IPv4's 65,535 bytes.
     */
    public int assemble(PacketSpec spec, Randomness random, EmitOptions options, ByteBuffer b, int offset) {
        int ipHeaderBytes = Ipv4View.MIN_HEADER_BYTES + pad4(spec.ipOptions.length());
        int transportBytes = transportHeaderBytes(spec);
        int total = ipHeaderBytes + transportBytes + spec.payload.length();
        if (total > MAX_IPV4_PACKET_BYTES) {
            throw new IllegalArgumentException("the packet would be " + total + " bytes, more than IPv4's 65535");
        }
        if (offset + total > b.limit()) {
            throw new IllegalArgumentException("the packet (" + total + " bytes) does not fit the buffer");
        }
        zero(b, offset, ipHeaderBytes + transportBytes); // option padding is EOL (0)
        // Random draws in a fixed order, only for automatic fields.
        int identification = spec.identification != null ? spec.identification : random.nextIdentification();
        int sourcePort = spec.sourcePort != null ? spec.sourcePort
                : (spec.transport == Transport.TCP || spec.transport == Transport.UDP ? random.nextSourcePort() : 0);
        long sequence = spec.sequence != null ? spec.sequence
                : (spec.transport == Transport.TCP ? random.nextSequence() : 0);
        int icmpId = spec.icmpIdentifier != null ? spec.icmpIdentifier
                : (spec.transport == Transport.ICMP ? random.nextIcmpIdentifier() : 0);

        int source = spec.source != null ? spec.source : 0;
        int destination = spec.destination();
        int protocol = spec.protocol != null ? spec.protocol : spec.transport.protocol;
        ip.wrap(b, offset).version(4)
                .ihl(spec.ihl != null ? spec.ihl : options.fixLengths() ? ipHeaderBytes / 4 : 0)
                .dscp(spec.dscp).ecn(spec.ecn)
                .totalLength(spec.totalLength != null ? spec.totalLength : options.fixLengths() ? total : 0)
                .identification(identification)
                .fragmentOffset(spec.fragmentOffset).flags(spec.flagReserved, spec.dontFragment, spec.moreFragments)
                .ttl(spec.ttl).protocol(protocol).checksum(0).source(source).destination(destination);
        spec.ipOptions.writeTo(b, offset + Ipv4View.MIN_HEADER_BYTES);

        int l4 = offset + ipHeaderBytes;
        int l4Bytes = total - ipHeaderBytes;
        spec.payload.writeTo(b, l4 + transportBytes);
        long pseudo = Checksums.pseudoHeaderIpv4(source, destination, spec.transport.protocol, l4Bytes);
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
                icmp.wrap(b, l4).type(spec.icmpType).code(spec.icmpCode).checksum(0).restOfHeader(rest);
                if (spec.transportChecksum != null) {
                    icmp.checksum(spec.transportChecksum);
                } else if (options.computeChecksums()) {
                    icmp.checksum(maybeBad(spec, icmp.computeChecksum(l4Bytes), false));
                }
                break;
            }
            default:
                break;
        }
        if (spec.ipChecksum != null) {
            ip.checksum(spec.ipChecksum);
        } else if (options.computeChecksums()) {
            ip.checksum(ip.computeChecksum(ipHeaderBytes));
        }
        return total;
    }

    /**
     * A checksum made wrong on purpose when asked: the low byte flipped, which never lands on the
     * ones'-complement twin of the right value (0x0000 and 0xFFFF are the only such pair); for UDP,
     * never 0, which would mean "no checksum" rather than a wrong one.
     */
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
