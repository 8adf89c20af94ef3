package dev.rawsock.probe;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.Ipv4Sender;
import dev.rawsock.socket.Ipv6RawSender;
import dev.rawsock.socket.PacketSender;
import dev.rawsock.socket.PacketSocket;
import dev.rawsock.socket.PacketSource;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.RawSender;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetHeader;
import dev.rawsock.wire.EthernetView;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a series of probes on a raw socket and, unless told not to, listens for what comes back and
 * matches it: the loop behind {@code rawsock send}. Paced by an interval (--delay, --rate) or as fast as
 * the kernel takes them (--flood: sendmmsg in batches from one preallocated arena); bounded by a count,
 * a duration, or both. Replies are read from a cooked AF_PACKET socket opened before the first probe, so
 * none is missed; the kernel's drop count for it is reported. Nothing is allocated per probe.
 *
 * <p>IPv4 probes go out whole on an IPPROTO_RAW socket ({@link RawSender}); IPv6 probes through an AF_INET6
 * raw socket of their next header ({@link Ipv6RawSender}), which builds the IPv6 header from the probe's, and
 * their replies are read from a cooked packet socket for ETH_P_IPV6.
 *
 * <p>With an {@link Ethernet} link (rawsock send --iface), probes of either family go out instead as whole
 * Ethernet frames on that interface through a packet socket ({@link PacketSender}, PACKET_QDISC_BYPASS): the
 * same series, pacing, batches and reply matching, only the output differs. Nothing is rewritten by the kernel
 * there: the IP header goes out as built.
 */
public final class ProbeRun {
    /** What the run reports as it goes; called on the running thread. */
    public interface Listener {
        /** Probe {@code i} went out {@code nanos} after the start; its bytes are at {@code offset} of {@code packet}. */
        default void sent(long i, long nanos, ByteBuffer packet, int offset, int length) {}

        /** A reply to probe {@code i} arrived {@code nanos} after the start, {@code rttNanos} after the probe. */
        default void received(long i, long nanos, long rttNanos, DecodedPacket reply) {}

        /** Called once before the first probe with a copy of it, to prepare (and warm up) the printing path. */
        default void warmUp(ByteBuffer probe, int length) {}

        /** About once a second while the run lasts. */
        default void progress(ProbeStatistics statistics) {}
    }

    /** How to run: {@code count} and {@code durationNanos} are -1 when unbounded (one of them must be set). */
    public record Settings(long count, long durationNanos, long intervalNanos, boolean flood, boolean replies,
                           long replyTimeoutNanos, int batchSize) {
        public Settings {
            if (count < 0 && durationNanos < 0) {
                throw new IllegalArgumentException("a run needs a count or a duration");
            }
        }
    }

    /**
     * Where IPv4 probes go and replies come from when not this process's own raw and packet sockets: the
     * privileged helper (dev.rawsock.helper), for a user without CAP_NET_RAW. No flood (no batches) there.
     */
    public interface Channels {
        Ipv4Sender sender() throws ErrnoException;

        /** Starts reading replies to {@code series} (before the first probe goes out). */
        PacketSource replies(ProbeSeries series) throws ErrnoException;
    }

    /**
     * Where probes go out as Ethernet frames rather than on a raw IP socket: interface {@code interfaceName},
     * each frame from {@code sourceMac} to {@code destinationMac} (0 and 0 on lo).
     */
    public record Ethernet(String interfaceName, long sourceMac, long destinationMac) {}

    private static final int ETHERNET_HEADER_BYTES = EthernetView.HEADER_BYTES;
    private static final int RECEIVE_BYTES = 65536;
    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

    private final SocketApi api;
    private final ProbeSeries series;
    private final Settings settings;
    private final Listener listener;
    private final Channels channels;
    private final Ethernet ethernet;

    private final ProbeStatistics statistics = new ProbeStatistics();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    private ReplyMatcher matcher;
    private PacketSource capture;
    private NativeBuffer receiveBuffer;
    private final dev.rawsock.linux.RealtimeClock clock = new dev.rawsock.linux.RealtimeClock();
    /** System.nanoTime at the start: pacing and bounds. */
    private long start;
    /** CLOCK_REALTIME at the start: the times reported, which kernel receive stamps share. */
    private long startWall;
    private long nextProgress;
    /** A flood's slots below this hold an earlier probe, so they are patched, not written again. */
    private int floodSlotsWritten;

