package dev.rawsock.probe;

import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabTarget;
import dev.rawsock.linux.Constants;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketType;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SYN scan against the real kernel: the ports the test opened are open, the others closed, and in a
 * lab the router's silent drop and its ICMP refusal are both filtered. The kernel is the oracle: its
 * listening sockets, what ss shows afterwards (no half-open connection), and the RSTs on the wire.
 */
class ScanTest {
    private static final SocketApi API = SocketApi.create();
    private static final int LOOPBACK = 0x7F00_0001;

    /** Classic BPF: IPv4, TCP, flags byte exactly RST. */
    private static final long[] ONLY_BARE_RESETS = {
        insn(0x28, 0, 0, 12),      // ldh [12]
        insn(0x15, 0, 5, 0x0800),  // jeq IPv4, next, drop
        insn(0x30, 0, 0, 23),      // ldb [23]
        insn(0x15, 0, 3, 6),       // jeq TCP, next, drop
        insn(0xB1, 0, 0, 14),      // ldxb 4*([14]&0xf)
        insn(0x50, 0, 0, 27),      // ldb [x+27]: the TCP flags byte
        insn(0x15, 1, 0, 0x04),    // jeq RST, keep, drop
        insn(0x06, 0, 0, 0),       // drop
        insn(0x06, 0, 0, 0xFFFF),  // keep
    };

    private static long insn(int code, int jt, int jf, int k) {
        return ((long) code << 48) | ((long) jt << 40) | ((long) jf << 32) | (k & 0xFFFF_FFFFL);
    }

    @BeforeEach
    void needsRoot() {
        Privileged.assumeRoot("a SYN scan (raw sockets)");
    }

