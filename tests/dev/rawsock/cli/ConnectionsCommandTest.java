package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock connections} end to end: one row per connection, the three views equal, usage errors named. */
class ConnectionsCommandTest {
    @AfterEach
    void noLabLeft() {
        CliRun.assertNoLabLeft();
    }

    private static final String ADDRESS = "(\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+ > \\d+\\.\\d+\\.\\d+\\.\\d+:\\d+)";
    private static final Pattern ROW = Pattern.compile("^\\s+(\\d+)\\s+" + ADDRESS + "\\s+" + ADDRESS + "\\s+" + ADDRESS + " \\[S\\]\\s+(yes|NO)$");

    private static void rowsAgree(CliRun r, int count, String client) {
        assertEquals(0, r.code(), r.err() + r.out());
        Set<String> tuples = new HashSet<>();
        int rows = 0;
        for (String line : r.out().lines().toList()) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            rows++;
            assertEquals(m.group(2), m.group(3), line);
            assertEquals(m.group(2), m.group(4), line);
            assertEquals("yes", m.group(5), line);
            assertTrue(m.group(2).startsWith(client + ":"), line);
            tuples.add(m.group(2));
        }
        assertEquals(count, rows, r.out());
        assertEquals(count, tuples.size(), "distinct 4-tuples: " + r.out());
        assertTrue(r.out().contains("(all distinct)"), r.out());
    }

    @Test
    void onLoopbackByDefault() {
        Privileged.assumeRoot("rawsock connections (a packet socket on lo)");
        CliRun r = rawsock("connections", "--count", "4", "--trace");
        rowsAgree(r, 4, "127.0.0.1");
        assertTrue(r.out().contains("listen("), r.out());
        assertTrue(r.out().contains("captured on lo"), r.out());
    }

    @Test
    void inTheLab() {
        Privileged.assumeRoot("rawsock connections --lab");
        CliRun r = rawsock("connections", "--lab");
        rowsAgree(r, 3, "198.18.0.1");
        assertTrue(r.out().contains("captured on veth-target"), r.out());
        assertTrue(r.out().contains("lab removed"), r.out());
    }

    @Test
    void usageErrorsAreNamed() {
        for (List<String> args : List.of(List.of("--count", "0"), List.of("--count", "101"), List.of("--address", "192.0.2.1"),
                List.of("--timeout", "0s"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("connections"));
            argv.addAll(args);
            CliRun r = rawsock(argv.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.err());
            assertTrue(r.err().contains(args.get(0)), r.err());
        }
    }

    @Test
    void timeWaitHoldsTheTupleANewSynTakesItOverAndSoReuseaddrLetsAServerBindAgain() throws Exception {
        CliRun r = rawsock("connections", "--time-wait");
        assertEquals(0, r.code(), r.err() + r.out());
        Matcher tuple = Pattern.compile("# the connection <127\\.0\\.0\\.1, (\\d+), 127\\.0\\.0\\.1, (\\d+)>").matcher(r.out());
        assertTrue(tuple.find(), r.out());
        String client = tuple.group(1);
        String server = tuple.group(2);
        String timeWaitRow = "#   TIME_WAIT    127.0.0.1:" + server + "  127.0.0.1:" + client + "   about 60 s left\n";
        int first = r.out().indexOf(timeWaitRow);
        int reused = r.out().indexOf("bind(", r.out().indexOf("# 3. the same 4-tuple again"));
        assertTrue(first > 0 && reused > first, "TIME_WAIT after the server's close, before the reuse:\n" + r.out());
        assertTrue(r.out().indexOf("accept(", reused) > reused && r.out().indexOf("{127.0.0.1:" + client + "}) = ", reused) > reused,
                "the second accept() returns the same client port:\n" + r.out());
        assertTrue(r.out().contains("#   ESTABLISHED  127.0.0.1:" + server + "  127.0.0.1:" + client + "\n"), r.out());
        assertTrue(r.out().matches("(?s).*\nbind\\(\\d+, \\{127\\.0\\.0\\.1:" + server + "\\}, 16\\) = -1 EADDRINUSE \\(Address already in use\\)\n.*"),
                r.out());
        assertTrue(r.out().matches("(?s).*SO_REUSEADDR, \\[1\\], 4\\) = 0\nbind\\(\\d+, \\{127\\.0\\.0\\.1:" + server + "\\}, 16\\) = 0\nlisten.*"),
                r.out());
        // The kernel's own report, read by ss (iproute2), independently of rawsock's /proc/net/tcp reader.
        NativeTools.Result ss = NativeTools.run(10, List.of("ss", "-Htan", "state", "time-wait", "( sport = :" + server + " )"));
        assertEquals(0, ss.exitCode(), ss.stderr());
        assertTrue(ss.stdout().replaceAll("\\s+", " ").contains("127.0.0.1:" + server + " 127.0.0.1:" + client), ss.stdout());
    }

    @Test
    void timeWaitRunsOnLoopbackOnly() {
        CliRun r = rawsock("connections", "--time-wait", "--lab");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--time-wait runs on loopback"), r.err());
    }
}
