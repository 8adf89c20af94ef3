package dev.rawsock.probe;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.socket.RawSender;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP SYN scan on the probe engine: one SYN per port ({@link ProbeSeries} sweeping the destination
 * port, {@link ProbeRun} pacing them at a rate and matching the replies), each port then classified as
 * nmap does: <b>open</b> on a SYN-ACK (which is answered at once with a RST, so no half-open connection
 * is left behind), <b>closed</b> on a RST, <b>filtered</b> on an ICMP destination unreachable quoting the
 * probe (from the host or from a router on the way) or on silence until the timeout.
 *
 * <p>It runs on the calling thread, in that thread's network namespace (a lab's crafting side, or the
 * host's for 127.0.0.0/8): where the probes go is the caller's decision, checked by the command. Bounded:
 * one probe per port, at most 65536, at the given rate, and a final wait of the given timeout.
 */
public final class PortScan {
    public enum State {
        OPEN, CLOSED, FILTERED;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What became of one port: the state, the reason (as nmap words it), who answered, and the round trip. */
    public record PortResult(int port, State state, String reason, int replyFrom, int replyTtl, long rttNanos, boolean resetSent) {}

    /** What to scan, from where, and how fast. */
    public record Settings(int source, int destination, IntRange ports, double rate, Duration timeout, int sourcePort, Randomness random) {
        public Settings {
            if (!(rate > 0 && rate <= MAX_RATE)) {
                throw new IllegalArgumentException("the rate must be above 0 and at most " + MAX_RATE + " probes/s but was " + rate);
            }
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("the timeout must not be negative");
            }
        }

        /** The longest the scan can take: every probe at the rate, then the wait for late replies. */
        public Duration longest() {
            return Duration.ofNanos((long) (ports.size() / rate * 1e9)).plus(timeout);
        }
    }

    /** Told about each result as it is known (open and closed as the replies come, filtered at the end). */
    public interface Listener {
        void result(PortResult result);
    }

    /** Every port's result, in port order, and what was sent and received. */
    public record Result(List<PortResult> ports, ProbeStatistics statistics, long resetsSent) {
        public long count(State state) {
            return ports.stream().filter(p -> p.state() == state).count();
        }

        public PortResult port(int port) {
            return ports.stream().filter(p -> p.port() == port).findFirst().orElse(null);
        }
    }

    public static final double MAX_RATE = 100_000;
    private static final int MSS_OFFERED = 1460;

    private PortScan() {}

    /** Runs the scan on this thread (in its network namespace). Needs CAP_NET_RAW. */
    public static Result run(SocketApi api, Settings s, Listener listener) throws ErrnoException {
        PacketSpec syn = PacketSpec.tcp().source(s.source()).destination(s.destination()).sourcePort(s.sourcePort())
                .destinationPort(s.ports().first()).flags(TcpFlags.SYN).sequence(s.random().nextSequence())
                .identification(s.random().nextIdentification())
                .tcpOptions(TcpOptions.encode(List.of(new TcpOption.Mss(MSS_OFFERED))));
        ProbeSeries series = new ProbeSeries(syn, s.random(), EmitOptions.DEFAULT, s.ports(), null, false, false, false, false, false);
        int count = s.ports().size();
        PortResult[] results = new PortResult[count];
        long interval = (long) (1e9 / s.rate());
        ProbeRun.Settings run = new ProbeRun.Settings(count, -1, interval, false, true, s.timeout().toNanos(), 1);
        try (RawSender resets = RawSender.open(api)) {
            Classifier classifier = new Classifier(s, results, resets, listener);
            ProbeStatistics statistics = new ProbeRun(api, series, run, classifier).run();
            List<PortResult> all = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                if (results[i] == null) {
                    results[i] = new PortResult(s.ports().at(i), State.FILTERED, "no-response", 0, 0, -1, false);
                    listener.result(results[i]);
                }
                all.add(results[i]);
            }
            return new Result(List.copyOf(all), statistics, classifier.resetsSent);
        }
    }

    /** Turns each matched reply into a port's state, and answers every SYN-ACK with a RST. */
    private static final class Classifier implements ProbeRun.Listener {
        private final Settings settings;
        private final PortResult[] results;
        private final RawSender resets;
        private final Listener listener;
        private final Ipv4View ip = new Ipv4View();
        private final TcpView tcp = new TcpView();
        private final IcmpView icmp = new IcmpView();
        private final NativeBuffer reset = NativeBuffer.allocate(64);
        long resetsSent;

        Classifier(Settings settings, PortResult[] results, RawSender resets, Listener listener) {
            this.settings = settings;
            this.results = results;
            this.resets = resets;
            this.listener = listener;
        }

        @Override
        public void received(long i, long nanos, long rttNanos, DecodedPacket reply) {
            if (i < 0 || i >= results.length || results[(int) i] != null) {
                return;
            }
            int port = settings.ports().at(i);
            ByteBuffer b = reply.buffer();
            ip.wrap(b, reply.offset(Layer.IPV4));
            int from = ip.source();
            int ttl = ip.ttl();
            PortResult r;
            if (reply.has(Layer.ICMP)) {
                icmp.wrap(b, reply.offset(Layer.ICMP));
                // "icmp admin-prohibited", "icmp port-unreachable", "icmp time-exceeded/ttl-exceeded"
                String what = icmp.type() == IcmpTypes.DESTINATION_UNREACHABLE
                        ? "icmp " + IcmpTypes.codeName(icmp.type(), icmp.code())
                        : "icmp " + IcmpTypes.typeName(icmp.type()) + "/" + IcmpTypes.codeName(icmp.type(), icmp.code());
                r = new PortResult(port, State.FILTERED, what, from, ttl, rttNanos, false);
            } else if (reply.has(Layer.TCP)) {
                tcp.wrap(b, reply.offset(Layer.TCP));
                int flags = tcp.flags();
                if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)) {
                    boolean sent = sendReset(port, tcp.acknowledgmentNumber());
                    r = new PortResult(port, State.OPEN, "syn-ack", from, ttl, rttNanos, sent);
                } else if ((flags & TcpFlags.RST) != 0) {
                    r = new PortResult(port, State.CLOSED, "reset", from, ttl, rttNanos, false);
                } else {
                    return; // neither: leave the port to a later reply, or to the timeout
                }
            } else {
                return;
            }
            results[(int) i] = r;
            listener.result(r);
        }

        /**
         * RST for an open port's SYN-ACK, with seq = its ack (RFC 9293 §3.10.7.3): the server drops the
         * half-open connection at once instead of retransmitting its SYN-ACK until it gives up.
         */
        private boolean sendReset(int port, long ack) {
            PacketSpec rst = PacketSpec.tcp().source(settings.source()).destination(settings.destination())
                    .sourcePort(settings.sourcePort()).destinationPort(port).flags(TcpFlags.RST).sequence(ack).window(0)
                    .identification(0);
            ByteBuffer b = reset.buffer();
            int length = new Assembler().assemble(rst, settings.random(), EmitOptions.DEFAULT, b, 0);
            try {
                resets.send(reset, 0, length, settings.destination());
                resetsSent++;
                return true;
            } catch (ErrnoException e) {
                return false;
            }
        }
    }
}
