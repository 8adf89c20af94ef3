package dev.rawsock.probe;

import dev.rawsock.cli.CliRun;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rawsock send} over IPv6 against the real kernel on ::1 only: an AF_INET6 raw socket where Linux builds
 * the IPv6 header, replies read from a packet socket for ETH_P_IPV6 and matched. Listeners are the JDK's own
 * sockets; what comes back is what Linux answers. The loopback is shared with other programs, so every check
 * looks for our own ports, ids and sequence numbers.
 */
class SendIpv6AgainstKernelTest {
    private static final InetAddress LOOPBACK6;

    static {
        try {
            LOOPBACK6 = InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }



    @BeforeEach
    void needsRawSockets() {
        Privileged.assumeRoot("sending on an AF_INET6 raw socket");
    }

    private static long field(String line, String name) {
        Matcher m = Pattern.compile(" " + name + "=(\\d+)").matcher(line);
        assertTrue(m.find(), "no " + name + "= in: " + line);
        return Long.parseLong(m.group(1));
    }

    private static int closedTcpPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK6)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aSynToAListenerOnLoopbackGetsASynAckForOurSequenceNumber() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK6)) {
            int port = listener.getLocalPort();
            CliRun r = rawsock("send", "tcp", "--src", "::1", "--dst", "::1", "--dport", Integer.toString(port), "--seq", "1000",
                    "--tcp-option", "mss=1440,sackok,ts=4242:0,nop,wscale=7", "--timeout", "2s");
            assertEquals(0, r.code(), r.err() + r.out());
            String sent = r.lines("SENT").get(0);
            String received = r.lines("RCVD").get(0);
            assertTrue(sent.contains("> [::1]:" + port + " [S] seq=1000 "), sent);
            assertTrue(received.contains("TCP [::1]:" + port + " > [::1]:") && received.contains(" [SA] "), received);
            assertEquals(1001, field(received, "ack"), "ack = our seq + 1 for the SYN");
            assertTrue(received.matches(".*<mss \\d+,sackOK,ts \\d+ 4242,nop,wscale \\d+>.*"),
                    "the kernel accepted our checksum and answered our options: " + received);
            assertTrue(r.out().contains("--- ::1 rawsock statistics ---\n1 packets sent, 1 received, 0.0% lost"), r.out());
            assertTrue(r.err().contains("rawsock: sending 1 tcp probe to ::1"), r.err());
        }
    }

    @Test
    void aClosedPortAnswersWithRstAckAndABadChecksumWithNothing() throws Exception {
        int closed = closedTcpPort();
        CliRun r = rawsock("send", "tcp", "--dst", "::1", "--dport", Integer.toString(closed), "--seq", "5000", "--timeout", "2s");
        assertEquals(0, r.code(), r.err() + r.out());
        String received = r.lines("RCVD").get(0);
        assertTrue(received.startsWith("RCVD (") && received.contains("TCP [::1]:" + closed + " > [::1]:"), received);
        assertTrue(received.contains(" [RA] "), received);
        assertEquals(5001, field(received, "ack"));

        // Our TCP checksum goes out as computed (no IPV6_CHECKSUM): a wrong one is dropped by the kernel in silence.
        CliRun bad = rawsock("send", "tcp", "--dst", "::1", "--dport", Integer.toString(closed), "--badsum", "--timeout", "500ms");
        assertEquals(4, bad.code(), "no reply where one was asked for\n" + bad.out() + bad.err());
        assertTrue(bad.lines("RCVD").isEmpty(), bad.out());
    }

    @Test
    void udpToAClosedPortBringsAnIcmpv6PortUnreachableMatchedByItsQuote() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK6)) {
            closed = s.getLocalPort();
        }
        CliRun r = rawsock("send", "udp", "--dst", "::1", "--sport", "40001", "--dport", Integer.toString(closed),
                "--data-string", "probe", "--timeout", "2s");
        assertEquals(0, r.code(), r.err() + r.out());
        String received = r.lines("RCVD").get(0);
        assertTrue(received.contains("ICMPv6 ::1 > ::1 destination-unreachable/port-unreachable (quoting UDP [::1]:40001 > [::1]:"
                + closed + " len=5)"), received);

        CliRun json = rawsock("send", "udp", "--dst", "::1", "--sport", "40002", "--dport", Integer.toString(closed), "--timeout", "2s",
                "--json");
        assertEquals(0, json.code(), json.err());
        List<String> replies = json.out().lines().filter(l -> l.contains("\"icmpv6\":{\"type\":1,\"code\":4,")).toList();
        assertEquals(1, replies.size(), json.out());
        assertTrue(replies.get(0).contains("\"src_port\":40002,\"dst_port\":" + closed), replies.get(0));
    }

    @Test
    void anEchoRequestGetsItsRepliesWithOurIdAndSequence(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("echo6.pcap");
        CliRun r = rawsock("send", "icmp", "--dst", "::1", "--icmp-id", "4322", "--icmp-seq", "7", "-c", "3", "--delay", "20ms",
                "--data-string", "abcdefgh", "--timeout", "2s", "--json", "--pcap", pcap.toString());
        assertEquals(0, r.code(), r.err());
        List<String> replies = r.out().lines().filter(l -> l.contains("\"type\":129,")).toList();
        assertEquals(3, replies.size(), r.out());
        for (int k = 0; k < 3; k++) {
            assertTrue(replies.get(k).contains("\"id\":4322,\"seq\":" + (7 + k)), replies.get(k));
            assertTrue(replies.get(k).contains("\"payload\":{\"length\":8}"), replies.get(k));
            assertTrue(replies.get(k).contains("\"checksum_valid\":true"), replies.get(k));
        }
        assertTrue(r.err().contains("3 packets sent, 3 received"), r.err());
        NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields",
                "-e", "icmpv6.type", "-e", "icmpv6.echo.sequence_number"));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        assertEquals(List.of("128\t7", "129\t7", "128\t8", "129\t8", "128\t9", "129\t9"), tshark.lines(),
                "the pcap holds every probe and every reply, in order");
    }

    /** Reads frames from {@code capture} for up to {@code millis}; keeps copies of those {@code wanted} accepts. */
    private static List<byte[]> collect(PacketSocket capture, long millis, Predicate<DecodedPacket> wanted) throws Exception {
        NativeBuffer buffer = NativeBuffer.allocate(65536);
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        List<byte[]> found = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        for (int frames = 0; frames < 100_000 && System.nanoTime() < deadline; frames++) {
            int n = capture.receive(buffer, 0, 65536, 50);
            if (n < 0) {
                continue;
            }
            // A packet socket for one protocol (ETH_P_IPV6) sees only what arrives: on loopback, each packet as
            // it comes back in, unchanged since it left.
            decoder.decode(buffer.buffer(), 0, n, capture.originalLength(), FirstLayer.IP, p);
            if (wanted.test(p)) {
                byte[] copy = new byte[n];
                buffer.buffer().get(0, copy);
                found.add(copy);
            }
        }
        return found;
    }

    @Test
    void hopLimitTrafficClassAndFlowLabelAreWhatTheKernelPutsOnTheWire() throws Exception {
        SocketApi api = SocketApi.create();
        try (PacketSocket capture = PacketSocket.open(api, true, Protocol.ETH_P_IPV6)) {
            CliRun r = rawsock("send", "icmp", "--dst", "::1", "--icmp-id", "54321", "--ttl", "7", "--tos", "0xb8",
                    "--flow-label", "0x12345", "--timeout", "2s");
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.lines("RCVD").get(0).contains("echo-reply id=54321 seq=1"), r.out());
            CliRun plain = rawsock("send", "icmp", "--dst", "::1", "--icmp-id", "54322", "--ttl", "9", "--timeout", "2s");
            assertEquals(0, plain.code(), plain.err() + plain.out());
            Icmpv6View m = new Icmpv6View();
            List<byte[]> requests = collect(capture, 1000, p -> p.has(Layer.ICMPV6)
                    && m.wrap(p.buffer(), p.offset(Layer.ICMPV6)).type() == 128 && (m.identifier() == 54321 || m.identifier() == 54322));
            assertEquals(2, requests.size(), "both echo requests seen on the loopback");
            Ipv6View first = new Ipv6View().wrap(java.nio.ByteBuffer.wrap(requests.get(0)), 0);
            assertEquals(7, first.hopLimit(), "IPV6_UNICAST_HOPS from --ttl");
            assertEquals(0xb8, first.trafficClass(), "IPV6_TCLASS from --tos");
            assertEquals(0x12345, first.flowLabel(), "the flow label from sin6_flowinfo (IPV6_FLOWINFO_SEND)");
            Ipv6View second = new Ipv6View().wrap(java.nio.ByteBuffer.wrap(requests.get(1)), 0);
            assertEquals(9, second.hopLimit());
            assertEquals(0, second.trafficClass());
            assertEquals(0, second.flowLabel(), "flow label 0 stays 0: IPV6_AUTOFLOWLABEL is off");
        }
    }

    @Test
    void aHopLimitSweepSendsEachValueAndEveryErrorIsMatched() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK6)) {
            closed = s.getLocalPort();
        }
        SocketApi api = SocketApi.create();
        try (PacketSocket capture = PacketSocket.open(api, true, Protocol.ETH_P_IPV6)) {
            CliRun r = rawsock("send", "udp", "--dst", "::1", "--sport", "40003", "--dport", Integer.toString(closed), "--ttl", "3-5",
                    "--delay", "20ms", "--timeout", "2s");
            assertEquals(0, r.code(), r.err() + r.out());
            assertEquals(3, r.lines("SENT").size(), r.out());
            assertEquals(3, r.lines("RCVD").size(), r.out());
            assertTrue(r.out().contains("3 packets sent, 3 received"), r.out());
            UdpView u = new UdpView();
            List<byte[]> probes = collect(capture, 1000, p -> p.has(Layer.UDP) && p.has(Layer.IPV6)
                    && u.wrap(p.buffer(), p.offset(Layer.UDP)).sourcePort() == 40003 && u.destinationPort() == closed);
            assertEquals(3, probes.size());
            for (int k = 0; k < 3; k++) {
                assertEquals(3 + k, new Ipv6View().wrap(java.nio.ByteBuffer.wrap(probes.get(k)), 0).hopLimit());
                DecodedPacket p = new PacketDecoder().decode(java.nio.ByteBuffer.wrap(probes.get(k)), 0, probes.get(k).length,
                        probes.get(k).length, FirstLayer.IP, new DecodedPacket());
                assertEquals(Verdict.VALID, p.transportChecksum(), "the UDP checksum went out as we computed it");
            }
        }
    }

    @Test
    void aFloodThroughSendmmsgIsBoundedAndCountsAddUp() throws Exception {
        int closed = closedTcpPort();
        // Three hop limits in turn: each sendmmsg batch is cut where the socket options must change.
        CliRun r = rawsock("send", "tcp", "--dst", "::1", "--dport", Integer.toString(closed), "--flood", "-c", "600",
                "--seq-increment", "--ttl", "60-62", "--timeout", "2s");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("(\\d+) packets sent, (\\d+) received").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(600, Long.parseLong(m.group(1)));
        long received = Long.parseLong(m.group(2));
        assertTrue(received > 580 && received <= 600, "each SYN to a closed port gets its own RST: " + r.out());
    }

    @Test
    void aSourceThatIsNotOursIsRefusedBeforeAnythingIsSent() {
        CliRun r = rawsock("send", "udp", "--src", "2001:db8::1", "--dst", "::1", "--dport", "9", "--timeout", "200ms");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("bind: EADDRNOTAVAIL") && r.err().contains("sends only from an address of this host"), r.err());
        assertTrue(r.lines("SENT").isEmpty(), r.out());

        CliRun mixed = rawsock("send", "tcp", "--src", "127.0.0.1", "--dst", "::1");
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--src 127.0.0.1 is IPv4 but --dst ::1 is IPv6"), mixed.err());
        CliRun ipv4Only = rawsock("send", "tcp", "--dst", "::1", "--df");
        assertEquals(2, ipv4Only.code());
        assertTrue(ipv4Only.err().contains("--df is IPv4-only"), ipv4Only.err());
    }
}
