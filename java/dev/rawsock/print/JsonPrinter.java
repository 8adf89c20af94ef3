package dev.rawsock.print;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.rawsock.wire.ArpView;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.IcmpView;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;

/**
 * JSON Lines, one object per packet, in the schema the README documents (an output contract: the names
 * stay). Written with jackson-core's streaming generator straight to the writer: no tree, no String per
 * field.
 */
public final class JsonPrinter {
    /**
     * No root-value separator: jackson's default writes a space before every object after the first, so each
     * line but the first would start with " {". Each object ends with the newline {@link #print} writes.
     */
    private static final JsonFactory FACTORY = new JsonFactoryBuilder().rootValueSeparator((String) null).build();

    private final JsonGenerator json;
    private final Ipv4View ipv4 = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final IcmpView icmp = new IcmpView();
    private final Icmpv6View icmpv6 = new Icmpv6View();
    private final EthernetView eth = new EthernetView();
    private final ArpView arp = new ArpView();
    private final StringBuilder scratch = new StringBuilder(64);
    private char[] chars = new char[64];                  // scratch handed to the generator: no String per address
    private final String[][] flagNames = new String[512][]; // TcpFlags.names per flags value, made once each
    private JsonPrinter innerPrinter;

    public JsonPrinter(Writer out) {
        try {
            this.json = FACTORY.createGenerator(out);
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the packet's object and a newline. */
    public void print(DecodedPacket p) {
        try {
            json.writeStartObject();
            json.writeNumberField("frame", p.frameNumber());
            json.writeNumberField("caplen", p.capturedLength());
            json.writeNumberField("len", p.originalLength());
            layers(p);
            json.writeBooleanField("truncated", p.truncated());
            if (p.malformed()) {
                json.writeObjectFieldStart("error");
                json.writeStringField("layer", p.errorLayer().jsonName);
                json.writeNumberField("offset", p.errorOffset());
                json.writeStringField("message", p.errorMessage());
                json.writeEndObject();
            }
            json.writeEndObject();
            json.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void flush() {
        try {
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "layers": [...] then one object per layer present. */
    private void layers(DecodedPacket p) throws IOException {
        json.writeArrayFieldStart("layers");
        for (int i = 0; i < p.layerCount(); i++) {
            json.writeString(p.layer(i).jsonName);
        }
        json.writeEndArray();
        for (int i = 0; i < p.layerCount(); i++) {
            int at = p.layerOffset(i);
            int length = p.layerLength(i);
            Layer layer = p.layer(i);
            json.writeObjectFieldStart(layer.jsonName);
            switch (layer) {
                case ETH: {
                    EthernetView e = eth.wrap(p.buffer(), at);
                    scratch.setLength(0);
                    textField("src", MacAddress.append(scratch, e.source()));
                    scratch.setLength(0);
                    textField("dst", MacAddress.append(scratch, e.destination()));
                    json.writeNumberField("type", e.etherType());
                    break;
                }
                case ARP:
                    arp(p, at, length);
                    break;
                case IPV4:
                    ipv4(p, at, length);
                    break;
                case IPV6:
                    ipv6(p.buffer(), at);
                    break;
                case TCP:
                    tcp(p, at, length);
                    break;
                case UDP: {
                    UdpView u = udp.wrap(p.buffer(), at);
                    json.writeNumberField("src_port", u.sourcePort());
                    json.writeNumberField("dst_port", u.destinationPort());
                    json.writeNumberField("length", u.length());
                    json.writeNumberField("checksum", u.checksum());
                    verdict("checksum_valid", p.transportChecksum());
                    json.writeNumberField("payload_length", p.length(Layer.PAYLOAD));
                    break;
                }
                case ICMP: {
                    IcmpView m = icmp.wrap(p.buffer(), at);
                    json.writeNumberField("type", m.type());
                    json.writeNumberField("code", m.code());
                    json.writeNumberField("checksum", m.checksum());
                    verdict("checksum_valid", p.transportChecksum());
                    if (m.type() == 0 || m.type() == 8 || m.type() == 13 || m.type() == 14) {
                        json.writeNumberField("id", m.identifier());
                        json.writeNumberField("seq", m.sequence());
                    } else if (m.type() == 3 && m.code() == 4) {
                        json.writeNumberField("mtu", m.nextHopMtu());
                    } else if (m.type() == 5) {
                        json.writeStringField("gateway", Ipv4Address.text(m.gateway()));
                    }
                    inner(p);
                    break;
                }
                case ICMPV6: {
                    Icmpv6View m = icmpv6.wrap(p.buffer(), at);
                    json.writeNumberField("type", m.type());
                    json.writeNumberField("code", m.code());
                    json.writeNumberField("checksum", m.checksum());
                    verdict("checksum_valid", p.transportChecksum());
                    if (m.type() == 128 || m.type() == 129) {
                        json.writeNumberField("id", m.identifier());
                        json.writeNumberField("seq", m.sequence());
                    } else if (m.type() == 2) {
                        json.writeNumberField("mtu", m.mtu());
                    }
                    inner(p);
                    break;
                }
                case PAYLOAD:
                    json.writeNumberField("length", length);
                    break;
                default:
                    break;
            }
            json.writeEndObject();
        }
    }

    private void inner(DecodedPacket p) throws IOException {
        DecodedPacket inner = p.quoted();
        if (inner != null) {
            if (innerPrinter == null) {
                innerPrinter = new JsonPrinter(json); // its own views: this printer's are in use
            }
            json.writeObjectFieldStart("inner");
            innerPrinter.layers(inner);
            json.writeEndObject();
        }
    }

    private JsonPrinter(JsonGenerator shared) {
        this.json = shared;
    }

    private void arp(DecodedPacket p, int at, int length) throws IOException {
        ArpView a = arp.wrap(p.buffer(), at);
        json.writeNumberField("htype", a.hardwareType());
        json.writeNumberField("ptype", a.protocolType());
        json.writeNumberField("hlen", a.hardwareLength());
        json.writeNumberField("plen", a.protocolLength());
        json.writeNumberField("op", a.operation());
        if (a.hardwareLength() == 6 && a.protocolLength() == 4 && length >= 28) {
            json.writeStringField("sha", MacAddress.text(a.senderHardwareAddress()));
            json.writeStringField("spa", Ipv4Address.text(a.senderProtocolAddress()));
            json.writeStringField("tha", MacAddress.text(a.targetHardwareAddress()));
            json.writeStringField("tpa", Ipv4Address.text(a.targetProtocolAddress()));
        }
    }

    private void ipv4(DecodedPacket p, int at, int length) throws IOException {
        Ipv4View ip = ipv4.wrap(p.buffer(), at);
        json.writeNumberField("version", ip.version());
        json.writeNumberField("ihl", ip.ihl());
        json.writeNumberField("dscp", ip.dscp());
        json.writeNumberField("ecn", ip.ecn());
        json.writeNumberField("total_length", ip.totalLength());
        json.writeNumberField("id", ip.identification());
        json.writeBooleanField("flag_reserved", ip.flagReserved());
        json.writeBooleanField("df", ip.dontFragment());
        json.writeBooleanField("mf", ip.moreFragments());
        json.writeNumberField("fragment_offset", ip.fragmentOffset());
        json.writeNumberField("ttl", ip.ttl());
        json.writeNumberField("protocol", ip.protocol());
        json.writeNumberField("checksum", ip.checksum());
        verdict("checksum_valid", p.ipv4Checksum());
        scratch.setLength(0);
        textField("src", Ipv4Address.append(scratch, ip.source()));
        scratch.setLength(0);
        textField("dst", Ipv4Address.append(scratch, ip.destination()));
        json.writeArrayFieldStart("options");
        if (length > Ipv4View.MIN_HEADER_BYTES) {
            Ipv4Options.Parsed parsed = Ipv4Options.parse(Bytes.copyOf(p.buffer(), at + Ipv4View.MIN_HEADER_BYTES,
                    length - Ipv4View.MIN_HEADER_BYTES));
            for (Ipv4Options.Option o : parsed.options()) {
                json.writeStartObject();
                json.writeNumberField("type", o.type());
                json.writeNumberField("length", o.length());
                json.writeStringField("data", o.data().hex());
                json.writeEndObject();
            }
        }
        json.writeEndArray();
    }

    private void ipv6(ByteBuffer b, int at) throws IOException {
        int word = ((b.get(at) & 0xFF) << 24) | ((b.get(at + 1) & 0xFF) << 16) | ((b.get(at + 2) & 0xFF) << 8) | (b.get(at + 3) & 0xFF);
        json.writeNumberField("version", word >>> 28);
        json.writeNumberField("traffic_class", (word >>> 20) & 0xFF);
        json.writeNumberField("flow_label", word & 0xFFFFF);
        json.writeNumberField("payload_length", ((b.get(at + 4) & 0xFF) << 8) | (b.get(at + 5) & 0xFF));
        json.writeNumberField("next_header", b.get(at + 6) & 0xFF);
        json.writeNumberField("hop_limit", b.get(at + 7) & 0xFF);
        scratch.setLength(0);
        textField("src", Ipv6Address.append(scratch, b, at + 8));
        scratch.setLength(0);
        textField("dst", Ipv6Address.append(scratch, b, at + 24));
    }

    private void tcp(DecodedPacket p, int at, int length) throws IOException {
        TcpView t = tcp.wrap(p.buffer(), at);
        json.writeNumberField("src_port", t.sourcePort());
        json.writeNumberField("dst_port", t.destinationPort());
        json.writeNumberField("seq", t.sequenceNumber());
        json.writeNumberField("ack", t.acknowledgmentNumber());
        json.writeNumberField("data_offset", t.dataOffset());
        json.writeNumberField("reserved", t.reserved());
        json.writeNumberField("flags", t.flags());
        json.writeArrayFieldStart("flag_names");
        String[] names = flagNames[t.flags()];
        if (names == null) {
            names = flagNames[t.flags()] = TcpFlags.names(t.flags()).toArray(new String[0]);
        }
        for (String name : names) {
            json.writeString(name);
        }
        json.writeEndArray();
        json.writeNumberField("window", t.window());
        json.writeNumberField("checksum", t.checksum());
        verdict("checksum_valid", p.transportChecksum());
        json.writeNumberField("urgent_pointer", t.urgentPointer());
        json.writeArrayFieldStart("options");
        if (length > TcpView.MIN_HEADER_BYTES && !commonTcpOptions(p.buffer(), at + TcpView.MIN_HEADER_BYTES, length - TcpView.MIN_HEADER_BYTES)) {
            for (TcpOption o : TcpOptions.parse(p.buffer(), at + TcpView.MIN_HEADER_BYTES, length - TcpView.MIN_HEADER_BYTES).options()) {
                tcpOption(o);
            }
        }
        json.writeEndArray();
        json.writeNumberField("payload_length", p.length(Layer.PAYLOAD));
    }

    /** A string field from the scratch text, through a reused char[] (the decode hot path: no String each). */
    private void textField(String name, StringBuilder text) throws IOException {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, 2 * chars.length)];
        }
        text.getChars(0, n, chars, 0);
        json.writeFieldName(name);
        json.writeString(chars, 0, n);
    }

    /**
     * Writes the options nearly every segment carries straight from the bytes, as {@link #tcpOption} writes the
     * parsed ones; returns false, having written nothing, when anything else is there
     * ({@link TcpOptions#onlyCommon}; the caller then takes the parsed path).
     */
    private boolean commonTcpOptions(ByteBuffer b, int offset, int length) throws IOException {
        if (!TcpOptions.onlyCommon(b, offset, length)) {
            return false;
        }
        for (int i = 0; i < length; ) {
            int kind = b.get(offset + i) & 0xFF;
            json.writeStartObject();
            json.writeNumberField("kind", kind);
            json.writeStringField("name", TcpOptions.kindName(kind));
            int at = offset + i + 2;
            if (kind == 2) {
                json.writeNumberField("mss", (b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF));
            } else if (kind == 3) {
                json.writeNumberField("shift", b.get(at) & 0xFF);
            } else if (kind == 8) {
                json.writeNumberField("tsval", u32(b, at));
                json.writeNumberField("tsecr", u32(b, at + 4));
            }
            json.writeEndObject();
            if (kind == 0) {
                break;
            }
            i += kind == 1 ? 1 : b.get(offset + i + 1) & 0xFF;
        }
        return true;
    }

    /** Network byte order whatever the buffer's own order. */
    private static long u32(ByteBuffer b, int at) {
        return (b.get(at) & 0xFFL) << 24 | (b.get(at + 1) & 0xFF) << 16 | (b.get(at + 2) & 0xFF) << 8 | (b.get(at + 3) & 0xFF);
    }

    private void tcpOption(TcpOption o) throws IOException {
        json.writeStartObject();
        json.writeNumberField("kind", o.kind());
        json.writeStringField("name", o.name());
        if (o instanceof TcpOption.Mss m) {
            json.writeNumberField("mss", m.mss());
        } else if (o instanceof TcpOption.WindowScale w) {
            json.writeNumberField("shift", w.shift());
        } else if (o instanceof TcpOption.Sack s) {
            json.writeArrayFieldStart("blocks");
            for (TcpOption.SackBlock block : s.blocks()) {
                json.writeStartArray();
                json.writeNumber(block.left());
                json.writeNumber(block.right());
                json.writeEndArray();
            }
            json.writeEndArray();
        } else if (o instanceof TcpOption.Timestamps t) {
            json.writeNumberField("tsval", t.tsval());
            json.writeNumberField("tsecr", t.tsecr());
        } else if (o instanceof TcpOption.Unknown u) {
            json.writeStringField("data", u.data().hex());
        }
        json.writeEndObject();
    }

    private void verdict(String name, Verdict v) throws IOException {
        if (v == Verdict.UNKNOWN) {
            json.writeNullField(name);
        } else {
            json.writeBooleanField(name, v == Verdict.VALID);
        }
    }
}
