package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** What packet and raw-IP sockets share: attaching a classic BPF filter, and sizing the receive buffer. */
final class SocketFilters {
    private SocketFilters() {}

    /**
     * SO_ATTACH_FILTER (socket(7)) with a program packed as {@code code << 48 | jt << 40 | jf << 32 | k} per
     * instruction. The kernel checks the program, refuses a bad one (EINVAL), and copies it: our memory may go.
     * Attaching replaces the program attached before, atomically.
     */
    static void attach(LibC libc, Socket socket, long[] instructions) throws ErrnoException {
        if (instructions.length == 0 || instructions.length > 0xFFFF) {
            throw new IllegalArgumentException("a filter needs 1-65535 instructions, not " + instructions.length);
        }
        NativeBuffer program = NativeBuffer.allocate(instructions.length * Structs.SockFilter.SIZE);
        ByteBuffer p = program.buffer();
        for (int i = 0; i < instructions.length; i++) {
            long insn = instructions[i];
            int at = i * Structs.SockFilter.SIZE;
            p.putShort(at + Structs.SockFilter.CODE, (short) (insn >>> 48));
            p.put(at + Structs.SockFilter.JT, (byte) (insn >>> 40));
            p.put(at + Structs.SockFilter.JF, (byte) (insn >>> 32));
            p.putInt(at + Structs.SockFilter.K, (int) insn);
        }
        NativeBuffer fprog = NativeBuffer.allocate(Structs.SockFprog.SIZE);
        fprog.buffer().putShort(Structs.SockFprog.LEN, (short) instructions.length);
        fprog.buffer().putLong(Structs.SockFprog.FILTER, program.address());
        int fd = socket.fdFor("setsockopt");
        if (libc.setsockopt(fd, Constants.SOL_SOCKET, Constants.SO_ATTACH_FILTER, fprog.address(), Structs.SockFprog.SIZE) < 0) {
            int errno = Syscall.errno();
            String detail = instructions.length + " instructions";
            if (errno == dev.rawsock.linux.Errno.ENOMEM.number) {
                // sk_filter_charge: the program, as the kernel translates it, must fit in net.core.optmem_max
                // (counted together with the program it replaces, until that one is released).
                detail += ", more than the kernel lets one socket hold (net.core.optmem_max): simplify the filter";
            }
            throw Syscall.failure("setsockopt SO_ATTACH_FILTER", errno, detail);
        }
    }

    /** SO_RCVBUFFORCE (CAP_NET_ADMIN; beyond net.core.rmem_max), else SO_RCVBUF; returns what the kernel granted. */
    static int receiveBufferSize(SocketApi api, Socket socket, int bytes) throws ErrnoException {
        byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, bytes).array();
        try {
            api.setsockopt(socket, Constants.SOL_SOCKET, Constants.SO_RCVBUFFORCE, value);
        } catch (ErrnoException notAllowed) {
            if (!notAllowed.notPermitted()) {
                throw notAllowed;
            }
            api.setsockopt(socket, SocketOptions.SO_RCVBUF, bytes);
        }
        return api.getsockopt(socket, SocketOptions.SO_RCVBUF);
    }
}
