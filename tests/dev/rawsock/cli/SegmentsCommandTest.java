package dev.rawsock.cli;

import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock segments} end to end: the rows add up, the totals say so, usage errors are named, no lab is left. */
class SegmentsCommandTest {
    @AfterEach
    void noLabLeft() {
        CliRun.assertNoLabLeft();
    }

    private static final Pattern ROW = Pattern.compile(
            "^\\s+(\\d+) (c>s|s>c)\\s+(\\w+)\\s+(\\d+) =\\s+(\\d+) \\+\\s+(\\d+) \\((\\d+)\\)\\s+\\+\\s+(\\d+)(?:\\s+(\\d+)-(\\d+)\\s+(\\d+))?.*$");

    @Test
    void theRowsOfOneWriteAddUpToItsBytes() {
        Privileged.assumeRoot("rawsock segments");
        CliRun r = rawsock("segments", "--bytes", "10000", "--mss", "1000");
        assertEquals(0, r.code(), r.err() + r.out());
        long data = 0;
        long lastTotal = -1;
        long next = 1;
        int rows = 0;
        for (String line : r.out().lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            rows++;
            assertEquals("c>s", m.group(2), "only the client's segments without --all: " + line);
            int packet = Integer.parseInt(m.group(4));
            int ip = Integer.parseInt(m.group(5));
            int tcp = Integer.parseInt(m.group(6));
            int d = Integer.parseInt(m.group(8));
            assertEquals(20, ip, line);
            assertEquals(packet, ip + tcp + d, "IP packet = IP header + TCP header + data: " + line);
            assertTrue(d <= 1000, line);
            if (d > 0) {
                assertEquals(next, Long.parseLong(m.group(9)), "stream bytes follow on: " + line);
                next = Long.parseLong(m.group(10)) + 1;
                data += d;
                lastTotal = Long.parseLong(m.group(11));
                assertEquals(data, lastTotal, "running total: " + line);
            }
        }
        assertTrue(rows >= 11 + 3, "SYN, ACK, 11 data segments, FIN:\n" + r.out());
        assertEquals(10000, data, r.out());
        assertEquals(10000, lastTotal, r.out());
        assertTrue(r.out().contains("totals: 10000 bytes written in one write() = 10000 bytes of data in 11 segments on the wire"
                + " = 10000 bytes read by the server"), r.out());
        assertTrue(r.out().contains("ceil(10000 / 988) = 11 expected, 11 seen"), r.out());
        assertTrue(r.out().contains("setsockopt(") && r.out().contains("TCP_MAXSEG, [1000], 4) = 0"), r.out());
        assertTrue(r.out().contains("write(") && r.out().contains(", 10000) = 10000"), r.out());
        assertTrue(r.out().contains("byte for byte what the server read"), r.out());
        assertTrue(r.out().contains("lab removed"), r.out());
    }

    @Test
    void usageErrorsAreNamed() {
        for (List<String> args : List.of(List.of("--mss", "50"), List.of("--bytes", "-1"), List.of("--bytes", "2000000"),
                List.of("--port", "0"), List.of("--timeout", "0s"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("segments"));
            argv.addAll(args);
            CliRun r = rawsock(argv.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.err());
            assertTrue(r.err().contains(args.get(0)), r.err());
        }
    }
}
