package dev.rawsock.print;

import dev.rawsock.wire.ArpView;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6Types;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4Options;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.MacAddress;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;

import java.nio.ByteBuffer;

/**
 * The multi-line view: one block per header, one field per line, with its name, value and meaning:
 * {@code flags=0x012 (SYN, ACK)}, {@code ihl=5 (20 bytes)}, {@code frag=0 (offset 0 bytes)}, and each
 * checksum marked {@code correct} or {@code incorrect (should be 0x....)}.
 */
public final class DetailPrinter {
    private final Ipv4View ipv4 = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();
    private final Icmpv6View icmpv6 = new Icmpv6View();
    private final EthernetView eth = new EthernetView();
    private final ArpView arp = new ArpView();

    public StringBuilder append(StringBuilder out, DecodedPacket p) {
        return append(out, p, "  ");
    }

    private StringBuilder append(StringBuilder out, DecodedPacket p, String indent) {
        ByteBuffer b = p.buffer();
        for (int i = 0; i < p.layerCount(); i++) {
            int at = p.layerOffset(i);
            int length = p.layerLength(i);
            switch (p.layer(i)) {
                case ETH: {
                    EthernetView e = eth.wrap(b, at);
                    out.append(indent).append("ethernet:\n");
                    field(out, indent, "dst", MacAddress.text(e.destination()));
                    field(out, indent, "src", MacAddress.text(e.source()));
                    field(out, indent, "type", "0x" + hex(e.etherType(), 4) + " (" + etherTypeName(e.etherType()) + ")");
                    break;
                }
                case ARP: {
                    ArpView a = arp.wrap(b, at);
                    out.append(indent).append("arp:\n");
                    field(out, indent, "htype", a.hardwareType() + (a.hardwareType() == 1 ? " (Ethernet)" : ""));
                    field(out, indent, "ptype", "0x" + hex(a.protocolType(), 4));
                    field(out, indent, "hlen", a.hardwareLength() + " bytes");
                    field(out, indent, "plen", a.protocolLength() + " bytes");
                    field(out, indent, "op", a.operation() + (a.operation() == 1 ? " (request)" : a.operation() == 2 ? " (reply)" : ""));
                    if (a.hardwareLength() == 6 && a.protocolLength() == 4 && length >= 28) {
                        field(out, indent, "sha", MacAddress.text(a.senderHardwareAddress()));
                        field(out, indent, "spa", Ipv4Address.text(a.senderProtocolAddress()));
                        field(out, indent, "tha", MacAddress.text(a.targetHardwareAddress()));
                        field(out, indent, "tpa", Ipv4Address.text(a.targetProtocolAddress()));
                    }
                    break;
                }
                case IPV4:
                    ipv4Block(out, indent, p, at, length);
                    break;
                case IPV6:
                    out.append(indent).append("ipv6:\n");
                    field(out, indent, "version", Integer.toString((b.get(at) & 0xF0) >>> 4));
                    int word = b.getInt(at);
                    field(out, indent, "traffic_class", "0x" + hex((word >>> 20) & 0xFF, 2) + " (dscp " + (((word >>> 20) & 0xFF) >>> 2)
                            + ", ecn " + ((word >>> 20) & 0x3) + ")");
                    field(out, indent, "flow_label", "0x" + hex(word & 0xFFFFF, 5));
                    field(out, indent, "payload_length", u16(b, at + 4) + " bytes");
                    field(out, indent, "next_header", (b.get(at + 6) & 0xFF) + " (" + protocolName(b.get(at + 6) & 0xFF) + ")");
                    field(out, indent, "hop_limit", Integer.toString(b.get(at + 7) & 0xFF));
                    field(out, indent, "src", Ipv6Address.append(new StringBuilder(), b, at + 8).toString());
                    field(out, indent, "dst", Ipv6Address.append(new StringBuilder(), b, at + 24).toString());
                    break;
                case TCP:
                    tcpBlock(out, indent, p, at, length);
                    break;
                case UDP: {
                    UdpView u = udp.wrap(b, at);
                    out.append(indent).append("udp:\n");
                    field(out, indent, "sport", Integer.toString(u.sourcePort()));
                    field(out, indent, "dport", Integer.toString(u.destinationPort()));
                    field(out, indent, "length", u.length() + " bytes (8 header + " + Math.max(0, u.length() - 8) + " data)");
                    String checksum = "0x" + hex(u.checksum(), 4) + " " + verdict(p, u.checksum() == 0 ? "0 means not computed" : null);
                    if (p.transportChecksum() == Verdict.INVALID) {
                        // Judged only when the length field fits the data, so it says how many bytes the checksum covers.
                        checksum += shouldBe(Checksums.udpField(u.computeChecksum(pseudoHeader(p, 17, u.length()), u.length())));
                    }
                    field(out, indent, "checksum", checksum);
                    break;
                }
                case ICMP: {
                    IcmpView m = icmp.wrap(b, at);
                    out.append(indent).append("icmp:\n");
                    field(out, indent, "type", m.type() + " (" + IcmpTypes.typeName(m.type()) + ")");
                    String code = IcmpTypes.codeName(m.type(), m.code());
                    field(out, indent, "code", m.code() + (code != null ? " (" + code + ")" : ""));
                    field(out, indent, "checksum", "0x" + hex(m.checksum(), 4) + " " + verdict(p, null)
                            + (p.transportChecksum() == Verdict.INVALID ? shouldBe(m.computeChecksum(p.ipEnd() - at)) : ""));
                    if (m.type() == 0 || m.type() == 8 || m.type() == 13 || m.type() == 14) {
                        field(out, indent, "id", Integer.toString(m.identifier()));
                        field(out, indent, "seq", Integer.toString(m.sequence()));
                    } else if (m.type() == 3 && m.code() == 4) {
                        field(out, indent, "mtu", m.nextHopMtu() + " bytes (next hop)");
                    } else if (m.type() == 5) {
                        field(out, indent, "gateway", Ipv4Address.text(m.gateway()));
                    }
                    quoted(out, indent, p);
                    break;
                }
                case ICMPV6: {
                    Icmpv6View m = icmpv6.wrap(b, at);
                    out.append(indent).append("icmpv6:\n");
                    field(out, indent, "type", m.type() + " (" + Icmpv6Types.name(m.type()) + ")");
                    String code = Icmpv6Types.codeName(m.type(), m.code());
                    field(out, indent, "code", m.code() + (code != null ? " (" + code + ")" : ""));
                    field(out, indent, "checksum", "0x" + hex(m.checksum(), 4) + " " + verdict(p, null)
                            + (p.transportChecksum() == Verdict.INVALID
                            ? shouldBe(m.computeChecksum(pseudoHeader(p, 58, p.ipEnd() - at), p.ipEnd() - at)) : ""));
                    if (m.type() == 128 || m.type() == 129) {
                        field(out, indent, "id", Integer.toString(m.identifier()));
                        field(out, indent, "seq", Integer.toString(m.sequence()));
                    } else if (m.type() == 2) {
                        field(out, indent, "mtu", m.mtu() + " bytes");
                    }
                    quoted(out, indent, p);
                    break;
                }
                case PAYLOAD:
                    out.append(indent).append("payload: ").append(length).append(length == 1 ? " byte" : " bytes").append('\n');
                    break;
                default:
                    break;
            }
        }
        int paddingBytes = p.frameOffset() + p.capturedLength() - p.ipEnd();
        if (paddingBytes > 0 && (p.has(Layer.IPV4) || p.has(Layer.IPV6) || p.has(Layer.ARP))) {
            out.append(indent).append("padding: ").append(paddingBytes).append(" bytes after the packet (link layer)\n");
        }
        if (p.truncated()) {
            out.append(indent).append("truncated: captured ").append(p.capturedLength()).append(" of ").append(p.originalLength())
                    .append(" bytes\n");
        }
        if (p.malformed()) {
            out.append(indent).append("malformed: ").append(p.errorLayer().jsonName).append(" at byte ").append(p.errorOffset())
                    .append(": ").append(p.errorMessage()).append('\n');
        }
        return out;
    }

