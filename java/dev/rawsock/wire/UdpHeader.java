package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A UDP header as a value (RFC 768): every field as written, including the wrong ones (port 0, a length
 * that disagrees with the data, a bad checksum, a checksum of 0 meaning none), so {@code decode(emit(h))}
 * equals {@code h} for any {@code h}.
 */
public record UdpHeader(int sourcePort, int destinationPort, int length, int checksum) {

    public UdpHeader {
        checkRange("source_port", sourcePort, 0xFFFF);
        checkRange("destination_port", destinationPort, 0xFFFF);
        checkRange("length", length, 0xFFFF);
        checkRange("checksum", checksum, 0xFFFF);
    }

    /** The header length this value occupies when emitted: always 8. */
    public int emittedLengthBytes() {
        return UdpView.HEADER_BYTES;
    }

    /** Reads the header at the view (8 bytes). */
    public static UdpHeader decode(UdpView v) {
        return new UdpHeader(v.sourcePort(), v.destinationPort(), v.length(), v.checksum());
    }

    /** Writes every field exactly as held; returns the bytes written (8). */
    public int emit(ByteBuffer b, int offset) {
        new UdpView().wrap(b, offset).sourcePort(sourcePort).destinationPort(destinationPort).length(length)
                .checksum(checksum);
        return UdpView.HEADER_BYTES;
    }

    private static void checkRange(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
    }
}
