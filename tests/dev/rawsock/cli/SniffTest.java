package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rawsock sniff against real traffic that others make: a TCP exchange between the JDK's own client and
 * server on 127.0.0.1, with unrelated UDP and TCP traffic on loopback at the same time. Four sniffers run
 * in-process at once (lo, lo in both directions, all interfaces, a raw TCP socket), each with the filter
 * {@code tcp port P}; they must show the exchange and nothing else, each packet once (twice with
 * --both-directions), and their pcap files must read back in tshark with the same packets and 4-tuples.
 */
class SniffTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Pattern TCP_LINE = Pattern.compile("^TCP (\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+) > (\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+) \\[(\\w*)\\].*");

    /** rawsock running in a thread, its output collected. */
    static final class Background {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;
        volatile int code = -1;

        Background(String... args) {
            thread = new Thread(() -> code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args), "rawsock " + args[0]);
            thread.setDaemon(true);
            thread.start();
        }

        void awaitListening() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!err.toString().contains("listening on") && System.nanoTime() < deadline) {
                if (!thread.isAlive()) {
                    throw new AssertionError("rawsock ended before listening (" + code + "): " + err);
                }
                Thread.sleep(10);
            }
            assertTrue(err.toString().contains("listening on"), "never started listening: " + err);
        }

        void await() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), "rawsock sniff did not stop: " + err);
            assertEquals(0, code, err.toString());
        }

        List<String> lines() {
            String text = out.toString();
            return text.isEmpty() ? List.of() : List.of(text.split("\n"));
        }
    }

    /** A client/server exchange by the JDK on 127.0.0.1: connect, a line each way, close. Returns the client's port. */
    private static int exchange(ServerSocket server) throws Exception {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress(LOOPBACK, server.getLocalPort()), 5000);
            try (Socket accepted = server.accept()) {
                OutputStream c = client.getOutputStream();
                c.write("hello, server\n".getBytes(StandardCharsets.US_ASCII));
                c.flush();
                InputStream s = accepted.getInputStream();
                byte[] line = new byte[14];
                for (int n = 0; n < line.length; ) {
                    n += s.read(line, n, line.length - n);
                }
                accepted.getOutputStream().write("hello, client\n".getBytes(StandardCharsets.US_ASCII));
                byte[] reply = new byte[14];
                InputStream ci = client.getInputStream();
                for (int n = 0; n < reply.length; ) {
                    n += ci.read(reply, n, reply.length - n);
                }
                int port = client.getLocalPort();
                client.close();
                assertEquals(-1, s.read(), "the client closed");
                return port;
            }
        }
    }

    @Test
    void aTcpExchangeIsCapturedOnceEachWayItIsAskedFor(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("sniffing on lo");
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
             ServerSocket unrelated = new ServerSocket(0, 50, LOOPBACK);
             DatagramSocket udpTarget = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
             DatagramSocket udp = new DatagramSocket()) {
            int port = server.getLocalPort();
            String filter = "tcp port " + port;
            Path lo = dir.resolve("lo.pcap");
            Path any = dir.resolve("any.pcap");
            Path raw = dir.resolve("raw.pcap");
            String duration = "4s";
            Background once = new Background("sniff", "--iface", "lo", "--filter", filter, "--duration", duration, "--pcap", lo.toString());
            Background both = new Background("sniff", "--iface", "lo", "--both-directions", "--duration", duration, "tcp", "port",
                    Integer.toString(port));
            Background all = new Background("sniff", "--filter", filter, "--duration", duration, "--pcap", any.toString());
            Background rawSocket = new Background("sniff", "--raw-socket", "tcp", "--filter", filter, "--duration", duration,
                    "--pcap", raw.toString());
            for (Background b : List.of(once, both, all, rawSocket)) {
                b.awaitListening();
            }
            // Unrelated traffic while the exchange runs: UDP datagrams and TCP connections to another port.
            Thread noise = new Thread(() -> {
                try {
                    byte[] data = "noise".getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < 40; i++) {
                        udp.send(new DatagramPacket(data, data.length, LOOPBACK, udpTarget.getLocalPort()));
                        try (Socket s = new Socket(LOOPBACK, unrelated.getLocalPort())) {
                            s.getOutputStream().write(data);
                        }
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            noise.start();
            int clientPort = exchange(server);
            noise.join(20_000);
            for (Background b : List.of(once, both, all, rawSocket)) {
                b.await();
            }

            List<String> lines = once.lines();
            assertTrue(lines.size() >= 8, "handshake, two data segments, two FINs and their ACKs:\n" + once.out);
            Map<String, Integer> flags = new HashMap<>();
            for (String line : lines) {
                Matcher m = TCP_LINE.matcher(line);
                assertTrue(m.matches(), "only TCP of the exchange: " + line);
                String a = m.group(2);
                String b = m.group(4);
                assertTrue(m.group(1).equals("127.0.0.1") && m.group(3).equals("127.0.0.1"), line);
                assertTrue((a.equals(clientPort + "") && b.equals(port + "")) || (a.equals(port + "") && b.equals(clientPort + "")),
                        "the exchange's 4-tuple <127.0.0.1:" + clientPort + ", 127.0.0.1:" + port + ">: " + line);
                assertFalse(line.contains("[bad"), "loopback checksums are offloaded, not wrong: " + line);
                flags.merge(m.group(5), 1, Integer::sum);
            }
            assertEquals(1, flags.getOrDefault("S", 0), "one SYN:\n" + once.out);
            assertEquals(1, flags.getOrDefault("SA", 0), "one SYN-ACK:\n" + once.out);
            assertEquals(2, flags.getOrDefault("FA", 0), "one FIN each way:\n" + once.out);
            assertEquals(lines.size(), lines.stream().distinct().count(), "each packet shown once:\n" + once.out);
            assertTrue(once.err.toString().contains("rawsock: " + lines.size() + " packets captured, 0 dropped by the kernel; "
                    + lines.size() + " written to"), once.err.toString());
            assertFalse(once.err.toString().contains("skipped"), "the kernel's program dropped the outgoing copies: " + once.err);

            // Both directions: every packet twice, going out and coming in.
            List<String> twice = both.lines();
            assertEquals(2 * lines.size(), twice.size(), both.out.toString());
            for (String line : lines) {
                assertEquals(2, twice.stream().filter(line::equals).count(), line);
            }
            // All interfaces (cooked, SLL2 header) and the raw TCP socket see the same packets, in the same order.
            assertEquals(lines, all.lines(), "all interfaces");
            assertEquals(lines, rawSocket.lines(), "raw socket");

            // tshark reads each pcap: the same number of packets and the same 4-tuples.
            for (Path pcap : List.of(lo, any, raw)) {
                NativeTools.Result t = NativeTools.run(120, List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields",
                        "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport"));
                assertEquals(0, t.exitCode(), t.stderr());
                List<String> tuples = t.lines();
                assertEquals(lines.size(), tuples.size(), pcap + ":\n" + t.stdout());
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = TCP_LINE.matcher(lines.get(i));
                    assertTrue(m.matches());
                    assertEquals(m.group(1) + "\t" + m.group(2) + "\t" + m.group(3) + "\t" + m.group(4), tuples.get(i), pcap + " packet " + (i + 1));
                }
            }
            assertTrue(Files.size(any) > Files.size(raw), "the cooked capture carries a 20-byte header per packet");
        }
    }

    /**
     * What the sniffer prints is what decode prints from the sniffer's pcap, except that decode, reading a
     * file, cannot know which loopback checksums were left to offload and calls them bad.
     */
    @Test
    void whatSniffPrintsIsWhatDecodePrintsFromItsPcap(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("sniffing on lo");
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            Path pcap = dir.resolve("x.pcap");
            Background sniff = new Background("sniff", "--iface", "lo", "--duration", "2s", "--pcap", pcap.toString(),
                    "tcp", "port", Integer.toString(server.getLocalPort()));
            sniff.awaitListening();
            exchange(server);
            sniff.await();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertEquals(0, Main.run(new PrintWriter(out), new PrintWriter(err), "decode", pcap.toString()), err.toString());
            assertTrue(out.toString().contains(" [bad tcp checksum]"), "decode sees the offloaded checksums as wrong:\n" + out);
            assertEquals(out.toString().replace(" [bad tcp checksum]", ""), sniff.out.toString());
            assertTrue(sniff.lines().size() >= 8, sniff.out.toString());
        }
    }
}
