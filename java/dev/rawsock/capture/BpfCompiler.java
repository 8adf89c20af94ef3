package dev.rawsock.capture;

import dev.rawsock.capture.FilterNode.Address;
import dev.rawsock.capture.FilterNode.And;
import dev.rawsock.capture.FilterNode.Base;
import dev.rawsock.capture.FilterNode.Direction;
import dev.rawsock.capture.FilterNode.EtherType;
import dev.rawsock.capture.FilterNode.Field;
import dev.rawsock.capture.FilterNode.IpProtocol;
import dev.rawsock.capture.FilterNode.Not;
import dev.rawsock.capture.FilterNode.Or;
import dev.rawsock.capture.FilterNode.Port;

import java.util.ArrayList;
import java.util.List;

import static dev.rawsock.capture.Bpf.BPF_ABS;
import static dev.rawsock.capture.Bpf.BPF_ALU;
import static dev.rawsock.capture.Bpf.BPF_AND;
import static dev.rawsock.capture.Bpf.BPF_B;
import static dev.rawsock.capture.Bpf.BPF_H;
import static dev.rawsock.capture.Bpf.BPF_IND;
import static dev.rawsock.capture.Bpf.BPF_JA;
import static dev.rawsock.capture.Bpf.BPF_JEQ;
import static dev.rawsock.capture.Bpf.BPF_JGE;
import static dev.rawsock.capture.Bpf.BPF_JGT;
import static dev.rawsock.capture.Bpf.BPF_JMP;
import static dev.rawsock.capture.Bpf.BPF_JSET;
import static dev.rawsock.capture.Bpf.BPF_K;
import static dev.rawsock.capture.Bpf.BPF_LD;
import static dev.rawsock.capture.Bpf.BPF_LDX;
import static dev.rawsock.capture.Bpf.BPF_MSH;
import static dev.rawsock.capture.Bpf.BPF_RET;
import static dev.rawsock.capture.Bpf.BPF_W;

/**
 * Compiles a {@link FilterNode} to a classic BPF program for SO_ATTACH_FILTER, so the kernel drops what is
 * not wanted before it is queued. Every primitive becomes straight-line tests that jump to the true or
 * false label of its parent (and/or short-circuit, not swaps the labels); the labels are resolved at the
 * end, with an unconditional {@code ja} trampoline wherever a conditional jump would reach further than
 * its 8-bit offset allows. The program accepts a packet whole ({@code ret #0xffffffff}: the socket's own
 * receive size is the snapshot length) or drops it ({@code ret #0}).
 *
 * <p>The code depends on where the network header starts and how the packet's protocol is known:
 * {@link Link}. The IPv4 header's length varies, so transport fields are loaded relative to the index
 * register set by {@code ldxb 4*([k]&0xf)} (BPF_MSH). A load past the end of the packet makes the kernel
 * drop the packet, whatever the rest of the program says; {@link FilterEvaluator} does the same, which is
 * why both read fields in the same order.
 */
public final class BpfCompiler {
    /** Where the network header starts in what the filter sees, and where the protocol comes from. */
    public enum Link {
        /** Whole Ethernet frames (AF_PACKET SOCK_RAW on Ethernet and loopback devices): EtherType at 12, network header at 14. */
        ETHERNET(14),
        /** Cooked packets (AF_PACKET SOCK_DGRAM): the network header at 0; the protocol from the kernel's metadata (ld proto). */
        COOKED(0),
        /** IPv4 packets only (an AF_INET raw socket): the IPv4 header at 0; ip6 and arp never match. */
        IPV4(0);

        public final int networkOffset;

        Link(int networkOffset) {
            this.networkOffset = networkOffset;
        }
    }

    /** What an accepted packet returns: keep all of it. */
    public static final int ACCEPT_WHOLE = -1;
    /** PACKET_OUTGOING (linux/if_packet.h): a frame this host sent, as its packet sockets see it. */
    public static final int PACKET_OUTGOING = 4;
    /** ARPHRD_LOOPBACK (linux/if_arp.h): the loopback device's type. */
    public static final int ARPHRD_LOOPBACK = 772;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int IPV6_HEADER_BYTES = 40;

    private final Link link;
    private final int n;
    private final List<Object> items = new ArrayList<>();

    private BpfCompiler(Link link) {
        this.link = link;
        this.n = link.networkOffset;
    }

