package dev.rawsock.junit;

import dev.rawsock.capture.LinkType;
import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.ACK;
import static dev.rawsock.junit.TcpMatch.RST;
import static dev.rawsock.junit.TcpMatch.SYN;
import static dev.rawsock.junit.TcpMatch.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assertions over a capture of packets in hand (no privileges needed): matching, payloads, messages, pcap. */
class CaptureAssertTest {
    private static final int LOOPBACK = 0x7F00_0001;
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private static Capture.Frame frame(PacketSpec spec, long nanos) {
        ByteBuffer b = ByteBuffer.allocate(Assembler.lengthOf(spec));
        int n = new Assembler().assemble(spec.source(LOOPBACK).destination(LOOPBACK), Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        byte[] bytes = new byte[n];
        b.get(0, bytes);
        return new Capture.Frame(nanos, bytes, n);
    }

    private static PacketSpec segment(InetSocketAddress from, InetSocketAddress to, int flags, long seq, long ack, String data) {
        return PacketSpec.tcp().sourcePort(from.getPort()).destinationPort(to.getPort()).flags(flags).sequence(seq).acknowledgment(ack)
                .window(1000).payload(Bytes.of(data.getBytes(StandardCharsets.US_ASCII)));
    }

    private static Capture conversation() {
        List<Capture.Frame> f = new ArrayList<>();
        f.add(frame(segment(CLIENT, SERVER, TcpFlags.SYN, 100, 0, ""), 1_000));
        f.add(frame(segment(SERVER, CLIENT, TcpFlags.SYN | TcpFlags.ACK, 500, 101, "")
                .tcpOptions(TcpOptions.encode(List.of(new TcpOption.Mss(1460)))), 2_000));
        f.add(frame(segment(CLIENT, SERVER, TcpFlags.ACK, 101, 501, ""), 3_000));
        f.add(frame(segment(SERVER, CLIENT, TcpFlags.ACK | TcpFlags.PSH, 501, 101, "hello "), 4_000));
        f.add(frame(segment(SERVER, CLIENT, TcpFlags.ACK | TcpFlags.PSH, 501, 101, "hello "), 5_000)); // a retransmission
        f.add(frame(segment(SERVER, CLIENT, TcpFlags.ACK | TcpFlags.PSH, 507, 101, "world"), 6_000));
        return Capture.of(LinkType.IPV4, f);
    }

    @Test
    void segmentsAreFoundByAddressFlagsNumbersAndOptions() {
        Capture c = conversation();
        assertThat(c).hasSegment(tcp().from(SERVER).flags(SYN, ACK).ack(101).mss(1460))
                .hasSegment(tcp().to(SERVER).onlyFlags(SYN).seq(100))
                .hasSegments(tcp().from(SERVER).withPayload(), 3)
                .doesNotHave(tcp().flags(RST));
    }

    @Test
    void withinAfterHasSegmentBoundsTheTimeSinceThePreviousSegmentFound() {
        long t = 1_700_000_000_000_000_000L;
        Capture c = Capture.of(LinkType.IPV4, List.of(
                frame(segment(CLIENT, SERVER, TcpFlags.SYN, 100, 0, ""), t),
                frame(segment(SERVER, CLIENT, TcpFlags.SYN | TcpFlags.ACK, 500, 101, ""), t + 300_000_000L)));
        TcpMatch syn = tcp().to(SERVER).onlyFlags(SYN);
        TcpMatch synAck = tcp().from(SERVER).flags(SYN, ACK).ack(101);
        assertThat(c).hasSegment(syn).hasSegment(synAck).within(Duration.ofMillis(500));
        AssertionError e = assertThrows(AssertionError.class,
                () -> assertThat(c).hasSegment(syn).hasSegment(synAck).within(Duration.ofMillis(200)));
        assertTrue(e.getMessage().startsWith("expected " + synAck + " within 200 ms of packet 1 (" + syn + "), but it came 300.0 ms after (packet 2)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("captured on (given):"), e.getMessage());
        // The first segment of a chain is measured from assertThat: one captured 5 s from now is not within 1 s.
        Instant now = Instant.now();
        long later = now.getEpochSecond() * 1_000_000_000L + now.getNano() + 5_000_000_000L;
        Capture future = Capture.of(LinkType.IPV4, List.of(frame(segment(CLIENT, SERVER, TcpFlags.SYN, 100, 0, ""), later)));
        AssertionError late = assertThrows(AssertionError.class, () -> assertThat(future).hasSegment(syn).within(Duration.ofSeconds(1)));
        assertTrue(late.getMessage().contains("within 1000 ms of when the assertion began"), late.getMessage());
        assertThat(future).hasSegment(syn).within(Duration.ofSeconds(10));
    }

    @Test
    void withinBeforeHasSegmentIsTheWaitAndTheDefaultWaitSaysSo() {
        Capture c = conversation();
        AssertionError e = assertThrows(AssertionError.class, () -> assertThat(c).hasSegment(tcp().flags(RST)));
        assertTrue(e.getMessage().contains("within 2000 ms, but none was captured (the default wait: put within(d) before hasSegment"),
                e.getMessage());
        AssertionError shorter = assertThrows(AssertionError.class,
                () -> assertThat(c).within(Duration.ofMillis(50)).hasSegment(tcp().flags(RST)));
        assertTrue(shorter.getMessage().contains("within 50 ms, but none was captured\n"), shorter.getMessage());
        assertThrows(IllegalArgumentException.class, () -> assertThat(c).within(Duration.ZERO));
    }

    @Test
    void theStreamOneSideSentCountsARetransmissionOnce() {
        Capture c = conversation();
        assertThat(c).segmentsFrom(SERVER).hasPayload("hello world").payloadContains("world");
        assertArrayEquals(new byte[0], assertThat(c).segmentsFrom(CLIENT).payload());
    }

    @Test
    void aFailureSaysWhatWasLookedForAndShowsTheCaptureAsDecodedLines() {
        Capture c = conversation();
        AssertionError e = assertThrows(AssertionError.class,
                () -> assertThat(c).within(Duration.ofMillis(10)).hasSegment(tcp().from(SERVER).flags(RST)));
        String m = e.getMessage();
        assertTrue(m.startsWith("expected a TCP segment from 127.0.0.1:8080, flags [R] within 10 ms, but none was captured\ncaptured on (given):\n"), m);
        assertTrue(m.contains("     1  TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=100 "), m);
        assertTrue(m.contains("     6  TCP 127.0.0.1:8080 > 127.0.0.1:40000 [PA] seq=507 ack=101 "), m);
        assertTrue(!m.contains("DecodedPacket@") && !m.contains("Frame["), "no object dumps: " + m);

        AssertionError none = assertThrows(AssertionError.class, () -> assertThat(c).doesNotHave(tcp().from(SERVER).withPayload()));
        assertTrue(none.getMessage().startsWith("expected none of: a TCP segment from 127.0.0.1:8080, with payload, but packet 4 is one"),
                none.getMessage());

        AssertionError bytes = assertThrows(AssertionError.class, () -> assertThat(c).within(Duration.ofMillis(10))
                .segmentsFrom(SERVER).hasPayload("hello there"));
        assertTrue(bytes.getMessage().startsWith("expected the segments from 127.0.0.1:8080 to carry \"hello there\" (11 bytes) but they carried \"hello world\" (11 bytes)"),
                bytes.getMessage());
    }

    @Test
    void theCaptureWritesAPcapThatTsharkReads(@TempDir Path dir) throws Exception {
        Path pcap = conversation().writePcap(dir.resolve("conversation.pcap"));
        NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields", "-e", "tcp.seq_raw"));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        assertEquals(List.of("100", "500", "101", "501", "501", "507"), tshark.lines());
    }
}