    private void ipv4Block(StringBuilder out, String indent, DecodedPacket p, int at, int length) {
        Ipv4View ip = ipv4.wrap(p.buffer(), at);
        out.append(indent).append("ipv4:\n");
        field(out, indent, "version", Integer.toString(ip.version()));
        field(out, indent, "ihl", ip.ihl() + " (" + ip.headerLengthBytes() + " bytes)");
        field(out, indent, "dscp", ip.dscp() + " (tos 0x" + hex(ip.tos(), 2) + ")");
        field(out, indent, "ecn", ip.ecn() + " (" + new String[] {"Not-ECT", "ECT(1)", "ECT(0)", "CE"}[ip.ecn()] + ")");
        field(out, indent, "total_length", ip.totalLength() + " bytes");
        field(out, indent, "id", ip.identification() + " (0x" + hex(ip.identification(), 4) + ")");
        StringBuilder flags = new StringBuilder();
        if (ip.flagReserved()) {
            flags.append("reserved");
        }
        if (ip.dontFragment()) {
            flags.append(flags.length() > 0 ? ", " : "").append("DF");
        }
        if (ip.moreFragments()) {
            flags.append(flags.length() > 0 ? ", " : "").append("MF");
        }
        int flagBits = (ip.flagReserved() ? 4 : 0) | (ip.dontFragment() ? 2 : 0) | (ip.moreFragments() ? 1 : 0);
        field(out, indent, "flags", "0x" + flagBits + (flags.length() > 0 ? " (" + flags + ")" : " (none)"));
        field(out, indent, "frag", ip.fragmentOffset() + " (offset " + ip.fragmentOffset() * 8 + " bytes)");
        field(out, indent, "ttl", Integer.toString(ip.ttl()));
        field(out, indent, "protocol", ip.protocol() + " (" + protocolName(ip.protocol()) + ")");
        String checksum = "0x" + hex(ip.checksum(), 4);
        if (p.ipv4Checksum() == Verdict.VALID) {
            checksum += " correct";
        } else if (p.ipv4Checksum() == Verdict.INVALID) {
            checksum += " incorrect (should be 0x" + hex(ip.computeChecksum(ip.headerLengthBytes()), 4) + ")";
        } else {
            checksum += " (not checked: the header is cut short)";
        }
        field(out, indent, "checksum", checksum);
        field(out, indent, "src", Ipv4Address.text(ip.source()));
        field(out, indent, "dst", Ipv4Address.text(ip.destination()));
        if (length > Ipv4View.MIN_HEADER_BYTES) {
            Ipv4Options.Parsed parsed = Ipv4Options.parse(Bytes.copyOf(p.buffer(), at + Ipv4View.MIN_HEADER_BYTES, length - Ipv4View.MIN_HEADER_BYTES));
            StringBuilder text = new StringBuilder();
            for (Ipv4Options.Option o : parsed.options()) {
                text.append(text.length() > 0 ? ", " : "").append(o.name());
                if (o.data().length() > 0) {
                    text.append(" 0x").append(o.data().hex());
                }
            }
            if (parsed.error() != null) {
                text.append(text.length() > 0 ? ", " : "").append("malformed: ").append(parsed.error());
            }
            field(out, indent, "options", text + " (" + (length - Ipv4View.MIN_HEADER_BYTES) + " bytes)");
        }
    }

