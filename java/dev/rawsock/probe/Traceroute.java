package dev.rawsock.probe;

import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.IcmpTypes;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpView;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Traceroute on the probe engine, hop by hop as traceroute(8) does it: for TTL 1, 2, ... a few probes
 * ({@link ProbeSeries} with the TTL set, {@link ProbeRun} sending and matching), each answered by the
 * router where the TTL ran out (ICMP time exceeded, quoting the probe) or, once the TTL reaches far
 * enough, by the destination itself: ICMP port unreachable for UDP probes (to ports 33434 and up,
 * where nothing listens), an echo reply for ICMP echo requests, a SYN-ACK or RST for TCP SYNs. It stops
 * at the first TTL the destination answers, or at the maximum.
 *
 * <p>It runs on the calling thread, in that thread's network namespace (a lab's crafting side). Bounded:
 * at most {@code maxHops} rounds of {@code queries} probes, each round at most queries/rate plus the timeout.
 */
public final class Traceroute {
    public enum Probe {
        UDP, TCP, ICMP;

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** traceroute(8)'s first UDP port: 33434, and one more for every probe after it. */
    public static final int UDP_BASE_PORT = 33434;
    public static final int MAX_HOPS = 64;
    public static final int MAX_QUERIES = 10;

    /** What to trace: from {@code source} to {@code destination}; {@code port} is the TCP destination port (UDP counts up from 33434). */
    public record Settings(int source, int destination, Probe probe, int maxHops, int queries, int port, double rate,
                           Duration timeout, Randomness random) {
        public Settings {
            if (maxHops < 1 || maxHops > MAX_HOPS) {
                throw new IllegalArgumentException("max hops must be 1-" + MAX_HOPS + " but was " + maxHops);
            }
            if (queries < 1 || queries > MAX_QUERIES) {
                throw new IllegalArgumentException("probes per hop must be 1-" + MAX_QUERIES + " but was " + queries);
            }
            if (!(rate > 0 && rate <= 10_000)) {
                throw new IllegalArgumentException("the rate must be above 0 and at most 10000 probes/s but was " + rate);
            }
        }
    }

    /**
     * One probe's answer: who sent it, after how long, and what it was (an ICMP type and code, or TCP
     * flags); {@code destination} when it came from the traced host itself.
     */
    public record Reply(int query, int from, long rttNanos, int icmpType, int icmpCode, int tcpFlags, boolean destination) {
        /** "time exceeded", "port unreachable", "echo reply", "SYN-ACK", "RST". */
        public String what() {
            if (icmpType >= 0) {
                if (icmpType == IcmpTypes.TIME_EXCEEDED && icmpCode == IcmpTypes.TTL_EXCEEDED) {
                    return "time exceeded";
                }
                if (icmpType == IcmpTypes.ECHO_REPLY) {
                    return "echo reply";
                }
                return IcmpTypes.codeName(icmpType, icmpCode).replace('-', ' ');
            }
            if ((tcpFlags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)) {
                return "SYN-ACK";
            }
            return (tcpFlags & TcpFlags.RST) != 0 ? "RST" : "TCP [" + TcpFlags.letters(tcpFlags) + "]";
        }
    }

    /** One TTL's round: a reply or null ("*", nothing within the timeout) per probe. */
    public record Hop(int ttl, List<Reply> replies) {
        public boolean reachedDestination() {
            return replies.stream().anyMatch(r -> r != null && r.destination());
        }

        /** The first address that answered at this TTL, or 0. */
        public int address() {
            return replies.stream().filter(r -> r != null).mapToInt(Reply::from).findFirst().orElse(0);
        }
    }

    public interface Listener {
        void hop(Hop hop);
    }

    public record Result(List<Hop> hops, boolean reached) {}

    private Traceroute() {}

    /** Traces on this thread, in its network namespace. Needs CAP_NET_RAW. */
    public static Result run(SocketApi api, Settings s, Listener listener) throws ErrnoException {
        List<Hop> hops = new ArrayList<>();
        int icmpId = s.random().nextIcmpIdentifier();
        long interval = (long) (1e9 / s.rate());
        for (int ttl = 1; ttl <= s.maxHops(); ttl++) {
            int first = (ttl - 1) * s.queries(); // the probe number, counted over the whole trace
            ProbeSeries series = series(s, ttl, first, icmpId);
            Reply[] replies = new Reply[s.queries()];
            ProbeRun.Settings run = new ProbeRun.Settings(s.queries(), -1, interval, false, true, s.timeout().toNanos(), 1);
            new ProbeRun(api, series, run, new Collector(s, replies)).run();
            Hop hop = new Hop(ttl, Arrays.asList(replies));
            hops.add(hop);
            listener.hop(hop);
            if (hop.reachedDestination()) {
                return new Result(List.copyOf(hops), true);
            }
        }
        return new Result(List.copyOf(hops), false);
    }

    private static ProbeSeries series(Settings s, int ttl, int first, int icmpId) {
        PacketSpec spec;
        IntRange ports = null;
        boolean sourcePortIncrement = false;
        switch (s.probe()) {
            case UDP -> {
                // Like traceroute(8): each probe to its own port, 33434 + its number; nothing listens there.
                spec = PacketSpec.udp().sourcePort(s.random().nextSourcePort()).destinationPort(UDP_BASE_PORT + first)
                        .payload(Bytes.of(new byte[32]));
                ports = new IntRange(UDP_BASE_PORT + first, UDP_BASE_PORT + first + s.queries() - 1);
            }
            case TCP -> {
                // Each probe from its own source port, so a SYN-ACK or RST names the probe it answers.
                spec = PacketSpec.tcp().sourcePort(s.random().nextSourcePort()).destinationPort(s.port()).flags(TcpFlags.SYN)
                        .sequence(s.random().nextSequence());
                sourcePortIncrement = true;
            }
            default -> spec = PacketSpec.icmp().icmpType(IcmpTypes.ECHO_REQUEST).icmpIdentifier(icmpId).icmpSequence(first + 1)
                    .payload(Bytes.of(new byte[32]));
        }
        spec.source(s.source()).destination(s.destination()).ttl(ttl).identification(s.random().nextIdentification());
        return new ProbeSeries(spec, s.random(), EmitOptions.DEFAULT, ports, IntRange.of(ttl), sourcePortIncrement, false, false, false, false);
    }

    /** Keeps the first reply to each probe of a round. */
    private static final class Collector implements ProbeRun.Listener {
        private final Settings settings;
        private final Reply[] replies;
        private final Ipv4View ip = new Ipv4View();
        private final IcmpView icmp = new IcmpView();
        private final TcpView tcp = new TcpView();

        Collector(Settings settings, Reply[] replies) {
            this.settings = settings;
            this.replies = replies;
        }

        @Override
        public void received(long i, long nanos, long rttNanos, DecodedPacket reply) {
            if (i < 0 || i >= replies.length || replies[(int) i] != null) {
                return;
            }
            ByteBuffer b = reply.buffer();
            int from = ip.wrap(b, reply.offset(Layer.IPV4)).source();
            int type = -1;
            int code = -1;
            int flags = 0;
            if (reply.has(Layer.ICMP)) {
                icmp.wrap(b, reply.offset(Layer.ICMP));
                type = icmp.type();
                code = icmp.code();
            } else if (reply.has(Layer.TCP)) {
                flags = tcp.wrap(b, reply.offset(Layer.TCP)).flags();
            }
            boolean destination = from == settings.destination() && type != IcmpTypes.TIME_EXCEEDED;
            replies[(int) i] = new Reply((int) i, from, rttNanos, type, code, flags, destination);
        }
    }
}
