package dev.rawsock.capture;

import static dev.rawsock.capture.Bpf.*;

/**
 * A classic BPF interpreter for the tests, written from the semantics of net/core/filter.c (and the BSD
 * bpf_filter): accumulator A, index X, scratch M[0..15], all 32-bit unsigned; loads of 1, 2 or 4 bytes,
 * big-endian, at k (ABS) or X+k (IND); {@code ldxb 4*([k]&0xf)} (MSH); a load past the end of the packet,
 * or a division by zero, ends the program with 0 (drop); the Linux ancillary loads at SKF_AD_OFF+n read
 * the metadata given here (protocol, packet type, device type, interface index). Jumps are relative and
 * forward. Independent of {@link BpfCompiler}: it knows nothing of filters.
 */
final class BpfInterpreter {
    /** What the kernel knows about a packet besides its bytes. */
    record Metadata(int protocol, int packetType, int hardwareType, int interfaceIndex) {
        static Metadata of(int protocol) {
            return new Metadata(protocol, 0, 1, 1);
        }
    }

    private BpfInterpreter() {}

    /**
     * Checks a program the way the kernel's bpf_check_classic does: 1 to 4096 instructions, known opcodes,
     * jumps inside the program, scratch indices below 16, no constant division by zero, and a return at the
     * end. Returns null when valid, else the problem.
     */
    static String check(long[] program) {
        if (program.length == 0 || program.length > BPF_MAXINSNS) {
            return "length " + program.length;
        }
        for (int pc = 0; pc < program.length; pc++) {
            long insn = program[pc];
            int code = code(insn);
            int k = k(insn);
            switch (code & 0x07) {
                case BPF_LD:
                case BPF_LDX: {
                    int mode = code & 0xe0;
                    if (mode == BPF_MEM && Integer.compareUnsigned(k, BPF_MEMWORDS) >= 0) {
                        return pc + ": scratch index " + k;
                    }
                    if (mode != BPF_IMM && mode != BPF_ABS && mode != BPF_IND && mode != BPF_MEM && mode != BPF_LEN
                            && mode != BPF_MSH) {
                        return pc + ": load mode 0x" + Integer.toHexString(mode);
                    }
                    break;
                }
                case BPF_ST:
                case BPF_STX:
                    if (Integer.compareUnsigned(k, BPF_MEMWORDS) >= 0) {
                        return pc + ": scratch index " + k;
                    }
                    break;
                case BPF_ALU:
                    if (((code & 0xf0) == BPF_DIV || (code & 0xf0) == BPF_MOD) && (code & BPF_X) == 0 && k == 0) {
                        return pc + ": division by constant 0";
                    }
                    break;
                case BPF_JMP:
                    if ((code & 0xf0) == BPF_JA) {
                        if (Integer.toUnsignedLong(k) >= program.length - pc - 1) {
                            return pc + ": ja out of the program";
                        }
                    } else if (pc + 1 + jt(insn) >= program.length || pc + 1 + jf(insn) >= program.length) {
                        return pc + ": jump out of the program";
                    }
                    break;
                default:
                    break;
            }
        }
        if ((code(program[program.length - 1]) & 0x07) != BPF_RET) {
            return "the last instruction is not a return";
        }
        return null;
    }

