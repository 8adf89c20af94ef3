package dev.rawsock.junit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.RST;
import static dev.rawsock.junit.TcpMatch.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Peers that misbehave on purpose, in a lab, against the JDK's own servers: each test checks what the
 * server put on the wire and that it carried on (bounded in time).
 */
@Timeout(30)
class MisbehavingPeerTest {
    private static final int PORT = 8080;

    /** An echo server in the lab: reads {@code n} bytes from each connection and writes them back; counts what it read. */
    private static ServerSocket echo(TestLab lab, int n, AtomicReference<String> read) throws Exception {
        ServerSocket server = lab.serverSocket(PORT);
        lab.start("echo", () -> {
            for (int i = 0; i < 8 && !server.isClosed(); i++) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    s.setSoTimeout(3_000);
                    byte[] b = in.readNBytes(n);
                    read.set(new String(b, StandardCharsets.US_ASCII));
                    out.write(b);
                } catch (IOException e) {
                    // the next connection
                }
            }
        });
        return server;
    }

    private static void awaitValue(AtomicReference<String> v) throws InterruptedException {
        for (int i = 0; i < 100 && v.get() == null; i++) {
            Thread.sleep(20);
        }
    }

    @RawSocketTest
    void outOfOrderSegmentsAreReadInOrder(TestLab lab) throws Exception {
        byte[] message = "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<String> read = new AtomicReference<>();
        echo(lab, message.length, read);
        MisbehavingPeer peer = lab.peer(PORT).handshake();
        peer.sendOutOfOrder(message);
        InetSocketAddress server = TestLab.target(PORT);
        assertThat(lab.capture()).within(Duration.ofSeconds(2))
                .hasSegment(tcp().from(server).ack(peer.isn() + 1 + message.length))
                .segmentsFrom(server).hasPayload(message);
        awaitValue(read);
        assertEquals("0123456789abcdefghij", read.get());
    }

    @RawSocketTest
    void overlappingSegmentsDeliverEachByteOnce(TestLab lab) throws Exception {
        byte[] message = "overlapping-bytes-once".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<String> read = new AtomicReference<>();
        echo(lab, message.length, read);
        MisbehavingPeer peer = lab.peer(PORT).handshake();
        peer.sendOverlapping(message, 5);
        assertThat(lab.capture()).segmentsFrom(TestLab.target(PORT)).hasPayload(message);
        awaitValue(read);
        assertEquals("overlapping-bytes-once", read.get());
    }

    @RawSocketTest
    void malformedOptionsDoNotStopTheStream(TestLab lab) throws Exception {
        byte[] message = "bad options".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<String> read = new AtomicReference<>();
        echo(lab, message.length, read);
        lab.peer(PORT).handshake().sendWithMalformedOptions(message);
        assertThat(lab.capture()).segmentsFrom(TestLab.target(PORT)).hasPayload(message);
        assertThat(lab.capture()).doesNotHave(tcp().from(TestLab.target(PORT)).flags(RST));
    }

    @RawSocketTest
    void malformedOptionsInTheSynAreSkippedAndTheConnectionServes(TestLab lab) throws Exception {
        byte[] message = "syn had bad options".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<String> read = new AtomicReference<>();
        echo(lab, message.length, read);
        MisbehavingPeer peer = lab.peer(PORT).malformedSynOptions().handshake();
        InetSocketAddress server = TestLab.target(PORT);
        // The SYN on the wire carries the malformed options (kind 2 with length 3, kind 99) after the MSS ...
        assertThat(lab.capture()).hasSegment(tcp().to(server).onlyFlags(TcpMatch.SYN)
                .where("options: mss 1460, then kind 2 length 3, then kind 99", t -> {
                    java.nio.ByteBuffer b = t.buffer();
                    int o = t.offset() + dev.rawsock.wire.TcpView.MIN_HEADER_BYTES;
                    return t.headerLengthBytes() == 32 && b.get(o) == 2 && b.get(o + 1) == 4
                            && b.get(o + 4) == 2 && b.get(o + 5) == 3 && b.get(o + 7) == 99 && b.get(o + 8) == 4;
                }))
                // ... and the server still answers it with a SYN-ACK (with its own MSS for the 1500-byte link).
                .hasSegment(tcp().from(server).flags(TcpMatch.SYN, TcpMatch.ACK).ack(peer.isn() + 1).mss(1460));
        peer.send(message);
        assertThat(lab.capture()).segmentsFrom(server).hasPayload(message);
        awaitValue(read);
        assertEquals("syn had bad options", read.get());
    }

    @RawSocketTest
    void aPeerThatNeverAcksGetsRetransmissionsThatBackOff(TestLab lab) throws Exception {
        byte[] message = "ack me if you can".getBytes(StandardCharsets.US_ASCII);
        AtomicReference<String> read = new AtomicReference<>();
        echo(lab, message.length, read);
        MisbehavingPeer peer = lab.peer(PORT).handshake();
        peer.sendAndNeverAck(message);
        TcpMatch echoed = tcp().from(TestLab.target(PORT)).toPort(peer.localPort()).withPayload();
        assertThat(lab.capture()).within(Duration.ofSeconds(2)).hasSegment(echoed);
        Thread.sleep(1_600); // RTO starts at 200 ms here and doubles: about 3 retransmissions by now
        long copies = lab.capture().packets().stream().filter(echoed).count();
        assertTrue(copies >= 2 && copies <= 6, "the echo, then retransmissions that back off: " + copies + "\n" + lab.capture().lines());
    }

    @RawSocketTest
    void aRstMidResponseIsHandledAndTheHttpServerServesTheNextClient(TestLab lab) throws Exception {
        byte[] big = new byte[200_000];
        java.util.Arrays.fill(big, (byte) 'x');
        AtomicInteger failedExchanges = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        HttpServer http = lab.inTarget(() -> HttpServer.create(TestLab.target(PORT), 50));
        http.setExecutor(pool);
        http.createContext("/", exchange -> {
            try {
                exchange.sendResponseHeaders(200, big.length);
                exchange.getResponseBody().write(big);
            } catch (IOException e) {
                failedExchanges.incrementAndGet();
            } finally {
                exchange.close();
            }
        });
        http.start();
        try {
            byte[] get = "GET / HTTP/1.1\r\nHost: lab\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            MisbehavingPeer peer = lab.peer(PORT).handshake();
            peer.sendAndNeverAck(get);
            InetSocketAddress server = TestLab.target(PORT);
            assertThat(lab.capture()).within(Duration.ofSeconds(2)).hasSegment(tcp().from(server).toPort(peer.localPort()).withPayload());
            peer.resetNow(get.length);
            for (int i = 0; i < 100 && failedExchanges.get() == 0; i++) {
                Thread.sleep(20);
            }
            assertEquals(1, failedExchanges.get(), "the handler's write failed with the reset, and it said so");
            // a real client, inside the lab, is served as before
            String answer = lab.inTarget(() -> {
                try (Socket c = new Socket(TestLab.targetAddress(), PORT)) {
                    c.setSoTimeout(5_000);
                    c.getOutputStream().write(get);
                    byte[] head = c.getInputStream().readNBytes(15);
                    return new String(head, StandardCharsets.US_ASCII);
                }
            });
            assertEquals("HTTP/1.1 200 OK", answer);
        } finally {
            http.stop(0);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @RawSocketTest
    void aZeroWindowPeerDoesNotMakeTheServerSpin(TestLab lab) throws Exception {
        byte[] request = "send me a lot".getBytes(StandardCharsets.US_ASCII);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong serverThread = new AtomicLong(-1);
        AtomicReference<String> outcome = new AtomicReference<>();
        ServerSocket server = lab.serverSocket(PORT);
        lab.start("sender", () -> {
            serverThread.set(Thread.currentThread().getId());
            try (Socket s = server.accept()) {
                lab.lab().register(s); // the lab closes it, which ends the blocked write
                s.getInputStream().readNBytes(request.length);
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 100; i++) { // blocks once the socket's send buffer is full
                    s.getOutputStream().write(chunk);
                }
                outcome.set("wrote everything");
            } catch (IOException | dev.rawsock.lab.LabException e) {
                outcome.set("write failed: " + e.getMessage());
            }
        });
        MisbehavingPeer peer = lab.peer(PORT).zeroWindow().handshake();
        peer.send(request);
        long cpuBefore = cpu(mx, serverThread);
        Thread.sleep(2_000);
        long cpuMillis = (cpu(mx, serverThread) - cpuBefore) / 1_000_000;
        InetSocketAddress at = TestLab.target(PORT);
        long fromServer = lab.capture().packets().stream().filter(tcp().from(at).toPort(peer.localPort())).count();
        long data = lab.capture().packets().stream().filter(tcp().from(at).toPort(peer.localPort()).withPayload()).count();
        assertTrue(cpuMillis < 300, "the server thread sat blocked in write, it did not spin: " + cpuMillis + " ms of CPU in 2 s");
        assertTrue(fromServer < 30, "zero-window probes back off: " + fromServer + " segments\n" + lab.capture().lines());
        assertEquals(0, data, "not a byte of data into a zero window");
        assertEquals(null, outcome.get(), "the write is still blocked");
    }

    private static long cpu(ThreadMXBean mx, AtomicLong id) {
        for (int i = 0; i < 100 && id.get() < 0; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Math.max(0, mx.getThreadCpuTime(id.get()));
    }
}
