package dev.rawsock.lab;

import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Interfaces;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketType;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lab's other shapes: routers in between (forwarding on, static routes, ICMP rate limit off, every
 * veth end with tx checksum offload off) and a crafting side with a kernel address. The kernel is the
 * oracle: a kernel TCP connection crosses the routers, iproute2 reads the settings back from outside,
 * and nothing is left behind.
 */
class LabTopologyTest {
    private static final SocketApi API = SocketApi.create();
    private List<String> namespacesBefore;
    private List<String> vethBefore;

    @BeforeEach
    void countBefore() throws Exception {
        Privileged.assumeRoot("building a lab (network namespaces, veth, packet sockets)");
        namespacesBefore = LabTesting.netnsListOfThisProcess();
        vethBefore = LabTesting.hostVethLinks();
    }

    @AfterEach
    void nothingLeft() throws Exception {
        if (namespacesBefore == null) {
            return;
        }
        assertEquals(namespacesBefore, LabTesting.netnsListOfThisProcess(), "ip netns list differs from before the test");
        assertEquals(vethBefore, LabTesting.hostVethLinks(), "veth links in the host namespace differ from before the test");
    }

    private static String inside(String ns, String... command) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(command));
        NativeTools.Result r = NativeTools.run(10, argv);
        assertEquals(0, r.exitCode(), argv + ": " + r.stderr());
        return r.stdout().strip();
    }

    @Test
    void twoRoutersForwardAKernelConnectionFromTheCraftingSideToTheTarget() throws Exception {
        try (Lab lab = Lab.create(Lab.Topology.routed(2))) {
            assertEquals(4, lab.namespaces().size());
            List<String> during = LabTesting.netnsListOfThisProcess();
            for (String ns : lab.namespaces()) {
                assertTrue(during.stream().anyMatch(l -> l.startsWith(ns)), ns + " missing from " + during);
            }
            assertEquals(vethBefore, LabTesting.hostVethLinks(), "no veth end is ever in the host's namespace");
            assertEquals("198.18.2.2", Ipv4Address.text(lab.targetAddress()));
            assertEquals(List.of("198.18.0.2", "198.18.1.2", "198.18.2.2"),
                    lab.hopAddresses().stream().map(Ipv4Address::text).toList());
            assertTrue(lab.transmitChecksumOffloadOff(), lab.setupLog().toString());

            // Read back from outside, with the tools an administrator would use.
            for (int j = 1; j <= 2; j++) {
                assertEquals("1", inside(lab.routerNamespace(j), "cat", "/proc/sys/net/ipv4/ip_forward"));
                assertEquals("0", inside(lab.routerNamespace(j), "cat", "/proc/sys/net/ipv4/icmp_ratelimit"));
            }
            assertEquals("0", inside(lab.targetNamespace(), "cat", "/proc/sys/net/ipv4/ip_forward"), "the target does not forward");
            assertTrue(inside(lab.routerNamespace(1), "ip", "route").contains("198.18.2.0/24 via 198.18.1.2 dev veth-out"));
            assertTrue(inside(lab.routerNamespace(2), "ip", "route").contains("198.18.0.0/24 via 198.18.1.1 dev veth-in"));
            assertTrue(inside(lab.craftingNamespace(), "ip", "route").contains("198.18.0.0/15 via 198.18.0.2 dev veth-craft"));
            assertTrue(inside(lab.craftingNamespace(), "ip", "-o", "addr").contains("198.18.0.1/24"));
            for (int k = 0; k < 3; k++) {
                int left = k, right = k + 1;
                assertFalse(lab.inNamespace(lab.namespaces().get(left), java.time.Duration.ofSeconds(5),
                        () -> Interfaces.transmitChecksumOffload(lab.leftInterface(left))));
                assertFalse(lab.inNamespace(lab.namespaces().get(right), java.time.Duration.ofSeconds(5),
                        () -> Interfaces.transmitChecksumOffload(lab.rightInterface(right - 1))));
            }

            // A kernel TCP connection across both routers: the server sees the crafting side's own address.
            InetAddress target = LabTarget.address(lab.targetAddress());
            Socket listener = lab.inTarget(() -> {
                Socket s = API.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
                API.bind(s, new InetSocketAddress(target, 5000));
                API.listen(s, 4);
                return s;
            });
            lab.register(listener);
            Socket client = lab.inCrafting(() -> API.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP));
            lab.register(client);
            API.connect(client, new InetSocketAddress(target, 5000));
            Accepted a = API.accept(listener);
            lab.register(a.socket());
            assertEquals(new InetSocketAddress(InetAddress.getByName("198.18.0.1"), API.getsockname(client).getPort()), a.peer());
            assertEquals(new InetSocketAddress(target, 5000), API.getpeername(client));
        }
    }

    @Test
    void theDirectLabKeepsItsShapeAndAStaleRoutedLabIsRemoved() throws Exception {
        // A routed lab's namespaces of a process that cannot exist (above pid_max) are stale.
        String stale = Lab.PREFIX + "2147483646-1-r1";
        NativeTools.Result add = NativeTools.run(10, List.of("ip", "netns", "add", stale));
        assertEquals(0, add.exitCode(), add.stderr());
        try (Lab lab = Lab.create()) {
            // (another test run's lab, made at the same moment, may have removed it first)
            assertFalse(java.nio.file.Files.exists(java.nio.file.Path.of(dev.rawsock.socket.NetworkNamespace.pathOf(stale))),
                    "the stale routed lab namespace is still there; removed: " + lab.removedStale());
            assertEquals(List.of(lab.craftingNamespace(), lab.targetNamespace()), lab.namespaces());
            assertEquals(Lab.TARGET_ADDRESS, lab.targetAddress());
            assertEquals(-1, lab.ownerOf(Lab.CRAFTING_ADDRESS), "the direct lab's crafting side owns no address");
            assertEquals(1, lab.ownerOf(Lab.TARGET_ADDRESS));
            assertEquals("", inside(lab.craftingNamespace(), "ip", "-o", "-4", "addr"), "no IPv4 address on the crafting side");
            assertThrows(IllegalArgumentException.class, () -> lab.routerNamespace(1));
        } finally {
            NativeTools.run(10, List.of("ip", "netns", "delete", stale));
        }
    }

    @Test
    void aRoutedLabOfAKilledProcessIsRemovedByTheNextLabAndCtrlCRemovesItThroughTheHook() throws Exception {
        // rawsock scan builds a lab with a router; ports the router drops keep it waiting for the whole timeout.
        List<String> scan = List.of("scan", "198.18.1.2", "--ports", "1-2", "--lab-drop", "1,2", "--timeout", "20s");
        Process killed = child(scan);
        Process interrupted = child(scan);
        try {
            List<String> stale = awaitLab(killed, 3);
            List<String> hooked = awaitLab(interrupted, 3);
            assertTrue(stale.stream().anyMatch(n -> n.endsWith("-r1")), stale.toString());
            killed.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            assertTrue(killed.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(Lab.existingNamespaces().containsAll(stale), "killed with -9, the lab stays: " + Lab.existingNamespaces());
            try (Lab next = Lab.create()) {
                for (String ns : stale) {
                    assertFalse(Lab.existingNamespaces().contains(ns), ns + " is still there; removed " + next.removedStale());
                }
            }
            NativeTools.Result kill = NativeTools.run(5, List.of("kill", "-INT", Long.toString(interrupted.pid())));
            assertEquals(0, kill.exitCode(), kill.stderr());
            assertTrue(interrupted.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "SIGINT did not end the scan");
            for (String ns : hooked) {
                assertFalse(Lab.existingNamespaces().contains(ns), "the shutdown hook left " + ns);
            }
        } finally {
            killed.destroyForcibly();
            interrupted.destroyForcibly();
            killed.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            interrupted.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** {@code java -jar target/rawsock.jar ARGS} as a separate process, its output in a temporary file deleted on exit. */
    private static Process child(List<String> args) throws Exception {
        java.nio.file.Path jar = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(java.nio.file.Files.exists(jar), "target/rawsock.jar is missing: run 'make build' first");
        List<String> command = new java.util.ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        command.addAll(args);
        java.io.File output = java.io.File.createTempFile("rawsock-lab-child", ".txt");
        output.deleteOnExit();
        Process p = new ProcessBuilder(NativeTools.withDefaultSigint(command)).redirectErrorStream(true).redirectOutput(output)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        OUTPUTS.put(p.pid(), output.toPath());
        return p;
    }

    private static final java.util.Map<Long, java.nio.file.Path> OUTPUTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Waits (at most 20 s) until the child has built its lab and started scanning; returns the lab's namespaces. */
    private static List<String> awaitLab(Process p, int namespaces) throws Exception {
        String prefix = Lab.PREFIX + p.pid() + "-";
        java.nio.file.Path output = OUTPUTS.get(p.pid());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<String> mine = Lab.existingNamespaces().stream().filter(n -> n.startsWith(prefix)).toList();
            // The scan's first line comes after the lab is complete: from then on it waits for the dropped ports.
            if (mine.size() == namespaces && java.nio.file.Files.readString(output).contains("rawsock scan 198.18.1.2:")) {
                return mine;
            }
            assertTrue(p.isAlive(), "the child ended early: " + java.nio.file.Files.readString(output));
            Thread.sleep(50);
        }
        throw new AssertionError("the child built no lab within 20 s: " + java.nio.file.Files.readString(output));
    }

    @Test
    void aCraftingSideWithAnAddressIsAnOrdinaryKernelPeer() throws Exception {
        try (Lab lab = Lab.create(Lab.Topology.directWithAddresses())) {
            assertEquals(0, lab.ownerOf(Lab.CRAFTING_ADDRESS));
            assertTrue(inside(lab.craftingNamespace(), "ip", "-o", "-4", "addr").contains("198.18.0.1/24"));
            assertThrows(IllegalArgumentException.class, () -> new Lab.Topology(9, true));
        }
    }
}
