package dev.rawsock.lab;

import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our mistakes, made on purpose, and how Linux handles them: a wrong checksum is dropped in silence, a
 * wrong ACK in SYN-RECV is answered with RST (tcp_check_req), a closed port with RST+ACK. The session
 * reports each instead of hanging, within its timeout.
 */
class LabFaultsTest {
    private static final SocketApi API = SocketApi.create();
    private static final Duration SHORT = Duration.ofMillis(400);

    @BeforeEach
    void needsRoot() {
        Privileged.assumeRoot("building a lab (network namespaces, veth, packet sockets)");
    }

    private static TcpSession.Settings settings(int port, int localPort) {
        return new TcpSession.Settings().remote(Lab.TARGET_ADDRESS, port).localPort(localPort).isn(5000).timeout(SHORT)
                .quiet(Duration.ofMillis(100));
    }

    @Test
    void aSynWithAWrongChecksumIsMetWithSilenceAndTheWaitSaysSo() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            try (PacketSocket capture = FrameLink.openPacketSocket(lab, API)) {
                List<TcpSession.Segment> seen = new ArrayList<>();
                TcpSession s = new TcpSession(link, settings(LabTarget.HTTP_PORT, 42000).badChecksum(TcpSession.BadChecksum.SYN), seen::add);
                long started = System.nanoTime();
                TcpTimeoutException e = assertThrows(TcpTimeoutException.class, s::connect);
                long took = (System.nanoTime() - started) / 1_000_000L;
                assertTrue(took >= 350 && took < 2_000, "the wait is the timeout, not more: " + took + " ms");
                assertEquals("the SYN-ACK to our SYN", e.awaited());
                assertTrue(e.getMessage().contains("wrong checksum on purpose"), e.getMessage());
                assertEquals(1, seen.size(), "only our SYN: " + seen);
                assertTrue(seen.get(0).notes().stream().anyMatch(n -> n.startsWith("checksum 0x") && n.contains("wrong on purpose")));
                // The wire: our SYN went out, and nothing at all came back.
                List<LabTesting.Captured> frames = LabTesting.drain(capture, 50);
                assertEquals(1, frames.stream().filter(LabTesting.Captured::outgoing).count());
                assertEquals(0, frames.stream().filter(f -> !f.outgoing() && f.tcpFlags() >= 0).count(), "Linux answered a bad checksum");
            }
        }
    }

    @Test
    void dataWithAWrongChecksumIsNeverAcknowledgedAndNeverRead() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget target = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            TcpSession s = new TcpSession(link, settings(LabTarget.ECHO_PORT, 42001).badChecksum(TcpSession.BadChecksum.DATA), x -> {});
            s.connect();
            TcpTimeoutException e = assertThrows(TcpTimeoutException.class, () -> s.send("lost".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("the ACK of our data", e.awaited());
            assertTrue(e.getMessage().contains("no ACK for our 4 bytes (seq 5001..5004)"), e.getMessage());
            ServerConnection c = target.awaitConnection(Lab.CRAFTING_ADDRESS, 42001, LabTarget.ECHO_PORT, Duration.ofSeconds(1));
            assertNotNull(c, "the handshake itself was fine");
            assertEquals(0, c.received().length, "the server's program never saw the bytes");
            assertEquals("TCP_ESTABLISHED", c.tcpInfo().stateName());
        }
    }

    @Test
    void aWrongAckInSynRecvIsAnsweredWithARstWhoseSeqIsThatAck() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget target = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            List<TcpSession.Segment> seen = new ArrayList<>();
            TcpSession s = new TcpSession(link, settings(LabTarget.HTTP_PORT, 42002).ackOffset(1000), seen::add);
            TcpResetException e = assertThrows(TcpResetException.class, s::connect);
            assertFalse(e.refused());
            TcpSession.Segment synAck = seen.get(1);
            TcpSession.Segment wrongAck = seen.get(2);
            TcpSession.Segment rst = seen.get(3);
            assertTrue(synAck.has(TcpFlags.SYN | TcpFlags.ACK));
            assertEquals(TcpSession.add(synAck.seq(), 1 + 1000), wrongAck.ack());
            assertEquals(TcpSession.Direction.RECEIVED, rst.direction());
            assertEquals(TcpFlags.RST, rst.flags(), "a bare RST, no ACK");
            assertEquals(wrongAck.ack(), rst.seq(), "Linux resets with seq = the ack it refused (RFC 9293 §3.10.7.3)");
            assertTrue(e.getMessage().contains("with RST seq=" + rst.seq()), e.getMessage());
            // The server's program never saw a connection: it stayed a request in SYN-RECV.
            assertNull(target.awaitConnection(Lab.CRAFTING_ADDRESS, 42002, LabTarget.HTTP_PORT, Duration.ofMillis(200)));
            assertTrue(lab.targetTcpSockets().stream().anyMatch(l -> l.startsWith("SYN-RECV") && l.endsWith("198.18.0.1:42002")),
                    "the half-open connection waits in SYN-RECV: " + lab.targetTcpSockets());
        }
    }

    @Test
    void aClosedPortRefusesWithRstAck() throws Exception {
        try (Lab lab = Lab.create()) {
            LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, API);
            List<TcpSession.Segment> seen = new ArrayList<>();
            TcpSession s = new TcpSession(link, settings(81, 42003), seen::add);
            TcpResetException e = assertThrows(TcpResetException.class, s::connect);
            assertTrue(e.refused());
            TcpSession.Segment rst = seen.get(1);
            assertEquals(TcpFlags.RST | TcpFlags.ACK, rst.flags());
            assertEquals(5001, rst.ack(), "ack = our seq + 1 for SYN");
        }
    }
}
