package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.Plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * "Waits for the machine to be quiet between runs": before a case, samples /proc/stat over one second until
 * the CPUs were at least {@link #IDLE_WANTED} idle (other users' builds and tests not running), or gives up
 * after a bounded wait (2 s with --quick, 30 s otherwise) and says so. Either way it prints how idle the
 * last second was and the load average, so every figure that follows comes with the load it was measured under.
 */
final class Quiet {
    private Quiet() {}

    static final double IDLE_WANTED = 0.85;

    static void waitFor(String caseName, Plan plan) throws InterruptedException {
        int limitSeconds = plan.quick() ? 2 : 30;
        long deadline = System.nanoTime() + limitSeconds * 1_000_000_000L;
        double idle;
        int waited = 0;
        do {
            idle = idleOverOneSecond();
            waited++;
        } while (idle < IDLE_WANTED && System.nanoTime() < deadline);
        System.out.println(String.format(Locale.US, "%s: machine %s: %.0f%% idle over the last second (waited %d s of at most %d), load %s",
                caseName, idle >= IDLE_WANTED ? "quiet" : "NOT quiet (gave up waiting)", idle * 100, waited, limitSeconds, loadAverage()));
        System.out.flush();
    }

    /** The share of CPU time spent idle (idle + iowait) across all CPUs over the next second; 1.0 if /proc/stat is unreadable. */
    static double idleOverOneSecond() throws InterruptedException {
        long[] a = cpuTimes();
        Thread.sleep(1000);
        long[] b = cpuTimes();
        if (a == null || b == null || b[0] == a[0]) {
            return 1.0;
        }
        return (double) (b[1] - a[1]) / (b[0] - a[0]);
    }

    /** {total, idle} jiffies from the first line of /proc/stat (proc(5)). */
    private static long[] cpuTimes() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String loadAverage() {
        try {
            String[] words = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return words[0] + " " + words[1] + " " + words[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
