package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** An immutable run of bytes with value equality and a hex text form: option bodies, payloads, raw fields. */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

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
