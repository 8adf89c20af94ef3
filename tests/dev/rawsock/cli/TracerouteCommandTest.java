package dev.rawsock.cli;

import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rawsock traceroute} end to end: hops in order, the final reply, exit codes, and refusals. */
class TracerouteCommandTest {
    @AfterEach
    void noLabLeft() {
        CliRun.assertNoLabLeft();
    }

    private static final String RTT = "  \\d+\\.\\d{3} ms";

    @Test
    void twoRoutersThenTheTarget() {
        Privileged.assumeRoot("rawsock traceroute");
        CliRun r = rawsock("traceroute", "--seed", "5", "--timeout", "500ms");
        assertEquals(0, r.code(), r.err() + r.out());
        String out = r.out();
        assertTrue(out.contains("traceroute to 198.18.2.2 (target), 8 hops max, 3 udp probes per hop to ports 33434+, from 198.18.0.1 (seed 5)"), out);
        assertTrue(out.matches("(?s).*\n 1  198\\.18\\.0\\.2(" + RTT + "){3}   time exceeded from router 1\n"
                + " 2  198\\.18\\.1\\.2(" + RTT + "){3}   time exceeded from router 2\n"
                + " 3  198\\.18\\.2\\.2(" + RTT + "){3}   port unreachable from target\n"
                + "reached 198\\.18\\.2\\.2 in 3 hops\n.*"), out);
        assertTrue(out.contains("(router 2): veth-in 198.18.1.2/24, veth-out 198.18.2.1/24; ip_forward=1"), out);
        assertTrue(out.contains("lab removed"), out);
    }

    @Test
    void icmpProbesAndFewerHopsThanTheTargetIsAway() {
        Privileged.assumeRoot("rawsock traceroute");
        CliRun icmp = rawsock("traceroute", "--probe", "icmp", "--routers", "1", "-q", "1", "--timeout", "500ms");
        assertEquals(0, icmp.code(), icmp.err() + icmp.out());
        assertTrue(icmp.out().matches("(?s).*\n 1  198\\.18\\.0\\.2" + RTT + "   time exceeded from router 1\n"
                + " 2  198\\.18\\.1\\.2" + RTT + "   echo reply from target\n.*"), icmp.out());

        CliRun tooShort = rawsock("traceroute", "--max-hops", "1", "-q", "1", "--timeout", "300ms");
        assertEquals(4, tooShort.code(), tooShort.err() + tooShort.out());
        assertTrue(tooShort.out().contains("no answer from 198.18.2.2 within 1 hops"), tooShort.out());
    }

    @Test
    void usageErrorsAreNamedAndNothingOutsideTheLabIsTraced() {
        for (List<String> args : List.of(List.of("--probe", "sctp"), List.of("--routers", "0"), List.of("--routers", "9"),
                List.of("--max-hops", "0"), List.of("--queries", "11"), List.of("--rate", "0"), List.of("--timeout", "0s"))) {
            List<String> argv = new java.util.ArrayList<>(List.of("traceroute"));
            argv.addAll(args);
            CliRun r = rawsock(argv.toArray(String[]::new));
            assertEquals(2, r.code(), args + ": " + r.err());
            assertTrue(r.err().contains(args.get(0)), r.err());
        }
        for (String host : List.of("192.0.2.1", "127.0.0.1", "198.18.0.1", "198.18.3.2")) {
            CliRun r = rawsock("traceroute", host);
            assertEquals(2, r.code(), host + ": " + r.err());
            assertTrue(r.err().contains("rawsock traces only inside its own lab"), r.err());
        }
    }
}
