package dev.rawsock.craft;

import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds a {@link PacketSpec} into bytes, in place in the caller's buffer: explicit fields as given,
 * automatic ones computed (lengths, checksums, per {@link EmitOptions}) or drawn from the
 * {@link Randomness} in a fixed order (IP id, source port, sequence number, ICMP id), so a seed
 * reproduces a run. The spec is never changed. One assembler (its views) is reused per thread; assembly
 * allocates nothing.
 */
public final class Assembler {
    public static final int MAX_IPV4_PACKET_BYTES = 0xFFFF;

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
        Transport transport = spec.transport;
        // Comparisons rather than a switch: an enum switch reads a lookup table by ordinal first.
        return transport == Transport.TCP ? TcpView.MIN_HEADER_BYTES + pad4(spec.tcpOptions.length())
                : transport == Transport.UDP ? UdpView.HEADER_BYTES
                : transport == Transport.ICMP ? IcmpView.HEADER_BYTES : 0;
    }

    private static int pad4(int bytes) {
        return (bytes + 3) & ~3;
    }

    /** The unfolded Internet checksum sum of 8 big-endian bytes: their two 32-bit halves (see {@link Checksums#sum}). */
    private static long sum64(long v) {
        return (v >>> 32) + (v & 0xFFFFFFFFL);
    }

    /** Writes 8 bytes big-endian, whatever the buffer's order ({@code bigEndian}: the order is big-endian). */
    private static void put64(ByteBuffer b, int at, long v, boolean bigEndian) {
        b.putLong(at, bigEndian ? v : Long.reverseBytes(v));
    }

    private static void put32(ByteBuffer b, int at, int v, boolean bigEndian) {
        b.putInt(at, bigEndian ? v : Integer.reverseBytes(v));
    }

    /**
     * Writes the packet at {@code offset} of {@code b} and returns its length. IllegalArgumentException
     * when it does not fit the buffer or IPv4's 65,535 bytes.
     *
     * <p>The fixed IPv4 and TCP headers are put together in registers and written 8 (and 4) bytes at a
     * time, and their checksums computed from those values and from the sums of the option and payload
     * bytes taken while copying them, so no byte is zeroed first or read back. The bytes come out exactly
     * as the views' setters, field by field, would write them ({@code AssemblerTest} keeps that version as
     * its oracle): every byte from {@code offset} to {@code offset + length} is written.
     */
    public int assemble(PacketSpec spec, Randomness random, EmitOptions options, ByteBuffer b, int offset) {
        Transport transport = spec.transport;
        int ipOptionBytes = spec.ipOptions.length();
        int payloadBytes = spec.payload.length();
        int ipHeaderBytes = Ipv4View.MIN_HEADER_BYTES + pad4(ipOptionBytes);
        int transportBytes = transportHeaderBytes(spec);
        int total = ipHeaderBytes + transportBytes + payloadBytes;
        if (total > MAX_IPV4_PACKET_BYTES) {
            throw new IllegalArgumentException("the packet would be " + total + " bytes, more than IPv4's 65535");
        }
        if (offset + total > b.limit()) {
            throw new IllegalArgumentException("the packet (" + total + " bytes) does not fit the buffer");
        }
        // Random draws in a fixed order, only for automatic fields.
        int identification = spec.identification != null ? spec.identification : random.nextIdentification();
        int sourcePort = spec.sourcePort != null ? spec.sourcePort
                : (transport == Transport.TCP || transport == Transport.UDP ? random.nextSourcePort() : 0);
        long sequence = spec.sequence != null ? spec.sequence : (transport == Transport.TCP ? random.nextSequence() : 0);
        int icmpId = spec.icmpIdentifier != null ? spec.icmpIdentifier
                : (transport == Transport.ICMP ? random.nextIcmpIdentifier() : 0);

        boolean bigEndian = b.order() == ByteOrder.BIG_ENDIAN;
        boolean fixLengths = options.fixLengths();
        boolean computeChecksums = options.computeChecksums();
        int source = spec.source != null ? spec.source : 0;
        int destination = spec.destination();
        int protocol = spec.protocol != null ? spec.protocol : transport.protocol;
        Integer ipChecksumGiven = spec.ipChecksum;
        Integer transportChecksumGiven = spec.transportChecksum;
        boolean badTransportChecksum = spec.badTransportChecksum;

        // IPv4 (RFC 791): version+IHL, TOS, total length, id, flags+fragment offset | TTL, protocol, checksum
        // (0 for now), source | destination; then the options, padded with EOL (0).
        int ihl = spec.ihl != null ? spec.ihl : fixLengths ? ipHeaderBytes / 4 : 0;
        int totalLength = spec.totalLength != null ? spec.totalLength : fixLengths ? total : 0;
        int flagsFragment = (spec.flagReserved ? 0x8000 : 0) | (spec.dontFragment ? 0x4000 : 0)
                | (spec.moreFragments ? 0x2000 : 0) | (spec.fragmentOffset & 0x1FFF);
        long ip0 = (long) (0x40 | (ihl & 0x0F)) << 56 | (long) (((spec.dscp << 2) | (spec.ecn & 0x03)) & 0xFF) << 48
                | (long) (totalLength & 0xFFFF) << 32 | (long) (identification & 0xFFFF) << 16 | flagsFragment;
        long ip1 = (long) (spec.ttl & 0xFF) << 56 | (long) (protocol & 0xFF) << 48 | (source & 0xFFFFFFFFL);
        long ipSum = sum64(ip0) + sum64(ip1) + (destination & 0xFFFFFFFFL);
        if (ipOptionBytes > 0) {
            int at = offset + Ipv4View.MIN_HEADER_BYTES;
            ipSum += spec.ipOptions.writePaddedSummed(b, at);
        }

        int l4 = offset + ipHeaderBytes;
        int l4Bytes = total - ipHeaderBytes;
        long payloadSum = payloadBytes > 0 ? spec.payload.writeSummed(b, l4 + transportBytes) : 0;
        long pseudo = Checksums.pseudoHeaderIpv4(source, destination, transport.protocol, l4Bytes);
        // Comparisons rather than a switch: an enum switch reads a lookup table by ordinal first.
        if (transport == Transport.TCP) {
            // RFC 9293: ports | sequence | acknowledgment | data offset, reserved, flags | window |
            // checksum | urgent pointer; then the options, padded with EOL (0).
            int dataOffset = spec.dataOffset != null ? spec.dataOffset : fixLengths ? transportBytes / 4 : 0;
            int offsetFlags = (dataOffset & 0x0F) << 12 | ((spec.tcpReserved << 9) & 0x0E00) | (spec.tcpFlags & 0x01FF);
            long tcp0 = (long) (sourcePort & 0xFFFF) << 48 | (long) (spec.destinationPort & 0xFFFF) << 32
                    | (sequence & 0xFFFFFFFFL);
            long tcp1 = (spec.acknowledgment & 0xFFFFFFFFL) << 32 | (long) (offsetFlags & 0xFFFF) << 16
                    | (spec.window & 0xFFFF);
            int urgent = spec.urgentPointer & 0xFFFF;
            int tcpOptionBytes = transportBytes - TcpView.MIN_HEADER_BYTES;
            long tcpSum = pseudo + sum64(tcp0) + sum64(tcp1) + urgent + payloadSum;
            if (tcpOptionBytes > 0) {
                tcpSum += spec.tcpOptions.writePaddedSummed(b, l4 + TcpView.MIN_HEADER_BYTES);
            }
            int checksum = 0;
            if (transportChecksumGiven != null) {
                checksum = transportChecksumGiven;
            } else if (computeChecksums) {
                checksum = maybeBad(badTransportChecksum, Checksums.finish(tcpSum), false);
            }
            put64(b, l4, tcp0, bigEndian);
            put64(b, l4 + 8, tcp1, bigEndian);
            put32(b, l4 + 16, (checksum & 0xFFFF) << 16 | urgent, bigEndian);
        } else if (transport == Transport.UDP) {
            udp.wrap(b, l4).sourcePort(sourcePort).destinationPort(spec.destinationPort)
                    .length(spec.udpLength != null ? spec.udpLength : fixLengths ? l4Bytes : 0).checksum(0);
            if (transportChecksumGiven != null) {
                udp.checksum(transportChecksumGiven);
            } else if (computeChecksums) {
                udp.checksum(maybeBad(badTransportChecksum, Checksums.udpField(udp.computeChecksum(pseudo, l4Bytes)), true));
            }
        } else if (transport == Transport.ICMP) {
            long rest = spec.icmpRestOfHeader != null ? spec.icmpRestOfHeader : ((long) icmpId << 16) | spec.icmpSequence;
            icmp.wrap(b, l4).type(spec.icmpType).code(spec.icmpCode).checksum(0).restOfHeader(rest);
            if (transportChecksumGiven != null) {
                icmp.checksum(transportChecksumGiven);
            } else if (computeChecksums) {
                icmp.checksum(maybeBad(badTransportChecksum, icmp.computeChecksum(l4Bytes), false));
            }
        }
        int ipChecksum = 0;
        if (ipChecksumGiven != null) {
            ipChecksum = ipChecksumGiven;
        } else if (computeChecksums) {
            ipChecksum = Checksums.finish(ipSum);
        }
        put64(b, offset, ip0, bigEndian);
        put64(b, offset + 8, ip1 | (long) (ipChecksum & 0xFFFF) << 32, bigEndian);
        put32(b, offset + 16, destination, bigEndian);
        return total;
    }

    /**
     * A checksum made wrong on purpose when asked: the low byte flipped, which never lands on the
     * ones'-complement twin of the right value (0x0000 and 0xFFFF are the only such pair); for UDP,
     * never 0, which would mean "no checksum" rather than a wrong one.
     */
    private static int maybeBad(boolean wanted, int correct, boolean udp) {
        if (!wanted) {
            return correct;
        }
        int bad = correct ^ 0x00FF;
        if (udp && bad == 0) {
            bad = correct ^ 0xFF00;
        }
        return bad;
    }
}
