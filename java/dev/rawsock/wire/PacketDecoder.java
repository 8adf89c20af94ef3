package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes a frame as far as its bytes allow: link layer, IPv4/IPv6 (with options and extension headers),
 * TCP/UDP/ICMP/ICMPv6, the packet an ICMP error quotes, and the payload; verifies the checksums it can.
 *
 * <p>Two kinds of trouble are kept apart, as gopacket does: <em>truncated</em>, the capture stops before
 * the packet does (the captured length is below the original, or an ICMP error quotes only the start of
 * a packet), and <em>malformed</em>, the packet contradicts itself (ihl below 5, a total length larger
 * than the data that was all captured, an option running past its header, ...). A malformation is
 * recorded at its offset and decoding goes on where it can; nothing here throws for any bytes, loops
 * without bound, or allocates for a well-formed packet. One decoder and one {@link DecodedPacket} are
 * reused per thread.
 */
public final class PacketDecoder {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERNET_HEADER_BYTES = 14;
    private static final int VLAN_TAG_BYTES = 4;
    private static final int MAX_VLAN_TAGS = 2;
    private static final int SLL_HEADER_BYTES = 16;
    private static final int SLL_PROTOCOL = 14;
    private static final int SLL2_HEADER_BYTES = 20;
    private static final int ARP_FIXED_BYTES = 8;
    private static final int IPV6_HEADER_BYTES = 40;
    private static final int TRANSPORT_MIN_BYTES = 8;

    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    private static final int FLAG_MF = 0x2000;

    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ICMPV6 = 58;

    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();
    private final Icmpv6View icmpv6 = new Icmpv6View();

    /**
     * Decodes {@code capturedLength} bytes at {@code offset} of {@code b}, a frame whose original length
     * was {@code originalLength}, into {@code out} (which is reset first) and returns {@code out}.
     */
    public DecodedPacket decode(ByteBuffer b, int offset, int capturedLength, int originalLength, FirstLayer first,
                                DecodedPacket out) {
        int captured = Math.max(0, Math.min(capturedLength, b.limit() - offset));
        out.reset(b, offset, captured, Math.max(originalLength, captured));
        int end = offset + captured;
        switch (first) {
            case ETHERNET:
                ethernet(out, offset, end);
                break;
            case IP:
                ipByVersion(out, offset, end, 0);
                break;
            case IPV4:
                ipv4(out, offset, end, 0);
                break;
            case IPV6:
                ipv6(out, offset, end, 0);
                break;
            case LINUX_SLL:
                if (present(out, Layer.ETH, offset, SLL_HEADER_BYTES, end)) {
                    network(out, u16(b, offset + SLL_PROTOCOL), offset + SLL_HEADER_BYTES, end);
                }
                break;
            case LINUX_SLL2:
                if (present(out, Layer.ETH, offset, SLL2_HEADER_BYTES, end)) {
                    network(out, u16(b, offset), offset + SLL2_HEADER_BYTES, end);
                }
                break;
            default:
                throw new IllegalArgumentException("unknown first layer " + first);
        }
        return out;
    }

    /** True when {@code bytes} bytes exist at {@code at}; otherwise records truncation or a malformation. */
    private static boolean present(DecodedPacket p, Layer layer, int at, int bytes, int end) {
        if (at + bytes <= end) {
            return true;
        }
        if (!p.truncated) {
            p.malformed(layer, at, layer.jsonName + " needs " + bytes + " bytes but only " + Math.max(0, end - at) + " remain");
        }
        return false;
    }

