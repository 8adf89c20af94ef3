package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock handshake} end to end: output, exit codes, and no lab left behind by any of them. */
class HandshakeCommandTest {
    @AfterEach
    void noLabLeft() {
        CliRun.assertNoLabLeft();
    }

    @Test
    void theDefaultRunIsAGetToTheLabsHttpServerWithEveryNumberExplained() {
        Privileged.assumeRoot("rawsock handshake");
        CliRun r = rawsock("handshake", "--isn", "1000", "--sport", "40000", "--seed", "7");
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        assertTrue(out.contains("handshake 198.18.0.1:40000 > 198.18.0.2:80 (our ISN 1000, seed 7)"), out);
        assertTrue(out.contains("SENT (") && out.contains("TCP 198.18.0.1:40000 > 198.18.0.2:80 [S] seq=1000 win=64240 <mss 1460> len=0"), out);
        assertTrue(out.contains("ack=1001 (rel 1) = our seq 1000 + 1 for SYN"), out);
        assertTrue(out.matches("(?s).*ack=\\d+ \\(rel 1\\) = their seq \\d+ \\+ 1 for SYN.*"), out);
        assertTrue(out.contains("data: \"GET / HTTP/1.0\\r\\n\\r\\n\""), out);
        assertTrue(out.contains("ack=1019 (rel 19) = our seq 1001 + 18 bytes of data"), out);
        assertTrue(out.matches("(?s).*ack=\\d+ \\(rel 112\\) = their seq \\d+ \\+ 111 bytes of data.*"), out);
        assertTrue(out.matches("(?s).*= their seq \\d+ \\+ 1 for FIN.*"), out);
        assertTrue(out.contains("ack=1020 (rel 20) = our seq 1019 + 1 for FIN: our FIN arrived"), out);
        assertTrue(out.contains("accept() gave 198.18.0.1:40000 > 198.18.0.2:80: exactly our 4-tuple"), out);
        assertTrue(out.contains("TCP_INFO of its accepted socket: TCP_CLOSE (it closed first"), out);
        assertTrue(out.matches("(?s).*ss -tan in rawsock-\\d+-\\d+-t: TIME-WAIT 0 0 198\\.18\\.0\\.2:80 198\\.18\\.0\\.1:40000.*"), out);
        assertTrue(out.contains("  HTTP/1.0 200 OK\\r\\n\n"), out);
        assertTrue(out.contains("lab removed"), out);
        assertFalse(out.contains("[R]") || out.contains("[RA]"), "no RST in a clean conversation:\n" + out);
    }

    @Test
    void dataGoesToTheEchoServiceAndComesBack(@TempDir Path dir) {
        Privileged.assumeRoot("rawsock handshake");
        Path pcap = dir.resolve("conversation.pcap");
        CliRun r = rawsock("handshake", "--data-string", "hello\\n", "--wscale", "7", "--sack", "--timestamps", "--pcap", pcap.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains(" > 198.18.0.2:7 [S] "), r.out());
        assertTrue(r.out().contains("the server's bytes, in order (6):\n  hello\\n\n"), r.out());
        assertTrue(r.out().contains("closed: we sent the first FIN, so TIME_WAIT is ours"), r.out());
        assertTrue(r.out().contains("(it closed second: its FIN was acknowledged in LAST_ACK"), r.out());
        // The pcap holds the whole conversation, and rawsock's own decoder reads it back.
        CliRun decoded = rawsock("decode", pcap.toString());
        assertEquals(0, decoded.code(), decoded.err());
        List<String> lines = decoded.out().lines().toList();
        assertTrue(lines.size() >= 9, decoded.out());
        assertTrue(lines.get(0).contains("[S]") && lines.get(1).contains("[SA]") && lines.get(2).contains("[A]"), decoded.out());
        assertTrue(decoded.out().contains("wscale 7"), decoded.out());
    }

