package dev.rawsock.craft;

import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4View;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an IPv4 packet into fragments that fit an MTU (RFC 791 §3.2, "Fragmentation"): every fragment
 * but the last carries a multiple of 8 data bytes and MF; offsets count 8-byte units from the original's
 * own offset; the first fragment keeps all options, later ones only those with the copied flag (0x80).
 * Lengths and header checksums of the fragments are computed; everything else is copied.
 */
public final class Fragmenter {
    private Fragmenter() {}

    private static final int COPIED_FLAG = 0x80;

    /** The fragments of the {@code length}-byte packet at {@code offset}; the packet itself if it fits. */
    public static List<Bytes> fragment(ByteBuffer packet, int offset, int length, int mtuBytes) {
        Ipv4View original = new Ipv4View().wrap(packet, offset);
        int headerBytes = original.headerLengthBytes();
        if (headerBytes < Ipv4View.MIN_HEADER_BYTES || headerBytes > length) {
            throw new IllegalArgumentException("cannot fragment: the IPv4 header length (" + headerBytes
                    + " bytes) does not fit the packet (" + length + " bytes)");
        }
        if (length <= mtuBytes) {
            return List.of(Bytes.copyOf(packet, offset, length));
        }
        byte[] laterOptions = copiedOptions(packet, offset + Ipv4View.MIN_HEADER_BYTES, headerBytes - Ipv4View.MIN_HEADER_BYTES);
        int laterHeaderBytes = Ipv4View.MIN_HEADER_BYTES + ((laterOptions.length + 3) & ~3);
        if (mtuBytes - Math.max(headerBytes, laterHeaderBytes) < 8) {
            throw new IllegalArgumentException("an MTU of " + mtuBytes + " bytes leaves no room for 8 data bytes after a "
                    + Math.max(headerBytes, laterHeaderBytes) + "-byte header");
        }
        List<Bytes> fragments = new ArrayList<>();
        int data = offset + headerBytes;
        int dataEnd = offset + length;
        int unitsBase = original.fragmentOffset();
        boolean lastHadMore = original.moreFragments();
        Ipv4View f = new Ipv4View();
        boolean first = true;
        while (data < dataEnd) {
            int hb = first ? headerBytes : laterHeaderBytes;
            int room = ((mtuBytes - hb) / 8) * 8;
            int chunk = Math.min(room, dataEnd - data);
            boolean last = data + chunk >= dataEnd;
            ByteBuffer out = ByteBuffer.allocate(hb + chunk);
            for (int i = 0; i < Ipv4View.MIN_HEADER_BYTES; i++) {
                out.put(i, packet.get(offset + i));
            }
            if (first) {
                for (int i = Ipv4View.MIN_HEADER_BYTES; i < headerBytes; i++) {
                    out.put(i, packet.get(offset + i));
                }
            } else {
                out.put(Ipv4View.MIN_HEADER_BYTES, laterOptions);
            }
            for (int i = 0; i < chunk; i++) {
                out.put(hb + i, packet.get(data + i));
            }
            f.wrap(out, 0).ihl(hb / 4).totalLength(hb + chunk)
                    .fragmentOffset(unitsBase + (data - offset - headerBytes) / 8)
                    .flags(original.flagReserved(), original.dontFragment(), !last || lastHadMore)
                    .checksum(0);
            f.checksum(f.computeChecksum(hb));
            fragments.add(Bytes.of(out.array()));
            data += chunk;
            first = false;
        }
        return fragments;
    }

    /** The options whose copied flag is set, in order; malformed trailing bytes are dropped. */
    private static byte[] copiedOptions(ByteBuffer b, int at, int length) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < length) {
            int type = b.get(at + i) & 0xFF;
            if (type == 0) {
                break;
            }
            if (type == 1) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                break;
            }
            int optionLength = b.get(at + i + 1) & 0xFF;
            if (optionLength < 2 || i + optionLength > length) {
                break;
            }
            if ((type & COPIED_FLAG) != 0) {
                for (int k = 0; k < optionLength; k++) {
                    out.write(b.get(at + i + k));
                }
            }
            i += optionLength;
        }
        return out.toByteArray();
    }
}
