package dev.rawsock.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** An immutable run of bytes with value equality and a hex text form: option bodies, payloads, raw fields. */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A copy of the array. */
    public static Bytes of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /** A copy of {@code length} bytes of {@code b} at {@code offset}. */
    public static Bytes copyOf(ByteBuffer b, int offset, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] copy = new byte[length];
        b.get(offset, copy);
        return new Bytes(copy);
    }

    /** Parses hex digits; spaces, colons and a leading 0x are ignored ("45 00", "4500", "0x4500", "45:00"). */
    public static Bytes fromHex(String text) {
        String t = text.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        StringBuilder digits = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == ' ' || c == ':' || c == '\n' || c == '\t' || c == '\r' || c == '-') {
                continue;
            }
            if (Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException("'" + c + "' at column " + (i + 1) + " is not a hex digit");
            }
            digits.append(c);
        }
        if (digits.length() % 2 != 0) {
            throw new IllegalArgumentException("odd number of hex digits (" + digits.length() + ")");
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return out.length == 0 ? EMPTY : new Bytes(out);
    }

    public int length() {
        return bytes.length;
    }

    public int get(int index) {
        return bytes[index] & 0xFF;
    }

    /** A copy of the bytes. */
    public byte[] toArray() {
        return bytes.clone();
    }

    /** Writes the bytes at {@code offset} of {@code b}. */
    public void writeTo(ByteBuffer b, int offset) {
        b.put(offset, bytes);
    }

    /**
     * Writes the bytes at {@code offset} of {@code b}, as {@link #writeTo} does, and returns their unfolded
     * Internet checksum sum (what {@link Checksums#sum} of the bytes written gives): copied and summed in one
     * pass, 8 bytes at a time, for the assembler, whose options and payload start at even offsets of the
     * headers they are summed with.
     */
    public long writeSummed(ByteBuffer b, int offset) {
        byte[] a = bytes;
        int n = a.length;
        boolean bigEndian = b.order() == ByteOrder.BIG_ENDIAN;
        long sum = 0;
        int i = 0;
        if (n >= 64) { // a loop for a payload, up to the last 32 to 39 bytes
            i = (n - 32) & ~7;
            sum = copyLongs(a, i, b, offset, bigEndian);
        }
        // The last 63 bytes or fewer (all of any options) without a loop, whose set-up costs more here.
        if (n - i >= 32) {
            sum += copy8(a, i, b, offset + i, bigEndian) + copy8(a, i + 8, b, offset + i + 8, bigEndian)
                    + copy8(a, i + 16, b, offset + i + 16, bigEndian) + copy8(a, i + 24, b, offset + i + 24, bigEndian);
            i += 32;
        }
        if (n - i >= 16) {
            sum += copy8(a, i, b, offset + i, bigEndian) + copy8(a, i + 8, b, offset + i + 8, bigEndian);
            i += 16;
        }
        if (n - i >= 8) {
            sum += copy8(a, i, b, offset + i, bigEndian);
            i += 8;
        }
        if (n - i >= 4) {
            int v = (int) INTS.get(a, i);
            b.putInt(offset + i, bigEndian ? v : Integer.reverseBytes(v));
            sum += v & 0xFFFFFFFFL;
            i += 4;
        }
        if (n - i >= 2) {
            short v = (short) SHORTS.get(a, i);
            b.putShort(offset + i, bigEndian ? v : Short.reverseBytes(v));
            sum += v & 0xFFFF;
            i += 2;
        }
        if (n - i >= 1) {
            b.put(offset + i, a[i]);
            sum += (a[i] & 0xFF) << 8;
        }
        return sum;
    }

    /** Copies the first {@code length} bytes (a multiple of 8) and returns their sum. */
    private static long copyLongs(byte[] a, int length, ByteBuffer b, int offset, boolean bigEndian) {
        long sum = 0;
        for (int i = 0; i < length; i += 8) {
            sum += copy8(a, i, b, offset + i, bigEndian);
        }
        return sum;
    }

    /** Copies 8 bytes big-endian and returns their sum: the two 32-bit halves (see {@link Checksums#sum}). */
    private static long copy8(byte[] a, int i, ByteBuffer b, int at, boolean bigEndian) {
        long v = (long) LONGS.get(a, i);
        b.putLong(at, bigEndian ? v : Long.reverseBytes(v));
        return (v >>> 32) + (v & 0xFFFFFFFFL);
    }

    /** Lower-case hex without separators ("4500"). */
    public String hex() {
        StringBuilder text = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            text.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
