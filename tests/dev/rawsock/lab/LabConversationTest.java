package dev.rawsock.lab;

import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.TcpInfo;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole conversations between a hand-driven {@link TcpSession} and the lab's real kernel listeners; the
 * kernel is the oracle: what accept(2) reports, what the server read and wrote, TCP_INFO, and ss.
 */
class LabConversationTest {
    private static final SocketApi API = SocketApi.create();

    @BeforeEach
    void needsRoot() {
        Privileged.assumeRoot("building a lab (network namespaces, veth, packet sockets)");
    }

    private static TcpSession session(FrameLink link, int port, int localPort, List<TcpSession.Segment> seen) {
        TcpSession.Settings settings = new TcpSession.Settings().remote(Lab.TARGET_ADDRESS, port).localPort(localPort)
                .isn(1000).timeout(Duration.ofSeconds(2)).quiet(Duration.ofMillis(150));
        return new TcpSession(link, settings, seen::add);
    }

    @Test
    void anHttpConversationWithTheKernelEndsInTimeWaitOnTheServerAndNoRstOnTheWire() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget target = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            try (PacketSocket capture = FrameLink.openPacketSocket(lab, API)) {
                List<TcpSession.Segment> seen = new java.util.ArrayList<>();
                TcpSession s = session(link, LabTarget.HTTP_PORT, 41000, seen);
                byte[] request = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                s.connect();
                s.send(request);
                s.awaitResponse();
                s.closeWithFin();

                // The handshake's numbers: their SYN-ACK acknowledges our ISN + 1, our ACK theirs + 1.
                TcpSession.Segment synAck = seen.stream().filter(x -> x.direction() == TcpSession.Direction.RECEIVED
                        && x.has(TcpFlags.SYN | TcpFlags.ACK)).findFirst().orElseThrow();
                assertEquals(1001, synAck.ack());
                assertTrue(synAck.notes().contains("ack=1001 (rel 1) = our seq 1000 + 1 for SYN"), synAck.notes().toString());
                TcpSession.Segment ack = seen.get(seen.indexOf(synAck) + 1);
                assertEquals(TcpSession.Direction.SENT, ack.direction());
                assertEquals(TcpFlags.ACK, ack.flags());
                assertEquals(TcpSession.add(synAck.seq(), 1), ack.ack());
                assertTrue(ack.notes().get(1).endsWith("= their seq " + synAck.seq() + " + 1 for SYN"), ack.notes().toString());

                // The server's accept() saw exactly our 4-tuple, and read exactly our request.
                ServerConnection c = target.awaitConnection(Lab.CRAFTING_ADDRESS, 41000, LabTarget.HTTP_PORT, Duration.ofSeconds(2));
                assertNotNull(c, "the server accepted no connection from 198.18.0.1:41000");
                assertEquals(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), 41000), c.peer());
                assertEquals(new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 80), c.local());
                assertTrue(c.awaitFinished(Duration.ofSeconds(2)), "the server did not finish: " + c.calls());
                assertArrayEquals(request, c.received());

                // Our bytes are exactly what the server wrote, and what it meant to write.
                assertArrayEquals(c.written(), s.received());
                assertEquals(LabTarget.HTTP_RESPONSE, new String(s.received(), StandardCharsets.ISO_8859_1));

                // FIN and its ACK both ways: the server's FIN, then ours, each acknowledged as seq + 1.
                TcpSession.Segment theirFin = seen.stream().filter(x -> x.direction() == TcpSession.Direction.RECEIVED
                        && x.has(TcpFlags.FIN)).findFirst().orElseThrow();
                TcpSession.Segment ourFin = seen.stream().filter(x -> x.direction() == TcpSession.Direction.SENT
                        && x.has(TcpFlags.FIN)).findFirst().orElseThrow();
                assertTrue(seen.indexOf(theirFin) < seen.indexOf(ourFin), "the server closed first");
                assertTrue(seen.stream().anyMatch(x -> x.direction() == TcpSession.Direction.SENT && x.flags() == TcpFlags.ACK
                        && x.ack() == TcpSession.add(theirFin.seq(), theirFin.payloadLength() + 1)), "their FIN acknowledged as seq + len + 1");
                TcpSession.Segment last = seen.get(seen.size() - 1);
                assertEquals(TcpSession.Direction.RECEIVED, last.direction());
                assertEquals(TcpSession.add(ourFin.seq(), 1), last.ack(), "our FIN acknowledged as its seq + 1");
                assertFalse(s.weClosedFirst());

                // The server closed first, so it holds TIME_WAIT: ss shows the timewait socket for our 4-tuple, and
                // TCP_INFO of the still-open accepted socket says CLOSE (Linux moved the connection out of it).
                List<String> sockets = lab.targetTcpSockets();
                assertTrue(sockets.stream().anyMatch(l -> l.startsWith("TIME-WAIT") && l.matches(".*198\\.18\\.0\\.2:80\\s+198\\.18\\.0\\.1:41000$")),
                        "no TIME-WAIT for our 4-tuple in: " + sockets);
                TcpInfo info = c.tcpInfo();
                assertEquals("TCP_CLOSE", info.stateName());

                // The wire, captured independently: no RST anywhere; the target's segments complete (offload off).
                List<LabTesting.Captured> frames = LabTesting.drain(capture, 100);
                long ours = frames.stream().filter(LabTesting.Captured::outgoing).count();
                long theirs = frames.stream().filter(f -> !f.outgoing() && f.tcpFlags() >= 0).count();
                assertEquals(seen.stream().filter(x -> x.direction() == TcpSession.Direction.SENT).count(), ours, "every frame we sent is on the wire");
                assertEquals(seen.stream().filter(x -> x.direction() == TcpSession.Direction.RECEIVED).count(), theirs);
                for (LabTesting.Captured f : frames) {
                    assertTrue(f.tcpFlags() < 0 || (f.tcpFlags() & TcpFlags.RST) == 0, "a RST on the wire");
                    if (!f.outgoing() && f.tcpFlags() >= 0) {
                        assertTrue(lab.transmitChecksumOffloadOff());
                        assertFalse(f.checksumNotReady(), "tx checksum offload is off: the target's checksums are finished");
                        assertEquals(Verdict.VALID, f.decode().transportChecksum());
                        assertTrue(f.decode().has(Layer.TCP));
                    }
                }
            }
        }
    }

    @Test
    void echoWithWindowScalingTimestampsAndSackAcrossTheSequenceWrap() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget target = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            List<TcpSession.Segment> seen = new java.util.ArrayList<>();
            TcpSession.Settings settings = new TcpSession.Settings().remote(Lab.TARGET_ADDRESS, LabTarget.ECHO_PORT).localPort(41001)
                    .isn(0xFFFF_FFF0L).windowScale(7).sack(true).timestamps(true).timestampOffset(5000)
                    .timeout(Duration.ofSeconds(2)).quiet(Duration.ofMillis(150));
            TcpSession s = new TcpSession(link, settings, seen::add);
            byte[] data = new byte[3000]; // more than two segments, and our numbers wrap past 2^32 on the way
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) ('a' + i % 26);
            }
            s.connect();
            s.send(data);
            s.awaitResponse();
            s.closeWithFin();
            assertArrayEquals(data, s.received(), "the echo came back whole and in order");
            assertTrue(s.weClosedFirst());

            List<Integer> dataSegments = seen.stream().filter(x -> x.direction() == TcpSession.Direction.SENT && x.payloadLength() > 0)
                    .map(TcpSession.Segment::payloadLength).toList();
            assertEquals(List.of(1448, 1448, 104), dataSegments, "3000 bytes, at most 1448 a segment (MSS 1460 less 12 bytes of timestamps)");
            TcpSession.Segment synAck = seen.get(1);
            assertTrue(synAck.notes().stream().anyMatch(n -> n.startsWith("wscale ") && n.contains("both sides offered scaling")), synAck.notes().toString());
            // After the handshake our window field is 64240 >> 7 = 501.
            assertTrue(seen.stream().filter(x -> x.direction() == TcpSession.Direction.SENT && !x.has(TcpFlags.SYN))
                    .allMatch(x -> x.window() == 501), "our scaled window field");
            assertTrue(seen.stream().anyMatch(x -> x.notes().stream().anyMatch(n -> n.contains("modulo 2^32"))), "the wrap is explained");

            ServerConnection c = target.awaitConnection(Lab.CRAFTING_ADDRESS, 41001, LabTarget.ECHO_PORT, Duration.ofSeconds(2));
            assertNotNull(c);
            assertTrue(c.awaitFinished(Duration.ofSeconds(2)));
            assertArrayEquals(data, c.received());
            assertArrayEquals(data, c.written());
            // We closed first: the server went LAST_ACK, got our ACK of its FIN, and is CLOSED with no TIME_WAIT.
            assertEquals("TCP_CLOSE", c.tcpInfo().stateName());
            assertTrue(lab.targetTcpSockets().stream().noneMatch(l -> l.startsWith("TIME-WAIT")), "TIME_WAIT is ours, not the server's");
        }
    }

    @Test
    void aResetClosesTheServersSocketAtOnce() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget target = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            TcpSession s = session(link, LabTarget.ECHO_PORT, 41002, new java.util.ArrayList<>());
            s.connect();
            s.send("ping".getBytes(StandardCharsets.US_ASCII));
            s.awaitResponse();
            s.reset();
            ServerConnection c = target.awaitConnection(Lab.CRAFTING_ADDRESS, 41002, LabTarget.ECHO_PORT, Duration.ofSeconds(2));
            assertNotNull(c);
            assertTrue(c.awaitFinished(Duration.ofSeconds(2)));
            assertTrue(c.ending().contains("ECONNRESET"), c.ending());
            assertEquals("TCP_CLOSE", c.tcpInfo().stateName());
        }
    }

    @Test
    void withoutTheNeighbourEntryTheTargetAsksByArpAndRawsockAnswers() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            dev.rawsock.testing.NativeTools.Result del = dev.rawsock.testing.NativeTools.run(10, List.of("ip", "-n", lab.targetNamespace(),
                    "neigh", "del", "198.18.0.1", "dev", Lab.TARGET_INTERFACE));
            assertEquals(0, del.exitCode(), del.stdout() + del.stderr());
            TcpSession s = session(link, LabTarget.ECHO_PORT, 41003, new java.util.ArrayList<>());
            s.connect();
            s.send("arp".getBytes(StandardCharsets.US_ASCII));
            s.awaitResponse();
            s.closeWithFin();
            assertEquals("arp", new String(s.received(), StandardCharsets.US_ASCII));
            assertTrue(link.arpAnswered() >= 1, "the target never asked who has 198.18.0.1");
            dev.rawsock.testing.NativeTools.Result neigh = dev.rawsock.testing.NativeTools.run(10, List.of("ip", "-n", lab.targetNamespace(),
                    "neigh", "show", "198.18.0.1"));
            assertTrue(neigh.stdout().contains("lladdr 02:72:73:00:00:01"), "learned from our ARP reply: " + neigh.stdout());
        }
    }
}
