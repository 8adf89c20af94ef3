package dev.rawsock.capture;

import dev.rawsock.capture.FilterNode.And;
import dev.rawsock.capture.FilterNode.Not;
import dev.rawsock.capture.FilterNode.Or;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The property behind the filters: for seeded random and mutated packets (the seeds-and-mutations idea of
 * DecoderRobustnessTest) and many expressions, the compiled BPF program, run by an independent interpreter,
 * and the Java evaluation of the same tree agree, on every link the sniffer uses (whole Ethernet frames,
 * cooked packets behind a Linux SLL2 header, raw IPv4). Every program also passes the kernel's static
 * checks (BpfKernelTest attaches them for real). -Drawsock.filter.packets=N for a longer run.
 */
class BpfAgreesWithJavaTest {
    private static final long SEED = 0xB9F_5EEDL;
    private static final int PACKETS = Integer.getInteger("rawsock.filter.packets", 20_000);

    /** A link as the kernel's BPF sees it and as the Java evaluation and decoder see the recorded frame. */
    enum Case {
        ETHERNET(BpfCompiler.Link.ETHERNET, LinkType.ETHERNET, 0),
        COOKED(BpfCompiler.Link.COOKED, LinkType.LINUX_SLL2, 20),
        RAW_IPV4(BpfCompiler.Link.IPV4, LinkType.IPV4, 0);

        final BpfCompiler.Link bpf;
        final LinkType link;
        /** Bytes of the recorded frame the kernel's program does not see (the SLL2 header rawsock builds). */
        final int hidden;

        Case(BpfCompiler.Link bpf, LinkType link, int hidden) {
            this.bpf = bpf;
            this.link = link;
            this.hidden = hidden;
        }

        byte[] frame(FilterTestPackets.Packet p, SplittableRandom r, boolean mutate) {
            byte[] f;
            switch (this) {
                case ETHERNET: f = FilterTestPackets.ethernet(p, new byte[6], new byte[6]); break;
                case COOKED: f = FilterTestPackets.sll2(p); break;
                default: f = p.bytes();
            }
            if (!mutate) {
                return f;
            }
            int net = this == ETHERNET ? 14 : hidden;
            return FilterTestPackets.mutate(f, net, hidden, this == ETHERNET ? 12 : this == COOKED ? 0 : -1, r);
        }

        BpfInterpreter.Metadata metadata(byte[] frame) {
            int protocol = this == RAW_IPV4 ? 0x0800
                    : this == COOKED ? ((frame[0] & 0xFF) << 8) | (frame[1] & 0xFF)
                    : frame.length >= 14 ? ((frame[12] & 0xFF) << 8) | (frame[13] & 0xFF) : 0;
            return BpfInterpreter.Metadata.of(protocol);
        }
    }

    private record Compiled(Filter filter, long[][] programs) {}

    private static Compiled compile(Filter f) {
        long[][] programs = new long[Case.values().length][];
        for (Case c : Case.values()) {
            long[] program = f.compile(c.bpf, false).instructions();
            assertNull(BpfInterpreter.check(program), () -> "the kernel would refuse the program for '" + f + "' on " + c);
            programs[c.ordinal()] = program;
        }
        return new Compiled(f, programs);
    }

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();

    /** Checks one frame against every filter; counts acceptances per filter (for the ETHERNET case). */
    private void agree(List<Compiled> filters, Case c, byte[] frame, long input, int[] accepted) {
        decoder.decode(ByteBuffer.wrap(frame), 0, frame.length, frame.length, c.link.firstLayer(), decoded);
        BpfInterpreter.Metadata md = c.metadata(frame);
        for (int i = 0; i < filters.size(); i++) {
            Compiled f = filters.get(i);
            long[] program = f.programs[c.ordinal()];
            boolean java = f.filter.matches(decoded, c.link);
            boolean bpf = BpfInterpreter.run(program, frame, c.hidden, frame.length - c.hidden, md) != 0;
            if (java != bpf) {
                String canonical = f.filter.toString().length() < 200 ? " (" + f.filter + ")" : "";
                fail("input " + input + " (seed " + SEED + ") on " + c + ": '" + f.filter.text() + "'" + canonical + " is "
                        + java + " in Java but " + bpf + " in BPF\nframe: " + Bytes.of(frame).hex() + "\nprogram:\n"
                        + Bpf.disassemble(program));
            }
            if (java && accepted != null) {
                accepted[i]++;
            }
        }
    }

