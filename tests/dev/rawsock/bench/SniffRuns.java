package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;
import dev.rawsock.testing.NativeTools;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sniffer case (issue "Send and receive"): packets per second captured and decoded, and the kernel's
 * drops, while the C sendmmsg loop floods lo with SYNs to a closed port. `rawsock sniff --iface lo
 * --count N 'tcp dst port 9 and tcp[flags] & syn'` decodes and prints every SYN (to /dev/null); the rate
 * is what it captured over the time from the flood's start to its own end. The baseline is the rate the
 * C sender offered. Bounded: the sniffer stops at N packets or is interrupted after a grace period.
 */
final class SniffRuns {
    private SniffRuns() {}

    private static final Pattern COUNTS = Pattern.compile("(\\d+) packets? captured, (\\d+) dropped by the kernel");

    static String describe(Plan plan) {
        return reps(plan) + " repetitions: rawsock sniff --iface lo (decode and print each SYN) while C sendmmsg floods "
                + String.format(Locale.US, "%,d", count(plan)) + " SYNs to 127.0.0.1:9";
    }

    private static int reps(Plan plan) {
        return plan.quick() ? 2 : 4;
    }

    private static long count(Plan plan) {
        return plan.quick() ? 100_000 : 500_000;
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        if (!"0".equals(NativeTools.run(10, List.of("id", "-u")).stdout().trim())) {
            System.out.println("sniff: skipped (packet sockets need root)");
            return List.of();
        }
        Path c = NativeTools.binary("send_bench");
        long n = count(plan);
        List<Double> captured = new ArrayList<>();
        List<Double> offered = new ArrayList<>();
        long drops = 0;
        for (int rep = 0; rep <= reps(plan); rep++) { // rep 0 warms up and is left out
            double[] r = once(root, c, n);
            System.out.printf(Locale.US, "  %s  offered %,9.0f  captured+decoded %,9.0f pkts/s  (%,.0f of %,d, %,.0f dropped by the kernel)%n",
                    rep == 0 ? "warm-up   " : String.format(Locale.US, "rep %d/%d   ", rep, reps(plan)), r[0], r[1], r[2], n, r[3]);
            System.out.flush();
            if (rep > 0) {
                offered.add(r[0]);
                captured.add(r[1]);
                drops += (long) r[3];
            }
        }
        return List.of(new Row("sniff_lo_during_flood", "sniff lo while C floods it", "pkts/s", true,
                "rawsock sniff (decode + print)", Stats.of(captured), "C sendmmsg offered", Stats.of(offered), 0.95,
                drops + " dropped by the kernel over all repetitions"));
    }

    /** {offered pps, captured pps, captured count, kernel drops}. */
    private static double[] once(Path root, Path c, long n) throws Exception {
        Process sniff = new ProcessBuilder(root.resolve("bin/rawsock").toString(), "sniff", "--iface", "lo",
                "--count", Long.toString(n), "tcp dst port 9 and tcp[flags] & syn")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(false).start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(sniff.getErrorStream(), StandardCharsets.UTF_8))) {
            String ready = err.readLine(); // "rawsock: capturing ..." once the socket and its filter are in place
            if (ready == null) {
                throw new BenchFailure("rawsock sniff ended before it was ready");
            }
            long start = System.nanoTime();
            NativeTools.Result flood = NativeTools.run(60, List.of(c.toString(), "sendmmsg", Long.toString(n), "9"));
            Matcher pps = Pattern.compile("pps ([0-9.]+)").matcher(flood.stdout());
            if (!pps.find()) {
                throw new BenchFailure("send_bench printed no rate: " + flood.stdout() + flood.stderr());
            }
            if (!sniff.waitFor(10, TimeUnit.SECONDS)) {
                sniff.destroy(); // SIGTERM: the sniffer stops, prints its counts, and exits
                sniff.waitFor(10, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            StringBuilder rest = new StringBuilder();
            for (String line; (line = err.readLine()) != null; ) {
                rest.append(line).append('\n');
            }
            Matcher m = COUNTS.matcher(rest);
            if (!m.find()) {
                throw new BenchFailure("rawsock sniff printed no counts: " + rest);
            }
            double got = Double.parseDouble(m.group(1));
            return new double[] {Double.parseDouble(pps.group(1)), got / seconds, got, Double.parseDouble(m.group(2))};
        } finally {
            sniff.destroyForcibly();
        }
    }
}
