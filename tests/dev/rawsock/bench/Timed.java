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

    /** The bare JVM's peak RSS (MB): a class printing hello under bin/rawsock's GC flags, median of three. */
    static double bareJvmRssMb(Path root) throws Exception {
        List<Double> kb = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            kb.add(ok(Hello.command(root), null, null, null, 30).peakRssKb());
        }
        return BenchMain.Stats.of(kb).median() / 1024;
    }
}