    /** Runs {@code program} over {@code length} bytes at {@code offset} of {@code data}; returns what it returns (0: drop). */
    static long run(long[] program, byte[] data, int offset, int length, Metadata md) {
        int a = 0;
        int x = 0;
        int[] m = new int[BPF_MEMWORDS];
        int pc = 0;
        for (int steps = 0; steps <= program.length; steps++) {
            long insn = program[pc];
            int code = code(insn);
            int k = k(insn);
            pc++;
            switch (code & 0x07) {
                case BPF_LD:
                    switch (code & 0xe0) {
                        case BPF_IMM: a = k; break;
                        case BPF_LEN: a = length; break;
                        case BPF_MEM: a = m[k]; break;
                        case BPF_ABS:
                            if (k < 0 && k >= SKF_AD_OFF) {
                                Integer v = ancillary(k - SKF_AD_OFF, md);
                                if (v == null) {
                                    throw new IllegalStateException("ancillary load " + (k - SKF_AD_OFF) + " not modelled");
                                }
                                a = v;
                                break;
                            }
                            // fall through: an absolute load is an indirect one with X = 0
                        case BPF_IND: {
                            long at = ((code & 0xe0) == BPF_IND ? Integer.toUnsignedLong(x) : 0) + Integer.toUnsignedLong(k);
                            int size = sizeOf(code);
                            if (at + size > length) {
                                return 0;
                            }
                            a = (int) load(data, offset + (int) at, size);
                            break;
                        }
                        default: throw new IllegalStateException("bad load " + code);
                    }
                    break;
                case BPF_LDX:
                    switch (code & 0xe0) {
                        case BPF_IMM: x = k; break;
                        case BPF_LEN: x = length; break;
                        case BPF_MEM: x = m[k]; break;
                        case BPF_MSH:
                            if (Integer.toUnsignedLong(k) + 1 > length) {
                                return 0;
                            }
                            x = (data[offset + k] & 0xF) * 4;
                            break;
                        default: throw new IllegalStateException("bad ldx " + code);
                    }
                    break;
                case BPF_ST: m[k] = a; break;
                case BPF_STX: m[k] = x; break;
                case BPF_ALU: {
                    int operand = (code & BPF_X) != 0 ? x : k;
                    switch (code & 0xf0) {
                        case BPF_ADD: a += operand; break;
                        case BPF_SUB: a -= operand; break;
                        case BPF_MUL: a *= operand; break;
                        case BPF_DIV:
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, operand);
                            break;
                        case BPF_MOD:
                            if (operand == 0) {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, operand);
                            break;
                        case BPF_OR: a |= operand; break;
                        case BPF_AND: a &= operand; break;
                        case BPF_XOR: a ^= operand; break;
                        case BPF_LSH: a = operand >= 32 || operand < 0 ? 0 : a << operand; break;
                        case BPF_RSH: a = operand >= 32 || operand < 0 ? 0 : a >>> operand; break;
                        case BPF_NEG: a = -a; break;
                        default: throw new IllegalStateException("bad alu " + code);
                    }
                    break;
                }
                case BPF_JMP: {
                    int op = code & 0xf0;
                    if (op == BPF_JA) {
                        pc += k;
                        break;
                    }
                    int operand = (code & BPF_X) != 0 ? x : k;
                    boolean taken;
                    switch (op) {
                        case BPF_JEQ: taken = a == operand; break;
                        case BPF_JGT: taken = Integer.compareUnsigned(a, operand) > 0; break;
                        case BPF_JGE: taken = Integer.compareUnsigned(a, operand) >= 0; break;
                        case BPF_JSET: taken = (a & operand) != 0; break;
                        default: throw new IllegalStateException("bad jump " + code);
                    }
                    pc += taken ? jt(insn) : jf(insn);
                    break;
                }
                case BPF_RET:
                    return Integer.toUnsignedLong((code & 0x18) == BPF_A ? a : k);
                case BPF_MISC:
                    if ((code & 0xf8) == BPF_TAX) {
                        x = a;
                    } else {
                        a = x;
                    }
                    break;
                default:
                    throw new IllegalStateException("bad class " + code);
            }
        }
        throw new IllegalStateException("ran past the end (jumps are forward, so this is a bug)");
    }

    private static Integer ancillary(int what, Metadata md) {
        switch (what) {
            case SKF_AD_PROTOCOL: return md.protocol();
            case SKF_AD_PKTTYPE: return md.packetType();
            case SKF_AD_HATYPE: return md.hardwareType();
            case SKF_AD_IFINDEX: return md.interfaceIndex();
            default: return null;
        }
    }

    private static int sizeOf(int code) {
        switch (code & 0x18) {
            case BPF_H: return 2;
            case BPF_B: return 1;
            default: return 4;
        }
    }

    private static long load(byte[] d, int at, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (d[at + i] & 0xFF);
        }
        return v;
    }
}
