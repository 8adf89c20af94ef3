package dev.rawsock.junit;

import dev.rawsock.capture.Filter;
import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.capture.Sniffer;
import dev.rawsock.helper.HelperClient;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.print.LinePrinter;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every packet of one test on one interface ({@code lo} by default), recorded from before the test body
 * runs until {@link #close()}: a sniffer on its own daemon thread copies each frame. Safe to read from the
 * test thread while it records. Bounded: at most {@link #MAX_PACKETS} packets and {@link #MAX_DURATION}.
 */
public final class Capture implements AutoCloseable {
    public static final int MAX_PACKETS = 200_000;
    public static final Duration MAX_DURATION = Duration.ofMinutes(10);
    private static final int SNAP_LENGTH = 65_535;

    /** One captured frame: its bytes (link header included), when it was seen (CLOCK_REALTIME ns). */
    public record Frame(long timestampNanos, byte[] bytes, int originalLength) {}

    private final LinkType linkType;
    private final FirstLayer firstLayer;
    private final String interfaceName;
    private final List<Frame> frames = new ArrayList<>();
    private final Sniffer sniffer;
    /** Instead of a sniffer: the privileged helper's capture ({@link Availability#helper()}). */
    private final HelperClient.CaptureStream stream;
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean stopped;

    private Capture(String interfaceName, LinkType linkType, FirstLayer firstLayer, Sniffer sniffer) {
        this(interfaceName, linkType, firstLayer, sniffer, null);
    }

    private Capture(String interfaceName, LinkType linkType, FirstLayer firstLayer, Sniffer sniffer, HelperClient.CaptureStream stream) {
        this.interfaceName = interfaceName;
        this.linkType = linkType;
        this.firstLayer = firstLayer;
        this.sniffer = sniffer;
        this.stream = stream;
        this.thread = sniffer == null && stream == null ? null : new Thread(this::record, "rawsock-capture-" + interfaceName);
    }

    /** Starts recording every packet on {@code interfaceName}: {@link #start(SocketApi, String, String)} with no filter. */
    public static Capture start(SocketApi api, String interfaceName) throws ErrnoException {
        return start(api, interfaceName, "");
    }

    /**
     * Starts recording the packets on {@code interfaceName} that {@code filter} (tcpdump-style, as {@code rawsock
     * sniff} takes; empty for all) matches, one copy per packet (lo's outgoing copies are dropped); the filter
     * runs in the kernel as classic BPF. Through the helper when raw sockets come from it: then only packets
     * from or to its allowed prefixes are recorded, for at most its max-capture.
     */
    public static Capture start(SocketApi api, String interfaceName, String filter) throws ErrnoException {
        Filter parsed = Filter.parse(filter); // a bad filter is named here, whichever way the capture goes
        String helper = Availability.helper();
        if (helper != null) {
            long limitMillis;
            try (HelperClient client = HelperClient.connect(helper)) {
                limitMillis = Math.min(MAX_DURATION.toMillis(), client.hello().maxCaptureMillis());
            }
            HelperClient.CaptureStream stream = HelperClient.capture(helper,
                    new HelperClient.CaptureRequest(limitMillis, MAX_PACKETS, SNAP_LENGTH, false, interfaceName, filter));
            LinkType type = LinkType.fromValue(stream.linkType());
            return started(new Capture(interfaceName, type, type.firstLayer(), null, stream));
        }
        Sniffer s = Sniffer.open(api, new Sniffer.Settings(interfaceName, null, parsed, false, SNAP_LENGTH));
        return started(new Capture(interfaceName, s.plan().linkType(), s.plan().firstLayer(), s));
    }

    private static Capture started(Capture c) {
        c.thread.setDaemon(true);
        c.thread.start();
        return c;
    }

    /** Starts recording on {@code interfaceName} inside network namespace {@code namespace} (e.g. a lab's crafting side). */
    public static Capture startIn(String namespace, SocketApi api, String interfaceName) throws ErrnoException, LabException {
        Sniffer s = Lab.callIn(namespace, () -> Sniffer.open(api, new Sniffer.Settings(interfaceName, null, null, false, SNAP_LENGTH)));
        return started(new Capture(interfaceName, s.plan().linkType(), s.plan().firstLayer(), s));
    }

    /** A capture of frames already in hand (for tests of the assertions, and for reading a pcap back). */
    public static Capture of(LinkType linkType, List<Frame> frames) {
        Capture c = new Capture("(given)", linkType, linkType.firstLayer(), null);
        c.frames.addAll(frames);
        return c;
    }

    private void record() {
        if (stream != null) {
            recordFromHelper();
            return;
        }
        try {
            sniffer.run(MAX_PACKETS, MAX_DURATION.toNanos(), (p, ts) -> {
                byte[] copy = new byte[p.capturedLength()];
                p.buffer().get(p.frameOffset(), copy);
                synchronized (frames) {
                    frames.add(new Frame(ts, copy, p.originalLength()));
                    frames.notifyAll();
                }
            });
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void recordFromHelper() {
        try {
            while (!stopped && stream.end() == null) {
                HelperClient.CaptureStream.Frame f = stream.next(100);
                if (f == null) {
                    continue;
                }
                byte[] copy = new byte[f.bytes().remaining()];
                f.bytes().get(copy);
                synchronized (frames) {
                    frames.add(new Frame(f.timestampNanos(), copy, f.originalLength()));
                    frames.notifyAll();
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    public String interfaceName() {
        return interfaceName;
    }

    public LinkType linkType() {
        return linkType;
    }

    /** The frames so far, in the order they were captured. */
    public List<Frame> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** The decoded packets so far (each a fresh decode over its own copy). */
    public List<DecodedPacket> packets() {
        PacketDecoder decoder = new PacketDecoder();
        List<DecodedPacket> out = new ArrayList<>();
        long n = 1;
        for (Frame f : frames()) {
            DecodedPacket p = decoder.decode(ByteBuffer.wrap(f.bytes()), 0, f.bytes().length, f.originalLength(), firstLayer,
                    new DecodedPacket());
            p.frameNumber(n++);
            out.add(p);
        }
        return out;
    }

    /**
     * Waits until a captured packet matches (checking those already captured first) or {@code timeout}
     * passes; returns the first match's index, or -1.
     */
    public int await(Predicate<DecodedPacket> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        int checked = 0;
        while (true) {
            List<Frame> now;
            synchronized (frames) {
                if (frames.size() == checked) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || thread == null) {
                        return -1;
                    }
                    frames.wait(Math.max(1, left / 1_000_000));
                    continue;
                }
                now = List.copyOf(frames.subList(checked, frames.size()));
            }
            for (Frame f : now) {
                decoder.decode(ByteBuffer.wrap(f.bytes()), 0, f.bytes().length, f.originalLength(), firstLayer, p);
                if (match.test(p)) {
                    return checked;
                }
                checked++;
            }
        }
    }

    /** The capture as LinePrinter lines, numbered: what assertion messages show. */
    public String lines() {
        LinePrinter printer = new LinePrinter();
        StringBuilder out = new StringBuilder();
        List<DecodedPacket> ps = packets();
        if (ps.isEmpty()) {
            out.append("  (no packets captured on ").append(interfaceName).append(")\n");
        }
        for (DecodedPacket p : ps) {
            out.append(String.format("  %4d  ", p.frameNumber()));
            printer.append(out, p).append('\n');
        }
        return out.toString();
    }

    /** Writes what was captured so far as a pcap (nanosecond timestamps) at {@code target}. */
    public Path writePcap(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        List<Frame> fs = frames();
        try (PcapWriter w = PcapWriter.open(target, linkType, SNAP_LENGTH + linkType.headerBytes(), true)) {
            for (Frame f : fs) {
                w.write(f.timestampNanos(), ByteBuffer.wrap(f.bytes()), 0, f.bytes().length, f.originalLength());
            }
        }
        return target;
    }

    /** Stops recording (within the sniffer's 100 ms poll) and closes the socket; idempotent. */
    @Override
    public void close() throws ErrnoException, InterruptedException {
        if (stream != null) {
            stopped = true;
            thread.join(2_000);
            stream.close();
            return;
        }
        if (sniffer == null) {
            return;
        }
        sniffer.stop();
        thread.join(2_000);
        if (!thread.isAlive()) {
            sniffer.close();
        }
    }

    /** Why recording stopped early, if it did. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "Capture on " + interfaceName + " (" + frames().size() + " packets)\n" + lines();
    }
}
