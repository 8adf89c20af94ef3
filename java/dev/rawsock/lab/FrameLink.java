package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.ArpView;
import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;

import java.nio.ByteBuffer;

/**
 * rawsock's end of the lab's wire: a packet socket (AF_PACKET, SOCK_RAW, ETH_P_ALL) opened inside the
 * crafting namespace and bound to veth-craft. Whole Ethernet frames go out through {@link #send} exactly
 * as written (the kernel adds nothing and checks nothing), and come in through {@link #receive}, which
 * skips the copies of our own frames the socket sees on the way out and answers ARP requests for
 * 198.18.0.1 itself (the lab's permanent neighbour entry makes them rare; an answer costs nothing).
 * Memory is allocated once; the buffers are reused for every frame.
 */
public final class FrameLink implements AutoCloseable {
    /** Receives what crosses the wire, in both directions, for transcripts and pcap files. */
    public interface Observer {
        void frame(boolean sent, long epochNanos, ByteBuffer frame, int offset, int length);
    }

    /** The largest frame kept: jumbo-sized, so nothing on a 1500-byte veth is ever cut. */
    public static final int MAX_FRAME_BYTES = 65_536;
    private static final int MAX_SKIPPED_PER_RECEIVE = 10_000;

    private final PacketSocket socket;
    private final int localAddress;
    private final long localMac;
    private final NativeBuffer out = NativeBuffer.allocate(MAX_FRAME_BYTES);
    private final NativeBuffer in = NativeBuffer.allocate(MAX_FRAME_BYTES);
    private final NativeBuffer arpReply = NativeBuffer.allocate(64);
    private final EthernetView eth = new EthernetView();
    private final ArpView arp = new ArpView();
    private final ArpView replyView = new ArpView();
    private final EthernetView replyEth = new EthernetView();
    private volatile Observer observer;
    private long arpAnswered;
    private long skipped;
    private boolean checksumNotReady;
    private long timestampNanos;

    private FrameLink(PacketSocket socket, int localAddress, long localMac) {
        this.socket = socket;
        this.localAddress = localAddress;
        this.localMac = localMac;
    }

    /** Opens the link on the lab's crafting side, speaking as 198.18.0.1 with veth-craft's MAC; the lab closes it. */
    public static FrameLink open(Lab lab, SocketApi api) throws LabException {
        PacketSocket s = openPacketSocket(lab, api);
        FrameLink link = new FrameLink(s, Lab.CRAFTING_ADDRESS, Lab.CRAFTING_MAC);
        lab.register(link);
        return link;
    }

    /**
     * A packet socket for every frame on veth-craft (ETH_P_ALL, whole frames), made inside the crafting
     * namespace; the caller closes it. Also what a test uses for an independent capture of the wire.
     */
    public static PacketSocket openPacketSocket(Lab lab, SocketApi api) throws LabException {
        int index = lab.craftingInterfaceIndex();
        return lab.inCrafting(() -> {
            PacketSocket s = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
            try {
                s.bindInterface(index);
            } catch (ErrnoException e) {
                s.close();
                throw e;
            }
            return s;
        });
    }

    public void observer(Observer observer) {
        this.observer = observer;
    }

    /** Where the next frame to send is written (from offset 0). */
    public ByteBuffer sendBuffer() {
        return out.buffer();
    }

    /** Sends the first {@code length} bytes of {@link #sendBuffer()} as one frame. */
    public void send(int length) throws ErrnoException {
        socket.send(out, 0, length);
        Observer o = observer;
        if (o != null) {
            o.frame(true, wallClockNanos(), out.buffer(), 0, length);
        }
    }

    /** The buffer {@link #receive} fills (from offset 0). */
    public ByteBuffer receiveBuffer() {
        return in.buffer();
    }

    /**
     * Waits up to {@code timeoutMillis} for a frame coming in from the target side and returns its stored
     * length, or -1 when none came in time. Our own outgoing frames and ARP requests (answered here) are
     * not returned.
     */
    public int receive(long timeoutMillis) throws ErrnoException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (int i = 0; i < MAX_SKIPPED_PER_RECEIVE; i++) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int n = socket.receive(in, 0, MAX_FRAME_BYTES, (int) Math.min(left, Integer.MAX_VALUE));
            if (n < 0) {
                return -1;
            }
            if (socket.outgoing()) {
                continue; // our own frame, seen on its way out
            }
            checksumNotReady = socket.checksumNotReady();
            timestampNanos = socket.timestampNanos();
            Observer o = observer;
            if (o != null) {
                o.frame(false, timestampNanos != 0 ? timestampNanos : wallClockNanos(), in.buffer(), 0, n);
            }
            if (answerArp(n)) {
                continue;
            }
            return n;
        }
        skipped += MAX_SKIPPED_PER_RECEIVE;
        return -1;
    }

    /** True when the last frame received carried a checksum the sending kernel had not filled in (offload). */
    public boolean checksumNotReady() {
        return checksumNotReady;
    }

    /** The kernel's receive time of the last frame, CLOCK_REALTIME nanoseconds (0 if unknown). */
    public long timestampNanos() {
        return timestampNanos;
    }

    /** ARP requests for our address answered so far. */
    public long arpAnswered() {
        return arpAnswered;
    }

    public PacketSocket packetSocket() {
        return socket;
    }

    private boolean answerArp(int n) throws ErrnoException {
        ByteBuffer b = in.buffer();
        if (n < EthernetView.HEADER_BYTES + ArpView.ETHERNET_IPV4_BYTES || eth.wrap(b, 0).etherType() != EtherTypes.ARP) {
            return false;
        }
        ArpView request = arp.wrap(b, EthernetView.HEADER_BYTES);
        if (request.operation() != ArpView.OPERATION_REQUEST || request.hardwareLength() != 6 || request.protocolLength() != 4
                || request.targetProtocolAddress() != localAddress) {
            return true; // ARP, but not a question for us: nothing to return to the caller either
        }
        ByteBuffer r = arpReply.buffer();
        replyEth.wrap(r, 0).destination(request.senderHardwareAddress()).source(localMac).etherType(EtherTypes.ARP);
        long askerMac = request.senderHardwareAddress();
        int askerAddress = request.senderProtocolAddress();
        int at = EthernetView.HEADER_BYTES;
        replyView.wrap(r, at).hardwareType(ArpView.HARDWARE_ETHERNET).protocolType(EtherTypes.IPV4)
                .hardwareLength(6).protocolLength(4).operation(ArpView.OPERATION_REPLY)
                .senderHardwareAddress(localMac).senderProtocolAddress(localAddress)
                .targetHardwareAddress(askerMac).targetProtocolAddress(askerAddress);
        int length = at + ArpView.ETHERNET_IPV4_BYTES;
        socket.send(arpReply, 0, length);
        arpAnswered++;
        Observer o = observer;
        if (o != null) {
            o.frame(true, wallClockNanos(), r, 0, length);
        }
        return true;
    }

    private static long wallClockNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void close() throws ErrnoException {
        socket.close();
    }

    @Override
    public String toString() {
        return "FrameLink(" + socket.socket() + ")";
    }
}
