package dev.rawsock.wire;

/**
 * ICMPv6 type and code numbers with short names (RFC 4443, RFC 4861 for neighbor discovery, RFC 2710 and
 * RFC 3810 for MLD; codes as in the IANA "ICMPv6 Parameters" registry, RFC 7112, RFC 8754, RFC 8883).
 * Types 0-127 are errors, 128-255 informational (RFC 4443 §2.1).
 */
public final class Icmpv6Types {
    private Icmpv6Types() {}

    public static final int DESTINATION_UNREACHABLE = 1;
    public static final int PACKET_TOO_BIG = 2;
    public static final int TIME_EXCEEDED = 3;
    public static final int PARAMETER_PROBLEM = 4;
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int MLD_QUERY = 130;
    public static final int MLD_REPORT = 131;
    public static final int MLD_DONE = 132;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;
    public static final int MLD_V2_REPORT = 143;

    /** True for error messages (types 0-127). */
    public static boolean isError(int type) {
        return type >= 0 && type < 128;
    }

    /**
     * True for the four RFC 4443 error types (1-4), whose data is as much of the invoking packet as fits
     * in the minimum IPv6 MTU: a decoder may read it as an IPv6 packet, probably truncated.
     */
    public static boolean quotesPacket(int type) {
        return type >= DESTINATION_UNREACHABLE && type <= PARAMETER_PROBLEM;
    }

    /** A short name: "echo-request", "destination-unreachable", ..., or "type-N". */
    public static String name(int type) {
        switch (type) {
            case DESTINATION_UNREACHABLE: return "destination-unreachable";
            case PACKET_TOO_BIG: return "packet-too-big";
            case TIME_EXCEEDED: return "time-exceeded";
            case PARAMETER_PROBLEM: return "parameter-problem";
            case ECHO_REQUEST: return "echo-request";
            case ECHO_REPLY: return "echo-reply";
            case MLD_QUERY: return "mld-query";
            case MLD_REPORT: return "mld-report";
            case MLD_DONE: return "mld-done";
            case ROUTER_SOLICITATION: return "router-solicitation";
            case ROUTER_ADVERTISEMENT: return "router-advertisement";
            case NEIGHBOR_SOLICITATION: return "neighbor-solicitation";
            case NEIGHBOR_ADVERTISEMENT: return "neighbor-advertisement";
            case REDIRECT: return "redirect";
            case MLD_V2_REPORT: return "mldv2-report";
            default: return "type-" + type;
        }
    }

    /** The code's short name for the types that name their codes (1, 3, 4), else "code-N". */
    public static String codeName(int type, int code) {
        String name = null;
        switch (type) {
            case DESTINATION_UNREACHABLE:
                switch (code) {
                    case 0: name = "no-route"; break;
                    case 1: name = "admin-prohibited"; break;
                    case 2: name = "beyond-scope"; break;
                    case 3: name = "address-unreachable"; break;
                    case 4: name = "port-unreachable"; break;
                    case 5: name = "source-policy-failed"; break;
                    case 6: name = "reject-route"; break;
                    case 7: name = "source-routing-header-error"; break;
                    case 8: name = "headers-too-long"; break;
                    default: break;
                }
                break;
            case TIME_EXCEEDED:
                switch (code) {
                    case 0: name = "hop-limit-exceeded"; break;
                    case 1: name = "reassembly-time-exceeded"; break;
                    default: break;
                }
                break;
            case PARAMETER_PROBLEM:
                switch (code) {
                    case 0: name = "erroneous-header-field"; break;
                    case 1: name = "unrecognized-next-header"; break;
                    case 2: name = "unrecognized-option"; break;
                    case 3: name = "incomplete-header-chain"; break;
                    case 4: name = "sr-upper-layer-header-error"; break;
                    case 5: name = "unrecognized-next-header-intermediate"; break;
                    case 6: name = "extension-header-too-big"; break;
                    case 7: name = "extension-header-chain-too-long"; break;
                    case 8: name = "too-many-extension-headers"; break;
                    case 9: name = "too-many-options"; break;
                    case 10: name = "option-too-big"; break;
                    default: break;
                }
                break;
            default:
                break;
        }
        return name != null ? name : IcmpTypes.unnamedCode(code);
    }
}