    @Test
    void closingWithRstLeavesTheServerClosedWithoutTimeWait() {
        Privileged.assumeRoot("rawsock handshake");
        CliRun r = rawsock("handshake", "--close", "rst");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("[R] seq="), r.out());
        assertTrue(r.out().contains("TCP_INFO of its accepted socket: TCP_CLOSE (our RST closed it at once: no TIME_WAIT)"), r.out());
        assertFalse(r.out().contains("TIME-WAIT"), r.out());
    }

    @Test
    void aBadChecksumOnTheSynTimesOutWithExit4AndSaysWhatItWaitedFor() {
        Privileged.assumeRoot("rawsock handshake");
        CliRun r = rawsock("handshake", "--badsum", "syn", "--timeout", "300ms");
        assertEquals(4, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("rawsock: handshake: timeout: no SYN-ACK from 198.18.0.2:80 within 300 ms"), r.err());
        assertTrue(r.err().contains("Linux drops such a segment without a word"), r.err());
    }

    @Test
    void aWrongAckIsResetByTheServerAndExits1() {
        Privileged.assumeRoot("rawsock handshake");
        CliRun r = rawsock("handshake", "--ack-offset", "1000", "--isn", "1");
        assertEquals(1, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("wrong on purpose (--ack-offset 1000)"), r.out());
        assertTrue(r.err().contains("the server answered our wrong ACK"), r.err());
        assertTrue(r.out().contains("no connection was accepted"), r.out());
    }

    @Test
    void loopbackIsRefusedWithTheReason() {
        // No privilege needed: the address is refused before anything is built.
        CliRun r = rawsock("handshake", "127.0.0.1:8080");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("127.0.0.1:8080 is on loopback"), r.err());
        assertTrue(r.err().contains("RST"), r.err());
        assertTrue(r.err().contains("rawsock handshake 198.18.0.2:PORT"), r.err());
    }

    @Test
    void outOfOrderDataIsHeldByTheKernelUntilTheGapFillsAndReadInOrder() {
        Privileged.assumeRoot("rawsock handshake --out-of-order");
        CliRun r = rawsock("handshake", "--data-string", "hello\\n", "--out-of-order", "--sack", "--isn", "1000", "--sport", "40001");
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        int second = out.indexOf("[PA] seq=1004 ");
        int duplicate = out.indexOf("ack=1001 (rel 1): a duplicate ACK: the kernel still asks for byte 1001; it holds bytes 1004..1006 aside");
        int sack = out.indexOf("sack 1004-1007: a selective ACK (RFC 2018) for the bytes it holds beyond the gap, 1004..1006");
        int first = out.indexOf("[A] seq=1001 ", duplicate);
        int cumulative = out.indexOf("ack=1007 (rel 7) = our seq 1001 + 6 bytes of data: all of it arrived");
        assertTrue(second > 0 && duplicate > second && sack > duplicate && first > sack && cumulative > first,
                "second part, duplicate ACK with its SACK block, first part, cumulative ACK, in that order:\n" + out);
        assertTrue(out.contains("data: \"lo\\n\"") && out.contains("data: \"hel\""), out);
        assertTrue(out.matches("(?s).*    read\\(\\d+, \"hello\\\\n\", 4096\\) = 6\n.*"),
                "the server reads the six bytes in order, in one read():\n" + out);
        assertTrue(out.contains("the server's bytes, in order (6):\n  hello\\n\n"), out);
    }

    @Test
    void outOfOrderNeedsTwoBytesAndNoOtherDataFault() {
        assertEquals(2, rawsock("handshake", "--data-string", "x", "--out-of-order").code());
        assertEquals(2, rawsock("handshake", "--data-string", "hello", "--out-of-order", "--badsum", "data").code());
    }

    @Test
    void addressesOutsideTheLabAndBadValuesAreUsageErrors() {
        assertEquals(2, rawsock("handshake", "192.0.2.1:80").code());
        assertEquals(2, rawsock("handshake", "198.18.0.9:80").code());
        assertEquals(2, rawsock("handshake", "198.18.0.2").code());
        assertEquals(2, rawsock("handshake", "--close", "slam").code());
        assertEquals(2, rawsock("handshake", "--badsum", "urg").code());
        assertEquals(2, rawsock("handshake", "--wscale", "15").code());
        assertEquals(2, rawsock("handshake", "--win", "70000").code());
        assertEquals(2, rawsock("handshake", "--data", "zz").code());
    }

    @Test
    void unprivilegedItExits3WithTheRemedy(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        Path built = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(built), "target/rawsock.jar is missing: run 'make build'");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = dir.resolve("rawsock.jar");
        Files.copy(built, jar, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        NativeTools.Result r = NativeTools.run(60, List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir, "-jar", jar.toString(), "handshake"));
        assertEquals(3, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stderr().contains("lacks CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW"), r.stderr());
        assertTrue(r.stderr().contains("run as root"), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
    }
}
