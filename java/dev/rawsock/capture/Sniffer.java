package dev.rawsock.capture;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.RawIpSocket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.Verdict;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Captures packets, filtered in the kernel, and hands each one decoded to a {@link Listener}: the loop
 * behind {@code rawsock sniff}. Three sources:
 *
 * <ul>
 * <li><b>one interface</b> ({@code --iface lo}): an AF_PACKET socket bound to it. Ethernet and loopback
 *   devices give whole frames (SOCK_RAW; on loopback a 14-byte Ethernet header of zero MACs), recorded as
 *   LINKTYPE_ETHERNET; any other device (tun, ipip, ...) gives cooked packets as below.</li>
 * <li><b>all interfaces</b>: one AF_PACKET socket for ETH_P_ALL, cooked (SOCK_DGRAM), because frames from
 *   devices with different link layers mix there (Ethernet, none at all on a tun, ...): each packet starts
 *   at its network header, and the kernel's sockaddr_ll (protocol, interface, device type, direction,
 *   link-layer source address) is turned into a 20-byte Linux cooked v2 header in front of it, which is
 *   what is decoded, shown and recorded (LINKTYPE_LINUX_SLL2, as {@code tcpdump -i any} records). The
 *   filter learns the protocol from the kernel (BPF {@code ld proto}).</li>
 * <li><b>a raw IP socket</b> for one protocol ({@code --raw-socket tcp}): AF_INET SOCK_RAW, IPv4 packets
 *   from the header on, as the host receives them (never the ones it sends), recorded as LINKTYPE_RAW.</li>
 * </ul>
 *
 * The filter ({@link Filter}) is compiled to classic BPF and attached with SO_ATTACH_FILTER, so the kernel
 * drops what is not wanted; nothing is filtered in Java. Packets queued before the filter was attached are
 * drained first (under a drop-everything program, as libpcap does), so none slips through unfiltered. On a
 * loopback device every packet passes the packet socket twice, going out and coming in: the program drops
 * the outgoing copy ({@code ld type}/{@code ld hatype}) unless both directions are asked for, while outgoing
 * packets of other devices are kept (they are seen once).
 *
 * <p>Every wait is a poll(2) of at most 100 ms, so {@link #stop()} (from another thread, e.g. a shutdown
 * hook on Ctrl-C), a count and a duration all end the loop promptly. The kernel's drop counts (PACKET_STATISTICS
 * for packet sockets, SO_MEMINFO's drop counter for raw sockets) are kept: {@link Counts#kernelDrops()}.
 * Loopback segments whose checksum the kernel left to offload are marked
 * ({@link DecodedPacket#checksumOffloaded()}): from PACKET_AUXDATA on packet sockets; on raw sockets, which
 * have no auxdata, when the field holds exactly the pseudo-header sum the kernel leaves there.
 */
public final class Sniffer implements AutoCloseable {
    /** What to capture. {@code interfaceName} null: all interfaces; {@code rawProtocol} non-null: a raw IP socket instead. */
    public record Settings(String interfaceName, Protocol rawProtocol, Filter filter, boolean bothDirections, int snapLength) {
        public Settings {
            if (snapLength < 64 || snapLength > PcapWriter.DEFAULT_SNAP_LENGTH) {
                throw new IllegalArgumentException("the snapshot length must be 64-" + PcapWriter.DEFAULT_SNAP_LENGTH
                        + " but was " + snapLength);
            }
            if (rawProtocol != null && interfaceName != null) {
                throw new IllegalArgumentException("a raw IP socket listens on every interface; give an interface or a raw socket, not both");
            }
            if (filter == null) {
                filter = Filter.parse("");
            }
        }
    }

    /** How a capture is made, decided before any socket is opened (so it can be printed unprivileged). */
    public record Plan(LinkType linkType, FirstLayer firstLayer, BpfCompiler.Link bpfLink, boolean packetSocket, boolean cooked,
                       int interfaceIndex, BpfProgram program, String source) {
        /** Bytes in front of each packet: the cooked v2 header rawsock builds. */
        public int headerBytes() {
            return cooked ? LinkType.LINUX_SLL2.headerBytes() : 0;
        }
    }

    /** What the capture saw. */
    public record Counts(long captured, long kernelDrops, long skipped) {}

    /** Told about each packet, on the capturing thread. */
    public interface Listener {
        /**
         * A packet passed the filter: its frame is {@code p.capturedLength()} bytes at {@code p.frameOffset()} of
         * {@code p.buffer()} (valid until this returns), received at {@code timestampNanos} (CLOCK_REALTIME).
         */
        void packet(DecodedPacket p, long timestampNanos) throws IOException;

        /** Nothing is waiting right now, and output has waited long enough (at most 10 ms): a good moment to flush it. */
        default void idle() throws IOException {}

        /** About once a second: the counts so far. */
        default void progress(Counts counts) {}
    }

    private static final int POLL_MILLIS = 100;
    /** Output is flushed when nothing is waiting, at most this long after the first packet it holds. */
    private static final long FLUSH_NANOS = 10_000_000L;
    private static final long PROGRESS_NANOS = 1_000_000_000L;
    private static final int DRAIN_LIMIT = 1_000_000;
    /**
     * The socket's receive queue (SO_RCVBUFFORCE; kernel memory, used only while packets wait). The first packets of a
     * flood meet the decoder and printer before the JIT has compiled them: 4 MB (about 5,500 SYNs on lo) overflowed in
     * that first fraction of a second (0-28,000 of 500,000 dropped per bench repetition); 32 MB holds it (none since).
     */
    private static final int RECEIVE_BUFFER_BYTES = 32 << 20;

    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;

    private final Settings settings;
    private final Plan plan;
    private final PacketSocket packets;
    private final RawIpSocket raw;
    private final ByteBuffer buffer;
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    private final Ipv4View ipv4 = new Ipv4View();
    private volatile boolean stopped;
    private long captured;
    private long skipped;
    private long drops;
    private long rawDropsBaseline;

    private Sniffer(Settings settings, Plan plan, PacketSocket packets, RawIpSocket raw) {
        this.settings = settings;
        this.plan = plan;
        this.packets = packets;
        this.raw = raw;
        this.buffer = ByteBuffer.allocateDirect(plan.headerBytes() + settings.snapLength());
    }

    // ---- planning ----

    /**
     * Decides the socket, link type and BPF program for {@code settings} without opening anything.
     * UnknownInterfaceException when the interface does not exist; IllegalArgumentException when the
     * filter compiles to more than the kernel takes.
     */
    public static Plan plan(Settings settings) {
        Filter filter = settings.filter();
        if (settings.rawProtocol() != null) {
            BpfProgram program = filter.compile(BpfCompiler.Link.IPV4, false);
            return new Plan(LinkType.RAW, FirstLayer.IPV4, BpfCompiler.Link.IPV4, false, false, 0, program,
                    "a raw IPv4 socket for " + settings.rawProtocol().name());
        }
        boolean dropLoopbackOutgoing = !settings.bothDirections();
        if (settings.interfaceName() == null) {
            return new Plan(LinkType.LINUX_SLL2, FirstLayer.LINUX_SLL2, BpfCompiler.Link.COOKED, true, true, 0,
                    filter.compile(BpfCompiler.Link.COOKED, dropLoopbackOutgoing), "all interfaces");
        }
        String name = settings.interfaceName();
        int index;
        try {
            index = PacketSocket.interfaceIndex(name);
        } catch (ErrnoException e) {
            throw new UnknownInterfaceException(name, interfaceNames());
        }
        int type = interfaceType(name);
        boolean ethernet = type == PacketSocket.ARPHRD_ETHER || type == PacketSocket.ARPHRD_LOOPBACK;
        BpfCompiler.Link link = ethernet ? BpfCompiler.Link.ETHERNET : BpfCompiler.Link.COOKED;
        return new Plan(ethernet ? LinkType.ETHERNET : LinkType.LINUX_SLL2, ethernet ? FirstLayer.ETHERNET : FirstLayer.LINUX_SLL2,
                link, true, !ethernet, index, filter.compile(link, dropLoopbackOutgoing), name);
    }

    /** No interface of that name. */
    public static final class UnknownInterfaceException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnknownInterfaceException(String name, List<String> known) {
            super("no interface named '" + name + "'" + (known.isEmpty() ? "" : " (there are: " + String.join(", ", known) + ")"));
        }
    }

    /** The names of this network namespace's interfaces (/sys/class/net), sorted. */
    public static List<String> interfaceNames() {
        List<String> names = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/sys/class/net"))) {
            entries.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        } catch (IOException | RuntimeException e) {
            // no sysfs: nothing to list
        }
        return names;
    }

    /** The interface's ARPHRD_ type from /sys/class/net/NAME/type (1 Ethernet, 772 loopback, 65534 none), or -1. */
    public static int interfaceType(String name) {
        if (name.contains("/") || name.equals(".") || name.equals("..")) {
            return -1;
        }
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "type")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    // ---- opening ----

    /**
     * Opens the socket the plan names, attaches the filter (after draining what was queued before it) and
     * returns a sniffer ready to {@link #run}. Needs CAP_NET_RAW: ErrnoException EPERM otherwise.
     */
    public static Sniffer open(SocketApi api, Settings settings) throws ErrnoException {
        Plan plan = plan(settings);
        PacketSocket packets = null;
        RawIpSocket raw = null;
        try {
            if (plan.packetSocket()) {
                packets = PacketSocket.open(api, plan.cooked(), Protocol.ETH_P_ALL);
                if (plan.interfaceIndex() > 0) {
                    packets.bindInterface(plan.interfaceIndex());
                }
                packets.receiveBufferSize(RECEIVE_BUFFER_BYTES);
            } else {
                raw = RawIpSocket.open(api, settings.rawProtocol());
                raw.receiveBufferSize(RECEIVE_BUFFER_BYTES);
            }
            Sniffer s = new Sniffer(settings, plan, packets, raw);
            s.attachFilter();
            return s;
        } catch (ErrnoException | RuntimeException e) {
            try {
                if (packets != null) {
                    packets.close();
                }
                if (raw != null) {
                    raw.close();
                }
            } catch (ErrnoException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Drop everything, drain the queue, then the real program; the counters start from there. */
    private void attachFilter() throws ErrnoException {
        long[] none = BpfCompiler.rejectAll(plan.bpfLink()).instructions();
        if (packets != null) {
            packets.attachFilter(none);
            for (int i = 0; i < DRAIN_LIMIT && packets.receive(buffer, 0, buffer.capacity(), 0) >= 0; i++) {
                // packets that arrived before the filter: not ours to show
            }
            packets.attachFilter(plan.program().instructions());
            packets.statistics(); // PACKET_STATISTICS resets on read: count from here
        } else {
            raw.attachFilter(none);
            for (int i = 0; i < DRAIN_LIMIT && raw.receive(buffer, 0, buffer.capacity(), 0) >= 0; i++) {
                // as above
            }
            raw.attachFilter(plan.program().instructions());
            rawDropsBaseline = raw.drops();
        }
    }

    public Plan plan() {
        return plan;
    }

    public Settings settings() {
        return settings;
    }

    /** Ends {@link #run} within one poll interval (100 ms); safe from any thread. */
    public void stop() {
        stopped = true;
    }

    public boolean stopped() {
        return stopped;
    }

    // ---- the loop ----

    /**
     * Captures until {@code count} packets (-1: no limit) were handed over, {@code durationNanos} passed
     * (-1: no limit), or {@link #stop()} was called; returns the counts, with the kernel's drops read last.
     */
    public Counts run(long count, long durationNanos, Listener listener) throws ErrnoException, IOException {
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_NANOS;
        long unflushedSince = -1; // when the oldest packet the listener has not flushed yet was handed over
        boolean justReceived = false;
        while (!stopped && (count < 0 || captured < count)) {
            long now = System.nanoTime();
            long left = durationNanos < 0 ? Long.MAX_VALUE : durationNanos - (now - start);
            if (left <= 0) {
                break;
            }
            if (now >= nextProgress) {
                readKernelCounts();
                listener.progress(counts());
                nextProgress = now + PROGRESS_NANOS;
            }
            int timeout = 0;
            if (!justReceived) {
                long waitNanos = Math.min(left, POLL_MILLIS * 1_000_000L);
                if (unflushedSince >= 0) {
                    waitNanos = Math.min(waitNanos, unflushedSince + FLUSH_NANOS - now);
                }
                timeout = (int) Math.max(1, (waitNanos + 999_999) / 1_000_000);
            }
            if (!receiveOne(timeout, listener)) {
                justReceived = false;
                // Nothing waiting: flush, but not more often than every FLUSH_NANOS. Flushing at every gap between
                // two packets was a write(2) every third packet under a flood.
                if (unflushedSince >= 0 && System.nanoTime() - unflushedSince >= FLUSH_NANOS) {
                    listener.idle();
                    unflushedSince = -1;
                }
                continue;
            }
            justReceived = true;
            if (unflushedSince < 0) {
                unflushedSince = System.nanoTime(); // now was before the wait
            }
        }
        if (unflushedSince >= 0) {
            listener.idle();
        }
        readKernelCounts();
        return counts();
    }

    /** The counts so far (the kernel's drops as of the last read). */
    public Counts counts() {
        return new Counts(captured, drops, skipped);
    }

    /** Reads one packet if one comes within {@code timeoutMillis}; false when none did. */
    private boolean receiveOne(int timeoutMillis, Listener listener) throws ErrnoException, IOException {
        int header = plan.headerBytes();
        int n;
        int original;
        long stamp;
        if (packets != null) {
            n = packets.receive(buffer, header, settings.snapLength(), timeoutMillis);
            if (n < 0) {
                return false;
            }
            if (!settings.bothDirections() && packets.outgoing() && packets.hardwareType() == PacketSocket.ARPHRD_LOOPBACK) {
                skipped++; // the program drops these; a kernel without ld type/hatype would not
                return true;
            }
            if (plan.cooked()) {
                cookedHeader();
            }
            original = packets.originalLength();
            stamp = packets.timestampNanos();
        } else {
            n = raw.receive(buffer, 0, settings.snapLength(), timeoutMillis);
            if (n < 0) {
                return false;
            }
            original = raw.originalLength();
            stamp = raw.timestampNanos();
        }
        if (stamp == 0) {
            stamp = System.currentTimeMillis() * 1_000_000L;
        }
        decoder.decode(buffer, 0, header + n, header + original, plan.firstLayer(), decoded);
        if (packets != null ? packets.checksumNotReady() : partialChecksum(decoded)) {
            decoded.checksumOffloaded();
        }
        decoded.frameNumber(++captured);
        listener.packet(decoded, stamp);
        return true;
    }

    /** The LINKTYPE_LINUX_SLL2 header for the packet at 20, from the kernel's sockaddr_ll. */
    private void cookedHeader() {
        ByteBuffer b = buffer;
        b.putShort(0, (short) packets.protocol());
        b.putShort(2, (short) 0);
        b.putInt(4, packets.interfaceIndex());
        b.putShort(8, (short) packets.hardwareType());
        b.put(10, (byte) packets.packetType());
        b.put(11, (byte) packets.hardwareAddressLength());
        packets.hardwareAddress(b, 12);
    }

    /**
     * True when an IPv4 TCP/UDP checksum judged wrong holds exactly the folded pseudo-header sum: what the
     * kernel leaves in its own segments for the device (loopback) to finish (CHECKSUM_PARTIAL), rather than
     * a checksum anyone computed. Used on raw sockets, which get no auxdata to say so.
     */
    static boolean partialChecksum(DecodedPacket p) {
        if (p.transportChecksum() != Verdict.INVALID || !p.has(Layer.IPV4)) {
            return false;
        }
        int protocol = p.ipProtocol();
        Layer layer = protocol == PROTO_TCP ? Layer.TCP : protocol == PROTO_UDP ? Layer.UDP : null;
        if (layer == null || !p.has(layer)) {
            return false;
        }
        ByteBuffer b = p.buffer();
        Ipv4View ip = new Ipv4View().wrap(b, p.offset(Layer.IPV4));
        int at = p.offset(layer);
        int length = p.ipEnd() - at;
        int field = ((b.get(at + (layer == Layer.TCP ? 16 : 6)) & 0xFF) << 8) | (b.get(at + (layer == Layer.TCP ? 17 : 7)) & 0xFF);
        int folded = ~Checksums.finish(Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), protocol, length)) & 0xFFFF;
        return field == folded;
    }

    private void readKernelCounts() throws ErrnoException {
        if (packets != null) {
            drops += packets.statistics().drops();
        } else {
            drops = raw.drops() - rawDropsBaseline;
        }
    }

    /** A line about what is captured, for the start of a run. */
    public String description() {
        String link = plan.linkType() == LinkType.ETHERNET ? "Ethernet frames"
                : plan.linkType() == LinkType.LINUX_SLL2 ? "cooked packets with a Linux SLL2 header" : "IPv4 packets";
        String filter = settings.filter().all() ? "no filter" : "filter '" + settings.filter().text() + "'";
        return String.format(Locale.ROOT, "listening on %s (%s, link-type %s), %s (%d BPF instructions)%s", plan.source(), link,
                plan.linkType().name(), filter, plan.program().length(),
                settings.bothDirections() && plan.packetSocket() ? ", both directions" : "");
    }

    @Override
    public void close() throws ErrnoException {
        if (packets != null) {
            packets.close();
        }
        if (raw != null) {
            raw.close();
        }
    }
}
