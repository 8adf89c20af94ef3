package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;
import dev.rawsock.testing.NativeTools;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The packet cases of {@link BenchMain}: building and decoding one IPv4+TCP packet (4 options, both
 * checksums), packets per second on one core. Repetitions alternate the C twin ({@code native/packet_bench.c},
 * one process timing its build loop, then its decode loop) and one JMH run of {@link PacketBench} (a
 * fork of its own, {@code -prof gc}: rawsock's full build, its in-place patch, its decode, and pcap4j's
 * build and parse). Each repetition gives one sample of each; the table shows median and min-max.
 * JMH's own output goes to {@code target/bench/jmh-packet.log} (the last repetition's).
 */
final class PacketRuns {
    static final int C_LIMIT_SECONDS = 120;
    private static final String ALLOC_NORM = "gc.alloc.rate.norm";

    private PacketRuns() {}

    /** The JMH benchmarks, by method name, and what the table calls them. */
    private static final List<String> BENCHMARKS = List.of("rawsockBuild", "rawsockBuildPatch", "rawsockDecode",
            "pcap4jBuild", "pcap4jParse");

    static String describe(Plan plan) {
        return plan.packetRepetitions() + " repetitions of: C packet_bench (" + String.format(Locale.US, "%,d", plan.packetCIterations())
                + " packets each way, after a tenth as many), then JMH (fork 1, warm-up " + plan.jmhWarmupIterations() + " x "
                + plan.jmhWarmupMillis() + " ms, measurement " + plan.jmhIterations() + " x " + plan.jmhMillis()
                + " ms per benchmark, -prof gc); one thread each, not pinned";
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        Path c = NativeTools.binary("packet_bench");
        checkSamePacket(c);
        Path log = root.resolve("target/bench/jmh-packet.log");
        List<Double> cBuild = new ArrayList<>();
        List<Double> cDecode = new ArrayList<>();
        Map<String, List<Double>> java = new LinkedHashMap<>();
        Map<String, Double> bytesPerOp = new LinkedHashMap<>();
        for (String b : BENCHMARKS) {
            java.put(b, new ArrayList<>());
        }
        for (int rep = 1; rep <= plan.packetRepetitions(); rep++) {
            String label = "rep " + rep + "/" + plan.packetRepetitions();
            Map<String, Double> cRates = runC(c, plan.packetCIterations(), label);
            cBuild.add(cRates.get("build_pps"));
            cDecode.add(cRates.get("decode_pps"));
            Map<String, double[]> jmh = runJmh(plan, log, label);
            for (String b : BENCHMARKS) {
                double[] scoreAndAlloc = jmh.get(b);
                java.get(b).add(scoreAndAlloc[0]);
                bytesPerOp.merge(b, scoreAndAlloc[1], Math::max);
            }
            System.out.println(String.format(Locale.US, "  %-9s build: C %6.2fM  rawsock %6.2fM  patch %6.2fM  pcap4j %5.2fM   "
                            + "decode: C %6.2fM  rawsock %6.2fM  pcap4j %5.2fM  pkts/s",
                    label, cRates.get("build_pps") / 1e6, jmh.get("rawsockBuild")[0] / 1e6, jmh.get("rawsockBuildPatch")[0] / 1e6,
                    jmh.get("pcap4jBuild")[0] / 1e6, cRates.get("decode_pps") / 1e6, jmh.get("rawsockDecode")[0] / 1e6,
                    jmh.get("pcap4jParse")[0] / 1e6));
            System.out.flush();
        }
        List<Double> scapyBuild = new ArrayList<>();
        List<Double> scapyDecode = new ArrayList<>();
        boolean scapy = Timed.run(List.of(StartupRuns.PYTHON, "-c", "import scapy"), null, null, null, 60).exitCode() == 0;
        for (int rep = 1; scapy && rep <= plan.packetRepetitions(); rep++) {
            double[] rates = scapyRates(plan);
            scapyBuild.add(rates[0]);
            scapyDecode.add(rates[1]);
        }
        if (scapy) {
            System.out.println(String.format(Locale.US, "  Scapy: build %,.0f  decode %,.0f  pkts/s (medians of %d)",
                    Stats.of(scapyBuild).median(), Stats.of(scapyDecode).median(), scapyBuild.size()));
        }
        Stats cBuildStats = Stats.of(cBuild);
        Stats cDecodeStats = Stats.of(cDecode);
        Stats build = Stats.of(java.get("rawsockBuild"));
        Stats decode = Stats.of(java.get("rawsockDecode"));
        String packet = "IPv4+TCP SYN, mss/sackOK/ts/nop/wscale, 60 B, new id and seq per packet, direct buffer";
        List<Row> rows = new ArrayList<>(List.of(
                new Row("packet_build", "build IPv4+TCP (4 options, both checksums)", "pkts/s", true,
                        "rawsock Assembler.assemble (full)", build, "C packet_bench build", cBuildStats, 0.5,
                        packet + "; the whole packet assembled from a fixed spec",
                        bytesPerOp.get("rawsockBuild"), null),
                new Row("packet_build_patch", "  build, patch seq+id + both checksums", "pkts/s", true,
                        "rawsock views, in place", Stats.of(java.get("rawsockBuildPatch")), "C packet_bench build", cBuildStats, null,
                        "the flood's shortcut: assembled once, then per packet only id and sequence written and both "
                                + "checksums recomputed through Ipv4View/TcpView; C still builds the whole packet",
                        bytesPerOp.get("rawsockBuildPatch"), null),
                new Row("packet_decode", "decode + verify both checksums", "pkts/s", true,
                        "rawsock PacketDecoder.decode", decode, "C packet_bench decode", cDecodeStats, 0.5,
                        packet + "; 64 packets in turn, options walked, both checksums verified",
                        bytesPerOp.get("rawsockDecode"), null),
                new Row("packet_build_vs_pcap4j", "build IPv4+TCP, vs pcap4j", "pkts/s", true,
                        "rawsock Assembler.assemble (full)", build, "pcap4j Builder.build+getRawData",
                        Stats.of(java.get("pcap4jBuild")), null,
                        "pcap4j 1.8: reused IpV4Packet/TcpPacket builders, id and seq set per packet, lengths and checksums corrected at build",
                        bytesPerOp.get("rawsockBuild"), bytesPerOp.get("pcap4jBuild")),
                new Row("packet_decode_vs_pcap4j", "decode + verify, vs pcap4j", "pkts/s", true,
                        "rawsock PacketDecoder.decode", decode, "pcap4j IpV4Packet.newPacket",
                        Stats.of(java.get("pcap4jParse")), null,
                        "pcap4j 1.8: newPacket of the same 64 packets (byte arrays), both checksums verified",
                        bytesPerOp.get("rawsockDecode"), bytesPerOp.get("pcap4jParse"))));
        if (scapy) {
            rows.add(new Row("packet_build_vs_scapy", "build IPv4+TCP, vs Scapy", "pkts/s", true,
                    "rawsock Assembler.assemble (full)", build, "Scapy bytes(IP()/TCP(options))", Stats.of(scapyBuild), null,
                    "the same packet and options; Scapy computes lengths and both checksums in bytes()",
                    bytesPerOp.get("rawsockBuild"), null));
            rows.add(new Row("packet_decode_vs_scapy", "decode + verify, vs Scapy", "pkts/s", true,
                    "rawsock PacketDecoder.decode", decode, "Scapy IP(bytes) + checksum check", Stats.of(scapyDecode), null,
                    "Scapy parses, then rebuilds the packet with the checksums cleared to verify both",
                    bytesPerOp.get("rawsockDecode"), null));
        }
        return rows;
    }

