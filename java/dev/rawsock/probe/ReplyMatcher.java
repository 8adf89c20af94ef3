package dev.rawsock.probe;

import dev.rawsock.craft.Transport;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6Types;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;

import java.nio.ByteBuffer;

/**
 * Matches what comes back to the probe it answers, and remembers when each probe went out.
 *
 * <p>The rules (nping's and hping3's, made exact): a TCP reply comes from the probe's destination with
 * the ports mirrored and {@code ack = seq + len} (SYN and FIN count one), or is a RST without ACK whose
 * seq is the probe's ack; a UDP reply mirrors the ports; an ICMP echo reply carries the request's id and
 * sequence; an ICMP error, from the destination or from any router on the way (a traceroute's time
 * exceeded), quotes the probe's IP header (same addresses, protocol and id) and its first transport
 * bytes (ports, or ICMP id and sequence).
 *
 * <p>Which probe a reply may answer is worked out from the reply itself, without a table: the quoted IP
 * id (probes carry base id + i), the increasing source port or sequence number, the ICMP sequence, or
 * the swept destination port; when probes are all alike, the oldest unanswered one. The candidate is
 * then regenerated and checked field by field. Nothing is allocated per reply.
 *
 * <p>IPv6 (RFC 8200, RFC 4443) the same way, with what IPv6 has instead: the reply comes from the probe's
 * 16-byte destination; an ICMPv6 echo reply (129) carries the request's id and sequence; an ICMPv6 error
 * (types 1-4) quotes the probe's addresses and next header and its first 8 transport bytes. IPv6 has no IP
 * id, so which probe an error answers is read from the quoted transport header (the increasing source port
 * or sequence number, the echo sequence, or the swept destination port), else the oldest unanswered probe.
 */
public final class ReplyMatcher {
    /** Probes remembered; older ones count as lost when a reply for them would come this late. */
    static final int WINDOW = 1 << 16;
    private static final int MAX_CANDIDATES = 64;

    private final ProbeSeries series;
    private final long[] sentNanos = new long[WINDOW];
    private final boolean[] answered = new boolean[WINDOW];
    private long sent;
    private long oldestUnanswered;

    private final ByteBuffer scratch;
    private final Ipv4View probeIp = new Ipv4View();
    private final Ipv4View replyIp = new Ipv4View();
    private final Ipv4View quotedIp = new Ipv4View();
    private final TcpView probeTcp = new TcpView();
    private final TcpView replyTcp = new TcpView();
    private final UdpView probeUdp = new UdpView();
    private final UdpView replyUdp = new UdpView();
    private final IcmpView probeIcmp = new IcmpView();
    private final IcmpView replyIcmp = new IcmpView();
    private final Icmpv6View replyIcmp6 = new Icmpv6View();

    private long matchedProbe = -1;
    private long duplicates;

    public ReplyMatcher(ProbeSeries series) {
        this.series = series;
        this.scratch = ByteBuffer.allocate(series.length());
    }

    /** Records that probe {@code i} (the next one) went out at {@code nanos} (the clock replies are stamped with). */
    public void sent(long i, long nanos) {
        int slot = (int) (i & (WINDOW - 1));
        sentNanos[slot] = nanos;
        answered[slot] = false;
        sent = i + 1;
        if (sent - oldestUnanswered > WINDOW) {
            oldestUnanswered = sent - WINDOW;
        }
    }

    /**
     * Tries the decoded packet as a reply. Returns the round-trip time in nanoseconds and remembers the
     * probe ({@link #matchedProbe()}), or -1 when it answers no probe (or answers one already answered,
     * which counts as a duplicate).
     */
    public long match(DecodedPacket reply, long receivedNanos) {
        matchedProbe = -1;
        ByteBuffer b = reply.buffer();
        if (series.isIpv6()) {
            if (!reply.has(Layer.IPV6) || reply.laterFragment()
                    || !series.isDestination6(b, reply.offset(Layer.IPV6) + IPV6_SOURCE)) {
                return -1;
            }
            if (reply.has(Layer.ICMPV6)) {
                replyIcmp6.wrap(b, reply.offset(Layer.ICMPV6));
                int type = replyIcmp6.type();
                if (Icmpv6Types.quotesPacket(type)) {
                    return icmpv6Error(reply, receivedNanos);
                }
                if (type == Icmpv6Types.ECHO_REPLY && series.isEcho()) {
                    int k = (replyIcmp6.sequence() - series.baseIcmpSequence()) & 0xFFFF;
                    return settle(k, 1 << 16, reply, receivedNanos);
                }
                return -1;
            }
            return transportReply(reply, receivedNanos);
        }
        if (!reply.has(Layer.IPV4) || reply.laterFragment()) {
            return -1;
        }
        replyIp.wrap(b, reply.offset(Layer.IPV4));
        boolean fromDestination = replyIp.source() == series.destination();
        if (reply.has(Layer.ICMP)) {
            replyIcmp.wrap(b, reply.offset(Layer.ICMP));
            int type = replyIcmp.type();
            if (IcmpTypes.quotesPacket(type)) {
                // An ICMP error may come from any router on the way (time exceeded, unreachable, prohibited):
                // it names the probe by quoting it, and the quote is checked field by field.
                return icmpError(reply, receivedNanos);
            }
            if (!fromDestination) {
                return -1;
            }
            if (type == 0 && series.isEcho()) {
                int k = (replyIcmp.sequence() - series.baseIcmpSequence()) & 0xFFFF;
                return settle(k, 1 << 16, reply, receivedNanos);
            }
            return -1;
        }
        if (!fromDestination) {
            return -1;
        }
        return transportReply(reply, receivedNanos);
    }

