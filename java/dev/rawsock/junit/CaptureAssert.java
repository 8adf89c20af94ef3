package dev.rawsock.junit;

import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpView;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Assertions over a {@link Capture}: {@code assertThat(capture).hasSegment(tcp().from(server).flags(SYN, ACK)).within(Duration.ofSeconds(1))},
 * {@code doesNotHave(tcp().flags(RST))}, {@code segmentsFrom(server).hasPayload(bytes)}. A failure prints
 * what was looked for and the capture as decoded lines.
 *
 * <p>{@code within(d)} reads both ways. Before {@code hasSegment} it is how long to wait for the segment
 * (from then on). After {@code hasSegment} it bounds when the segment found was captured: at most {@code d}
 * after the previous segment found in the same chain, or, for the first, after {@code assertThat} was
 * called; so {@code hasSegment(syn).hasSegment(synAck).within(ofMillis(200))} says the SYN-ACK came within
 * 200 ms of the SYN. Either way, {@code d} is also the wait for the segments asserted after it.
 */
public final class CaptureAssert {
    /** How long {@link #hasSegment} waits for the segment unless {@link #within} says otherwise. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(2);

    /** The segment the last {@code hasSegment} found, and what its capture time is measured from. */
    private record Found(TcpMatch match, int frameNumber, long capturedNanos, long referenceNanos, String reference) {}

    private final Capture capture;
    private final Duration wait;
    /** CLOCK_REALTIME ns (the capture's clock): the previous segment found, or when assertThat was called. */
    private final long referenceNanos;
    private final String reference;
    private final Found found;

    private CaptureAssert(Capture capture, Duration wait, long referenceNanos, String reference, Found found) {
        this.capture = capture;
        this.wait = wait;
        this.referenceNanos = referenceNanos;
        this.reference = reference;
        this.found = found;
    }

    public static CaptureAssert assertThat(Capture capture) {
        Instant now = Instant.now();
        return new CaptureAssert(capture, DEFAULT_WAIT, now.getEpochSecond() * 1_000_000_000L + now.getNano(),
                "when the assertion began", null);
    }

    /**
     * After {@link #hasSegment}: the segment it found was captured at most {@code limit} after the previous
     * segment found in this chain (or after {@code assertThat}). Before it: wait up to {@code limit} for the
     * segment. Both: {@code limit} is the wait for what follows.
     */
    public CaptureAssert within(Duration limit) {
        if (limit.isNegative() || limit.isZero()) {
            throw new IllegalArgumentException("within: the duration must be above 0 but was " + limit);
        }
        if (found != null) {
            long tookNanos = found.capturedNanos() - found.referenceNanos();
            if (tookNanos > limit.toNanos()) {
                throw failure("expected " + found.match() + " within " + limit.toMillis() + " ms of " + found.reference()
                        + ", but it came " + String.format(java.util.Locale.ROOT, "%.1f", tookNanos / 1e6) + " ms after (packet "
                        + found.frameNumber() + ")");
            }
        }
        return new CaptureAssert(capture, limit, referenceNanos, reference, null);
    }

    private AssertionFailedError failure(String what) {
        return new AssertionFailedError(what + "\ncaptured on " + capture.interfaceName() + ":\n" + capture.lines());
    }

