package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An ICMPv4 message as a value (RFC 792): every field as written, including the wrong ones (an unknown
 * type, a code that does not fit it, a bad checksum), so {@code decode(emit(m))} equals {@code m} for
 * any {@code m}. The four type-dependent bytes are kept as one unsigned number; the data (an echo
 * payload, or for error messages the quoted IP header and 8 bytes, see {@link IcmpTypes#quotesPacket})
 * as raw bytes.
 *
 * @param restOfHeader bytes 4-7 as an unsigned 32-bit number
 */
public record IcmpMessage(int type, int code, int checksum, long restOfHeader, Bytes data) {

    public IcmpMessage {
        checkRange("type", type, 0xFF);
        checkRange("code", code, 0xFF);
        checkRange("checksum", checksum, 0xFFFF);
        checkRange("rest_of_header", restOfHeader, 0xFFFFFFFFL);
    }

    /** An echo request or reply's identifier (the upper half of {@link #restOfHeader}). */
    public int identifier() {
        return (int) (restOfHeader >>> 16);
    }

    /** An echo request or reply's sequence number (the lower half of {@link #restOfHeader}). */
    public int sequence() {
        return (int) (restOfHeader & 0xFFFF);
    }

    /** The rest-of-header word for an identifier and sequence number (echo, timestamp, information). */
    public static long idAndSequence(int identifier, int sequence) {
        return ((long) (identifier & 0xFFFF) << 16) | (sequence & 0xFFFF);
    }

    /** The length this value occupies when emitted: 8 bytes plus the data. */
    public int emittedLengthBytes() {
        return IcmpView.HEADER_BYTES + data.length();
    }

    /** Reads the message at the view; the data is the {@code available - 8} bytes after the header (none if fewer). */
    public static IcmpMessage decode(IcmpView v, int availableBytes) {
        int dataBytes = Math.max(0, availableBytes - IcmpView.HEADER_BYTES);
        return new IcmpMessage(v.type(), v.code(), v.checksum(), v.restOfHeader(),
                Bytes.copyOf(v.buffer(), v.offset() + IcmpView.HEADER_BYTES, dataBytes));
    }

    /** Writes every field exactly as held; returns the bytes written ({@link #emittedLengthBytes()}). */
    public int emit(ByteBuffer b, int offset) {
        new IcmpView().wrap(b, offset).type(type).code(code).checksum(checksum).restOfHeader(restOfHeader);
        data.writeTo(b, offset + IcmpView.HEADER_BYTES);
        return emittedLengthBytes();
    }

    /** The type's name, e.g. "echo-request" (see {@link IcmpTypes#typeName}). */
    public String typeName() {
        return IcmpTypes.typeName(type);
    }

    /** The code's name for this type, e.g. "port-unreachable" (see {@link IcmpTypes#codeName}). */
    public String codeName() {
        return IcmpTypes.codeName(type, code);
    }

    private static void checkRange(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
    }
}
