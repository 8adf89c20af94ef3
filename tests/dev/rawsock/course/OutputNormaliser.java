package dev.rawsock.course;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a lesson's shown output comparable with a fresh run of the same command, by replacing only what
 * differs from run to run on its own; everything else must match byte for byte. Applied to both sides.
 *
 * <ul>
 *   <li>lab names {@code rawsock-PID-N} (the process id) become {@code rawsock-<pid>-<n>}, and the spaces that pad
 *       them to a column shrink to one;</li>
 *   <li>elapsed times {@code (0.0123s)} become {@code (<t>s)};</li>
 *   <li>the peer kernel's initial sequence number (random, RFC 9293 §3.4.1): the {@code seq} of the first
 *       SYN-ACK is the base, and every number of 6+ digits within 10^6 above it (mod 2^32) becomes
 *       {@code <isn+k>}, so the arithmetic (isn+1, isn+7) is still compared;</li>
 *   <li>ephemeral ports (32768-60999, ip_local_port_range), 5-digit numbers not after a letter, digit, dot, = or -, become {@code <port1>},
 *       {@code <port2>}.. in order of first appearance, so "the same port" and "another port" still count;</li>
 *   <li>file descriptors in traced calls ({@code read(11, ...}, {@code = 11}, {@code fd=7}) become
 *       {@code <fd1>}.. in the order they are opened (each socket() or accept() result is a new name, even for a
 *       reused number) or first seen (the test's JVM holds more descriptors than a CLI run, and reuses them in
 *       another order);</li>
 *   <li>measured TCP_INFO values (tcpi_rtt, tcpi_rttvar, tcpi_snd_cwnd) and TCP timestamps ({@code ts V E});</li>
 *   <li>checksums that cover the peer's random ISN (the --badsum note);</li>
 *   <li>in {@code rawsock segments}: the capture's frame numbers and the count of the server's segments
 *       (how many ACKs the server sends depends on timing; the client's segments do not);</li>
 *   <li>trailing spaces.</li>
 * </ul>
 */
public final class OutputNormaliser {
    private OutputNormaliser() {}

    /** A lab's name, and the padding after it (its length depends on the digits of the pid). */
    private static final Pattern LAB = Pattern.compile("rawsock-\\d+-\\d+(-[a-z]+)?( +)?");
    private static final Pattern TIME = Pattern.compile("\\((\\d+\\.\\d+)s\\)");
    private static final Pattern SYN_ACK_SEQ = Pattern.compile("\\[SA\\] seq=(\\d+)");
    private static final Pattern BIG_NUMBER = Pattern.compile("(?<!\\w)\\d{6,10}(?!\\w)");
    private static final Pattern PORT = Pattern.compile("(?<![\\w.=-])(\\d{5})(?!\\d)");
    private static final Pattern FD_CALL = Pattern.compile(
            "\\b(bind|listen|connect|accept|getsockname|getpeername|read|write|close|shutdown|getsockopt|setsockopt|sendto|recvfrom)\\((\\d+)(?=[,)])");
    private static final Pattern FD_RESULT = Pattern.compile("^(\\s*(?:socket|accept)\\(.*\\) = )(\\d+)$", Pattern.MULTILINE);
    private static final Pattern FD_POLL = Pattern.compile("\\{fd=(\\d+)");
    private static final Pattern TCP_INFO = Pattern.compile("\\b(tcpi_rtt|tcpi_rttvar|tcpi_snd_cwnd)=\\d+");
    private static final Pattern TIMESTAMPS = Pattern.compile("\\bts \\d+ \\d+");
    private static final Pattern BAD_CHECKSUM = Pattern.compile("checksum 0x[0-9a-f]{4} is wrong on purpose \\(--badsum; the right one is 0x[0-9a-f]{4}\\)");
    private static final Pattern FRAME_NUMBER = Pattern.compile("^(\\s+)\\d+( [cs]>[cs] )", Pattern.MULTILINE);
    private static final Pattern SERVER_SEGMENTS = Pattern.compile("\\((\\d+) segments? from the server");
    private static final Pattern TRAILING = Pattern.compile("[ \\t]+$", Pattern.MULTILINE);

    private static final int EPHEMERAL_LOW = 32768;
    private static final int EPHEMERAL_HIGH = 60999;
    private static final long ISN_SPAN = 1_000_000L;

    public static String normalise(String text) {
        String t = text.replace("\r\n", "\n");
        t = TRAILING.matcher(t).replaceAll("");
        t = LAB.matcher(t).replaceAll(r -> "rawsock-<pid>-<n>" + (r.group(1) != null ? r.group(1) : "") + (r.group(2) != null ? " " : ""));
        t = TIME.matcher(t).replaceAll("(<t>s)");
        t = peerIsn(t);
        t = BAD_CHECKSUM.matcher(t).replaceAll("checksum 0x<wrong> is wrong on purpose (--badsum; the right one is 0x<right>)");
        t = TCP_INFO.matcher(t).replaceAll("$1=<n>");
        t = TIMESTAMPS.matcher(t).replaceAll("ts <tsval> <tsecr>");
        t = FRAME_NUMBER.matcher(t).replaceAll("$1<#>$2");
        t = SERVER_SEGMENTS.matcher(t).replaceAll("(<n> segments from the server");
        t = ports(t);
        t = descriptors(t);
        return t;
    }

    private static String peerIsn(String t) {
        Matcher m = SYN_ACK_SEQ.matcher(t);
        if (!m.find()) {
            return t;
        }
        long irs = Long.parseLong(m.group(1));
        if (irs < ISN_SPAN) {
            return t; // relative numbers (tour --wire prints seq=0 for every SYN): nothing random to hide
        }
        return BIG_NUMBER.matcher(t).replaceAll(r -> {
            long v = Long.parseLong(r.group());
            long k = (v - irs) & 0xFFFF_FFFFL;
            return v <= 0xFFFF_FFFFL && k < ISN_SPAN ? "<isn+" + k + ">" : r.group();
        });
    }

    private static String ports(String t) {
        Map<String, String> names = new LinkedHashMap<>();
        return PORT.matcher(t).replaceAll(r -> {
            int port = Integer.parseInt(r.group(1));
            if (port < EPHEMERAL_LOW || port > EPHEMERAL_HIGH) {
                return r.group();
            }
            return names.computeIfAbsent(r.group(1), p -> "<port" + (names.size() + 1) + ">");
        });
    }

    private static String descriptors(String t) {
        // A descriptor is named when it is opened (a socket() or accept() result: a fresh name even when the
        // number was used before) or, if its opening is not shown, when first seen. Which number the kernel
        // hands out is "the lowest not currently open" (socket(2)), and the test's JVM opens and closes files on
        // other threads, so a reused number need not be reused in the order a CLI run shows.
        Map<String, String> names = new LinkedHashMap<>();
        int[] named = {0};
        Function<String, String> name = fd -> names.computeIfAbsent(fd, f -> "<fd" + (++named[0]) + ">");
        Function<String, String> opened = fd -> {
            String fresh = "<fd" + (++named[0]) + ">";
            names.put(fd, fresh);
            return fresh;
        };
        // Numbered in order of appearance: walk the text once, in position order, over all three patterns.
        StringBuilder out = new StringBuilder(t.length());
        int at = 0;
        Matcher call = FD_CALL.matcher(t);
        Matcher result = FD_RESULT.matcher(t);
        Matcher poll = FD_POLL.matcher(t);
        int[] next = {find(call, 0, 2), find(result, 0, 2), find(poll, 0, 1)};
        Matcher[] ms = {call, result, poll};
        int[] groups = {2, 2, 1};
        while (true) {
            int which = -1;
            for (int i = 0; i < 3; i++) {
                if (next[i] >= 0 && (which < 0 || next[i] < next[which])) {
                    which = i;
                }
            }
            if (which < 0) {
                break;
            }
            Matcher m = ms[which];
            int g = groups[which];
            if (m.start(g) >= at) {
                out.append(t, at, m.start(g)).append((m == result ? opened : name).apply(m.group(g)));
                at = m.end(g);
            }
            next[which] = find(m, m.end(), g);
        }
        out.append(t, at, t.length());
        return out.toString();
    }

    private static int find(Matcher m, int from, int group) {
        return from <= m.regionEnd() && m.find(from) ? m.start(group) : -1;
    }
}
