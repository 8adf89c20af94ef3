package dev.rawsock.wire;

import java.util.Locale;

/**
 * ICMPv4 type and code numbers and their short names (RFC 792; RFC 950 address mask; RFC 1122 and
 * RFC 1812 for destination-unreachable codes 6-15; RFC 1108 and RFC 1122 for parameter-problem codes 1-2;
 * RFC 1256 and RFC 3344 for router discovery). Names not listed come out as "type-N" and "code-N", so
 * every number has a printable name and {@link #parseType}/{@link #parseCode} read every name back.
 */
public final class IcmpTypes {
    private IcmpTypes() {}

    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int ROUTER_ADVERTISEMENT = 9;
    public static final int ROUTER_SOLICITATION = 10;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;
    public static final int TIMESTAMP = 13;
    public static final int TIMESTAMP_REPLY = 14;
    public static final int INFORMATION_REQUEST = 15;
    public static final int INFORMATION_REPLY = 16;
    public static final int ADDRESS_MASK_REQUEST = 17;
    public static final int ADDRESS_MASK_REPLY = 18;

    // Destination unreachable codes.
    public static final int NET_UNREACHABLE = 0;
    public static final int HOST_UNREACHABLE = 1;
    public static final int PROTOCOL_UNREACHABLE = 2;
    public static final int PORT_UNREACHABLE = 3;
    public static final int FRAGMENTATION_NEEDED = 4;
    public static final int SOURCE_ROUTE_FAILED = 5;
    public static final int COMMUNICATION_PROHIBITED = 13;

    // Time exceeded codes.
    public static final int TTL_EXCEEDED = 0;
    public static final int FRAGMENT_REASSEMBLY_EXCEEDED = 1;

    private static final String[] TYPE_NAMES = new String[19];
    private static final String[][] CODE_NAMES = new String[19][];

    static {
        TYPE_NAMES[ECHO_REPLY] = "echo-reply";
        TYPE_NAMES[DESTINATION_UNREACHABLE] = "dest-unreachable";
        TYPE_NAMES[SOURCE_QUENCH] = "source-quench";
        TYPE_NAMES[REDIRECT] = "redirect";
        TYPE_NAMES[ECHO_REQUEST] = "echo-request";
        TYPE_NAMES[ROUTER_ADVERTISEMENT] = "router-advert";
        TYPE_NAMES[ROUTER_SOLICITATION] = "router-solicit";
        TYPE_NAMES[TIME_EXCEEDED] = "time-exceeded";
        TYPE_NAMES[PARAMETER_PROBLEM] = "parameter-problem";
        TYPE_NAMES[TIMESTAMP] = "timestamp";
        TYPE_NAMES[TIMESTAMP_REPLY] = "timestamp-reply";
        TYPE_NAMES[INFORMATION_REQUEST] = "info-request";
        TYPE_NAMES[INFORMATION_REPLY] = "info-reply";
        TYPE_NAMES[ADDRESS_MASK_REQUEST] = "mask-request";
        TYPE_NAMES[ADDRESS_MASK_REPLY] = "mask-reply";

        CODE_NAMES[DESTINATION_UNREACHABLE] = new String[] {
            "net-unreachable",            // 0
            "host-unreachable",           // 1
            "protocol-unreachable",       // 2
            "port-unreachable",           // 3
            "fragmentation-needed",       // 4, with the next-hop MTU (RFC 1191)
            "source-route-failed",        // 5
            "net-unknown",                // 6 (RFC 1122)
            "host-unknown",               // 7
            "source-host-isolated",       // 8
            "net-prohibited",             // 9
            "host-prohibited",            // 10
            "net-unreachable-for-tos",    // 11
            "host-unreachable-for-tos",   // 12
            "communication-prohibited",   // 13 (RFC 1812)
            "host-precedence-violation",  // 14
            "precedence-cutoff",          // 15
        };
        CODE_NAMES[REDIRECT] = new String[] {"redirect-net", "redirect-host", "redirect-tos-net", "redirect-tos-host"};
        CODE_NAMES[TIME_EXCEEDED] = new String[] {"ttl-exceeded", "fragment-reassembly"};
        CODE_NAMES[PARAMETER_PROBLEM] = new String[] {"pointer", "missing-option", "bad-length"};
    }

    /** The type's short name, e.g. "echo-request", "dest-unreachable"; "type-N" for others. */
    public static String typeName(int type) {
        String name = type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : null;
        return name != null ? name : "type-" + type;
    }

    /**
     * The code's short name for the type, e.g. "port-unreachable" for 3/3, "ttl-exceeded" for 11/0;
     * "code-N" for codes without a name (among them code 0 of echo and the other single-code types).
     */
    public static String codeName(int type, int code) {
        if (type == ROUTER_ADVERTISEMENT) {
            // RFC 1256 code 0; RFC 3344 code 16 for a mobility agent that does not route common traffic.
            if (code == 0) {
                return "normal";
            }
            if (code == 16) {
                return "no-common-traffic";
            }
        }
        String[] names = type >= 0 && type < CODE_NAMES.length ? CODE_NAMES[type] : null;
        if (names != null && code >= 0 && code < names.length) {
            return names[code];
        }
        return unnamedCode(code);
    }

    /** "code-0" to "code-255", made once: a printer names every echo's code 0 without a String per packet. */
    private static final String[] UNNAMED_CODES = new String[256];

    static {
        for (int c = 0; c < UNNAMED_CODES.length; c++) {
            UNNAMED_CODES[c] = "code-" + c;
        }
    }

    /** "code-N" for a code without a name (ICMPv4 and ICMPv6 alike). */
    static String unnamedCode(int code) {
        return code >= 0 && code < UNNAMED_CODES.length ? UNNAMED_CODES[code] : "code-" + code;
    }

    /**
     * True for the error messages whose data quotes the offending packet, its IP header and at least the
     * first 8 bytes of its payload (RFC 792): destination unreachable, source quench, redirect, time
     * exceeded and parameter problem.
     */
    public static boolean quotesPacket(int type) {
        return type == DESTINATION_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
                || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM;
    }

    /** Reads a type as a name from {@link #typeName}, "type-N", or a number 0-255; the error names the text. */
    public static int parseType(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (int type = 0; type < TYPE_NAMES.length; type++) {
            if (t.equals(TYPE_NAMES[type])) {
                return type;
            }
        }
        int n = number(t, "type-");
        if (n < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an ICMP type (a name like echo-request or a number 0-255)");
        }
        return n;
    }

    /** Reads a code of {@code type} as a name from {@link #codeName}, "code-N", or a number 0-255. */
    public static int parseCode(int type, String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (int code = 0; code < 256; code++) {
            String name = codeName(type, code);
            if (!name.startsWith("code-") && t.equals(name)) {
                return code;
            }
        }
        int n = number(t, "code-");
        if (n < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a code of ICMP " + typeName(type)
                    + " (a name like " + codeName(type, 0) + " or a number 0-255)");
        }
        return n;
    }

    // A number 0-255, optionally after the prefix; -1 when it is not one.
    private static int number(String t, String prefix) {
        String digits = t.startsWith(prefix) ? t.substring(prefix.length()) : t;
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int n = Integer.parseInt(digits);
        return n <= 255 ? n : -1;
    }
}
