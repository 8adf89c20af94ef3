package dev.rawsock.probe;

import dev.rawsock.cli.CliRun;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rawsock send} against the real kernel on 127.0.0.1: the kernel is the oracle for every packet we
 * build. Listeners are the JDK's own sockets; replies are what Linux answers.
 */
class SendAgainstKernelTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();



    @BeforeEach
    void needsRawSockets() {
        Privileged.assumeRoot("sending on a raw socket");
    }

    private static long field(String line, String name) {
        Matcher m = Pattern.compile(" " + name + "=(\\d+)").matcher(line);
        assertTrue(m.find(), "no " + name + "= in: " + line);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aSynToAListenerGetsASynAckForOurSequenceNumber() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            int port = listener.getLocalPort();
            CliRun r = rawsock("send", "tcp", "--dport", Integer.toString(port), "--seq", "1000",
                    "--tcp-option", "mss=1460,sackok,ts=4242:0,nop,wscale=7", "--timeout", "2s");
            assertEquals(0, r.code(), r.err() + r.out());
            String sent = r.lines("SENT").get(0);
            String received = r.lines("RCVD").get(0);
            assertTrue(sent.contains("> 127.0.0.1:" + port + " [S] seq=1000 "), sent);
            assertTrue(received.contains("TCP 127.0.0.1:" + port + " > ") && received.contains(" [SA] "), received);
            assertEquals(1001, field(received, "ack"), "ack = our seq + 1 for the SYN");
            // RFC 7323 / RFC 2018 as Linux applies them: the options we offered are answered in kind.
            assertTrue(received.matches(".*<mss \\d+,sackOK,ts \\d+ 4242,nop,wscale \\d+>.*"),
                    "timestamps echo our tsval, SACK and window scaling are agreed: " + received);
            assertTrue(received.contains(" rtt="), received);
            assertTrue(r.out().contains("1 packets sent, 1 received, 0.0% lost"), r.out());
        }
    }

    @Test
    void withoutOptionsTheKernelOffersNoneOfThem() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            CliRun r = rawsock("send", "tcp", "--dport", Integer.toString(listener.getLocalPort()), "--seq", "7", "--timeout", "2s");
            assertEquals(0, r.code(), r.err());
            String received = r.lines("RCVD").get(0);
            assertEquals(8, field(received, "ack"));
            assertTrue(received.matches(".*<mss \\d+> len=0.*"), "only MSS comes back when we offered nothing: " + received);
        }
    }

    @Test
    void aClosedPortAnswersWithRstAck() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = s.getLocalPort();
        }
        CliRun r = rawsock("send", "tcp", "--dport", Integer.toString(closed), "--seq", "5000", "--timeout", "2s");
        assertEquals(0, r.code(), r.err());
        String received = r.lines("RCVD").get(0);
        assertTrue(received.contains(" [RA] "), received);
        assertEquals(5001, field(received, "ack"));
    }

    @Test
    void aWrongChecksumIsDroppedSilentlyAndTheRunSaysSo() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, LOOPBACK)) {
            CliRun r = rawsock("send", "tcp", "--dport", Integer.toString(listener.getLocalPort()), "--badsum", "--timeout", "500ms");
            assertEquals(4, r.code(), "no reply where one was asked for: exit 4\n" + r.out());
            assertTrue(r.lines("RCVD").isEmpty(), r.out());
            assertTrue(r.out().contains("1 packets sent, 0 received, 100.0% lost"), r.out());
        }
    }

    @Test
    void udpToAClosedPortBringsAPortUnreachableQuotingOurDatagram() throws Exception {
        int closed;
        try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
            closed = s.getLocalPort();
        }
        CliRun r = rawsock("send", "udp", "--sport", "40000", "--dport", Integer.toString(closed), "--data-string", "probe", "--timeout", "2s");
        assertEquals(0, r.code(), r.err());
        String received = r.lines("RCVD").get(0);
        assertTrue(received.contains("ICMP 127.0.0.1 > 127.0.0.1 dest-unreachable/port-unreachable (quoting UDP 127.0.0.1:40000 > 127.0.0.1:"
                + closed + " len=5)"), received);
    }

    @Test
    void anEchoRequestGetsItsReplyWithOurIdSequenceAndData() throws Exception {
        CliRun r = rawsock("send", "icmp", "--icmp-id", "4321", "--icmp-seq", "7", "-c", "3", "--delay", "20ms",
                "--data-string", "abcdefgh", "--timeout", "2s", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> replies = r.out().lines().filter(l -> l.contains("\"type\":0,")).toList();
        assertEquals(3, replies.size(), r.out());
        for (int k = 0; k < 3; k++) {
            String reply = replies.get(k);
            assertTrue(reply.contains("\"id\":4321,\"seq\":" + (7 + k)), reply);
            assertTrue(reply.contains("\"payload\":{\"length\":8}"), reply);
        }
        assertTrue(r.err().contains("3 packets sent, 3 received"), "with --json the statistics go to stderr: " + r.err());
    }

    @Test
    void aPortSweepFindsTheOneOpenPort(@TempDir Path dir) throws Exception {
        try (ServerSocket a = new ServerSocket(0, 50, LOOPBACK)) {
            int open = a.getLocalPort();
            int first = open - 1;
            Path pcap = dir.resolve("sweep.pcap");
            CliRun r = rawsock("send", "tcp", "--dport", first + "-" + (open + 1), "--delay", "10ms", "--timeout", "1s",
                    "--pcap", pcap.toString());
            assertEquals(0, r.code(), r.err());
            assertEquals(3, r.lines("SENT").size(), r.out());
            List<String> replies = r.lines("RCVD");
            assertEquals(3, replies.size(), r.out());
            assertEquals(1, replies.stream().filter(l -> l.contains("127.0.0.1:" + open + " > ") && l.contains("[SA]")).count(), r.out());
            assertEquals(2, replies.stream().filter(l -> l.contains("[RA]")).count(), r.out());
            // The pcap holds every probe and every reply, and tshark reads it.
            NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields", "-e", "tcp.flags.str"));
            assertEquals(0, tshark.exitCode(), tshark.stderr());
            assertEquals(6, tshark.lines().size(), tshark.stdout());
        }
    }

    @Test
    void aFloodIsBoundedAndCountsAddUp() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            closed = s.getLocalPort();
        }
        CliRun r = rawsock("send", "tcp", "--dport", Integer.toString(closed), "--flood", "-c", "3000", "--seq-increment", "--timeout", "2s");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.lines("SENT").isEmpty(), "a flood prints no per-packet lines");
        Matcher m = Pattern.compile("(\\d+) packets sent, (\\d+) received, ([0-9.]+)% lost").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertEquals(3000, Long.parseLong(m.group(1)));
        long received = Long.parseLong(m.group(2));
        assertTrue(received > 2900 && received <= 3000, "each SYN to a closed port gets its own RST: " + r.out());

        CliRun unbounded = rawsock("send", "tcp", "--dport", "9", "--flood");
        assertEquals(2, unbounded.code());
        assertTrue(unbounded.err().contains("--flood needs --count or --duration"), unbounded.err());
    }

    @Test
    void aDurationBoundsTheRun() {
        long before = System.nanoTime();
        CliRun r = rawsock("send", "icmp", "--duration", "300ms", "--delay", "50ms", "--timeout", "200ms", "-q");
        double seconds = (System.nanoTime() - before) / 1e9;
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("(\\d+) packets sent, (\\d+) received").matcher(r.out());
        assertTrue(m.find(), r.out());
        long sent = Long.parseLong(m.group(1));
        assertTrue(sent >= 4 && sent <= 7, "about 300ms / 50ms probes: " + sent);
        assertEquals(sent, Long.parseLong(m.group(2)), "every echo answered");
        assertTrue(seconds < 10, "the run stopped by itself");
        assertFalse(r.out().contains("SENT"), "-q prints only the statistics");
    }
}
