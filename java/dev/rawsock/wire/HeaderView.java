package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * What every header view shares: the buffer and the offset it is wrapped around, and big-endian field
 * access relative to the header's start (through {@link BigEndian}). The accessors are final and small so
 * the JIT inlines them into each view's getters and setters.
 */
abstract class HeaderView {
    ByteBuffer b;
    int at;

    /** Points the view at a header starting at {@code offset}. */
    final void point(ByteBuffer buffer, int offset) {
        this.b = buffer;
        this.at = offset;
    }

    /** The buffer the view reads and writes. */
    public final ByteBuffer buffer() {
        return b;
    }

    /** Where the header starts in {@link #buffer()}. */
    public final int offset() {
        return at;
    }

    final int u8(int field) {
        return b.get(at + field) & 0xFF;
    }

    final int u16(int field) {
        return BigEndian.u16(b, at + field);
    }

    /** The 32 bits at {@code field}, unsigned. */
    final long u32(int field) {
        return BigEndian.u32(b, at + field);
    }

    /** The 32 bits at {@code field} as an int (an IPv4 address, or bits to mask). */
    final int i32(int field) {
        return (int) BigEndian.u32(b, at + field);
    }

    final void put8(int field, int value) {
        b.put(at + field, (byte) value);
    }

    /** Writes the low 16 bits of {@code value}. */
    final void put16(int field, int value) {
        BigEndian.put16(b, at + field, value);
    }

    /** Writes the low 32 bits of {@code value}. */
    final void put32(int field, long value) {
        BigEndian.put32(b, at + field, value);
    }
}
