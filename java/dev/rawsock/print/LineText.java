package dev.rawsock.print;

import java.util.Arrays;

/**
 * One line of text in a reused char array, with the few appends {@link LinePrinter} needs. Why not the
 * caller's StringBuilder directly: each StringBuilder append the JIT inlines brings its capacity growth and
 * Latin-1/UTF-16 branches (150-300 bytes of bytecode a call), and C2's compilation of the line printer, the
 * largest part of a million-packet decode's peak RSS, took 16-18 MB of compiler memory with them and 13-15 MB
 * with these (the decode's peak RSS went from 63 to 56 MB, and it ran faster: README, Benchmarks).
 */
final class LineText {
    private char[] chars = new char[256];
    private int length;
    /** For the wire package's StringBuilder writers (IPv6 and MAC addresses, flag letters). */
    private final StringBuilder scratch = new StringBuilder(64);

    void clear() {
        length = 0;
    }

    int length() {
        return length;
    }

    LineText append(char c) {
        room(1);
        chars[length++] = c;
        return this;
    }

    LineText append(String s) {
        int n = s.length();
        room(n);
        s.getChars(0, n, chars, length);
        length += n;
        return this;
    }

    /** What a wire-package writer put in {@link #scratch()}. */
    LineText append(StringBuilder s) {
        int n = s.length();
        room(n);
        s.getChars(0, n, chars, length);
        length += n;
        return this;
    }

    LineText append(int value) {
        return append((long) value);
    }

    /** Decimal, as StringBuilder.append(long) writes it. */
    LineText append(long value) {
        if (value < 0) { // not on the hot path: the header fields printed are unsigned
            return append(Long.toString(value));
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        room(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            chars[i] = (char) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /** A dotted quad, as Ipv4Address.append writes it. */
    LineText ipv4(int address) {
        return append((address >>> 24) & 0xFF).append('.').append((address >>> 16) & 0xFF).append('.')
                .append((address >>> 8) & 0xFF).append('.').append(address & 0xFF);
    }

    /** An empty builder to hand to a StringBuilder writer, then to {@link #append(StringBuilder)}. */
    StringBuilder scratch() {
        scratch.setLength(0);
        return scratch;
    }

    StringBuilder appendTo(StringBuilder out) {
        return out.append(chars, 0, length);
    }

    private void room(int n) {
        if (length + n > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(2 * chars.length, length + n));
        }
    }

    @Override
    public String toString() {
        return new String(chars, 0, length);
    }
}
