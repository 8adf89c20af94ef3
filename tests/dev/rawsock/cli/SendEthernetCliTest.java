package dev.rawsock.cli;

import dev.rawsock.lab.Lab;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Neighbours;
import dev.rawsock.socket.PacketSender;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetHeader;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.MacAddress;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rawsock send --iface}: probes as Ethernet frames on a packet socket, in labs the tests build (198.18.0.0/15,
 * namespaces removed after). The real peer is the target namespace's kernel, with nothing listening: it answers
 * each SYN with a RST. Independent oracles: the target kernel's own TCP counter of RSTs sent (Tcp OutRsts in its
 * /proc/net/snmp), its veth's receive counter (/sys/class/net/veth-target/statistics), what a packet socket on the
 * target's veth saw (the MACs), and tshark reading the --pcap. Bad input: each with its exit code and message.
 */
class SendEthernetCliTest {
    private static final String TARGET_MAC = "02:72:73:00:00:02";
    /** IEEE 802 "local experimental" EtherType 1 (0x88B5): a frame nobody's stack takes. */
    private static final int LOCAL_EXPERIMENTAL = 0x88B5;
    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** The direct lab: the crafting side owns no address (its kernel stays silent), the target 198.18.0.2. */
    private static Lab lab;

    private static synchronized Lab lab() throws Exception {
        Privileged.assumeRoot("a lab (namespaces, veth) and packet sockets");
        if (lab == null) {
            lab = Lab.create();
        }
        return lab;
    }

    @AfterAll
    static void removeTheLab() throws Exception {
        if (lab != null) {
            lab.close();
        }
        CliRun.assertNoLabLeft();
    }

    private static CliRun inside(Lab lab, String namespace, String... args) throws Exception {
        return lab.inNamespace(namespace, LIMIT, () -> rawsock(args));
    }

    /** The target kernel's count of RSTs it sent (RFC 4022 tcpOutRsts), from /proc/net/snmp inside its namespace. */
    private static long targetResetsSent(Lab lab) throws Exception {
        List<String> snmp = lab.inTarget(() -> Files.readAllLines(Path.of("/proc/thread-self/net/snmp")));
        List<String> header = List.of(snmp.stream().filter(l -> l.startsWith("Tcp: ")).findFirst().orElseThrow().split(" "));
        List<String> values = List.of(snmp.stream().filter(l -> l.startsWith("Tcp: ")).skip(1).findFirst().orElseThrow().split(" "));
        return Long.parseLong(values.get(header.indexOf("OutRsts")));
    }

    /** Frames veth-target received, from its statistics in sysfs (ip netns exec mounts the namespace's own /sys). */
    private static long targetFramesReceived(Lab lab) throws Exception {
        NativeTools.Result r = NativeTools.run(20, List.of("ip", "netns", "exec", lab.targetNamespace(), "cat",
                "/sys/class/net/" + Lab.TARGET_INTERFACE + "/statistics/rx_packets"));
        assertEquals(0, r.exitCode(), r.stderr());
        return Long.parseLong(r.stdout().strip());
    }

    @Test
    void eachSynFrameOnTheCraftingVethGetsTheTargetKernelsRst(@TempDir Path dir) throws Exception {
        Lab lab = lab();
        SocketApi api = SocketApi.create();
        // Whole frames as veth-target receives them, opened before the first probe.
        PacketSocket wire = lab.inTarget(() -> {
            PacketSocket s = PacketSocket.open(api, false, Protocol.ETH_P_IP);
            s.bindInterface(PacketSocket.interfaceIndex(Lab.TARGET_INTERFACE));
            return s;
        });
        // And every frame on veth-craft, as tcpdump there would see them.
        PacketSocket tap = lab.inCrafting(() -> {
            PacketSocket s = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
            s.bindInterface(PacketSocket.interfaceIndex(Lab.CRAFTING_INTERFACE));
            return s;
        });
        try (wire; tap) {
            long resetsBefore = targetResetsSent(lab);
            Path pcap = dir.resolve("sent.pcap");
            CliRun r = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--src", "198.18.0.1",
                    "--dst", "198.18.0.2", "--dport", "9", "--sport", "40100", "--dst-mac", TARGET_MAC, "-c", "5", "--delay", "10ms",
                    "--seed", "7", "--pcap", pcap.toString());
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.err().contains("sending 5 tcp probes to 198.18.0.2 in Ethernet frames on veth-craft (02:72:73:00:00:01 > "
                    + TARGET_MAC + ")"), r.err());
            assertTrue(r.err().contains("note: on a packet socket (--iface) the packet goes out exactly as built"), r.err());
            assertEquals(5, r.lines().stream().filter(l -> l.matches("SENT \\([0-9.]+s\\) TCP 198\\.18\\.0\\.1:40100 > 198\\.18\\.0\\.2:9 \\[S\\] .*")).count(), r.out());
            assertEquals(5, r.lines().stream().filter(l -> l.matches("RCVD \\([0-9.]+s\\) TCP 198\\.18\\.0\\.2:9 > 198\\.18\\.0\\.1:40100 \\[RA\\] .* rtt=[0-9.]+ms")).count(), r.out());
            assertTrue(r.out().contains("5 packets sent, 5 received, 0.0% lost"), r.out());
            assertEquals(5, targetResetsSent(lab) - resetsBefore, "the target's kernel sent one RST per SYN");

