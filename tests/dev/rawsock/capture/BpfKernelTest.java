package dev.rawsock.capture;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.RawIpSocket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.PacketDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The kernel as the oracle for the filters: it accepts every program the compiler makes, and when mutated
 * frames go through the loopback device, each filtered socket receives exactly the frames the interpreter
 * (and the Java evaluation) say it should.
 */
class BpfKernelTest {
    private static final long SEED = 0x6E_7E1L;
    private final SocketApi api = SocketApi.create();

    private static List<Filter> filters(SplittableRandom r, int randomTrees) {
        List<Filter> out = new ArrayList<>();
        List<FilterNode> primitives = new ArrayList<>();
        for (String e : FilterTestPackets.EXPRESSIONS) {
            Filter f = Filter.parse(e);
            out.add(f);
            if (!(f.root() instanceof FilterNode.And || f.root() instanceof FilterNode.Or || f.root() instanceof FilterNode.Not)) {
                primitives.add(f.root());
            }
        }
        for (int i = 0; i < randomTrees; i++) {
            out.add(Filter.parse(BpfAgreesWithJavaTest.randomTree(r, primitives, 4).toString()));
        }
        return out;
    }

    @Test
    void theKernelAcceptsEveryCompiledProgram() throws Exception {
        Privileged.assumeRoot("attaching BPF programs to packet and raw sockets");
        List<Filter> all = filters(new SplittableRandom(SEED), 300);
        StringBuilder big = new StringBuilder("host 10.0.0.1");
        for (int i = 1; i < 150; i++) {
            big.append(" or host 10.0.").append(i).append(".1");
        }
        all.add(Filter.parse(big + " or tcp[13] & syn != 0"));
        int attached = 0;
        try (PacketSocket raw = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
             PacketSocket cooked = PacketSocket.open(api, true, Protocol.ETH_P_ALL);
             RawIpSocket ip = RawIpSocket.open(api, Protocol.IPPROTO_UDP)) {
            int lo = PacketSocket.interfaceIndex("lo");
            raw.bindInterface(lo);
            cooked.bindInterface(lo);
            // Between programs a one-instruction one, as the sniffer does: the kernel charges a program to the
            // socket's option memory (net.core.optmem_max) before it releases the one it replaces.
            long[] none = BpfCompiler.rejectAll(BpfCompiler.Link.ETHERNET).instructions();
            for (Filter f : all) {
                for (boolean prologue : new boolean[] {false, true}) {
                    raw.attachFilter(none);
                    raw.attachFilter(f.compile(BpfCompiler.Link.ETHERNET, prologue).instructions());
                    cooked.attachFilter(none);
                    cooked.attachFilter(f.compile(BpfCompiler.Link.COOKED, prologue).instructions());
                    attached += 2;
                }
                ip.attachFilter(none);
                ip.attachFilter(f.compile(BpfCompiler.Link.IPV4, false).instructions());
                attached++;
            }
            // The kernel does check: a jump out of the program is refused.
            long[] bad = {Bpf.insn(Bpf.BPF_JMP | Bpf.BPF_JEQ, 5, 0, 0), Bpf.insn(Bpf.BPF_RET, 0, 0, 0)};
            assertTrue(BpfInterpreter.check(bad) != null);
            ErrnoException refused = assertThrows(ErrnoException.class, () -> raw.attachFilter(bad));
            assertTrue(refused.getMessage().contains("EINVAL"), refused.getMessage());
        }
        assertEquals(all.size() * 5, attached);
    }

    /** What eth_type_trans makes skb->protocol for a frame received on loopback: what ld proto reads. */
    private static int kernelProtocol(byte[] frame) {
        int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
        if (type >= 0x0600) {
            return type;
        }
        return frame.length >= 16 && frame[14] == (byte) 0xFF && frame[15] == (byte) 0xFF ? 0x0001 : 0x0004;
    }

    private record Listener(Filter filter, boolean cooked, long[] program, PacketSocket socket, BitSet got) {}