    private void ethernet(DecodedPacket p, int at, int end) {
        if (!present(p, Layer.ETH, at, ETHERNET_HEADER_BYTES, end)) {
            return;
        }
        ByteBuffer b = p.buffer;
        int typeAt = at + 12;
        int type = u16(b, typeAt);
        int headerEnd = at + ETHERNET_HEADER_BYTES;
        for (int tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && tags < MAX_VLAN_TAGS; tags++) {
            if (!present(p, Layer.ETH, headerEnd, VLAN_TAG_BYTES, end)) {
                p.add(Layer.ETH, at, headerEnd - at);
                return;
            }
            typeAt += VLAN_TAG_BYTES;
            type = u16(b, typeAt);
            headerEnd += VLAN_TAG_BYTES;
        }
        p.add(Layer.ETH, at, headerEnd - at);
        network(p, type, headerEnd, end);
    }

    private void network(DecodedPacket p, int etherType, int at, int end) {
        switch (etherType) {
            case ETHERTYPE_IPV4:
                ipv4(p, at, end, 0);
                break;
            case ETHERTYPE_IPV6:
                ipv6(p, at, end, 0);
                break;
            case ETHERTYPE_ARP:
                arp(p, at, end);
                break;
            default:
                payload(p, at, end);
        }
    }

    private void ipByVersion(DecodedPacket p, int at, int end, int depth) {
        if (!present(p, Layer.IPV4, at, 1, end)) {
            return;
        }
        int version = (p.buffer.get(at) & 0xF0) >>> 4;
        if (version == 6) {
            ipv6(p, at, end, depth);
        } else {
            ipv4(p, at, end, depth);
        }
    }

    private void arp(DecodedPacket p, int at, int end) {
        if (!present(p, Layer.ARP, at, ARP_FIXED_BYTES, end)) {
            return;
        }
        ByteBuffer b = p.buffer;
        int length = ARP_FIXED_BYTES + 2 * ((b.get(at + 4) & 0xFF) + (b.get(at + 5) & 0xFF));
        if (!present(p, Layer.ARP, at, length, end)) {
            p.add(Layer.ARP, at, end - at);
            return;
        }
        p.add(Layer.ARP, at, length);
        // What follows an ARP packet in a frame is Ethernet padding.
        p.ipEnd = at + length;
    }

    private void ipv4(DecodedPacket p, int at, int end, int depth) {
        if (!present(p, Layer.IPV4, at, Ipv4View.MIN_HEADER_BYTES, end)) {
            return;
        }
        ByteBuffer b = p.buffer;
        // The fixed header in three reads (Ipv4View's layout): version+IHL, TOS, total length, id, flags+fragment
        // offset | TTL, protocol, checksum, source | destination. Its checksum is summed from these words.
        boolean bigEndian = b.order() == ByteOrder.BIG_ENDIAN;
        long w0 = u64(b, at, bigEndian);
        long w1 = u64(b, at + 8, bigEndian);
        int destination = u32(b, at + 16, bigEndian);
        int version = (int) (w0 >>> 60);
        int ihl = (int) (w0 >>> 56) & 0x0F;
        int available = end - at;
        int headerBytes = ihl * 4;
        p.add(Layer.IPV4, at, Math.min(Math.max(headerBytes, Ipv4View.MIN_HEADER_BYTES), available));
        if (version != 4) {
            p.malformed(Layer.IPV4, at, "version is " + version + ", not 4");
        }
        if (ihl < 5) {
            p.malformed(Layer.IPV4, at, "ihl is " + ihl + " (" + headerBytes + " bytes), below the minimum of 5 (20 bytes)");
            return;
        }
        if (headerBytes > available) {
            if (!p.truncated) {
                p.malformed(Layer.IPV4, at, "ihl " + ihl + " says the header is " + headerBytes + " bytes but only "
                        + available + " remain");
            }
            return;
        }
        long headerSum = sum64(w0) + sum64(w1) + (destination & 0xFFFFFFFFL);
        if (headerBytes > Ipv4View.MIN_HEADER_BYTES) {
            int optionsAt = at + Ipv4View.MIN_HEADER_BYTES;
            int optionBytes = headerBytes - Ipv4View.MIN_HEADER_BYTES;
            headerSum += Checksums.sum(b, optionsAt, optionBytes);
            p.ipv4Checksum = Verdict.of(Checksums.finish(headerSum) == 0);
            int bad = Ipv4Options.malformedAt(b, optionsAt, optionBytes);
            if (bad >= 0) {
                p.malformed(Layer.IPV4, optionsAt + bad, "option: " + Ipv4Options.problemAt(b, optionsAt, optionBytes, bad));
            }
        } else {
            p.ipv4Checksum = Verdict.of(Checksums.finish(headerSum) == 0);
        }
        int total = (int) (w0 >>> 32) & 0xFFFF;
        int ipEnd = end;
        boolean complete = true;
        if (total < headerBytes) {
            p.malformed(Layer.IPV4, at + 2, "total length " + total + " is smaller than the header (" + headerBytes + " bytes)");
            complete = false;
        } else if (total > available) {
            if (!p.truncated) {
                p.malformed(Layer.IPV4, at + 2, "total length " + total + " is larger than the data (" + available + " bytes)");
            }
            complete = false;
        } else {
            ipEnd = at + total; // anything after is link-layer padding
        }
        if (depth == 0) {
            p.ipEnd = ipEnd;
        }
        int protocol = (int) (w1 >>> 48) & 0xFF;
        p.ipProtocol = protocol;
        int flagsFragment = (int) w0 & 0xFFFF;
        if ((flagsFragment & FRAGMENT_OFFSET_MASK) > 0) {
            p.laterFragment = true;
            payload(p, at + headerBytes, ipEnd);
            return;
        }
        p.firstFragment = (flagsFragment & FLAG_MF) != 0;
        int l4 = at + headerBytes;
        boolean judgeable = complete && !p.firstFragment && depth == 0;
        long pseudo = Checksums.pseudoHeaderIpv4((int) w1, destination, protocol, ipEnd - l4);
        transport(p, protocol, l4, ipEnd, pseudo, judgeable, false, depth);
    }

