package dev.rawsock.oracle;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapReader;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tshark (Wireshark's decoder, from Debian's package) as an independent oracle: it reads the pcap we
 * write and must see the same fields and the same checksum verdicts that our decoder reports.
 */
class TsharkAgreesTest {
    private static final int LOOPBACK = Ipv4Address.parse("127.0.0.1");

    private static final String[] FIELDS = {
        "ip.src", "ip.dst", "ip.ttl", "ip.id", "ip.flags.df", "ip.flags.mf", "ip.proto", "ip.hdr_len", "ip.len",
        "ip.checksum.status", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags",
        "tcp.window_size_value", "tcp.checksum.status", "tcp.options.mss_val", "tcp.options.wscale.shift",
        "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.len", "udp.srcport", "udp.dstport",
        "udp.length", "udp.checksum.status", "icmp.type", "icmp.code", "icmp.checksum.status", "icmp.ident", "icmp.seq",
    };

    static List<PacketSpec> specs() {
        Bytes synOptions = TcpOptions.encode(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(4242, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7)));
        List<PacketSpec> specs = new ArrayList<>();
        specs.add(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(40000).destinationPort(8080)
                .sequence(1000L).tcpOptions(synOptions).dontFragment(true));
        specs.add(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(0).destinationPort(0)
                .flags(TcpFlags.SYN | TcpFlags.FIN).badTransportChecksum(true));
        specs.add(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(80).destinationPort(51000)
                .flags(TcpFlags.PSH | TcpFlags.ACK).acknowledgment(0xFFFFFFF0L).sequence(7L)
                .payload(Bytes.of("HTTP/1.0 200 OK\r\n\r\n".getBytes())));
        specs.add(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(5353).destinationPort(53)
                .payload(Bytes.of(new byte[] {1, 2, 3, 4, 5})));
        specs.add(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2)
                .payload(Bytes.of((byte) 9)).badTransportChecksum(true));
        specs.add(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(3).destinationPort(4)
                .transportChecksum(0));
        specs.add(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK).icmpIdentifier(777).icmpSequence(3)
                .payload(Bytes.of("ping".getBytes())));
        specs.add(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK).icmpIdentifier(1).badTransportChecksum(true));
        specs.add(PacketSpec.tcp().source(LOOPBACK).destination(Ipv4Address.parse("127.0.0.2")).ttl(1).ipChecksum(0xDEAD)
                .ipOptions(Bytes.of((byte) 0x94, (byte) 4, (byte) 0, (byte) 0)).identification(0xABCD));
        return specs;
    }

    @Test
    void tsharkSeesWhatWeSee(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("crafted.pcap");
        List<byte[]> packets = new ArrayList<>();
        Assembler assembler = new Assembler();
        ByteBuffer b = ByteBuffer.allocate(65535);
        for (PacketSpec spec : specs()) {
            int n = assembler.assemble(spec, Randomness.seeded(packets.size()), EmitOptions.DEFAULT, b, 0);
            byte[] packet = new byte[n];
            b.get(0, packet);
            packets.add(packet);
        }
        try (PcapWriter writer = PcapWriter.open(pcap, LinkType.RAW, 65535, false)) {
            for (byte[] p : packets) {
                writer.write(1_700_000_000_000_000_000L, ByteBuffer.wrap(p), 0, p.length, p.length);
            }
        }

        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-o", "tcp.relative_sequence_numbers:FALSE", "-T", "fields", "-E", "separator=|", "-E", "occurrence=f"));
        for (String f : FIELDS) {
            command.add("-e");
            command.add(f);
        }
        NativeTools.Result tshark = NativeTools.run(120, command);
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        List<String> lines = tshark.lines();
        assertEquals(packets.size(), lines.size(), "tshark read every packet we wrote:\n" + tshark.stdout());

        // Our side: read the same file back with our reader and decoder.
        List<String> ours = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        try (PcapReader reader = PcapReader.open(pcap)) {
            while (reader.next()) {
                decoder.decode(reader.buffer(), 0, reader.capturedLength(), (int) reader.originalLength(), FirstLayer.IP, p);
                ours.add(fields(p));
            }
        }
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).equals(ours.get(i))) {
                differences.add("packet " + (i + 1) + "\n  tshark: " + lines.get(i) + "\n  ours:   " + ours.get(i));
            }
        }
        assertTrue(differences.isEmpty(), "fields: " + String.join("|", FIELDS) + "\n" + String.join("\n", differences));
    }

    /** Our decoding in tshark's words, field for field (empty where tshark prints nothing). */
    private static String fields(DecodedPacket p) {
        ByteBuffer b = p.buffer();
        List<String> v = new ArrayList<>();
        Ipv4View ip = new Ipv4View().wrap(b, p.offset(Layer.IPV4));
        v.add(Ipv4Address.text(ip.source()));
        v.add(Ipv4Address.text(ip.destination()));
        v.add(Integer.toString(ip.ttl()));
        v.add(String.format("0x%04x", ip.identification()));
        v.add(ip.dontFragment() ? "1" : "0");
        v.add(ip.moreFragments() ? "1" : "0");
        v.add(Integer.toString(ip.protocol()));
        v.add(Integer.toString(ip.headerLengthBytes()));
        v.add(Integer.toString(ip.totalLength()));
        v.add(status(p.ipv4Checksum()));
        if (p.has(Layer.TCP)) {
            TcpView t = new TcpView().wrap(b, p.offset(Layer.TCP));
            v.add(Integer.toString(t.sourcePort()));
            v.add(Integer.toString(t.destinationPort()));
            v.add(Long.toString(t.sequenceNumber()));
            v.add(Long.toString(t.acknowledgmentNumber()));
            v.add(String.format("0x%04x", t.flags() | (t.reserved() << 9)));
            v.add(Integer.toString(t.window()));
            v.add(status(p.transportChecksum()));
            TcpOptions.Parsed options = TcpOptions.parse(b, p.offset(Layer.TCP) + 20, t.headerLengthBytes() - 20);
            v.add(options.options().stream().filter(o -> o instanceof TcpOption.Mss).map(o -> Integer.toString(((TcpOption.Mss) o).mss())).findFirst().orElse(""));
            v.add(options.options().stream().filter(o -> o instanceof TcpOption.WindowScale).map(o -> Integer.toString(((TcpOption.WindowScale) o).shift())).findFirst().orElse(""));
            v.add(options.options().stream().filter(o -> o instanceof TcpOption.Timestamps).map(o -> Long.toString(((TcpOption.Timestamps) o).tsval())).findFirst().orElse(""));
            v.add(options.options().stream().filter(o -> o instanceof TcpOption.Timestamps).map(o -> Long.toString(((TcpOption.Timestamps) o).tsecr())).findFirst().orElse(""));
            v.add(Integer.toString(p.length(Layer.PAYLOAD)));
        } else {
            for (int i = 0; i < 12; i++) {
                v.add("");
            }
        }
        if (p.has(Layer.UDP)) {
            UdpView u = new UdpView().wrap(b, p.offset(Layer.UDP));
            v.add(Integer.toString(u.sourcePort()));
            v.add(Integer.toString(u.destinationPort()));
            v.add(Integer.toString(u.length()));
            // A zero UDP checksum is "not present" (3) to tshark; to us it is equally not judged (null).
            v.add(u.checksum() == 0 ? "3" : status(p.transportChecksum()));
        } else {
            for (int i = 0; i < 4; i++) {
                v.add("");
            }
        }
        if (p.has(Layer.ICMP)) {
            IcmpView m = new IcmpView().wrap(b, p.offset(Layer.ICMP));
            v.add(Integer.toString(m.type()));
            v.add(Integer.toString(m.code()));
            v.add(status(p.transportChecksum()));
            v.add(Integer.toString(m.identifier()));
            v.add(Integer.toString(m.sequence()));
        } else {
            for (int i = 0; i < 5; i++) {
                v.add("");
            }
        }
        return String.join("|", v);
    }

    /** tshark's checksum status: 0 bad, 1 good, 2 unverified. */
    private static String status(Verdict verdict) {
        switch (verdict) {
            case VALID: return "1";
            case INVALID: return "0";
            default: return "2";
        }
    }
}