    public ProbeRun(SocketApi api, ProbeSeries series, Settings settings, Listener listener) {
        this(api, series, settings, listener, null, null);
    }

    /** A run whose probes and replies go through {@code channels} (IPv4, paced only); null: this process's sockets. */
    public ProbeRun(SocketApi api, ProbeSeries series, Settings settings, Listener listener, Channels channels) {
        this(api, series, settings, listener, channels, null);
        if (channels != null && (series.isIpv6() || settings.flood())) {
            throw new IllegalArgumentException("through the helper: IPv4 and paced probes only (no IPv6, no --flood)");
        }
    }

    /** A run whose probes go out as Ethernet frames on {@code ethernet}'s interface (IPv4 or IPv6, paced or flood). */
    public ProbeRun(SocketApi api, ProbeSeries series, Settings settings, Listener listener, Ethernet ethernet) {
        this(api, series, settings, listener, null, java.util.Objects.requireNonNull(ethernet));
    }

    private ProbeRun(SocketApi api, ProbeSeries series, Settings settings, Listener listener, Channels channels, Ethernet ethernet) {
        this.api = api;
        this.series = series;
        this.settings = settings;
        this.listener = listener;
        this.channels = channels;
        this.ethernet = ethernet;
    }

    /** Runs to the end and returns the statistics. Needs CAP_NET_RAW (EPERM otherwise). */
    public ProbeStatistics run() throws ErrnoException {
        try (Out sender = ethernet != null ? new L2(PacketSender.open(api, ethernet.interfaceName(), true), ethernet, series.isIpv6())
                : series.isIpv6() ? new V6(Ipv6RawSender.open(api, series.nextHeader(), series.source6()))
                : new V4(channels != null ? channels.sender() : RawSender.open(api), series.destination())) {
            if (settings.replies() && channels != null) {
                capture = channels.replies(series);
            } else if (settings.replies()) {
                PacketSocket socket = PacketSocket.open(api, true, series.isIpv6() ? Protocol.ETH_P_IPV6 : Protocol.ETH_P_IP);
                if (!series.isIpv6()) { // the reply filter reads IPv4 headers
                    try {
                        socket.attachFilter(replyFilter(series));
                    } catch (ErrnoException e) {
                        socket.close();
                        throw e;
                    }
                }
                capture = socket;
            }
            if (capture != null) {
                receiveBuffer = NativeBuffer.allocate(RECEIVE_BYTES);
                matcher = new ReplyMatcher(series);
            }
            try {
                warmUp();
                start = System.nanoTime();
                startWall = clock.nanos();
                statistics.startNanos = start;
                nextProgress = start + PROGRESS_EVERY_NANOS;
                if (settings.flood()) {
                    flood(sender);
                } else {
                    paced(sender);
                }
                statistics.lastSendNanos = System.nanoTime();
                if (capture != null) {
                    long deadline = System.nanoTime() + settings.replyTimeoutNanos();
                    while (statistics.received < statistics.sent && waitForReplies(deadline)) {
                        // keep reading until every probe is answered or the timeout passes
                    }
                    statistics.captureDrops = capture.drops();
                    statistics.duplicates = matcher.duplicates();
                }
                statistics.endNanos = System.nanoTime();
            } finally {
                if (capture != null) {
                    capture.close();
                }
            }
        }
        return statistics;
    }

    /** The sending side, IPv4 or IPv6, one packet at a time or in batches; allocation-free. */
    private interface Out extends AutoCloseable {
        /** Bytes before the IP packet in what {@link #send} takes (a link-layer header). */
        default int linkHeaderBytes() {
            return 0;
        }

        /** Writes that link-layer header at {@code offset}. */
        default void writeLinkHeader(ByteBuffer b, int offset) {}

        /** Sends the first {@code length} bytes of {@code packet}: link header, then IP packet. */
        void send(NativeBuffer packet, int length) throws ErrnoException;

