package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;
import dev.rawsock.testing.NativeTools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The send-rate case (issue: "Send and receive"): 40-byte SYNs with both checksums right to a closed
 * port on 127.0.0.1, so the kernel answers each with a RST as it would a real probe, for a fixed count.
 * rawsock's --flood against a C sendto loop and a C sendmmsg(64) loop (native/send_bench.c), hping3
 * --flood and nping at its top rate, all in the same run, alternated. Only 127.0.0.1 is a destination;
 * every run is bounded in count and time. Needs root (raw sockets); hping3 and nping come from Debian's
 * hping3 and nmap packages (the bench target installs them) and are skipped with a note when missing.
 */
final class SendRuns {
    private SendRuns() {}

    /** Port 9 (discard): nothing listens there on these machines, so every SYN gets a RST. */
    private static final String CLOSED_PORT = "9";
    private static final int LIMIT_SECONDS = 60;
    private static final Pattern RAWSOCK = Pattern.compile("sent (\\d+) packets in ([0-9.]+) s: (\\d+) packets/s");
    private static final Pattern HPING = Pattern.compile("(\\d+) packets transmitted");
    private static final Pattern NPING_SENT = Pattern.compile("Raw packets sent: (\\d+)");
    private static final Pattern NPING_TIME = Pattern.compile("in ([0-9.]+) seconds");

    static String describe(Plan plan) {
        return reps(plan) + " repetitions of: C sendto, C sendmmsg(64), rawsock --flood, hping3 --flood, nping; "
                + String.format(Locale.US, "%,d", count(plan)) + " SYNs each to 127.0.0.1:" + CLOSED_PORT;
    }

    private static int reps(Plan plan) {
        return plan.quick() ? 3 : 5;
    }

    private static long count(Plan plan) {
        return plan.quick() ? 200_000 : 1_000_000;
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        if (!"0".equals(run(List.of("id", "-u")).trim())) {
            System.out.println("send: skipped (raw sockets need root)");
            return List.of();
        }
        Path c = NativeTools.binary("send_bench");
        long n = count(plan);
        boolean hping = Files.isExecutable(Path.of("/usr/sbin/hping3"));
        boolean nping = Files.isExecutable(Path.of("/usr/bin/nping"));
        List<Double> cSendto = new ArrayList<>();
        List<Double> cSendmmsg = new ArrayList<>();
        List<Double> rawsock = new ArrayList<>();
        List<Double> hping3 = new ArrayList<>();
        List<Double> npingRates = new ArrayList<>();
        for (int rep = 0; rep <= reps(plan); rep++) { // rep 0 warms up and is left out
            double a = cRate(c, "sendto", n);
            double b = cRate(c, "sendmmsg", n);
            double r = rawsockRate(root, n);
            double h = hping ? hpingRate(plan) : Double.NaN;
            double p = nping ? npingRate(n / 4) : Double.NaN;
            System.out.printf(Locale.US, "  %s  C sendto %,9.0f  C sendmmsg %,9.0f  rawsock %,9.0f  hping3 %,9.0f  nping %,9.0f  pkts/s%n",
                    rep == 0 ? "warm-up   " : String.format(Locale.US, "rep %d/%d   ", rep, reps(plan)), a, b, r, h, p);
            System.out.flush();
            if (rep > 0) {
                cSendto.add(a);
                cSendmmsg.add(b);
                rawsock.add(r);
                if (hping) {
                    hping3.add(h);
                }
                if (nping) {
                    npingRates.add(p);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        Stats mine = Stats.of(rawsock);
        rows.add(new Row("send_syn_flood_vs_sendmmsg", "send 40-byte SYNs, --flood", "pkts/s", true,
                "rawsock send --flood", mine, "C sendmmsg(64)", Stats.of(cSendmmsg), 0.95, null));
        rows.add(new Row("send_syn_flood_vs_sendto", "  the same, vs C sendto", "pkts/s", true,
                "rawsock send --flood", mine, "C sendto", Stats.of(cSendto), null, null));
        if (hping) {
            rows.add(new Row("send_syn_flood_vs_hping3", "  the same, vs hping3 --flood", "pkts/s", true,
                    "rawsock send --flood", mine, "hping3 --flood", Stats.of(hping3), 1.5, null));
        }
        if (nping) {
            rows.add(new Row("send_syn_flood_vs_nping", "  the same, vs nping --rate", "pkts/s", true,
                    "rawsock send --flood", mine, "nping -N -H --rate 10M", Stats.of(npingRates), null, null));
        }
        return rows;
    }

    private static double cRate(Path binary, String mode, long n) throws Exception {
        String out = run(List.of(binary.toString(), mode, Long.toString(n), CLOSED_PORT));
        Matcher m = Pattern.compile("pps ([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new BenchFailure("send_bench " + mode + " printed no rate: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double rawsockRate(Path root, long n) throws Exception {
        String out = run(List.of(root.resolve("bin/rawsock").toString(), "send", "tcp", "--dst", "127.0.0.1",
                "--dport", CLOSED_PORT, "--sport", "40000", "--seq-increment", "--flood", "-c", Long.toString(n),
                "--no-replies", "-q"));
        Matcher m = RAWSOCK.matcher(out);
        if (!m.find() || Long.parseLong(m.group(1)) != n) {
            throw new BenchFailure("rawsock send did not report " + n + " packets sent: " + out);
        }
        return Double.parseDouble(m.group(3));
    }

    /** hping3 --flood ignores -c; it runs for a fixed time and reports its count when interrupted. */
    private static double hpingRate(Plan plan) throws Exception {
        double seconds = plan.quick() ? 1.5 : 3;
        String out = run(List.of("timeout", "-s", "INT", seconds + "s", "/usr/sbin/hping3", "127.0.0.1", "-S",
                "-p", CLOSED_PORT, "--flood"));
        Matcher m = HPING.matcher(out);
        if (!m.find()) {
            throw new BenchFailure("hping3 printed no count: " + out);
        }
        return Long.parseLong(m.group(1)) / seconds;
    }

    private static double npingRate(long n) throws Exception {
        String out = run(List.of("/usr/bin/nping", "--tcp", "-p", CLOSED_PORT, "--flags", "syn", "--rate", "10000000",
                "-c", Long.toString(n), "-N", "-H", "127.0.0.1"));
        Matcher sent = NPING_SENT.matcher(out);
        Matcher time = NPING_TIME.matcher(out);
        if (!sent.find() || !time.find()) {
            throw new BenchFailure("nping printed no count or time: " + out);
        }
        return Long.parseLong(sent.group(1)) / Double.parseDouble(time.group(1));
    }

    private static String run(List<String> command) throws Exception {
        NativeTools.Result r = NativeTools.run(LIMIT_SECONDS, command);
        return r.stdout() + r.stderr();
    }
}