    private void ipv6(DecodedPacket p, int at, int end, int depth) {
        if (!present(p, Layer.IPV6, at, IPV6_HEADER_BYTES, end)) {
            return;
        }
        ByteBuffer b = p.buffer;
        p.add(Layer.IPV6, at, IPV6_HEADER_BYTES);
        int version = (b.get(at) & 0xF0) >>> 4;
        if (version != 6) {
            p.malformed(Layer.IPV6, at, "version is " + version + ", not 6");
        }
        int payloadLength = u16(b, at + 4);
        int ipEnd = end;
        boolean complete = true;
        if (at + IPV6_HEADER_BYTES + payloadLength > end) {
            if (!p.truncated) {
                p.malformed(Layer.IPV6, at + 4, "payload length " + payloadLength + " is larger than the data ("
                        + (end - at - IPV6_HEADER_BYTES) + " bytes)");
            }
            complete = false;
        } else {
            ipEnd = at + IPV6_HEADER_BYTES + payloadLength;
        }
        if (depth == 0) {
            p.ipEnd = ipEnd;
        }
        // The extension headers, by their next-header chain (RFC 8200 §4).
        int cursor = at + IPV6_HEADER_BYTES;
        long chain = Ipv6ExtensionHeaders.skip(b, cursor, ipEnd - cursor, b.get(at + 6) & 0xFF);
        int next = Ipv6ExtensionHeaders.protocol(chain);
        if (!Ipv6ExtensionHeaders.ok(chain)) {
            p.ipProtocol = next;
            if (!p.truncated) {
                p.malformed(Layer.IPV6, Ipv6ExtensionHeaders.offset(chain), Ipv6ExtensionHeaders.describeTruncation(chain, ipEnd));
            }
            return;
        }
        cursor = Ipv6ExtensionHeaders.offset(chain);
        p.laterFragment = Ipv6ExtensionHeaders.nonFirstFragment(chain);
        p.firstFragment = Ipv6ExtensionHeaders.fragment(chain) && !p.laterFragment;
        p.ipProtocol = next;
        if (p.laterFragment) {
            payload(p, cursor, ipEnd);
            return;
        }
        boolean judgeable = complete && !p.firstFragment && depth == 0;
        long pseudo = Checksums.pseudoHeaderIpv6(b, at + 8, at + 24, ipEnd - cursor, next);
        transport(p, next, cursor, ipEnd, pseudo, judgeable, true, depth);
    }

