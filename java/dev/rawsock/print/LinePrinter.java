package dev.rawsock.print;

import dev.rawsock.wire.ArpView;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6Types;
import dev.rawsock.wire.Icmpv6View;
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
 * One line per packet, with the 4-tuple on it, in the spirit of nping and tcpdump:
 * {@code TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=1000 win=64240 <mss 1460,sackOK,ts 1 0,nop,wscale 7> len=0}.
 * Wrong checksums, truncation and the first malformation are marked at the end in brackets. Appends to
 * the caller's reused StringBuilder.
 */
public final class LinePrinter {
    private final Ipv4View ipv4 = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();
    private final Icmpv6View icmpv6 = new Icmpv6View();
    private final EthernetView eth = new EthernetView();
    private final ArpView arp = new ArpView();
    private final LineText text = new LineText();

    public StringBuilder append(StringBuilder out, DecodedPacket p) {
        text.clear();
        body(text, p);
        marks(text, p);
        return text.appendTo(out);
    }

    /** The line for a packet, as a new String (for tests and one-off use). */
    public String line(DecodedPacket p) {
        return append(new StringBuilder(128), p).toString();
    }

    private void body(LineText out, DecodedPacket p) {
        ByteBuffer b = p.buffer();
        int payload = p.length(Layer.PAYLOAD);
        if (p.has(Layer.TCP)) {
            TcpView t = tcp.wrap(b, p.offset(Layer.TCP));
            out.append("TCP ");
            endpoints(out, p, t.sourcePort(), t.destinationPort());
            out.append(" [");
            out.append(TcpFlags.appendLetters(out.scratch(), t.flags())).append("] seq=").append(t.sequenceNumber());
            if ((t.flags() & TcpFlags.ACK) != 0) {
                out.append(" ack=").append(t.acknowledgmentNumber());
            }
            out.append(" win=").append(t.window());
            if ((t.flags() & TcpFlags.URG) != 0 || t.urgentPointer() != 0) {
                out.append(" urg=").append(t.urgentPointer());
            }
            int optionBytes = Math.min(t.headerLengthBytes(), p.length(Layer.TCP)) - TcpView.MIN_HEADER_BYTES;
            if (optionBytes > 0) {
                tcpOptions(out, b, p.offset(Layer.TCP) + TcpView.MIN_HEADER_BYTES, optionBytes);
            }
            out.append(" len=").append(payload);
        } else if (p.has(Layer.UDP)) {
            UdpView u = udp.wrap(b, p.offset(Layer.UDP));
            out.append("UDP ");
            endpoints(out, p, u.sourcePort(), u.destinationPort());
            out.append(" len=").append(payload);
        } else if (p.has(Layer.ICMP)) {
            IcmpView m = icmp.wrap(b, p.offset(Layer.ICMP));
            out.append("ICMP ");
            endpoints(out, p, -1, -1);
            out.append(' ').append(IcmpTypes.typeName(m.type()));
            appendCode(out, IcmpTypes.codeName(m.type(), m.code()), m.code());
            if (m.type() == 0 || m.type() == 8 || m.type() == 13 || m.type() == 14) {
                out.append(" id=").append(m.identifier()).append(" seq=").append(m.sequence());
            } else if (m.type() == 3 && m.code() == 4) {
                out.append(" mtu=").append(m.nextHopMtu());
            } else if (m.type() == 5) {
                out.append(" gateway=");
                out.ipv4(m.gateway());
            }
            quoted(out, p);
            out.append(" len=").append(p.length(Layer.PAYLOAD) + (p.quoted() != null ? p.quoted().capturedLength() : 0));
        } else if (p.has(Layer.ICMPV6)) {
            Icmpv6View m = icmpv6.wrap(b, p.offset(Layer.ICMPV6));
            out.append("ICMPv6 ");
            endpoints(out, p, -1, -1);
            out.append(' ').append(Icmpv6Types.name(m.type()));
            appendCode(out, Icmpv6Types.codeName(m.type(), m.code()), m.code());
            if (m.type() == 128 || m.type() == 129) {
                out.append(" id=").append(m.identifier()).append(" seq=").append(m.sequence());
            } else if (m.type() == 2) {
                out.append(" mtu=").append(m.mtu());
            }
            quoted(out, p);
            out.append(" len=").append(p.length(Layer.PAYLOAD) + (p.quoted() != null ? p.quoted().capturedLength() : 0));
        } else if (p.has(Layer.IPV4) || p.has(Layer.IPV6)) {
            out.append(p.has(Layer.IPV4) ? "IPv4 " : "IPv6 ");
            endpoints(out, p, -1, -1);
            out.append(" proto=").append(p.ipProtocol());
            if (p.has(Layer.IPV4) && p.length(Layer.IPV4) >= Ipv4View.MIN_HEADER_BYTES) {
                Ipv4View ip = ipv4.wrap(b, p.offset(Layer.IPV4));
                if (ip.fragmentOffset() > 0 || ip.moreFragments()) {
                    out.append(" frag id=").append(ip.identification()).append(" off=").append(ip.fragmentOffset() * 8)
                            .append(ip.moreFragments() ? " MF" : "");
                }
            }
            out.append(" len=").append(payload);
        } else if (p.has(Layer.ARP)) {
            arp(out, p);
        } else if (p.has(Layer.ETH)) {
            EthernetView e = eth.wrap(b, p.offset(Layer.ETH));
            out.append("ETH ");
            out.append(MacAddress.append(out.scratch(), e.source())).append(" > ");
            out.append(MacAddress.append(out.scratch(), e.destination())).append(" type=0x");
            hex4(out, e.etherType());
            out.append(" len=").append(payload);
        } else {
            out.append("? ").append(p.capturedLength()).append(" bytes");
        }
    }

