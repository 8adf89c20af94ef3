package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An IPv6 fixed header as a value (RFC 8200 §3): every field as written, including the wrong ones (a
 * version other than 6, a payload length that disagrees with the data), so {@code decode(emit(h))} equals
 * {@code h} for any {@code h}. Addresses are 16 {@link Bytes}; extension headers are not part of this
 * value (see {@link Ipv6ExtensionHeaders}).
 */
public record Ipv6Header(int version, int trafficClass, int flowLabel, int payloadLength, int nextHeader,
                         int hopLimit, Bytes source, Bytes destination) {

    public Ipv6Header {
        Ipv4Header.checkRange("version", version, 0xF);
        Ipv4Header.checkRange("traffic_class", trafficClass, 0xFF);
        Ipv4Header.checkRange("flow_label", flowLabel, 0xFFFFF);
        Ipv4Header.checkRange("payload_length", payloadLength, 0xFFFF);
        Ipv4Header.checkRange("next_header", nextHeader, 0xFF);
        Ipv4Header.checkRange("hop_limit", hopLimit, 0xFF);
        if (source.length() != 16) {
            throw new IllegalArgumentException("source must be 16 bytes but was " + source.length());
        }
        if (destination.length() != 16) {
            throw new IllegalArgumentException("destination must be 16 bytes but was " + destination.length());
        }
    }

    /** The header length this value occupies when emitted: 40 bytes. */
    public int emittedLengthBytes() {
        return Ipv6View.HEADER_BYTES;
    }

    /** Reads the header at the view; IllegalArgumentException when fewer than 40 bytes are available. */
    public static Ipv6Header decode(Ipv6View v, int availableBytes) {
        if (availableBytes < Ipv6View.HEADER_BYTES) {
            throw new IllegalArgumentException("IPv6 header truncated: " + availableBytes + " of "
                    + Ipv6View.HEADER_BYTES + " bytes");
        }
        return new Ipv6Header(v.version(), v.trafficClass(), v.flowLabel(), v.payloadLength(), v.nextHeader(),
                v.hopLimit(), v.source(), v.destination());
    }

    /** Writes every field exactly as held; returns the bytes written (40). */
    public int emit(ByteBuffer b, int offset) {
        new Ipv6View().wrap(b, offset).version(version).trafficClass(trafficClass).flowLabel(flowLabel)
                .payloadLength(payloadLength).nextHeader(nextHeader).hopLimit(hopLimit)
                .source(source).destination(destination);
        return Ipv6View.HEADER_BYTES;
    }
}
