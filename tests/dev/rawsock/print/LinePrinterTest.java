package dev.rawsock.print;

import static dev.rawsock.print.PrintTesting.LOOPBACK;
import static dev.rawsock.print.PrintTesting.LOOPBACK2;
import static dev.rawsock.print.PrintTesting.build;
import static dev.rawsock.print.PrintTesting.decode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** The one-line form: the 4-tuple, the TCP fields people look at, and marks for what is wrong. */
class LinePrinterTest {
    private final LinePrinter printer = new LinePrinter();

    private String line(byte[] packet) {
        return printer.line(decode(packet));
    }

    /** The README's example, character for character (an output contract). */
    @Test
    void theReadmeSyn() {
        assertEquals("TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=1000 win=64240 <mss 1460,sackOK,ts 1 0,nop,wscale 7> len=0",
                line(build(PrintTesting.readmeSyn())));
    }

    @Test
    void aSynAckShowsTheAckNumberAndASynDoesNot() {
        byte[] synAck = build(PacketSpec.tcp().source(LOOPBACK2).destination(LOOPBACK).sourcePort(8080).destinationPort(40000)
                .flags(TcpFlags.SYN | TcpFlags.ACK).sequence(4000000000L).acknowledgment(1001).window(65483));
        assertEquals("TCP 127.0.0.2:8080 > 127.0.0.1:40000 [SA] seq=4000000000 ack=1001 win=65483 len=0", line(synAck));
        // Without ACK the acknowledgement number is not meaningful and is not shown, even when set.
        byte[] syn = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(1).destinationPort(2)
                .sequence(7L).acknowledgment(99));
        assertEquals("TCP 127.0.0.1:1 > 127.0.0.2:2 [S] seq=7 win=64240 len=0", line(syn));
        // Data, the urgent pointer, SACK blocks and an unknown option.
        byte[] data = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(5).destinationPort(6)
                .flags(TcpFlags.PSH | TcpFlags.ACK | TcpFlags.URG).sequence(1L).acknowledgment(2).window(3).urgentPointer(4)
                .tcpOptions(Bytes.fromHex("0101 050a 000003e8 000007d0 fd04abcd")).payload(Bytes.of("hello".getBytes())));
        assertEquals("TCP 127.0.0.1:5 > 127.0.0.2:6 [PAU] seq=1 ack=2 win=3 urg=4 <nop,nop,sack 1 {1000:2000},opt-253 0xabcd> len=5",
                line(data));
    }

    @Test
    void udpAndIcmpEcho() {
        byte[] udp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(5353).destinationPort(53)
                .payload(Bytes.of(new byte[] {1, 2, 3, 4, 5})));
        assertEquals("UDP 127.0.0.1:5353 > 127.0.0.2:53 len=5", line(udp));
        byte[] echo = build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpIdentifier(777).icmpSequence(3)
                .payload(Bytes.of("ping".getBytes())));
        assertEquals("ICMP 127.0.0.2 > 127.0.0.1 echo-request id=777 seq=3 len=4", line(echo));
        byte[] reply = build(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK2).icmpType(0).icmpIdentifier(1).icmpSequence(65535));
        assertEquals("ICMP 127.0.0.1 > 127.0.0.2 echo-reply id=1 seq=65535 len=0", line(reply));
    }

    @Test
    void anIcmpPortUnreachableQuotesTheUdpPacket() {
        // The datagram that met a closed port: 127.0.0.1:40000 > 127.0.0.2:53 with 5 bytes of data.
        byte[] udp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(40000).destinationPort(53)
                .payload(Bytes.of(new byte[] {1, 2, 3, 4, 5})));
        // Linux quotes the whole datagram (up to 576 bytes in all); RFC 792 asks for the IP header and 8 bytes.
        for (int quoted : new int[] {udp.length, 28}) {
            byte[] error = build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpType(3).icmpCode(3).icmpRestOfHeader(0L)
                    .payload(Bytes.of(Arrays.copyOf(udp, quoted))));
            DecodedPacket p = decode(error);
            assertEquals("ICMP 127.0.0.2 > 127.0.0.1 dest-unreachable/port-unreachable (quoting UDP 127.0.0.1:40000 > 127.0.0.2:53 len="
                    + (quoted - 28) + ") len=" + quoted, printer.line(p));
            assertFalse(p.truncated(), "the ICMP message itself is whole");
        }
    }

    @Test
    void arpRequestAndReply() {
        assertEquals("ARP who-has 192.0.2.2 tell 192.0.2.1",
                printer.line(decode(PrintTesting.arpFrame(1, PrintTesting.MAC_A, "192.0.2.1", 0, "192.0.2.2"), FirstLayer.ETHERNET)));
        assertEquals("ARP 192.0.2.2 is-at 02:00:00:00:00:0b",
                printer.line(decode(PrintTesting.arpFrame(2, PrintTesting.MAC_B, "192.0.2.2", PrintTesting.MAC_A, "192.0.2.1"), FirstLayer.ETHERNET)));
    }

    @Test
    void ipv6TcpPutsTheAddressInBrackets() {
        byte[] packet = PrintTesting.ipv6("2001:db8::1", "::1", 6,
                PrintTesting.tcpSegment(40000, 8080, 5, 1001, TcpFlags.SYN | TcpFlags.ACK, 100, new byte[3]), true);
        DecodedPacket p = decode(packet, FirstLayer.IP);
        assertEquals("TCP [2001:db8::1]:40000 > [::1]:8080 [SA] seq=5 ack=1001 win=100 len=3", printer.line(p));
        // Without ports (ICMPv6) there are no brackets.
        byte[] echo = PrintTesting.ipv6("::1", "2001:db8::2", 58, Bytes.fromHex("80000000 1234 0001 6869").toArray(), true);
        assertEquals("ICMPv6 ::1 > 2001:db8::2 echo-request id=4660 seq=1 len=2", printer.line(decode(echo, FirstLayer.IP)));
    }

    @Test
    void checksumMarks() {
        String clean = line(build(PrintTesting.readmeSyn()));
        assertFalse(clean.contains("[bad"), clean);

        byte[] right = build(PrintTesting.readmeSyn());
        int correct = new Ipv4View().wrap(ByteBuffer.wrap(right), 0).checksum();
        byte[] badIp = build(PrintTesting.readmeSyn().ipChecksum(correct ^ 0x0100));
        assertEquals(clean + " [bad ip checksum]", line(badIp));

        byte[] badTcp = build(PrintTesting.readmeSyn().badTransportChecksum(true));
        assertEquals(clean + " [bad tcp checksum]", line(badTcp));

        byte[] both = build(PrintTesting.readmeSyn().badTransportChecksum(true).ipChecksum(correct ^ 0x0100));
        assertEquals(clean + " [bad ip checksum] [bad tcp checksum]", line(both));

        byte[] badUdp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2).badTransportChecksum(true));
        assertEquals("UDP 127.0.0.1:1 > 127.0.0.1:2 len=0 [bad udp checksum]", line(badUdp));
        byte[] badIcmp = build(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK).icmpIdentifier(9).badTransportChecksum(true));
        assertEquals("ICMP 127.0.0.1 > 127.0.0.1 echo-request id=9 seq=1 len=0 [bad icmp checksum]", line(badIcmp));
        // UDP checksum 0 means "none" over IPv4: nothing to mark.
        byte[] none = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2).transportChecksum(0));
        assertEquals("UDP 127.0.0.1:1 > 127.0.0.1:2 len=0", line(none));
    }

    @Test
    void truncatedAndMalformedMarks() {
        byte[] syn = build(PrintTesting.readmeSyn().payload(Bytes.of("0123456789".getBytes())));
        String whole = printer.line(decode(syn));
        assertTrue(whole.endsWith("len=10"), whole);
        // The capture stops 4 bytes into the data: the line says so, and says how much data there is.
        DecodedPacket cut = decode(syn, syn.length - 6, syn.length, FirstLayer.IPV4);
        assertEquals(whole.replace("len=10", "len=4") + " [truncated]", printer.line(cut));
        // Cut inside the TCP header: the IP layer is all there is to show.
        DecodedPacket cutHeader = decode(syn, 30, syn.length, FirstLayer.IPV4);
        String line = printer.line(cutHeader);
        assertTrue(line.startsWith("IPv4 127.0.0.1 > 127.0.0.1 proto=6 "), line);
        assertTrue(line.endsWith(" [truncated]"), line);
        assertFalse(line.contains("malformed"), line);

        // A total length larger than the data, all of which was captured: malformed, not truncated.
        byte[] lying = build(PrintTesting.readmeSyn().totalLength(100));
        DecodedPacket p = decode(lying);
        assertEquals(Verdict.VALID, p.ipv4Checksum());
        assertEquals("TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=1000 win=64240 <mss 1460,sackOK,ts 1 0,nop,wscale 7> len=0"
                + " [malformed ipv4 at byte 2: total length 100 is larger than the data (60 bytes)]", printer.line(p));

        // A TCP option running past the header: malformed at the option's offset, and the options show it.
        byte[] badOption = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2).sequence(3L)
                .tcpOptions(Bytes.fromHex("0101 0208")));
        assertEquals("TCP 127.0.0.1:1 > 127.0.0.1:2 [S] seq=3 win=64240 <nop,nop,bad option> len=0"
                + " [malformed tcp at byte 42: option: option mss of length 8 runs past the options (2 bytes left)]", line(badOption));
    }

    @Test
    void fragmentsAreMarkedAndDoNotPretendToBeTcp() {
        byte[] fragment = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).identification(0xBEEF).fragmentOffset(185)
                .sourcePort(1).destinationPort(2).sequence(3L));
        assertEquals("IPv4 127.0.0.1 > 127.0.0.2 proto=6 frag id=48879 off=1480 len=20 [fragment]", line(fragment));
        byte[] first = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).identification(1).moreFragments(true)
                .sourcePort(1).destinationPort(2).sequence(3L));
        assertEquals("TCP 127.0.0.1:1 > 127.0.0.2:2 [S] seq=3 win=64240 len=0", line(first), "a first fragment has its TCP header");
    }

    @Test
    void appendReusesTheCallersBuilder() {
        StringBuilder out = new StringBuilder("> ");
        DecodedPacket p = decode(build(PrintTesting.readmeSyn()));
        printer.append(out, p);
        assertEquals("> " + printer.line(p), out.toString());
        // The same printer, used again, gives the same line (no state carried over).
        byte[] other = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).sourcePort(1).destinationPort(2));
        printer.line(decode(other));
        assertEquals("TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=1000 win=64240 <mss 1460,sackOK,ts 1 0,nop,wscale 7> len=0",
                printer.line(p));
        // The TCP view reads the same numbers the line shows.
        TcpView t = new TcpView().wrap(p.buffer(), 20);
        assertEquals(1000, t.sequenceNumber());
    }

    /** The straight-from-the-bytes path for common options writes what the parsed path writes, option for option. */
    @org.junit.jupiter.api.Test
    void commonOptionsFromTheBytesReadAsTheParsedOnes() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int n = 0; n < 2_000; n++) {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            for (int k = random.nextInt(1, 7); k > 0 && o.size() < 30; k--) {
                switch (random.nextInt(5)) {
                    case 0 -> o.write(1);
                    case 1 -> o.writeBytes(new byte[] {2, 4, (byte) random.nextInt(256), (byte) random.nextInt(256)});
                    case 2 -> o.writeBytes(new byte[] {3, 3, (byte) random.nextInt(256)});
                    case 3 -> o.writeBytes(new byte[] {4, 2});
                    default -> {
                        byte[] ts = new byte[10];
                        random.nextBytes(ts);
                        ts[0] = 8;
                        ts[1] = 10;
                        o.writeBytes(ts);
                    }
                }
            }
            if (random.nextBoolean()) {
                o.write(0); // EOL, then padding
                o.write(random.nextInt(256));
            }
            byte[] raw = o.toByteArray();
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw);
            assertTrue(dev.rawsock.wire.TcpOptions.onlyCommon(b, 0, raw.length), Bytes.of(raw).hex());
            LineText fast = new LineText();
            LinePrinter.tcpOptions(fast, b, 0, raw.length);
            StringBuilder parsed = new StringBuilder(" <");
            java.util.List<dev.rawsock.wire.TcpOption> options = dev.rawsock.wire.TcpOptions.parse(b, 0, raw.length).options();
            for (int j = 0; j < options.size(); j++) {
                parsed.append(j > 0 ? "," : "").append(TcpOptionText.text(options.get(j)));
            }
            assertEquals(parsed.append('>').toString(), fast.toString(), Bytes.of(raw).hex());
        }
    }

    /**
     * rawsock decode prints a line per packet through one reused builder: after warm-up the TCP, UDP and ICMP
     * lines (an echo's unnamed code 0 included) allocate nothing, so a long decode makes no garbage.
     */
    @Test
    void printingLinesAllocatesNothingPerPacket() {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        DecodedPacket[] mix = {
            decode(build(PrintTesting.readmeSyn())),
            decode(build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(5353).destinationPort(53))),
            decode(build(PacketSpec.icmp().source(LOOPBACK2).destination(LOOPBACK).icmpIdentifier(777).icmpSequence(3))),
            decode(build(PacketSpec.icmp().source(LOOPBACK).destination(LOOPBACK2).icmpType(0).icmpIdentifier(1))),
        };
        StringBuilder out = new StringBuilder(512);
        long characters = 0;
        for (int i = 0; i < 20_000; i++) { // warm up
            out.setLength(0);
            characters += printer.append(out, mix[i % mix.length]).length();
        }
        int lines = 100_000;
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < lines; i++) {
            out.setLength(0);
            characters += printer.append(out, mix[i % mix.length]).length();
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(characters > 0);
        assertTrue(allocated < lines / 2, "printing " + lines + " lines allocated " + allocated + " bytes (expected about 0)");
    }
}
