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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sniffer case (issue "Send and receive"): packets per second captured and decoded, and the kernel's
 * drops, while the C sendmmsg loop floods lo with SYNs to a closed port. `rawsock sniff --iface lo
 * --count N 'tcp dst port 9 and tcp[flags] & syn'` decodes and prints every SYN (to /dev/null); the rate
 * is what it captured over the time from the flood's start to its own end: its exit at N, or, when the
 * kernel dropped some, the moment its socket's queue was empty again (Rmem in /proc/net/packet). The baseline is the rate the
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
        return plan.quick() ? 3 : 4; // at least 3 repetitions, as every case
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

    /**
     * Waits (at most {@code limitMillis}) until the sniffer has exited or its packet socket's receive queue has
     * stayed empty for 100 ms (Rmem in /proc/net/packet, found by the socket inode among its descriptors);
     * returns System.nanoTime() of the moment the queue was first seen empty.
     */
    private static long awaitDrained(Process sniff, long limitMillis) throws Exception {
        long deadline = System.nanoTime() + limitMillis * 1_000_000L;
        long emptySince = -1;
        while (sniff.isAlive() && System.nanoTime() < deadline) {
            long queued = queuedBytes(sniff.pid());
            long now = System.nanoTime();
            if (queued == 0) {
                if (emptySince < 0) {
                    emptySince = now;
                } else if (now - emptySince >= 100_000_000L) {
                    return emptySince;
                }
            } else {
                emptySince = -1;
            }
            Thread.sleep(5);
        }
        return emptySince >= 0 ? emptySince : System.nanoTime();
    }

    /** The bytes queued on the packet sockets process {@code pid} holds (Rmem, /proc/net/packet), or -1 if none. */
    private static long queuedBytes(long pid) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        java.io.File[] fds = new java.io.File("/proc/" + pid + "/fd").listFiles();
        if (fds == null) {
            return -1;
        }
        for (java.io.File fd : fds) {
            try {
                String target = java.nio.file.Files.readSymbolicLink(fd.toPath()).toString();
                if (target.startsWith("socket:[")) {
                    inodes.add(target.substring(8, target.length() - 1));
                }
            } catch (java.io.IOException gone) {
                // closed meanwhile
            }
        }
        long queued = -1;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/net/packet"))) {
                String[] f = line.trim().split("\\s+"); // sk RefCnt Type Proto Iface R Rmem User Inode
                if (f.length >= 9 && inodes.contains(f[8])) {
                    queued = Math.max(queued, 0) + Long.parseLong(f[6]);
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return queued;
    }

    /** {offered pps, captured pps, captured count, kernel drops}. */
    private static double[] once(Path root, Path c, long n) throws Exception {
        Process sniff = new ProcessBuilder(root.resolve("bin/rawsock").toString(), "sniff", "--iface", "lo",
                "--count", Long.toString(n), "tcp dst port 9 and tcp[flags] & syn")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // Standard error is read on its own thread from the start: destroy() closes the streams, and the
        // counts come last, after the sniffer is told to stop.
        StringBuilder err = new StringBuilder();
        CountDownLatch ready = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(sniff.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (err) {
                        err.append(line).append('\n');
                    }
                    ready.countDown(); // the first line: the socket and its filter are in place
                }
            } catch (java.io.IOException closed) {
                // the process is gone; what it printed is kept
            } finally {
                ready.countDown();
            }
        }, "sniff-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!ready.await(30, TimeUnit.SECONDS) || !sniff.isAlive()) {
                throw new BenchFailure("rawsock sniff did not start: " + err);
            }
            long start = System.nanoTime();
            NativeTools.Result flood = NativeTools.run(60, List.of(c.toString(), "sendmmsg", Long.toString(n), "9"));
            Matcher pps = Pattern.compile("pps ([0-9.]+)").matcher(flood.stdout());
            if (!pps.find()) {
                throw new BenchFailure("send_bench printed no rate: " + flood.stdout() + flood.stderr());
            }
            // The sniffer's work ends when its socket's queue is empty after the flood; with no drops that is when
            // it exits at --count N. With drops it never reaches N: the end is the moment its queue emptied (not
            // the grace period after), then SIGTERM makes it print its counts.
            long drainedAt = awaitDrained(sniff, 10_000);
            double seconds = ((sniff.isAlive() ? drainedAt : System.nanoTime()) - start) / 1e9;
            if (!sniff.waitFor(200, TimeUnit.MILLISECONDS)) {
                new ProcessBuilder("kill", "-TERM", Long.toString(sniff.pid())).start().waitFor(5, TimeUnit.SECONDS);
                sniff.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5000);
            Matcher m;
            synchronized (err) {
                m = COUNTS.matcher(err.toString());
            }
            if (!m.find()) {
                throw new BenchFailure("rawsock sniff printed no counts: " + err);
            }
            double got = Double.parseDouble(m.group(1));
            return new double[] {Double.parseDouble(pps.group(1)), got / seconds, got, Double.parseDouble(m.group(2))};
        } finally {
            sniff.destroyForcibly();
        }
    }
}
