package dev.rawsock.craft;

import dev.rawsock.wire.Ipv4View;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What Linux changes in a packet sent on a raw IPv4 socket with IP_HDRINCL (raw(7)): the header
 * checksum and total length always; the IP id and the source address when they are 0. Shown with each
 * crafted packet, so nobody is surprised by the difference between what they built and what went out.
 */
public final class KernelRewrites {
    private KernelRewrites() {}

    /** Notes for the assembled packet at {@code offset}, given the spec it came from. */
    public static List<String> notes(PacketSpec spec, ByteBuffer b, int offset) {
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
}