    @Test
    void everyExpressionAgreesOnRandomAndMutatedPackets() {
        List<Compiled> filters = new ArrayList<>();
        for (String e : FilterTestPackets.EXPRESSIONS) {
            filters.add(compile(Filter.parse(e)));
        }
        SplittableRandom r = new SplittableRandom(SEED);
        int[] accepted = new int[filters.size()];
        int checked = 0;
        for (int i = 0; i < PACKETS; i++) {
            FilterTestPackets.Packet p = FilterTestPackets.random(r);
            boolean mutate = r.nextInt(3) != 0;
            for (Case c : Case.values()) {
                agree(filters, c, c.frame(p, r, mutate), i, c == Case.ETHERNET ? accepted : null);
                checked += filters.size();
            }
        }
        // Not a vacuous agreement: every expression accepted some packets and rejected others.
        for (int i = 0; i < filters.size(); i++) {
            String e = FilterTestPackets.EXPRESSIONS[i];
            assertTrue(accepted[i] > 0 && accepted[i] < PACKETS, "'" + e + "' accepted " + accepted[i] + " of " + PACKETS);
        }
        assertTrue(checked >= PACKETS * 3 * FilterTestPackets.EXPRESSIONS.length);
    }

    /** Random trees of and/or/not over the primitives: the jump layout of any nesting is right. */
    @Test
    void randomExpressionsAgreeAndPrintBackToThemselves() {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        List<FilterNode> primitives = new ArrayList<>();
        for (String e : FilterTestPackets.EXPRESSIONS) {
            FilterNode n = FilterParser.parse(e);
            if (!(n instanceof And) && !(n instanceof Or) && !(n instanceof Not)) {
                primitives.add(n);
            }
        }
        List<Compiled> filters = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            FilterNode tree = randomTree(r, primitives, 4);
            Filter reparsed = Filter.parse(tree.toString());
            assertEquals(tree, reparsed.root(), "the canonical text parses back: " + tree);
            filters.add(compile(reparsed));
        }
        for (int i = 0; i < PACKETS / 10; i++) {
            FilterTestPackets.Packet p = FilterTestPackets.random(r);
            boolean mutate = r.nextBoolean();
            for (Case c : Case.values()) {
                agree(filters, c, c.frame(p, r, mutate), i, null);
            }
        }
    }

    static FilterNode randomTree(SplittableRandom r, List<FilterNode> primitives, int depth) {
        int choice = depth == 0 ? 3 : r.nextInt(5);
        switch (choice) {
            case 0: return new And(randomTree(r, primitives, depth - 1), randomTree(r, primitives, depth - 1));
            case 1: return new Or(randomTree(r, primitives, depth - 1), randomTree(r, primitives, depth - 1));
            case 2: return new Not(randomTree(r, primitives, depth - 1));
            default: return primitives.get(r.nextInt(primitives.size()));
        }
    }

    /** Long programs: conditional jumps further than 255 instructions go through ja trampolines. */
    @Test
    void longProgramsJumpThroughTrampolines() {
        StringBuilder e = new StringBuilder("(");
        for (int i = 0; i < 90; i++) {
            e.append(i == 0 ? "" : " or ").append("host 10.0.").append(i).append(".1");
        }
        e.append(") and not (host 127.0.0.1 or port 80 or host 127.0.0.2 or tcp[13] == 2)");
        Filter f = Filter.parse(e.toString());
        Compiled c = compile(f);
        long[] program = c.programs[Case.ETHERNET.ordinal()];
        assertTrue(program.length > 300, "length " + program.length);
        boolean trampoline = false;
        for (long insn : program) {
            trampoline |= Bpf.code(insn) == (Bpf.BPF_JMP | Bpf.BPF_JA);
        }
        assertTrue(trampoline, "a jump over more than 255 instructions needs a ja:\n" + Bpf.disassemble(program));
        SplittableRandom r = new SplittableRandom(SEED + 2);
        int accepted = 0;
        for (int i = 0; i < 3000; i++) {
            FilterTestPackets.Packet p = FilterTestPackets.random(r);
            if (p.etherType() == 0x0800 && r.nextBoolean()) {
                ByteBuffer.wrap(p.bytes()).putInt(12 + 4 * r.nextInt(2), 0x0A000001 | (r.nextInt(100) << 8));
            }
            for (Case k : Case.values()) {
                int[] count = new int[1];
                agree(List.of(c), k, k.frame(p, r, r.nextInt(4) == 0), i, count);
                accepted += count[0];
            }
        }
        assertTrue(accepted > 0, "some packets from 10.0.x.1 were accepted");
        assertTrue(Filter.parse(f.toString()).root().equals(f.root()));
    }

    /** The loopback prologue drops exactly the outgoing frames of loopback devices. */
    @Test
    void thePrologueDropsOnlyLoopbackOutgoingFrames() {
        SplittableRandom r = new SplittableRandom(SEED + 3);
        for (String e : new String[] {"", "tcp", "not ip"}) {
            Filter f = Filter.parse(e);
            for (Case c : new Case[] {Case.ETHERNET, Case.COOKED}) {
                long[] program = f.compile(c.bpf, true).instructions();
                assertNull(BpfInterpreter.check(program));
                for (int i = 0; i < 500; i++) {
                    byte[] frame = c.frame(FilterTestPackets.random(r), r, false);
                    decoder.decode(ByteBuffer.wrap(frame), 0, frame.length, frame.length, c.link.firstLayer(), decoded);
                    boolean java = f.matches(decoded, c.link);
                    int protocol = c.metadata(frame).protocol();
                    for (int type : new int[] {0, 1, 2, 3, 4}) {
                        for (int hatype : new int[] {1, 772, 65534}) {
                            BpfInterpreter.Metadata md = new BpfInterpreter.Metadata(protocol, type, hatype, 1);
                            boolean bpf = BpfInterpreter.run(program, frame, c.hidden, frame.length - c.hidden, md) != 0;
                            assertEquals(java && !(type == 4 && hatype == 772), bpf, "'" + e + "' type " + type + " hatype " + hatype);
                        }
                    }
                }
            }
        }
    }

    /**
     * On well-formed packets the filter's meaning is the decoder's: tcp port 80 accepts exactly the packets
     * the decoder finds a TCP header with port 80 in, and so on. The one documented difference: IPv6
     * extension headers are not followed by the filter (as in tcpdump), while the decoder walks them.
     */
    @Test
    void onWellFormedPacketsTheFilterMeansWhatTheDecoderSays() {
        SplittableRandom r = new SplittableRandom(SEED + 4);
        Filter tcp = Filter.parse("tcp");
        Filter tcpPort80 = Filter.parse("tcp port 80");
        Filter udpDst53 = Filter.parse("udp dst port 53");
        Filter host = Filter.parse("host 127.0.0.1");
        Filter syn = Filter.parse("tcp[tcpflags] & tcp-syn != 0");
        Filter echo = Filter.parse("icmp[icmptype] == icmp-echo");
        Filter v6 = Filter.parse("ip6 and src host ::1");
        int hopByHop = 0;
        for (int i = 0; i < PACKETS; i++) {
            FilterTestPackets.Packet p = FilterTestPackets.random(r);
            for (Case c : new Case[] {Case.ETHERNET, Case.COOKED}) {
                byte[] frame = c.frame(p, r, false);
                ByteBuffer b = ByteBuffer.wrap(frame);
                decoder.decode(b, 0, frame.length, frame.length, c.link.firstLayer(), decoded);
                if (p.kind().endsWith("+hbh")) {
                    hopByHop++;
                    // The decoder finds the transport behind the hop-by-hop header; the filter, like tcpdump's, does not.
                    assertEquals(p.kind().startsWith("ipv6/6+"), decoded.ipProtocol() == 6, p.kind());
                    assertEquals(false, tcp.matches(decoded, c.link), "extension headers are not followed: " + p.kind());
                    continue;
                }
                String what = p.kind() + " " + Bytes.of(frame).hex();
                assertEquals(decoded.ipProtocol() == 6, tcp.matches(decoded, c.link), what);
                boolean hasTcp = decoded.has(Layer.TCP);
                int t = decoded.offset(Layer.TCP);
                assertEquals(hasTcp && (u16(b, t) == 80 || u16(b, t + 2) == 80), tcpPort80.matches(decoded, c.link), what);
                assertEquals(hasTcp && (b.get(t + 13) & TcpFlags.SYN) != 0, syn.matches(decoded, c.link), what);
                int u = decoded.offset(Layer.UDP);
                assertEquals(decoded.has(Layer.UDP) && u16(b, u + 2) == 53, udpDst53.matches(decoded, c.link), what);
                int m = decoded.offset(Layer.ICMP);
                assertEquals(decoded.has(Layer.ICMP) && (b.get(m) & 0xFF) == 8, echo.matches(decoded, c.link), what);
                boolean hostTruth = false;
                if (decoded.has(Layer.IPV4)) {
                    int ip = decoded.offset(Layer.IPV4);
                    hostTruth = b.getInt(ip + 12) == 0x7F000001 || b.getInt(ip + 16) == 0x7F000001;
                } else if (decoded.has(Layer.ARP)) {
                    int a = decoded.offset(Layer.ARP);
                    hostTruth = b.getInt(a + 14) == 0x7F000001 || b.getInt(a + 24) == 0x7F000001;
                }
                assertEquals(hostTruth, host.matches(decoded, c.link), what);
                boolean v6Truth = decoded.has(Layer.IPV6) && b.getLong(decoded.offset(Layer.IPV6) + 8) == 0
                        && b.getLong(decoded.offset(Layer.IPV6) + 16) == 1;
                assertEquals(v6Truth, v6.matches(decoded, c.link), what);
            }
        }
        assertTrue(hopByHop > 0);
    }

    private static int u16(ByteBuffer b, int at) {
        return at < 0 ? -1 : b.getShort(at) & 0xFFFF;
    }
}
