package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.Errno;
import dev.rawsock.linux.Structs;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The typed socket options rawsock knows, with their real names and units (socket(7), ip(7), tcp(7)).
 * Each {@link SocketOption} here is a constant; {@link #ALL} lists them for {@code rawsock sockopt}.
 */
public final class SocketOptions {
    private SocketOptions() {}

    public static final SocketOption<Boolean> SO_REUSEADDR = flag("SO_REUSEADDR", Constants.SOL_SOCKET,
            Constants.SO_REUSEADDR, "bind may reuse a local address still in TIME_WAIT");
    public static final SocketOption<Boolean> SO_REUSEPORT = flag("SO_REUSEPORT", Constants.SOL_SOCKET,
            Constants.SO_REUSEPORT, "several sockets may bind the same address and port");
    public static final SocketOption<Boolean> SO_KEEPALIVE = flag("SO_KEEPALIVE", Constants.SOL_SOCKET,
            Constants.SO_KEEPALIVE, "probe an idle connection to find a dead peer");
    public static final SocketOption<Linger> SO_LINGER = new SocketOption<>("SO_LINGER", Constants.SOL_SOCKET,
            Constants.SO_LINGER, new LingerCodec(), "on/off, seconds", true,
            "close waits for unsent data; on with 0 s resets the connection (RST)");
    public static final SocketOption<Integer> SO_RCVBUF = integer("SO_RCVBUF", Constants.SOL_SOCKET,
            Constants.SO_RCVBUF, "bytes", true, "receive buffer; Linux doubles what is set, for bookkeeping");
    public static final SocketOption<Integer> SO_SNDBUF = integer("SO_SNDBUF", Constants.SOL_SOCKET,
            Constants.SO_SNDBUF, "bytes", true, "send buffer; Linux doubles what is set, for bookkeeping");
    public static final SocketOption<Duration> SO_RCVTIMEO = timeout("SO_RCVTIMEO", Constants.SO_RCVTIMEO,
            "a blocking receive gives up after this long (0 = never)");
    public static final SocketOption<Duration> SO_SNDTIMEO = timeout("SO_SNDTIMEO", Constants.SO_SNDTIMEO,
            "a blocking send gives up after this long (0 = never)");
    public static final SocketOption<Integer> SO_ERROR = new SocketOption<>("SO_ERROR", Constants.SOL_SOCKET,
            Constants.SO_ERROR, new IntCodec() {
                @Override
                public String traceText(Integer value) {
                    return value == 0 ? "[0]" : "[" + Errno.symbol(value) + "]";
                }
            }, "errno", false, "the pending error, cleared by reading it");
    public static final SocketOption<Integer> SO_TYPE = new SocketOption<>("SO_TYPE", Constants.SOL_SOCKET,
            Constants.SO_TYPE, new IntCodec() {
                @Override
                public String traceText(Integer value) {
                    SocketType t = SocketType.of(value);
                    return "[" + (t != null ? t.name() : Integer.toString(value)) + "]";
                }
            }, "SOCK_*", false, "the socket's type");
    public static final SocketOption<Boolean> SO_BROADCAST = flag("SO_BROADCAST", Constants.SOL_SOCKET,
            Constants.SO_BROADCAST, "datagrams may go to broadcast addresses");
    public static final SocketOption<Boolean> SO_TIMESTAMPNS = flag("SO_TIMESTAMPNS", Constants.SOL_SOCKET,
            Constants.SO_TIMESTAMPNS, "stamp each received packet with the kernel's receive time (nanoseconds)");
    public static final SocketOption<Boolean> TCP_NODELAY = flag("TCP_NODELAY", Constants.IPPROTO_TCP,
            Constants.TCP_NODELAY, "send small segments at once instead of coalescing them (Nagle off)");
    public static final SocketOption<Integer> TCP_MAXSEG = integer("TCP_MAXSEG", Constants.IPPROTO_TCP,
            Constants.TCP_MAXSEG, "bytes", true, "maximum segment size: the most data bytes in one segment");
    public static final SocketOption<Integer> TCP_KEEPIDLE = integer("TCP_KEEPIDLE", Constants.IPPROTO_TCP,
            Constants.TCP_KEEPIDLE, "seconds", true, "idle time before the first keepalive probe");
    public static final SocketOption<Integer> TCP_KEEPINTVL = integer("TCP_KEEPINTVL", Constants.IPPROTO_TCP,
            Constants.TCP_KEEPINTVL, "seconds", true, "time between keepalive probes");
    public static final SocketOption<Integer> TCP_KEEPCNT = integer("TCP_KEEPCNT", Constants.IPPROTO_TCP,
            Constants.TCP_KEEPCNT, "probes", true, "unanswered probes before the connection is dropped");
    public static final SocketOption<TcpInfo> TCP_INFO = new SocketOption<>("TCP_INFO", Constants.IPPROTO_TCP,
            Constants.TCP_INFO, new TcpInfoCodec(), "struct tcp_info (times in us)", false,
            "the kernel's view of the connection: state, rtt, cwnd, mss, retransmits");
    public static final SocketOption<Integer> IP_TTL = integer("IP_TTL", Constants.IPPROTO_IP,
            Constants.IP_TTL, "hops", true, "time to live of outgoing IPv4 packets");
    public static final SocketOption<Integer> IP_TOS = integer("IP_TOS", Constants.IPPROTO_IP,
            Constants.IP_TOS, "DSCP<<2|ECN", true, "type of service byte of outgoing IPv4 packets");
    public static final SocketOption<Boolean> IP_HDRINCL = flag("IP_HDRINCL", Constants.IPPROTO_IP,
            Constants.IP_HDRINCL, "raw sockets: the application writes the IPv4 header itself");

    /** Every option above, in the order {@code rawsock sockopt} lists them. */
    public static final List<SocketOption<?>> ALL = List.of(
            SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_LINGER, SO_RCVBUF, SO_SNDBUF, SO_RCVTIMEO,
            SO_SNDTIMEO, SO_ERROR, SO_TYPE, SO_BROADCAST, SO_TIMESTAMPNS, TCP_NODELAY, TCP_MAXSEG, TCP_KEEPIDLE,
            TCP_KEEPINTVL, TCP_KEEPCNT, TCP_INFO, IP_TTL, IP_TOS, IP_HDRINCL);

    /** The option with that C name (case-insensitive), or null. */
    public static SocketOption<?> byName(String name) {
        for (SocketOption<?> option : ALL) {
            if (option.name().equalsIgnoreCase(name)) {
                return option;
            }
        }
        return null;
    }

    /** Whether the option's level belongs to a socket of this family and type. */
    public static boolean appliesTo(SocketOption<?> option, Domain domain, SocketType type) {
        switch (option.level()) {
            case Constants.SOL_SOCKET:
                return true;
            case Constants.IPPROTO_IP:
                return domain == Domain.AF_INET;
            case Constants.IPPROTO_TCP:
                return (domain == Domain.AF_INET || domain == Domain.AF_INET6) && type == SocketType.SOCK_STREAM;
            default:
                return false;
        }
    }

    /** The C name of an option level: SOL_SOCKET, IPPROTO_TCP, ... or the number. */
    public static String levelName(int level) {
        switch (level) {
            case Constants.SOL_SOCKET: return "SOL_SOCKET";
            case Constants.IPPROTO_IP: return "IPPROTO_IP";
            case Constants.IPPROTO_TCP: return "IPPROTO_TCP";
            case Constants.IPPROTO_UDP: return "IPPROTO_UDP";
            case Constants.IPPROTO_IPV6: return "IPPROTO_IPV6";
            case Constants.SOL_PACKET: return "SOL_PACKET";
            default: return Integer.toString(level);
        }
    }

    /** The C name of a known option at a level, or the number. */
    public static String optionName(int level, int optname) {
        for (SocketOption<?> option : ALL) {
            if (option.level() == level && option.optname() == optname) {
                return option.name();
            }
        }
        return Integer.toString(optname);
    }

    private static SocketOption<Boolean> flag(String name, int level, int optname, String meaning) {
        return new SocketOption<>(name, level, optname, new FlagCodec(), "on/off", true, meaning);
    }

    private static SocketOption<Integer> integer(String name, int level, int optname, String unit,
                                                 boolean settable, String meaning) {
        return new SocketOption<>(name, level, optname, new IntCodec(), unit, settable, meaning);
    }

    private static SocketOption<Duration> timeout(String name, int optname, String meaning) {
        return new SocketOption<>(name, Constants.SOL_SOCKET, optname, new TimevalCodec(), "time", true, meaning);
    }

    /** An int the kernel reads as a boolean: 0 off, anything else on. */
    static final class FlagCodec implements SocketOption.Codec<Boolean> {
        @Override
        public int sizeBytes() {
            return 4;
        }

        @Override
        public void encode(ByteBuffer b, int offset, Boolean value) {
            b.putInt(offset, value ? 1 : 0);
        }

        @Override
        public Boolean decode(ByteBuffer b, int offset, int lengthBytes) {
            return lengthBytes == 1 ? b.get(offset) != 0 : b.getInt(offset) != 0;
        }

        @Override
        public String traceText(Boolean value) {
            return value ? "[1]" : "[0]";
        }

        @Override
        public Boolean parse(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "1": case "on": case "true": case "yes": return true;
                case "0": case "off": case "false": case "no": return false;
                default: throw new IllegalArgumentException("expected on/off (1/0) but was '" + text + "'");
            }
        }
    }

    static class IntCodec implements SocketOption.Codec<Integer> {
        @Override
        public int sizeBytes() {
            return 4;
        }

        @Override
        public void encode(ByteBuffer b, int offset, Integer value) {
            b.putInt(offset, value);
        }

        @Override
        public Integer decode(ByteBuffer b, int offset, int lengthBytes) {
            return lengthBytes == 1 ? Byte.toUnsignedInt(b.get(offset)) : b.getInt(offset);
        }

        @Override
        public String traceText(Integer value) {
            return "[" + value + "]";
        }

        @Override
        public Integer parse(String text) {
            try {
                return Integer.decode(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected an integer but was '" + text + "'");
            }
        }
    }

    /** struct timeval; zero means "no timeout". */
    static final class TimevalCodec implements SocketOption.Codec<Duration> {
        @Override
        public int sizeBytes() {
            return Structs.Timeval.SIZE;
        }

        @Override
        public void encode(ByteBuffer b, int offset, Duration value) {
            b.putLong(offset + Structs.Timeval.TV_SEC, value.getSeconds());
            b.putLong(offset + Structs.Timeval.TV_USEC, value.getNano() / 1000);
        }

        @Override
        public Duration decode(ByteBuffer b, int offset, int lengthBytes) {
            return Duration.ofSeconds(b.getLong(offset + Structs.Timeval.TV_SEC))
                    .plusNanos(b.getLong(offset + Structs.Timeval.TV_USEC) * 1000);
        }

        @Override
        public String traceText(Duration value) {
            return "{tv_sec=" + value.getSeconds() + ", tv_usec=" + value.getNano() / 1000 + "}";
        }

        @Override
        public Duration parse(String text) {
            return Durations.parse(text);
        }
    }

    static final class LingerCodec implements SocketOption.Codec<Linger> {
        @Override
        public int sizeBytes() {
            return Structs.Linger.SIZE;
        }

        @Override
        public void encode(ByteBuffer b, int offset, Linger value) {
            b.putInt(offset + Structs.Linger.L_ONOFF, value.enabled() ? 1 : 0);
            b.putInt(offset + Structs.Linger.L_LINGER, value.seconds());
        }

        @Override
        public Linger decode(ByteBuffer b, int offset, int lengthBytes) {
            return new Linger(b.getInt(offset + Structs.Linger.L_ONOFF) != 0, b.getInt(offset + Structs.Linger.L_LINGER));
        }

        @Override
        public String traceText(Linger value) {
            return "{l_onoff=" + (value.enabled() ? 1 : 0) + ", l_linger=" + value.seconds() + "}";
        }

        /** "off", or the seconds to linger ("5" or "5s"; "0" means reset on close). */
        @Override
        public Linger parse(String text) {
            if (text.equalsIgnoreCase("off")) {
                return Linger.OFF;
            }
            String seconds = text.toLowerCase(Locale.ROOT).replaceFirst("^on[:,]?", "").replaceFirst("s$", "");
            try {
                int value = Integer.parseInt(seconds);
                if (value < 0) {
                    throw new NumberFormatException();
                }
                return new Linger(true, value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected 'off' or whole seconds (e.g. 5) but was '" + text + "'");
            }
        }
    }

    static final class TcpInfoCodec implements SocketOption.Codec<TcpInfo> {
        @Override
        public int sizeBytes() {
            return Structs.TcpInfo.SIZE;
        }

        @Override
        public void encode(ByteBuffer b, int offset, TcpInfo value) {
            throw new UnsupportedOperationException("TCP_INFO is read-only");
        }

        @Override
        public TcpInfo decode(ByteBuffer b, int offset, int lengthBytes) {
            return TcpInfo.decode(b, offset);
        }

        @Override
        public String traceText(TcpInfo value) {
            return value.traceText();
        }

        @Override
        public TcpInfo parse(String text) {
            throw new IllegalArgumentException("TCP_INFO is read-only");
        }
    }
}
