package dev.rawsock.cli;

import dev.rawsock.capture.PcapReader;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** rawsock sniff's command line: filter errors with their column, unknown interfaces, the BPF listing, and the bounds of a run. */
class SniffCliTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aBadFilterIsAUsageErrorPointingAtTheColumn() {
        for (String[] args : new String[][] {{"sniff", "--iface", "lo", "--filter", "tcp port x"}, {"sniff", "tcp", "port", "x"}}) {
            CliRun r = CliRun.rawsock(args);
            assertEquals(2, r.code(), r.err());
            List<String> lines = r.err().lines().toList();
            assertEquals(2, lines.size(), "the message and a caret line:\n" + r.err());
            assertEquals("rawsock: --filter: expected a port number at column 10: tcp port x", lines.get(0));
            assertEquals(lines.get(0).length() - 1, lines.get(1).indexOf('^'), "the caret is under the x:\n" + r.err());
            assertEquals(lines.get(0).length(), lines.get(1).length());
            assertTrue(r.out().isEmpty());
        }
        CliRun unbalanced = CliRun.rawsock("sniff", "--filter", "(tcp or udp");
        assertEquals(2, unbalanced.code());
        assertTrue(unbalanced.err().startsWith("rawsock: --filter: expected ')' to close the '(' at column 1"), unbalanced.err());
        assertFalse(unbalanced.err().contains("\tat "), unbalanced.err());
    }

    @Test
    void anUnknownInterfaceIsAUsageErrorListingTheKnownOnes() {
        CliRun r = CliRun.rawsock("sniff", "--iface", "nope0", "--count", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("rawsock: --iface: no interface named 'nope0' (there are: "), r.err());
        assertTrue(r.err().contains("lo"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void conflictingOptionsAreUsageErrors() {
        assertEquals(2, CliRun.rawsock("sniff", "--iface", "lo", "--raw-socket", "tcp").code());
        assertEquals(2, CliRun.rawsock("sniff", "--filter", "tcp", "udp").code());
        assertEquals(2, CliRun.rawsock("sniff", "--raw-socket", "sctp").code());
        CliRun snap = CliRun.rawsock("sniff", "--snaplen", "10");
        assertEquals(2, snap.code());
        assertTrue(snap.err().contains("--snaplen: must be 64-262144 but was 10"), snap.err());
    }

    @Test
    void printFilterShowsTheProgramForTheLink() {
        CliRun lo = CliRun.rawsock("sniff", "--iface", "lo", "--print-filter", "tcp", "port", "80");
        assertEquals(0, lo.code(), lo.err());
        List<String> program = lo.out().lines().toList();
        assertEquals("(000) ld       type", program.get(0), "first the loopback prologue:\n" + lo.out());
        assertTrue(lo.out().contains("ldh      [12]"), "Ethernet frames: the EtherType at 12:\n" + lo.out());
        assertTrue(lo.out().contains("ldxb     4*([14]&0xf)"), "the IPv4 header's length:\n" + lo.out());
        assertTrue(lo.out().contains("jset     #0x1fff"), "later fragments have no ports:\n" + lo.out());
        assertTrue(program.get(program.size() - 1).endsWith("ret      #0"), lo.out());

        CliRun raw = CliRun.rawsock("sniff", "--raw-socket", "tcp", "--print-filter", "port 80");
        assertEquals(0, raw.code(), raw.err());
        assertTrue(raw.out().startsWith("(000) ldb      [9]"), "raw IPv4: no link header, no protocol test:\n" + raw.out());

        CliRun all = CliRun.rawsock("sniff", "--print-filter", "--both-directions", "ip6");
        assertEquals(0, all.code(), all.err());
        assertTrue(all.out().startsWith("(000) ld       proto"), "cooked: the protocol from the kernel:\n" + all.out());
    }

    /** Sends UDP datagrams to 127.0.0.1:port every few milliseconds until stopped. */
    private static Thread sender(int port, String text) {
        Thread t = new Thread(() -> {
            try (DatagramSocket udp = new DatagramSocket()) {
                byte[] data = text.getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 2000 && !Thread.currentThread().isInterrupted(); i++) {
                    udp.send(new DatagramPacket(data, data.length, LOOPBACK, port));
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void countBoundsTheRun() throws Exception {
        Privileged.assumeRoot("sniffing on lo");
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            Thread sending = sender(target.getLocalPort(), "counted");
            long start = System.nanoTime();
            CliRun r = CliRun.rawsock("sniff", "--iface", "lo", "--count", "3", "--duration", "20s", "--json",
                    "udp dst port " + target.getLocalPort());
            long millis = (System.nanoTime() - start) / 1_000_000;
            sending.interrupt();
            assertEquals(0, r.code(), r.err());
            // (JsonPrinter's Jackson generator puts its root separator, a space, before every object after the first.)
            List<String> lines = r.out().lines().map(String::strip).toList();
            assertEquals(3, lines.size(), r.out());
            for (int i = 0; i < 3; i++) {
                assertTrue(lines.get(i).startsWith("{\"frame\":" + (i + 1) + ","), lines.get(i));
                assertTrue(lines.get(i).contains("\"dst_port\":" + target.getLocalPort()), lines.get(i));
            }
            assertTrue(millis < 10_000, "stopped at the count, not the duration: " + millis + " ms");
            assertTrue(r.err().contains("rawsock: 3 packets captured, 0 dropped by the kernel"), r.err());
        }
    }

    @Test
    void durationBoundsTheRun() throws Exception {
        Privileged.assumeRoot("sniffing on lo");
        long start = System.nanoTime();
        CliRun r = CliRun.rawsock("sniff", "--iface", "lo", "--duration", "700ms", "udp port 9 and host 127.0.0.253");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, r.code(), r.err());
        assertTrue(millis >= 650 && millis < 5000, millis + " ms");
        assertTrue(r.out().isEmpty(), r.out());
        assertTrue(r.err().contains("rawsock: 0 packets captured, 0 dropped by the kernel"), r.err());
    }

    /** Ctrl-C: the JVM's SIGINT handling runs the hook, the loop ends, the pcap is committed and the counts printed. */
    @Test
    void ctrlCStopsCleanlyAndKeepsThePcap(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("sniffing on lo");
        Path jar = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(jar), "target/rawsock.jar is missing: run 'make build'");
        Path pcap = dir.resolve("interrupted.pcap");
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        try (DatagramSocket target = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            ProcessBuilder pb = new ProcessBuilder(NativeTools.withDefaultSigint(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                    "sniff", "--iface", "lo", "--pcap", pcap.toString(), "udp", "port", Integer.toString(target.getLocalPort()))))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.readString(err).contains("listening on") && System.nanoTime() < deadline && p.isAlive()) {
                    Thread.sleep(20);
                }
                assertTrue(Files.readString(err).contains("listening on"), Files.readString(err));
                Thread sending = sender(target.getLocalPort(), "interrupted");
                while (Files.readString(out).lines().count() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                sending.interrupt();
                sending.join(5000);
                NativeTools.Result kill = NativeTools.run(10, List.of("kill", "-INT", Long.toString(p.pid())));
                assertEquals(0, kill.exitCode(), kill.stderr());
                assertTrue(p.waitFor(15, TimeUnit.SECONDS), "sniff ended after SIGINT");
            } finally {
                p.destroyForcibly();
            }
            assertEquals(130, p.exitValue(), "128 + SIGINT: " + Files.readString(err));
            long printed = Files.readString(out).lines().count();
            String stderr = Files.readString(err);
            assertTrue(printed >= 3, Files.readString(out));
            assertTrue(stderr.contains("rawsock: " + printed + " packets captured, 0 dropped by the kernel; " + printed + " written to"),
                    stderr);
            assertFalse(stderr.contains("Exception"), stderr);
            int records = 0;
            try (PcapReader reader = PcapReader.open(pcap)) {
                while (reader.next()) {
                    records++;
                }
            }
            assertEquals(printed, records, "the pcap was committed with every packet printed");
        }
    }
}
