package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An IPv4 header as a value: every field as written, including the wrong ones (a bad checksum, an ihl
 * that disagrees with the options, the reserved flag), so {@code decode(emit(h))} equals {@code h} for
 * any {@code h}. Options are kept as their raw bytes; {@link #parsedOptions()} reads them.
 *
 * <p>One consistency rule keeps that round trip true, the same as {@link TcpHeader}'s: the options may not
 * be longer than the ihl says ({@code options.length() <= max(0, ihl * 4 - 20)}). Bytes past {@code ihl * 4}
 * are the IP payload on the wire whatever the sender meant, so this forbids no packet: to send "options"
 * the header does not claim, put them at the start of the payload. Shorter options than the ihl claims are
 * fine (a truncated capture, or a crafted lie).
 *
 * @param options the bytes between the fixed header and {@code ihl * 4} (may be shorter than ihl says
 *                when the header was truncated or malformed)
 */
public record Ipv4Header(int version, int ihl, int dscp, int ecn, int totalLength, int identification,
                         boolean flagReserved, boolean dontFragment, boolean moreFragments, int fragmentOffset,
                         int ttl, int protocol, int checksum, int source, int destination, Bytes options) {

    public Ipv4Header {
        checkRange("version", version, 0xF);
        checkRange("ihl", ihl, 0xF);
        checkRange("dscp", dscp, 0x3F);
        checkRange("ecn", ecn, 0x3);
        checkRange("total_length", totalLength, 0xFFFF);
        checkRange("id", identification, 0xFFFF);
        checkRange("fragment_offset", fragmentOffset, 0x1FFF);
        checkRange("ttl", ttl, 0xFF);
        checkRange("protocol", protocol, 0xFF);
        checkRange("checksum", checksum, 0xFFFF);
        if (options.length() > 40) {
            throw new IllegalArgumentException("IPv4 options are at most 40 bytes, not " + options.length());
        }
        int room = Math.max(0, ihl * 4 - Ipv4View.MIN_HEADER_BYTES);
        if (options.length() > room) {
            throw new IllegalArgumentException("options are " + options.length() + " bytes but ihl " + ihl
                    + " leaves room for " + room + " (use ihl " + ihlFor(options.length())
                    + ", or send the extra bytes as payload)");
        }
    }

    /** The ihl that covers {@code optionBytes} option bytes: 5 plus the words they fill, rounded up. */
    public static int ihlFor(int optionBytes) {
        return 5 + (optionBytes + 3) / 4;
    }

    static void checkRange(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
    }

    /** The header length this value occupies when emitted: 20 bytes plus the option bytes. */
    public int emittedLengthBytes() {
        return Ipv4View.MIN_HEADER_BYTES + options.length();
    }

    /** Reads the header at the view; options are taken up to ihl * 4 or {@code available} bytes, whichever is less. */
    public static Ipv4Header decode(Ipv4View v, int availableBytes) {
        int optionBytes = Math.max(0, Math.min(v.headerLengthBytes(), availableBytes) - Ipv4View.MIN_HEADER_BYTES);
        return new Ipv4Header(v.version(), v.ihl(), v.dscp(), v.ecn(), v.totalLength(), v.identification(),
                v.flagReserved(), v.dontFragment(), v.moreFragments(), v.fragmentOffset(), v.ttl(), v.protocol(),
                v.checksum(), v.source(), v.destination(),
                Bytes.copyOf(v.buffer(), v.offset() + Ipv4View.MIN_HEADER_BYTES, optionBytes));
    }

    /** Writes every field exactly as held; returns the bytes written ({@link #emittedLengthBytes()}). */
    public int emit(ByteBuffer b, int offset) {
        Ipv4View v = new Ipv4View().wrap(b, offset);
        v.version(version).ihl(ihl).dscp(dscp).ecn(ecn).totalLength(totalLength).identification(identification)
                .fragmentOffset(fragmentOffset).flags(flagReserved, dontFragment, moreFragments)
                .ttl(ttl).protocol(protocol).checksum(checksum).source(source).destination(destination);
        options.writeTo(b, offset + Ipv4View.MIN_HEADER_BYTES);
        return emittedLengthBytes();
    }

    /** The options, parsed (RFC 791 §3.1); malformed ones are reported in the result, not thrown. */
    public Ipv4Options.Parsed parsedOptions() {
        return Ipv4Options.parse(options);
    }
}
