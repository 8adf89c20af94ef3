package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an ICMPv4 message in a byte buffer (RFC 792): reads and writes each field in place, with
 * no copying and no checks, so it can describe and build any message, however wrong (an unknown type, a
 * code that does not fit the type, a bad checksum). Reuse one view per thread with {@link #wrap}; the
 * buffer's position and byte order do not matter (fields are read big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |     Type      |     Code      |          Checksum             |
 * |                        Rest of header                         |
 * |                        Data ...
 * </pre>
 *
 * The four bytes after the checksum mean different things per type; each reading has its own getter
 * over the same bytes: {@link #identifier()} and {@link #sequence()} (echo, timestamp, information,
 * address mask), {@link #gateway()} (redirect), {@link #nextHopMtu()} (fragmentation needed, RFC 1191),
 * {@link #pointer()} (parameter problem). The timestamp and address-mask fields lie in the data and
 * need those bytes to exist.
 */
public final class IcmpView extends HeaderView {
    // Field offsets from the start of the message.
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int REST = 4;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;
    private static final int GATEWAY = 4;
    private static final int POINTER = 4;
    private static final int NEXT_HOP_MTU = 6;
    private static final int ORIGINATE_TIMESTAMP = 8;
    private static final int RECEIVE_TIMESTAMP = 12;
    private static final int TRANSMIT_TIMESTAMP = 16;
    private static final int ADDRESS_MASK = 8;
    /** Type, code, checksum and the rest-of-header word; also where the data starts. */
    public static final int HEADER_BYTES = 8;
    /** A timestamp or timestamp reply: the header and three 32-bit timestamps (RFC 792). */
    public static final int TIMESTAMP_MESSAGE_BYTES = 20;

    /** Points the view at a message starting at {@code offset}; returns this view. */
    public IcmpView wrap(ByteBuffer buffer, int offset) {
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

    /** The four bytes after the checksum as an unsigned 32-bit number. */
    public long restOfHeader() {
        return u32(REST);
    }

    /** Echo, timestamp, information and address-mask messages: the identifier (bytes 4-5). */
    public int identifier() {
        return u16(IDENTIFIER);
    }

    /** Echo, timestamp, information and address-mask messages: the sequence number (bytes 6-7). */
    public int sequence() {
        return u16(SEQUENCE);
    }

    /** Redirect: the gateway address (bytes 4-7) as an unsigned 32-bit value in an int (see {@link Ipv4Address}). */
    public int gateway() {
        return (u16(GATEWAY) << 16) | u16(GATEWAY + 2);
    }

    /** Destination unreachable, fragmentation needed: the next-hop MTU (bytes 6-7, RFC 1191 §4). */
    public int nextHopMtu() {
        return u16(NEXT_HOP_MTU);
    }

    /** Parameter problem: the offset of the octet in error in the quoted header (byte 4). */
    public int pointer() {
        return u8(POINTER);
    }

    /** Timestamp messages: milliseconds since midnight UT when the request was sent (bytes 8-11). */
    public long originateTimestamp() {
        return u32(ORIGINATE_TIMESTAMP);
    }

    /** Timestamp messages: when the echoer received the request (bytes 12-15). */
    public long receiveTimestamp() {
        return u32(RECEIVE_TIMESTAMP);
    }

    /** Timestamp messages: when the echoer sent the reply (bytes 16-19). */
    public long transmitTimestamp() {
        return u32(TRANSMIT_TIMESTAMP);
    }

    /** Address mask request/reply (RFC 950): the mask (bytes 8-11) as an unsigned 32-bit value in an int. */
    public int addressMask() {
        return (u16(ADDRESS_MASK) << 16) | u16(ADDRESS_MASK + 2);
    }

    // ---- writing ----

    public IcmpView type(int type) {
        put8(TYPE, type);
        return this;
    }

    public IcmpView code(int code) {
        put8(CODE, code);
        return this;
    }

    public IcmpView checksum(int checksum) {
        put16(CHECKSUM, checksum);
        return this;
    }

    /** Writes the low 32 bits of {@code rest} into bytes 4-7. */
    public IcmpView restOfHeader(long rest) {
        put32(REST, rest);
        return this;
    }

    public IcmpView identifier(int id) {
        put16(IDENTIFIER, id);
        return this;
    }

    public IcmpView sequence(int sequence) {
        put16(SEQUENCE, sequence);
        return this;
    }

    public IcmpView gateway(int address) {
        put32(GATEWAY, address & 0xFFFFFFFFL);
        return this;
    }

    /** Sets bytes 6-7, keeping bytes 4-5 (unused by RFC 1191, but kept as written). */
    public IcmpView nextHopMtu(int mtu) {
        put16(NEXT_HOP_MTU, mtu);
        return this;
    }

    /** Sets byte 4, keeping bytes 5-7. */
    public IcmpView pointer(int pointer) {
        put8(POINTER, pointer);
        return this;
    }

    public IcmpView originateTimestamp(long ms) {
        put32(ORIGINATE_TIMESTAMP, ms);
        return this;
    }

    public IcmpView receiveTimestamp(long ms) {
        put32(RECEIVE_TIMESTAMP, ms);
        return this;
    }

    public IcmpView transmitTimestamp(long ms) {
        put32(TRANSMIT_TIMESTAMP, ms);
        return this;
    }

    public IcmpView addressMask(int mask) {
        put32(ADDRESS_MASK, mask & 0xFFFFFFFFL);
        return this;
    }

    // ---- checksum ----

    /**
     * The checksum the message should carry, computed over {@code lengthBytes} bytes (header and data; ICMP
     * has no pseudo-header) as if the field were zero. The caller makes sure those bytes exist.
     */
    public int computeChecksum(int lengthBytes) {
        return Checksums.finish(Checksums.sum(b, at, lengthBytes) - checksum());
    }

    /** True when the message's bytes, checksum included, sum to 0xFFFF (RFC 1071). */
    public boolean checksumValid(int lengthBytes) {
        return Checksums.internet(b, at, lengthBytes) == 0;
    }






}
