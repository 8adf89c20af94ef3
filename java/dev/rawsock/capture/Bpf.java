package dev.rawsock.capture;

/**
 * Classic BPF, the instruction set of SO_ATTACH_FILTER (linux/filter.h, and the BSD packet filter of
 * McCanne and Jacobson, 1993): opcodes, the Linux "ancillary" loads that read packet metadata instead of
 * packet bytes, one instruction packed in a {@code long} the way
 * {@link dev.rawsock.socket.PacketSocket#attachFilter(long[])} takes it ({@code code << 48 | jt << 40 |
 * jf << 32 | k}), and a disassembler in the style of {@code tcpdump -d}. The values are checked against
 * the C header by BpfConstantsTest.
 */
public final class Bpf {
    private Bpf() {}

    // Instruction classes.
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_MISC = 0x07;

    // Load sizes.
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;

    // Load modes.
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_LEN = 0x80;
    public static final int BPF_MSH = 0xa0;

    // ALU operations.
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;

    // Jumps.
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;

    // Operand sources.
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;
    /** BPF_RET | BPF_A: return the accumulator. */
    public static final int BPF_A = 0x10;

    // BPF_MISC operations.
    public static final int BPF_TAX = 0x00;
    public static final int BPF_TXA = 0x80;

    /** The most instructions the kernel takes in one program. */
    public static final int BPF_MAXINSNS = 4096;
    /** Scratch memory words M[0..15]. */
    public static final int BPF_MEMWORDS = 16;

    /**
     * Ancillary loads: {@code ld [SKF_AD_OFF + n]} reads packet metadata (Linux only). Offsets at or above
     * 2^32 - 4096, as an unsigned k.
     */
    public static final int SKF_AD_OFF = -0x1000;
    /** ntohs(skb->protocol): the EtherType the kernel gave the packet (for cooked and raw-IP sockets too). */
    public static final int SKF_AD_PROTOCOL = 0;
    /** skb->pkt_type: PACKET_HOST, PACKET_OUTGOING, ... */
    public static final int SKF_AD_PKTTYPE = 4;
    public static final int SKF_AD_IFINDEX = 8;
    /** skb->dev->type: the ARPHRD_ type of the interface (1 Ethernet, 772 loopback). */
    public static final int SKF_AD_HATYPE = 28;

    /** One instruction packed as SO_ATTACH_FILTER's sock_filter: code, jt, jf, k. */
    public static long insn(int code, int jt, int jf, int k) {
        if (code < 0 || code > 0xFFFF || jt < 0 || jt > 0xFF || jf < 0 || jf > 0xFF) {
            throw new IllegalArgumentException("instruction fields out of range: code=" + code + " jt=" + jt + " jf=" + jf);
        }
        return ((long) code << 48) | ((long) jt << 40) | ((long) jf << 32) | (k & 0xFFFF_FFFFL);
    }

    public static int code(long insn) {
        return (int) (insn >>> 48) & 0xFFFF;
    }

    public static int jt(long insn) {
        return (int) (insn >>> 40) & 0xFF;
    }

    public static int jf(long insn) {
        return (int) (insn >>> 32) & 0xFF;
    }

    public static int k(long insn) {
        return (int) insn;
    }

    /** The program as {@code tcpdump -d} prints one: {@code (002) ldb      [23]}, one instruction per line. */
    public static String disassemble(long[] program) {
        StringBuilder out = new StringBuilder(program.length * 40);
        for (int pc = 0; pc < program.length; pc++) {
            out.append(String.format("(%03d) ", pc)).append(instruction(program[pc], pc)).append('\n');
        }
        return out.toString();
    }

    /** One instruction's text; {@code pc} turns relative jumps into absolute targets. */
    public static String instruction(long insn, int pc) {
        int code = code(insn);
        int k = k(insn);
        String kText = Integer.toUnsignedString(k);
        switch (code & 0x07) {
            case BPF_LD: {
                String op = sizeName("ld", code);
                switch (code & 0xe0) {
                    case BPF_IMM: return pad(op) + "#0x" + Integer.toHexString(k);
                    case BPF_ABS: return pad(op) + (k < 0 && k >= SKF_AD_OFF ? ancillary(k) : "[" + kText + "]");
                    case BPF_IND: return pad(op) + "[x + " + kText + "]";
                    case BPF_MEM: return pad(op) + "M[" + kText + "]";
                    case BPF_LEN: return pad(op) + "#pktlen";
                    default: return unknown(code);
                }
            }
            case BPF_LDX:
                switch (code & 0xe0) {
                    case BPF_IMM: return pad("ldx") + "#0x" + Integer.toHexString(k);
                    case BPF_MEM: return pad("ldx") + "M[" + kText + "]";
                    case BPF_LEN: return pad("ldx") + "#pktlen";
                    case BPF_MSH: return pad("ldxb") + "4*([" + kText + "]&0xf)";
                    default: return unknown(code);
                }
            case BPF_ST: return pad("st") + "M[" + kText + "]";
            case BPF_STX: return pad("stx") + "M[" + kText + "]";
            case BPF_ALU: {
                String name;
                switch (code & 0xf0) {
                    case BPF_ADD: name = "add"; break;
                    case BPF_SUB: name = "sub"; break;
                    case BPF_MUL: name = "mul"; break;
                    case BPF_DIV: name = "div"; break;
                    case BPF_OR: name = "or"; break;
                    case BPF_AND: name = "and"; break;
                    case BPF_LSH: name = "lsh"; break;
                    case BPF_RSH: name = "rsh"; break;
                    case BPF_NEG: return "neg";
                    case BPF_MOD: name = "mod"; break;
                    case BPF_XOR: name = "xor"; break;
                    default: return unknown(code);
                }
                return pad(name) + ((code & BPF_X) != 0 ? "x" : "#0x" + Integer.toHexString(k));
            }
            case BPF_JMP: {
                if ((code & 0xf0) == BPF_JA) {
                    return pad("ja") + (pc + 1 + k);
                }
                String name;
                switch (code & 0xf0) {
                    case BPF_JEQ: name = "jeq"; break;
                    case BPF_JGT: name = "jgt"; break;
                    case BPF_JGE: name = "jge"; break;
                    case BPF_JSET: name = "jset"; break;
                    default: return unknown(code);
                }
                String operand = (code & BPF_X) != 0 ? "x" : "#0x" + Integer.toHexString(k);
                return String.format("%-17s jt %d\tjf %d", pad(name) + operand, pc + 1 + jt(insn), pc + 1 + jf(insn));
            }
            case BPF_RET:
                return pad("ret") + ((code & 0x18) == BPF_A ? "a" : "#" + kText);
            case BPF_MISC:
                return (code & 0xf8) == BPF_TXA ? "txa" : (code & 0xf8) == BPF_TAX ? "tax" : unknown(code);
            default:
                return unknown(code);
        }
    }

    private static String ancillary(int k) {
        switch (k - SKF_AD_OFF) {
            case SKF_AD_PROTOCOL: return "proto";
            case SKF_AD_PKTTYPE: return "type";
            case SKF_AD_IFINDEX: return "ifidx";
            case SKF_AD_HATYPE: return "hatype";
            default: return "#ancillary+" + (k - SKF_AD_OFF);
        }
    }

    private static String sizeName(String base, int code) {
        switch (code & 0x18) {
            case BPF_H: return base + "h";
            case BPF_B: return base + "b";
            default: return base;
        }
    }

    private static String pad(String op) {
        return String.format("%-9s", op);
    }

    private static String unknown(int code) {
        return String.format("unknown 0x%04x", code);
    }
}
