package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * Walks the IPv6 extension header chain (RFC 8200 §4) to where the upper layer starts, without
 * allocating: the answer is packed into one {@code long}, read with the static accessors below.
 *
 * <p>Headers walked, by their next-header number: hop-by-hop options (0), routing (43), fragment (44),
 * destination options (60) — each (Hdr Ext Len + 1) * 8 bytes, the fragment header always 8 — and the
 * authentication header (51, RFC 4302), (Payload Len + 2) * 4 bytes. Any other value ends the walk and is
 * the upper-layer protocol, including ESP (50, whose content is encrypted), No Next Header (59), and the
 * rarer headers of the IANA extension header registry (Mobility 135, HIP 139, Shim6 140), which a decoder
 * shows as they are.
 *
 * <p>Packed result, {@code r}:
 * <ul>
 *   <li>{@link #ok(long) ok(r)} — the whole chain lies within the data ({@code r >= 0}).</li>
 *   <li>{@link #offset(long) offset(r)} — when ok, the absolute offset where the upper layer starts
 *       (it may equal the end of the data: no upper-layer bytes); when not ok, the absolute offset of the
 *       extension header that runs past the data.</li>
 *   <li>{@link #protocol(long) protocol(r)} — when ok, the upper-layer protocol (6 TCP, 17 UDP, 58 ICMPv6,
 *       59 none, ...); when not ok, the type of the header that runs past the data.</li>
 *   <li>{@link #nonFirstFragment(long) nonFirstFragment(r)} — a fragment header with a non-zero offset was
 *       crossed: the bytes at {@code offset} are the middle of the upper-layer packet, not its header.</li>
 *   <li>{@link #fragment(long) fragment(r)} — any fragment header was crossed.</li>
 * </ul>
 * Layout: bit 63 truncated, bits 32-62 offset, bit 9 fragment, bit 8 non-first fragment, bits 0-7 protocol.
 */
public final class Ipv6ExtensionHeaders {
    private Ipv6ExtensionHeaders() {}

    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ENCAPSULATING_SECURITY_PAYLOAD = 50;
    public static final int AUTHENTICATION = 51;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    private static final long TRUNCATED = 1L << 63;
    private static final long FRAGMENT_SEEN = 1L << 9;
    private static final long NON_FIRST_FRAGMENT = 1L << 8;

    /** True for the next-header values {@link #skip} walks through. */
    public static boolean isExtensionHeader(int nextHeader) {
        return nextHeader == HOP_BY_HOP || nextHeader == ROUTING || nextHeader == FRAGMENT
                || nextHeader == DESTINATION_OPTIONS || nextHeader == AUTHENTICATION;
    }

    /**
     * Walks the chain that starts at {@code offset} (just after the fixed header) with header type
     * {@code firstNextHeader} (the fixed header's next header), within {@code length} bytes of data from
     * {@code offset}. Returns the packed result described in the class comment.
     */
    public static long skip(ByteBuffer b, int offset, int length, int firstNextHeader) {
        int end = offset + Math.max(0, length);
        int at = offset;
        int type = firstNextHeader & 0xFF;
        long flags = 0;
        while (isExtensionHeader(type)) {
            if (end - at < 8) {
                // Every extension header is at least 8 bytes; the fixed fields are in the first 8.
                return TRUNCATED | ((long) at << 32) | flags | type;
            }
            int next = b.get(at) & 0xFF;
            int headerLength;
            if (type == FRAGMENT) {
                headerLength = 8;
                flags |= FRAGMENT_SEEN;
                int offsetUnits = (((b.get(at + 2) & 0xFF) << 8) | (b.get(at + 3) & 0xFF)) >>> 3;
                if (offsetUnits != 0) {
                    flags |= NON_FIRST_FRAGMENT;
                }
            } else if (type == AUTHENTICATION) {
                headerLength = ((b.get(at + 1) & 0xFF) + 2) * 4;
            } else {
                headerLength = ((b.get(at + 1) & 0xFF) + 1) * 8;
            }
            if (end - at < headerLength) {
                return TRUNCATED | ((long) at << 32) | flags | type;
            }
            at += headerLength;
            type = next;
        }
        return ((long) at << 32) | flags | type;
    }

    /** True when the chain fits in the data. */
    public static boolean ok(long result) {
        return result >= 0;
    }

    /** The upper layer's absolute offset, or, when not {@link #ok}, that of the header running past the data. */
    public static int offset(long result) {
        return (int) ((result >>> 32) & 0x7FFF_FFFF);
    }

    /** The upper-layer protocol, or, when not {@link #ok}, the type of the header running past the data. */
    public static int protocol(long result) {
        return (int) (result & 0xFF);
    }

    /** True when a fragment header with a non-zero fragment offset was crossed. */
    public static boolean nonFirstFragment(long result) {
        return (result & NON_FIRST_FRAGMENT) != 0;
    }

    /** True when any fragment header was crossed. */
    public static boolean fragment(long result) {
        return (result & FRAGMENT_SEEN) != 0;
    }

    /** A short name for a next-header value: "hop-by-hop", "routing", "fragment", ..., "tcp", "udp", "icmpv6", or the number. */
    public static String name(int nextHeader) {
        switch (nextHeader) {
            case HOP_BY_HOP: return "hop-by-hop";
            case 6: return "tcp";
            case 17: return "udp";
            case ROUTING: return "routing";
            case FRAGMENT: return "fragment";
            case ENCAPSULATING_SECURITY_PAYLOAD: return "esp";
            case AUTHENTICATION: return "ah";
            case Ipv6View.NEXT_HEADER_ICMPV6: return "icmpv6";
            case NO_NEXT_HEADER: return "none";
            case DESTINATION_OPTIONS: return "destination-options";
            default: return Integer.toString(nextHeader);
        }
    }

    /** Why a truncated result is truncated, for messages: "routing header at offset 54 runs past the end of the data at 60". */
    public static String describeTruncation(long result, int dataEnd) {
        return name(protocol(result)) + " header at offset " + offset(result) + " runs past the end of the data at "
                + dataEnd;
    }
}