    private void arp(LineText out, DecodedPacket p) {
        ArpView a = arp.wrap(p.buffer(), p.offset(Layer.ARP));
        out.append("ARP ");
        boolean ipv4OverEthernet = a.hardwareLength() == 6 && a.protocolLength() == 4
                && p.length(Layer.ARP) >= 28;
        if (!ipv4OverEthernet) {
            out.append("op=").append(a.operation()).append(" htype=").append(a.hardwareType()).append(" ptype=0x");
            hex4(out, a.protocolType());
            return;
        }
        if (a.operation() == 1) {
            out.append("who-has ");
            out.ipv4(a.targetProtocolAddress()).append(" tell ");
            out.ipv4(a.senderProtocolAddress());
        } else if (a.operation() == 2) {
            out.ipv4(a.senderProtocolAddress()).append(" is-at ");
            out.append(MacAddress.append(out.scratch(), a.senderHardwareAddress()));
        } else {
            out.append("op=").append(a.operation()).append(' ');
            out.ipv4(a.senderProtocolAddress()).append(" > ");
            out.ipv4(a.targetProtocolAddress());
        }
    }

    private void quoted(LineText out, DecodedPacket p) {
        DecodedPacket inner = p.quoted();
        if (inner != null) {
            out.append(" (quoting ");
            // The quoted packet's own line, without its truncation mark: a quote is short by nature.
            new LinePrinter().body(out, inner);
            out.append(')');
        }
    }

    /** {@code src[:port] > dst[:port]} from the IPv4 or IPv6 layer. */
    private void endpoints(LineText out, DecodedPacket p, int sourcePort, int destinationPort) {
        ByteBuffer b = p.buffer();
        if (p.has(Layer.IPV4)) {
            Ipv4View ip = ipv4.wrap(b, p.offset(Layer.IPV4));
            out.ipv4(ip.source());
            port(out, sourcePort);
            out.append(" > ");
            out.ipv4(ip.destination());
            port(out, destinationPort);
        } else if (p.has(Layer.IPV6)) {
            int at = p.offset(Layer.IPV6);
            if (sourcePort >= 0) {
                out.append('[');
            }
            out.append(Ipv6Address.append(out.scratch(), b, at + 8));
            if (sourcePort >= 0) {
                out.append("]:").append(sourcePort);
            }
            out.append(" > ");
            if (destinationPort >= 0) {
                out.append('[');
            }
            out.append(Ipv6Address.append(out.scratch(), b, at + 24));
            if (destinationPort >= 0) {
                out.append("]:").append(destinationPort);
            }
        }
    }