    private void transport(DecodedPacket p, int protocol, int at, int end, long pseudo, boolean judgeable,
                           boolean overIpv6, int depth) {
        switch (protocol) {
            case PROTO_TCP:
                tcp(p, at, end, pseudo, judgeable);
                break;
            case PROTO_UDP:
                udp(p, at, end, pseudo, judgeable, overIpv6);
                break;
            case PROTO_ICMP:
                if (!overIpv6) {
                    icmp(p, at, end, judgeable, depth);
                } else {
                    payload(p, at, end);
                }
                break;
            case PROTO_ICMPV6:
                if (overIpv6) {
                    icmpv6(p, at, end, pseudo, judgeable, depth);
                } else {
                    payload(p, at, end);
                }
                break;
            default:
                payload(p, at, end);
        }
    }

    private void tcp(DecodedPacket p, int at, int end, long pseudo, boolean judgeable) {
        if (!present(p, Layer.TCP, at, TcpView.MIN_HEADER_BYTES, end)) {
            return;
        }
        ByteBuffer b = p.buffer;
        int dataOffset = (b.get(at + 12) & 0xFF) >>> 4;
        int headerBytes = dataOffset * 4;
        int available = end - at;
        p.add(Layer.TCP, at, Math.min(Math.max(headerBytes, TcpView.MIN_HEADER_BYTES), available));
        if (dataOffset < 5) {
            p.malformed(Layer.TCP, at + 12, "data offset is " + dataOffset + " (" + headerBytes
                    + " bytes), below the minimum of 5 (20 bytes)");
            return;
        }
        if (headerBytes > available) {
            if (!p.truncated) {
                p.malformed(Layer.TCP, at + 12, "data offset " + dataOffset + " says the header is " + headerBytes
                        + " bytes but only " + available + " remain");
            }
            return;
        }
        if (headerBytes > TcpView.MIN_HEADER_BYTES) {
            int optionsAt = at + TcpView.MIN_HEADER_BYTES;
            int optionBytes = headerBytes - TcpView.MIN_HEADER_BYTES;
            int bad = TcpOptions.malformedAt(b, optionsAt, optionBytes);
            if (bad >= 0) {
                p.malformed(Layer.TCP, optionsAt + bad, "option: " + TcpOptions.parse(b, optionsAt, optionBytes).error());
            }
        }
        if (judgeable) {
            p.transportChecksum = Verdict.of(Checksums.finish(pseudo + Checksums.sum(b, at, available)) == 0);
        }
        payload(p, at + headerBytes, end);
    }

    private void udp(DecodedPacket p, int at, int end, long pseudo, boolean judgeable, boolean overIpv6) {
        if (!present(p, Layer.UDP, at, UdpView.HEADER_BYTES, end)) {
            return;
        }
        UdpView u = udp.wrap(p.buffer, at);
        p.add(Layer.UDP, at, UdpView.HEADER_BYTES);
        int length = u.length();
        int available = end - at;
        int dataEnd = end;
        boolean fits = false;
        if (length < UdpView.HEADER_BYTES) {
            p.malformed(Layer.UDP, at + 4, "length " + length + " is less than the 8-byte header");
        } else if (length > available) {
            // A first fragment carries only the start of the datagram its length counts.
            if (!p.truncated && !p.firstFragment) {
                p.malformed(Layer.UDP, at + 4, "length " + length + " is larger than the data (" + available + " bytes)");
            }
        } else {
            if (length < available && judgeable) {
                p.malformed(Layer.UDP, at + 4, "length " + length + " is shorter than the IP payload (" + available + " bytes)");
            }
            dataEnd = at + length;
            fits = true;
        }
        if (judgeable && fits) {
            if (u.checksum() == 0) {
                // 0 means "not computed" over IPv4 (RFC 768); over IPv6 a checksum is mandatory (RFC 8200 §8.1).
                p.transportChecksum = overIpv6 ? Verdict.INVALID : Verdict.UNKNOWN;
            } else {
                long pseudoForLength = pseudo; // the pseudo-header was built with the IP payload length
                if (length != available) {
                    pseudoForLength = pseudo - (available & 0xFFFF) + (length & 0xFFFF);
                }
                p.transportChecksum = Verdict.of(u.checksumValid(pseudoForLength, length));
            }
        }
        payload(p, at + UdpView.HEADER_BYTES, dataEnd);
    }