    /**
     * The program for {@code filter} (null: every packet) on {@code link}. With {@code dropLoopbackOutgoing}
     * it first drops frames a loopback device shows on their way out ({@code ld type} is PACKET_OUTGOING and
     * {@code ld hatype} is ARPHRD_LOOPBACK), so each loopback packet is seen once, as it comes in, while
     * outgoing frames of other devices are kept. IllegalArgumentException when the program would be longer
     * than the kernel takes (4096 instructions).
     */
    public static BpfProgram compile(FilterNode filter, Link link, boolean dropLoopbackOutgoing) {
        BpfCompiler c = new BpfCompiler(link);
        Label accept = new Label();
        Label reject = new Label();
        if (dropLoopbackOutgoing) {
            Label outgoing = new Label();
            Label go = new Label();
            c.stmt(BPF_LD | BPF_W | BPF_ABS, Bpf.SKF_AD_OFF + Bpf.SKF_AD_PKTTYPE);
            c.jump(BPF_JEQ, PACKET_OUTGOING, outgoing, go);
            c.place(outgoing);
            c.stmt(BPF_LD | BPF_W | BPF_ABS, Bpf.SKF_AD_OFF + Bpf.SKF_AD_HATYPE);
            c.jump(BPF_JEQ, ARPHRD_LOOPBACK, reject, go);
            c.place(go);
        }
        if (filter != null) {
            c.cond(filter, accept, reject);
        }
        c.place(accept);
        c.stmt(BPF_RET | BPF_K, ACCEPT_WHOLE);
        c.place(reject);
        c.stmt(BPF_RET | BPF_K, 0);
        long[] program = c.assemble();
        if (program.length > Bpf.BPF_MAXINSNS) {
            throw new IllegalArgumentException("the filter compiles to " + program.length + " BPF instructions; the kernel takes at most "
                    + Bpf.BPF_MAXINSNS);
        }
        return new BpfProgram(program, link);
    }

    /** A program that drops every packet (attached while a socket's queue is drained). */
    public static BpfProgram rejectAll(Link link) {
        return new BpfProgram(new long[] {Bpf.insn(BPF_RET | BPF_K, 0, 0, 0)}, link);
    }

    // ---- code for the tree ----

    private void cond(FilterNode node, Label t, Label f) {
        if (node instanceof And a) {
            Label mid = new Label();
            cond(a.left(), mid, f);
            place(mid);
            cond(a.right(), t, f);
        } else if (node instanceof Or o) {
            Label mid = new Label();
            cond(o.left(), t, mid);
            place(mid);
            cond(o.right(), t, f);
        } else if (node instanceof Not not) {
            cond(not.operand(), f, t);
        } else if (node instanceof EtherType e) {
            if (link == Link.IPV4) {
                ja(e.type() == ETHERTYPE_IPV4 ? t : f);
            } else {
                loadProtocol();
                jump(BPF_JEQ, e.type(), t, f);
            }
        } else if (node instanceof IpProtocol p) {
            dispatch(p.overIpv4() ? () -> {
                stmt(BPF_LD | BPF_B | BPF_ABS, n + 9);
                jump(BPF_JEQ, p.protocol(), t, f);
            } : null, p.overIpv6() ? () -> {
                stmt(BPF_LD | BPF_B | BPF_ABS, n + 6);
                jump(BPF_JEQ, p.protocol(), t, f);
            } : null, null, f);
        } else if (node instanceof Address a) {
            dispatch(!a.ipv6() && a.overIp() ? () -> addressEither(a, 12, 16, t, f) : null,
                    a.ipv6() ? () -> addressEither(a, 8, 24, t, f) : null,
                    a.overArp() ? () -> addressEither(a, 14, 24, t, f) : null, f);
        } else if (node instanceof Port p) {
            dispatch(() -> {
                stmt(BPF_LD | BPF_B | BPF_ABS, n + 9);
                protocolIn(p.protocols(), f);
                laterFragment(f);
                stmt(BPF_LDX | BPF_B | BPF_MSH, n);
                portEither(p, BPF_IND, n, t, f);
            }, () -> {
                stmt(BPF_LD | BPF_B | BPF_ABS, n + 6);
                protocolIn(p.protocols(), f);
                portEither(p, BPF_ABS, n + IPV6_HEADER_BYTES, t, f);
            }, null, f);
        } else if (node instanceof Field fd) {
            field(fd, t, f);
        } else {
            throw new IllegalArgumentException("unknown filter node " + node);
        }
    }

