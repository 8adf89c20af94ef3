package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One TCP option as a value (RFC 9293 §3.2, RFC 7323, RFC 2018). Each knows its kind, its short name
 * and how to write itself: a kind byte, then for all but EOL and NOP a length byte counting the whole
 * option, then the data. Values that the RFCs forbid but a crafting tool must be able to send (a window
 * scale of 200, an MSS of 0, a SACK with no blocks) are allowed; only what cannot be written at all
 * (a value too wide for its bytes) is refused. Kinds without a record here, and known kinds whose
 * length is wrong, are {@link Unknown}: kind and data as raw bytes.
 *
 * @see TcpOptions for parsing and encoding lists
 */
public sealed interface TcpOption {

    /** The kind byte. */
    int kind();

    /** A short name: "eol", "nop", "mss", "wscale", "sackOK", "sack", "ts", or "opt-N". */
    default String name() {
        return TcpOptions.kindName(kind());
    }

    /** The bytes this option occupies when encoded, kind and length bytes included. */
    int length();

    /** Writes the option at {@code offset} of {@code b}; returns the bytes written ({@link #length()}). */
    int encodeTo(ByteBuffer b, int offset);

    /** The option's bytes. */
    default Bytes encode() {
        byte[] out = new byte[length()];
        encodeTo(ByteBuffer.wrap(out), 0);
        return Bytes.of(out);
    }

    /** End of option list (kind 0, one byte); what follows it is padding. */
    record Eol() implements TcpOption {
        public int kind() {
            return TcpOptions.EOL;
        }

        public int length() {
            return 1;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            b.put(offset, (byte) TcpOptions.EOL);
            return 1;
        }
    }

    /** No-operation (kind 1, one byte), used to align the next option. */
    record Nop() implements TcpOption {
        public int kind() {
            return TcpOptions.NOP;
        }

        public int length() {
            return 1;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            b.put(offset, (byte) TcpOptions.NOP);
            return 1;
        }
    }

    /** Maximum segment size (kind 2, length 4). */
    record Mss(int mss) implements TcpOption {
        public Mss {
            checkRange("mss", mss, 0xFFFF);
        }

        public int kind() {
            return TcpOptions.MSS;
        }

        public int length() {
            return 4;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind(), 4);
            put16(b, offset + 2, mss);
            return 4;
        }
    }

    /** Window scale shift count (kind 3, length 3, RFC 7323 §2); receivers treat more than 14 as 14. */
    record WindowScale(int shift) implements TcpOption {
        public WindowScale {
            checkRange("wscale", shift, 0xFF);
        }

        public int kind() {
            return TcpOptions.WINDOW_SCALE;
        }

        public int length() {
            return 3;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind(), 3);
            b.put(offset + 2, (byte) shift);
            return 3;
        }
    }

    /** SACK permitted (kind 4, length 2, RFC 2018). */
    record SackPermitted() implements TcpOption {
        public int kind() {
            return TcpOptions.SACK_PERMITTED;
        }

        public int length() {
            return 2;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind(), 2);
            return 2;
        }
    }

    /** One selective acknowledgment block: the first sequence number and the one after the last. */
    record SackBlock(long left, long right) {
        public SackBlock {
            checkRange("sack left edge", left, 0xFFFFFFFFL);
            checkRange("sack right edge", right, 0xFFFFFFFFL);
        }
    }

    /**
     * Selective acknowledgment (kind 5, length 2 + 8 per block, RFC 2018). Up to 31 blocks fit the length
     * byte (4 fit a header); an empty list encodes as length 2, which parses back as {@link Unknown}.
     */
    record Sack(List<SackBlock> blocks) implements TcpOption {
        public Sack {
            blocks = List.copyOf(blocks);
            if (blocks.size() > 31) {
                throw new IllegalArgumentException("sack holds at most 31 blocks (length 250; the length byte stops at 255), not " + blocks.size());
            }
        }

        public int kind() {
            return TcpOptions.SACK;
        }

        public int length() {
            return 2 + 8 * blocks.size();
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind(), length());
            int at = offset + 2;
            for (SackBlock block : blocks) {
                put32(b, at, block.left());
                put32(b, at + 4, block.right());
                at += 8;
            }
            return length();
        }
    }

    /** Timestamps (kind 8, length 10, RFC 7323 §3): the sender's clock and the echoed one, unsigned. */
    record Timestamps(long tsval, long tsecr) implements TcpOption {
        public Timestamps {
            checkRange("ts val", tsval, 0xFFFFFFFFL);
            checkRange("ts ecr", tsecr, 0xFFFFFFFFL);
        }

        public int kind() {
            return TcpOptions.TIMESTAMPS;
        }

        public int length() {
            return 10;
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind(), 10);
            put32(b, offset + 2, tsval);
            put32(b, offset + 6, tsecr);
            return 10;
        }
    }

    /**
     * Any other option, as its kind and raw data (the length byte is {@code 2 + data.length()}). The
     * parser also gives this for a known kind with the wrong length (an MSS of length 3), keeping its
     * bytes; {@link #note()} then says what is wrong.
     */
    record Unknown(int kind, Bytes data) implements TcpOption {
        public Unknown {
            checkRange("option kind", kind, 0xFF);
            if (kind == TcpOptions.EOL || kind == TcpOptions.NOP) {
                throw new IllegalArgumentException("option kind " + kind + " has no length byte; use Eol or Nop");
            }
            if (data.length() > 253) {
                throw new IllegalArgumentException("option data is at most 253 bytes (length byte 255), not " + data.length());
            }
        }

        public int length() {
            return 2 + data.length();
        }

        public int encodeTo(ByteBuffer b, int offset) {
            head(b, offset, kind, length());
            data.writeTo(b, offset + 2);
            return length();
        }

        /** Null, or why a known kind is held raw: e.g. "mss needs length 4, not 3". */
        public String note() {
            return TcpOptions.lengthNote(kind, length());
        }
    }

    private static void head(ByteBuffer b, int offset, int kind, int length) {
        b.put(offset, (byte) kind);
        b.put(offset + 1, (byte) length);
    }

    private static void put16(ByteBuffer b, int offset, int value) {
        b.put(offset, (byte) (value >>> 8));
        b.put(offset + 1, (byte) value);
    }

    private static void put32(ByteBuffer b, int offset, long value) {
        put16(b, offset, (int) (value >>> 16));
        put16(b, offset + 2, (int) value);
    }

    private static void checkRange(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
    }
}
