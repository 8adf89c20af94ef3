package dev.rawsock.helper;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first test: uid 65534 (setpriv, no capabilities) sends a SYN to a kernel listener on
 * 127.0.0.1 through the helper and gets the kernel's SYN-ACK; without the helper the same user gets exit 3;
 * a uid the helper does not admit is refused, and the refusal is in the audit log.
 */
class HelperUnprivilegedTest {
    private static Path dir;
    private static Path jar;
    private static HelperTesting.InProcess helper;
    private static ServerSocket listener;

    @BeforeAll
    static void start() throws Exception {
        Privileged.assumeRoot("the helper and dropping to uid 65534");
        dir = HelperTesting.openDirectory();
        jar = HelperTesting.jarFor(dir);
        helper = new HelperTesting.InProcess(dir, new Policy.Builder().set("allow-uid", Integer.toString(HelperTesting.NOBODY)).build());
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterAll
    static void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (helper != null) {
            helper.close();
        }
        HelperTesting.remove(dir);
    }

    private static List<String> synAcks(String stdout) {
        return stdout.lines().filter(l -> l.startsWith("RCVD") && l.contains("127.0.0.1:" + listener.getLocalPort() + " > ")
                && l.contains("[SA]")).toList();
    }

    @Test
    void anUnprivilegedUserGetsTheSynAckThroughTheHelper() throws Exception {
        NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(), "send", "tcp", "--dst", "127.0.0.1", "--dport",
                Integer.toString(listener.getLocalPort()), "--flags", "S", "--helper", helper.path);
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(1, synAcks(r.stdout()).size(), r.stdout());
        assertTrue(r.stdout().contains("1 packets sent, 1 received"), r.stdout());
        String notice = "rawsock: no CAP_NET_RAW here; sending through the helper at " + helper.path;
        assertEquals(1, r.stderr().lines().filter(notice::equals).count(), "said once:\n" + r.stderr());
        assertTrue(helper.audit().lines().anyMatch(l -> l.contains("uid=65534 gid=65534") && l.contains("SEND src=127.0.0.1 dst=127.0.0.1 proto=tcp")
                && l.endsWith(": ok")), helper.audit());
        // the replies' capture is as narrow as the local one: a flood to another port on lo cannot crowd them out
        assertTrue(helper.audit().lines().anyMatch(l -> l.contains("uid=65534") && l.contains("CAPTURE all 'icmp or (tcp and src host 127.0.0.1 and dst port ")),
                helper.audit());
    }

    @Test
    void theEnvironmentVariableFindsTheHelperToo() throws Exception {
        NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(HelperClient.ENVIRONMENT, helper.path), "send", "tcp", "--dst",
                "127.0.0.1", "--dport", Integer.toString(listener.getLocalPort()), "--flags", "S", "-c", "2", "--delay", "50ms");
        assertEquals(0, r.exitCode(), r.stderr());
        assertEquals(2, synAcks(r.stdout()).size(), r.stdout());
    }

    @Test
    void withoutTheHelperTheSameUserExitsThree() throws Exception {
        NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(), "send", "tcp", "--dst", "127.0.0.1", "--dport",
                Integer.toString(listener.getLocalPort()), "--flags", "S");
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("or use the helper (--helper PATH)"), r.stderr());
        assertFalse(r.stdout().contains("RCVD"), r.stdout());
    }

    @Test
    void aUidTheHelperDoesNotAdmitIsRefusedAndLogged() throws Exception {
        try (HelperTesting.InProcess rootOnly = new HelperTesting.InProcess(dir, new Policy.Builder().build())) {
            NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(), "send", "tcp", "--dst", "127.0.0.1", "--dport",
                    Integer.toString(listener.getLocalPort()), "--flags", "S", "--helper", rootOnly.path);
            assertEquals(3, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("refused") || r.stderr().contains("not allowed"), r.stderr());
            assertTrue(r.stderr().contains("uid 65534 (gid 65534, pid "), r.stderr());
            assertTrue(r.stderr().contains("is not allowed to use this helper"), r.stderr());
            assertFalse(r.stdout().contains("RCVD"), r.stdout());
            assertTrue(rootOnly.audit().lines().anyMatch(l -> l.contains("uid=65534 gid=65534") && l.contains("CONNECT: refused")),
                    rootOnly.audit());
            assertFalse(rootOnly.audit().contains("SEND"), rootOnly.audit());
        }
    }

    @Test
    void aRunLongerThanTheHelpersMaxCaptureIsNoted() throws Exception {
        Policy shortCaptures = new Policy.Builder().set("allow-uid", Integer.toString(HelperTesting.NOBODY)).set("max-capture", "1s").build();
        try (HelperTesting.InProcess brief = new HelperTesting.InProcess(dir, shortCaptures)) {
            NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(), "send", "icmp", "--dst", "127.0.0.1", "-c", "3", "--delay", "1s",
                    "--timeout", "200ms", "--helper", brief.path);
            assertEquals(0, r.exitCode(), r.stderr());
            assertTrue(r.stderr().contains("note: the helper captures for at most 1000 ms (its max-capture): replies after that are not seen"),
                    r.stderr());
            assertTrue(r.stdout().contains("3 packets sent"), r.stdout());
            assertTrue(r.stdout().lines().anyMatch(l -> l.startsWith("RCVD") && l.contains("echo-reply")), "the first reply came: " + r.stdout());
        }
    }

    @Test
    void sniffCapturesThroughTheHelper() throws Exception {
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // a port nobody listens on once this closes
        }
        Path out = dir.resolve("sniff-" + System.nanoTime() + ".out");
        Path err = dir.resolve("sniff-" + System.nanoTime() + ".err");
        Process sniff = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--",
                HelperTesting.java(), "-jar", jar.toString(), "sniff", "--iface", "lo", "--count", "3", "--helper", helper.path,
                "udp and dst port " + port).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (java.net.DatagramSocket sender = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] data = "through the helper".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < 200 && sniff.isAlive(); i++) { // until the sniffer has its three packets, at most 20 s
                sender.send(new java.net.DatagramPacket(data, data.length, InetAddress.getLoopbackAddress(), port));
                Thread.sleep(100);
            }
        } finally {
            if (!sniff.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                sniff.destroyForcibly();
            }
        }
        String stdout = java.nio.file.Files.readString(out);
        String stderr = java.nio.file.Files.readString(err);
        assertEquals(0, sniff.exitValue(), stderr);
        assertEquals(3, stdout.lines().filter(l -> l.contains("UDP 127.0.0.1:") && l.contains(" > 127.0.0.1:" + port)).count(),
                stdout + stderr);
        assertTrue(stderr.contains("rawsock: no CAP_NET_RAW here; capturing through the helper at " + helper.path), stderr);
        assertTrue(stderr.contains("rawsock: 3 packets captured"), stderr);
    }

    @Test
    void aHelperThatDoesNotAnswerIsExitThreeInOneLine() throws Exception {
        String nowhere = dir.resolve("no-helper-here.sock").toString();
        NativeTools.Result r = HelperTesting.asNobody(jar, Map.of(), "send", "tcp", "--dst", "127.0.0.1", "--dport", "9",
                "--helper", nowhere);
        assertEquals(3, r.exitCode(), r.stderr());
        assertTrue(r.stderr().contains("rawsock: the helper at " + nowhere + " does not answer"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), r.stderr());
    }
}
