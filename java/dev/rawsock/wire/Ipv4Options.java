package dev.rawsock.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 options (RFC 791 §3.1, RFC 2113 for Router Alert): a type byte (copied flag, class, number), then
 * for all but EOL and NOP a length byte counting the whole option and the data.
 */
public final class Ipv4Options {
    private Ipv4Options() {}

    public static final int EOL = 0x00;
    public static final int NOP = 0x01;
    public static final int RECORD_ROUTE = 0x07;
    public static final int TIMESTAMP = 0x44;
    public static final int LOOSE_SOURCE_ROUTE = 0x83;
    public static final int STRICT_SOURCE_ROUTE = 0x89;
    public static final int ROUTER_ALERT = 0x94;

    /** One option: its type byte, its length byte as written (1 for EOL and NOP), and its data. */
    public record Option(int type, int length, Bytes data) {
        public String name() {
            return Ipv4Options.name(type);
        }
    }

    /**
     * Parsed options, and the first malformation if any: {@code errorOffset} counts from the start of
     * the options, -1 when they are well formed. Options after a malformation are not read.
     */
    public record Parsed(List<Option> options, String error, int errorOffset) {
        public boolean wellFormed() {
            return error == null;
        }
    }

    /** A short name for an option type: "eol", "nop", "rr", "ts", "lsrr", "ssrr", "ra", or "opt-N". */
    public static String name(int type) {
        switch (type) {
            case EOL: return "eol";
            case NOP: return "nop";
            case RECORD_ROUTE: return "rr";
            case TIMESTAMP: return "ts";
            case LOOSE_SOURCE_ROUTE: return "lsrr";
            case STRICT_SOURCE_ROUTE: return "ssrr";
            case ROUTER_ALERT: return "ra";
            default: return "opt-" + type;
        }
    }

    public static Parsed parse(Bytes raw) {
        List<Option> options = new ArrayList<>();
        int i = 0;
        int n = raw.length();
        while (i < n) {
            int type = raw.get(i);
            if (type == EOL || type == NOP) {
                options.add(new Option(type, 1, Bytes.EMPTY));
                i++;
                if (type == EOL) {
                    // Everything after EOL is padding; it is kept in the header's raw bytes.
                    break;
                }
                continue;
            }
            if (i + 1 >= n) {
                return new Parsed(options, "option " + name(type) + " has no length byte", i);
            }
            int length = raw.get(i + 1);
            if (length < 2) {
                return new Parsed(options, "option " + name(type) + " has length " + length + " (at least 2)", i);
            }
            if (i + length > n) {
                return new Parsed(options, "option " + name(type) + " of length " + length + " runs past the header", i);
            }
            byte[] data = new byte[length - 2];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) raw.get(i + 2 + k);
            }
            options.add(new Option(type, length, Bytes.of(data)));
            i += length;
        }
        return new Parsed(options, null, -1);
    }

    /**
     * Where the first malformed option starts, counted from {@code offset}, or -1 when all are well
     * formed. Allocation-free, for the decoder's hot path; {@link #problemAt} says what is wrong.
     */
    public static int malformedAt(java.nio.ByteBuffer b, int offset, int length) {
        int i = 0;
        while (i < length) {
            int type = b.get(offset + i) & 0xFF;
            if (type == EOL) {
                return -1;
            }
            if (type == NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return i;
            }
            int optionLength = b.get(offset + i + 1) & 0xFF;
            if (optionLength < 2 || i + optionLength > length) {
                return i;
            }
            i += optionLength;
        }
        return -1;
    }

    /** What is wrong with the option at {@code at} (an offset {@link #malformedAt} returned). */
    public static String problemAt(java.nio.ByteBuffer b, int offset, int length, int at) {
        return parse(Bytes.copyOf(b, offset, length)).error();
    }

    /** Encodes options back to bytes exactly as held (lengths as written), for crafting. */
    public static Bytes encode(List<Option> options) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Option o : options) {
            out.write(o.type());
            if (o.type() != EOL && o.type() != NOP) {
                out.write(o.length());
                out.writeBytes(o.data().toArray());
            }
        }
        return Bytes.of(out.toByteArray());
    }
}
