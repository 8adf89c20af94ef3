package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;

/**
 * Sends whole IPv4 packets, header included, on a raw socket (AF_INET, SOCK_RAW, IPPROTO_RAW: IP_HDRINCL
 * is implied, raw(7)). Linux then rewrites the IP checksum and total length, and fills in the id and
 * source when they are 0. One packet at a time through sendto(2), or many per call through sendmmsg(2)
 * from a preallocated {@link Batch}; neither allocates per packet. Needs CAP_NET_RAW.
 */
public final class RawSender implements Ipv4Sender {
    private final SocketApi api;
    private final Socket socket;
    private final LibC libc = Linux.libc();
    private final NativeBuffer destination = NativeBuffer.allocate(Structs.SockaddrIn.SIZE);
    private final jnr.ffi.Pointer destinationPointer = destination.pointer();

    private RawSender(SocketApi api, Socket socket) {
        this.api = api;
        this.socket = socket;
        destination.buffer().putShort(Structs.SockaddrIn.SIN_FAMILY, (short) Constants.AF_INET);
    }

    public static RawSender open(SocketApi api) throws ErrnoException {
        return new RawSender(api, api.socket(Domain.AF_INET, SocketType.SOCK_RAW, Protocol.IPPROTO_RAW));
    }

    public Socket socket() {
        return socket;
    }

    /** Sends {@code length} bytes at {@code offset} of {@code packet} to IPv4 {@code destination}; returns bytes sent. */
    @Override
    public int send(NativeBuffer packet, int offset, int length, int destinationAddress) throws ErrnoException {
        int fd = socket.fdFor("sendto");
        destination.buffer().putInt(Structs.SockaddrIn.SIN_ADDR, networkOrder(destinationAddress));
        long rc = Syscall.sendto(libc, fd, packet.pointer(offset), length, 0, destinationPointer, Structs.SockaddrIn.SIZE);
        if (rc < 0) {
            throw Syscall.failure("sendto", (int) -rc, null);
        }
        return (int) rc;
    }

    /** The address as sin_addr holds it in native memory: network byte order. */
    private static int networkOrder(int address) {
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? address : Integer.reverseBytes(address);
    }

    /**
     * A sendmmsg(2) arena: {@code slots} packet buffers of {@code slotBytes} each, with their iovecs,
     * sockaddrs and mmsghdrs wired once. Fill slots through {@link #buffer()} at {@link #slotOffset},
     * set each one's length and destination, then {@link #send(int)} them in one call (or a few).
     */
    public Batch batch(int slots, int slotBytes) {
        return new Batch(slots, slotBytes);
    }

    public final class Batch extends MessageBatch {
        private Batch(int slots, int slotBytes) {
            super(slots, slotBytes, 1, "a packet", Structs.SockaddrIn.SIZE, 0);
            ByteBuffer h = headers.buffer();
            for (int i = 0; i < slots; i++) {
                h.putShort(addressOffset(i) + Structs.SockaddrIn.SIN_FAMILY, (short) Constants.AF_INET);
            }
        }

        /** Sets how many bytes of slot {@code slot} go out, and to which IPv4 address. */
        public void set(int slot, int lengthBytes, int destinationAddress) {
            length(slot, lengthBytes);
            headers.buffer().putInt(addressOffset(slot) + Structs.SockaddrIn.SIN_ADDR, networkOrder(destinationAddress));
        }

        /** Sends slots 0 to {@code count}-1, calling sendmmsg until all went or it fails; returns how many went. */
        public int send(int count) throws ErrnoException {
            return sendSlots(libc, socket.fdFor("sendmmsg"), 0, count, null);
        }
    }

    @Override
    public void close() throws ErrnoException {
        api.close(socket);
    }
}
