package dev.rawsock.junit;

import com.sun.net.httpserver.HttpServer;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.ACK;
import static dev.rawsock.junit.TcpMatch.RST;
import static dev.rawsock.junit.TcpMatch.SYN;
import static dev.rawsock.junit.TcpMatch.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The extension against servers no one here wrote: the JDK's ServerSocket and HttpServer on loopback,
 * with crafted SYNs and assertions on what they put on the wire.
 */
@Timeout(30)
class RawsockExtensionTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RawSocketTest
    void theServerAnswersOurSynWithSynAckAndItsOwnMss(Packets packets, Capture capture) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            long isn = 424_242;
            packets.send(Packets.syn(at, 40_001, isn).tcpOptions(TcpOptions.encode(List.of(new TcpOption.Mss(1000)))));
            // Linux answers with the MSS of its own route (lo: 65495), not the one we asked for.
            // The issue's own sentence: our SYN, then the server's SYN-ACK within a second of it.
            assertThat(capture).hasSegment(tcp().to(at).fromPort(40_001).onlyFlags(SYN).seq(isn))
                    .hasSegment(tcp().from(at).toPort(40_001).flags(SYN, ACK).ack(isn + 1).mss(65_495)).within(Duration.ofSeconds(1))
                    // no socket of ours owns port 40001, so the kernel resets the SYN-ACK
                    .hasSegment(tcp().to(at).fromPort(40_001).flags(RST).seq(isn + 1));
        }
    }

    @RawSocketTest
    void anEchoServerPutsBackExactlyWhatItGot(Capture capture) throws Exception {
        byte[] hello = "hello, wire\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            Thread echo = new Thread(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    out.write(in.readNBytes(hello.length));
                } catch (Exception ignored) {
                    // the test's assertions say what went wrong
                }
            }, "echo");
            echo.setDaemon(true);
            echo.start();
            try (Socket client = new Socket(LOOPBACK, at.getPort())) {
                client.setSoTimeout(5_000);
                client.getOutputStream().write(hello);
                assertEquals(new String(hello, StandardCharsets.US_ASCII),
                        new String(client.getInputStream().readNBytes(hello.length), StandardCharsets.US_ASCII));
            }
            echo.join(5_000);
            assertThat(capture).segmentsFrom(at).hasPayload(hello);
            assertThat(capture).hasSegment(tcp().from(at).flags(TcpMatch.FIN)).doesNotHave(tcp().flags(RST));
        }
    }

    /** The same assertions over IPv6: a server on ::1, its handshake and its bytes, matched by an IPv6 endpoint. */
    @RawSocketTest
    void anIpv6ServerIsMatchedByItsIpv6Endpoint(Capture capture) throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        byte[] hello = "hello over ipv6".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(0, 50, v6)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            Thread writer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(hello);
                } catch (Exception ignored) {
                    // the assertions say what went wrong
                }
            }, "ipv6-writer");
            writer.setDaemon(true);
            writer.start();
            try (Socket client = new Socket(v6, at.getPort())) {
                client.setSoTimeout(5_000);
                assertEquals("hello over ipv6", new String(client.getInputStream().readNBytes(hello.length), StandardCharsets.US_ASCII));
            }
            writer.join(5_000);
            assertThat(capture).hasSegment(tcp().from(at).flags(SYN, ACK)).within(Duration.ofSeconds(1))
                    .segmentsFrom(at).hasPayload(hello);
            // The same port on 127.0.0.1 is another endpoint: nothing of this conversation matches it.
            assertThat(capture).doesNotHave(tcp().from(new InetSocketAddress(LOOPBACK, at.getPort())));
            assertTrue(tcp().from(at).toString().contains("from [::1]:" + at.getPort()), tcp().from(at).toString());
        }
    }

    /** A crafted IPv6 SYN to a server on ::1: the kernel answers with a SYN-ACK, then resets it (no socket owns our port). */
    @RawSocketTest
    void aCraftedIpv6SynGetsTheSynAck(Packets packets, Capture capture) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("::1"))) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            long isn = 606_060;
            packets.send(Packets.syn(at, 40_061, isn));
            assertThat(capture).hasSegment(tcp().to(at).fromPort(40_061).onlyFlags(SYN).seq(isn))
                    .hasSegment(tcp().from(at).toPort(40_061).flags(SYN, ACK).ack(isn + 1)).within(Duration.ofSeconds(1))
                    .hasSegment(tcp().to(at).fromPort(40_061).flags(RST).seq(isn + 1));
            IllegalArgumentException elsewhere = assertThrows(IllegalArgumentException.class,
                    () -> packets.send(Packets.syn(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 80), 40_062, 1)));
            assertEquals("rawsock's test harness sends IPv6 only to ::1, not 2001:db8::1", elsewhere.getMessage());
        }
    }

    @RawSocketTest
    void theJdkHttpServerSurvivesASynFloodOfAThousandAndStillServes(Packets packets, Capture capture) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(LOOPBACK, 0), 50);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        http.setExecutor(pool);
        http.createContext("/", exchange -> {
            byte[] body = "still here\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        http.start();
        try {
            InetSocketAddress at = http.getAddress();
            assertEquals(1000, packets.synFlood(at, 20_000, 1000));
            // every SYN answered (syncookies once the backlog of 50 is full), none of them reset by the server
            assertThat(capture).within(Duration.ofSeconds(2)).hasSegment(tcp().from(at).flags(SYN, ACK).toPort(20_999));
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + at.getPort() + "/").openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            assertEquals(200, c.getResponseCode());
            assertEquals("still here\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
            c.disconnect();
            assertThat(capture).segmentsFrom(at).payloadContains("HTTP/1.1 200 OK").payloadContains("still here\n");
        } finally {
            http.stop(0);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        }
    }

    @RawSocketTest
    void aMissingSegmentFailsWithTheCaptureAsDecodedLines(Packets packets, Capture capture, SocketApi api) throws Exception {
        assertNotNull(api);
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            packets.send(Packets.syn(at, 40_002, 7).payload(Bytes.EMPTY));
            AssertionError e = assertThrows(AssertionError.class, () -> assertThat(capture).within(Duration.ofMillis(300))
                    .hasSegment(tcp().from(at).flags(RST)));
            String m = e.getMessage();
            assertTrue(m.startsWith("expected a TCP segment from 127.0.0.1:" + at.getPort() + ", flags [R] within 300 ms"), m);
            assertTrue(m.contains("TCP 127.0.0.1:40002 > 127.0.0.1:" + at.getPort() + " [S] seq=7 "), "the SYN as a decoded line:\n" + m);
            assertTrue(m.contains("[SA]"), m);
            assertThrows(AssertionError.class, () -> assertThat(capture).doesNotHave(tcp().from(at).flags(SYN, ACK)));
            assertThrows(IllegalArgumentException.class, () -> packets.send(PacketSpec.tcp().destination(0x0808_0808).destinationPort(53)),
                    "only loopback and the lab range");
        }
    }
}