    @Test
    void loopbackFramesReachExactlyTheSocketsWhoseFiltersAcceptThem(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("sending frames on lo through a packet socket");
        SplittableRandom r = new SplittableRandom(SEED + 1);
        List<Filter> filters = filters(r, 20);
        int nonce = r.nextInt(256);
        int frames = Integer.getInteger("rawsock.filter.kernelFrames", 2000);
        int batch = 250;
        int lo = PacketSocket.interfaceIndex("lo");
        List<Listener> listeners = new ArrayList<>();
        PacketSocket sentinel = null;
        ByteBuffer buffer = ByteBuffer.allocateDirect(65536 + 64);
        try {
            for (Filter f : filters) {
                for (boolean cooked : new boolean[] {false, true}) {
                    long[] program = f.compile(cooked ? BpfCompiler.Link.COOKED : BpfCompiler.Link.ETHERNET, true).instructions();
                    PacketSocket s = PacketSocket.open(api, cooked, Protocol.ETH_P_ALL);
                    listeners.add(new Listener(f, cooked, program, s, new BitSet()));
                    s.bindInterface(lo);
                    s.receiveBufferSize(8 << 20);
                    s.attachFilter(BpfCompiler.rejectAll(BpfCompiler.Link.ETHERNET).instructions());
                    while (s.receive(buffer, 0, buffer.capacity(), 0) >= 0) {
                        // drain what came before the filter
                    }
                    s.attachFilter(program);
                    s.statistics();
                }
            }
            sentinel = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
            sentinel.bindInterface(lo);
            sentinel.receiveBufferSize(8 << 20);
            sentinel.attachFilter(BpfCompiler.compile(null, BpfCompiler.Link.ETHERNET, true).instructions());

            byte[] destination = {2, 0, 0, 0, 0, 1}; // not lo's address: PACKET_OTHERHOST, which no protocol handler takes
            List<byte[]> sent = new ArrayList<>();
            Path sender = dir.resolve("send.py");
            Files.writeString(sender, String.join("\n",
                    "import socket, struct, sys",
                    "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)",
                    "s.bind(('lo', 0))",
                    "data = open(sys.argv[1], 'rb').read()",
                    "i = 0",
                    "while i < len(data):",
                    "    (n,) = struct.unpack_from('!I', data, i)",
                    "    s.send(data[i + 4:i + 4 + n])",
                    "    i += 4 + n",
                    ""));
            for (int start = 0; start < frames; start += batch) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(bytes);
                int end = Math.min(frames, start + batch);
                for (int i = start; i < end; i++) {
                    byte[] source = {2, 0x52, (byte) nonce, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
                    FilterTestPackets.Packet p = FilterTestPackets.random(r);
                    byte[] frame = FilterTestPackets.ethernet(p, destination, source);
                    if (r.nextInt(3) != 0) {
                        frame = FilterTestPackets.mutate(frame, 14, 14, 12, r);
                    }
                    int type = ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF);
                    if (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
                        frame[12] = (byte) 0x88; // the kernel would strip a VLAN tag before the filters see the frame
                        frame[13] = (byte) 0xB5;
                    }
                    sent.add(frame);
                    out.writeInt(frame.length);
                    out.write(frame);
                }
                Path file = dir.resolve("frames.bin");
                Files.write(file, bytes.toByteArray());
                NativeTools.Result py = NativeTools.run(60, List.of("python3", sender.toString(), file.toString()));
                assertEquals(0, py.exitCode(), py.stderr());
                // The sentinel takes every frame; once it has the last one, every socket has had its chance.
                long deadline = System.nanoTime() + 5_000_000_000L;
                int last = -1;
                while (last != end - 1 && System.nanoTime() < deadline) {
                    if (sentinel.receive(buffer, 0, buffer.capacity(), 100) >= 0) {
                        int id = marker(buffer, 6, nonce);
                        last = id >= 0 ? id : last;
                    }
                }
                assertEquals(end - 1, last, "the sentinel saw the batch's last frame");
                Thread.sleep(20);
                for (Listener l : listeners) {
                    while (l.socket.receive(buffer, 0, buffer.capacity(), 0) >= 0) {
                        int id;
                        if (l.cooked) {
                            ByteBuffer address = ByteBuffer.allocate(8);
                            l.socket.hardwareAddress(address, 0);
                            id = marker(address, 0, nonce);
                        } else {
                            id = marker(buffer, 6, nonce);
                        }
                        if (id >= 0) {
                            l.got.set(id);
                        }
                    }
                    assertEquals(0, l.socket.statistics().drops(), "the kernel dropped frames for '" + l.filter.text() + "'");
                }
            }

            PacketDecoder decoder = new PacketDecoder();
            DecodedPacket decoded = new DecodedPacket();
            int accepted = 0;
            List<String> differences = new ArrayList<>();
            for (Listener l : listeners) {
                for (int i = 0; i < sent.size(); i++) {
                    byte[] frame = sent.get(i);
                    boolean kernel = l.got.get(i);
                    boolean interpreted;
                    boolean java;
                    BpfInterpreter.Metadata md = new BpfInterpreter.Metadata(kernelProtocol(frame), 3, 772, lo);
                    if (l.cooked) {
                        interpreted = BpfInterpreter.run(l.program, frame, 14, frame.length - 14, md) != 0;
                        byte[] sll2 = new byte[20 + frame.length - 14];
                        sll2[0] = (byte) (md.protocol() >>> 8);
                        sll2[1] = (byte) md.protocol();
                        System.arraycopy(frame, 14, sll2, 20, frame.length - 14);
                        decoder.decode(ByteBuffer.wrap(sll2), 0, sll2.length, sll2.length, LinkType.LINUX_SLL2.firstLayer(), decoded);
                        java = l.filter.matches(decoded, LinkType.LINUX_SLL2);
                    } else {
                        interpreted = BpfInterpreter.run(l.program, frame, 0, frame.length, md) != 0;
                        decoder.decode(ByteBuffer.wrap(frame), 0, frame.length, frame.length, LinkType.ETHERNET.firstLayer(), decoded);
                        java = l.filter.matches(decoded, LinkType.ETHERNET);
                    }
                    accepted += kernel ? 1 : 0;
                    if (kernel != interpreted || kernel != java) {
                        differences.add("frame " + i + (l.cooked ? " cooked" : " ethernet") + " '" + l.filter.text() + "': kernel "
                                + kernel + ", interpreter " + interpreted + ", Java " + java + "\n  " + Bytes.of(frame).hex());
                    }
                }
            }
            if (!differences.isEmpty()) {
                fail(differences.size() + " disagreements, the first ones:\n"
                        + String.join("\n", differences.subList(0, Math.min(10, differences.size()))));
            }
            assertTrue(accepted > frames, "the filters accepted " + accepted + " frames in all");
        } finally {
            for (Listener l : listeners) {
                l.socket.close();
            }
            if (sentinel != null) {
                sentinel.close();
            }
        }
    }

    /** The frame number in a source MAC 02:52:nonce:hi:mid:lo, or -1 for someone else's frame. */
    private static int marker(ByteBuffer b, int at, int nonce) {
        if (b.get(at) != 2 || b.get(at + 1) != 0x52 || (b.get(at + 2) & 0xFF) != nonce) {
            return -1;
        }
        return ((b.get(at + 3) & 0xFF) << 16) | ((b.get(at + 4) & 0xFF) << 8) | (b.get(at + 5) & 0xFF);
    }

    @Test
    void programsAreCheckedLikeTheKernelChecksThem() {
        for (String e : FilterTestPackets.EXPRESSIONS) {
            for (BpfCompiler.Link link : BpfCompiler.Link.values()) {
                assertNull(BpfInterpreter.check(Filter.parse(e).compile(link, link != BpfCompiler.Link.IPV4).instructions()), e);
            }
        }
    }
}
