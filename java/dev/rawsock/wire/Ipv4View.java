package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an IPv4 header in a byte buffer (RFC 791 §3.1): reads and writes each field in place,
 * with no copying and no checks, so it can describe and build any header, however wrong. Reuse one view
 * per thread with {@link #wrap}; the buffer's position and byte order do not matter (fields are read
 * big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |    DSCP   |ECN|          Total Length         |
 * |         Identification        |R|D|M|     Fragment Offset     |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 * </pre>
 */
public final class Ipv4View extends HeaderView {
    // Field offsets from the start of the header.
    private static final int VERSION_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;
    /** Where options start; also the header length with none. */
    public static final int MIN_HEADER_BYTES = 20;

    private static final int FLAG_RESERVED = 0x8000;
    private static final int FLAG_DF = 0x4000;
    private static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    /** Points the view at a header starting at {@code offset}; returns this view. */
    public Ipv4View wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int version() {
        return u8(VERSION_IHL) >>> 4;
    }

    /** Header length in 32-bit words, as written (5 to 15 in a sane header). */
    public int ihl() {
        return u8(VERSION_IHL) & 0x0F;
    }

    public int headerLengthBytes() {
        return ihl() * 4;
    }

    /** Differentiated services code point, the upper 6 bits of the old TOS byte (RFC 2474). */
    public int dscp() {
        return u8(TOS) >>> 2;
    }

    /** Explicit congestion notification, the lower 2 bits (RFC 3168). */
    public int ecn() {
        return u8(TOS) & 0x03;
    }

    public int tos() {
        return u8(TOS);
    }

    public int totalLength() {
        return u16(TOTAL_LENGTH);
    }

    public int identification() {
        return u16(IDENTIFICATION);
    }

    /** The reserved ("evil", RFC 3514) bit. */
    public boolean flagReserved() {
        return (u16(FLAGS_FRAGMENT) & FLAG_RESERVED) != 0;
    }

    public boolean dontFragment() {
        return (u16(FLAGS_FRAGMENT) & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (u16(FLAGS_FRAGMENT) & FLAG_MF) != 0;
    }

    /** Fragment offset in 8-byte units. */
    public int fragmentOffset() {
        return u16(FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK;
    }

    public int ttl() {
        return u8(TTL);
    }

    public int protocol() {
        return u8(PROTOCOL);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** The source address as an unsigned 32-bit number in an int (see {@link Ipv4Address}). */
    public int source() {
        return (int) BigEndian.u32(b, at + SOURCE);
    }

    public int destination() {
        return (int) BigEndian.u32(b, at + DESTINATION);
    }

    // ---- writing ----

    public Ipv4View version(int version) {
        put8(VERSION_IHL, (version << 4) | (u8(VERSION_IHL) & 0x0F));
        return this;
    }

    public Ipv4View ihl(int words) {
        put8(VERSION_IHL, (u8(VERSION_IHL) & 0xF0) | (words & 0x0F));
        return this;
    }

    public Ipv4View dscp(int dscp) {
        put8(TOS, (dscp << 2) | (u8(TOS) & 0x03));
        return this;
    }

    public Ipv4View ecn(int ecn) {
        put8(TOS, (u8(TOS) & 0xFC) | (ecn & 0x03));
        return this;
    }

    public Ipv4View totalLength(int length) {
        put16(TOTAL_LENGTH, length);
        return this;
    }

    public Ipv4View identification(int id) {
        put16(IDENTIFICATION, id);
        return this;
    }

    public Ipv4View flags(boolean reserved, boolean dontFragment, boolean moreFragments) {
        put16(FLAGS_FRAGMENT, (reserved ? FLAG_RESERVED : 0) | (dontFragment ? FLAG_DF : 0) | (moreFragments ? FLAG_MF : 0)
                | fragmentOffset());
        return this;
    }

    /** Sets the fragment offset (8-byte units, 13 bits), keeping the flags. */
    public Ipv4View fragmentOffset(int units) {
        put16(FLAGS_FRAGMENT, (u16(FLAGS_FRAGMENT) & ~FRAGMENT_OFFSET_MASK) | (units & FRAGMENT_OFFSET_MASK));
        return this;
    }

    public Ipv4View ttl(int ttl) {
        put8(TTL, ttl);
        return this;
    }

    public Ipv4View protocol(int protocol) {
        put8(PROTOCOL, protocol);
        return this;
    }

    public Ipv4View checksum(int checksum) {
        put16(CHECKSUM, checksum);
        return this;
    }

    public Ipv4View source(int address) {
        BigEndian.put32(b, at + SOURCE, address);
        return this;
    }

    public Ipv4View destination(int address) {
        BigEndian.put32(b, at + DESTINATION, address);
        return this;
    }

    // ---- checksum ----

    /**
     * The checksum the header should carry, computed over {@code headerLengthBytes} bytes as if the
     * field were zero. The caller makes sure those bytes exist.
     */
    public int computeChecksum(int headerLengthBytes) {
        return Checksums.finish(Checksums.sum(b, at, headerLengthBytes) - checksum());
    }

    /** True when the header's bytes, checksum included, sum to 0xFFFF (RFC 1071). */
    public boolean checksumValid(int headerLengthBytes) {
        return Checksums.internet(b, at, headerLengthBytes) == 0;
    }




}
