package dev.rawsock.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The nine TCP flag bits (RFC 9293 §3.1, RFC 3168 for ECE/CWR) as an int, their names and the
 * hping/nping one-letter form.
 *
 * <p>The ninth bit, 0x100, is NS ("nonce sum", RFC 3540, now historic) or AE ("accurate ECN", the
 * AccECN specification): the same bit under two names. This class names it "NS" and letter "N" (as
 * scapy does, whose letter order "FSRPAUECN" this follows).
 */
public final class TcpFlags {
    private TcpFlags() {}

    public static final int FIN = 0x001;
    public static final int SYN = 0x002;
    public static final int RST = 0x004;
    public static final int PSH = 0x008;
    public static final int ACK = 0x010;
    public static final int URG = 0x020;
    public static final int ECE = 0x040;
    public static final int CWR = 0x080;
    /** NS/AE: nonce sum (RFC 3540) or accurate ECN, the same bit. */
    public static final int NS = 0x100;
    /** The same bit as {@link #NS}, under its accurate-ECN name. */
    public static final int AE = NS;
    /** Every flag bit. */
    public static final int ALL = 0x1FF;

    // Index i is bit 1 << i; this is also the fixed order of names() and letters().
    private static final String[] NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};
    private static final String LETTERS = "FSRPAUECN";

    /** The names of the set flags from the lowest bit up, e.g. 0x012 gives ["SYN", "ACK"]; 0 gives []. */
    public static List<String> names(int flags) {
        check(flags);
        List<String> out = new ArrayList<>(Integer.bitCount(flags));
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                out.add(NAMES[i]);
            }
        }
        return out;
    }

    /**
     * The hping/nping letters of the set flags in the fixed order F S R P A U E C N, e.g. "S", "SA",
     * "FA", "R", "RA", "PA"; the empty string when no flag is set.
     */
    public static String letters(int flags) {
        check(flags);
        StringBuilder out = new StringBuilder(9);
        return appendLetters(out, flags).toString();
    }

    /** Appends {@link #letters} without making a String (for the printers' reused buffers). */
    public static StringBuilder appendLetters(StringBuilder out, int flags) {
        for (int i = 0; i < LETTERS.length(); i++) {
            if ((flags & (1 << i)) != 0) {
                out.append(LETTERS.charAt(i));
            }
        }
        return out;
    }

    /**
     * Parses flags as people write them on a command line: a list of parts separated by ',', '|' or
     * '+', each part one of
     * <ul>
     * <li>a name, any case: fin syn rst psh ack urg ece cwr ns, or "none" (0) or "all" (0x1FF);</li>
     * <li>letters from "FSRPAUECN", any case and order ("SA", "fa");</li>
     * <li>a number: hex with 0x ("0x12") or decimal ("18"), at most 0x1FF.</li>
     * </ul>
     * A part that is a whole name is read as the name, so "ece" and "ns" are one flag each (write "EC"
     * for ECE+CWR and "SN" for SYN+NS; {@link #letters} never writes them the other way round). "AE" is
     * <em>not</em> the accurate-ECN bit but the letters A and E, ACK+ECE, as {@link #letters}{@code (0x050)}
     * writes it and as in scapy; write "ns", "N" or "0x100" for that bit. So {@code parse(letters(f)) == f}
     * for every f but 0, whose letters are empty (write "none"). IllegalArgumentException names the part
     * it could not read.
     */
    public static int parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no TCP flags given (use 'none' for no flags)");
        }
        int flags = 0;
        for (String raw : text.split("[,|+]", -1)) {
            String part = raw.trim();
            if (part.isEmpty()) {
                throw new IllegalArgumentException("empty part in TCP flags '" + text + "'");
            }
            flags |= parsePart(part, text);
        }
        return flags;
    }

    private static int parsePart(String part, String text) {
        String lower = part.toLowerCase(Locale.ROOT);
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].toLowerCase(Locale.ROOT).equals(lower)) {
                return 1 << i;
            }
        }
        switch (lower) {
            case "none": return 0;
            case "all": return ALL;
            default: break;
        }
        if (Character.isDigit(part.charAt(0))) {
            int value;
            try {
                value = lower.startsWith("0x") ? Integer.parseInt(lower.substring(2), 16) : Integer.parseInt(lower);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + part + "' in TCP flags '" + text + "' is not a number (hex like 0x12 or decimal like 18)");
            }
            if (value > ALL) {
                throw new IllegalArgumentException("'" + part + "' in TCP flags '" + text + "' is above 0x1ff (the nine flag bits)");
            }
            return value;
        }
        int flags = 0;
        String upper = part.toUpperCase(Locale.ROOT);
        for (int k = 0; k < upper.length(); k++) {
            int bit = LETTERS.indexOf(upper.charAt(k));
            if (bit < 0) {
                throw new IllegalArgumentException("'" + part + "' in TCP flags '" + text + "' is not a TCP flag"
                        + " (names fin syn rst psh ack urg ece cwr ns, letters FSRPAUECN, or a number like 0x12)");
            }
            flags |= 1 << bit;
        }
        return flags;
    }

    private static void check(int flags) {
        if (flags < 0 || flags > ALL) {
            throw new IllegalArgumentException("TCP flags must be 0-0x1ff but were 0x" + Integer.toHexString(flags));
        }
    }
}