        /** Prepares a batch of {@code slots} slots for IP packets of {@code packetBytes}; returns its memory. */
        NativeBuffer batch(int slots, int packetBytes);

        /** Where slot {@code slot}'s IP packet starts. */
        int slotOffset(int slot);

        /**
         * Slot {@code slot} carries an IP packet of {@code length} bytes. Called when a slot is first written: every
         * probe of a series has the same length, destination and flow label, so a patched slot keeps its header.
         */
        void set(int slot, int length);

        int sendBatch(int count) throws ErrnoException;

        @Override
        void close() throws ErrnoException;
    }

    /** IPv4: the whole packet, header included, on an IPPROTO_RAW socket. */
    private static final class V4 implements Out {
        private final Ipv4Sender sender;
        private final int destination;
        private RawSender.Batch batch;

        V4(Ipv4Sender sender, int destination) {
            this.sender = sender;
            this.destination = destination;
        }

        @Override
        public void send(NativeBuffer packet, int length) throws ErrnoException {
            sender.send(packet, 0, length, destination);
        }

        @Override
        public NativeBuffer batch(int slots, int slotBytes) {
            batch = ((RawSender) sender).batch(slots, slotBytes); // a flood is refused before a helper gets here
            return batch.buffer();
        }

        @Override
        public int slotOffset(int slot) {
            return batch.slotOffset(slot);
        }

        @Override
        public void set(int slot, int length) {
            batch.set(slot, length, destination);
        }

        @Override
        public int sendBatch(int count) throws ErrnoException {
            return batch.send(count);
        }

        @Override
        public void close() throws ErrnoException {
            sender.close();
        }
    }

    /** IPv6: the transport part on an AF_INET6 raw socket; the header's fields become socket options. */
    private static final class V6 implements Out {
        private final Ipv6RawSender sender;
        private Ipv6RawSender.Batch batch;

        V6(Ipv6RawSender sender) {
            this.sender = sender;
        }

        @Override
        public void send(NativeBuffer packet, int length) throws ErrnoException {
            sender.send(packet, 0, length);
        }

        @Override
        public NativeBuffer batch(int slots, int slotBytes) {
            batch = sender.batch(slots, slotBytes);
            return batch.buffer();
        }

        @Override
        public int slotOffset(int slot) {
            return batch.slotOffset(slot);
        }

        @Override
        public void set(int slot, int length) {
            batch.set(slot, length);
        }

        @Override
        public int sendBatch(int count) throws ErrnoException {
            return batch.send(count);
        }

        @Override
        public void close() throws ErrnoException {
            sender.close();
        }
    }

    /** Whole Ethernet frames on a packet socket, past the qdisc: the link header is written once per buffer. */
    private static final class L2 implements Out {
        private final PacketSender sender;
        private final EthernetHeader header;
        private final int etherType;
        private PacketSender.Batch batch;

        L2(PacketSender sender, Ethernet link, boolean ipv6) {
            this.sender = sender;
            this.etherType = ipv6 ? dev.rawsock.linux.Constants.ETH_P_IPV6 : dev.rawsock.linux.Constants.ETH_P_IP;
            this.header = new EthernetHeader(link.destinationMac(), link.sourceMac(), etherType);
        }

        @Override
        public int linkHeaderBytes() {
            return ETHERNET_HEADER_BYTES;
        }

        @Override
        public void writeLinkHeader(ByteBuffer b, int offset) {
            header.emit(b, offset);
        }

        @Override
        public void send(NativeBuffer packet, int length) throws ErrnoException {
            sender.send(packet, 0, length, etherType);
        }

        @Override
        public NativeBuffer batch(int slots, int packetBytes) {
            batch = sender.batch(slots, ETHERNET_HEADER_BYTES + packetBytes, etherType);
            for (int k = 0; k < slots; k++) {
                writeLinkHeader(batch.buffer().buffer(), batch.slotOffset(k));
            }
            return batch.buffer();
        }

        @Override
        public int slotOffset(int slot) {
            return batch.slotOffset(slot) + ETHERNET_HEADER_BYTES;
        }

