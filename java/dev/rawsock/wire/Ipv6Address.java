package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * IPv6 addresses as 16 bytes (in a buffer, or as {@link Bytes}), with the RFC 5952 text form:
 * lower-case hex, leading zeros dropped in each group (§4.1), the longest run of two or more zero groups
 * shortened to "::" (§4.2; the first run on a tie, never a single group), and IPv4-mapped addresses
 * (::ffff:0:0/96) written with the IPv4 part dotted, "::ffff:192.0.2.1" (§5). Other IPv4-embedding forms
 * (the deprecated IPv4-compatible ::/96, NAT64 64:ff9b::/96) are written in plain hex, since RFC 5952
 * leaves their mixed form to external knowledge of the address's use.
 */
public final class Ipv6Address {
    private Ipv6Address() {}

    /** The address length in bytes. */
    public static final int BYTES = 16;

    /** The RFC 5952 text of the 16 bytes at {@code offset}. */
    public static String text(ByteBuffer b, int offset) {
        return append(new StringBuilder(39), b, offset).toString();
    }

    /** The RFC 5952 text of a 16-byte address. */
    public static String text(Bytes address) {
        if (address.length() != BYTES) {
            throw new IllegalArgumentException("an IPv6 address is 16 bytes, not " + address.length());
        }
        return text(ByteBuffer.wrap(address.toArray()), 0);
    }

    /** True when the address at {@code offset} is IPv4-mapped, ::ffff:a.b.c.d (RFC 4291 §2.5.5.2). */
    public static boolean isIpv4Mapped(ByteBuffer b, int offset) {
        for (int i = 0; i < 10; i++) {
            if (b.get(offset + i) != 0) {
                return false;
            }
        }
        return b.get(offset + 10) == (byte) 0xFF && b.get(offset + 11) == (byte) 0xFF;
    }

    /** Appends the RFC 5952 text of the 16 bytes at {@code offset} without allocating. */
    public static StringBuilder append(StringBuilder out, ByteBuffer b, int offset) {
        if (isIpv4Mapped(b, offset)) {
            out.append("::ffff:");
            return out.append(b.get(offset + 12) & 0xFF).append('.').append(b.get(offset + 13) & 0xFF).append('.')
                    .append(b.get(offset + 14) & 0xFF).append('.').append(b.get(offset + 15) & 0xFF);
        }
        // The longest run of zero groups (first on a tie), if two or more long.
        int bestStart = -1;
        int bestLength = 1;
        int runStart = -1;
        for (int g = 0; g < 8; g++) {
            if (group(b, offset, g) == 0) {
                if (runStart < 0) {
                    runStart = g;
                }
                if (g - runStart + 1 > bestLength) {
                    bestStart = runStart;
                    bestLength = g - runStart + 1;
                }
            } else {
                runStart = -1;
            }
        }
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLength - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLength) {
                out.append(':');
            }
            appendHex(out, group(b, offset, g));
        }
        return out;
    }

    private static int group(ByteBuffer b, int offset, int g) {
        return ((b.get(offset + 2 * g) & 0xFF) << 8) | (b.get(offset + 2 * g + 1) & 0xFF);
    }

    private static void appendHex(StringBuilder out, int value) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int digit = (value >>> shift) & 0xF;
            if (digit != 0 || started || shift == 0) {
                out.append(Character.forDigit(digit, 16));
                started = true;
            }
        }
    }

    /**
     * Parses any RFC 4291 §2.2 text form: eight groups of one to four hex digits, at most one "::" standing
     * for one or more zero groups, and optionally a dotted IPv4 address as the last 32 bits. Zone ids
     * ("%eth0") are not part of an address and are refused. IllegalArgumentException names what is wrong.
     */
    public static Bytes parse(String text) {
        byte[] out = new byte[BYTES];
        parseInto(text, out);
        return Bytes.of(out);
    }

    /** {@link #parse} into a 16-byte array (for {@link Ipv6View#source(byte[])}); returns the array. */
    public static byte[] parseInto(String text, byte[] out) {
        if (out.length != BYTES) {
            throw new IllegalArgumentException("an IPv6 address needs 16 bytes, not " + out.length);
        }
        String t = text.trim();
        if (t.isEmpty()) {
            throw invalid(text, "empty");
        }
        for (int i = 0; i < t.length(); i++) {
            if (Character.isWhitespace(t.charAt(i))) {
                throw invalid(text, "white space inside");
            }
        }
        if (t.indexOf('%') >= 0) {
            throw invalid(text, "a zone id (%...) is not part of the address");
        }
        int gap = t.indexOf("::");
        if (gap >= 0 && t.indexOf("::", gap + 1) >= 0) {
            throw invalid(text, "'::' may appear only once");
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int headCount;
        int tailCount;
        if (gap < 0) {
            headCount = groups(text, t, head, true);
            tailCount = 0;
            if (headCount != 8) {
                throw invalid(text, "expected 8 groups of hex digits, found " + headCount);
            }
        } else {
            String tailText = t.substring(gap + 2);
            headCount = groups(text, t.substring(0, gap), head, false);
            tailCount = groups(text, tailText, tail, true);
            if (headCount + tailCount > 7) {
                throw invalid(text, "'::' must stand for at least one zero group, but " + (headCount + tailCount)
                        + " groups are given");
            }
        }
        java.util.Arrays.fill(out, (byte) 0);
        for (int i = 0; i < headCount; i++) {
            out[2 * i] = (byte) (head[i] >>> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tailCount; i++) {
            int g = 8 - tailCount + i;
            out[2 * g] = (byte) (tail[i] >>> 8);
            out[2 * g + 1] = (byte) tail[i];
        }
        return out;
    }

    /** Parses colon-separated groups into {@code into}; a dotted IPv4 last part counts as two groups. */
    private static int groups(String original, String part, int[] into, boolean ipv4Allowed) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] pieces = part.split(":", -1);
        int count = 0;
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i];
            if (piece.indexOf('.') >= 0) {
                if (!ipv4Allowed || i != pieces.length - 1) {
                    throw invalid(original, "an IPv4 part ('" + piece + "') may only end the address");
                }
                if (count + 2 > 8) {
                    throw invalid(original, "too many groups");
                }
                int v4;
                try {
                    v4 = Ipv4Address.parse(piece);
                } catch (IllegalArgumentException e) {
                    throw invalid(original, "'" + piece + "' is not a dotted IPv4 address");
                }
                into[count++] = v4 >>> 16;
                into[count++] = v4 & 0xFFFF;
                continue;
            }
            if (piece.isEmpty()) {
                throw invalid(original, "empty group (a single ':' at the start or end, or ':::')");
            }
            if (piece.length() > 4) {
                throw invalid(original, "group '" + piece + "' has more than 4 hex digits");
            }
            int value = 0;
            for (int k = 0; k < piece.length(); k++) {
                int digit = Character.digit(piece.charAt(k), 16);
                if (digit < 0) {
                    throw invalid(original, "'" + piece.charAt(k) + "' is not a hex digit");
                }
                value = (value << 4) | digit;
            }
            if (count == 8) {
                throw invalid(original, "more than 8 groups");
            }
            into[count++] = value;
        }
        return count;
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("'" + text + "' is not an IPv6 address (" + why + ")");
    }
}
