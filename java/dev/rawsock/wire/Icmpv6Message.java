package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An ICMPv6 message as a value (RFC 4443 §2.1): type, code and checksum as written (a wrong checksum
 * stays wrong), the four bytes after the checksum as one unsigned 32-bit {@code restOfHeader}, and the
 * data, so {@code decode(emit(m))} equals {@code m}. The echo, MTU and pointer accessors read
 * {@code restOfHeader} the way the type says.
 */
public record Icmpv6Message(int type, int code, int checksum, long restOfHeader, Bytes data) {

    public Icmpv6Message {
        Ipv4Header.checkRange("type", type, 0xFF);
        Ipv4Header.checkRange("code", code, 0xFF);
        Ipv4Header.checkRange("checksum", checksum, 0xFFFF);
        if (restOfHeader < 0 || restOfHeader > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("rest_of_header must be 0-4294967295 but was " + restOfHeader);
        }
    }

    /** An echo request (128) or reply (129) with code 0 and the given checksum. */
    public static Icmpv6Message echo(int type, int identifier, int sequence, int checksum, Bytes data) {
        Ipv4Header.checkRange("identifier", identifier, 0xFFFF);
        Ipv4Header.checkRange("sequence", sequence, 0xFFFF);
        return new Icmpv6Message(type, 0, checksum, ((long) identifier << 16) | sequence, data);
    }

    /** Echo (128/129): the upper half of {@code restOfHeader}. */
    public int identifier() {
        return (int) (restOfHeader >>> 16);
    }

    /** Echo (128/129): the lower half of {@code restOfHeader}. */
    public int sequence() {
        return (int) (restOfHeader & 0xFFFF);
    }

    /** Packet too big (2): {@code restOfHeader}. */
    public long mtu() {
        return restOfHeader;
    }

    /** Parameter problem (4): {@code restOfHeader}. */
    public long pointer() {
        return restOfHeader;
    }

    /** The length this value occupies when emitted: 8 bytes plus the data. */
    public int emittedLengthBytes() {
        return Icmpv6View.HEADER_BYTES + data.length();
    }

    /**
     * Reads the message at the view: the data is everything after the 8-byte header up to
     * {@code availableBytes}; IllegalArgumentException when fewer than 8 bytes are available.
     */
    public static Icmpv6Message decode(Icmpv6View v, int availableBytes) {
        if (availableBytes < Icmpv6View.HEADER_BYTES) {
            throw new IllegalArgumentException("ICMPv6 header truncated: " + availableBytes + " of "
                    + Icmpv6View.HEADER_BYTES + " bytes");
        }
        return new Icmpv6Message(v.type(), v.code(), v.checksum(), v.restOfHeader(),
                Bytes.copyOf(v.buffer(), v.dataOffset(), availableBytes - Icmpv6View.HEADER_BYTES));
    }

    /** Writes every field exactly as held; returns the bytes written ({@link #emittedLengthBytes()}). */
    public int emit(ByteBuffer b, int offset) {
        new Icmpv6View().wrap(b, offset).type(type).code(code).checksum(checksum).restOfHeader(restOfHeader);
        data.writeTo(b, offset + Icmpv6View.HEADER_BYTES);
        return emittedLengthBytes();
    }

    /** This message with the checksum computed over {@code pseudoHeader} and the emitted bytes. */
    public Icmpv6Message withComputedChecksum(long pseudoHeader) {
        ByteBuffer b = ByteBuffer.allocate(emittedLengthBytes());
        emit(b, 0);
        int sum = new Icmpv6View().wrap(b, 0).computeChecksum(pseudoHeader, b.capacity());
        return new Icmpv6Message(type, code, sum, restOfHeader, data);
    }

    /** True when {@link Icmpv6Types#quotesPacket} says the data is the invoking packet. */
    public boolean quotesPacket() {
        return Icmpv6Types.quotesPacket(type);
    }
}
