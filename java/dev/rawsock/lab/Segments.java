package dev.rawsock.lab;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Shutdown;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.SocketType;
import dev.rawsock.socket.TcpInfo;
import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * "A stream cut into segments carried in IP packets", live: a kernel TCP connection inside a lab
 * ({@link Lab.Topology#directWithAddresses()}: the client's socket in the crafting namespace on
 * 198.18.0.1, the server's in the target namespace on 198.18.0.2, both made through {@link SocketApi}),
 * one write(2) of N bytes with an MSS chosen by setsockopt(TCP_MAXSEG) before connect(2), and every
 * frame on the wire captured by a packet socket on the receiving side's veth (veth-target, in the target
 * namespace): what arrived there is what the server's kernel reassembled into the stream it read.
 *
 * <p>Segmentation offload: the lab switches tx checksum offload off on both veth ends, which switches
 * TSO off too, so the sender's kernel cuts the stream into MSS-sized segments in software (GSO) before
 * the veth and every frame is one real segment. {@link Result#largerThanMss()} counts frames that
 * carry more than one segment's worth all the same (it stays 0; a test checks).
 *
 * <p>Bounded: at most {@link #MAX_BYTES}, every wait ends at the settings' timeout, the capture stops at
 * the client's FIN or the deadline.
 */
public final class Segments {
    /** The most one run writes: 1 MiB (what one write(2) through {@link SocketApi} takes in one call). */
    public static final int MAX_BYTES = 1 << 20;
    /** TCP_MAXSEG's range on Linux (TCP_MIN_MSS 88 to MAX_TCP_WINDOW 32767, tcp(7)). */
    public static final int MIN_MSS = 88;
    public static final int MAX_MSS = 32767;
    /** The discard service (RFC 863): the server reads and keeps nothing but a count (and here, the bytes). */
    public static final int DEFAULT_PORT = 9;

    /** What to run: {@code bytes} in one write, {@code mss} set with TCP_MAXSEG (0: leave the kernel's). */
    public record Settings(int bytes, int mss, int port, Duration timeout) {
        public Settings {
            if (bytes < 0 || bytes > MAX_BYTES) {
                throw new IllegalArgumentException("bytes must be 0-" + MAX_BYTES + " but was " + bytes);
            }
            if (mss != 0 && (mss < MIN_MSS || mss > MAX_MSS)) {
                throw new IllegalArgumentException("the MSS must be " + MIN_MSS + "-" + MAX_MSS + " (TCP_MAXSEG, tcp(7)) but was " + mss);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1-65535 but was " + port);
            }
        }
    }

    /** Who sent a frame. */
    public enum Sender { CLIENT, SERVER }

    /**
     * One TCP segment of the connection as captured, inside its IP packet. {@code relativeSequence} counts
     * from the sender's ISN (the SYN is 0, the first data byte 1); {@code newBytes} are the data bytes not
     * seen before (0 for a retransmission), {@code runningTotal} the stream bytes delivered so far by the
     * sender, after this segment, and {@code outOfOrder} marks new bytes that arrived after later ones.
     */
    public record Segment(int frameNumber, Sender sender, long nanos, int ipPacketBytes, int ipHeaderBytes,
                          int tcpHeaderBytes, int dataBytes, int flags, long sequence, long relativeSequence,
                          int newBytes, long runningTotal, boolean outOfOrder, byte[] frame) {
        /** TCP options: the header beyond its fixed 20 bytes. */
        public int optionBytes() {
            return tcpHeaderBytes - TcpView.MIN_HEADER_BYTES;
        }

        public boolean retransmission() {
            return dataBytes > 0 && newBytes < dataBytes;
        }
    }

    /** Everything one run saw and what the kernel said about it. */
    public record Result(Settings settings, InetSocketAddress client, InetSocketAddress server, List<Segment> segments,
                         int written, int writeCalls, byte[] serverRead, byte[] captured, int mssReadBack, TcpInfo clientInfo,
                         long captureDrops, boolean sawClientFin, List<String> clientCalls, String captureInterface,
                         String captureNamespace) {
        /** The client's segments that carried data (retransmissions included). */
        public List<Segment> dataSegments() {
            return segments.stream().filter(s -> s.sender() == Sender.CLIENT && s.dataBytes() > 0).toList();
        }

        /** The new data bytes the captured segments carried, summed: equals the bytes written when all went well. */
        public long dataTotal() {
            return segments.stream().filter(s -> s.sender() == Sender.CLIENT).mapToLong(Segment::newBytes).sum();
        }

        /** The data bytes per full segment: TCP_INFO tcpi_snd_mss (the MSS less the options every segment carries). */
        public int fullSegmentBytes() {
            return clientInfo != null ? (int) clientInfo.sndMssBytes() : 0;
        }

        /** Frames whose data exceeds one full segment (offload merging segments): 0 when every frame is real. */
        public long largerThanMss() {
            int full = fullSegmentBytes();
            return full <= 0 ? 0 : dataSegments().stream().filter(s -> s.dataBytes() > full).count();
        }

        public long retransmissions() {
            return dataSegments().stream().filter(Segment::retransmission).count();
        }
    }

    private static final int SNAP_BYTES = 65_536;
    private static final long CAPTURE_GRACE_NANOS = 2_000_000_000L;
    private static final int MIN_CAPTURE_BUFFER = 1 << 20;
    private static final int MAX_CAPTURE_BUFFER = 64 << 20;

    /** The capture socket's buffer: every data segment and an ACK for each, at up to 4 KiB of kernel memory each. */
    static int captureBuffer(Settings settings) {
        int mss = settings.mss() > 0 ? Math.min(settings.mss(), 1460) : 1460;
        long segments = settings.bytes() / Math.max(1, mss - 52) + 16;
        return (int) Math.max(MIN_CAPTURE_BUFFER, Math.min(MAX_CAPTURE_BUFFER, segments * 2 * 4096));
    }

    private static byte[] nativeInt(int value) {
        return java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt(value).array();
    }
    private static final int MAX_FRAMES = 100_000;

    private Segments() {}

    /** The bytes written: a repeating, readable pattern (the stream's offset is easy to see in a dump). */
    public static byte[] pattern(int bytes) {
        byte[] data = new byte[bytes];
        String text = "a stream cut into segments carried in IP packets. ";
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) text.charAt(i % text.length());
        }
        return data;
    }

    /**
     * Runs one connection in {@code lab}, which must give the crafting side a kernel address
     * ({@link Lab.Topology#directWithAddresses()}). {@code trace} receives the client's socket calls as C.
     */
    public static Result run(Lab lab, Settings settings, dev.rawsock.socket.CallTrace trace) throws LabException, ErrnoException {
        if (!lab.topology().craftingAddress()) {
            throw new IllegalArgumentException("segments needs a lab whose crafting side owns 198.18.0.1 (a kernel client)");
        }
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        SocketApi api = SocketApi.create();
        List<String> calls = new ArrayList<>();
        SocketApi clientApi = SocketApi.traced(line -> {
            synchronized (calls) {
                calls.add(line);
            }
            if (trace != null) {
                trace.call(line);
            }
        });
        int finalLink = lab.topology().links() - 1;
        String targetInterface = lab.rightInterface(finalLink);
        InetSocketAddress serverAddress = new InetSocketAddress(LabTarget.address(lab.targetAddress()), settings.port());

        // The capture first, so it sees the SYN: a packet socket on the receiving side's veth, inside the target namespace.
        PacketSocket capture = lab.inTarget(() -> {
            PacketSocket s = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
            try {
                s.bindInterface(PacketSocket.interfaceIndex(targetInterface));
                // Room for the whole transfer's frames, so a capture thread that the scheduler holds back
                // for a moment loses nothing (SO_RCVBUFFORCE: root may exceed net.core.rmem_max).
                api.setsockopt(s.socket(), Constants.SOL_SOCKET, Constants.SO_RCVBUFFORCE, nativeInt(captureBuffer(settings)));
            } catch (ErrnoException e) {
                s.close();
                throw e;
            }
            return s;
        });
        lab.register(capture);
        Socket listener = lab.inTarget(() -> {
            Socket s = api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
            try {
                api.setsockopt(s, SocketOptions.SO_REUSEADDR, true);
                api.bind(s, serverAddress);
                api.listen(s, 4);
            } catch (ErrnoException e) {
                s.close();
                throw e;
            }
            return s;
        });
        lab.register(listener);
        Socket client = lab.inCrafting(() -> clientApi.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP));
        lab.register(client);

        Capture frames = new Capture(capture, deadline);
        Server server = new Server(api, listener, deadline, settings.bytes());
        Thread captureThread = daemon(frames, "rawsock-segments-capture");
        Thread serverThread = daemon(server, "rawsock-segments-server");
        try {
            if (settings.mss() > 0) {
                clientApi.setsockopt(client, SocketOptions.TCP_MAXSEG, settings.mss());
            }
            clientApi.connect(client, serverAddress);
            InetSocketAddress local = clientApi.getsockname(client);
            frames.clientPort = local.getPort();
            int mssReadBack = clientApi.getsockopt(client, SocketOptions.TCP_MAXSEG);
            byte[] data = pattern(settings.bytes());
            // One write(2) of all N bytes: a blocking socket returns when the kernel has taken every byte.
            int written = 0;
            int writeCalls = 0;
            do {
                written += clientApi.write(client, data, written, data.length - written);
                writeCalls++;
            } while (written < data.length && writeCalls < 64 && System.nanoTime() < deadline);
            clientApi.shutdown(client, Shutdown.WRITE);
            join(serverThread, deadline);
            TcpInfo info = clientApi.getsockopt(client, SocketOptions.TCP_INFO);
            // The server has read the end of the stream, so the FIN has crossed the capture point: give the
            // capture a moment to read it, not the whole timeout.
            join(captureThread, Math.min(deadline, System.nanoTime() + CAPTURE_GRACE_NANOS));
            frames.stop = true;
            long drops = capture.statistics().drops();
            List<Segment> segments = frames.segments(lab.craftingAddress(), local.getPort());
            byte[] captured = reassemble(segments, settings.bytes());
            List<String> clientCalls;
            synchronized (calls) {
                clientCalls = List.copyOf(calls);
            }
            if (server.failure != null) {
                throw server.failure;
            }
            return new Result(settings, local, serverAddress, segments, written, writeCalls, server.received(), captured,
                    mssReadBack, info, drops + frames.lost, frames.sawClientFin, clientCalls, targetInterface, lab.targetNamespace());
        } finally {
            frames.stop = true;
            server.stop = true;
            clientApi.close(client);
            api.close(listener);
            join(serverThread, System.nanoTime() + 1_000_000_000L);
            join(captureThread, System.nanoTime() + 1_000_000_000L);
            capture.close();
        }
    }

    /** The client's data bytes in stream order, from the captured segments (sequence numbers, not arrival order). */
    private static byte[] reassemble(List<Segment> segments, int bytes) {
        byte[] stream = new byte[bytes];
        for (Segment s : segments) {
            if (s.sender() != Sender.CLIENT || s.dataBytes() == 0) {
                continue;
            }
            long start = s.relativeSequence() - 1; // the SYN took sequence number 0
            int dataOffset = EthernetView.HEADER_BYTES + s.ipHeaderBytes() + s.tcpHeaderBytes();
            for (int i = 0; i < s.dataBytes(); i++) {
                long at = start + i;
                if (at >= 0 && at < bytes && dataOffset + i < s.frame().length) {
                    stream[(int) at] = s.frame()[dataOffset + i];
                }
            }
        }
        return stream;
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t, long deadline) {
        try {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server: accept one connection, read until end of stream, keep what it read. */
    private static final class Server implements Runnable {
        private final SocketApi api;
        private final Socket listener;
        private final long deadline;
        private final ByteArrayOutputStream received;
        volatile boolean stop;
        volatile ErrnoException failure;

        Server(SocketApi api, Socket listener, long deadline, int expected) {
            this.api = api;
            this.listener = listener;
            this.deadline = deadline;
            this.received = new ByteArrayOutputStream(Math.max(16, expected));
        }

        synchronized byte[] received() {
            return received.toByteArray();
        }

        @Override
        public void run() {
            Socket s = null;
            try {
                while (!stop && System.nanoTime() < deadline && s == null) {
                    if ((api.poll(listener, Constants.POLLIN, 50) & Constants.POLLIN) != 0) {
                        Accepted a = api.accept(listener);
                        s = a.socket();
                    }
                }
                byte[] buffer = new byte[65_536];
                while (s != null && !stop && System.nanoTime() < deadline) {
                    if ((api.poll(s, Constants.POLLIN, 50) & Constants.POLLIN) == 0) {
                        continue;
                    }
                    int n = api.read(s, buffer, buffer.length);
                    if (n == 0) {
                        break; // the client's FIN: the end of the stream
                    }
                    synchronized (this) {
                        received.write(buffer, 0, n);
                    }
                }
            } catch (ErrnoException e) {
                failure = e;
            } finally {
                if (s != null) {
                    try {
                        s.close();
                    } catch (ErrnoException ignored) {
                        // idempotent close
                    }
                }
            }
        }
    }

    /** Reads every frame on the receiving side's veth until the client's FIN has passed, or the deadline. */
    private static final class Capture implements Runnable {
        private final PacketSocket socket;
        private final long deadline;
        private final NativeBuffer buffer = NativeBuffer.allocate(SNAP_BYTES);
        private final List<byte[]> frames = new ArrayList<>();
        private final List<Long> times = new ArrayList<>();
        volatile int clientPort = -1;
        volatile boolean stop;
        volatile boolean sawClientFin;
        long lost;

        Capture(PacketSocket socket, long deadline) {
            this.socket = socket;
            this.deadline = deadline;
        }

        @Override
        public void run() {
            EthernetView eth = new EthernetView();
            Ipv4View ip = new Ipv4View();
            TcpView tcp = new TcpView();
            try {
                while (!stop && System.nanoTime() < deadline && frames.size() < MAX_FRAMES) {
                    int n = socket.receive(buffer, 0, SNAP_BYTES, 50);
                    if (n < 0) {
                        continue;
                    }
                    if (socket.originalLength() > n) {
                        lost++;
                    }
                    byte[] frame = new byte[n];
                    buffer.buffer().get(0, frame);
                    synchronized (this) {
                        frames.add(frame);
                        times.add(socket.timestampNanos());
                    }
                    ByteBuffer b = ByteBuffer.wrap(frame);
                    if (n >= EthernetView.HEADER_BYTES + Ipv4View.MIN_HEADER_BYTES + TcpView.MIN_HEADER_BYTES
                            && eth.wrap(b, 0).etherType() == EtherTypes.IPV4 && ip.wrap(b, EthernetView.HEADER_BYTES).protocol() == 6) {
                        tcp.wrap(b, EthernetView.HEADER_BYTES + ip.headerLengthBytes());
                        if ((tcp.flags() & TcpFlags.FIN) != 0 && tcp.sourcePort() == clientPort) {
                            sawClientFin = true;
                            return;
                        }
                    }
                }
            } catch (ErrnoException e) {
                lost++;
            }
        }

        synchronized List<Segment> segments(int clientAddress, int port) {
            return Segments.segments(frames, times, clientAddress, port);
        }
    }

    /**
     * The connection's TCP segments in {@code frames} (Ethernet), client's and server's, numbered in capture
     * order; the client is {@code clientAddress}:{@code port}.
     */
    static List<Segment> segments(List<byte[]> frames, List<Long> times, int clientAddress, int port) {
        EthernetView eth = new EthernetView();
        Ipv4View ip = new Ipv4View();
        TcpView tcp = new TcpView();
        List<Segment> out = new ArrayList<>();
        long clientIsn = -1;
        long serverIsn = -1;
        java.util.BitSet clientSeen = new java.util.BitSet(); // stream offsets seen so far (relative sequence numbers)
        java.util.BitSet serverSeen = new java.util.BitSet();
        long clientHighest = 0; // one past the highest offset seen
        long serverHighest = 0;
        long clientTotal = 0;
        long serverTotal = 0;
        int number = 0;
        for (int f = 0; f < frames.size(); f++) {
            byte[] frame = frames.get(f);
            ByteBuffer b = ByteBuffer.wrap(frame);
            if (frame.length < EthernetView.HEADER_BYTES + Ipv4View.MIN_HEADER_BYTES
                    || eth.wrap(b, 0).etherType() != EtherTypes.IPV4) {
                continue;
            }
            ip.wrap(b, EthernetView.HEADER_BYTES);
            int ipHeader = ip.headerLengthBytes();
            if (ip.protocol() != 6 || frame.length < EthernetView.HEADER_BYTES + ipHeader + TcpView.MIN_HEADER_BYTES) {
                continue;
            }
            tcp.wrap(b, EthernetView.HEADER_BYTES + ipHeader);
            boolean fromClient = ip.source() == clientAddress && tcp.sourcePort() == port;
            boolean fromServer = ip.destination() == clientAddress && tcp.destinationPort() == port;
            if (!fromClient && !fromServer) {
                continue;
            }
            int tcpHeader = tcp.headerLengthBytes();
            int total = ip.totalLength(); // not the frame: Ethernet pads short frames to 60 bytes
            int data = Math.max(0, total - ipHeader - tcpHeader);
            int flags = tcp.flags();
            long seq = tcp.sequenceNumber();
            if ((flags & TcpFlags.SYN) != 0) {
                if (fromClient) {
                    clientIsn = seq;
                } else {
                    serverIsn = seq;
                }
            }
            long isn = fromClient ? clientIsn : serverIsn;
            long relative = isn < 0 ? seq : (seq - isn) & 0xFFFF_FFFFL;
            int fresh = 0;
            boolean outOfOrder = false;
            if (data > 0 && isn >= 0) {
                // Bytes not seen before, wherever they fall: on a veth, segments the sender's thread queued on
                // two CPUs (it moved between them) can arrive out of order; a retransmission brings none.
                java.util.BitSet seen = fromClient ? clientSeen : serverSeen;
                long highest = fromClient ? clientHighest : serverHighest;
                int from = (int) Math.min(relative, MAX_BYTES + 2L);
                int to = (int) Math.min(relative + data, MAX_BYTES + 2L);
                fresh = (to - from) - seen.get(from, to).cardinality();
                seen.set(from, to);
                outOfOrder = fresh > 0 && relative + data <= highest;
                if (fromClient) {
                    clientTotal += fresh;
                    clientHighest = Math.max(clientHighest, relative + data);
                } else {
                    serverTotal += fresh;
                    serverHighest = Math.max(serverHighest, relative + data);
                }
            }
            out.add(new Segment(++number, fromClient ? Sender.CLIENT : Sender.SERVER, times.get(f), total, ipHeader, tcpHeader,
                    data, flags, seq, relative, fresh, fromClient ? clientTotal : serverTotal, outOfOrder, frame));
        }
        return out;
    }
}