    /** Ports with a TCP listener on any address, from ss: the scan must not be judged on other programs' ports. */
    private static Set<Integer> listeningPorts(String namespace) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ss"));
        if (namespace != null) {
            argv.addAll(List.of("-N", namespace));
        }
        argv.addAll(List.of("-H", "-t", "-l", "-n"));
        NativeTools.Result r = NativeTools.run(10, argv);
        assertEquals(0, r.exitCode(), r.stderr());
        Set<Integer> ports = new TreeSet<>();
        for (String line : r.lines()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4) {
                ports.add(Integer.parseInt(f[3].substring(f[3].lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    /** Sockets (not listeners) on one of {@code ports}, from ss: half-open or open connections the scan left. */
    private static List<String> connectionsOn(String namespace, Set<Integer> ports) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ss"));
        if (namespace != null) {
            argv.addAll(List.of("-N", namespace));
        }
        argv.addAll(List.of("-H", "-t", "-a", "-n"));
        NativeTools.Result r = NativeTools.run(10, argv);
        List<String> left = new ArrayList<>();
        for (String line : r.lines()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && !f[0].equals("LISTEN")
                    && ports.contains(Integer.parseInt(f[3].substring(f[3].lastIndexOf(':') + 1)))) {
                left.add(line);
            }
        }
        return left;
    }

    @Test
    void onLoopbackTheOpenPortsAreTheOnesTheTestOpened() throws Exception {
        // A range of 40 ports where nothing listens yet; three of them get listeners that never accept.
        Set<Integer> busy = listeningPorts(null);
        int base = -1;
        for (int b = 20_000; b < 30_000 && base < 0; b += 40) {
            boolean free = true;
            for (int p = b; p < b + 40 && free; p++) {
                free = !busy.contains(p);
            }
            base = free ? b : -1;
        }
        assertTrue(base > 0, "no free range of 40 ports");
        int[] opened = {base + 3, base + 17, base + 39};
        List<Socket> listeners = new ArrayList<>();
        try {
            for (int port : opened) {
                Socket s = API.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
                listeners.add(s);
                API.bind(s, new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
                API.listen(s, 8);
            }
            PortScan.Settings settings = new PortScan.Settings(LOOPBACK, LOOPBACK, new IntRange(base, base + 39), 2000,
                    Duration.ofMillis(300), 45_000, Randomness.seeded(7));
            List<PortScan.PortResult> told = new ArrayList<>();
            PortScan.Result r = PortScan.run(API, settings, told::add);
            Set<Integer> open = Set.of(opened[0], opened[1], opened[2]);
            Set<Integer> others = listeningPorts(null); // a program may have started listening meanwhile
            for (PortScan.PortResult p : r.ports()) {
                if (open.contains(p.port())) {
                    assertEquals(PortScan.State.OPEN, p.state(), p.toString());
                    assertEquals("syn-ack", p.reason());
                    assertTrue(p.resetSent(), "an open port's SYN-ACK is answered with a RST: " + p);
                    assertEquals(LOOPBACK, p.replyFrom());
                } else if (!others.contains(p.port())) {
                    assertEquals(PortScan.State.CLOSED, p.state(), p + "; " + r.statistics().captureDrops() + " frames dropped");
                    assertEquals("reset", p.reason());
                }
            }
            assertEquals(40, r.ports().size());
            assertEquals(40, told.size(), "the listener heard of every port once");
            assertEquals(3, r.resetsSent());
            assertEquals(40, r.statistics().sent());
            // No half-open connection left: no SYN-RECV or ESTAB on the ports, and nothing in any accept queue.
            assertEquals(List.of(), connectionsOn(null, open));
            for (Socket s : listeners) {
                assertEquals(0, API.poll(s, Constants.POLLIN, 0), "a completed connection waits in the accept queue");
            }
        } finally {
            for (Socket s : listeners) {
                s.close();
            }
        }
    }

    @Test
    void inALabTheRoutersDropAndRefusalAreFilteredAndEveryOpenPortIsReset() throws Exception {
        try (Lab lab = Lab.create(Lab.Topology.routed(1))) {
            LabTarget.start(lab); // 7 and 80
            LabTarget.listen(lab, 22);
            LabTarget.listen(lab, 443);
            int target = lab.targetAddress();
            lab.filterTcp(1, target, 23, Lab.Filter.DROP);
            lab.filterTcp(1, target, 25, Lab.Filter.REJECT);
            // An independent witness on the target's wire: every RST that reaches it from the scanner.
            PacketSocket capture = lab.inTarget(() -> {
                PacketSocket s = PacketSocket.open(API, false, Protocol.ETH_P_ALL);
                s.bindInterface(PacketSocket.interfaceIndex(Lab.TARGET_INTERFACE));
                s.attachFilter(ONLY_BARE_RESETS); // 500 SYNs and their answers would overflow the socket's buffer
                return s;
            });
            lab.register(capture);
            PortScan.Settings settings = new PortScan.Settings(lab.craftingAddress(), target, new IntRange(1, 500), 5000,
                    Duration.ofMillis(500), 45_001, Randomness.seeded(8));
            PortScan.Result r = lab.inNamespace(lab.craftingNamespace(), Duration.ofSeconds(10),
                    () -> PortScan.run(API, settings, p -> { }));

            Set<Integer> open = Set.of(7, 22, 80, 443);
            assertEquals(open, new TreeSet<>(listeningPorts(lab.targetNamespace())), "what the target's kernel listens on");
            for (PortScan.PortResult p : r.ports()) {
                switch (p.port()) {
                    case 23 -> {
                        assertEquals(PortScan.State.FILTERED, p.state(), p.toString());
                        assertEquals("no-response", p.reason());
                    }
                    case 25 -> {
                        assertEquals(PortScan.State.FILTERED, p.state(), p.toString());
                        assertEquals("icmp communication-prohibited", p.reason());
                        assertEquals(Lab.linkAddress(0, 2), p.replyFrom(), "the router refused it");
                    }
                    default -> {
                        if (open.contains(p.port())) {
                            assertEquals(PortScan.State.OPEN, p.state(), p.toString());
                            assertEquals(target, p.replyFrom());
                            assertEquals(63, p.replyTtl(), "one router on the way back");
                        } else {
                            assertEquals(PortScan.State.CLOSED, p.state(), p.toString());
                        }
                    }
                }
            }
            assertEquals(4, r.count(PortScan.State.OPEN));
            assertEquals(2, r.count(PortScan.State.FILTERED));
            assertEquals(494, r.count(PortScan.State.CLOSED));

            // Each open port's SYN-ACK got two RSTs with seq = its ack: the crafting kernel's (it owns 198.18.0.1
            // and no socket asked for the connection) and rawsock's own. Nothing is left half-open.
            Map<Integer, Integer> resets = new HashMap<>();
            NativeBuffer buffer = NativeBuffer.allocate(2048);
            for (int i = 0; i < 10_000; i++) {
                int n = capture.receive(buffer, 0, 2048, 100);
                if (n < 0) {
                    break;
                }
                ByteBuffer b = buffer.buffer();
                Ipv4View ip = new Ipv4View().wrap(b, EthernetView.HEADER_BYTES);
                if (n < 54 || ip.protocol() != 6 || ip.source() != lab.craftingAddress()) {
                    continue;
                }
                TcpView tcp = new TcpView().wrap(b, EthernetView.HEADER_BYTES + ip.headerLengthBytes());
                if (tcp.flags() == TcpFlags.RST) {
                    resets.merge(tcp.destinationPort(), 1, Integer::sum);
                }
            }
            for (int port : open) {
                assertEquals(2, resets.getOrDefault(port, 0), "RSTs to port " + port + ": " + resets);
            }
            assertEquals(open, resets.keySet());
            assertEquals(List.of(), connectionsOn(lab.targetNamespace(), open));
        }
    }
}
