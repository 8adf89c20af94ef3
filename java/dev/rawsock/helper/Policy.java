package dev.rawsock.helper;

import dev.rawsock.wire.Ipv4Address;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the helper lets its clients do, checked on every request (never once per connection): who may
 * connect (uids, groups; root always), where packets may go and come from (prefixes; a client's open lab
 * adds 198.18.0.0/15 for that client), which IP protocols, how large, how fast (packets and bytes per
 * second, per uid: {@link RateLimiter}), how many clients at once, how long a capture may run. A refusal
 * names its rule as the option that sets it, e.g. {@code refused by rule max-pps=1000: ...}.
 */
public record Policy(List<Prefix> prefixes, Set<Integer> protocols, long maxPacketsPerSecond, long maxBytesPerSecond,
                     int maxPacketBytes, int maxClients, long maxCaptureMillis, Set<Integer> allowedUids, Set<Integer> allowedGids) {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;

    /** A request outside policy: the rule (as "name=value") and what was wrong. */
    public record Refusal(String rule, String reason) {
        public String message() {
            return "refused by rule " + rule + ": " + reason;
        }
    }

    public Policy {
        prefixes = List.copyOf(prefixes);
        protocols = Set.copyOf(protocols);
        allowedUids = Set.copyOf(allowedUids);
        allowedGids = Set.copyOf(allowedGids);
    }

    /** Whether a peer may use the helper at all: root, a listed uid, a listed primary gid or a listed member of an allowed group. */
    public boolean admits(PeerCredentials peer) {
        if (peer.uid() == 0 || allowedUids.contains(peer.uid()) || allowedGids.contains(peer.gid())) {
            return true;
        }
        for (int gid : allowedGids) {
            if (Accounts.listedMember(peer.uid(), gid)) {
                return true;
            }
        }
        return false;
    }

    /** The rule that refuses a peer, for the refusal message. */
    public Refusal refusal(PeerCredentials peer) {
        return new Refusal("allow-uid", "uid " + peer.uid() + " (gid " + peer.gid() + ", pid " + peer.pid()
                + ") is not allowed to use this helper: ask its operator to add --allow-uid " + peer.uid()
                + " or a group of yours with --allow-group");
    }

    /**
     * Checks an IPv4 packet the client assembled, from its own bytes (the helper never trusts a declared
     * destination): a well-formed IPv4 header, size, protocol, destination and source (0.0.0.0 means "the
     * kernel fills it in") inside the allowed prefixes or {@code extra}. Null when allowed.
     */
    public Refusal check(ByteBuffer packet, List<Prefix> extra) {
        int length = packet.remaining();
        int at = packet.position();
        if (length > maxPacketBytes) {
            return new Refusal("max-packet-bytes=" + maxPacketBytes, "the packet is " + length + " bytes");
        }
        if (length < 20) {
            return new Refusal("ipv4", "the packet is " + length + " bytes, shorter than an IPv4 header (20)");
        }
        int version = (packet.get(at) & 0xF0) >>> 4;
        int headerBytes = (packet.get(at) & 0x0F) * 4;
        if (version != 4) {
            return new Refusal("ipv4", "the packet's version field is " + version + ", not 4 (the helper sends IPv4 only)");
        }
        if (headerBytes < 20 || headerBytes > length) {
            return new Refusal("ipv4", "the header length field says " + headerBytes + " bytes, but the packet is " + length
                    + " bytes (and a header is at least 20)");
        }
        int protocol = packet.get(at + 9) & 0xFF;
        if (!protocols.contains(protocol)) {
            return new Refusal("allow-proto=" + protocolsText(), "IP protocol " + protocol + " (" + protocolName(protocol) + ")");
        }
        int source = packet.getInt(at + 12);
        int destination = packet.getInt(at + 16);
        if (!allowed(destination, extra)) {
            return new Refusal("allow-prefix=" + prefixesText(extra), "destination " + Ipv4Address.text(destination)
                    + " is outside the allowed prefixes");
        }
        if (source != 0 && !allowed(source, extra)) {
            return new Refusal("allow-prefix=" + prefixesText(extra), "source " + Ipv4Address.text(source)
                    + " is outside the allowed prefixes (0.0.0.0 lets the kernel choose)");
        }
        return null;
    }

    /** True when {@code address} is in an allowed prefix or in {@code extra}. */
    public boolean allowed(int address, List<Prefix> extra) {
        for (Prefix p : prefixes) {
            if (p.contains(address)) {
                return true;
            }
        }
        for (Prefix p : extra) {
            if (p.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** A SEND of {@code count} copies at {@code ratePps} (0: as fast as the rate limit lets). Null when allowed. */
    public Refusal checkRate(long count, long ratePps) {
        if (ratePps > maxPacketsPerSecond) {
            return new Refusal("max-pps=" + maxPacketsPerSecond, "asked for " + ratePps + " packets/s");
        }
        return null;
    }

    public Refusal checkCapture(long durationMillis) {
        if (durationMillis > maxCaptureMillis) {
            return new Refusal("max-capture=" + maxCaptureMillis + "ms", "asked for " + durationMillis + " ms");
        }
        return null;
    }

    private String prefixesText(List<Prefix> extra) {
        List<String> all = new ArrayList<>();
        prefixes.forEach(p -> all.add(p.toString()));
        extra.forEach(p -> all.add(p.toString()));
        return String.join(",", all);
    }

    private String protocolsText() {
        return String.join(",", protocols.stream().sorted().map(Policy::protocolName).toList());
    }

    static String protocolName(int protocol) {
        switch (protocol) {
            case TCP: return "tcp";
            case UDP: return "udp";
            case ICMP: return "icmp";
            default: return Integer.toString(protocol);
        }
    }

    /** One line for HELLO and the start-up message. */
    public String summary() {
        return "prefixes " + prefixesText(List.of()) + " (+" + Prefix.LABS + " while a lab is open); protocols " + protocolsText()
                + "; max-pps " + maxPacketsPerSecond + ", max-bps " + maxBytesPerSecond + ", max-packet-bytes " + maxPacketBytes
                + ", max-clients " + maxClients + ", max-capture " + maxCaptureMillis + "ms";
    }

    /**
     * Collects the settings from a config file (key=value lines, '#' comments) and options; each value is
     * checked where it is given, so a bad one is reported with its file:line or option name.
     */
    public static final class Builder {
        private final List<Prefix> prefixes = new ArrayList<>();
        private boolean prefixesGiven;
        private final Set<Integer> protocols = new LinkedHashSet<>(List.of(TCP, UDP, ICMP));
        private boolean protocolsGiven;
        private long maxPps = 1000;
        private long maxBps = 1_000_000;
        private int maxPacketBytes = 1500;
        private int maxClients = 16;
        private long maxCaptureMillis = 60_000;
        private final Set<Integer> uids = new LinkedHashSet<>();
        private final Set<Integer> gids = new LinkedHashSet<>();
        /** Settings that are not policy but live in the same file (socket-group, socket-mode, audit-log). */
        private final Map<String, String> other = new LinkedHashMap<>();

        public static final Set<String> KEYS = Set.of("allow-uid", "allow-group", "allow-prefix", "allow-proto", "max-pps",
                "max-bps", "max-packet-bytes", "max-clients", "max-capture", "socket-group", "socket-mode", "audit-log");

        /** Applies one setting; IllegalArgumentException names what was wrong with the value. */
        public Builder set(String key, String value) {
            String v = value.trim();
            switch (key) {
                case "allow-uid":
                    for (String u : list(v)) {
                        uids.add(Accounts.uid(u));
                    }
                    break;
                case "allow-group":
                    for (String g : list(v)) {
                        gids.add(Accounts.gid(g));
                    }
                    break;
                case "allow-prefix":
                    if (!prefixesGiven) {
                        prefixes.clear();
                        prefixesGiven = true;
                    }
                    for (String p : list(v)) {
                        prefixes.add(Prefix.parse(p));
                    }
                    break;
                case "allow-proto":
                    if (!protocolsGiven) {
                        protocols.clear();
                        protocolsGiven = true;
                    }
                    for (String p : list(v)) {
                        protocols.add(protocol(p));
                    }
                    break;
                case "max-pps": maxPps = number(v, 1, 10_000_000); break;
                case "max-bps": maxBps = number(v, 64, 10_000_000_000L); break;
                case "max-packet-bytes": maxPacketBytes = (int) number(v, 20, 65_535); break;
                case "max-clients": maxClients = (int) number(v, 1, 1024); break;
                case "max-capture": maxCaptureMillis = millis(v); break;
                case "socket-group":
                case "socket-mode":
                case "audit-log":
                    other.put(key, v);
                    break;
                default:
                    throw new IllegalArgumentException("unknown setting '" + key + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
            return this;
        }

        /** Reads a config file; IllegalArgumentException names file:line and what was wrong. */
        public Builder file(Path file) throws IOException {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf('=');
                String where = file + ":" + (i + 1) + ": ";
                if (eq <= 0) {
                    throw new IllegalArgumentException(where + "expected key=value, not '" + line + "'");
                }
                try {
                    set(line.substring(0, eq).strip(), line.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + e.getMessage());
                }
            }
            return this;
        }

        /** A non-policy setting from the file (socket-group, socket-mode, audit-log), or null. */
        public String other(String key) {
            return other.get(key);
        }

        public Policy build() {
            List<Prefix> p = prefixesGiven ? prefixes : List.of(Prefix.LOOPBACK);
            return new Policy(p, protocols, maxPps, maxBps, maxPacketBytes, maxClients, maxCaptureMillis, uids, gids);
        }

        private static List<String> list(String v) {
            List<String> out = new ArrayList<>();
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("an empty list");
            }
            return out;
        }

        private static int protocol(String p) {
            switch (p.toLowerCase(Locale.ROOT)) {
                case "tcp": return TCP;
                case "udp": return UDP;
                case "icmp": return ICMP;
                default:
                    try {
                        int n = Integer.parseInt(p);
                        if (n >= 0 && n <= 255) {
                            return n;
                        }
                    } catch (NumberFormatException ignored) {
                        // fall through to the message
                    }
                    throw new IllegalArgumentException("'" + p + "' is not a protocol: tcp, udp, icmp or a number 0-255");
            }
        }

        private static long number(String v, long min, long max) {
            try {
                long n = Long.parseLong(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the message
            }
            throw new IllegalArgumentException("'" + v + "' is not a number " + min + "-" + max);
        }

        /** 30s, 500ms, 2m, or plain milliseconds; 1 ms to 1 hour. */
        static long millis(String v) {
            String t = v.toLowerCase(Locale.ROOT);
            long unit = 1;
            String digits = t;
            if (t.endsWith("ms")) {
                digits = t.substring(0, t.length() - 2);
            } else if (t.endsWith("s")) {
                digits = t.substring(0, t.length() - 1);
                unit = 1000;
            } else if (t.endsWith("m")) {
                digits = t.substring(0, t.length() - 1);
                unit = 60_000;
            }
            long n;
            try {
                n = Long.parseLong(digits) * unit;
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 3_600_000) {
                throw new IllegalArgumentException("'" + v + "' is not a duration of 1ms-1h (e.g. 30s, 500ms, 2m)");
            }
            return n;
        }
    }
}