    private void tcpBlock(StringBuilder out, String indent, DecodedPacket p, int at, int length) {
        TcpView t = tcp.wrap(p.buffer(), at);
        out.append(indent).append("tcp:\n");
        field(out, indent, "sport", Integer.toString(t.sourcePort()));
        field(out, indent, "dport", Integer.toString(t.destinationPort()));
        field(out, indent, "seq", Long.toString(t.sequenceNumber()));
        field(out, indent, "ack", t.acknowledgmentNumber() + ((t.flags() & TcpFlags.ACK) == 0 ? " (ACK not set: ignored)" : ""));
        field(out, indent, "data_offset", t.dataOffset() + " (" + t.headerLengthBytes() + " bytes)");
        field(out, indent, "reserved", Integer.toString(t.reserved()));
        String names = String.join(", ", TcpFlags.names(t.flags()));
        field(out, indent, "flags", "0x" + hex(t.flags(), 3) + " (" + (names.isEmpty() ? "none" : names) + ")");
        field(out, indent, "window", Integer.toString(t.window()));
        String checksum = "0x" + hex(t.checksum(), 4) + " " + verdict(p, null);
        if (p.transportChecksum() == Verdict.INVALID) {
            int segment = p.ipEnd() - at;
            checksum += shouldBe(t.computeChecksum(pseudoHeader(p, 6, segment), segment));
        }
        field(out, indent, "checksum", checksum);
        field(out, indent, "urgent_pointer", Integer.toString(t.urgentPointer()));
        if (length > TcpView.MIN_HEADER_BYTES) {
            TcpOptions.Parsed parsed = TcpOptions.parse(p.buffer(), at + TcpView.MIN_HEADER_BYTES, length - TcpView.MIN_HEADER_BYTES);
            StringBuilder text = new StringBuilder();
            for (TcpOption o : parsed.options()) {
                text.append(text.length() > 0 ? ", " : "").append(TcpOptionText.text(o));
            }
            if (parsed.error() != null) {
                text.append(text.length() > 0 ? ", " : "").append("malformed: ").append(parsed.error());
            }
            field(out, indent, "options", text + " (" + (length - TcpView.MIN_HEADER_BYTES) + " bytes)");
        }
    }

