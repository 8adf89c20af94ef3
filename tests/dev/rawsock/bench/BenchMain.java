package dev.rawsock.bench;

import dev.rawsock.testing.NativeTools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/bench} (and {@code make bench}): rawsock's benchmarks, each against a baseline measured in
 * the same run. The machines are shared and noisy, so A and B alternate round by round after a warm-up,
 * and each case reports median and min-max of both and the ratio of the medians (DESIGN.md,
 * "Benchmarking on these machines"). Prints one table and writes the same as JSON to
 * {@code target/bench/bench-YYYYmmdd-HHMMSS.json}.
 *
 * <p>Cases:
 * <ul>
 * <li>TCP echo of 64-byte messages over 127.0.0.1, round trips per second: {@link EchoBench} (rawsock's
 *     Java API, byte[] and direct ByteBuffer) against {@code native/echo_bench.c}. Client, server and
 *     the JVM pinned to one CPU with taskset. Target: Java/C at least 0.9.
 * <li>Packets: building and decoding one IPv4+TCP packet (mss, sackOK, timestamps, wscale; both
 *     checksums), packets per second on one core: {@link PacketBench} under JMH with {@code -prof gc}
 *     (rawsock, and the same packet through pcap4j) against {@code native/packet_bench.c}, alternated
 *     repetition by repetition ({@link PacketRuns}). Targets: build and decode at least 0.5x C; bytes
 *     allocated per packet (B/op) 0.
 * <li>Send: {@link SendRuns} (SYN flood against C, hping3, nping, Scapy; peak RSS against hping3).
 * <li>Packet-socket send: {@link PacketSendRuns} (frames with qdisc bypass against C in the same setup).
 * <li>Sniff: {@link SniffRuns}.
 * <li>Decode: {@link DecodeRuns} (a million-packet pcap against tcpdump and tshark; peak RSS).
 * <li>Start-up: {@link StartupRuns} ({@code rawsock craft} against Scapy and a bare JVM; many commands
 *     through {@code rawsock script}).
 * </ul>
 * Before each case, {@link Quiet} waits (bounded) for the machine to be quiet and says how quiet it was.
 *
 * Every loop is bounded in count and time: an echo round gives up after 60 s, a C packet run after 120 s,
 * a start-up run after 30 s; JMH runs for the iterations it is given.
 *
 * <p>To add a case: measure it with {@link #alternate} (or the same pattern) and add a {@link Row}.
 */
public final class BenchMain {
    static final int ROUND_LIMIT_SECONDS = 60;
    static final int STARTUP_LIMIT_SECONDS = 30;

    private BenchMain() {}

    /** How much to measure. */
    record Plan(boolean quick, int echoRounds, int echoCount, int echoWarmupCount, int startupRuns,
                int packetRepetitions, long packetCIterations, int jmhWarmupIterations, int jmhWarmupMillis,
                int jmhIterations, int jmhMillis) {
        static Plan full() {
            return new Plan(false, 9, 50_000, 50_000, 15, 5, 20_000_000L, 2, 1000, 3, 1000);
        }

        /**
         * JMH warms up over two iterations even here: when the first warm-up iteration ends, the benchmark
         * loop's on-stack-replaced code is thrown away and compiled again, which with a single warm-up
         * iteration lands inside the first measured one (seen with -XX:+PrintCompilation); the C twin is
         * measured warm.
         */
        static Plan quickPlan() {
            return new Plan(true, 3, 10_000, 10_000, 5, 3, 10_000_000L, 2, 500, 2, 500);
        }
    }

    /** Median and min-max of some samples. */
    record Stats(double median, double min, double max, List<Double> samples) {
        static Stats of(List<Double> samples) {
            List<Double> sorted = new ArrayList<>(samples);
            Collections.sort(sorted);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Stats(median, sorted.get(0), sorted.get(n - 1), List.copyOf(samples));
        }
    }

    /**
     * One line of the table: a rawsock figure against a baseline measured in the same run. The ratio is
     * rawsock's median over the baseline's; {@code targetRatio} (may be null: for context only) is the
     * least ratio wanted when higher is better, the most when lower is better.
     */
    record Row(String id, String title, String unit, boolean higherIsBetter, String subject, Stats rawsock,
               String baseline, Stats base, Double targetRatio, String note, Double bytesPerOp, Double baseBytesPerOp) {
        /** A row without allocation figures (echo, start-up); the packet cases get theirs from JMH's gc profiler. */
        Row(String id, String title, String unit, boolean higherIsBetter, String subject, Stats rawsock,
            String baseline, Stats base, Double targetRatio, String note) {
            this(id, title, unit, higherIsBetter, subject, rawsock, baseline, base, targetRatio, note, null, null);
        }

        double ratio() {
            return rawsock.median() / base.median();
        }

        Boolean met() {
            if (targetRatio == null) {
                return null;
            }
            return higherIsBetter ? ratio() >= targetRatio : ratio() <= targetRatio;
        }

        String targetText() {
            if (targetRatio == null) {
                return "(context)";
            }
            if (unit.equals("MB")) { // a peak-memory budget: the ratio it stands for reads worse than the megabytes
                return String.format(Locale.US, "<= %.1f MB %s", targetRatio * base.median(), met() ? "met" : "MISSED");
            }
            return (higherIsBetter ? ">= " : "<= ") + fmt2(targetRatio) + "x " + (met() ? "met" : "MISSED");
        }
    }

    /** Where echo rounds run: pinned with taskset to one CPU, or not. */
    record Pinning(List<String> prefix, String description, boolean pinned) {}

    /** The one case --only names, or null for all of them. */
    private static String only;

    /** The rows one case measures. */
    interface CaseRows {
        List<Row> rows(Path root, Plan plan) throws Exception;
    }

    /** A case after echo: its --only name, the label of its progress lines, what it will do, and its rows. */
    record BenchCase(String option, String label, java.util.function.Function<Plan, String> describe, CaseRows rows) {}

    static final List<BenchCase> AFTER_ECHO = List.of(
            new BenchCase("packet", "packets", PacketRuns::describe, PacketRuns::rows),
            new BenchCase("send", "send", SendRuns::describe, SendRuns::rows),
            new BenchCase("l2send", "packet-send", PacketSendRuns::describe, PacketSendRuns::rows),
            new BenchCase("sniff", "sniff", SniffRuns::describe, SniffRuns::rows),
            new BenchCase("decode", "decode", DecodeRuns::describe, DecodeRuns::rows),
            new BenchCase("startup", "start-up", StartupRuns::describe, StartupRuns::rows));

    /** Every case's --only name: echo, then the others in the order they run. */
    static final List<String> CASES = java.util.stream.Stream.concat(java.util.stream.Stream.of("echo"),
            AFTER_ECHO.stream().map(BenchCase::option)).toList();

    private static boolean runs(String name) {
        return only == null || only.equals(name);
    }

    public static void main(String[] args) throws Exception {
        Plan plan = Plan.full();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> plan = Plan.quickPlan();
                case "--only" -> {
                    if (i + 1 >= args.length || !CASES.contains(args[i + 1])) {
                        System.err.println("bench: --only takes one of " + CASES);
                        System.exit(2);
                    }
                    only = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.println("usage: bin/bench [--quick] [--only CASE]\n"
                            + "  Benchmarks against a baseline in the same run; table on stdout, JSON in target/bench/.\n"
                            + "  --quick  fewer rounds, smaller counts, shorter JMH iterations (under 3 minutes)\n"
                            + "  --only   run one case: " + String.join(", ", CASES));
                    return;
                }
                default -> {
                    System.err.println("bench: unknown argument '" + args[i] + "' (try --help)");
                    System.exit(2);
                }
            }
        }
        try {
            System.exit(run(plan));
        } catch (BenchFailure e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** A case that could not be measured: the message says which and why. */
    static final class BenchFailure extends Exception {
        private static final long serialVersionUID = 1L;

        BenchFailure(String message) {
            super(message);
        }
    }

    static int run(Plan plan) throws Exception {
        Path root = NativeTools.projectRoot();
        LocalDateTime started = LocalDateTime.now();
        String loadBefore = loadAverage();
        Pinning pinning = pinning();
        Files.createDirectories(root.resolve("target/bench"));
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        System.out.println("rawsock bench" + (plan.quick() ? " --quick" : "") + ", "
                + started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19)
                + ": " + Runtime.getRuntime().availableProcessors() + " CPUs, load " + loadBefore
                + ", Java " + System.getProperty("java.version") + ", " + gccVersion());
        System.out.println("echo: " + pinning.description());
        System.out.println("echo: " + plan.echoRounds() + " rounds of " + String.format(Locale.US, "%,d", plan.echoCount())
                + " round trips each, after one warm-up round of " + String.format(Locale.US, "%,d", plan.echoWarmupCount())
                + "; order C, Java byte[], Java direct, repeated");
        System.out.flush();

        List<Row> rows = new ArrayList<>();
        if (runs("echo")) {
            Quiet.waitFor("echo", plan);
            rows.addAll(echoRows(root, plan, pinning, javaBinary));
        }
        for (BenchCase c : AFTER_ECHO) {
            if (runs(c.option())) {
                Quiet.waitFor(c.label(), plan);
                System.out.println(c.label() + ": " + c.describe().apply(plan));
                System.out.flush();
                rows.addAll(c.rows().rows(root, plan));
            }
        }

        String loadAfter = loadAverage();
        System.out.println();
        printTable(rows, System.out);
        System.out.println("load average before " + loadBefore + ", after " + loadAfter
                + (pinning.pinned() ? "" : "; echo NOT pinned: figures vary 2-4x with vCPU placement"));

        Path dir = root.resolve("target/bench");
        Path json = dir.resolve("bench-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".json");
        Files.writeString(json, json(rows, plan, pinning, started, loadBefore, loadAfter), StandardCharsets.UTF_8);
        System.out.println("written: " + root.relativize(json));
        return 0;
    }

    // ---- echo ----

    private static List<Row> echoRows(Path root, Plan plan, Pinning pinning, String javaBinary) throws Exception {
        Path echoC = NativeTools.binary("echo_bench");
        List<String> javaCommand = new ArrayList<>(pinning.prefix());
        javaCommand.addAll(List.of(javaBinary, "-cp", System.getProperty("java.class.path"),
                EchoBench.class.getName(), "--serve"));
        List<Double> c = new ArrayList<>();
        List<Double> heap = new ArrayList<>();
        List<Double> direct = new ArrayList<>();
        try (JavaEcho java = new JavaEcho(javaCommand, root)) {
            for (int round = 0; round <= plan.echoRounds(); round++) {
                boolean warmup = round == 0;
                int count = warmup ? plan.echoWarmupCount() : plan.echoCount();
                String label = warmup ? "warm-up" : "round " + round + "/" + plan.echoRounds();
                double cRate = echoC(echoC, pinning, count, label);
                double heapRate = java.round("heap", count, label);
                double directRate = java.round("direct", count, label);
                System.out.println(String.format(Locale.US, "  %-12s C %,9.0f   Java byte[] %,9.0f   Java direct %,9.0f  rtt/s",
                        label, cRate, heapRate, directRate));
                System.out.flush();
                if (!warmup) {
                    c.add(cRate);
                    heap.add(heapRate);
                    direct.add(directRate);
                }
            }
        }
        Stats cStats = Stats.of(c);
        String note = "64-byte TCP echo on 127.0.0.1, TCP_NODELAY, " + pinning.description();
        return List.of(
                new Row("tcp_echo_64_heap", "TCP echo 64 B, byte[]", "rtt/s", true, "rawsock read/write(byte[])",
                        Stats.of(heap), "C echo_bench", cStats, 0.9, note),
                new Row("tcp_echo_64_direct", "TCP echo 64 B, direct", "rtt/s", true, "rawsock read/write(direct ByteBuffer)",
                        Stats.of(direct), "C echo_bench", cStats, 0.9, note));
    }

    private static double echoC(Path binary, Pinning pinning, int count, String label) throws Exception {
        List<String> command = new ArrayList<>(pinning.prefix());
        command.addAll(List.of(binary.toString(), Integer.toString(count), Integer.toString(ROUND_LIMIT_SECONDS)));
        NativeTools.Result r;
        try {
            r = NativeTools.run(ROUND_LIMIT_SECONDS + 15, command);
        } catch (IllegalStateException e) {
            throw new BenchFailure("C echo " + label + ": " + e.getMessage());
        }
        if (r.exitCode() != 0) {
            throw new BenchFailure("C echo " + label + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return rate("C echo " + label, r.stdout().strip());
    }

    private static double rate(String who, String line) throws BenchFailure {
        String[] words = line == null ? new String[0] : line.strip().split("\\s+");
        if (words.length == 2 && words[0].equals("rtt_per_sec")) {
            try {
                return Double.parseDouble(words[1]);
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        if (line != null && line.startsWith("error ")) {
            throw new BenchFailure(who + " failed: " + line.substring(6));
        }
        throw new BenchFailure(who + ": expected 'rtt_per_sec N', got '" + line + "'");
    }

    /** One long-lived JVM running {@link EchoBench} --serve: the JIT's work carries over from round to round. */
    private static final class JavaEcho implements AutoCloseable {
        private final Process process;
        private final PrintWriter requests;
        private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();

        JavaEcho(List<String> command, Path root) throws IOException, BenchFailure {
            process = new ProcessBuilder(command).directory(root.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            requests = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        answers.add(line);
                    }
                } catch (IOException e) {
                    answers.add("error reading the echo JVM's output: " + e.getMessage());
                }
                answers.add("error the echo JVM exited");
            }, "echo-jvm-reader");
            reader.setDaemon(true);
            reader.start();
            // Wait until the JVM has started and loaded the library, so its start-up does not share the
            // CPU with the first C round.
            String first;
            try {
                first = answers.poll(ROUND_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                first = null;
            }
            if (!"ready".equals(first)) {
                process.destroyForcibly();
                throw new BenchFailure("the Java echo JVM did not start: "
                        + (first == null ? "no answer within " + ROUND_LIMIT_SECONDS + " s" : first));
            }
        }

        double round(String kind, int count, String label) throws Exception {
            String who = "Java echo (" + kind + ") " + label;
            requests.println(kind + " " + count + " " + ROUND_LIMIT_SECONDS);
            String answer = answers.poll(ROUND_LIMIT_SECONDS + 15, TimeUnit.SECONDS);
            if (answer == null) {
                process.destroyForcibly();
                throw new BenchFailure(who + ": no answer within " + (ROUND_LIMIT_SECONDS + 15) + " s; gave up");
            }
            return rate(who, answer);
        }

        @Override
        public void close() throws InterruptedException {
            requests.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A measurement that may fail. */
    interface Measurement {
        double measure() throws Exception;
    }

    /** One warm-up of each, then {@code runs} rounds of A, B, ...: the samples of each, warm-up left out. */
    static List<List<Double>> alternate(int runs, List<Measurement> measurements) throws Exception {
        List<List<Double>> samples = new ArrayList<>();
        for (int i = 0; i < measurements.size(); i++) {
            samples.add(new ArrayList<>());
        }
        for (int run = 0; run <= runs; run++) {
            for (int i = 0; i < measurements.size(); i++) {
                double value = measurements.get(i).measure();
                if (run > 0) {
                    samples.get(i).add(value);
                }
            }
        }
        return samples;
    }

    // ---- the machine ----

    /** taskset to the first CPU this process may use, when taskset exists and works; else unpinned. */
    static Pinning pinning() {
        String cpu = "0";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim().split("[,-]")[0];
                }
            }
        } catch (IOException e) {
            // keep CPU 0
        }
        List<String> prefix = List.of("taskset", "-c", cpu);
        List<String> probe = new ArrayList<>(prefix);
        probe.add("true");
        String why;
        try {
            NativeTools.Result r = NativeTools.run(10, probe);
            if (r.exitCode() == 0) {
                return new Pinning(prefix, "client, server and JVM pinned to CPU " + cpu + " (taskset -c " + cpu + ")", true);
            }
            why = "taskset -c " + cpu + " failed: " + r.stderr().strip();
        } catch (IOException e) {
            why = "taskset not found (install util-linux)";
        } catch (Exception e) {
            why = "taskset failed: " + e.getMessage();
        }
        return new Pinning(List.of(), "NOT pinned, " + why + "; figures vary 2-4x with vCPU placement", false);
    }

    private static String loadAverage() {
        try {
            String[] words = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return words[0] + " " + words[1] + " " + words[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String gccVersion() {
        try {
            NativeTools.Result r = NativeTools.run(10, List.of("gcc", "-dumpfullversion"));
            return r.exitCode() == 0 ? "gcc " + r.stdout().strip() : "gcc ?";
        } catch (Exception e) {
            return "gcc not found";
        }
    }

    // ---- output ----

    static void printTable(List<Row> rows, java.io.PrintStream out) {
        String[] header = {"case", "unit", "rawsock median [min-max]", "baseline", "baseline median [min-max]", "ratio", "target",
                "B/op", "base B/op"};
        List<String[]> lines = new ArrayList<>();
        lines.add(header);
        for (Row row : rows) {
            lines.add(new String[] {row.title(), row.unit(), stats(row.rawsock(), row.unit()), row.baseline(),
                    stats(row.base(), row.unit()), fmt2(row.ratio()) + "x", row.targetText(), bytes(row.bytesPerOp()),
                    row.baseBytesPerOp() == null && row.bytesPerOp() != null ? "-" : bytes(row.baseBytesPerOp())});
        }
        int[] width = new int[header.length];
        for (String[] line : lines) {
            for (int i = 0; i < line.length; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        for (int l = 0; l < lines.size(); l++) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < header.length; i++) {
                String cell = lines.get(l)[i];
                boolean right = i == 2 || i == 4 || i == 5 || i == 7 || i == 8;
                String padded = right ? " ".repeat(width[i] - cell.length()) + cell : cell + " ".repeat(width[i] - cell.length());
                text.append(i == 0 ? "" : "  ").append(padded);
            }
            out.println(text.toString().stripTrailing());
            if (l == 0) {
                int total = 0;
                for (int w : width) {
                    total += w;
                }
                out.println("-".repeat(total + 2 * (width.length - 1)));
            }
        }
        out.println("ratio = rawsock median / baseline median; rtt/s and pkts/s (M = million): higher is better; ms, s, MB: lower is better");
        out.println("MB = peak RSS (GNU time %M); budget = 2 x the C tool's + the bare JVM's (java Hello with the JVM flags bin/rawsock "
                + "gives that command), all from this run");
        out.println("B/op = bytes allocated per packet (JMH -prof gc, gc.alloc.rate.norm), the largest over the repetitions; "
                + "'-': not measured (the C loops call no allocator)");
        for (Row row : rows) {
            if (row.bytesPerOp() != null && row.bytesPerOp() > 1) {
                out.println("ALLOCATES: " + row.title().strip() + " (" + row.subject() + "): " + bytes(row.bytesPerOp())
                        + " bytes per packet, target 0");
            }
        }
    }

    private static String bytes(Double perOp) {
        if (perOp == null) {
            return "";
        }
        return perOp < 10 ? String.format(Locale.US, "%.1f", perOp) : String.format(Locale.US, "%,.0f", perOp);
    }

    private static String stats(Stats s, String unit) {
        return number(s.median(), unit) + " [" + number(s.min(), unit) + "-" + number(s.max(), unit) + "]";
    }

    private static String number(double value, String unit) {
        switch (unit) {
            case "ms": return String.format(Locale.US, "%.1f", value);
            case "pkts/s": return value >= 1e6 ? String.format(Locale.US, "%.2fM", value / 1e6) : String.format(Locale.US, "%,.0f", value);
            case "s": return String.format(Locale.US, "%.2f", value);
            case "MB": return String.format(Locale.US, "%.1f", value);
            default: return String.format(Locale.US, "%,.0f", value);
        }
    }

    static String fmt2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String json(List<Row> rows, Plan plan, Pinning pinning, LocalDateTime started, String loadBefore, String loadAfter) {
        StringBuilder j = new StringBuilder();
        j.append("{\n");
        j.append("  \"started\": ").append(quote(started.toString())).append(",\n");
        j.append("  \"quick\": ").append(plan.quick()).append(",\n");
        j.append("  \"plan\": {\"echo_rounds\": ").append(plan.echoRounds()).append(", \"echo_count\": ").append(plan.echoCount())
                .append(", \"echo_warmup_count\": ").append(plan.echoWarmupCount()).append(", \"startup_runs\": ")
                .append(plan.startupRuns()).append(", \"round_limit_seconds\": ").append(ROUND_LIMIT_SECONDS)
                .append(", \"packet_repetitions\": ").append(plan.packetRepetitions())
                .append(", \"packet_c_iterations\": ").append(plan.packetCIterations())
                .append(", \"jmh_warmup\": ").append(quote(plan.jmhWarmupIterations() + " x " + plan.jmhWarmupMillis() + " ms"))
                .append(", \"jmh_measurement\": ").append(quote(plan.jmhIterations() + " x " + plan.jmhMillis() + " ms"))
                .append("},\n");
        j.append("  \"machine\": {\"cpus\": ").append(Runtime.getRuntime().availableProcessors())
                .append(", \"kernel\": ").append(quote(System.getProperty("os.version")))
                .append(", \"java\": ").append(quote(System.getProperty("java.version")))
                .append(", \"gcc\": ").append(quote(gccVersion()))
                .append(", \"load_before\": ").append(quote(loadBefore))
                .append(", \"load_after\": ").append(quote(loadAfter)).append("},\n");
        j.append("  \"echo_pinned\": ").append(pinning.pinned()).append(",\n");
        j.append("  \"echo_pinning\": ").append(quote(pinning.description())).append(",\n");
        j.append("  \"cases\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            j.append("    {\"id\": ").append(quote(r.id())).append(", \"title\": ").append(quote(r.title()))
                    .append(", \"unit\": ").append(quote(r.unit()))
                    .append(", \"better\": ").append(quote(r.higherIsBetter() ? "higher" : "lower")).append(",\n");
            j.append("     \"rawsock\": ").append(statsJson(r.subject(), r.rawsock(), r.bytesPerOp())).append(",\n");
            j.append("     \"baseline\": ").append(statsJson(r.baseline(), r.base(), r.baseBytesPerOp())).append(",\n");
            j.append("     \"ratio\": ").append(num(r.ratio()))
                    .append(", \"target_ratio\": ").append(r.targetRatio() == null ? "null" : num(r.targetRatio()))
                    .append(", \"target_met\": ").append(r.met() == null ? "null" : r.met().toString())
                    .append(", \"note\": ").append(quote(r.note())).append("}")
                    .append(i + 1 < rows.size() ? "," : "").append("\n");
        }
        j.append("  ]\n}\n");
        return j.toString();
    }

    private static String statsJson(String name, Stats s, Double bytesPerOp) {
        StringBuilder samples = new StringBuilder();
        for (double v : s.samples()) {
            samples.append(samples.length() == 0 ? "" : ", ").append(num(v));
        }
        return "{\"name\": " + quote(name) + ", \"median\": " + num(s.median()) + ", \"min\": " + num(s.min())
                + ", \"max\": " + num(s.max()) + ", \"samples\": [" + samples + "]"
                + (bytesPerOp == null ? "" : ", \"bytes_per_op\": " + num(bytesPerOp)) + "}";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder q = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
