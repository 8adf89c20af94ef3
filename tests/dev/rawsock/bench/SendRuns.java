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
        return reps(plan) + " repetitions of: C sendto, C sendmmsg(64), rawsock --flood (C1 only, as bin/rawsock gives it, and with both compilers), hping3 --flood, nping; "
                + String.format(Locale.US, "%,d", count(plan)) + " SYNs each to 127.0.0.1:" + CLOSED_PORT;
    }

    /**
     * More than the other cases: the rates of this 2-core machine move by 10-20% from one minute to the next, C's
     * included, and the flood's ratio sits near its target, so 7 repetitions for a steadier median.
     */
    private static int reps(Plan plan) {
        return plan.quick() ? 3 : 7;
    }

    private static long count(Plan plan) {
        return plan.quick() ? 100_000 : 1_000_000;
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
        boolean scapy = Timed.run(List.of(StartupRuns.PYTHON, "-c", "import scapy"), null, null, null, LIMIT_SECONDS).exitCode() == 0;
        List<Double> rawsockRss = new ArrayList<>();
        List<Double> hpingRss = new ArrayList<>();
        List<Double> scapySend = new ArrayList<>();
        List<Double> scapyBytes = new ArrayList<>();
        List<Double> cSendto = new ArrayList<>();
        List<Double> cSendmmsg = new ArrayList<>();
        List<Double> rawsock = new ArrayList<>();
        List<Double> rawsockC2 = new ArrayList<>();
        List<Double> rawsockC2Rss = new ArrayList<>();
        List<Double> hping3 = new ArrayList<>();
        List<Double> npingRates = new ArrayList<>();
        for (int rep = 0; rep <= reps(plan); rep++) { // rep 0 warms up and is left out
            double a = cRate(c, "sendto", n);
            double b = cRate(c, "sendmmsg", n);
            double r = rawsockRate(root, n, rep > 0 ? rawsockRss : null, null);
            double r2 = rawsockRate(root, n, rep > 0 ? rawsockC2Rss : null, BOTH_COMPILERS);
            double h = hping ? hpingRate(plan, rep > 0 ? hpingRss : null) : Double.NaN;
            double p = nping ? npingRate(n / 4) : Double.NaN;
            double[] sc = scapy ? scapyRates(plan) : new double[] {Double.NaN, Double.NaN};
            System.out.printf(Locale.US, "  %s  C sendto %,9.0f  C sendmmsg %,9.0f  rawsock %,9.0f  rawsock C2 %,9.0f  hping3 %,9.0f"
                            + "  nping %,9.0f  Scapy send() %,7.0f  Scapy bytes %,9.0f  pkts/s%n",
                    rep == 0 ? "warm-up   " : String.format(Locale.US, "rep %d/%d   ", rep, reps(plan)), a, b, r, r2, h, p, sc[0], sc[1]);
            System.out.flush();
            if (rep > 0) {
                cSendto.add(a);
                cSendmmsg.add(b);
                rawsock.add(r);
                rawsockC2.add(r2);
                if (hping) {
                    hping3.add(h);
                }
                if (nping) {
                    npingRates.add(p);
                }
                if (scapy) {
                    scapySend.add(sc[0]);
                    scapyBytes.add(sc[1]);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        Stats mine = Stats.of(rawsock);
        rows.add(new Row("send_syn_flood_vs_sendmmsg", "send 40-byte SYNs, --flood", "pkts/s", true,
                "rawsock send --flood", mine, "C sendmmsg(64)", Stats.of(cSendmmsg), 0.95, null));
        rows.add(new Row("send_syn_flood_vs_sendto", "  the same, vs C sendto", "pkts/s", true,
                "rawsock send --flood", mine, "C sendto", Stats.of(cSendto), null, null));
        rows.add(new Row("send_syn_flood_c2_vs_sendmmsg", "  with both compilers, vs C sendmmsg(64)", "pkts/s", true,
                "rawsock send --flood, " + BOTH_COMPILERS, Stats.of(rawsockC2), "C sendmmsg(64)", Stats.of(cSendmmsg), null,
                "the JIT's trade: C2 as well costs memory at start-up (below)"));
        if (hping) {
            rows.add(new Row("send_syn_flood_vs_hping3", "  the same, vs hping3 --flood", "pkts/s", true,
                    "rawsock send --flood", mine, "hping3 --flood", Stats.of(hping3), 1.5, null));
        }
        if (nping) {
            rows.add(new Row("send_syn_flood_vs_nping", "  the same, vs nping --rate", "pkts/s", true,
                    "rawsock send --flood", mine, "nping -N -H --rate 10M", Stats.of(npingRates), null, null));
        }
        if (scapy) {
            rows.add(new Row("send_syn_flood_vs_scapy_send", "  the same, vs Scapy send()", "pkts/s", true,
                    "rawsock send --flood", mine, "Scapy send(pkt, count=" + scapyCount(plan) + ")", Stats.of(scapySend), null, null));
            rows.add(new Row("send_syn_flood_vs_scapy_bytes", "  the same, vs Scapy's bytes, reused socket", "pkts/s", true,
                    "rawsock send --flood", mine, "Python sendto() of bytes(pkt), one raw socket", Stats.of(scapyBytes), null, null));
        }
        if (hping && !hpingRss.isEmpty() && !Double.isNaN(hpingRss.get(0))) {
            Stats bareJvm = Timed.bareJvmRssMb(root, "send");
            rows.addAll(Timed.peakRssRows("send_syn_flood_peak_rss_vs_hping3", "  peak RSS of the flood",
                    "rawsock send --flood -c " + n, rawsockRss, "hping3 --flood", hpingRss, bareJvm));
            rows.add(Timed.overJnrRow("send_syn_flood_peak_rss", "rawsock send --flood -c " + n, rawsockRss,
                    Timed.jnrJvmRssMb(root, "send")));
            List<Row> c2 = Timed.peakRssRows("send_syn_flood_c2_peak_rss_vs_hping3", "  with both compilers",
                    "rawsock send --flood -c " + n + ", " + BOTH_COMPILERS, rawsockC2Rss, "hping3 --flood", hpingRss, bareJvm);
            Row budgeted = c2.get(0); // a context row: bin/rawsock gives send C1 only
            rows.add(new Row(budgeted.id(), String.format(Locale.US, "  with both compilers (budget %.1f MB)",
                    budgeted.targetRatio() * budgeted.base().median()), budgeted.unit(), false, budgeted.subject(), budgeted.rawsock(),
                    budgeted.baseline(), budgeted.base(), null, budgeted.note()));
        }
        return rows;
    }

    private static int scapyCount(Plan plan) {
        return plan.quick() ? 500 : 3000;
    }

    /**
     * Scapy's two ways to send, in one Python process: {@code send()} (builds and opens a socket per call, the
     * way scripts use it), and the bytes Scapy built sent again and again through one raw socket (Python's own
     * loop; Scapy is not involved after the build). Both to 127.0.0.1's closed port, bounded in count.
     */
    private static double[] scapyRates(Plan plan) throws Exception {
        int n = scapyCount(plan);
        int m = plan.quick() ? 50_000 : 200_000;
        String program = "import socket, time\n"
                + "from scapy.all import IP, TCP, send\n"
                + "p = IP(dst='127.0.0.1')/TCP(dport=" + CLOSED_PORT + ", flags='S')\n"
                + "t = time.perf_counter(); send(p, count=" + n + ", verbose=0); d = time.perf_counter() - t\n"
                + "raw = bytes(p); s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)\n"
                + "t = time.perf_counter()\n"
                + "for i in range(" + m + "): s.sendto(raw, ('127.0.0.1', 0))\n"
                + "d2 = time.perf_counter() - t\n"
                + "print('send', " + n + " / d); print('bytes', " + m + " / d2)\n";
        String out = run(List.of(StartupRuns.PYTHON, "-c", program));
        Matcher a = Pattern.compile("send ([0-9.]+)").matcher(out);
        Matcher b = Pattern.compile("bytes ([0-9.]+)").matcher(out);
        if (!a.find() || !b.find()) {
            throw new BenchFailure("Scapy printed no rates: " + out);
        }
        return new double[] {Double.parseDouble(a.group(1)), Double.parseDouble(b.group(1))};
    }

    private static double cRate(Path binary, String mode, long n) throws Exception {
        String out = run(List.of(binary.toString(), mode, Long.toString(n), CLOSED_PORT));
        Matcher m = Pattern.compile("pps ([0-9.]+)").matcher(out);
        if (!m.find()) {
            throw new BenchFailure("send_bench " + mode + " printed no rate: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * The JVM option that gives the flood both compilers back (bin/rawsock gives send C1 only; RAWSOCK_JAVA_OPTS comes
     * after its flags, and the last one counts): the JIT's trade between the rate and the memory, shown every run.
     */
    private static final String BOTH_COMPILERS = "-XX:TieredStopAtLevel=4";

    /** rawsock's --flood rate; with {@code javaOptions} (null: none) in RAWSOCK_JAVA_OPTS. */
    private static double rawsockRate(Path root, long n, List<Double> rssMb, String javaOptions) throws Exception {
        String out = run(rssMb, javaOptions, List.of(root.resolve("bin/rawsock").toString(), "send", "tcp", "--dst", "127.0.0.1",
                "--dport", CLOSED_PORT, "--sport", "40000", "--seq-increment", "--flood", "-c", Long.toString(n),
                "--no-replies", "-q"));
        Matcher m = RAWSOCK.matcher(out);
        if (!m.find() || Long.parseLong(m.group(1)) != n) {
            throw new BenchFailure("rawsock send did not report " + n + " packets sent: " + out);
        }
        return Double.parseDouble(m.group(3));
    }

    /** hping3 --flood ignores -c; it runs for a fixed time and reports its count when interrupted. */
    private static double hpingRate(Plan plan, List<Double> rssMb) throws Exception {
        double seconds = plan.quick() ? 1 : 3;
        String out = run(rssMb, List.of("timeout", "-s", "INT", seconds + "s", "/usr/sbin/hping3", "127.0.0.1", "-S",
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
        return run(null, null, command);
    }

    /** The same, adding the process's peak RSS (MB, GNU time) to {@code rssMb} when not null. */
    private static String run(List<Double> rssMb, List<String> command) throws Exception {
        return run(rssMb, null, command);
    }

    /** The same with {@code javaOptions} (null: none) in RAWSOCK_JAVA_OPTS. */
    private static String run(List<Double> rssMb, String javaOptions, List<String> command) throws Exception {
        java.util.Map<String, String> env = javaOptions == null ? null : java.util.Map.of("RAWSOCK_JAVA_OPTS", javaOptions);
        if (rssMb == null) {
            NativeTools.Result r = NativeTools.run(LIMIT_SECONDS, command, env);
            return r.stdout() + r.stderr();
        }
        Path out = Files.createTempFile("rawsock-bench-send", ".txt");
        try {
            Timed t = Timed.run(command, out, null, env, LIMIT_SECONDS);
            rssMb.add(t.peakRssKb() / 1024);
            return Files.readString(out) + t.stderr();
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
