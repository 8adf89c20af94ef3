package dev.rawsock.wire;

/** IPv4 addresses as unsigned 32-bit values in an int (network order as a number: 127.0.0.1 is 0x7F000001). */
public final class Ipv4Address {
    private Ipv4Address() {}

    /** Dotted-quad text, e.g. "127.0.0.1". */
    public static String text(int address) {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    /** Appends the dotted quad without making a String (for the printers' reused buffers). */
    public static StringBuilder append(StringBuilder out, int address) {
        return out.append((address >>> 24) & 0xFF).append('.').append((address >>> 16) & 0xFF).append('.')
                .append((address >>> 8) & 0xFF).append('.').append(address & 0xFF);
    }

    /** Parses a dotted quad strictly; IllegalArgumentException names what is wrong. */
    public static int parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (expected four numbers like 127.0.0.1)");
        }
        int address = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !asciiDigits(part)) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address ('" + part + "' is not a number 0-255)");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address (" + octet + " is above 255)");
            }
            address = (address << 8) | octet;
        }
        return address;
    }

    /** Only '0'-'9' (Character.isDigit would also pass other scripts' digits, which Integer.parseInt then reads). */
    private static boolean asciiDigits(String part) {
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) < '0' || part.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
