package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Start-up, as a user waits for it (wall clock, process start to exit, not pinned):
 * <ul>
 * <li>{@code rawsock craft tcp --dst 127.0.0.1 --dport 80} through bin/rawsock (CDS archive, launcher flags)
 *     against Scapy from a cold start importing and building the same packet (target: at most 0.3x Scapy),
 *     and against a bare JVM printing hello (the floor no Java program goes under);
 * <li>many commands in one process: 1,000 different craft lines through one {@code rawsock script}, per
 *     packet, against one rawsock process per packet (the craft start-up above) and against Scapy building
 *     and printing the same 1,000 packets in one process (import included).
 * </ul>
 * Runs alternate A, B, C after one warm-up of each; every run is bounded in time.
 */
final class StartupRuns {
    private StartupRuns() {}

    static final int LIMIT_SECONDS = 60;
    static final String PYTHON = "/usr/bin/python3"; // Debian's, which imports python3-scapy
    static final int SCRIPT_LINES = 1000;

    static String describe(Plan plan) {
        return plan.startupRuns() + " runs each after one warm-up, alternating bin/rawsock craft, Scapy (" + PYTHON
                + ", cold import) and a bare JVM hello; then " + scriptRuns(plan) + " runs of " + SCRIPT_LINES
                + " craft lines in one 'rawsock script' against Scapy building the same in one process; not pinned";
    }

    private static int scriptRuns(Plan plan) {
        return plan.quick() ? 3 : 5;
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        if (!Files.exists(root.resolve("target/rawsock.jar"))) {
            throw new BenchFailure("target/rawsock.jar is missing: run 'make build' first");
        }
        String launcher = root.resolve("bin/rawsock").toString();
        List<String> craft = List.of(launcher, "craft", "tcp", "--dst", "127.0.0.1", "--dport", "80");
        List<String> scapy = List.of(PYTHON, "-c", "from scapy.all import IP,TCP; bytes(IP(dst=\"127.0.0.1\")/TCP(dport=80))");
        List<String> hello = Hello.command(root);
        boolean haveScapy = Timed.run(List.of(PYTHON, "-c", "import scapy"), null, null, null, LIMIT_SECONDS).exitCode() == 0;
        if (!haveScapy) {
            System.out.println("start-up: Scapy is not importable by " + PYTHON + " (make deps installs python3-scapy): its rows are left out");
        }
        List<BenchMain.Measurement> runs = new ArrayList<>();
        runs.add(() -> Timed.ok(craft, null, null, null, LIMIT_SECONDS).wallMillis());
        runs.add(() -> Timed.ok(hello, null, null, null, LIMIT_SECONDS).wallMillis());
        if (haveScapy) {
            runs.add(() -> Timed.ok(scapy, null, null, null, LIMIT_SECONDS).wallMillis());
        }
        List<List<Double>> samples = BenchMain.alternate(plan.startupRuns(), runs);
        Stats rawsock = Stats.of(samples.get(0));
        List<Row> rows = new ArrayList<>();
        if (haveScapy) {
            rows.add(new Row("startup_craft_vs_scapy", "start-up: craft one TCP packet", "ms", false,
                    "bin/rawsock craft tcp --dst 127.0.0.1 --dport 80", rawsock, "Scapy, cold import + build",
                    Stats.of(samples.get(2)), 0.3, "wall clock, process start to exit"));
        }
        rows.add(new Row("startup_craft_vs_jvm", "  the same, vs a bare JVM", "ms", false,
                "bin/rawsock craft tcp --dst 127.0.0.1 --dport 80", rawsock, "java Hello (bare JVM floor)",
                Stats.of(samples.get(1)), null, "the JVM's own start-up, under bin/rawsock's GC and heap flags"));

        // Many commands in one process.
        Path dir = root.resolve("target/bench");
        Path script = dir.resolve("craft-" + SCRIPT_LINES + ".rawsock");
        StringBuilder lines = new StringBuilder("# " + SCRIPT_LINES + " different packets, one command each (bin/bench)\n");
        for (int i = 1; i <= SCRIPT_LINES; i++) {
            lines.append("craft tcp --dst 127.0.0.1 --dport ").append(i).append(" --seq ").append(i).append('\n');
        }
        Files.writeString(script, lines, StandardCharsets.UTF_8);
        Path scriptOut = dir.resolve("craft-" + SCRIPT_LINES + ".out");
        List<String> scriptCommand = List.of(launcher, "script", script.toString());
        List<String> scapyMany = List.of(PYTHON, "-c", "from scapy.all import IP,TCP\n"
                + "for i in range(1, " + (SCRIPT_LINES + 1) + "):\n"
                + "    p = IP(dst='127.0.0.1')/TCP(dport=i, seq=i)\n"
                + "    bytes(p)\n"
                + "    print(p.summary())\n");
        Path scapyOut = dir.resolve("craft-" + SCRIPT_LINES + "-scapy.out");
        List<BenchMain.Measurement> many = new ArrayList<>();
        many.add(() -> {
            Timed t = Timed.ok(scriptCommand, scriptOut, null, null, LIMIT_SECONDS);
            checkLines(scriptOut, SCRIPT_LINES, "rawsock script");
            return t.wallMillis() / SCRIPT_LINES;
        });
        if (haveScapy) {
            many.add(() -> {
                Timed t = Timed.ok(scapyMany, scapyOut, null, null, LIMIT_SECONDS);
                checkLines(scapyOut, SCRIPT_LINES, "Scapy");
                return t.wallMillis() / SCRIPT_LINES;
            });
        }
        List<List<Double>> perPacket = BenchMain.alternate(scriptRuns(plan), many);
        Stats scriptStats = Stats.of(perPacket.get(0));
        System.out.println(String.format(Locale.US, "  script: %.3f ms per craft line in one process; a process per craft: %.1f ms",
                scriptStats.median(), rawsock.median()));
        rows.add(new Row("script_craft_1000_vs_processes", "1,000 crafts in one script, per packet", "ms", false,
                "bin/rawsock script (1,000 craft lines)", scriptStats, "one bin/rawsock craft process each", rawsock, null,
                "whole script wall clock / 1,000, against the craft start-up above"));
        if (haveScapy) {
            rows.add(new Row("script_craft_1000_vs_scapy", "  the same, vs Scapy in one process", "ms", false,
                    "bin/rawsock script (1,000 craft lines)", scriptStats, "Scapy: import, build + print 1,000",
                    Stats.of(perPacket.get(1)), null, "both whole processes, start-up included, / 1,000"));
        }
        return rows;
    }

    static void checkLines(Path file, long expected, String who) throws Exception {
        long n = Timed.lines(file);
        if (n != expected) {
            throw new BenchFailure(who + " printed " + n + " lines, expected " + expected + " (" + file + ")");
        }
    }
}
