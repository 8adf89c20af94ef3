package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over a TCP header in a byte buffer (RFC 9293 §3.1): reads and writes each field in place, with
 * no copying and no checks, so it can describe and build any header, however wrong (SYN+FIN, port 0,
 * reserved bits set, a data offset of 0, a bad checksum). Reuse one view per thread with {@link #wrap};
 * the buffer's position and byte order do not matter (fields are read big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data | Rsv |A|C|E|U|A|P|R|S|F|                               |
 * | Offset|     |E|W|C|R|C|S|S|Y|I|            Window             |
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * |           Checksum            |         Urgent Pointer        |
 * |                    Options (data offset > 5)                  |
 * </pre>
 *
 * The ninth flag bit (0x100) is NS in RFC 3540 (now historic) and AE in accurate ECN; the three bits
 * above it are {@link #reserved()}. See {@link TcpFlags}.
 */
public final class TcpView extends HeaderView {
    // Field offsets from the start of the header.
    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int SEQUENCE = 4;
    private static final int ACKNOWLEDGMENT = 8;
    private static final int OFFSET_FLAGS = 12;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT_POINTER = 18;
    /** Where options start; also the header length with none. */
    public static final int MIN_HEADER_BYTES = 20;
    /** The longest header a 4-bit data offset can describe (15 words). */
    public static final int MAX_HEADER_BYTES = 60;

    // The 16 bits at OFFSET_FLAGS: data offset (4), reserved (3), flags (9).
    private static final int DATA_OFFSET_SHIFT = 12;
    private static final int RESERVED_SHIFT = 9;
    private static final int RESERVED_MASK = 0x0E00;
    private static final int FLAGS_MASK = 0x01FF;

    /** Points the view at a header starting at {@code offset}; returns this view. */
    public TcpView wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int sourcePort() {
        return u16(SOURCE_PORT);
    }

    public int destinationPort() {
        return u16(DESTINATION_PORT);
    }

    /** The sequence number, unsigned (0 to 2^32-1). */
    public long sequenceNumber() {
        return u32(SEQUENCE);
    }

    /** The acknowledgment number, unsigned; meaningful when ACK is set, but always read as written. */
    public long acknowledgmentNumber() {
        return u32(ACKNOWLEDGMENT);
    }

    /** Header length in 32-bit words, as written (5 to 15 in a sane header). */
    public int dataOffset() {
        return u8(OFFSET_FLAGS) >>> 4;
    }

    public int headerLengthBytes() {
        return dataOffset() * 4;
    }

    /** The three reserved bits between the data offset and the flags (0 to 7), as written. */
    public int reserved() {
        return (u16(OFFSET_FLAGS) & RESERVED_MASK) >>> RESERVED_SHIFT;
    }

    /** The nine flag bits (0 to 0x1FF): NS/AE 0x100 down to FIN 0x001; see {@link TcpFlags}. */
    public int flags() {
        return u16(OFFSET_FLAGS) & FLAGS_MASK;
    }

    /** True when every bit of {@code mask} (a {@link TcpFlags} constant or several or-ed) is set. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    public int window() {
        return u16(WINDOW);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    public int urgentPointer() {
        return u16(URGENT_POINTER);
    }

    // ---- writing ----

    public TcpView sourcePort(int port) {
        put16(SOURCE_PORT, port);
        return this;
    }

    public TcpView destinationPort(int port) {
        put16(DESTINATION_PORT, port);
        return this;
    }

    /** Writes the low 32 bits of {@code seq}. */
    public TcpView sequenceNumber(long seq) {
        put32(SEQUENCE, seq);
        return this;
    }

    /** Writes the low 32 bits of {@code ack}. */
    public TcpView acknowledgmentNumber(long ack) {
        put32(ACKNOWLEDGMENT, ack);
        return this;
    }

    /** Sets the data offset (32-bit words, 4 bits), keeping the reserved bits and flags. */
    public TcpView dataOffset(int words) {
        put8(OFFSET_FLAGS, ((words & 0x0F) << 4) | (u8(OFFSET_FLAGS) & 0x0F));
        return this;
    }

    /** Sets the three reserved bits, keeping the data offset and flags. */
    public TcpView reserved(int bits) {
        put16(OFFSET_FLAGS, (u16(OFFSET_FLAGS) & ~RESERVED_MASK) | ((bits << RESERVED_SHIFT) & RESERVED_MASK));
        return this;
    }

    /** Sets all nine flag bits at once, keeping the data offset and reserved bits. */
    public TcpView flags(int flags) {
        put16(OFFSET_FLAGS, (u16(OFFSET_FLAGS) & ~FLAGS_MASK) | (flags & FLAGS_MASK));
        return this;
    }

    public TcpView window(int window) {
        put16(WINDOW, window);
        return this;
    }

    public TcpView checksum(int checksum) {
        put16(CHECKSUM, checksum);
        return this;
    }

    public TcpView urgentPointer(int pointer) {
        put16(URGENT_POINTER, pointer);
        return this;
    }

    // ---- checksum ----

    /**
     * The checksum the segment should carry, computed over the pseudo-header sum (see
     * {@link Checksums#pseudoHeaderIpv4} / {@link Checksums#pseudoHeaderIpv6}) and {@code segmentLengthBytes}
     * bytes (header and data) as if the field were zero. The caller makes sure those bytes exist.
     */
    public int computeChecksum(long pseudoHeaderSum, int segmentLengthBytes) {
        return Checksums.finish(pseudoHeaderSum + Checksums.sum(b, at, segmentLengthBytes) - checksum());
    }

    /** True when the pseudo-header and the segment's bytes, checksum included, sum to 0xFFFF (RFC 1071). */
    public boolean checksumValid(long pseudoHeaderSum, int segmentLengthBytes) {
        return Checksums.finish(pseudoHeaderSum + Checksums.sum(b, at, segmentLengthBytes)) == 0;
    }






}