    /** Scapy building and decoding (with both checksums verified) the same SYN, in one Python process, bounded in count. */
    private static double[] scapyRates(Plan plan) throws Exception {
        int n = plan.quick() ? 500 : 3000;
        String program = "import time\n"
                + "from scapy.all import IP, TCP\n"
                + "opts = [('MSS', 1460), ('SAckOK', b''), ('Timestamp', (1, 0)), ('NOP', None), ('WScale', 7)]\n"
                + "t = time.perf_counter()\n"
                + "for i in range(" + n + "):\n"
                + "    raw = bytes(IP(src='127.0.0.1', dst='127.0.0.1', id=i & 0xffff)/TCP(sport=40000, dport=8080, flags='S', seq=i, window=64240, options=opts))\n"
                + "build = " + n + " / (time.perf_counter() - t)\n"
                + "t = time.perf_counter()\n"
                + "for i in range(" + n + "):\n"
                + "    p = IP(raw)\n"
                + "    ip_sum, tcp_sum = p.chksum, p[TCP].chksum\n"
                + "    q = p.copy(); del q.chksum; del q[TCP].chksum; q = IP(bytes(q))\n"
                + "    assert q.chksum == ip_sum and q[TCP].chksum == tcp_sum\n"
                + "decode = " + n + " / (time.perf_counter() - t)\n"
                + "print('build', build); print('decode', decode)\n";
        NativeTools.Result r = NativeTools.run(120, List.of(StartupRuns.PYTHON, "-c", program));
        java.util.regex.Matcher a = java.util.regex.Pattern.compile("build ([0-9.]+)").matcher(r.stdout());
        java.util.regex.Matcher b = java.util.regex.Pattern.compile("decode ([0-9.]+)").matcher(r.stdout());
        if (r.exitCode() != 0 || !a.find() || !b.find()) {
            throw new BenchFailure("Scapy build/decode failed (exit " + r.exitCode() + "): " + r.stdout() + r.stderr());
        }
        return new double[] {Double.parseDouble(a.group(1)), Double.parseDouble(b.group(1))};
    }

