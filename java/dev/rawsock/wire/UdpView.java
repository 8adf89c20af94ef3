package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over a UDP header in a byte buffer (RFC 768): reads and writes each field in place, with no
 * copying and no checks, so it can describe and build any header, however wrong (port 0, a length that
 * disagrees with the IP packet, a bad or absent checksum). Reuse one view per thread with {@link #wrap};
 * the buffer's position and byte order do not matter (fields are read big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |            Length             |           Checksum            |
 * </pre>
 */
public final class UdpView extends HeaderView {
    // Field offsets from the start of the header.
    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int LENGTH = 4;
    private static final int CHECKSUM = 6;
    /** The header's size; also where the data starts. */
    public static final int HEADER_BYTES = 8;

    /** Points the view at a header starting at {@code offset}; returns this view. */
    public UdpView wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int sourcePort() {
        return u16(SOURCE_PORT);
    }

    public int destinationPort() {
        return u16(DESTINATION_PORT);
    }

    /** Header plus data in bytes, as written (8 or more in a sane datagram). */
    public int length() {
        return u16(LENGTH);
    }

    /** The checksum field; 0 means the sender computed none (allowed over IPv4 only, RFC 768 / RFC 8200 §8.1). */
    public int checksum() {
        return u16(CHECKSUM);
    }

    // ---- writing ----

    public UdpView sourcePort(int port) {
        put16(SOURCE_PORT, port);
        return this;
    }

    public UdpView destinationPort(int port) {
        put16(DESTINATION_PORT, port);
        return this;
    }

    public UdpView length(int length) {
        put16(LENGTH, length);
        return this;
    }

    public UdpView checksum(int checksum) {
        put16(CHECKSUM, checksum);
        return this;
    }

    // ---- checksum ----

    /**
     * The checksum computed over the pseudo-header sum (see {@link Checksums#pseudoHeaderIpv4} /
     * {@link Checksums#pseudoHeaderIpv6}) and {@code lengthBytes} bytes (header and data) as if the field were
     * zero. A result of 0 must be sent as 0xFFFF: write {@link Checksums#udpField}{@code (computed)}.
     * The caller makes sure the bytes exist.
     */
    public int computeChecksum(long pseudoHeaderSum, int lengthBytes) {
        return Checksums.finish(pseudoHeaderSum + Checksums.sum(b, at, lengthBytes) - checksum());
    }

    /**
     * True when the pseudo-header and the datagram's bytes, checksum included, sum to 0xFFFF (RFC 1071).
     * This is the arithmetic only: a field of 0 ("no checksum", {@link #checksumAbsent()}) is not
     * special-cased, so callers decoding IPv4 check that first.
     */
    public boolean checksumValid(long pseudoHeaderSum, int lengthBytes) {
        return Checksums.finish(pseudoHeaderSum + Checksums.sum(b, at, lengthBytes)) == 0;
    }

    /** True when the checksum field is 0: over IPv4 the sender computed none (RFC 768). */
    public boolean checksumAbsent() {
        return checksum() == 0;
    }


}
