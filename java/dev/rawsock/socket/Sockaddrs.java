package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.Structs.SockaddrIn;
import dev.rawsock.linux.Structs.SockaddrIn6;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * sockaddr_in / sockaddr_in6 to and from {@link InetSocketAddress} (ports and addresses in network order),
 * and the text form the trace and the CLI print.
 */
public final class Sockaddrs {
    private Sockaddrs() {}

    /** Writes the address at {@code offset}; returns its length (16 or 28). */
    static int write(ByteBuffer b, int offset, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address.getHostString());
        }
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            for (int i = 0; i < SockaddrIn.SIZE; i++) {
                b.put(offset + i, (byte) 0);
            }
            b.putShort(offset + SockaddrIn.SIN_FAMILY, (short) Constants.AF_INET);
            putPort(b, offset + SockaddrIn.SIN_PORT, address.getPort());
            b.put(offset + SockaddrIn.SIN_ADDR, raw, 0, 4);
            return SockaddrIn.SIZE;
        }
        for (int i = 0; i < SockaddrIn6.SIZE; i++) {
            b.put(offset + i, (byte) 0);
        }
        b.putShort(offset + SockaddrIn6.SIN6_FAMILY, (short) Constants.AF_INET6);
        putPort(b, offset + SockaddrIn6.SIN6_PORT, address.getPort());
        b.put(offset + SockaddrIn6.SIN6_ADDR, raw, 0, 16);
        b.putInt(offset + SockaddrIn6.SIN6_SCOPE_ID, ((Inet6Address) ip).getScopeId());
        return SockaddrIn6.SIZE;
    }

    /** Reads an AF_INET or AF_INET6 address; null for any other family (or none). */
    static InetSocketAddress read(ByteBuffer b, int offset, int length) {
        if (length < 2) {
            return null;
        }
        int family = Short.toUnsignedInt(b.getShort(offset));
        try {
            if (family == Constants.AF_INET && length >= SockaddrIn.SIZE) {
                byte[] raw = new byte[4];
                b.get(offset + SockaddrIn.SIN_ADDR, raw);
                return new InetSocketAddress(InetAddress.getByAddress(raw), getPort(b, offset + SockaddrIn.SIN_PORT));
            }
            if (family == Constants.AF_INET6 && length >= SockaddrIn6.SIZE) {
                byte[] raw = new byte[16];
                b.get(offset + SockaddrIn6.SIN6_ADDR, raw);
                int scope = b.getInt(offset + SockaddrIn6.SIN6_SCOPE_ID);
                return new InetSocketAddress(inet6(raw, scope), getPort(b, offset + SockaddrIn6.SIN6_PORT));
            }
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible); // only thrown for a wrong array length
        }
        return null;
    }

    /**
     * An {@link Inet6Address} for 16 raw bytes, also for an IPv4-mapped address (::ffff:a.b.c.d), which
     * {@code InetAddress.getByAddress} would turn into an {@code Inet4Address}: an AF_INET6 socket's
     * address must stay AF_INET6, or writing it back gives a 16-byte sockaddr_in that the socket refuses
     * (EINVAL), and the trace would not show what the kernel returned. Scope 0 means none.
     */
    public static Inet6Address inet6(byte[] raw, int scope) throws UnknownHostException {
        // A negative scope leaves it unset (no "%0" in getHostAddress), as InetAddress.getByAddress does.
        return Inet6Address.getByAddress(null, raw, scope != 0 ? scope : -1);
    }

    private static void putPort(ByteBuffer b, int at, int port) {
        b.put(at, (byte) (port >>> 8));
        b.put(at + 1, (byte) port);
    }

    private static int getPort(ByteBuffer b, int at) {
        return (Byte.toUnsignedInt(b.get(at)) << 8) | Byte.toUnsignedInt(b.get(at + 1));
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}: the address as the trace and the CLI print it. */
    public static String text(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        InetAddress ip = address.getAddress();
        if (ip instanceof Inet6Address) {
            return "[" + ipText(ip) + "]:" + address.getPort();
        }
        return (ip == null ? address.getHostString() : ip.getHostAddress()) + ":" + address.getPort();
    }

    /** {@code 127.0.0.1} or {@code ::1} (RFC 5952 for IPv6). */
    public static String ipText(InetAddress ip) {
        return ip instanceof Inet6Address ? ipv6Text(ip.getAddress()) : ip.getHostAddress();
    }

    /**
     * RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::",
     * and an IPv4-mapped address with its IPv4 part dotted (section 5: ::ffff:192.0.2.1), as inet_ntop writes it.
     */
    static String ipv6Text(byte[] raw) {
        if (isIpv4Mapped(raw)) {
            return "::ffff:" + (raw[12] & 0xFF) + "." + (raw[13] & 0xFF) + "." + (raw[14] & 0xFF) + "." + (raw[15] & 0xFF);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((raw[2 * i] & 0xFF) << 8) | (raw[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** ::ffff:0:0/96, an IPv4 address as an AF_INET6 socket sees it. */
    static boolean isIpv4Mapped(byte[] raw) {
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xFF && raw[11] == (byte) 0xFF;
    }
}
