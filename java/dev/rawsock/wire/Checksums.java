package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) as pure functions: a ones'-complement sum of big-endian 16-bit words
 * (an odd last byte is padded with zero), folded to 16 bits and complemented. Transport checksums add
 * the pseudo-header, whose addresses are passed in (RFC 793 / RFC 768 for IPv4, RFC 8200 §8.1 for IPv6),
 * so nothing here needs hidden IP-layer context.
 *
 * <p>Partial sums are {@code long}s and may be added together before {@link #finish}; they need no
 * folding until then (2^48 bytes would be needed to overflow).
 */
public final class Checksums {
    private Checksums() {}

    /**
     * The unfolded sum of {@code length} bytes at {@code offset}: 8 bytes at a time (a long's two 32-bit
     * halves, so no carry is lost), then 4, 2 and an odd last byte. The buffer's byte order is looked at
     * once. The last 63 bytes or fewer (all of most headers) are summed in straight-line code rather than a
     * loop, whose set-up costs more than a few iterations.
     */
    public static long sum(ByteBuffer b, int offset, int length) {
        boolean bigEndian = b.order() == ByteOrder.BIG_ENDIAN;
        long sum = 0;
        int i = offset;
        int end = offset + length;
        for (; end - i >= 64; i += 8) {
            sum += halves(u64(b, i, bigEndian));
        }
        if (i + 32 <= end) {
            sum += halves(u64(b, i, bigEndian)) + halves(u64(b, i + 8, bigEndian))
                    + halves(u64(b, i + 16, bigEndian)) + halves(u64(b, i + 24, bigEndian));
            i += 32;
        }
        if (i + 16 <= end) {
            sum += halves(u64(b, i, bigEndian)) + halves(u64(b, i + 8, bigEndian));
            i += 16;
        }
        if (i + 8 <= end) {
            sum += halves(u64(b, i, bigEndian));
            i += 8;
        }
        if (i + 4 <= end) {
            int v = b.getInt(i);
            sum += (bigEndian ? v : Integer.reverseBytes(v)) & 0xFFFFFFFFL;
            i += 4;
        }
        if (i + 2 <= end) {
            short v = b.getShort(i);
            sum += (bigEndian ? v : Short.reverseBytes(v)) & 0xFFFF;
            i += 2;
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    private static long u64(ByteBuffer b, int at, boolean bigEndian) {
        long v = b.getLong(at);
        return bigEndian ? v : Long.reverseBytes(v);
    }

    /** A long's two 32-bit halves added: two pairs of 16-bit words, with room for the carries. */
    private static long halves(long v) {
        return (v >>> 32) + (v & 0xFFFFFFFFL);
    }

    /** The same over a byte array. */
    public static long sum(byte[] b, int offset, int length) {
        return sum(ByteBuffer.wrap(b), offset, length);
    }

    /** Folds a sum to 16 bits with end-around carry and complements it: the checksum field's value. */
    public static int finish(long sum) {
        // Four folds without a loop (whose exit branch the CPU mispredicts) reach 16 bits from any 64-bit
        // sum: 64 -> under 2^33 -> under 2^18 -> at most 0x10002 -> at most 0xFFFF. Each fold keeps the
        // value mod 0xFFFF and never makes a non-zero sum zero, so the result is the loop's (RFC 1071).
        long s = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int) (~s & 0xFFFF);
    }

    /** The checksum of a byte range: {@code finish(sum(...))}. With the checksum field in the range, 0 means valid. */
    public static int internet(ByteBuffer b, int offset, int length) {
        return finish(sum(b, offset, length));
    }

    /** The IPv4 pseudo-header sum: source, destination, protocol and transport length (RFC 793 §3.1, RFC 768). */
    public static long pseudoHeaderIpv4(int sourceAddress, int destinationAddress, int protocol, int transportLength) {
        return (sourceAddress >>> 16) + (sourceAddress & 0xFFFF)
                + (destinationAddress >>> 16) + (destinationAddress & 0xFFFF)
                + (protocol & 0xFF) + (transportLength & 0xFFFF);
    }

    /**
     * The IPv6 pseudo-header sum (RFC 8200 §8.1): the 16-byte addresses at the given offsets of {@code b},
     * the upper-layer packet length (32 bits) and the next header value.
     */
    public static long pseudoHeaderIpv6(ByteBuffer b, int sourceOffset, int destinationOffset, long upperLayerLength, int nextHeader) {
        return sum(b, sourceOffset, 16) + sum(b, destinationOffset, 16)
                + (upperLayerLength >>> 16) + (upperLayerLength & 0xFFFF) + (nextHeader & 0xFF);
    }

    /**
     * The UDP checksum field for a computed value: 0 is sent as 0xFFFF, because 0 in the field means
     * "no checksum computed" (RFC 768; mandatory for IPv6, RFC 8200 §8.1).
     */
    public static int udpField(int computed) {
        return computed == 0 ? 0xFFFF : computed;
    }
}