    /** Branches on the packet's protocol: to the IPv4, IPv6 or ARP code (whichever is given), or to {@code f}. */
    private void dispatch(Runnable ipv4, Runnable ipv6, Runnable arp, Label f) {
        List<Integer> types = new ArrayList<>();
        List<Runnable> code = new ArrayList<>();
        if (ipv4 != null) {
            types.add(ETHERTYPE_IPV4);
            code.add(ipv4);
        }
        if (ipv6 != null) {
            types.add(ETHERTYPE_IPV6);
            code.add(ipv6);
        }
        if (arp != null) {
            types.add(ETHERTYPE_ARP);
            code.add(arp);
        }
        if (link == Link.IPV4) {
            // Every packet is IPv4: no test, and no code for the other protocols.
            if (ipv4 != null) {
                ipv4.run();
            } else {
                ja(f);
            }
            return;
        }
        if (types.isEmpty()) {
            ja(f);
            return;
        }
        loadProtocol();
        List<Label> starts = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            Label start = new Label();
            starts.add(start);
            Label next = i + 1 < types.size() ? new Label() : f;
            jump(BPF_JEQ, types.get(i), start, next);
            if (next != f) {
                place(next);
            }
        }
        for (int i = 0; i < types.size(); i++) {
            place(starts.get(i));
            code.get(i).run();
        }
    }

    private void loadProtocol() {
        if (link == Link.ETHERNET) {
            stmt(BPF_LD | BPF_H | BPF_ABS, 12);
        } else {
            stmt(BPF_LD | BPF_W | BPF_ABS, Bpf.SKF_AD_OFF + Bpf.SKF_AD_PROTOCOL);
        }
    }

    /** A jumps on to the next instruction when A is one of {@code protocols}, to {@code f} otherwise. */
    private void protocolIn(int[] protocols, Label f) {
        Label in = new Label();
        for (int i = 0; i < protocols.length; i++) {
            Label next = i + 1 < protocols.length ? new Label() : f;
            jump(BPF_JEQ, protocols[i], in, next);
            if (next != f) {
                place(next);
            }
        }
        place(in);
    }

    /** To {@code f} when the IPv4 fragment offset is not 0 (a later fragment: no transport header). */
    private void laterFragment(Label f) {
        Label first = new Label();
        stmt(BPF_LD | BPF_H | BPF_ABS, n + 6);
        jump(BPF_JSET, 0x1FFF, f, first);
        place(first);
    }

    private void addressEither(Address a, int source, int destination, Label t, Label f) {
        switch (a.direction()) {
            case SRC:
                addressMatch(a, n + source, t, f);
                break;
            case DST:
                addressMatch(a, n + destination, t, f);
                break;
            default: {
                Label other = new Label();
                addressMatch(a, n + source, t, other);
                place(other);
                addressMatch(a, n + destination, t, f);
            }
        }
    }

    /** The address at {@code at} (absolute) under the mask: word by word, most significant first. */
    private void addressMatch(Address a, int at, Label yes, Label no) {
        int[] words = a.words();
        int[] masks = a.masks();
        int lastWord = -1;
        for (int i = 0; i < words.length; i++) {
            if (masks[i] != 0) {
                lastWord = i;
            }
        }
        if (lastWord < 0) {
            ja(yes); // net 0.0.0.0/0: every address
            return;
        }
        for (int i = 0; i <= lastWord; i++) {
            if (masks[i] == 0) {
                continue;
            }
            stmt(BPF_LD | BPF_W | BPF_ABS, at + 4 * i);
            if (masks[i] != -1) {
                stmt(BPF_ALU | BPF_AND | BPF_K, masks[i]);
            }
            Label next = i == lastWord ? yes : new Label();
            jump(BPF_JEQ, words[i] & masks[i], next, no);
            if (next != yes) {
                place(next);
            }
        }
    }

    private void portEither(Port p, int mode, int at, Label t, Label f) {
        Direction d = p.direction();
        if (d == Direction.EITHER) {
            Label other = new Label();
            port(p, mode, at, t, other);
            place(other);
            port(p, mode, at + 2, t, f);
        } else {
            port(p, mode, d == Direction.SRC ? at : at + 2, t, f);
        }
    }

    private void port(Port p, int mode, int at, Label yes, Label no) {
        stmt(BPF_LD | BPF_H | mode, at);
        if (p.low() == p.high()) {
            jump(BPF_JEQ, p.low(), yes, no);
        } else {
            Label high = new Label();
            jump(BPF_JGE, p.low(), high, no);
            place(high);
            jump(BPF_JGT, p.high(), no, yes);
        }
    }

    private void field(Field fd, Label t, Label f) {
        int size = fd.size() == 1 ? BPF_B : fd.size() == 2 ? BPF_H : BPF_W;
        switch (fd.base()) {
            case IP:
                dispatch(() -> {
                    stmt(BPF_LD | size | BPF_ABS, n + fd.offset());
                    compare(fd, t, f);
                }, null, null, f);
                break;
            case ICMP:
            case TCP:
            case UDP: {
                int protocol = fd.base() == Base.TCP ? FilterNode.IPPROTO_TCP
                        : fd.base() == Base.UDP ? FilterNode.IPPROTO_UDP : FilterNode.IPPROTO_ICMP;
                dispatch(() -> {
                    stmt(BPF_LD | BPF_B | BPF_ABS, n + 9);
                    protocolIn(new int[] {protocol}, f);
                    laterFragment(f);
                    stmt(BPF_LDX | BPF_B | BPF_MSH, n);
                    stmt(BPF_LD | size | BPF_IND, n + fd.offset());
                    compare(fd, t, f);
                }, fd.base() == Base.ICMP ? null : () -> {
                    stmt(BPF_LD | BPF_B | BPF_ABS, n + 6);
                    protocolIn(new int[] {protocol}, f);
                    stmt(BPF_LD | size | BPF_ABS, n + IPV6_HEADER_BYTES + fd.offset());
                    compare(fd, t, f);
                }, null, f);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown field base " + fd.base());
        }
    }

    private void compare(Field fd, Label yes, Label no) {
        if (fd.mask() >= 0) {
            stmt(BPF_ALU | BPF_AND | BPF_K, (int) fd.mask());
        }
        int v = (int) fd.value();
        switch (fd.relation()) {
            case EQ: jump(BPF_JEQ, v, yes, no); break;
            case NE: jump(BPF_JEQ, v, no, yes); break;
            case GT: jump(BPF_JGT, v, yes, no); break;
            case GE: jump(BPF_JGE, v, yes, no); break;
            case LT: jump(BPF_JGE, v, no, yes); break;
            default: jump(BPF_JGT, v, no, yes); break; // LE
        }
    }

    // ---- assembly ----

    private static final class Label {
        int at = -1;
    }

    private static final class Insn {
        final int code;
        final int k;
        Label t;
        Label f;

        Insn(int code, int k, Label t, Label f) {
            this.code = code;
            this.k = k;
            this.t = t;
            this.f = f;
        }

        boolean conditional() {
            return (code & 0x07) == BPF_JMP && (code & 0xf0) != BPF_JA;
        }
    }

    private void stmt(int code, int k) {
        items.add(new Insn(code, k, null, null));
    }

    private void jump(int op, int k, Label t, Label f) {
        items.add(new Insn(BPF_JMP | op | BPF_K, k, t, f));
    }

    private void ja(Label target) {
        items.add(new Insn(BPF_JMP | BPF_JA, 0, target, null));
    }

    private void place(Label label) {
        items.add(label);
    }

    /**
     * Resolves the labels. A conditional jump reaches at most 255 instructions ahead; one that would reach
     * further goes through a {@code ja} (32-bit offset) placed right after it, and the layout is redone.
     */
    private long[] assemble() {
        while (true) {
            int count = layout();
            boolean moved = false;
            int pc = 0;
            for (int i = 0; i < items.size() && !moved; i++) {
                if (!(items.get(i) instanceof Insn insn)) {
                    continue;
                }
                if (insn.conditional()) {
                    int jt = insn.t.at - (pc + 1);
                    int jf = insn.f.at - (pc + 1);
                    if (jt < 0 || jf < 0) {
                        throw new IllegalStateException("backward jump at " + pc);
                    }
                    if (jt > 255 || jf > 255) {
                        int at = i + 1;
                        if (jt > 255) {
                            Label hop = new Label();
                            items.add(at++, hop);
                            items.add(at++, new Insn(BPF_JMP | BPF_JA, 0, insn.t, null));
                            insn.t = hop;
                        }
                        if (jf > 255) {
                            Label hop = new Label();
                            items.add(at++, hop);
                            items.add(at, new Insn(BPF_JMP | BPF_JA, 0, insn.f, null));
                            insn.f = hop;
                        }
                        moved = true;
                    }
                }
                pc++;
            }
            if (moved) {
                continue;
            }
            long[] program = new long[count];
            pc = 0;
            for (Object item : items) {
                if (item instanceof Insn insn) {
                    if (insn.conditional()) {
                        program[pc] = Bpf.insn(insn.code, insn.t.at - (pc + 1), insn.f.at - (pc + 1), insn.k);
                    } else if (insn.code == (BPF_JMP | BPF_JA)) {
                        program[pc] = Bpf.insn(insn.code, 0, 0, insn.t.at - (pc + 1));
                    } else {
                        program[pc] = Bpf.insn(insn.code, 0, 0, insn.k);
                    }
                    pc++;
                }
            }
            return program;
        }
    }

    /** Gives every label the index of the instruction after it; returns the instruction count. */
    private int layout() {
        int pc = 0;
        for (Object item : items) {
            if (item instanceof Label label) {
                label.at = pc;
            } else {
                pc++;
            }
        }
        return pc;
    }
}