    /** rawsock's assembler and the C encoder must build byte for byte the same packet (PacketBench checks pcap4j's). */
    private static void checkSamePacket(Path c) throws Exception {
        NativeTools.Result r = NativeTools.run(30, List.of(c.toString(), "--hex",
                Long.toString(PacketBench.CHECK_SEQUENCE), Integer.toString(PacketBench.CHECK_ID)));
        String ours = HexFormat.of().formatHex(PacketBench.rawsockBytes(PacketBench.CHECK_SEQUENCE, PacketBench.CHECK_ID));
        if (r.exitCode() != 0 || !r.stdout().strip().equals(ours)) {
            throw new BenchFailure("packet_bench --hex builds a different packet than rawsock:\n  C       "
                    + r.stdout().strip() + r.stderr().strip() + "\n  rawsock " + ours);
        }
    }

    private static Map<String, Double> runC(Path binary, long iterations, String label) throws Exception {
        NativeTools.Result r;
        try {
            r = NativeTools.run(C_LIMIT_SECONDS, List.of(binary.toString(), Long.toString(iterations)));
        } catch (IllegalStateException e) {
            throw new BenchFailure("C packet_bench " + label + ": " + e.getMessage());
        }
        if (r.exitCode() != 0) {
            throw new BenchFailure("C packet_bench " + label + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (String line : r.lines()) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 2 && words[0].endsWith("_pps")) {
                try {
                    rates.put(words[0], Double.parseDouble(words[1]));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
        }
        if (!rates.containsKey("build_pps") || !rates.containsKey("decode_pps")) {
            throw new BenchFailure("C packet_bench " + label + ": expected 'build_pps N' and 'decode_pps N', got '"
                    + r.stdout().strip() + "'");
        }
        return rates;
    }

    /** One JMH run of every PacketBench benchmark: method name to {ops/s, bytes per op}. */
    private static Map<String, double[]> runJmh(Plan plan, Path log, String label) throws BenchFailure {
        Options options = new OptionsBuilder()
                .include("^" + Pattern.quote(PacketBench.class.getName()) + "\\.")
                .mode(Mode.Throughput).timeUnit(TimeUnit.SECONDS)
                .forks(1).threads(1)
                .warmupIterations(plan.jmhWarmupIterations()).warmupTime(TimeValue.milliseconds(plan.jmhWarmupMillis()))
                .measurementIterations(plan.jmhIterations()).measurementTime(TimeValue.milliseconds(plan.jmhMillis()))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .output(log.toString())
                .build();
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (RunnerException e) {
            throw new BenchFailure("JMH " + label + " failed: " + e.getMessage() + " (see " + log + ")");
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            double alloc = Double.NaN;
            for (Map.Entry<String, Result> e : r.getSecondaryResults().entrySet()) {
                if (e.getKey().endsWith(ALLOC_NORM)) {
                    alloc = e.getValue().getScore();
                }
            }
            out.put(name, new double[] {r.getPrimaryResult().getScore(), alloc});
        }
        for (String b : BENCHMARKS) {
            if (!out.containsKey(b)) {
                throw new BenchFailure("JMH " + label + ": no result for PacketBench." + b + " (see " + log + ")");
            }
            if (Double.isNaN(out.get(b)[1])) {
                throw new BenchFailure("JMH " + label + ": no " + ALLOC_NORM + " for PacketBench." + b
                        + " (the gc profiler needs HotSpot's allocation counters; see " + log + ")");
            }
        }
        return out;
    }
}
