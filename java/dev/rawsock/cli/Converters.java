package dev.rawsock.cli;

import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Sockaddrs;
import dev.rawsock.socket.SocketType;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Parsing at the edge: each converter turns one command-line word into a typed value or names the problem. */
final class Converters {
    private Converters() {}

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[0-9A-Za-z]+)?");

    /** A numeric IPv4 or IPv6 address; host names are refused (no DNS lookups behind the user's back). */
    static final class IpAddress implements ITypeConverter<InetAddress> {
        @Override
        public InetAddress convert(String text) {
            return parseIp(text);
        }
    }

    static InetAddress parseIp(String text) {
        var v4 = IPV4.matcher(text);
        if (v4.matches()) {
            byte[] raw = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    throw new TypeConversionException("'" + text + "' is not an IPv4 address: " + octet + " is above 255");
                }
                raw[i] = (byte) octet;
            }
            return byAddress(raw);
        }
        if (text.contains(":") && IPV6.matcher(text).matches()) {
            try {
                InetAddress ip = InetAddress.getByName(text); // a literal with ':' is parsed, never looked up
                // Java turns ::ffff:a.b.c.d into an Inet4Address; keep it IPv6, as the kernel and C see it.
                return ip instanceof Inet4Address ? Sockaddrs.inet6(mapped(ip.getAddress()), 0) : ip;
            } catch (UnknownHostException e) {
                throw new TypeConversionException("'" + text + "' is not an IPv6 address");
            }
        }
        throw new TypeConversionException("'" + text + "' is not a numeric IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)");
    }

    /** ::ffff:a.b.c.d for the IPv4 address a.b.c.d. */
    private static byte[] mapped(byte[] ipv4) {
        byte[] raw = new byte[16];
        raw[10] = (byte) 0xFF;
        raw[11] = (byte) 0xFF;
        System.arraycopy(ipv4, 0, raw, 12, 4);
        return raw;
    }

    private static InetAddress byAddress(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * A whole number from 0 to a field's maximum. picocli creates converters from a class with no
     * arguments, so each field is a one-line subclass naming its maximum.
     */
    abstract static class Bounded implements ITypeConverter<Integer> {
        private final int max;

        Bounded(int max) {
            this.max = max;
        }

        @Override
        public Integer convert(String text) {
            return parseRange(text, 0, max);
        }
    }

    /** One value or a sweep of them (N or N-M), from 0 to a field's maximum. */
    abstract static class BoundedRange implements ITypeConverter<dev.rawsock.probe.IntRange> {
        private final int max;

        BoundedRange(int max) {
            this.max = max;
        }

        @Override
        public dev.rawsock.probe.IntRange convert(String text) {
            try {
                return dev.rawsock.probe.IntRange.parse(text, 0, max);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A TCP/UDP port, 0-65535. */
    static final class Port extends Bounded {
        Port() {
            super(65535);
        }
    }

    /** A port or a range of ports, 0-65535: 8080 or 8080-8090. */
    static final class PortRange extends BoundedRange {
        PortRange() {
            super(0xFFFF);
        }
    }

    /** A TTL or a range of TTLs, 0-255: 64 or 1-5. */
    static final class TtlRange extends BoundedRange {
        TtlRange() {
            super(0xFF);
        }
    }

    /** A duration: 500ms, 1s, 200us, 1.5s, 2m. */
    static final class DurationConverter implements ITypeConverter<java.time.Duration> {
        @Override
        public java.time.Duration convert(String text) {
            try {
                return dev.rawsock.socket.Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** 0-255. */
    static final class U8 extends Bounded {
        U8() {
            super(0xFF);
        }
    }

    /** 0-65535. */
    static final class U16 extends Bounded {
        U16() {
            super(0xFFFF);
        }
    }

    /** 0-4294967295 (sequence and acknowledgement numbers). */
    static final class U32 implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            try {
                long value = Long.decode(text.trim());
                if (value < 0 || value > 0xFFFFFFFFL) {
                    throw new NumberFormatException();
                }
                return value;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("must be 0-4294967295 but was '" + text + "'");
            }
        }
    }

    /** DSCP, 0-63. */
    static final class Dscp extends Bounded {
        Dscp() {
            super(0x3F);
        }
    }

    /** ECN, 0-3. */
    static final class Ecn extends Bounded {
        Ecn() {
            super(0x3);
        }
    }

    /** A 4-bit field (IHL, data offset), 0-15. */
    static final class Nibble extends Bounded {
        Nibble() {
            super(0xF);
        }
    }

    /** The IPv4 fragment offset in 8-byte units, 0-8191. */
    static final class FragmentOffset extends Bounded {
        FragmentOffset() {
            super(0x1FFF);
        }
    }

    /** The 3 reserved TCP bits, 0-7. */
    static final class ThreeBits extends Bounded {
        ThreeBits() {
            super(0x7);
        }
    }

    /** TCP flags: {@code syn,ack} | {@code SA} | {@code 0x12} | {@code 18}. */
    static final class TcpFlagsConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                return dev.rawsock.wire.TcpFlags.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A numeric IPv4 or IPv6 address for a packet field (--src, --dst). */
    static final class PacketAddressConverter implements ITypeConverter<PacketAddress> {
        @Override
        public PacketAddress convert(String text) {
            try {
                return PacketAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An IPv6 flow label, 20 bits: 0-0xFFFFF. */
    static final class FlowLabel implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            try {
                return parseRange(text, 0, 0xFFFFF);
            } catch (TypeConversionException e) {
                throw new TypeConversionException("must be 0-1048575 (0xFFFFF) but was '" + text + "'");
            }
        }
    }

    /** Hex bytes ("45 00", "4500", "0x4500"). */
    static final class Hex implements ITypeConverter<dev.rawsock.wire.Bytes> {
        @Override
        public dev.rawsock.wire.Bytes convert(String text) {
            try {
                return dev.rawsock.wire.Bytes.fromHex(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + abbreviate(text) + "' is not hex: " + e.getMessage());
            }
        }
    }

    /** TCP options: mss=1460,wscale=7,sackok,ts=100:0,sack=1-2,nop,eol,raw=KIND:HEX. */
    static final class TcpOptionsConverter implements ITypeConverter<dev.rawsock.wire.Bytes> {
        @Override
        public dev.rawsock.wire.Bytes convert(String text) {
            try {
                return OptionSyntax.tcpOptions(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** One IP option: nop, eol, rr=N, ts=N, lsrr=IP,IP, ssrr=IP,IP, ra=V, raw=TYPE:HEX. */
    static final class IpOptionConverter implements ITypeConverter<byte[]> {
        @Override
        public byte[] convert(String text) {
            try {
                return OptionSyntax.ipOption(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static String abbreviate(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    static int parseRange(String text, int min, int max) {
        try {
            long value = Long.decode(text.trim());
            if (value < min || value > max) {
                throw new NumberFormatException();
            }
            return (int) value;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("must be " + min + "-" + max + " but was '" + text + "'");
        }
    }

    /** inet, inet6, unix, packet (or the C names AF_INET, ...). */
    static final class DomainConverter implements ITypeConverter<Domain> {
        @Override
        public Domain convert(String text) {
            String name = text.toUpperCase(Locale.ROOT);
            for (Domain d : Domain.values()) {
                if (d.name().equals(name) || d.name().equals("AF_" + name)) {
                    return d;
                }
            }
            throw new TypeConversionException("'" + text + "' is not a family: expected inet, inet6, unix or packet");
        }
    }

    /** stream, dgram, raw, seqpacket (or SOCK_STREAM, ...). */
    static final class TypeConverter implements ITypeConverter<SocketType> {
        @Override
        public SocketType convert(String text) {
            String name = text.toUpperCase(Locale.ROOT);
            for (SocketType t : SocketType.values()) {
                if (t.name().equals(name) || t.name().equals("SOCK_" + name)) {
                    return t;
                }
            }
            throw new TypeConversionException("'" + text + "' is not a socket type: expected stream, dgram, raw or seqpacket");
        }
    }

    /** tcp, udp, icmp, icmpv6, raw, ip (or IPPROTO_TCP, ...), and for packet sockets all, ip, ipv6, arp (ETH_P_*). */
    static final class ProtocolConverter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String text) {
            String name = text.toUpperCase(Locale.ROOT);
            for (Protocol p : Protocol.values()) {
                if (p.name().equals(name) || p.name().equals("IPPROTO_" + name) || p.name().equals("ETH_P_" + name)) {
                    return p;
                }
            }
            throw new TypeConversionException("'" + text
                    + "' is not a protocol: expected tcp, udp, icmp, icmpv6, raw, ip, or for packet sockets eth_p_all, eth_p_ip");
        }
    }

    /** A MAC address: 02:72:73:00:00:02 (or with '-'); the message says what is wrong with it. */
    static final class Mac implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            try {
                return dev.rawsock.wire.MacAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
