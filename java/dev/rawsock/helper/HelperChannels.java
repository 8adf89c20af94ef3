package dev.rawsock.helper;

import dev.rawsock.capture.LinkType;
import dev.rawsock.craft.Transport;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.probe.ProbeRun;
import dev.rawsock.socket.PacketSource;
import dev.rawsock.probe.ProbeSeries;
import dev.rawsock.socket.Ipv4Sender;
import dev.rawsock.wire.Ipv4Address;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * {@code rawsock send} through the helper: probes go out as SEND requests on one connection, replies come
 * from a CAPTURE on a second one (started before the first probe), and {@link ProbeRun} matches them as it
 * does its own sockets' (dev.rawsock.probe.ReplyMatcher). The capture asks for ICMP and for what the
 * probes' destination sends to their source port ({@link #replyFilter}); the helper passes on only packets
 * from or to its allowed prefixes. Round trips include the helper's part of the path (tens of microseconds
 * on a Unix socket).
 */
public final class HelperChannels implements ProbeRun.Channels, AutoCloseable {
    private static final long MARGIN_MILLIS = 2_000;

    private final String path;
    private final HelperClient client;
    private final HelperClient.Hello hello;
    private final long runMillis;

    /** {@code runMillis}: how long the run may last, sending and waiting for replies (the capture is bounded by it and by max-capture). */
    public HelperChannels(String path, long runMillis) {
        this.path = path;
        this.client = HelperClient.connect(path);
        this.hello = client.hello();
        this.runMillis = runMillis;
    }

    public HelperClient.Hello hello() {
        return hello;
    }

    /** How long the reply capture will run: the run and a margin, at most the helper's max-capture. */
    public long captureMillis() {
        return Math.min(hello.maxCaptureMillis(), Math.max(1, runMillis + MARGIN_MILLIS));
    }

    @Override
    public Ipv4Sender sender() {
        return new Ipv4Sender() {
            @Override
            public int send(NativeBuffer packet, int offset, int length, int destinationAddress) {
                return client.send(packet, offset, length, destinationAddress);
            }

            @Override
            public void close() {
                // the connection is closed with the channels
            }
        };
    }

    @Override
    public PacketSource replies(ProbeSeries series) {
        long duration = captureMillis();
        String filter = replyFilter(series);
        HelperClient.CaptureStream stream = HelperClient.capture(path,
                new HelperClient.CaptureRequest(duration, 1_000_000, 65_535, false, "", filter));
        return new StreamReplies(stream);
    }

    /**
     * The capture filter, as narrow as ProbeRun's own (ProbeRun.replyFilter): every ICMP message (errors
     * may come from any router), and TCP or UDP from the destination to the probes' source port when it is
     * fixed; so a busy loopback (a flood to another port) cannot crowd the replies out of the capture.
     */
    static String replyFilter(ProbeSeries series) {
        String source = "src host " + Ipv4Address.text(series.destination());
        boolean ports = (series.transport() == Transport.TCP || series.transport() == Transport.UDP) && !series.sourcePortIncrement();
        if (ports) {
            return "icmp or (" + series.transport().name().toLowerCase(Locale.ROOT) + " and " + source + " and dst port "
                    + series.baseSourcePort() + ")";
        }
        return "icmp or " + source;
    }

    /** A helper capture as ProbeRun's reply source: the link header is dropped, IPv4 packets are handed on. */
    private static final class StreamReplies implements PacketSource {
        private final HelperClient.CaptureStream stream;
        private final LinkType linkType;
        private long timestampNanos;
        private int originalLength;
        private boolean checksumNotReady;

        StreamReplies(HelperClient.CaptureStream stream) {
            this.stream = stream;
            this.linkType = LinkType.fromValue(stream.linkType());
        }

        @Override
        public int receive(NativeBuffer into, int offset, int capacity, int timeoutMillis) {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                HelperClient.CaptureStream.Frame f = stream.next(left);
                if (f == null) {
                    return -1;
                }
                ByteBuffer b = f.bytes();
                int network = linkType.networkOffset(b, b.position(), b.remaining());
                if (network < 0 || linkType.networkProtocol(b, b.position(), b.remaining()) != 0x0800) {
                    if (System.nanoTime() - deadline >= 0) {
                        return -1;
                    }
                    continue; // not IPv4
                }
                int length = Math.min(capacity, b.limit() - network);
                into.buffer().put(offset, b, network, length);
                timestampNanos = f.timestampNanos();
                originalLength = f.originalLength() - (network - b.position());
                checksumNotReady = f.checksumOffloaded();
                return length;
            }
        }

        @Override
        public long timestampNanos() {
            return timestampNanos;
        }

        @Override
        public boolean outgoing() {
            return false; // the helper's capture already leaves out loopback's outgoing copies
        }

        @Override
        public int originalLength() {
            return originalLength;
        }

        @Override
        public boolean checksumNotReady() {
            return checksumNotReady;
        }

        @Override
        public long drops() {
            HelperClient.CaptureStream.End end = stream.end();
            return end == null ? 0 : end.kernelDrops();
        }

        /** Ends the capture and reads its end message (up to 2 s), so the drop count is known. */
        @Override
        public void close() {
            try {
                stream.stop();
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (stream.end() == null && System.nanoTime() < deadline) {
                    stream.next(100);
                }
            } catch (HelperException ignored) {
                // the helper went away: nothing more to read
            } finally {
                stream.close();
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
