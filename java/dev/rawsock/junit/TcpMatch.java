package dev.rawsock.junit;

import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which TCP segments an assertion means, built fluently: {@code tcp().from(server).flags(SYN, ACK).ack(isn + 1)}.
 * Each condition is kept with its text, so a failure says what was looked for. Immutable.
 */
public final class TcpMatch implements Predicate<DecodedPacket> {
    public static final int FIN = TcpFlags.FIN;
    public static final int SYN = TcpFlags.SYN;
    public static final int RST = TcpFlags.RST;
    public static final int PSH = TcpFlags.PSH;
    public static final int ACK = TcpFlags.ACK;
    public static final int URG = TcpFlags.URG;

    /** One condition over the IPv4 header and the TCP header of a segment. */
    interface Condition {
        boolean test(Ipv4View ip, TcpView tcp, DecodedPacket p);
    }

    private final List<Condition> conditions;
    private final List<String> texts;

    private TcpMatch(List<Condition> conditions, List<String> texts) {
        this.conditions = conditions;
        this.texts = texts;
    }

    /** Any TCP segment over IPv4. */
    public static TcpMatch tcp() {
        return new TcpMatch(List.of(), List.of());
    }

    private TcpMatch and(String text, Condition c) {
        List<Condition> cs = new ArrayList<>(conditions);
        cs.add(c);
        List<String> ts = new ArrayList<>(texts);
        ts.add(text);
        return new TcpMatch(List.copyOf(cs), List.copyOf(ts));
    }

    /** Sent by {@code endpoint} (address and port). */
    public TcpMatch from(InetSocketAddress endpoint) {
        int a = Packets.address(endpoint);
        int port = endpoint.getPort();
        return and("from " + Ipv4Address.text(a) + ":" + port, (ip, t, p) -> ip.source() == a && t.sourcePort() == port);
    }

    /** Sent to {@code endpoint} (address and port). */
    public TcpMatch to(InetSocketAddress endpoint) {
        int a = Packets.address(endpoint);
        int port = endpoint.getPort();
        return and("to " + Ipv4Address.text(a) + ":" + port, (ip, t, p) -> ip.destination() == a && t.destinationPort() == port);
    }

    public TcpMatch fromPort(int port) {
        return and("from port " + port, (ip, t, p) -> t.sourcePort() == port);
    }

    public TcpMatch toPort(int port) {
        return and("to port " + port, (ip, t, p) -> t.destinationPort() == port);
    }

    /** Every one of {@code flags} is set (others may be too). */
    public TcpMatch flags(int... flags) {
        int mask = 0;
        for (int f : flags) {
            mask |= f;
        }
        int m = mask;
        return and("flags [" + TcpFlags.letters(m) + "]", (ip, t, p) -> (t.flags() & m) == m);
    }

    /** Exactly these flags, no others. */
    public TcpMatch onlyFlags(int... flags) {
        int mask = 0;
        for (int f : flags) {
            mask |= f;
        }
        int m = mask;
        return and("only flags [" + TcpFlags.letters(m) + "]", (ip, t, p) -> t.flags() == m);
    }

    public TcpMatch seq(long seq) {
        long s = seq & 0xFFFF_FFFFL;
        return and("seq=" + s, (ip, t, p) -> t.sequenceNumber() == s);
    }

    public TcpMatch ack(long ack) {
        long a = ack & 0xFFFF_FFFFL;
        return and("ack=" + a, (ip, t, p) -> t.acknowledgmentNumber() == a);
    }

    public TcpMatch window(int window) {
        return and("win=" + window, (ip, t, p) -> t.window() == window);
    }

    /** Carries an MSS option of {@code mss} bytes. */
    public TcpMatch mss(int mss) {
        return and("mss=" + mss, (ip, t, p) -> mssOf(t) == mss);
    }

    /** The MSS option's value, or -1 when the segment carries none. */
    public static int mssOf(TcpView t) {
        int length = t.headerLengthBytes() - TcpView.MIN_HEADER_BYTES;
        if (length <= 0) {
            return -1;
        }
        for (TcpOption o : TcpOptions.parse(t.buffer(), t.offset() + TcpView.MIN_HEADER_BYTES, length).options()) {
            if (o instanceof TcpOption.Mss m) {
                return m.mss();
            }
        }
        return -1;
    }

    /** Carries at least one byte of payload. */
    public TcpMatch withPayload() {
        return and("with payload", (ip, t, p) -> p.has(Layer.PAYLOAD) && p.length(Layer.PAYLOAD) > 0);
    }

    /** Any other condition, named for the failure message. */
    public TcpMatch where(String description, Predicate<TcpView> condition) {
        return and(description, (ip, t, p) -> condition.test(t));
    }

    @Override
    public boolean test(DecodedPacket p) {
        if (!p.has(Layer.IPV4) || !p.has(Layer.TCP)) {
            return false;
        }
        Ipv4View ip = new Ipv4View().wrap(p.buffer(), p.offset(Layer.IPV4));
        TcpView t = new TcpView().wrap(p.buffer(), p.offset(Layer.TCP));
        for (Condition c : conditions) {
            if (!c.test(ip, t, p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return texts.isEmpty() ? "a TCP segment" : "a TCP segment " + String.join(", ", texts);
    }
}