    private void icmp(DecodedPacket p, int at, int end, boolean judgeable, int depth) {
        if (!present(p, Layer.ICMP, at, IcmpView.HEADER_BYTES, end)) {
            return;
        }
        IcmpView m = icmp.wrap(p.buffer, at);
        p.add(Layer.ICMP, at, IcmpView.HEADER_BYTES);
        if (judgeable) {
            p.transportChecksum = Verdict.of(m.checksumValid(end - at));
        }
        if (IcmpTypes.quotesPacket(m.type()) && depth == 0) {
            quoted(p, at + IcmpView.HEADER_BYTES, end);
        } else {
            payload(p, at + IcmpView.HEADER_BYTES, end);
        }
    }

    private void icmpv6(DecodedPacket p, int at, int end, long pseudo, boolean judgeable, int depth) {
        if (!present(p, Layer.ICMPV6, at, Icmpv6View.HEADER_BYTES, end)) {
            return;
        }
        Icmpv6View m = icmpv6.wrap(p.buffer, at);
        p.add(Layer.ICMPV6, at, Icmpv6View.HEADER_BYTES);
        if (judgeable) {
            p.transportChecksum = Verdict.of(m.checksumValid(pseudo, end - at));
        }
        if (Icmpv6Types.quotesPacket(m.type()) && depth == 0) {
            quoted(p, at + Icmpv6View.HEADER_BYTES, end);
        } else {
            payload(p, at + Icmpv6View.HEADER_BYTES, end);
        }
    }

    /** The packet an ICMP error quotes: decoded on its own, as a capture cut after its first bytes. */
    private void quoted(DecodedPacket p, int at, int end) {
        if (at >= end) {
            return;
        }
        DecodedPacket inner = p.inner();
        ByteBuffer b = p.buffer;
        int available = end - at;
        int original = available;
        int version = (b.get(at) & 0xF0) >>> 4;
        if (version == 4 && available >= 4) {
            original = Math.max(available, u16(b, at + 2));
        } else if (version == 6 && available >= 6) {
            original = Math.max(available, IPV6_HEADER_BYTES + u16(b, at + 4));
        }
        inner.reset(b, at, available, original);
        ipByVersion(inner, at, end, 1);
        p.hasInner = true;
    }

    private static void payload(DecodedPacket p, int at, int end) {
        if (end > at) {
            p.add(Layer.PAYLOAD, at, end - at);
        }
    }

    /** 8 bytes big-endian, whatever the buffer's order ({@code bigEndian}: the order is big-endian). */
    private static long u64(ByteBuffer b, int at, boolean bigEndian) {
        long v = b.getLong(at);
        return bigEndian ? v : Long.reverseBytes(v);
    }

    private static int u32(ByteBuffer b, int at, boolean bigEndian) {
        int v = b.getInt(at);
        return bigEndian ? v : Integer.reverseBytes(v);
    }

    /** The unfolded Internet checksum sum of 8 big-endian bytes (see {@link Checksums#sum}). */
    private static long sum64(long v) {
        return (v >>> 32) + (v & 0xFFFFFFFFL);
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }
}
