package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * TCP options (RFC 9293 §3.2): parsing the bytes between the fixed header and the data offset into
 * {@link TcpOption} values, and encoding values back to bytes.
 *
 * <p>The rules, the same as Linux's {@code tcp_parse_options} and tcpdump's printer:
 * <ul>
 * <li>EOL (kind 0) ends the list; the bytes after it are padding and are not read.</li>
 * <li>NOP (kind 1) is one byte.</li>
 * <li>Every other kind has a length byte counting kind, length and data. The list is <b>malformed</b>,
 *     and parsing stops, at the first option whose kind is the last byte (no length byte), whose length
 *     is 0 or 1 (the walk could not go on), or whose length runs past the end of the options. The error
 *     and its offset are reported in {@link Parsed}, never thrown.</li>
 * <li>A known kind with the wrong length (an MSS of length 3, a SACK of length 11) is still well framed:
 *     it becomes {@link TcpOption.Unknown} with its bytes kept and a {@link TcpOption.Unknown#note()},
 *     and parsing goes on. The list stays well formed. Linux skips such an option the same way.</li>
 * </ul>
 * So for well-formed options without an EOL, {@code encode(parse(x).options())} gives back {@code x}.
 * Offsets in results count from the first option byte.
 */
public final class TcpOptions {
    private TcpOptions() {}

    public static final int EOL = 0;
    public static final int NOP = 1;
    public static final int MSS = 2;
    public static final int WINDOW_SCALE = 3;
    public static final int SACK_PERMITTED = 4;
    public static final int SACK = 5;
    public static final int TIMESTAMPS = 8;

    /** The most option bytes a header can carry (data offset 15). */
    public static final int MAX_BYTES = 40;

    /**
     * Parsed options, and the first malformation if any: {@code errorOffset} counts from the first option
     * byte, -1 when they are well formed. Options after a malformation are not read.
     */
    public record Parsed(List<TcpOption> options, String error, int errorOffset) {
        public Parsed {
            options = List.copyOf(options);
        }

        public boolean wellFormed() {
            return error == null;
        }
    }

    /** A short name for an option kind: "eol", "nop", "mss", "wscale", "sackOK", "sack", "ts", or "opt-N". */
    public static String kindName(int kind) {
        switch (kind) {
            case EOL: return "eol";
            case NOP: return "nop";
            case MSS: return "mss";
            case WINDOW_SCALE: return "wscale";
            case SACK_PERMITTED: return "sackOK";
            case SACK: return "sack";
            case TIMESTAMPS: return "ts";
            default: return "opt-" + kind;
        }
    }

    /** Parses the {@code length} option bytes at {@code offset} of {@code b}. */
    public static Parsed parse(ByteBuffer b, int offset, int length) {
        List<TcpOption> options = new ArrayList<>();
        int i = 0;
        while (i < length) {
            int kind = b.get(offset + i) & 0xFF;
            if (kind == EOL) {
                options.add(new TcpOption.Eol());
                break;
            }
            if (kind == NOP) {
                options.add(new TcpOption.Nop());
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return new Parsed(options, "option " + kindName(kind) + " has no length byte", i);
            }
            int size = b.get(offset + i + 1) & 0xFF;
            if (size < 2) {
                return new Parsed(options, "option " + kindName(kind) + " has length " + size + " (at least 2)", i);
            }
            if (i + size > length) {
                return new Parsed(options, "option " + kindName(kind) + " of length " + size + " runs past the options ("
                        + (length - i) + " bytes left)", i);
            }
            options.add(read(b, offset + i, kind, size));
            i += size;
        }
        return new Parsed(options, null, -1);
    }

    /** Parses options held as bytes (a {@link TcpHeader}'s). */
    public static Parsed parse(Bytes raw) {
        return parse(ByteBuffer.wrap(raw.toArray()), 0, raw.length());
    }

    /**
     * True when every option up to an EOL is one nearly every segment carries, at its proper length: NOP, MSS (4),
     * window scale (3), SACK-permitted (2), timestamps (10), and none runs past {@code length}. Printers write
     * such options straight from the bytes and take {@link #parse} for anything else. Allocates nothing.
     */
    public static boolean onlyCommon(ByteBuffer b, int offset, int length) {
        int i = 0;
        while (i < length) {
            int kind = b.get(offset + i) & 0xFF;
            if (kind == EOL) {
                return true;
            }
            if (kind == NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return false;
            }
            int size = b.get(offset + i + 1) & 0xFF;
            boolean common = (kind == MSS && size == 4) || (kind == WINDOW_SCALE && size == 3)
                    || (kind == SACK_PERMITTED && size == 2) || (kind == TIMESTAMPS && size == 10);
            if (!common || i + size > length) {
                return false;
            }
            i += size;
        }
        return true;
    }

    /**
     * The offset (from the first option byte) of the first malformation by the rules above, or -1 when
     * the options are well formed. Allocates nothing: this is the decoder's hot path.
     */
    public static int malformedAt(ByteBuffer b, int offset, int length) {
        int i = 0;
        while (i < length) {
            int kind = b.get(offset + i) & 0xFF;
            if (kind == EOL) {
                return -1;
            }
            if (kind == NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                return i;
            }
            int size = b.get(offset + i + 1) & 0xFF;
            if (size < 2 || i + size > length) {
                return i;
            }
            i += size;
        }
        return -1;
    }

    /** Encodes options back to bytes, one after another; no padding is added (crafting pads separately). */
    public static Bytes encode(List<? extends TcpOption> options) {
        int total = 0;
        for (TcpOption o : options) {
            total += o.length();
        }
        byte[] out = new byte[total];
        ByteBuffer b = ByteBuffer.wrap(out);
        int at = 0;
        for (TcpOption o : options) {
            at += o.encodeTo(b, at);
        }
        return Bytes.of(out);
    }

    /** Null when {@code length} suits a known {@code kind} (or the kind is unknown); else what is wrong. */
    static String lengthNote(int kind, int length) {
        if (lengthFits(kind, length)) {
            return null;
        }
        String wanted = kind == SACK ? "2 + 8n (n >= 1)" : Integer.toString(fixedLength(kind));
        return kindName(kind) + " needs length " + wanted + ", not " + length;
    }

    private static boolean lengthFits(int kind, int size) {
        switch (kind) {
            case MSS:
            case WINDOW_SCALE:
            case SACK_PERMITTED:
            case TIMESTAMPS:
                return size == fixedLength(kind);
            case SACK:
                return size >= 10 && (size - 2) % 8 == 0;
            default:
                return true;
        }
    }

    private static int fixedLength(int kind) {
        switch (kind) {
            case MSS: return 4;
            case WINDOW_SCALE: return 3;
            case SACK_PERMITTED: return 2;
            case TIMESTAMPS: return 10;
            default: return -1;
        }
    }

    // One well-framed option of `size` bytes at `at` (kind byte); kind is neither EOL nor NOP.
    private static TcpOption read(ByteBuffer b, int at, int kind, int size) {
        if (lengthFits(kind, size)) {
            switch (kind) {
                case MSS:
                    return new TcpOption.Mss(u16(b, at + 2));
                case WINDOW_SCALE:
                    return new TcpOption.WindowScale(b.get(at + 2) & 0xFF);
                case SACK_PERMITTED:
                    return new TcpOption.SackPermitted();
                case SACK: {
                    List<TcpOption.SackBlock> blocks = new ArrayList<>((size - 2) / 8);
                    for (int k = at + 2; k < at + size; k += 8) {
                        blocks.add(new TcpOption.SackBlock(u32(b, k), u32(b, k + 4)));
                    }
                    return new TcpOption.Sack(blocks);
                }
                case TIMESTAMPS:
                    return new TcpOption.Timestamps(u32(b, at + 2), u32(b, at + 6));
                default:
                    break;
            }
        }
        return new TcpOption.Unknown(kind, Bytes.copyOf(b, at + 2, size - 2));
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }

    private static long u32(ByteBuffer b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }
}