    private static void port(LineText out, int port) {
        if (port >= 0) {
            out.append(':').append(port);
        }
    }

    /** TCP options as tcpdump writes them: {@code <mss 1460,sackOK,ts 1 0,nop,wscale 7>}. */
    static void tcpOptions(LineText out, ByteBuffer b, int offset, int length) {
        if (TcpOptions.onlyCommon(b, offset, length)) {
            commonTcpOptions(out, b, offset, length);
            return;
        }
        TcpOptions.Parsed parsed = TcpOptions.parse(b, offset, length);
        out.append(" <");
        boolean first = true;
        for (TcpOption o : parsed.options()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(TcpOptionText.text(o));
        }
        if (parsed.error() != null) {
            out.append(first ? "" : ",").append("bad option");
        }
        out.append('>');
    }

    /**
     * The options nearly every segment carries ({@link TcpOptions#onlyCommon}), written straight from the
     * bytes with nothing allocated: the decode hot path. The same text {@link TcpOptionText} gives.
     */
    private static void commonTcpOptions(LineText out, ByteBuffer b, int offset, int length) {
        out.append(" <");
        int i = 0;
        while (i < length) {
            if (i > 0) {
                out.append(',');
            }
            int kind = b.get(offset + i) & 0xFF;
            if (kind == TcpOptions.EOL) {
                out.append("eol");
                break;
            }
            if (kind == TcpOptions.NOP) {
                out.append("nop");
                i++;
                continue;
            }
            int at = offset + i + 2;
            if (kind == TcpOptions.MSS) {
                out.append("mss ").append((b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF));
            } else if (kind == TcpOptions.WINDOW_SCALE) {
                out.append("wscale ").append(b.get(at) & 0xFF);
            } else if (kind == TcpOptions.SACK_PERMITTED) {
                out.append("sackOK");
            } else {
                out.append("ts ").append(u32(b, at)).append(' ').append(u32(b, at + 4));
            }
            i += b.get(offset + i + 1) & 0xFF;
        }
        out.append('>');
    }

    /** Network byte order whatever the buffer's own order (a pcap reader's buffer may be little-endian). */
    private static long u32(ByteBuffer b, int at) {
        return (b.get(at) & 0xFFL) << 24 | (b.get(at + 1) & 0xFF) << 16 | (b.get(at + 2) & 0xFF) << 8 | (b.get(at + 3) & 0xFF);
    }

    private static void marks(LineText out, DecodedPacket p) {
        if (p.ipv4Checksum() == Verdict.INVALID) {
            out.append(" [bad ip checksum]");
        }
        if (p.transportChecksum() == Verdict.INVALID) {
            out.append(" [bad ").append(p.has(Layer.TCP) ? "tcp" : p.has(Layer.UDP) ? "udp" : p.has(Layer.ICMP) ? "icmp" : "icmpv6")
                    .append(" checksum]");
        }
        if (p.laterFragment()) {
            out.append(" [fragment]");
        }
        if (p.truncated()) {
            out.append(" [truncated]");
        }
        if (p.malformed()) {
            out.append(" [malformed ").append(p.errorLayer().jsonName).append(" at byte ").append(p.errorOffset())
                    .append(": ").append(p.errorMessage()).append(']');
        }
    }

    /** "/port-unreachable"; nothing for an unnamed code 0 (echo and friends have only that one). */
    private static void appendCode(LineText out, String name, int code) {
        if (name != null && !(code == 0 && name.startsWith("code-"))) {
            out.append('/').append(name);
        }
    }

    static void hex4(LineText out, int value) {
        for (int shift = 12; shift >= 0; shift -= 4) {
            out.append(Character.forDigit((value >>> shift) & 0xF, 16));
        }
    }
}