    /** Waits (up to the wait) for a segment that matches; returns an assertion for chaining ({@link #within} then bounds its time). */
    public CaptureAssert hasSegment(TcpMatch match) {
        int index;
        try {
            index = capture.await(match, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for " + match);
        }
        if (index < 0) {
            throw failure("expected " + match + " within " + wait.toMillis() + " ms, but none was captured"
                    + (wait.equals(DEFAULT_WAIT) ? " (the default wait: put within(d) before hasSegment to wait longer)" : ""));
        }
        long capturedNanos = capture.frames().get(index).timestampNanos();
        int frameNumber = index + 1;
        return new CaptureAssert(capture, wait, capturedNanos, "packet " + frameNumber + " (" + match + ")",
                new Found(match, frameNumber, capturedNanos, referenceNanos, reference));
    }

    /** No segment captured so far matches (call after what should not happen has had its chance). */
    public CaptureAssert doesNotHave(TcpMatch match) {
        for (DecodedPacket p : capture.packets()) {
            if (match.test(p)) {
                throw failure("expected none of: " + match + ", but packet " + p.frameNumber() + " is one");
            }
        }
        return this;
    }

    /** Exactly {@code n} matching segments so far. */
    public CaptureAssert hasSegments(TcpMatch match, int n) {
        long count = capture.packets().stream().filter(match).count();
        if (count != n) {
            throw failure("expected " + n + " of " + match + ", but " + count + " were captured");
        }
        return this;
    }

    /** The TCP stream {@code endpoint} sent, for assertions on its bytes. */
    public StreamAssert segmentsFrom(InetSocketAddress endpoint) {
        return new StreamAssert(TcpMatch.tcp().from(endpoint));
    }

    /** The payload bytes of the segments {@code match} selects, in capture order, each sequence number once. */
    public static byte[] payload(Capture capture, TcpMatch match) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Set<Long> seen = new HashSet<>();
        TcpView t = new TcpView();
        for (DecodedPacket p : capture.packets()) {
            if (match.test(p) && p.has(Layer.PAYLOAD) && p.length(Layer.PAYLOAD) > 0) {
                t.wrap(p.buffer(), p.offset(Layer.TCP));
                if (seen.add(t.sequenceNumber())) { // a retransmission carries the same bytes again
                    byte[] b = new byte[p.length(Layer.PAYLOAD)];
                    p.buffer().get(p.offset(Layer.PAYLOAD), b);
                    out.writeBytes(b);
                }
            }
        }
        return out.toByteArray();
    }

    /** Assertions over the bytes one side put on the wire. */
    public final class StreamAssert {
        private final TcpMatch match;

        StreamAssert(TcpMatch match) {
            this.match = match;
        }

        public byte[] payload() {
            return CaptureAssert.payload(capture, match);
        }

        /** The stream's bytes are exactly {@code expected} (waiting up to the wait for them to arrive). */
        public StreamAssert hasPayload(byte[] expected) {
            long deadline = System.nanoTime() + wait.toNanos();
            byte[] got = payload();
            while (!java.util.Arrays.equals(got, expected) && System.nanoTime() < deadline) {
                sleep();
                got = payload();
            }
            if (!java.util.Arrays.equals(got, expected)) {
                throw failure("expected the segments " + match.toString().replace("a TCP segment ", "") + " to carry "
                        + show(expected) + " but they carried " + show(got));
            }
            return this;
        }

        public StreamAssert hasPayload(String expected) {
            return hasPayload(expected.getBytes(StandardCharsets.UTF_8));
        }

        /** The stream's bytes, read as UTF-8, contain {@code text} (waiting up to the wait). */
        public StreamAssert payloadContains(String text) {
            long deadline = System.nanoTime() + wait.toNanos();
            String got = new String(payload(), StandardCharsets.UTF_8);
            while (!got.contains(text) && System.nanoTime() < deadline) {
                sleep();
                got = new String(payload(), StandardCharsets.UTF_8);
            }
            if (!got.contains(text)) {
                throw failure("expected the segments " + match.toString().replace("a TCP segment ", "") + " to contain "
                        + show(text.getBytes(StandardCharsets.UTF_8)) + " but they carried " + show(got.getBytes(StandardCharsets.UTF_8)));
            }
            return this;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String show(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(b.length, 200); i++) {
            int c = b[i] & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.append(b.length > 200 ? "...\"" : "\"").append(" (").append(b.length).append(" bytes)").toString();
    }

    List<DecodedPacket> packets() {
        return capture.packets();
    }
}