            // What arrived at the target: five SYN frames, from veth-craft's MAC to veth-target's.
            NativeBuffer in = NativeBuffer.allocate(65536);
            PacketDecoder decoder = new PacketDecoder();
            DecodedPacket p = new DecodedPacket();
            TcpView tcp = new TcpView();
            EthernetView ethernet = new EthernetView();
            int syns = 0;
            for (int k = 0; k < 100; k++) {
                int n = wire.receive(in, 0, 65536, 200);
                if (n < 0) {
                    break;
                }
                if (wire.outgoing()) {
                    continue;
                }
                decoder.decode(in.buffer(), 0, n, wire.originalLength(), FirstLayer.ETHERNET, p);
                if (p.has(Layer.TCP) && tcp.wrap(p.buffer(), p.offset(Layer.TCP)).flags() == TcpFlags.SYN) {
                    ethernet.wrap(p.buffer(), p.offset(Layer.ETH));
                    assertEquals(Lab.CRAFTING_MAC, ethernet.source());
                    assertEquals(Lab.TARGET_MAC, ethernet.destination());
                    syns++;
                }
            }
            assertEquals(5, syns, "SYN frames seen on veth-target");

            // Past the qdisc, the sending side's taps get no copy of the frames (dev_direct_xmit skips
            // dev_queue_xmit_nit): the tap on veth-craft saw the five RSTs coming in and nothing going out.
            int outgoing = 0;
            int incomingResets = 0;
            for (int k = 0; k < 100; k++) {
                int n = tap.receive(in, 0, 65536, 200);
                if (n < 0) {
                    break;
                }
                if (tap.outgoing()) {
                    outgoing++;
                    continue;
                }
                decoder.decode(in.buffer(), 0, n, tap.originalLength(), FirstLayer.ETHERNET, p);
                if (p.has(Layer.TCP) && (tcp.wrap(p.buffer(), p.offset(Layer.TCP)).flags() & TcpFlags.RST) != 0) {
                    incomingResets++;
                }
            }
            assertEquals(5, incomingResets, "RSTs the tap on veth-craft saw arrive");
            assertEquals(0, outgoing, "outgoing frames the tap on veth-craft saw");
            // The control: a frame through the qdisc (no bypass) is shown to the tap as outgoing.
            lab.inCrafting(() -> {
                try (PacketSender queued = PacketSender.open(api, Lab.CRAFTING_INTERFACE, false)) {
                    NativeBuffer frame = NativeBuffer.allocate(60);
                    new EthernetHeader(Lab.TARGET_MAC, Lab.CRAFTING_MAC, LOCAL_EXPERIMENTAL).emit(frame.buffer(), 0);
                    return queued.send(frame, 0, 60, LOCAL_EXPERIMENTAL);
                }
            });
            int n = tap.receive(in, 0, 65536, 1000);
            assertTrue(n > 0 && tap.outgoing(), "the tap saw the frame sent through the qdisc go out");

