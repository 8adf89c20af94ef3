package dev.rawsock.lab;

import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One write() of N bytes becomes segments on the wire: the kernel is the oracle. The captured segments'
 * data adds up to exactly what was written and what the server read, byte for byte; no frame carries
 * more than one full segment (no offload merging at the capture point); the count is ceil(N / full).
 */
class SegmentsTest {
    private static Lab lab;
    private static List<String> namespacesBefore;

    @BeforeAll
    static void oneLabForAll() throws Exception {
        Privileged.assumeRoot("rawsock segments (network namespaces, veth, packet sockets)");
        namespacesBefore = LabTesting.netnsListOfThisProcess();
        lab = Lab.create(Lab.Topology.directWithAddresses());
    }

    @AfterAll
    static void removeTheLab() throws Exception {
        if (lab != null) {
            lab.close();
            assertEquals(namespacesBefore, LabTesting.netnsListOfThisProcess(), "the lab left namespaces behind");
        }
    }

    /** An Ethernet frame with one TCP segment from 198.18.0.1:40000 to 198.18.0.2:9 (or back), built by rawsock's assembler. */
    private static byte[] frame(boolean fromClient, long seq, int flags, int dataBytes) {
        dev.rawsock.craft.PacketSpec spec = dev.rawsock.craft.PacketSpec.tcp()
                .source(fromClient ? Lab.CRAFTING_ADDRESS : Lab.TARGET_ADDRESS).destination(fromClient ? Lab.TARGET_ADDRESS : Lab.CRAFTING_ADDRESS)
                .sourcePort(fromClient ? 40000 : 9).destinationPort(fromClient ? 9 : 40000).sequence(seq).flags(flags)
                .identification(1).payload(dev.rawsock.wire.Bytes.of(new byte[dataBytes]));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + dev.rawsock.craft.Assembler.lengthOf(spec));
        b.putShort(12, (short) 0x0800);
        int n = new dev.rawsock.craft.Assembler().assemble(spec, dev.rawsock.craft.Randomness.seeded(1),
                dev.rawsock.craft.EmitOptions.DEFAULT, b, 14);
        return java.util.Arrays.copyOf(b.array(), 14 + n);
    }

    @Test
    void segmentsArrivingOutOfOrderAndRetransmissionsAreCountedOnce() {
        // SYN at 1000; then bytes 1-100, 201-300 (early), 101-200 (late), 101-200 again (a retransmission), FIN.
        List<byte[]> frames = List.of(frame(true, 1000, dev.rawsock.wire.TcpFlags.SYN, 0),
                frame(false, 5000, dev.rawsock.wire.TcpFlags.SYN | dev.rawsock.wire.TcpFlags.ACK, 0),
                frame(true, 1001, dev.rawsock.wire.TcpFlags.ACK, 100), frame(true, 1201, dev.rawsock.wire.TcpFlags.ACK, 100),
                frame(true, 1101, dev.rawsock.wire.TcpFlags.ACK, 100), frame(true, 1101, dev.rawsock.wire.TcpFlags.ACK, 100),
                frame(true, 1301, dev.rawsock.wire.TcpFlags.FIN | dev.rawsock.wire.TcpFlags.ACK, 0));
        List<Segments.Segment> s = Segments.segments(frames, java.util.Collections.nCopies(frames.size(), 0L), Lab.CRAFTING_ADDRESS, 40000);
        assertEquals(7, s.size());
        assertEquals(Segments.Sender.SERVER, s.get(1).sender());
        assertEquals(List.of(0, 0, 100, 100, 100, 0, 0), s.stream().map(Segments.Segment::newBytes).toList());
        assertEquals(List.of(0L, 0L, 100L, 200L, 300L, 300L, 300L), s.stream().map(Segments.Segment::runningTotal).toList());
        assertEquals(List.of(0L, 0L, 1L, 201L, 101L, 101L, 301L), s.stream().map(Segments.Segment::relativeSequence).toList());
        assertTrue(s.get(4).outOfOrder(), "101-200 came after 201-300");
        assertTrue(!s.get(3).outOfOrder() && !s.get(5).outOfOrder());
        assertTrue(s.get(5).retransmission());
        assertTrue(!s.get(4).retransmission());
        assertEquals(20, s.get(2).ipHeaderBytes());
        assertEquals(140, s.get(2).ipPacketBytes());
    }

    private static Segments.Result run(int bytes, int mss) throws Exception {
        return Segments.run(lab, new Segments.Settings(bytes, mss, Segments.DEFAULT_PORT, Duration.ofSeconds(10)), null);
    }

    @Test
    void theDataOfTheSegmentsAddsUpToTheBytesWrittenForEverySizeAndMss() throws Exception {
        StringBuilder report = new StringBuilder();
        for (int mss : new int[] {536, 1000, 1460}) {
            for (int bytes : new int[] {1, 1000, 10000, 100000}) {
                Segments.Result r = run(bytes, mss);
                String what = "N=" + bytes + " MSS=" + mss;
                assertEquals(bytes, r.written(), what);
                assertEquals(1, r.writeCalls(), what + ": one write() took it all");
                // After connect, TCP_MAXSEG reads the MSS in use for data: the one set, less the options of every segment.
                assertEquals(r.fullSegmentBytes(), r.mssReadBack(), what + ": TCP_MAXSEG after connect");
                assertTrue(r.sawClientFin(), what + ": the capture saw the client's FIN");
                assertEquals(0, r.captureDrops(), what);
                assertEquals(bytes, r.dataTotal(), what + ": data bytes on the wire");
                assertEquals(bytes, r.serverRead().length, what + ": bytes the server read");
                assertArrayEquals(Segments.pattern(bytes), r.serverRead(), what);
                assertArrayEquals(r.serverRead(), r.captured(), what + ": the captured data is the server's stream");
                int full = r.fullSegmentBytes();
                assertTrue(full > 0 && full <= mss, what + ": tcpi_snd_mss " + full);
                assertEquals(0, r.largerThanMss(), what + ": a frame carries more than one segment (offload merged them)");
                long segments = r.dataSegments().size() - r.retransmissions();
                long ideal = (bytes + full - 1) / full;
                assertTrue(segments >= ideal && segments <= ideal + 2, what + ": " + segments + " segments, ceil(N/" + full + ") = " + ideal);
                for (Segments.Segment s : r.segments()) {
                    assertEquals(20, s.ipHeaderBytes(), what);
                    assertTrue(s.tcpHeaderBytes() >= 20 && s.tcpHeaderBytes() <= 60, what);
                    assertEquals(s.ipPacketBytes(), s.ipHeaderBytes() + s.tcpHeaderBytes() + s.dataBytes(), what);
                }
                report.append(what).append(": ").append(segments).append(" segments of ").append(full).append('\n');
            }
        }
        System.out.print(report);
    }
}
