package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A TCP header as a value: every field as written, including the wrong ones (SYN+FIN, port 0, the
 * reserved bits, a data offset that disagrees with the options, a bad checksum), so
 * {@code decode(emit(h))} equals {@code h} for any {@code h}. Options are kept as their raw bytes;
 * {@link #parsedOptions()} reads them.
 *
 * <p>One consistency rule keeps that round trip true: the options may not be longer than the data offset
 * says ({@code options.length() <= max(0, dataOffset * 4 - 20)}). Bytes past {@code dataOffset * 4} are
 * payload on the wire whatever the sender meant, so this forbids no packet: to send "options" the header
 * does not claim, put them at the start of the payload. Shorter options than the data offset claims are
 * fine (a truncated capture, or a crafted lie).
 *
 * @param sequenceNumber       unsigned 32-bit, in a long
 * @param acknowledgmentNumber unsigned 32-bit, in a long
 * @param dataOffset           header length in 32-bit words as written (0-15)
 * @param reserved             the three reserved bits (0-7)
 * @param flags                the nine flag bits (0-0x1FF), see {@link TcpFlags}
 * @param options              the bytes between the fixed header and {@code dataOffset * 4} (may be shorter
 *                             than that when the header was truncated)
 */
public record TcpHeader(int sourcePort, int destinationPort, long sequenceNumber, long acknowledgmentNumber,
                        int dataOffset, int reserved, int flags, int window, int checksum, int urgentPointer,
                        Bytes options) {

    public TcpHeader {
        checkRange("source_port", sourcePort, 0xFFFF);
        checkRange("destination_port", destinationPort, 0xFFFF);
        checkRange("seq", sequenceNumber, 0xFFFFFFFFL);
        checkRange("ack", acknowledgmentNumber, 0xFFFFFFFFL);
        checkRange("data_offset", dataOffset, 0xF);
        checkRange("reserved", reserved, 0x7);
        checkRange("flags", flags, TcpFlags.ALL);
        checkRange("window", window, 0xFFFF);
        checkRange("checksum", checksum, 0xFFFF);
        checkRange("urgent_pointer", urgentPointer, 0xFFFF);
        int room = Math.max(0, dataOffset * 4 - TcpView.MIN_HEADER_BYTES);
        if (options.length() > room) {
            throw new IllegalArgumentException("options are " + options.length() + " bytes but data_offset " + dataOffset
                    + " leaves room for " + room + " (use data_offset " + dataOffsetFor(options.length())
                    + ", or send the extra bytes as payload)");
        }
    }

    /** The data offset that covers {@code optionBytes} option bytes: 5 plus the words they fill, rounded up. */
    public static int dataOffsetFor(int optionBytes) {
        return 5 + (optionBytes + 3) / 4;
    }

    /** The header length this value occupies when emitted: 20 bytes plus the option bytes. */
    public int emittedLengthBytes() {
        return TcpView.MIN_HEADER_BYTES + options.length();
    }

    /** Reads the header at the view; options are taken up to dataOffset * 4 or {@code available} bytes, whichever is less. */
    public static TcpHeader decode(TcpView v, int availableBytes) {
        int optionBytes = Math.max(0, Math.min(v.headerLengthBytes(), availableBytes) - TcpView.MIN_HEADER_BYTES);
        return new TcpHeader(v.sourcePort(), v.destinationPort(), v.sequenceNumber(), v.acknowledgmentNumber(),
                v.dataOffset(), v.reserved(), v.flags(), v.window(), v.checksum(), v.urgentPointer(),
                Bytes.copyOf(v.buffer(), v.offset() + TcpView.MIN_HEADER_BYTES, optionBytes));
    }

    /** Writes every field exactly as held; returns the bytes written ({@link #emittedLengthBytes()}). */
    public int emit(ByteBuffer b, int offset) {
        TcpView v = new TcpView().wrap(b, offset);
        v.sourcePort(sourcePort).destinationPort(destinationPort).sequenceNumber(sequenceNumber)
                .acknowledgmentNumber(acknowledgmentNumber).dataOffset(dataOffset).reserved(reserved).flags(flags)
                .window(window).checksum(checksum).urgentPointer(urgentPointer);
        options.writeTo(b, offset + TcpView.MIN_HEADER_BYTES);
        return emittedLengthBytes();
    }

    /** The options, parsed (see {@link TcpOptions}); malformed ones are reported in the result, not thrown. */
    public TcpOptions.Parsed parsedOptions() {
        return TcpOptions.parse(options);
    }

    private static void checkRange(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
    }
}
