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
        for (; i + 8 <= n; i += 8) {
            long v = (long) LONGS.get(a, i);
            b.putLong(offset + i, bigEndian ? v : Long.reverseBytes(v));
            sum += (v >>> 32) + (v & 0xFFFFFFFFL);
        }
        if (i + 4 <= n) {
            int v = (int) INTS.get(a, i);
            b.putInt(offset + i, bigEndian ? v : Integer.reverseBytes(v));
            sum += v & 0xFFFFFFFFL;
            i += 4;
        }
        for (; i < n; i++) {
            b.put(offset + i, a[i]);
            sum += (i & 1) == 0 ? (a[i] & 0xFF) << 8 : a[i] & 0xFF;
        }
        return sum;
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
