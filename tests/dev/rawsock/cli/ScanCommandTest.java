package dev.rawsock.cli;

import dev.rawsock.lab.Lab;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock scan} end to end: the table, the summary, the lab, and the targets it refuses. */
class ScanCommandTest {
    @AfterEach
    void noLabLeft() {
        CliRun.assertNoLabLeft();
    }

    @Test
    void aLoopbackListenerIsOpenAndTheRestOfASmallRangeIsListedClosed() throws Exception {
        Privileged.assumeRoot("rawsock scan");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int port = listener.getLocalPort();
            CliRun r = rawsock("scan", "127.0.0.1", "--ports", port + "-" + port, "--timeout", "300ms", "--seed", "3");
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.out().contains("PORT       STATE     REASON\n"), r.out());
            assertTrue(r.out().matches("(?s).*\n" + port + "/tcp +open +syn-ack from 127\\.0\\.0\\.1 ttl 64, rtt [0-9.]+ ms; RST sent\n.*"), r.out());
            assertTrue(r.out().contains("--- 127.0.0.1: 1 open, 0 closed, 0 filtered; 1 probes sent, 1 replies, 1 RST sent for open ports"), r.out());
            assertTrue(r.out().contains("(seed 3)"), r.out());
        }
    }

    @Test
    void inTheLabTheTableAndTheSummaryMatchTheLabsShape() {
        Privileged.assumeRoot("rawsock scan in a lab");
        CliRun r = rawsock("scan", "198.18.1.2", "--ports", "1-100", "--rate", "5000", "--timeout", "500ms",
                "--lab-open", "22,30-31", "--lab-drop", "23", "--lab-reject", "25");
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        for (int port : new int[] {7, 22, 30, 31, 80}) {
            assertTrue(out.matches("(?s).*\n" + port + "/tcp +open +syn-ack from 198\\.18\\.1\\.2 ttl 63, .*; RST sent\n.*"), port + ":\n" + out);
        }
        assertTrue(out.contains("\n23/tcp     filtered  no-response\n"), out);
        assertTrue(out.matches("(?s).*\n25/tcp +filtered +icmp communication-prohibited from 198\\.18\\.0\\.2 .*"), out);
        assertTrue(out.contains("Not shown: 93 closed ports (reset)"), out);
        assertTrue(out.contains("--- 198.18.1.2: 5 open, 93 closed, 2 filtered; 100 probes sent, 99 replies, 5 RST sent for open ports"), out);
        assertTrue(out.contains("(router 1): veth-in 198.18.0.2/24, veth-out 198.18.1.1/24; ip_forward=1"), out);
        assertTrue(out.contains("lab removed"), out);
    }

    @Test
    void targetsOutsideLoopbackAndTheLabAreRefusedWithoutTheFlag() {
        CliRun foreign = rawsock("scan", "192.0.2.1", "--ports", "80");
        assertEquals(2, foreign.code(), foreign.err());
        assertTrue(foreign.err().contains("--i-own-this-network"), foreign.err());
        assertTrue(foreign.out().isEmpty(), "nothing was scanned: " + foreign.out());

        CliRun notInLab = rawsock("scan", "198.18.7.7");
        assertEquals(2, notInLab.code(), notInLab.err());
        assertTrue(notInLab.err().contains("not in the scan's lab") && notInLab.err().contains("198.18.1.2"), notInLab.err());

        CliRun labOptions = rawsock("scan", "127.0.0.1", "--lab-drop", "23");
        assertEquals(2, labOptions.code(), labOptions.err());
        assertTrue(labOptions.err().contains("need a lab target"), labOptions.err());

        for (List<String> bad : List.of(List.of("--rate", "0"), List.of("--rate", "1000000"), List.of("--ports", "70000"),
                List.of("--ports", "1-65535", "--rate", "1"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("scan", "127.0.0.1"));
            argv.addAll(bad);
            CliRun r = rawsock(argv.toArray(String[]::new));
            assertEquals(2, r.code(), bad + ": " + r.err());
        }
        CliRun name = rawsock("scan", "localhost");
        assertEquals(2, name.code(), name.err());
    }

    @Test
    void withTheFlagAnyAddressIsScannedAfterAWarning() throws Exception {
        Privileged.assumeRoot("rawsock scan --i-own-this-network (inside a private namespace)");
        // 192.0.2.1 (TEST-NET-1) on lo inside the lab's target namespace: the scan runs as a separate process in
        // there, so its packets never leave that namespace, and the host's network never sees them.
        Path jar = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(jar), "target/rawsock.jar is missing: run 'make build' first");
        try (Lab lab = Lab.create()) {
            NativeTools.Result add = NativeTools.run(10, List.of("ip", "-n", lab.targetNamespace(), "address", "add", "192.0.2.1/32", "dev", "lo"));
            assertEquals(0, add.exitCode(), add.stderr());
            NativeTools.Result r = NativeTools.run(60, List.of("ip", "netns", "exec", lab.targetNamespace(),
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                    "scan", "192.0.2.1", "--ports", "1-5", "--timeout", "200ms", "--i-own-this-network"));
            assertEquals(0, r.exitCode(), r.stderr() + r.stdout());
            assertTrue(r.stderr().contains("rawsock: warning: scanning 192.0.2.1, outside loopback and rawsock's labs"), r.stderr());
            assertTrue(r.stdout().contains("--- 192.0.2.1: 0 open, 5 closed, 0 filtered"), r.stdout());
            assertFalse(r.stdout().contains("lab "), "no lab for a foreign address: " + r.stdout());
        }
    }
}
