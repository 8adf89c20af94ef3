package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Big-endian 16- and 32-bit fields at absolute offsets of any buffer, whatever its byte order: one
 * {@code getShort}/{@code putShort} (or int) and a byte swap when the buffer is little-endian, rather than
 * a byte at a time. The views use these on their hot paths: half or a quarter of the bounds-checked
 * accesses, and small enough for the JIT to inline a whole header's worth into one method (assembling a
 * TCP header a byte at a time ran past C2's inlining budget; see {@code make bench}).
 */
final class BigEndian {
    private BigEndian() {}

    static int u16(ByteBuffer b, int at) {
        short v = b.getShort(at);
        return (b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v)) & 0xFFFF;
    }

    static long u32(ByteBuffer b, int at) {
        int v = b.getInt(at);
        return (b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v)) & 0xFFFFFFFFL;
    }

    /** Writes the low 16 bits of {@code value}. */
    static void put16(ByteBuffer b, int at, int value) {
        short v = (short) value;
        b.putShort(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v));
    }

    /** Writes the low 32 bits of {@code value}. */
    static void put32(ByteBuffer b, int at, long value) {
        int v = (int) value;
        b.putInt(at, b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v));
    }
}
