package dev.rawsock.probe;

import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabTarget;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traceroute through router namespaces: the hops are the routers' addresses in order, each answering with
 * ICMP time exceeded (the routers' own ICMP counters say they sent them), and then the target answers.
 */
class TracerouteTest {
    private static final SocketApi API = SocketApi.create();

    @BeforeEach
    void needsRoot() {
        Privileged.assumeRoot("traceroute through a lab");
    }

    private static Traceroute.Result trace(Lab lab, int destination, Traceroute.Probe probe, int maxHops, List<Traceroute.Hop> seen)
            throws Exception {
        Traceroute.Settings s = new Traceroute.Settings(lab.craftingAddress(), destination, probe, maxHops, 3, LabTarget.HTTP_PORT, 1000,
                Duration.ofMillis(500), Randomness.seeded(11));
        return lab.inNamespace(lab.craftingNamespace(), Duration.ofSeconds(20), () -> Traceroute.run(API, s, seen::add));
    }

    /** IcmpOutTimeExcds (or another Icmp: counter) of /proc/net/snmp, read inside a namespace. */
    private static long icmpCounter(String namespace, String name) throws Exception {
        NativeTools.Result r = NativeTools.run(10, List.of("ip", "netns", "exec", namespace, "cat", "/proc/net/snmp"));
        assertEquals(0, r.exitCode(), r.stderr());
        List<String> icmp = r.lines().stream().filter(l -> l.startsWith("Icmp: ")).toList();
        List<String> names = List.of(icmp.get(0).substring(6).split(" "));
        String[] values = icmp.get(1).substring(6).split(" ");
        return Long.parseLong(values[names.indexOf(name)]);
    }

    private static void hopsInOrder(Lab lab, Traceroute.Result r, List<Traceroute.Hop> seen, String finalAnswer) {
        List<Integer> expected = lab.hopAddresses();
        assertTrue(r.reached(), "the target answered");
        assertEquals(expected.size(), r.hops().size(), r.hops().toString());
        assertEquals(r.hops(), seen, "the listener heard each hop as it was done");
        for (int ttl = 1; ttl <= expected.size(); ttl++) {
            Traceroute.Hop hop = r.hops().get(ttl - 1);
            assertEquals(ttl, hop.ttl());
            for (Traceroute.Reply reply : hop.replies()) {
                assertNotNull(reply, "every probe answered at hop " + ttl + ": " + hop);
                assertEquals(Ipv4Address.text(expected.get(ttl - 1)), Ipv4Address.text(reply.from()), "hop " + ttl);
                assertTrue(reply.rttNanos() > 0, reply.toString());
                if (ttl < expected.size()) {
                    assertEquals(IcmpTypes.TIME_EXCEEDED, reply.icmpType(), reply.toString());
                    assertEquals("time exceeded", reply.what());
                    assertFalse(reply.destination());
                } else {
                    assertTrue(reply.destination(), reply.toString());
                    assertEquals(finalAnswer, reply.what());
                }
            }
        }
    }

    @Test
    void udpProbesThroughTwoRoutersMeetTimeExceededFromEachAndPortUnreachableFromTheTarget() throws Exception {
        List<String> before = netns();
        try (Lab lab = Lab.create(Lab.Topology.routed(2))) {
            long[] sentBefore = {icmpCounter(lab.routerNamespace(1), "OutTimeExcds"), icmpCounter(lab.routerNamespace(2), "OutTimeExcds")};
            List<Traceroute.Hop> seen = new ArrayList<>();
            Traceroute.Result r = trace(lab, lab.targetAddress(), Traceroute.Probe.UDP, 8, seen);
            hopsInOrder(lab, r, seen, "port unreachable");
            assertEquals(List.of("198.18.0.2", "198.18.1.2", "198.18.2.2"), r.hops().stream().map(h -> Ipv4Address.text(h.address())).toList());
            // The routers' own counters: each sent one time exceeded per probe whose TTL ran out there.
            assertEquals(3, icmpCounter(lab.routerNamespace(1), "OutTimeExcds") - sentBefore[0]);
            assertEquals(3, icmpCounter(lab.routerNamespace(2), "OutTimeExcds") - sentBefore[1]);
            assertEquals(3, icmpCounter(lab.targetNamespace(), "OutDestUnreachs"));
        }
        assertEquals(before, netns(), "the lab left namespaces behind");
    }

    @Test
    void icmpAndTcpProbesFindTheSameHops() throws Exception {
        try (Lab lab = Lab.create(Lab.Topology.routed(3))) {
            LabTarget.start(lab);
            List<Traceroute.Hop> seen = new ArrayList<>();
            hopsInOrder(lab, trace(lab, lab.targetAddress(), Traceroute.Probe.ICMP, 8, seen), seen, "echo reply");
            seen.clear();
            Traceroute.Result tcp = trace(lab, lab.targetAddress(), Traceroute.Probe.TCP, 8, seen);
            hopsInOrder(lab, tcp, seen, "SYN-ACK");
            assertEquals(TcpFlags.SYN | TcpFlags.ACK, tcp.hops().get(3).replies().get(0).tcpFlags());
            assertEquals(List.of("198.18.0.2", "198.18.1.2", "198.18.2.2", "198.18.3.2"),
                    tcp.hops().stream().map(h -> Ipv4Address.text(h.address())).toList());
        }
    }

    @Test
    void tooFewHopsNeverReachTheTargetAndARouterCanBeTheDestination() throws Exception {
        try (Lab lab = Lab.create(Lab.Topology.routed(2))) {
            List<Traceroute.Hop> seen = new ArrayList<>();
            Traceroute.Result shortTrace = trace(lab, lab.targetAddress(), Traceroute.Probe.UDP, 2, seen);
            assertFalse(shortTrace.reached());
            assertEquals(2, shortTrace.hops().size());
            assertTrue(shortTrace.hops().stream().noneMatch(Traceroute.Hop::reachedDestination));

            // Router 2's far address, 198.18.2.1: router 1 at hop 1, then router 2 answers for itself. Its
            // reply comes from the address the probe was sent to, a port unreachable.
            seen.clear();
            Traceroute.Result toRouter = trace(lab, Lab.linkAddress(2, 1), Traceroute.Probe.UDP, 8, seen);
            assertTrue(toRouter.reached());
            assertEquals(List.of("198.18.0.2", "198.18.2.1"), toRouter.hops().stream().map(h -> Ipv4Address.text(h.address())).toList());
            assertEquals("port unreachable", toRouter.hops().get(1).replies().get(0).what());
        }
    }

    private static List<String> netns() throws Exception {
        NativeTools.Result r = NativeTools.run(10, List.of("ip", "netns", "list"));
        long self = ProcessHandle.current().pid();
        return r.lines().stream().filter(l -> !l.isBlank())
                .filter(l -> !l.startsWith(Lab.PREFIX) || l.startsWith(Lab.PREFIX + self + "-")).toList();
    }
}
