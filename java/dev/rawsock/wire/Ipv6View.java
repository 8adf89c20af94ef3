package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an IPv6 fixed header in a byte buffer (RFC 8200 §3): reads and writes each field in place,
 * with no copying and no checks. Reuse one view per thread with {@link #wrap}; the buffer's position and
 * byte order do not matter (fields are read big-endian by hand). Extension headers follow the fixed
 * header; {@link Ipv6ExtensionHeaders#skip} walks them.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                  Source Address (16 bytes)                    |
 * |               Destination Address (16 bytes)                  |
 * </pre>
 */
public final class Ipv6View extends HeaderView {
    // Field offsets from the start of the header.
    private static final int VERSION_CLASS_FLOW = 0;
    private static final int PAYLOAD_LENGTH = 4;
    private static final int NEXT_HEADER = 6;
    private static final int HOP_LIMIT = 7;
    private static final int SOURCE = 8;
    private static final int DESTINATION = 24;
    /** The fixed header's length; extension headers or the upper layer start here. */
    public static final int HEADER_BYTES = 40;
    /** The IPv6 next-header / IPv4 protocol number of ICMPv6. */
    public static final int NEXT_HEADER_ICMPV6 = 58;

    private static final int FLOW_LABEL_MASK = 0xFFFFF;

    /** Points the view at a header starting at {@code offset}; returns this view. */
    public Ipv6View wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int version() {
        return u8(VERSION_CLASS_FLOW) >>> 4;
    }

    /** The traffic class byte (bits 4-11). */
    public int trafficClass() {
        return (i32(VERSION_CLASS_FLOW) >>> 20) & 0xFF;
    }

    /** Differentiated services code point, the upper 6 bits of the traffic class (RFC 2474). */
    public int dscp() {
        return trafficClass() >>> 2;
    }

    /** Explicit congestion notification, the lower 2 bits of the traffic class (RFC 3168). */
    public int ecn() {
        return trafficClass() & 0x03;
    }

    /** The 20-bit flow label (RFC 6437). */
    public int flowLabel() {
        return i32(VERSION_CLASS_FLOW) & FLOW_LABEL_MASK;
    }

    /** Bytes after the fixed header, extension headers included (0 with a Jumbo Payload option, RFC 2675). */
    public int payloadLength() {
        return u16(PAYLOAD_LENGTH);
    }

    public int nextHeader() {
        return u8(NEXT_HEADER);
    }

    public int hopLimit() {
        return u8(HOP_LIMIT);
    }

    /** The absolute offset of the 16-byte source address, for {@link Checksums#pseudoHeaderIpv6} and {@link Ipv6Address}. */
    public int sourceOffset() {
        return at + SOURCE;
    }

    /** The absolute offset of the 16-byte destination address. */
    public int destinationOffset() {
        return at + DESTINATION;
    }

    /** A copy of the source address (allocates; the offset getters do not). */
    public Bytes source() {
        return Bytes.copyOf(b, at + SOURCE, 16);
    }

    public Bytes destination() {
        return Bytes.copyOf(b, at + DESTINATION, 16);
    }

    /** The absolute offset where extension headers or the upper layer start. */
    public int payloadOffset() {
        return at + HEADER_BYTES;
    }

    /**
     * The pseudo-header sum (RFC 8200 §8.1) for an upper-layer packet of {@code upperLayerLength} bytes
     * with protocol {@code nextHeader}, from this header's addresses. Routing headers that change the final
     * destination are the caller's business: pass that address through {@link Checksums#pseudoHeaderIpv6}.
     */
    public long pseudoHeader(long upperLayerLength, int nextHeader) {
        return Checksums.pseudoHeaderIpv6(b, sourceOffset(), destinationOffset(), upperLayerLength, nextHeader);
    }

    // ---- writing ----

    public Ipv6View version(int version) {
        put8(VERSION_CLASS_FLOW, (version << 4) | (u8(VERSION_CLASS_FLOW) & 0x0F));
        return this;
    }

    public Ipv6View trafficClass(int trafficClass) {
        put32(VERSION_CLASS_FLOW, (i32(VERSION_CLASS_FLOW) & 0xF00FFFFF) | ((trafficClass & 0xFF) << 20));
        return this;
    }

    public Ipv6View dscp(int dscp) {
        return trafficClass(((dscp & 0x3F) << 2) | ecn());
    }

    public Ipv6View ecn(int ecn) {
        return trafficClass((trafficClass() & 0xFC) | (ecn & 0x03));
    }

    public Ipv6View flowLabel(int label) {
        put32(VERSION_CLASS_FLOW, (i32(VERSION_CLASS_FLOW) & ~FLOW_LABEL_MASK) | (label & FLOW_LABEL_MASK));
        return this;
    }

    public Ipv6View payloadLength(int length) {
        put16(PAYLOAD_LENGTH, length);
        return this;
    }

    public Ipv6View nextHeader(int nextHeader) {
        put8(NEXT_HEADER, nextHeader);
        return this;
    }

    public Ipv6View hopLimit(int hopLimit) {
        put8(HOP_LIMIT, hopLimit);
        return this;
    }

    /** Writes a 16-byte source address; IllegalArgumentException for any other length. */
    public Ipv6View source(byte[] address) {
        b.put(at + SOURCE, checked("source", address));
        return this;
    }

    public Ipv6View destination(byte[] address) {
        b.put(at + DESTINATION, checked("destination", address));
        return this;
    }

    public Ipv6View source(Bytes address) {
        checked("source", address.length());
        address.writeTo(b, at + SOURCE);
        return this;
    }

    public Ipv6View destination(Bytes address) {
        checked("destination", address.length());
        address.writeTo(b, at + DESTINATION);
        return this;
    }

    private static byte[] checked(String field, byte[] address) {
        checked(field, address.length);
        return address;
    }

    private static void checked(String field, int length) {
        if (length != 16) {
            throw new IllegalArgumentException(field + " must be 16 bytes but was " + length);
        }
    }






}