    private void quoted(StringBuilder out, String indent, DecodedPacket p) {
        DecodedPacket inner = p.quoted();
        if (inner != null) {
            out.append(indent).append("  quoted packet (").append(inner.capturedLength()).append(" bytes):\n");
            new DetailPrinter().append(out, inner, indent + "    ");
        }
    }

    /** The pseudo-header sum (RFC 9293 §3.1, RFC 768, RFC 8200 §8.1) from the packet's IPv4 or IPv6 header. */
    private long pseudoHeader(DecodedPacket p, int protocol, int length) {
        if (p.has(Layer.IPV4)) {
            Ipv4View ip = ipv4.wrap(p.buffer(), p.offset(Layer.IPV4));
            return Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), protocol, length);
        }
        int at = p.offset(Layer.IPV6);
        return Checksums.pseudoHeaderIpv6(p.buffer(), at + 8, at + 24, length, protocol);
    }

    private static String shouldBe(int checksum) {
        return " (should be 0x" + hex(checksum, 4) + ")";
    }

    private static String verdict(DecodedPacket p, String unknownReason) {
        switch (p.transportChecksum()) {
            case VALID: return "correct";
            case INVALID: return "incorrect";
            default:
                if (unknownReason != null) {
                    return "(not checked: " + unknownReason + ")";
                }
                return "(not checked: " + (p.isChecksumOffloaded() ? "offloaded, the kernel had not filled it in"
                        : p.firstFragment() ? "a fragment" : "the data is cut short") + ")";
        }
    }

    private static void field(StringBuilder out, String indent, String name, String value) {
        out.append(indent).append("  ").append(name).append('=').append(value).append('\n');
    }

    static String protocolName(int protocol) {
        switch (protocol) {
            case 1: return "ICMP";
            case 2: return "IGMP";
            case 6: return "TCP";
            case 17: return "UDP";
            case 41: return "IPv6";
            case 47: return "GRE";
            case 50: return "ESP";
            case 51: return "AH";
            case 58: return "ICMPv6";
            case 132: return "SCTP";
            case 255: return "raw";
            default: return "protocol " + protocol;
        }
    }

    private static String etherTypeName(int type) {
        switch (type) {
            case 0x0800: return "IPv4";
            case 0x0806: return "ARP";
            case 0x86DD: return "IPv6";
            case 0x8100: return "802.1Q VLAN";
            default: return "other";
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }

    static String hex(int value, int digits) {
        StringBuilder s = new StringBuilder(digits);
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            s.append(Character.forDigit((value >>> shift) & 0xF, 16));
        }
        return s.toString();
    }
}
