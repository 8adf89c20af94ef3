package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** An immutable run of bytes with value equality and a hex text form: option bodies, payloads, raw fields. */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] bytes;
    /** Built by the first {@link #writeSummed} or {@link #writePaddedSummed}; not part of the value. */
    private Prepared prepared;

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
     * Internet checksum sum (what {@link Checksums#sum} of the bytes written gives), for the assembler, whose
     * payloads start at even offsets of the headers they are summed with. The sum is worked out on first use
     * and kept: a packet template writes the same bytes many times.
     */
    public long writeSummed(ByteBuffer b, int offset) {
        b.put(offset, bytes);
        return prepared().sum;
    }

    /**
     * Writes the bytes at {@code offset} of {@code b} followed by zeros up to a multiple of 4 bytes, as IP and
     * TCP options are padded with EOL (RFC 791, RFC 9293), and returns their sum (the zeros add nothing).
     * Options are written as 8- and 4-byte words kept from the first use: fewer stores than the bytes, and
     * cheaper than a bulk copy for a run this short.
     */
    public long writePaddedSummed(ByteBuffer b, int offset) {
        Prepared p = prepared();
        long[] words = p.paddedWords;
        int paddedBytes = (bytes.length + 3) & ~3;
        if (words == null) {
            b.put(offset, bytes);
            for (int i = offset + bytes.length; i < offset + paddedBytes; i++) {
                b.put(i, (byte) 0);
            }
            return p.sum;
        }
        // Straight-line stores, 32 + 16 + 8 + 4 bytes at most: a loop's set-up costs more than its two or
        // three turns here. The order is read once, not per store as BigEndian's writers read it: a build
        // measured 3% slower with a BigEndian.put64 here (one process, alternating).
        boolean bigEndian = b.order() == ByteOrder.BIG_ENDIAN;
        int k = 0;
        if (paddedBytes >= 32) {
            putWord(b, offset, words[0], bigEndian);
            putWord(b, offset + 8, words[1], bigEndian);
            putWord(b, offset + 16, words[2], bigEndian);
            putWord(b, offset + 24, words[3], bigEndian);
            k = 4;
        }
        if ((paddedBytes & 16) != 0) {
            putWord(b, offset + 8 * k, words[k], bigEndian);
            putWord(b, offset + 8 * k + 8, words[k + 1], bigEndian);
            k += 2;
        }
        if ((paddedBytes & 8) != 0) {
            putWord(b, offset + 8 * k, words[k], bigEndian);
            k++;
        }
        if ((paddedBytes & 4) != 0) {
            int v = (int) (words[k] >>> 32);
            b.putInt(offset + 8 * k, bigEndian ? v : Integer.reverseBytes(v));
        }
        return p.sum;
    }

    private static void putWord(ByteBuffer b, int at, long bigEndianValue, boolean bigEndian) {
        b.putLong(at, bigEndian ? bigEndianValue : Long.reverseBytes(bigEndianValue));
    }

    private Prepared prepared() {
        Prepared p = prepared;
        if (p == null) {
            p = new Prepared(bytes);
            prepared = p; // a race prepares twice, harmlessly: Prepared's fields are final
        }
        return p;
    }

    /** What the writes above keep of the bytes: their sum and, for a short run, its big-endian words. */
    private static final class Prepared {
        /** Runs up to this long are kept as words too (IP and TCP options take at most 40 bytes). */
        static final int MAX_WORD_BYTES = 60;

        final long sum;
        /** The bytes as big-endian 8-byte words, the last padded with zeros; null past {@link #MAX_WORD_BYTES}. */
        final long[] paddedWords;

        Prepared(byte[] bytes) {
            sum = Checksums.sum(ByteBuffer.wrap(bytes), 0, bytes.length);
            if (bytes.length > MAX_WORD_BYTES) {
                paddedWords = null;
                return;
            }
            paddedWords = new long[(bytes.length + 7) >>> 3];
            for (int i = 0; i < bytes.length; i++) {
                paddedWords[i >>> 3] |= (bytes[i] & 0xFFL) << (56 - 8 * (i & 7));
            }
        }
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
