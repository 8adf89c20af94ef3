package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an ICMPv6 message in a byte buffer (RFC 4443 §2.1): reads and writes each field in place,
 * with no copying and no checks. Reuse one view per thread with {@link #wrap}; the buffer's position and
 * byte order do not matter (fields are read big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |     Type      |     Code      |          Checksum             |
 * |   rest of header: Identifier / Sequence (echo), MTU (2),      |
 * |   Pointer (4), unused (1, 3)                                  |
 * |   data: echo data, or as much of the invoking packet as fits  |
 * </pre>
 *
 * The four bytes after the checksum are read by whichever getter fits the type; the view does not check
 * which type it is looking at. The checksum covers the IPv6 pseudo-header (RFC 8200 §8.1, next header 58):
 * pass its sum, e.g. {@link Ipv6View#pseudoHeader(long, int) ipv6.pseudoHeader(length, 58)}.
 */
public final class Icmpv6View extends HeaderView {
    // Field offsets from the start of the message.
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST_OF_HEADER = 4;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;
    private static final int MTU = 4;
    private static final int POINTER = 4;
    /** Where the data (echo data, the invoking packet) starts; also the shortest message. */
    public static final int HEADER_BYTES = 8;

    /** Points the view at a message starting at {@code offset}; returns this view. */
    public Icmpv6View wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int type() {
        return u8(TYPE);
    }

    public int code() {
        return u8(CODE);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Bytes 4-7 as an unsigned 32-bit number, whatever the type. */
    public long restOfHeader() {
        return u32(REST_OF_HEADER);
    }

    /** Echo request/reply (128/129): the identifier. */
    public int identifier() {
        return u16(IDENTIFIER);
    }

    /** Echo request/reply (128/129): the sequence number. */
    public int sequence() {
        return u16(SEQUENCE);
    }

    /** Packet too big (2): the MTU of the next-hop link, unsigned 32 bits. */
    public long mtu() {
        return u32(MTU);
    }

    /** Parameter problem (4): the offset in the invoking packet where the error was found, unsigned 32 bits. */
    public long pointer() {
        return u32(POINTER);
    }

    /** The absolute offset of the data after the 8-byte header. */
    public int dataOffset() {
        return at + HEADER_BYTES;
    }

    // ---- writing ----

    public Icmpv6View type(int type) {
        b.put(at + TYPE, (byte) type);
        return this;
    }

    public Icmpv6View code(int code) {
        b.put(at + CODE, (byte) code);
        return this;
    }

    public Icmpv6View checksum(int checksum) {
        put16(CHECKSUM, checksum);
        return this;
    }

    public Icmpv6View restOfHeader(long value) {
        put32(REST_OF_HEADER, value);
        return this;
    }

    public Icmpv6View identifier(int identifier) {
        put16(IDENTIFIER, identifier);
        return this;
    }

    public Icmpv6View sequence(int sequence) {
        put16(SEQUENCE, sequence);
        return this;
    }

    public Icmpv6View mtu(long mtu) {
        put32(MTU, mtu);
        return this;
    }

    public Icmpv6View pointer(long pointer) {
        put32(POINTER, pointer);
        return this;
    }

    // ---- checksum ----

    /**
     * The checksum the message should carry: {@code pseudoHeader} (the IPv6 pseudo-header sum for
     * {@code lengthBytes} and next header 58) plus the {@code lengthBytes} of the message, as if the
     * field were zero. The caller makes sure those bytes exist.
     */
    public int computeChecksum(long pseudoHeader, int lengthBytes) {
        return Checksums.finish(pseudoHeader + Checksums.sum(b, at, lengthBytes) - checksum());
    }

    /** True when the pseudo-header and the message, checksum included, sum to 0xFFFF (RFC 1071). */
    public boolean checksumValid(long pseudoHeader, int lengthBytes) {
        return Checksums.finish(pseudoHeader + Checksums.sum(b, at, lengthBytes)) == 0;
    }





}
