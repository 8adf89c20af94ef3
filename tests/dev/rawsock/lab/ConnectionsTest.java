package dev.rawsock.lab;

import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several connections to one server: each row's 4-tuple is what getsockname/getpeername said on the
 * client, mirrored on the server, what accept(2) returned, and what the SYN and SYN-ACK carried on the
 * wire; the client ports are all distinct. On loopback and in a lab.
 */
class ConnectionsTest {
    @BeforeEach
    void needsRoot() {
        Privileged.assumeRoot("capturing on a packet socket");
    }

    private static void check(Connections.Result r, int count, InetAddress client, InetSocketAddress server) {
        assertEquals(count, r.rows().size());
        Set<Integer> ports = new HashSet<>();
        for (Connections.Row row : r.rows()) {
            String what = "connection " + row.number() + ": " + row;
            assertEquals(client, row.clientLocal().getAddress(), what);
            assertEquals(server, row.clientPeer(), what);
            assertEquals(row.clientLocal(), row.serverPeer(), what + ": the server's getpeername is the client's getsockname");
            assertEquals(row.clientPeer(), row.serverLocal(), what + ": the server's getsockname is the client's getpeername");
            assertEquals(row.clientLocal(), row.accepted(), what + ": accept() returned the client's address");
            assertNotNull(row.syn(), what + ": the SYN was captured");
            assertEquals(row.clientLocal(), row.syn().source(), what);
            assertEquals(row.clientPeer(), row.syn().destination(), what);
            assertNotNull(row.synAck(), what + ": the SYN-ACK was captured");
            assertEquals(row.serverLocal(), row.synAck().source(), what);
            assertEquals(row.serverPeer(), row.synAck().destination(), what);
            assertTrue(row.agree(), what);
            ports.add(row.clientLocal().getPort());
        }
        assertEquals(count, ports.size(), "every client port is distinct: " + ports);
        assertTrue(r.allAgree());
        assertEquals(0, r.captureDrops());
    }

    @Test
    void onLoopbackEveryRowAgreesWithTheKernelAndTheWire() throws Exception {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        List<String> trace = new ArrayList<>();
        Connections.Result r = Connections.onLoopback(5, lo, 0, Duration.ofSeconds(5), trace::add);
        check(r, 5, lo, r.listening());
        assertEquals("lo", r.captureInterface());
        // The trace holds the calls the rows come from: one getsockname per client with the row's port.
        for (Connections.Row row : r.rows()) {
            assertTrue(trace.stream().anyMatch(l -> l.startsWith("getsockname(") && l.contains("{127.0.0.1:" + row.clientLocal().getPort() + "}")),
                    trace.toString());
        }
    }

    @Test
    void inALabTheClientsAreTheCraftingSidesAddress() throws Exception {
        List<String> before = LabTesting.netnsListOfThisProcess();
        try (Lab lab = Lab.create(Lab.Topology.directWithAddresses())) {
            Connections.Result r = Connections.inLab(lab, 3, 8080, Duration.ofSeconds(5), null);
            check(r, 3, InetAddress.getByName("198.18.0.1"), new InetSocketAddress(InetAddress.getByName("198.18.0.2"), 8080));
            assertEquals(Lab.TARGET_INTERFACE, r.captureInterface());
        }
        assertEquals(before, LabTesting.netnsListOfThisProcess(), "the lab left namespaces behind");
    }

    @Test
    void loopbackMeansLoopbackAndCountsAreBounded() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> Connections.onLoopback(1, InetAddress.getByName("192.0.2.1"), 0, Duration.ofSeconds(1), null));
        assertThrows(IllegalArgumentException.class,
                () -> Connections.onLoopback(0, InetAddress.getByName("127.0.0.1"), 0, Duration.ofSeconds(1), null));
        assertThrows(IllegalArgumentException.class,
                () -> Connections.onLoopback(Connections.MAX_CONNECTIONS + 1, InetAddress.getByName("127.0.0.1"), 0, Duration.ofSeconds(1), null));
    }
}