            // tshark: the pcap holds the IP packets sent and the RSTs matched, every IP and TCP checksum good
            // (on a packet socket nothing is rewritten: the checksums are rawsock's own).
            NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-e", "ip.src",
                    "-e", "ip.dst", "-e", "tcp.flags", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                    "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE"));
            assertEquals(0, tshark.exitCode(), tshark.stderr());
            List<String> lines = tshark.lines().stream().filter(l -> !l.isBlank()).toList();
            assertEquals(10, lines.size(), tshark.stdout());
            assertEquals(5, Collections.frequency(lines, "198.18.0.1\t198.18.0.2\t0x0002\t1\t1"), tshark.stdout());
            assertEquals(5, Collections.frequency(lines, "198.18.0.2\t198.18.0.1\t0x0014\t1\t1"), tshark.stdout());
        }
    }

    @Test
    void aFloodOfTenThousandFramesArrivesWholeAndEachIsAnswered() throws Exception {
        Lab lab = lab();
        long framesBefore = targetFramesReceived(lab);
        long resetsBefore = targetResetsSent(lab);
        CliRun r = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--src", "198.18.0.1",
                "--dst", "198.18.0.2", "--dport", "9", "--sport", "40200", "--seq-increment", "--dst-mac", TARGET_MAC,
                "--flood", "-c", "10000", "--no-replies", "-q");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.out().contains("10000 packets sent, 0 received, 0.0% lost, 400000 bytes sent"), r.out());
        assertEquals(10000, targetFramesReceived(lab) - framesBefore, "frames veth-target received");
        assertEquals(10000, targetResetsSent(lab) - resetsBefore, "RSTs the target's kernel sent");
    }

    @Test
    void theMacsAndTheSourceDefaultToTheInterfacesAndTheKernelsArpEntry() throws Exception {
        Privileged.assumeRoot("a lab (namespaces, veth) and packet sockets");
        List<String> namespaces;
        try (Lab owned = Lab.create(Lab.Topology.directWithAddresses())) {
            namespaces = owned.namespaces();
            String crafting = owned.craftingNamespace();
            assertUnresolved(owned, "198.18.0.2", "no ARP entry for 198.18.0.2");

            // The kernel resolves 198.18.0.2 when it sends there itself (a UDP datagram to the discard port).
            long mac = resolvedByTheCraftingKernel(owned, "198.18.0.2", () -> Neighbours.arpEntry(Lab.TARGET_ADDRESS, Lab.CRAFTING_INTERFACE));
            assertEquals(Lab.TARGET_MAC, mac, "the ARP entry, read from /proc/thread-self/net/arp inside the crafting namespace");

            CliRun r = inside(owned, crafting, "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--dst", "198.18.0.2", "--dport", "9",
                    "-c", "3", "--delay", "10ms");
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.err().contains("in Ethernet frames on veth-craft (02:72:73:00:00:01 > " + TARGET_MAC + ")"), r.err());
            assertEquals(3, r.lines().stream().filter(l -> l.matches("SENT .* TCP 198\\.18\\.0\\.1:\\d+ > 198\\.18\\.0\\.2:9 \\[S\\] .*")).count(),
                    "the source is the interface's own address:\n" + r.out());
            assertTrue(r.out().contains("3 packets sent, 3 received"), r.out());
        }
        CliRun.assertLabRemoved(namespaces);
    }

    /** Without --dst-mac, a destination the crafting kernel has not resolved is a usage error saying what to do. */
    private static void assertUnresolved(Lab lab, String destination, String entry) throws Exception {
        assertUnresolved(lab, destination, entry, destination);
    }

    /** The same when the next hop is {@code hop}, a router: its entry is the one missing, and the one to ping. */
    private static void assertUnresolved(Lab lab, String destination, String entry, String hop) throws Exception {
        CliRun r = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--dst", destination, "--dport", "9");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("rawsock: --iface veth-craft: " + entry + " on veth-craft in the kernel's neighbour table: "
                + "give --dst-mac MAC, or ping " + hop + " first"), r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }

    /** Three SYNs to {@code destination}'s closed port 9 as frames to {@code nextHopMac}: three RSTs come back. */
    private static void assertAnsweredThrough(Lab lab, String destination, String nextHopMac, String shownAs) throws Exception {
        CliRun r = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--dst", destination,
                "--dport", "9", "-c", "3", "--delay", "10ms");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("in Ethernet frames on veth-craft (02:72:73:00:00:01 > " + nextHopMac + ")"), r.err());
        String reset = "RCVD .* TCP " + java.util.regex.Pattern.quote(shownAs) + ":9 > \\S+ \\[RA\\] .*";
        assertEquals(3, r.lines().stream().filter(l -> l.matches(reset)).count(), "a RST for each SYN:\n" + r.out());
        assertTrue(r.out().contains("3 packets sent, 3 received"), r.out());
    }

    @Test
    void throughARouterTheFramesGoToTheRoutersMacFoundInTheNeighbourTableIpv4AndIpv6() throws Exception {
        Privileged.assumeRoot("a lab (namespaces, veth) and packet sockets");
        List<String> namespaces;
        try (Lab routed = Lab.create(Lab.Topology.routed(1))) {
            namespaces = routed.namespaces();
            String crafting = routed.craftingNamespace();
            String router = routed.routerNamespace(1);
            String routerMac = MacAddress.text(Lab.linkMac(0, 2));

            // IPv4: the crafting side's route to 198.18.0.0/15 goes via the router, 198.18.0.2 (Lab's address plan).
            assertUnresolved(routed, "198.18.1.2", "no ARP entry for 198.18.0.2 (the next hop to 198.18.1.2)", "198.18.0.2");
            long mac = resolvedByTheCraftingKernel(routed, "198.18.1.2",
                    () -> Neighbours.arpEntry(Lab.linkAddress(0, 2), Lab.CRAFTING_INTERFACE));
            assertEquals(Lab.linkMac(0, 2), mac, "the router's ARP entry");
            assertAnsweredThrough(routed, "198.18.1.2", routerMac, "198.18.1.2");

            // IPv6 (2001:2::/48, RFC 5180's benchmarking range, inside the lab only): the same line, two /64s.
            ip(crafting, "addr", "add", "2001:2::1/64", "dev", Lab.CRAFTING_INTERFACE, "nodad");
            ip(router, "addr", "add", "2001:2::2/64", "dev", Lab.ROUTER_IN_INTERFACE, "nodad");
            ip(router, "addr", "add", "2001:2:0:1::1/64", "dev", Lab.ROUTER_OUT_INTERFACE, "nodad");
            // The lab's links have no link-local addresses (Lab: addrgenmode none), and a router solicits a neighbour
            // for a packet it forwards from its link-local address only (ndisc_send_ns): give it one on each side.
            ip(router, "addr", "add", "fe80::2/64", "dev", Lab.ROUTER_IN_INTERFACE, "nodad");
            ip(router, "addr", "add", "fe80::1:1/64", "dev", Lab.ROUTER_OUT_INTERFACE, "nodad");
            ip(routed.targetNamespace(), "addr", "add", "2001:2:0:1::2/64", "dev", Lab.TARGET_INTERFACE, "nodad");
            ip(crafting, "route", "add", "2001:2::/48", "via", "2001:2::2", "dev", Lab.CRAFTING_INTERFACE);
            ip(routed.targetNamespace(), "route", "add", "2001:2::/48", "via", "2001:2:0:1::1", "dev", Lab.TARGET_INTERFACE);
            NativeTools.Result forwarding = NativeTools.run(20, List.of("ip", "netns", "exec", router, "sysctl", "-qw",
                    "net.ipv6.conf.all.forwarding=1"));
            assertEquals(0, forwarding.exitCode(), forwarding.stderr());

            assertUnresolved(routed, "2001:2:0:1::2", "no neighbour entry for 2001:2::2 (the next hop to 2001:2:0:1::2)", "2001:2::2");
            byte[] routerAddress = InetAddress.getByName("2001:2::2").getAddress();
            long mac6 = resolvedByTheCraftingKernel(routed, "2001:2:0:1::2",
                    () -> Neighbours.ndpEntry(routerAddress, PacketSocket.interfaceIndex(Lab.CRAFTING_INTERFACE)));
            assertEquals(Lab.linkMac(0, 2), mac6, "the router's neighbour entry");
            assertAnsweredThrough(routed, "2001:2:0:1::2", routerMac, "[2001:2:0:1::2]");
        }
        CliRun.assertLabRemoved(namespaces);
    }

    /**
     * The crafting kernel resolves {@code destination} (ARP, or IPv6 neighbour discovery, RFC 4861) when it sends there
     * itself, a datagram to the discard port: {@code lookup}'s answer once it has one (polled up to 2 s), else -1.
     */
    private static long resolvedByTheCraftingKernel(Lab lab, String destination, Lab.NamespaceCall<Long> lookup) throws Exception {
        return lab.inCrafting(() -> {
            try (DatagramSocket udp = new DatagramSocket()) {
                udp.send(new DatagramPacket(new byte[1], 1, InetAddress.getByName(destination), 9));
            }
            for (int k = 0; k < 40; k++) {
                long entry = lookup.call();
                if (entry >= 0) {
                    return entry;
                }
                Thread.sleep(50);
            }
            return -1L;
        });
    }

    private static void ip(String namespace, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("ip", "-n", namespace));
        command.addAll(List.of(args));
        NativeTools.Result r = NativeTools.run(20, command);
        assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
    }

    @Test
    void forIpv6TheDestinationMacComesFromTheKernelsNeighbourTableOverRtnetlink() throws Exception {
        Privileged.assumeRoot("a lab (namespaces, veth) and packet sockets");
        List<String> namespaces;
        try (Lab owned = Lab.create(Lab.Topology.directWithAddresses())) {
            namespaces = owned.namespaces();
            String crafting = owned.craftingNamespace();
            // 2001:2::/48 is IPv6's benchmarking range (RFC 5180), as 198.18.0.0/15 is IPv4's: on the lab's link only.
            // nodad: usable at once, without duplicate address detection's wait.
            ip(crafting, "addr", "add", "2001:2::1/64", "dev", Lab.CRAFTING_INTERFACE, "nodad");
            ip(owned.targetNamespace(), "addr", "add", "2001:2::2/64", "dev", Lab.TARGET_INTERFACE, "nodad");

            assertUnresolved(owned, "2001:2::2", "no neighbour entry for 2001:2::2");

            // The kernel resolves 2001:2::2 (a neighbour solicitation, RFC 4861) when it sends there itself.
            byte[] target = InetAddress.getByName("2001:2::2").getAddress();
            long mac = resolvedByTheCraftingKernel(owned, "2001:2::2",
                    () -> Neighbours.ndpEntry(target, PacketSocket.interfaceIndex(Lab.CRAFTING_INTERFACE)));
            assertEquals(Lab.TARGET_MAC, mac, "the neighbour entry, from an RTM_GETNEIGH dump inside the crafting namespace");
            NativeTools.Result shown = NativeTools.run(20, List.of("ip", "-n", crafting, "-6", "neigh", "show", "2001:2::2",
                    "dev", Lab.CRAFTING_INTERFACE));
            assertTrue(shown.stdout().contains("lladdr " + TARGET_MAC), "ip(8) shows the same entry: " + shown.stdout());

            CliRun r = inside(owned, crafting, "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--dst", "2001:2::2", "--dport", "9",
                    "-c", "3", "--delay", "10ms");
            assertEquals(0, r.code(), r.err() + r.out());
            assertTrue(r.err().contains("in Ethernet frames on veth-craft (02:72:73:00:00:01 > " + TARGET_MAC + ")"), r.err());
            assertEquals(3, r.lines().stream().filter(l -> l.matches("SENT .* TCP \\[2001:2::1\\]:\\d+ > \\[2001:2::2\\]:9 \\[S\\] .*")).count(),
                    "the source is the route's, 2001:2::1:\n" + r.out());
            assertEquals(3, r.lines().stream().filter(l -> l.matches("RCVD .* TCP \\[2001:2::2\\]:9 > \\[2001:2::1\\]:\\d+ \\[RA\\] .*")).count(),
                    "the target's kernel answers each SYN with a RST:\n" + r.out());
            assertTrue(r.out().contains("3 packets sent, 3 received"), r.out());
        }
        CliRun.assertLabRemoved(namespaces);
    }

    @Test
    void onTheTargetsLoIpv6FramesAreAnsweredAndIpv4OnesDroppedAsMartians() throws Exception {
        Lab lab = lab();
        CliRun v6 = inside(lab, lab.targetNamespace(), "send", "tcp", "--iface", "lo", "--dst", "::1", "--dport", "9", "-c", "2",
                "--delay", "10ms");
        assertEquals(0, v6.code(), v6.err() + v6.out());
        assertTrue(v6.err().contains("in Ethernet frames on lo (00:00:00:00:00:00 > 00:00:00:00:00:00)"), v6.err());
        assertEquals(2, v6.lines().stream().filter(l -> l.matches("RCVD .* TCP \\[::1\\]:9 > \\[::1\\]:\\d+ \\[RA\\] .*")).count(), v6.out());

        // route_localnet and accept_local are 0 in the lab: IPv4 input drops 127.0.0.1 > 127.0.0.1 arriving on lo.
        CliRun v4 = inside(lab, lab.targetNamespace(), "send", "tcp", "--iface", "lo", "--dst", "127.0.0.1", "--dport", "9",
                "--timeout", "300ms");
        assertEquals(4, v4.code(), v4.err() + v4.out());
        assertTrue(v4.err().contains("note: on lo, Linux drops frames to or from 127.0.0.0/8 as martians unless net.ipv4.conf.lo.route_localnet=1"), v4.err());
        assertTrue(v4.out().contains("1 packets sent, 0 received, 100.0% lost"), v4.out());
    }

    @Test
    void anInterfaceDownOrWithoutCarrierIsARuntimeFailureOneNotEthernetOrAnUnresolvedNeighbourAUsageError() throws Exception {
        Lab lab = lab();
        NativeTools.Result add = NativeTools.run(20, List.of("ip", "-n", lab.craftingNamespace(), "link", "add", "rs-down0", "type", "veth",
                "peer", "name", "rs-down1"));
        assertEquals(0, add.exitCode(), add.stderr()); // removed with the namespace
        CliRun down = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", "rs-down0", "--src", "198.18.0.1", "--dst", "198.18.0.2",
                "--dport", "9", "--dst-mac", TARGET_MAC);
        assertEquals(1, down.code(), down.err());
        assertEquals(List.of("rawsock: interface rs-down0 is down: bring it up first (ip link set rs-down0 up)"), down.err().lines().toList());

        // Up, but its veth peer is down: no carrier (IFF_RUNNING off), and the device would refuse every frame.
        NativeTools.Result up = NativeTools.run(20, List.of("ip", "-n", lab.craftingNamespace(), "link", "set", "rs-down0", "up"));
        assertEquals(0, up.exitCode(), up.stderr());
        CliRun noCarrier = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", "rs-down0", "--src", "198.18.0.1",
                "--dst", "198.18.0.2", "--dport", "9", "--dst-mac", TARGET_MAC);
        assertEquals(1, noCarrier.code(), noCarrier.err());
        assertEquals(List.of("rawsock: interface rs-down0 has no carrier (its cable, or its veth peer, is down): it would take no frame"),
                noCarrier.err().lines().toList());

        NativeTools.Result tun = NativeTools.run(20, List.of("ip", "-n", lab.craftingNamespace(), "tuntap", "add", "mode", "tun",
                "name", "rs-tun0"));
        assertEquals(0, tun.exitCode(), tun.stderr());
        CliRun notEthernet = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", "rs-tun0", "--src", "198.18.0.1",
                "--dst", "198.18.0.2", "--dport", "9", "--dst-mac", TARGET_MAC);
        assertEquals(2, notEthernet.code(), notEthernet.err());
        assertEquals(List.of("rawsock: --iface rs-tun0 is not an Ethernet interface (hardware type 65534): rawsock writes Ethernet frames"),
                notEthernet.err().lines().toList());

        // No IPv6 address in this lab, so no route to 2001:2::2: the next hop is itself, unresolved.
        CliRun v6 = inside(lab, lab.craftingNamespace(), "send", "tcp", "--iface", Lab.CRAFTING_INTERFACE, "--src", "2001:2::1",
                "--dst", "2001:2::2", "--dport", "9");
        assertEquals(2, v6.code(), v6.err());
        assertTrue(v6.err().contains("rawsock: --iface veth-craft: no neighbour entry for 2001:2::2 on veth-craft"), v6.err());
        assertTrue(v6.out().isEmpty(), v6.out());
    }

    @Test
    void badInputIsAUsageErrorNamingWhatWasWrong() {
        CliRun unknown = rawsock("send", "tcp", "--iface", "nosuch0", "--dport", "9");
        assertEquals(2, unknown.code(), unknown.err());
        assertEquals(List.of("rawsock: --iface: no interface named 'nosuch0' (see ip link)"), unknown.err().lines().toList());

        CliRun mac = rawsock("send", "tcp", "--iface", "lo", "--dst-mac", "02:72:73:00:02", "--dport", "9");
        assertEquals(2, mac.code(), mac.err());
        assertTrue(mac.err().startsWith("rawsock: Invalid value for option '--dst-mac': '02:72:73:00:02' is not a MAC address"), mac.err());

        CliRun sourceMac = rawsock("send", "tcp", "--iface", "lo", "--src-mac", "02:72:73:00:00:0g", "--dport", "9");
        assertEquals(2, sourceMac.code(), sourceMac.err());
        assertTrue(sourceMac.err().contains("'--src-mac': '02:72:73:00:00:0g' is not a MAC address"), sourceMac.err());

        CliRun noIface = rawsock("send", "tcp", "--src-mac", "02:72:73:00:00:01", "--dport", "9");
        assertEquals(2, noIface.code(), noIface.err());
        assertEquals(List.of("rawsock: --src-mac needs --iface (the MACs of Ethernet frames)"), noIface.err().lines().toList());
        for (CliRun r : List.of(unknown, mac, sourceMac, noIface)) {
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
            assertTrue(r.out().isEmpty(), "nothing sent: " + r.out());
        }
    }
}
