package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One bounded run of a whole process: wall clock from start to exit, and peak resident memory (the largest
 * RSS of the process and the descendants it waited for, as GNU time's %M reports it from wait4(2)).
 * Standard output goes to a file (so nothing can be skipped for want of a reader) or is discarded.
 */
record Timed(double wallMillis, double peakRssKb, int exitCode, String stderr) {
    static final Path GNU_TIME = Path.of("/usr/bin/time");

    /** Runs {@code command} (stdin from {@code input}, or /dev/null) with output to {@code stdout} (null: discarded). */
    static Timed run(List<String> command, Path stdout, Path input, Map<String, String> env, int limitSeconds)
            throws IOException, InterruptedException, BenchFailure {
        Path rss = Files.createTempFile("rawsock-bench-rss", ".txt");
        Path err = Files.createTempFile("rawsock-bench-err", ".txt");
        try {
            List<String> full = new ArrayList<>();
            boolean gnuTime = Files.isExecutable(GNU_TIME);
            if (gnuTime) {
                full.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", rss.toString()));
            }
            full.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(full)
                    .redirectInput(input == null ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.from(input.toFile()))
                    .redirectOutput(stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()))
                    .redirectError(err.toFile());
            if (env != null) {
                pb.environment().putAll(env);
            }
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new BenchFailure(String.join(" ", command) + ": took over " + limitSeconds + " s; gave up");
            }
            double wall = (System.nanoTime() - start) / 1e6;
            double peak = Double.NaN;
            if (gnuTime) {
                for (String line : Files.readAllLines(rss, StandardCharsets.UTF_8)) {
                    if (line.strip().matches("\\d+")) {
                        peak = Double.parseDouble(line.strip());
                    }
                }
            }
            return new Timed(wall, peak, p.exitValue(), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(rss);
            Files.deleteIfExists(err);
        }
    }

    /** The same, failing unless the process exits 0. */
    static Timed ok(List<String> command, Path stdout, Path input, Map<String, String> env, int limitSeconds)
            throws IOException, InterruptedException, BenchFailure {
        Timed t = run(command, stdout, input, env, limitSeconds);
        if (t.exitCode() != 0) {
            throw new BenchFailure(String.join(" ", command) + " failed (exit " + t.exitCode() + "): " + t.stderr().strip());
        }
        return t;
    }

    /** Lines in a file, counted without holding it (the output of a million-packet decode). */
    static long lines(Path file) throws IOException {
        long n = 0;
        byte[] buffer = new byte[1 << 16];
        try (var in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buffer)) > 0) {
                for (int i = 0; i < r; i++) {
                    if (buffer[i] == '\n') {
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /**
     * The bare JVM's peak RSS (MB), three runs: a class printing hello with the JVM flags bin/rawsock gives
     * {@code rawsockCommand} ({@link Hello#withFlagsOf}), the JVM's fixed cost in that command's memory budget.
     */
    static BenchMain.Stats bareJvmRssMb(Path root, String rawsockCommand) throws Exception {
        return peakRssMb(Hello.withFlagsOf(root, rawsockCommand));
    }

    /** The same for the JVM with rawsock's jnr-ffi binding loaded and one call made ({@link HelloJnr}). */
    static BenchMain.Stats jnrJvmRssMb(Path root, String rawsockCommand) throws Exception {
        return peakRssMb(HelloJnr.command(root, rawsockCommand));
    }

    /** {@code command}'s peak RSS (MB), three runs. */
    private static BenchMain.Stats peakRssMb(List<String> command) throws Exception {
        List<Double> mb = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            mb.add(ok(command, null, null, null, 30).peakRssKb() / 1024);
        }
        return BenchMain.Stats.of(mb);
    }

    /**
     * The two peak-RSS rows of a case: rawsock against the C tool, with the budget the issue sets (twice the
     * tool's peak plus the bare JVM's, all measured in this run), and rawsock against the bare JVM alone,
     * which shows what rawsock adds on top of the JVM's fixed cost.
     */
    static List<BenchMain.Row> peakRssRows(String id, String title, String subject, List<Double> mineMb, String tool,
                                           List<Double> toolMb, BenchMain.Stats jvm) {
        BenchMain.Stats mine = BenchMain.Stats.of(mineMb);
        BenchMain.Stats theirs = BenchMain.Stats.of(toolMb);
        double budgetMb = 2 * theirs.median() + jvm.median();
        String budget = String.format(java.util.Locale.US, "budget: 2 x %s's %.1f MB + the bare JVM's %.1f MB = %.1f MB",
                tool, theirs.median(), jvm.median(), budgetMb);
        return List.of(
                new BenchMain.Row(id, title, "MB", false, subject, mine, tool, theirs, budgetMb / theirs.median(), budget),
                new BenchMain.Row(id + "_over_jvm", String.format(java.util.Locale.US, "  over the bare JVM: +%.1f MB",
                        mine.median() - jvm.median()), "MB", false, subject, mine, "java Hello (the JVM's fixed cost)", jvm, null,
                        "what rawsock adds to the JVM's own peak RSS"));
    }

    /** A context row: rawsock's peak against the JVM with jnr-ffi's binding loaded ({@link HelloJnr}). */
    static BenchMain.Row overJnrRow(String id, String subject, List<Double> mineMb, BenchMain.Stats jvmWithJnr) {
        BenchMain.Stats mine = BenchMain.Stats.of(mineMb);
        return new BenchMain.Row(id + "_over_jvm_jnr", String.format(java.util.Locale.US, "  over the JVM + jnr-ffi: +%.1f MB",
                mine.median() - jvmWithJnr.median()), "MB", false, subject, mine, "java HelloJnr (getpid via the binding)",
                jvmWithJnr, null, "what rawsock adds to a JVM that has loaded its jnr-ffi binding");
    }
}
