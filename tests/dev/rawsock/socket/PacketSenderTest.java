package dev.rawsock.socket;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.rawsock.testing.NativeTools;

import java.net.InetSocketAddress;
import java.util.List;
import java.nio.ByteBuffer;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PacketSender} on lo: Ethernet frames carrying TCP SYNs to a closed port of 127.0.0.1, sent in one
 * sendmmsg batch with PACKET_QDISC_BYPASS, arrive as the kernel's own input: its TCP answers every one with a
 * RST (the independent oracle), read back from a packet socket. Bounded: 48 frames, 3 s.
 *
 * <p>It runs in a private network namespace the test creates and removes, with route_localnet and accept_local
 * on its lo: a frame written on a packet socket carries no route, and IP input routes it afresh, which drops
 * 127.0.0.1 to 127.0.0.1 as a martian source (in_martian_src in /proc/net/stat/rt_cache; no SNMP counter) unless
 * 127/8 may be routed (route_localnet) and a local source accepted on input (accept_local). Loopback traffic
 * from IP output keeps its route and never meets that check. The host's own lo is left alone.
 */
class PacketSenderTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final int FRAMES = 48;
    private static final int FIRST_SOURCE_PORT = 47100;

    @BeforeEach
    void needsPacketSockets() {
        Privileged.assumeRoot("a packet socket (AF_PACKET)");
    }

    /** Creates a namespace with lo up, route_localnet=1 and accept_local=1, runs {@code body} on a thread inside it, removes it. */
    static void inNamespace(String name, NamespaceBody body) throws Exception {
        List<List<String>> setUp = List.of(List.of("ip", "netns", "add", name), List.of("ip", "-n", name, "link", "set", "lo", "up"),
                List.of("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv4.conf.lo.route_localnet=1",
                        "net.ipv4.conf.lo.accept_local=1"));
        try {
            for (List<String> command : setUp) {
                NativeTools.Result r = NativeTools.run(20, command);
                assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
            }
            Throwable[] failure = new Throwable[1];
            Thread inside = new Thread(() -> {
                try {
                    NetworkNamespace.enter(name);
                    body.run();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }, "in " + name);
            inside.start();
            inside.join(20_000);
            if (inside.isAlive()) {
                inside.interrupt();
                throw new AssertionError("the test body in " + name + " did not end within 20 s");
            }
            if (failure[0] instanceof Exception e) {
                throw e;
            }
            if (failure[0] instanceof Error e) {
                throw e;
            }
        } finally {
            NativeTools.run(20, List.of("ip", "netns", "del", name));
        }
    }

    interface NamespaceBody {
        void run() throws Exception;
    }

    @Test
    void framesSentPastTheQdiscReachTheKernelWhichAnswersEachSynWithARst() throws Exception {
        inNamespace("rawsock-test-" + ProcessHandle.current().pid() + "-psend", this::sendAndCountResets);
    }

    private void sendAndCountResets() throws Exception {
        SocketApi api = SocketApi.create();
        // A port bound but not listening: closed, and held so no other test run can take it meanwhile.
        try (java.net.Socket holder = new java.net.Socket();
             PacketSocket capture = PacketSocket.open(api, true, Protocol.ETH_P_IP);
             PacketSender sender = PacketSender.open(api, "lo", true)) {
            holder.bind(new InetSocketAddress("127.0.0.1", 0));
            int closedPort = holder.getLocalPort();
            capture.bindInterface(sender.interfaceIndex());
            assertTrue(sender.qdiscBypass());
            assertArrayEquals(new byte[] {1, 0, 0, 0},
                    api.getsockopt(sender.socket(), Constants.SOL_PACKET, Constants.PACKET_QDISC_BYPASS, 4),
                    "PACKET_QDISC_BYPASS reads back as set");

            PacketSender.Batch batch = sender.batch(FRAMES, 128, Constants.ETH_P_IP);
            ByteBuffer b = batch.buffer().buffer();
            Assembler assembler = new Assembler();
            for (int k = 0; k < FRAMES; k++) {
                int at = batch.slotOffset(k);
                for (int i = 0; i < 12; i++) {
                    b.put(at + i, (byte) 0); // lo's address is all zeros, as destination and source
                }
                b.put(at + 12, (byte) 0x08).put(at + 13, (byte) 0x00); // EtherType IPv4
                PacketSpec syn = PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(FIRST_SOURCE_PORT + k)
                        .destinationPort(closedPort).sequence(1000L + k).flags(TcpFlags.SYN);
                int n = assembler.assemble(syn, Randomness.seeded(k), EmitOptions.DEFAULT, b, at + 14);
                batch.set(k, 14 + n);
            }
            assertEquals(FRAMES, batch.send(FRAMES));

            TreeSet<Integer> answered = new TreeSet<>();
            NativeBuffer in = NativeBuffer.allocate(65536);
            PacketDecoder decoder = new PacketDecoder();
            DecodedPacket p = new DecodedPacket();
            TcpView tcp = new TcpView();
            long deadline = System.nanoTime() + 3_000_000_000L;
            while (answered.size() < FRAMES && System.nanoTime() < deadline) {
                int n = capture.receive(in, 0, 65536, 50);
                if (n < 0 || capture.outgoing()) {
                    continue;
                }
                decoder.decode(in.buffer(), 0, n, capture.originalLength(), FirstLayer.IP, p);
                if (!p.has(Layer.TCP)) {
                    continue;
                }
                tcp.wrap(p.buffer(), p.offset(Layer.TCP));
                if (tcp.sourcePort() == closedPort && (tcp.flags() & TcpFlags.RST) != 0
                        && tcp.destinationPort() >= FIRST_SOURCE_PORT && tcp.destinationPort() < FIRST_SOURCE_PORT + FRAMES) {
                    // RFC 793: the RST to a SYN acknowledges seq + 1
                    assertEquals(1000L + (tcp.destinationPort() - FIRST_SOURCE_PORT) + 1, tcp.acknowledgmentNumber());
                    assertTrue(p.transportChecksum() != Verdict.INVALID, "the kernel's RST checksum");
                    answered.add(tcp.destinationPort());
                }
            }
            assertEquals(FRAMES, answered.size(), "RSTs came back for source ports " + answered);
        }
    }

    @Test
    void aDeviceWithoutCarrierRefusesFramesWithEnobufsAndTheMessageSaysWhy() throws Exception {
        String name = "rawsock-test-" + ProcessHandle.current().pid() + "-pnocarrier";
        inNamespace(name, () -> {
            // A veth whose peer stays down: up, but without carrier; veth drops what it is handed (NET_XMIT_DROP).
            for (List<String> command : List.of(List.of("ip", "-n", name, "link", "add", "rs-a", "type", "veth", "peer", "name", "rs-b"),
                    List.of("ip", "-n", name, "link", "set", "rs-a", "up"))) {
                NativeTools.Result r = NativeTools.run(20, command);
                assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
            }
            SocketApi api = SocketApi.create();
            try (PacketSender sender = PacketSender.open(api, "rs-a", true)) {
                NativeBuffer frame = NativeBuffer.allocate(60);
                frame.buffer().put(12, (byte) 0x08).put(13, (byte) 0x00);
                ErrnoException single = assertThrows(ErrnoException.class, () -> sender.send(frame, 0, 60, Constants.ETH_P_IP));
                PacketSender.Batch batch = sender.batch(4, 60, Constants.ETH_P_IP);
                for (int k = 0; k < 4; k++) {
                    batch.set(k, 60);
                }
                ErrnoException batched = assertThrows(ErrnoException.class, () -> batch.send(4));
                for (ErrnoException e : List.of(single, batched)) {
                    assertEquals(dev.rawsock.linux.Errno.ENOBUFS, e.errno(), e.getMessage());
                    assertTrue(e.getMessage().contains("packet socket on rs-a (index ") && e.getMessage().contains("it has no carrier"),
                            e.getMessage());
                }
            }
        });
    }

    @Test
    void anUnknownInterfaceIsNamed() {
        ErrnoException e = assertThrows(ErrnoException.class, () -> PacketSender.open(SocketApi.create(), "nosuch0", true));
        assertTrue(e.getMessage().contains("no interface named 'nosuch0'"), e.getMessage());
    }
}