        @Override
        public void set(int slot, int length) {
            batch.set(slot, ETHERNET_HEADER_BYTES + length);
        }

        @Override
        public int sendBatch(int count) throws ErrnoException {
            return batch.send(count);
        }

        @Override
        public void close() throws ErrnoException {
            sender.close();
        }
    }

    /**
     * A classic BPF program for the capture socket (cooked: offset 0 is the IP header), so the kernel
     * queues only what could be a reply and a busy host's other traffic (a flood on loopback, say) cannot
     * crowd replies out of the socket's buffer: every ICMP message (errors may come from any router), and
     * TCP or UDP from the probes' destination, to the probes' source port when it is fixed.
     */
    static long[] replyFilter(ProbeSeries series) {
        int protocol = series.transport().protocol;
        boolean ports = (series.transport() == dev.rawsock.craft.Transport.TCP || series.transport() == dev.rawsock.craft.Transport.UDP)
                && !series.sourcePortIncrement();
        if (ports) {
            return new long[] {
                insn(0x30, 0, 0, 9),                        // 0: ldb [9]             protocol
                insn(0x15, 7, 0, 1),                        // 1: jeq #ICMP, keep
                insn(0x15, 0, 5, protocol),                 // 2: jeq #proto, 3, drop
                insn(0x20, 0, 0, 12),                       // 3: ld [12]             source address
                insn(0x15, 0, 3, series.destination()),     // 4: jeq #destination, 5, drop
                insn(0xB1, 0, 0, 0),                        // 5: ldxb 4*([0]&0xf)    IP header length
                insn(0x48, 0, 0, 2),                        // 6: ldh [x+2]           destination port
                insn(0x15, 1, 0, series.baseSourcePort()),  // 7: jeq #our port, keep, drop
                insn(0x06, 0, 0, 0),                        // 8: drop
                insn(0x06, 0, 0, RECEIVE_BYTES),            // 9: keep
            };
        }
        return new long[] {
            insn(0x30, 0, 0, 9),                            // 0: ldb [9]             protocol
            insn(0x15, 3, 0, 1),                            // 1: jeq #ICMP, keep
            insn(0x20, 0, 0, 12),                           // 2: ld [12]             source address
            insn(0x15, 1, 0, series.destination()),         // 3: jeq #destination, keep, drop
            insn(0x06, 0, 0, 0),                            // 4: drop
            insn(0x06, 0, 0, RECEIVE_BYTES),                // 5: keep
        };
    }

    private static long insn(int code, int jt, int jf, int k) {
        return ((long) code << 48) | ((long) jt << 40) | ((long) jf << 32) | (k & 0xFFFF_FFFFL);
    }

    /**
     * Runs the receive path once on a probe of our own before the first real one, so class loading and
     * first-call costs do not land in the first round-trip time.
     */
    private void warmUp() {
        ByteBuffer probe = ByteBuffer.allocate(series.length());
        series.write(0, probe, 0);
        decoder.decode(probe, 0, series.length(), series.length(), FirstLayer.IP, decoded);
        if (matcher != null) {
            matcher.match(decoded, clock.nanos());
        }
        listener.warmUp(probe, series.length());
    }

    private boolean more(long i, long now) {
        return (settings.count() < 0 || i < settings.count())
                && (settings.durationNanos() < 0 || now - start < settings.durationNanos());
    }

    private void paced(Out sender) throws ErrnoException {
        int head = sender.linkHeaderBytes();
        NativeBuffer packet = NativeBuffer.allocate(head + series.length());
        ByteBuffer b = packet.buffer();
        sender.writeLinkHeader(b, 0);
        for (long i = 0; more(i, System.nanoTime()); i++) {
            if (i > 0) {
                waitUntil(start + i * settings.intervalNanos());
                if (!more(i, System.nanoTime())) {
                    break;
                }
            }
            int length = series.write(i, b, head);
            long before = clock.nanos();
            sender.send(packet, head + length);
            sent(i, before, b, head, length);
            progress(System.nanoTime());
            drainReplies();
        }
    }

