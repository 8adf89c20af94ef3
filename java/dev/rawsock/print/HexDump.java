package dev.rawsock.print;

import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Layer;

import java.nio.ByteBuffer;

/**
 * Hex dumps: 16 bytes a line with the offset and the printable ASCII, like {@code xxd} and
 * {@code tcpdump -X}; and a labelled form for teaching, where each layer's bytes get a heading and the
 * fixed header fields are named byte range by byte range ("these 20 bytes are the IP header").
 */
public final class HexDump {
    private HexDump() {}

    /** {@code 0000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 00 01  E..<.F@.@.......}, one line per 16 bytes. */
    public static StringBuilder append(StringBuilder out, ByteBuffer b, int offset, int length, int firstShownOffset) {
        for (int line = 0; line < length; line += 16) {
            int shown = Math.min(16, length - line);
            hex(out, firstShownOffset + line, 4).append("  ");
            for (int i = 0; i < 16; i++) {
                if (i < shown) {
                    hex(out, b.get(offset + line + i) & 0xFF, 2).append(' ');
                } else {
                    out.append("   ");
                }
                if (i == 7) {
                    out.append(' ');
                }
            }
            out.append(' ');
            for (int i = 0; i < shown; i++) {
                int c = b.get(offset + line + i) & 0xFF;
                out.append(c >= 0x20 && c < 0x7F ? (char) c : '.');
            }
            out.append('\n');
        }
        return out;
    }

    /** The whole captured frame of a decoded packet. */
    public static StringBuilder append(StringBuilder out, DecodedPacket p) {
        return append(out, p.buffer(), p.frameOffset(), p.capturedLength(), 0);
    }

    /**
     * The frame layer by layer: a heading per layer with its size and offsets, the fixed header's fields
     * named with the bytes that hold them, then the layer's bytes; padding after the IP packet is shown
     * as such.
     */
    public static StringBuilder appendLabelled(StringBuilder out, DecodedPacket p) {
        ByteBuffer b = p.buffer();
        int frame = p.frameOffset();
        int covered = frame;
        for (int i = 0; i < p.layerCount(); i++) {
            Layer layer = p.layer(i);
            int at = p.layerOffset(i);
            int length = p.layerLength(i);
            String what = layer == Layer.PAYLOAD ? "payload (data)" : layer.jsonName + " header";
            out.append("-- ").append(what).append(": ").append(length).append(length == 1 ? " byte" : " bytes")
                    .append(" (offset ").append(at - frame).append('-').append(at - frame + length - 1).append(") --\n");
            for (Field f : fields(layer)) {
                if (f.offset + f.length <= length) {
                    out.append("   ");
                    for (int k = 0; k < f.length; k++) {
                        hex(out, b.get(at + f.offset + k) & 0xFF, 2);
                    }
                    for (int pad = f.length * 2; pad < 9; pad++) {
                        out.append(' ');
                    }
                    out.append(" bytes ").append(at - frame + f.offset);
                    if (f.length > 1) {
                        out.append('-').append(at - frame + f.offset + f.length - 1);
                    }
                    out.append("  ").append(f.name).append('\n');
                }
            }
            append(out, b, at, length, at - frame);
            covered = Math.max(covered, at + length);
        }
        int end = frame + p.capturedLength();
        if (covered < end) {
            out.append("-- ").append(covered >= p.ipEnd() && p.ipEnd() < end ? "link-layer padding" : "not decoded")
                    .append(": ").append(end - covered).append(" bytes (offset ").append(covered - frame).append('-')
                    .append(end - frame - 1).append(") --\n");
            append(out, b, covered, end - covered, covered - frame);
        }
        return out;
    }

    private record Field(int offset, int length, String name) {}

    private static final Field[] IPV4 = {
        new Field(0, 1, "version (4 bits) and IHL (4 bits, header length in 32-bit words)"),
        new Field(1, 1, "DSCP (6 bits) and ECN (2 bits)"),
        new Field(2, 2, "total length (header + data, bytes)"),
        new Field(4, 2, "identification"),
        new Field(6, 2, "flags (reserved, DF, MF) and fragment offset (8-byte units)"),
        new Field(8, 1, "time to live"),
        new Field(9, 1, "protocol (6 TCP, 17 UDP, 1 ICMP)"),
        new Field(10, 2, "header checksum"),
        new Field(12, 4, "source address"),
        new Field(16, 4, "destination address"),
    };
    private static final Field[] IPV6 = {
        new Field(0, 4, "version (4 bits), traffic class (8 bits), flow label (20 bits)"),
        new Field(4, 2, "payload length (bytes after this 40-byte header)"),
        new Field(6, 1, "next header (6 TCP, 17 UDP, 58 ICMPv6)"),
        new Field(7, 1, "hop limit"),
        new Field(8, 16, "source address"),
        new Field(24, 16, "destination address"),
    };
    private static final Field[] TCP = {
        new Field(0, 2, "source port"),
        new Field(2, 2, "destination port"),
        new Field(4, 4, "sequence number"),
        new Field(8, 4, "acknowledgement number"),
        new Field(12, 2, "data offset (4 bits, header length in 32-bit words), reserved (3 bits), flags (9 bits)"),
        new Field(14, 2, "window"),
        new Field(16, 2, "checksum"),
        new Field(18, 2, "urgent pointer"),
    };
    private static final Field[] UDP = {
        new Field(0, 2, "source port"),
        new Field(2, 2, "destination port"),
        new Field(4, 2, "length (header + data, bytes)"),
        new Field(6, 2, "checksum"),
    };
    private static final Field[] ICMP = {
        new Field(0, 1, "type"),
        new Field(1, 1, "code"),
        new Field(2, 2, "checksum"),
        new Field(4, 4, "rest of header (echo: identifier and sequence number)"),
    };
    private static final Field[] ETH = {
        new Field(0, 6, "destination MAC"),
        new Field(6, 6, "source MAC"),
        new Field(12, 2, "ethertype (0x0800 IPv4, 0x86dd IPv6, 0x0806 ARP)"),
    };
    private static final Field[] NONE = {};

    private static Field[] fields(Layer layer) {
        switch (layer) {
            case IPV4: return IPV4;
            case IPV6: return IPV6;
            case TCP: return TCP;
            case UDP: return UDP;
            case ICMP: case ICMPV6: return ICMP;
            case ETH: return ETH;
            default: return NONE;
        }
    }

    private static StringBuilder hex(StringBuilder out, int value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.append(Character.forDigit((value >>> shift) & 0xF, 16));
        }
        return out;
    }
}
