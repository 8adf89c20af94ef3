package dev.rawsock.cli;

import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A numeric address as --src and --dst take it: IPv4 (an int, as {@link Ipv4Address} keeps it) or IPv6
 * (16 bytes), with the text the user gave. Host names are refused: no DNS lookups behind the user's back.
 */
record PacketAddress(Integer ipv4, Bytes ipv6, String text) {
    static final PacketAddress IPV4_LOOPBACK = parse("127.0.0.1");
    static final PacketAddress IPV6_LOOPBACK = parse("::1");

    /** Text with a ':' is IPv6 (RFC 4291 §2.2), anything else a dotted IPv4 quad; the message names the problem. */
    static PacketAddress parse(String text) {
        if (text.indexOf(':') >= 0) {
            return new PacketAddress(null, Ipv6Address.parse(text), text.trim());
        }
        return new PacketAddress(Ipv4Address.parse(text), null, text.trim());
    }

    boolean isIpv6() {
        return ipv6 != null;
    }

    /** "IPv4" or "IPv6". */
    String family() {
        return isIpv6() ? "IPv6" : "IPv4";
    }

    InetAddress inetAddress() {
        try {
            if (isIpv6()) {
                return Inet6Address.getByAddress(null, ipv6.toArray(), -1);
            }
            int a = ipv4;
            return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The address of a socket's answer, or null when its family is not this one's. */
    PacketAddress sameFamily(InetAddress address) {
        if (isIpv6() && address instanceof Inet6Address) {
            Bytes raw = Bytes.of(address.getAddress());
            return new PacketAddress(null, raw, Ipv6Address.text(raw));
        }
        if (!isIpv6() && address instanceof Inet4Address) {
            byte[] a = address.getAddress();
            int v = ((a[0] & 0xFF) << 24) | ((a[1] & 0xFF) << 16) | ((a[2] & 0xFF) << 8) | (a[3] & 0xFF);
            return new PacketAddress(v, null, Ipv4Address.text(v));
        }
        return null;
    }

    /**
     * The address as the user wrote it. Written out rather than the record's generated toString, whose
     * invokedynamic bootstrap spins ~17 method-handle classes at start-up (picocli prints option values).
     */
    @Override
    public String toString() {
        return text;
    }
}