    private void flood(Out sender) throws ErrnoException {
        ByteBuffer b = sender.batch(settings.batchSize(), series.length()).buffer();
        long i = 0;
        long now = System.nanoTime();
        while (more(i, now)) {
            int n = settings.batchSize();
            if (settings.count() >= 0) {
                n = (int) Math.min(n, settings.count() - i);
            }
            i += floodBatch(sender, b, i, n);
            now = System.nanoTime(); // once a batch: the clock costs as much as writing a probe
            progress(now);
            drainReplies();
        }
    }

    /**
     * Writes probes {@code i} to {@code i+n-1} into the batch's slots and sends them; returns how many went. A method
     * of its own, called once a batch, so the JIT compiles it after a few hundred probes; the loop above, called
     * once, would run interpreted until the JIT replaced it on the stack (OSR, after ~60,000 probes).
     */
    private int floodBatch(Out sender, ByteBuffer b, long i, int n) throws ErrnoException {
        for (int k = 0; k < n; k++) {
            if (k < floodSlotsWritten) {
                series.patch(i + k, b, sender.slotOffset(k)); // same length, same destination: the slot's header stands
            } else {
                sender.set(k, series.write(i + k, b, sender.slotOffset(k)));
            }
        }
        floodSlotsWritten = Math.max(floodSlotsWritten, n);
        long before = clock.nanos();
        int went = sender.sendBatch(n);
        for (int k = 0; k < went; k++) {
            sent(i + k, before, b, sender.slotOffset(k), series.length());
        }
        return went;
    }

    /** Probe {@code i} went out at {@code wallNanos} (CLOCK_REALTIME, read just before the call). */
    private void sent(long i, long wallNanos, ByteBuffer b, int offset, int length) {
        statistics.sent++;
        statistics.bytesSent += length;
        if (matcher != null) {
            matcher.sent(i, wallNanos);
        }
        listener.sent(i, wallNanos - startWall, b, offset, length);
    }

    /** Reports the statistics once a second ({@code now}: System.nanoTime). */
    private void progress(long now) {
        if (now >= nextProgress) {
            nextProgress = now + PROGRESS_EVERY_NANOS;
            listener.progress(statistics);
        }
    }

    /** Waits until {@code due}, reading replies meanwhile; short waits are finished by parking, not polling. */
    private void waitUntil(long due) throws ErrnoException {
        long remaining;
        while ((remaining = due - System.nanoTime()) > 0) {
            if (capture != null && remaining > 2_000_000L) {
                receiveOne((int) (remaining / 1_000_000L) - 1);
            } else {
                if (capture != null) {
                    drainReplies();
                }
                LockSupport.parkNanos(Math.min(remaining, 50_000L));
            }
        }
    }

    /** Reads what has arrived without waiting. */
    private void drainReplies() throws ErrnoException {
        if (capture == null) {
            return;
        }
        for (int k = 0; k < 1024 && receiveOne(0); k++) {
            // bounded: at most this many frames between two probes
        }
    }

    /** Waits for replies until {@code deadline}; false when it has passed. */
    private boolean waitForReplies(long deadline) throws ErrnoException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        receiveOne((int) Math.max(1, Math.min(remaining / 1_000_000L, 100)));
        return true;
    }

    /** Reads one frame if one comes within {@code timeoutMillis}; true when one was read. */
    private boolean receiveOne(int timeoutMillis) throws ErrnoException {
        int n = capture.receive(receiveBuffer, 0, RECEIVE_BYTES, timeoutMillis);
        if (n < 0) {
            return false;
        }
        // The kernel's receive stamp when it gave one: our own delays do not stretch the round trip.
        long now = capture.timestampNanos() != 0 ? capture.timestampNanos() : clock.nanos();
        if (capture.outgoing()) {
            return true; // our own probes (and anything else) on their way out
        }
        decoder.decode(receiveBuffer.buffer(), 0, n, capture.originalLength(), FirstLayer.IP, decoded);
        if (capture.checksumNotReady()) {
            decoded.checksumOffloaded();
        }
        long rtt = matcher.match(decoded, now);
        if (rtt >= 0) {
            statistics.reply(rtt, capture.originalLength());
            listener.received(matcher.matchedProbe(), now - startWall, rtt, decoded);
        }
        return true;
    }
}