    /** A TCP or UDP reply (either IP version): the probe it may answer, from the mirrored fields. */
    private long transportReply(DecodedPacket reply, long receivedNanos) {
        ByteBuffer b = reply.buffer();
        if (reply.has(Layer.TCP) && series.transport() == Transport.TCP) {
            replyTcp.wrap(b, reply.offset(Layer.TCP));
            if (series.sourcePortIncrement()) {
                return settle((replyTcp.destinationPort() - series.baseSourcePort()) & 0xFFFF, 1 << 16, reply, receivedNanos);
            }
            if (series.sequenceIncrement() && (replyTcp.flags() & TcpFlags.ACK) != 0) {
                // ack = seq + i + (SYN/FIN) + len: try the probe whose seq the ack acknowledges.
                long k = (replyTcp.acknowledgmentNumber() - series.baseSequence() - sequenceSpace()) & 0xFFFFFFFFL;
                return settle(k, 1L << 32, reply, receivedNanos);
            }
            if (series.destinationPorts() != null) {
                return settle(replyTcp.sourcePort() - series.destinationPorts().first(), series.destinationPorts().size(),
                        reply, receivedNanos);
            }
            return oldestFirst(reply, receivedNanos);
        }
        if (reply.has(Layer.UDP) && series.transport() == Transport.UDP) {
            replyUdp.wrap(b, reply.offset(Layer.UDP));
            if (series.sourcePortIncrement()) {
                return settle((replyUdp.destinationPort() - series.baseSourcePort()) & 0xFFFF, 1 << 16, reply, receivedNanos);
            }
            if (series.destinationPorts() != null) {
                return settle(replyUdp.sourcePort() - series.destinationPorts().first(), series.destinationPorts().size(),
                        reply, receivedNanos);
            }
            return oldestFirst(reply, receivedNanos);
        }
        return -1;
    }

    /** The probe the last successful {@link #match} answered. */
    public long matchedProbe() {
        return matchedProbe;
    }

    /** Replies to probes already answered. */
    public long duplicates() {
        return duplicates;
    }

    /** Where the source address sits in an IPv6 header; the destination follows it. */
    private static final int IPV6_SOURCE = 8;
    private static final int IPV6_DESTINATION = 24;
    private static final int IPV6_NEXT_HEADER = 6;

    /**
     * An ICMPv6 error: which probe it may answer, read from the quoted transport header (IPv6 has no IP id
     * to number probes by), then checked against that probe's quote.
     */
    private long icmpv6Error(DecodedPacket reply, long receivedNanos) {
        DecodedPacket quoted = reply.quoted();
        if (quoted == null || !quoted.has(Layer.IPV6)) {
            return -1;
        }
        ByteBuffer q = quoted.buffer();
        int l4 = quoted.offset(Layer.IPV6) + Ipv6View.HEADER_BYTES;
        int available = quoted.frameOffset() + quoted.capturedLength() - l4;
        boolean ports = series.transport() == Transport.TCP || series.transport() == Transport.UDP;
        if (ports && series.sourcePortIncrement() && available >= 2) {
            return settle((u16(q, l4) - series.baseSourcePort()) & 0xFFFF, 1 << 16, reply, receivedNanos);
        }
        if (series.transport() == Transport.TCP && series.sequenceIncrement() && available >= 8) {
            long seq = ((long) u16(q, l4 + 4) << 16) | u16(q, l4 + 6);
            return settle((seq - series.baseSequence()) & 0xFFFFFFFFL, 1L << 32, reply, receivedNanos);
        }
        if (series.isEcho() && available >= 8) {
            return settle((u16(q, l4 + 6) - series.baseIcmpSequence()) & 0xFFFF, 1 << 16, reply, receivedNanos);
        }
        if (ports && series.destinationPorts() != null && available >= 4) {
            return settle(u16(q, l4 + 2) - series.destinationPorts().first(), series.destinationPorts().size(), reply, receivedNanos);
        }
        return oldestFirst(reply, receivedNanos);
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }

    private long icmpError(DecodedPacket reply, long receivedNanos) {
        DecodedPacket quoted = reply.quoted();
        if (quoted == null || !quoted.has(Layer.IPV4)) {
            return -1;
        }
        quotedIp.wrap(quoted.buffer(), quoted.offset(Layer.IPV4));
        int k = (quotedIp.identification() - series.baseIdentification()) & 0xFFFF;
        return settle(k, 1 << 16, reply, receivedNanos);
    }

    /** SYN and FIN each take one sequence number; data takes its length (RFC 9293 §3.4). */
    private int sequenceSpace() {
        series.write(0, scratch, 0);
        probeTcp.wrap(scratch, series.transportOffset());
        int flags = probeTcp.flags();
        int data = series.length() - series.transportOffset() - probeTcp.headerLengthBytes();
        return ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0) + Math.max(0, data);
    }

    /** Tries the latest probes congruent to {@code k} modulo {@code modulus}, newest first. */
    private long settle(long k, long modulus, DecodedPacket reply, long receivedNanos) {
        if (sent == 0 || k < 0) {
            return -1;
        }
        long last = sent - 1;
        long i = last - Math.floorMod(last - k, modulus);
        boolean duplicate = false;
        for (int tries = 0; tries < MAX_CANDIDATES && i >= 0 && i >= sent - WINDOW; tries++, i -= modulus) {
            if (answers(i, reply)) {
                if (!answered[(int) (i & (WINDOW - 1))]) {
                    return accept(i, receivedNanos);
                }
                duplicate = true;
            }
            if (modulus >= WINDOW) {
                break;
            }
        }
        if (duplicate) {
            duplicates++;
        }
        return -1;
    }

    /** Identical probes: the oldest unanswered one that the reply fits. */
    private long oldestFirst(DecodedPacket reply, long receivedNanos) {
        for (long i = oldestUnanswered; i < sent && i < oldestUnanswered + MAX_CANDIDATES; i++) {
            if (!answered[(int) (i & (WINDOW - 1))] && answers(i, reply)) {
                return accept(i, receivedNanos);
            }
        }
        return -1;
    }

    private long accept(long i, long receivedNanos) {
        int slot = (int) (i & (WINDOW - 1));
        answered[slot] = true;
        while (oldestUnanswered < sent && answered[(int) (oldestUnanswered & (WINDOW - 1))]) {
            oldestUnanswered++;
        }
        matchedProbe = i;
        return receivedNanos - sentNanos[slot];
    }

    /** Regenerates probe {@code i} and checks the reply against it field by field. */
    private boolean answers(long i, DecodedPacket reply) {
        if (i < 0 || i >= sent) {
            return false;
        }
        series.write(i, scratch, 0);
        probeIp.wrap(scratch, 0);
        int l4 = series.transportOffset();
        ByteBuffer b = reply.buffer();
        if (reply.has(Layer.ICMPV6)) {
            replyIcmp6.wrap(b, reply.offset(Layer.ICMPV6));
            if (Icmpv6Types.quotesPacket(replyIcmp6.type())) {
                return quotes6(reply.quoted(), l4);
            }
            probeIcmp.wrap(scratch, l4); // echo id and sequence sit where ICMPv4 has them
            return replyIcmp6.type() == Icmpv6Types.ECHO_REPLY && replyIcmp6.identifier() == probeIcmp.identifier()
                    && replyIcmp6.sequence() == probeIcmp.sequence();
        }
        if (reply.has(Layer.ICMP)) {
            replyIcmp.wrap(b, reply.offset(Layer.ICMP));
            if (IcmpTypes.quotesPacket(replyIcmp.type())) {
                return quotes(reply.quoted(), l4);
            }
            probeIcmp.wrap(scratch, l4);
            return replyIcmp.type() == 0 && replyIcmp.identifier() == probeIcmp.identifier()
                    && replyIcmp.sequence() == probeIcmp.sequence();
        }
        if (reply.has(Layer.TCP)) {
            probeTcp.wrap(scratch, l4);
            replyTcp.wrap(b, reply.offset(Layer.TCP));
            if (replyTcp.sourcePort() != probeTcp.destinationPort() || replyTcp.destinationPort() != probeTcp.sourcePort()) {
                return false;
            }
            if ((replyTcp.flags() & TcpFlags.ACK) != 0) {
                int flags = probeTcp.flags();
                int data = series.length() - l4 - probeTcp.headerLengthBytes();
                long expected = (probeTcp.sequenceNumber() + ((flags & TcpFlags.SYN) != 0 ? 1 : 0)
                        + ((flags & TcpFlags.FIN) != 0 ? 1 : 0) + Math.max(0, data)) & 0xFFFFFFFFL;
                return replyTcp.acknowledgmentNumber() == expected;
            }
            // RFC 9293 §3.10.7.1: a RST answering a segment with ACK takes its sequence number from that ack.
            return (replyTcp.flags() & TcpFlags.RST) != 0 && replyTcp.sequenceNumber() == probeTcp.acknowledgmentNumber();
        }
        if (reply.has(Layer.UDP)) {
            probeUdp.wrap(scratch, l4);
            replyUdp.wrap(b, reply.offset(Layer.UDP));
            return replyUdp.sourcePort() == probeUdp.destinationPort() && replyUdp.destinationPort() == probeUdp.sourcePort();
        }
        return false;
    }

    /** An ICMP error quotes probe {@code i}: same IP addresses, protocol and id, same first transport bytes. */
    private boolean quotes(DecodedPacket quoted, int l4) {
        if (quoted == null || !quoted.has(Layer.IPV4)) {
            return false;
        }
        ByteBuffer q = quoted.buffer();
        int at = quoted.offset(Layer.IPV4);
        quotedIp.wrap(q, at);
        if (quotedIp.destination() != probeIp.destination() || quotedIp.protocol() != probeIp.protocol()
                || quotedIp.identification() != probeIp.identification()) {
            return false;
        }
        if (probeIp.source() != 0 && quotedIp.source() != probeIp.source()) {
            return false;
        }
        int quotedL4 = at + quotedIp.headerLengthBytes();
        return sameFirstTransportBytes(quoted, quotedL4, l4);
    }

    /**
     * An ICMPv6 error quotes probe {@code i} (RFC 4443 §3: as much of the invoking packet as fits): the same
     * destination, next header and source (unless the probe left it to the kernel), and the same first 8
     * transport bytes. The traffic class and flow label are not compared: the kernel may have set its own.
     */
    private boolean quotes6(DecodedPacket quoted, int l4) {
        if (quoted == null || !quoted.has(Layer.IPV6)) {
            return false;
        }
        ByteBuffer q = quoted.buffer();
        int at = quoted.offset(Layer.IPV6);
        if (q.get(at + IPV6_NEXT_HEADER) != scratch.get(IPV6_NEXT_HEADER)) {
            return false;
        }
        boolean unspecifiedSource = true;
        for (int k = 0; k < 16; k++) {
            unspecifiedSource &= scratch.get(IPV6_SOURCE + k) == 0;
        }
        for (int k = 0; k < 16; k++) {
            if (q.get(at + IPV6_DESTINATION + k) != scratch.get(IPV6_DESTINATION + k)
                    || !unspecifiedSource && q.get(at + IPV6_SOURCE + k) != scratch.get(IPV6_SOURCE + k)) {
                return false;
            }
        }
        return sameFirstTransportBytes(quoted, at + Ipv6View.HEADER_BYTES, l4);
    }

    /**
     * The quoted transport bytes at {@code quotedL4} match the probe's at {@code l4} of the scratch copy, for
     * the first 8 (RFC 792, RFC 4443: ports and TCP sequence, or ICMP id/seq) or as many as were quoted.
     */
    private boolean sameFirstTransportBytes(DecodedPacket quoted, int quotedL4, int l4) {
        ByteBuffer q = quoted.buffer();
        int available = quoted.frameOffset() + quoted.capturedLength() - quotedL4;
        int compare = Math.min(8, Math.min(available, series.length() - l4));
        for (int k = 0; k < compare; k++) {
            if (k == 2 && series.transport() == Transport.ICMP) {
                k = 3; // the ICMP checksum bytes (2-3) are skipped: routers may rewrite nothing else there
                continue;
            }
            if (q.get(quotedL4 + k) != scratch.get(l4 + k)) {
                return false;
            }
        }
        return true;
    }
}
