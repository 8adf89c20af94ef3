package dev.rawsock.capture;

/**
 * A compiled classic BPF program: the instructions packed as {@link Bpf#insn} makes them (what
 * {@link dev.rawsock.socket.PacketSocket#attachFilter(long[])} takes), and the link it was compiled for.
 */
public record BpfProgram(long[] instructions, BpfCompiler.Link link) {
    public int length() {
        return instructions.length;
    }

    /** The program as {@code tcpdump -d} prints one. */
    public String text() {
        return Bpf.disassemble(instructions);
    }

    @Override
    public String toString() {
        return text();
    }
}
