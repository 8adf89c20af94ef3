package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * 48-bit MAC addresses (IEEE 802) as the low 48 bits of a long, first octet most significant:
 * 02:00:00:00:00:0a is 0x02000000000AL. Text is lower-case and colon-separated, two digits per octet.
 */
public final class MacAddress {
    private MacAddress() {}

    /** The largest address, ff:ff:ff:ff:ff:ff, which is also the broadcast address. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The mask of the 48 address bits. */
    public static final long MASK = BROADCAST;

    /** Reads the 6 bytes at {@code offset}, big-endian. */
    public static long read(ByteBuffer b, int offset) {
        long address = 0;
        for (int i = 0; i < 6; i++) {
            address = (address << 8) | (b.get(offset + i) & 0xFF);
        }
        return address;
    }

    /** Writes the low 48 bits of {@code address} as 6 bytes at {@code offset}, big-endian. */
    public static void write(ByteBuffer b, int offset, long address) {
        for (int i = 5; i >= 0; i--) {
            b.put(offset + 5 - i, (byte) (address >>> (8 * i)));
        }
    }

    /** "aa:bb:cc:dd:ee:ff". */
    public static String text(long address) {
        return append(new StringBuilder(17), address).toString();
    }

    /** Appends "aa:bb:cc:dd:ee:ff" without making a String (for the printers' reused buffers). */
    public static StringBuilder append(StringBuilder out, long address) {
        for (int i = 5; i >= 0; i--) {
            int octet = (int) (address >>> (8 * i)) & 0xFF;
            out.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (i > 0) {
                out.append(':');
            }
        }
        return out;
    }

    /** True for a group address: the least significant bit of the first octet (broadcast included). */
    public static boolean isMulticast(long address) {
        return (address & 0x0100_0000_0000L) != 0;
    }

    /**
     * Parses six octets of one or two hex digits separated by ':' or '-' (one kind throughout), in
     * either case: "02:00:00:00:00:0a", "02-00-00-00-00-0A", "2:0:0:0:0:a". IllegalArgumentException
     * names what is wrong.
     */
    public static long parse(String text) {
        String t = text.trim();
        char separator = t.indexOf('-') >= 0 ? '-' : ':';
        long address = 0;
        int octets = 0;
        int i = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < t.length() && i - start < 3 && Character.digit(t.charAt(i), 16) >= 0) {
                value = (value << 4) | Character.digit(t.charAt(i), 16);
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 2) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (octet " + (octets + 1)
                        + " must be one or two hex digits, as in 02:00:00:00:00:0a)");
            }
            address = (address << 8) | value;
            octets++;
            if (octets == 6) {
                if (i != t.length()) {
                    throw new IllegalArgumentException("'" + text + "' is not a MAC address (text after the sixth octet)");
                }
                return address;
            }
            if (i >= t.length() || t.charAt(i) != separator) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (expected six octets separated by '"
                        + separator + "', found " + octets + ")");
            }
            i++;
        }
    }
}
