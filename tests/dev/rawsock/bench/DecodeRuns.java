package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decoding a pcap, whole process: {@link PcapMix}'s file (1,000,000 packets; 100,000 with --quick) printed one
 * line per packet by {@code rawsock decode FILE} and by {@code tcpdump -nn -r FILE} (target: faster than
 * tcpdump), and as JSON Lines by {@code rawsock decode FILE --json} against {@code tshark -T json} (target at
 * least 20x tshark's packets per second; tshark is slow, so it reads only the first {@link #tsharkPackets}
 * packets of the same file, start-up included). Every output goes to a file in target/bench whose lines are
 * counted, so nothing is skipped. The same runs give the peak RSS of rawsock and tcpdump (target: within 2x
 * tcpdump plus the bare JVM's own RSS). Runs alternate; each is bounded in time.
 */
final class DecodeRuns {
    private DecodeRuns() {}

    static final int LIMIT_SECONDS = 300;

    static long packets(Plan plan) {
        return plan.quick() ? 100_000 : 1_000_000;
    }

    static int tsharkPackets(Plan plan) {
        return plan.quick() ? 5_000 : 30_000;
    }

    static int reps(Plan plan) {
        return 3;
    }

    static String describe(Plan plan) {
        return reps(plan) + " runs each after one warm-up, alternating: rawsock decode, tcpdump -nn -r, rawsock decode --json, "
                + "tshark -T json -c " + String.format(Locale.US, "%,d", tsharkPackets(plan)) + "; "
                + String.format(Locale.US, "%,d", packets(plan)) + " packets (TCP/UDP/ICMP over Ethernet, 2,000 conversations), "
                + "output to files in target/bench, lines counted; not pinned";
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        Path dir = root.resolve("target/bench");
        long n = packets(plan);
        Path pcap = PcapMix.file(dir, n);
        String launcher = root.resolve("bin/rawsock").toString();
        boolean tcpdump = Files.isExecutable(Path.of("/usr/bin/tcpdump")) || Files.isExecutable(Path.of("/usr/sbin/tcpdump"));
        boolean tshark = Files.isExecutable(Path.of("/usr/bin/tshark"));
        Path rawsockOut = dir.resolve("decode-rawsock.txt");
        Path tcpdumpOut = dir.resolve("decode-tcpdump.txt");
        Path jsonOut = dir.resolve("decode-rawsock.jsonl");
        Path tsharkOut = dir.resolve("decode-tshark.json");
        int slice = tsharkPackets(plan);
        // tcpdump formats each timestamp with localtime(3): with TZ unset, glibc stats /etc/localtime per packet.
        Map<String, String> utc = Map.of("TZ", "UTC");
        List<Double> rawsockRss = new ArrayList<>();
        List<Double> tcpdumpRss = new ArrayList<>();
        List<BenchMain.Measurement> runs = new ArrayList<>();
        runs.add(() -> {
            Timed t = Timed.ok(List.of(launcher, "decode", pcap.toString()), rawsockOut, null, null, LIMIT_SECONDS);
            StartupRuns.checkLines(rawsockOut, n, "rawsock decode");
            rawsockRss.add(t.peakRssKb() / 1024);
            return t.wallMillis() / 1000;
        });
        runs.add(() -> {
            Timed t = Timed.ok(List.of(launcher, "decode", pcap.toString(), "--json"), jsonOut, null, null, LIMIT_SECONDS);
            StartupRuns.checkLines(jsonOut, n, "rawsock decode --json");
            return n / (t.wallMillis() / 1000);
        });
        if (tcpdump) {
            runs.add(() -> {
                Timed t = Timed.ok(List.of("tcpdump", "-nn", "-r", pcap.toString()), tcpdumpOut, null, utc, LIMIT_SECONDS);
                StartupRuns.checkLines(tcpdumpOut, n, "tcpdump");
                tcpdumpRss.add(t.peakRssKb() / 1024);
                return t.wallMillis() / 1000;
            });
        }
        if (tshark) {
            runs.add(() -> {
                Timed t = Timed.ok(List.of("tshark", "-r", pcap.toString(), "-c", Integer.toString(slice), "-T", "json"),
                        tsharkOut, null, null, LIMIT_SECONDS);
                if (Files.size(tsharkOut) < slice * 100L) {
                    throw new BenchFailure("tshark -T json wrote only " + Files.size(tsharkOut) + " bytes for " + slice + " packets");
                }
                return slice / (t.wallMillis() / 1000);
            });
        }
        List<List<Double>> samples = BenchMain.alternate(reps(plan), runs);
        // The warm-up's RSS is left out like its time.
        List<Double> mineRss = rawsockRss.subList(1, rawsockRss.size());
        Stats jvm = Timed.bareJvmRssMb(root, "decode");
        Stats lines = Stats.of(samples.get(0));
        Stats json = Stats.of(samples.get(1));
        System.out.println(String.format(Locale.US, "  decode: rawsock %.2f s (%.0f MB), --json %,.0f pkts/s; bare JVM %.0f MB",
                lines.median(), Stats.of(mineRss).median(), json.median(), jvm.median()));
        List<Row> rows = new ArrayList<>();
        String what = String.format(Locale.US, "%,d-packet pcap, one line each, whole process", n);
        int next = 2;
        if (tcpdump) {
            Stats theirs = Stats.of(samples.get(next++));
            rows.add(new Row("decode_pcap_lines_vs_tcpdump", "decode pcap, one line/packet", "s", false,
                    "rawsock decode FILE", lines, "TZ=UTC tcpdump -nn -r FILE", theirs, 1.0, what));
            rows.addAll(Timed.peakRssRows("decode_pcap_peak_rss_vs_tcpdump", "  peak RSS of that decode", "rawsock decode FILE",
                    mineRss, "tcpdump -nn -r FILE", tcpdumpRss.subList(1, tcpdumpRss.size()), jvm));
        }
        if (tshark) {
            rows.add(new Row("decode_pcap_json_vs_tshark", "decode pcap to JSON", "pkts/s", true,
                    "rawsock decode FILE --json", json, "tshark -T json (first " + slice + ")", Stats.of(samples.get(next)), 20.0,
                    "JSON Lines of " + n + " packets against tshark's JSON of the first " + slice + ", both whole processes"));
        }
        return rows;
    }
}
