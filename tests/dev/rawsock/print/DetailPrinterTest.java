package dev.rawsock.print;

import static dev.rawsock.print.PrintTesting.LOOPBACK;
import static dev.rawsock.print.PrintTesting.LOOPBACK2;
import static dev.rawsock.print.PrintTesting.build;
import static dev.rawsock.print.PrintTesting.decode;
import static dev.rawsock.print.PrintTesting.hex4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The multi-line form (--show): each field with its meaning, and each checksum judged; a wrong checksum
 * names the right one, checked here against the packet rebuilt with the right checksum.
 */
class DetailPrinterTest {
    private final DetailPrinter printer = new DetailPrinter();

    private String show(DecodedPacket p) {
        return printer.append(new StringBuilder(), p).toString();
    }

    /** The lines of one block ("ipv4:", "tcp:", ...), without their indentation. */
    private static List<String> block(String text, String name) {
        List<String> lines = List.of(text.split("\n"));
        int start = lines.indexOf("  " + name + ":");
        assertTrue(start >= 0, "no " + name + " block in\n" + text);
        int end = start + 1;
        while (end < lines.size() && lines.get(end).startsWith("    ")) {
            end++;
        }
        return lines.subList(start + 1, end).stream().map(String::trim).toList();
    }

    @Test
    void aSynAckFieldByField() {
        byte[] packet = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(8080).destinationPort(40000)
                .flags(TcpFlags.SYN | TcpFlags.ACK).sequence(4000000000L).acknowledgment(1001).dontFragment(true).identification(0x1c46)
                .ttl(63).dscp(46).ecn(2));
        String text = show(decode(packet));
        List<String> ip = block(text, "ipv4");
        Ipv4View v = new Ipv4View().wrap(ByteBuffer.wrap(packet), 0);
        assertEquals(List.of("version=4", "ihl=5 (20 bytes)", "dscp=46 (tos 0xba)", "ecn=2 (ECT(0))", "total_length=40 bytes",
                "id=7238 (0x1c46)", "flags=0x2 (DF)", "frag=0 (offset 0 bytes)", "ttl=63", "protocol=6 (TCP)",
                "checksum=0x" + hex4(v.checksum()) + " correct", "src=127.0.0.1", "dst=127.0.0.2"), ip);
        List<String> tcp = block(text, "tcp");
        TcpView t = new TcpView().wrap(ByteBuffer.wrap(packet), 20);
        assertEquals(List.of("sport=8080", "dport=40000", "seq=4000000000", "ack=1001", "data_offset=5 (20 bytes)", "reserved=0",
                "flags=0x012 (SYN, ACK)", "window=64240", "checksum=0x" + hex4(t.checksum()) + " correct", "urgent_pointer=0"), tcp);
    }

    @Test
    void flagsFragmentsAndOptionsHaveTheirMeaning() {
        byte[] fragment = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).fragmentOffset(185).flagReserved(true)
                .dontFragment(true).moreFragments(true).sourcePort(1).destinationPort(2));
        List<String> ip = block(show(decode(fragment)), "ipv4");
        assertTrue(ip.contains("flags=0x7 (reserved, DF, MF)"), ip.toString());
        assertTrue(ip.contains("frag=185 (offset 1480 bytes)"), ip.toString());
        byte[] none = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2));
        assertTrue(block(show(decode(none)), "ipv4").contains("flags=0x0 (none)"));

        byte[] options = build(PrintTesting.readmeSyn().ipOptions(Bytes.fromHex("94040000 01")).flags(TcpFlags.ALL).tcpReserved(5));
        String text = show(decode(options));
        List<String> ip2 = block(text, "ipv4");
        assertTrue(ip2.contains("ihl=7 (28 bytes)"), ip2.toString());
        assertTrue(ip2.contains("options=ra 0x0000, nop, eol (8 bytes)"), ip2.toString());
        List<String> tcp = block(text, "tcp");
        assertTrue(tcp.contains("flags=0x1ff (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS)"), tcp.toString());
        assertTrue(tcp.contains("reserved=5"), tcp.toString());
        assertTrue(tcp.contains("data_offset=10 (40 bytes)"), tcp.toString());
        assertTrue(tcp.contains("options=mss 1460, sackOK, ts 1 0, nop, wscale 7 (20 bytes)"), tcp.toString());
        byte[] noFlags = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).flags(0).sourcePort(1).destinationPort(2));
        assertTrue(block(show(decode(noFlags)), "tcp").contains("flags=0x000 (none)"));
    }

    /** Finds "checksum=0x.... ..." in a block. */
    private static String checksumLine(String text, String blockName) {
        return block(text, blockName).stream().filter(l -> l.startsWith("checksum=")).findFirst().orElseThrow();
    }

    /**
     * Builds {@code spec} twice from the same seed, once as given (with a wrong checksum) and once with the
     * checksum left to be computed, and checks that the wrong one's line names the other's value.
     */
    private void wrongChecksumNamesTheRightOne(String what, Supplier<PacketSpec> right, Function<PacketSpec, PacketSpec> spoil,
                                               String blockName, FieldReader field) {
        byte[] good = build(right.get(), 7);
        byte[] bad = build(spoil.apply(right.get()), 7);
        DecodedPacket goodDecoded = decode(good);
        assertEquals(Verdict.VALID, blockName.equals("ipv4") ? goodDecoded.ipv4Checksum() : goodDecoded.transportChecksum(), what);
        int correct = field.read(ByteBuffer.wrap(good));
        int wrong = field.read(ByteBuffer.wrap(bad));
        assertNotEquals(correct, wrong, what);
        assertEquals("checksum=0x" + hex4(correct) + " correct", checksumLine(show(goodDecoded), blockName), what);
        assertEquals("checksum=0x" + hex4(wrong) + " incorrect (should be 0x" + hex4(correct) + ")",
                checksumLine(show(decode(bad)), blockName), what);
    }

    interface FieldReader {
        int read(ByteBuffer packet);
    }

    @Test
    void aWrongIpChecksumNamesTheRightOne() {
        wrongChecksumNamesTheRightOne("ip", PrintTesting::readmeSyn, s -> s.ipChecksum(0xdead), "ipv4",
                b -> new Ipv4View().wrap(b, 0).checksum());
        // With options: the right checksum covers them.
        wrongChecksumNamesTheRightOne("ip with options", () -> PrintTesting.readmeSyn().ipOptions(Bytes.fromHex("94040000")),
                s -> s.ipChecksum(0), "ipv4", b -> new Ipv4View().wrap(b, 0).checksum());
    }

    @Test
    void aWrongTcpChecksumNamesTheRightOne() {
        wrongChecksumNamesTheRightOne("tcp", () -> PrintTesting.readmeSyn().payload(Bytes.of("abc".getBytes())),
                s -> s.badTransportChecksum(true), "tcp", b -> new TcpView().wrap(b, 20).checksum());
        wrongChecksumNamesTheRightOne("tcp after ip options", () -> PrintTesting.readmeSyn().ipOptions(Bytes.fromHex("94040000")),
                s -> s.transportChecksum(1), "tcp", b -> new TcpView().wrap(b, 24).checksum());
    }

    @Test
    void aWrongUdpChecksumNamesTheRightOne() {
        wrongChecksumNamesTheRightOne("udp", () -> PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(53)
                        .destinationPort(40000).payload(Bytes.of("reply".getBytes())),
                s -> s.badTransportChecksum(true), "udp", b -> new UdpView().wrap(b, 20).checksum());
        // UDP checksum 0 is "not computed": not judged, and not called wrong.
        byte[] none = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2).transportChecksum(0));
        assertEquals("checksum=0x0000 (not checked: 0 means not computed)", checksumLine(show(decode(none)), "udp"));
    }

    @Test
    void aWrongIcmpChecksumNamesTheRightOne() {
        wrongChecksumNamesTheRightOne("icmp", () -> PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK).icmpIdentifier(77)
                        .payload(Bytes.of("odd".getBytes())),
                s -> s.badTransportChecksum(true), "icmp", b -> new IcmpView().wrap(b, 20).checksum());
    }

    @Test
    void wrongChecksumsOverIpv6NameTheRightOnes() {
        byte[] tcp = PrintTesting.tcpSegment(40000, 8080, 5, 1001, TcpFlags.ACK, 100, "data".getBytes());
        byte[] good = PrintTesting.ipv6("2001:db8::1", "::1", 6, tcp, true);
        int correct = new TcpView().wrap(ByteBuffer.wrap(good), 40).checksum();
        byte[] bad = good.clone();
        new TcpView().wrap(ByteBuffer.wrap(bad), 40).checksum(correct ^ 0x8000);
        assertEquals(Verdict.VALID, decode(good, FirstLayer.IP).transportChecksum());
        assertEquals("checksum=0x" + hex4(correct) + " correct", checksumLine(show(decode(good, FirstLayer.IP)), "tcp"));
        assertEquals("checksum=0x" + hex4(correct ^ 0x8000) + " incorrect (should be 0x" + hex4(correct) + ")",
                checksumLine(show(decode(bad, FirstLayer.IP)), "tcp"));

        byte[] goodEcho = PrintTesting.ipv6("::1", "2001:db8::2", 58, Bytes.fromHex("80000000 1234 0001 6869").toArray(), true);
        int right = new Icmpv6View().wrap(ByteBuffer.wrap(goodEcho), 40).checksum();
        byte[] badEcho = goodEcho.clone();
        new Icmpv6View().wrap(ByteBuffer.wrap(badEcho), 40).checksum(right ^ 0x0001);
        assertEquals(Verdict.VALID, decode(goodEcho, FirstLayer.IP).transportChecksum());
        assertEquals("checksum=0x" + hex4(right ^ 1) + " incorrect (should be 0x" + hex4(right) + ")",
                checksumLine(show(decode(badEcho, FirstLayer.IP)), "icmpv6"));
    }

    @Test
    void unjudgedChecksumsSayWhy() {
        byte[] syn = build(PrintTesting.readmeSyn().payload(Bytes.of("0123456789".getBytes())));
        String cut = show(decode(syn, syn.length - 4, syn.length, FirstLayer.IPV4));
        assertTrue(checksumLine(cut, "tcp").endsWith(" (not checked: the data is cut short)"), cut);
        assertTrue(checksumLine(cut, "ipv4").endsWith(" correct"), "the IP header is whole:\n" + cut);
        assertTrue(cut.contains("  truncated: captured " + (syn.length - 4) + " of " + syn.length + " bytes\n"), cut);

        byte[] first = build(PrintTesting.readmeSyn().moreFragments(true));
        assertTrue(checksumLine(show(decode(first)), "tcp").endsWith(" (not checked: a fragment)"));
    }

    @Test
    void malformationsAreMentioned() {
        byte[] lying = build(PrintTesting.readmeSyn().totalLength(100));
        String text = show(decode(lying));
        assertTrue(text.endsWith("  malformed: ipv4 at byte 2: total length 100 is larger than the data (60 bytes)\n"), text);
    }

    @Test
    void anIcmpErrorShowsTheQuotedPacket() {
        byte[] udp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(40000).destinationPort(53)
                .payload(Bytes.of(new byte[] {1, 2, 3})));
        byte[] error = build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpType(3).icmpCode(3).icmpRestOfHeader(0L)
                .payload(Bytes.of(udp)));
        String text = show(decode(error));
        List<String> icmp = block(text, "icmp");
        assertEquals("type=3 (dest-unreachable)", icmp.get(0));
        assertEquals("code=3 (port-unreachable)", icmp.get(1));
        assertTrue(text.contains("    quoted packet (" + udp.length + " bytes):\n"), text);
        assertTrue(text.contains("\n        sport=40000\n        dport=53\n"), "the quoted UDP header, indented:\n" + text);
        assertFalse(decode(error).has(Layer.PAYLOAD));
    }
}
