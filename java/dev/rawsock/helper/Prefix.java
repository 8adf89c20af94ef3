package dev.rawsock.helper;

import dev.rawsock.wire.Ipv4Address;

/** An IPv4 prefix such as 127.0.0.0/8: {@code address} with its host bits clear, and a length 0-32. */
public record Prefix(int address, int length) {
    public static final Prefix LOOPBACK = new Prefix(0x7F00_0000, 8);
    /** RFC 2544's benchmarking range, where the labs live (lab/Lab). */
    public static final Prefix LABS = new Prefix(0xC612_0000, 15);

    public Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("a prefix length is 0-32, not " + length);
        }
        if ((address & ~mask(length)) != 0) {
            throw new IllegalArgumentException(Ipv4Address.text(address) + "/" + length + " has host bits set (did you mean "
                    + Ipv4Address.text(address & mask(length)) + "/" + length + "?)");
        }
    }

    /** Parses "A.B.C.D/LEN" (or a bare address: /32). */
    public static Prefix parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        int address = Ipv4Address.parse(slash < 0 ? t : t.substring(0, slash));
        int length;
        try {
            length = slash < 0 ? 32 : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a prefix: the length after '/' must be a number 0-32");
        }
        return new Prefix(address, length);
    }

    private static int mask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }

    public boolean contains(int a) {
        return (a & mask(length)) == address;
    }

    @Override
    public String toString() {
        return Ipv4Address.text(address) + "/" + length;
    }
}
