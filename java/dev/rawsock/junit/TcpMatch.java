package dev.rawsock.junit;

import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
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

    /** One condition over a decoded segment and its TCP header. */
    interface Condition {
        boolean test(TcpView tcp, DecodedPacket p);
    }

    // Address offsets within the IP header: RFC 791 §3.1 and RFC 8200 §3.
    private static final int IPV4_SOURCE_OFFSET = 12;
    private static final int IPV4_DESTINATION_OFFSET = 16;
    private static final int IPV6_SOURCE_OFFSET = 8;
    private static final int IPV6_DESTINATION_OFFSET = 24;

    private final List<Condition> conditions;
    private final List<String> texts;

    private TcpMatch(List<Condition> conditions, List<String> texts) {
        this.conditions = conditions;
        this.texts = texts;
    }

    /** Any TCP segment, over IPv4 or IPv6. */
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

    /** Sent by {@code endpoint} (address and port; IPv4 or IPv6). */
    public TcpMatch from(InetSocketAddress endpoint) {
        byte[] a = endpoint.getAddress().getAddress();
        int port = endpoint.getPort();
        return and("from " + text(endpoint), (t, p) -> t.sourcePort() == port && addressIs(p, true, a));
    }

    /** Sent to {@code endpoint} (address and port; IPv4 or IPv6). */
    public TcpMatch to(InetSocketAddress endpoint) {
        byte[] a = endpoint.getAddress().getAddress();
        int port = endpoint.getPort();
        return and("to " + text(endpoint), (t, p) -> t.destinationPort() == port && addressIs(p, false, a));
    }

    private static String text(InetSocketAddress endpoint) {
        byte[] a = endpoint.getAddress().getAddress();
        return (endpoint.getAddress() instanceof Inet6Address ? "[" + Ipv6Address.text(ByteBuffer.wrap(a), 0) + "]"
                : Ipv4Address.text(ByteBuffer.wrap(a).getInt())) + ":" + endpoint.getPort(); // RFC 5952 text
    }

    /** The segment's IP source (or destination) is {@code address}: 4 bytes for IPv4, 16 for IPv6. */
    private static boolean addressIs(DecodedPacket p, boolean source, byte[] address) {
        int at;
        if (address.length == 4 && p.has(Layer.IPV4)) {
            at = p.offset(Layer.IPV4) + (source ? IPV4_SOURCE_OFFSET : IPV4_DESTINATION_OFFSET);
        } else if (address.length == 16 && p.has(Layer.IPV6)) {
            at = p.offset(Layer.IPV6) + (source ? IPV6_SOURCE_OFFSET : IPV6_DESTINATION_OFFSET);
        } else {
            return false;
        }
        for (int i = 0; i < address.length; i++) {
            if (p.buffer().get(at + i) != address[i]) {
                return false;
            }
        }
        return true;
    }

    public TcpMatch fromPort(int port) {
        return and("from port " + port, (t, p) -> t.sourcePort() == port);
    }

    public TcpMatch toPort(int port) {
        return and("to port " + port, (t, p) -> t.destinationPort() == port);
    }

    /** Every one of {@code flags} is set (others may be too). */
    public TcpMatch flags(int... flags) {
        int mask = 0;
        for (int f : flags) {
            mask |= f;
        }
        int m = mask;
        return and("flags [" + TcpFlags.letters(m) + "]", (t, p) -> (t.flags() & m) == m);
    }

    /** Exactly these flags, no others. */
    public TcpMatch onlyFlags(int... flags) {
        int mask = 0;
        for (int f : flags) {
            mask |= f;
        }
        int m = mask;
        return and("only flags [" + TcpFlags.letters(m) + "]", (t, p) -> t.flags() == m);
    }

    public TcpMatch seq(long seq) {
        long s = seq & 0xFFFF_FFFFL;
        return and("seq=" + s, (t, p) -> t.sequenceNumber() == s);
    }

    public TcpMatch ack(long ack) {
        long a = ack & 0xFFFF_FFFFL;
        return and("ack=" + a, (t, p) -> t.acknowledgmentNumber() == a);
    }

    public TcpMatch window(int window) {
        return and("win=" + window, (t, p) -> t.window() == window);
    }

    /** Carries an MSS option of {@code mss} bytes. */
    public TcpMatch mss(int mss) {
        return and("mss=" + mss, (t, p) -> mssOf(t) == mss);
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
        return and("with payload", (t, p) -> p.has(Layer.PAYLOAD) && p.length(Layer.PAYLOAD) > 0);
    }

    /** Any other condition, named for the failure message. */
    public TcpMatch where(String description, Predicate<TcpView> condition) {
        return and(description, (t, p) -> condition.test(t));
    }

    @Override
    public boolean test(DecodedPacket p) {
        if (!p.has(Layer.TCP)) {
            return false;
        }
        TcpView t = new TcpView().wrap(p.buffer(), p.offset(Layer.TCP));
        for (Condition c : conditions) {
            if (!c.test(t, p)) {
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
