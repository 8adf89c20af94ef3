package dev.rawsock.craft;

import dev.rawsock.wire.Ipv4View;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What Linux changes in a packet sent on a raw IPv4 socket with IP_HDRINCL (raw(7)): the header
 * checksum and total length always; the IP id and the source address when they are 0. Shown with each
 * crafted packet, so nobody is surprised by the difference between what they built and what went out.
 *
 * <p>IPv6 goes out through an AF_INET6 raw socket of the transport's protocol, where Linux builds the IPv6
 * header itself (raw(7), ipv6(7)) from socket options: rawsock sends only the transport part, sets the
 * hop limit (IPV6_UNICAST_HOPS) and traffic class (IPV6_TCLASS) from the crafted header, passes the flow
 * label in sin6_flowinfo (IPV6_FLOWINFO_SEND) with IPV6_AUTOFLOWLABEL off, so 0 stays 0, and binds the
 * socket to the crafted source. The kernel writes the payload length and the addresses; it leaves a TCP or
 * UDP checksum alone (no IPV6_CHECKSUM) but always computes the ICMPv6 one. Next header 255 (IPPROTO_RAW)
 * implies IPV6_HDRINCL: the whole packet goes out as built.
 */
public final class KernelRewrites {
    private KernelRewrites() {}

    /** Notes for the assembled packet at {@code offset}, given the spec it came from. */
    public static List<String> notes(PacketSpec spec, ByteBuffer b, int offset) {
        if (spec.isIpv6()) {
            return ipv6Notes(spec, b, offset);
        }
        Ipv4View ip = new Ipv4View().wrap(b, offset);
        List<String> notes = new ArrayList<>();
        notes.add("on a raw socket (IP_HDRINCL) Linux always rewrites the IP checksum and total length (raw(7))"
                + (spec.ipChecksum != null || spec.totalLength != null ? ": the explicit "
                + (spec.ipChecksum != null ? "--ip-checksum" : "") + (spec.ipChecksum != null && spec.totalLength != null ? " and " : "")
                + (spec.totalLength != null ? "--ip-length" : "") + " will not go out as given" : ""));
        if (ip.identification() == 0) {
            notes.add("IP id is 0: Linux fills in its own");
        }
        if (ip.source() == 0) {
            notes.add("source is 0.0.0.0: Linux fills in the route's source address"
                    + (spec.transport == Transport.TCP || spec.transport == Transport.UDP
                    ? ", and the " + spec.transport + " checksum, computed over 0.0.0.0, will then be wrong (give --src)" : ""));
        }
        return notes;
    }

    private static List<String> ipv6Notes(PacketSpec spec, ByteBuffer b, int offset) {
        List<String> notes = new ArrayList<>();
        int nextHeader = Ipv6Assembler.nextHeader(spec);
        if (nextHeader == 255) {
            notes.add("next header 255 (IPPROTO_RAW) on an AF_INET6 raw socket implies IPV6_HDRINCL: the packet goes out"
                    + " as built, header included");
            return notes;
        }
        String what = spec.transport == Transport.ICMP ? "ICMPv6 message" : spec.transport == Transport.TCP ? "TCP segment"
                : spec.transport == Transport.UDP ? "UDP datagram" : "payload";
        notes.add("on an AF_INET6 raw socket Linux builds the IPv6 header itself (raw(7), ipv6(7)): rawsock sends the " + what
                + " only, with the hop limit as IPV6_UNICAST_HOPS, the traffic class as IPV6_TCLASS and the flow label in"
                + " sin6_flowinfo (IPV6_FLOWINFO_SEND, IPV6_AUTOFLOWLABEL off, so 0 stays 0 unless"
                + " net.ipv6.auto_flowlabels is 3); the payload length and addresses are the kernel's");
        if (spec.transport == Transport.ICMP) {
            notes.add("Linux always computes the ICMPv6 checksum on a raw socket (RFC 3542 §3.1)"
                    + (spec.transportChecksum != null || spec.badTransportChecksum
                    ? ": the explicit " + (spec.transportChecksum != null ? "--checksum" : "--badsum") + " will not go out as given" : ""));
        }
        if (nextHeader != Ipv6Assembler.transportProtocol(spec)) {
            notes.add("the socket is opened with protocol " + nextHeader + ", which Linux writes as the next header");
        }
        boolean unspecified = true;
        for (int k = 0; k < 16; k++) {
            unspecified &= b.get(offset + 8 + k) == 0;
        }
        if (unspecified) {
            notes.add("source is ::: Linux fills in the route's source address"
                    + (spec.transport == Transport.TCP || spec.transport == Transport.UDP
                    ? ", and the " + spec.transport + " checksum, computed over ::, will then be wrong (give --src)" : ""));
        }
        return notes;
    }
}
