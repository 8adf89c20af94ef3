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
 * Sends whole Ethernet frames, link header written by the caller, out of one interface on a packet socket
 * (AF_PACKET, SOCK_RAW; packet(7)), many per call through sendmmsg(2). The frames skip the kernel's IP output
 * path (no routing, no IP_HDRINCL rewrites: the bytes go out as built) and, with PACKET_QDISC_BYPASS, the
 * interface's queueing discipline too: the kernel hands each frame straight to the driver. Needs CAP_NET_RAW.
 *
 * <p>The socket is opened with protocol 0, so it receives nothing (no frame is ever queued for it); each
 * message names the interface and the frame's EtherType in its own sockaddr_ll. A flood of frames that the
 * kernel cannot queue fails with ENOBUFS rather than blocking (qdisc bypass drops at a full device queue).
 */
public final class PacketSender implements AutoCloseable {
    private final SocketApi api;
    private final Socket socket;
    private final LibC libc = Linux.libc();
    private final int interfaceIndex;
    private final boolean qdiscBypass;
    /** For messages: "packet socket on NAME (index N)", made once, not per call. */
    private final String where;
    /** The sockaddr_ll of {@link #send}: this interface, the EtherType of the last frame sent. */
    private final NativeBuffer destination = NativeBuffer.allocate(Structs.SockaddrLl.SIZE);
    private final jnr.ffi.Pointer destinationPointer = destination.pointer();
    private int destinationEtherType = -1;

    private PacketSender(SocketApi api, Socket socket, String interfaceName, int interfaceIndex, boolean qdiscBypass) {
        this.api = api;
        this.socket = socket;
        this.interfaceIndex = interfaceIndex;
        this.qdiscBypass = qdiscBypass;
        this.where = "packet socket on " + interfaceName + " (index " + interfaceIndex + ")";
        ByteBuffer d = destination.buffer();
        d.putShort(Structs.SockaddrLl.SLL_FAMILY, (short) Constants.AF_PACKET);
        d.putInt(Structs.SockaddrLl.SLL_IFINDEX, interfaceIndex);
    }

    /**
     * Opens a sender on the interface of that name, with PACKET_QDISC_BYPASS when {@code bypassQdisc}
     * (Linux 3.14+; refused with ENOPROTOOPT before).
     */
    public static PacketSender open(SocketApi api, String interfaceName, boolean bypassQdisc) throws ErrnoException {
        int index = PacketSocket.interfaceIndex(interfaceName);
        // Protocol 0 (IPPROTO_IP is the 0 of the Protocol table): a packet socket of protocol 0 hooks no
        // receive handler, so nothing arriving on the host is ever queued for this send-only socket.
        Socket s = api.socket(Domain.AF_PACKET, SocketType.SOCK_RAW, Protocol.IPPROTO_IP);
        try {
            if (bypassQdisc) {
                api.setsockopt(s, Constants.SOL_PACKET, Constants.PACKET_QDISC_BYPASS, new byte[] {1, 0, 0, 0});
            }
        } catch (ErrnoException e) {
            api.close(s);
            throw e;
        }
        return new PacketSender(api, s, interfaceName, index, bypassQdisc);
    }

    public Socket socket() {
        return socket;
    }

    public int interfaceIndex() {
        return interfaceIndex;
    }

    public boolean qdiscBypass() {
        return qdiscBypass;
    }

    /**
     * Sends one whole frame ({@code length} bytes at {@code offset} of {@code frame}, Ethernet header included)
     * through sendto(2), its EtherType {@code etherType} named in the sockaddr_ll; returns the bytes sent.
     * Allocation-free (the paced path of rawsock send --iface).
     */
    public int send(NativeBuffer frame, int offset, int length, int etherType) throws ErrnoException {
        int fd = socket.fdFor("sendto");
        if (etherType != destinationEtherType) {
            destination.buffer().putShort(Structs.SockaddrLl.SLL_PROTOCOL, networkOrder16(etherType));
            destinationEtherType = etherType;
        }
        long rc = Syscall.sendto(libc, fd, frame.pointer(offset), length, 0, destinationPointer, Structs.SockaddrLl.SIZE);
        if (rc < 0) {
            throw failure("sendto", (int) -rc);
        }
        return (int) rc;
    }

    /**
     * ENOBUFS from a packet socket is the device refusing the frame (net_xmit_errno): past the qdisc nothing
     * queues it, so a full transmit queue, or a device without carrier (a cable or veth peer down), drops it.
     */
    private ErrnoException failure(String call, int errno) {
        return Syscall.failure(call, errno, errno == dev.rawsock.linux.Errno.ENOBUFS.number
                ? where + ": the device did not take the frame (its transmit queue is full, or it has no carrier); "
                        + "with PACKET_QDISC_BYPASS nothing waits for room" : where);
    }

    /**
     * A sendmmsg(2) arena: {@code slots} frame buffers of {@code slotBytes} each, with their iovecs,
     * sockaddr_lls (this interface, EtherType {@code etherType}) and mmsghdrs wired once. Fill slots through
     * {@link Batch#buffer()} at {@link Batch#slotOffset}, set each one's length, then {@link Batch#send(int)}.
     * Nothing is allocated per frame.
     */
    public Batch batch(int slots, int slotBytes, int etherType) {
        return new Batch(slots, slotBytes, etherType);
    }

    public final class Batch extends MessageBatch {
        private Batch(int slots, int slotBytes, int etherType) {
            super(slots, slotBytes, 14, "an Ethernet header", Structs.SockaddrLl.SIZE, 0);
            ByteBuffer h = headers.buffer();
            for (int i = 0; i < slots; i++) {
                int sll = addressOffset(i);
                h.putShort(sll + Structs.SockaddrLl.SLL_FAMILY, (short) Constants.AF_PACKET);
                // struct fields are host order (DESIGN.md), sll_protocol is network order: swap on little-endian
                h.putShort(sll + Structs.SockaddrLl.SLL_PROTOCOL, networkOrder16(etherType));
                h.putInt(sll + Structs.SockaddrLl.SLL_IFINDEX, interfaceIndex);
            }
        }

        /** Sets how many bytes of slot {@code slot} go out (the whole frame, Ethernet header included). */
        public void set(int slot, int lengthBytes) {
            if (lengthBytes < 0 || lengthBytes > slotBytes) {
                throw new IllegalArgumentException("frame of " + lengthBytes + " bytes in a slot of " + slotBytes);
            }
            length(slot, lengthBytes);
        }

        /** Sends slots 0 to {@code count}-1, calling sendmmsg until all went or it fails; returns how many went. */
        public int send(int count) throws ErrnoException {
            try {
                return sendSlots(libc, socket.fdFor("sendmmsg"), 0, count, where);
            } catch (ErrnoException e) {
                throw e.errnoNumber() == dev.rawsock.linux.Errno.ENOBUFS.number ? failure("sendmmsg", e.errnoNumber()) : e;
            }
        }
    }

    private static short networkOrder16(int value) {
        short v = (short) value;
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? v : Short.reverseBytes(v);
    }

    @Override
    public void close() throws ErrnoException {
        api.close(socket);
    }
}
