package dev.rawsock.bench;

import dev.rawsock.bench.BenchMain.BenchFailure;
import dev.rawsock.bench.BenchMain.Plan;
import dev.rawsock.bench.BenchMain.Row;
import dev.rawsock.bench.BenchMain.Stats;
import dev.rawsock.testing.NativeTools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packet-socket send case: 40-byte SYNs in Ethernet frames out of lo through a packet socket with
 * PACKET_QDISC_BYPASS and sendmmsg(64), rawsock's {@link PacketSendBench} (socket/PacketSender) and the CLI,
 * {@code rawsock send --iface lo --flood} (its own count of packets/s over the sending loop), each against
 * native/packet_send_bench.c in the same setup, alternated (target at least 0.9x C). Both run inside a network
 * namespace made for the case and removed after it, with route_localnet and accept_local on its lo, so the
 * frames are delivered to its kernel (which answers each with a RST) rather than dropped by IP input as
 * martians; the host's network is not touched. Bounded in count and time. Needs root.
 */
final class PacketSendRuns {
    private PacketSendRuns() {}

    static final int LIMIT_SECONDS = 60;
    private static final Pattern PPS = Pattern.compile("pps ([0-9.]+)");
    private static final Pattern CLI = Pattern.compile("sent (\\d+) packets in ([0-9.]+) s: (\\d+) packets/s");

    static int reps(Plan plan) {
        return plan.quick() ? 3 : 5;
    }

    static long count(Plan plan) {
        return plan.quick() ? 100_000 : 1_000_000;
    }

    static String describe(Plan plan) {
        return reps(plan) + " repetitions after a warm-up, alternating C packet_send_bench, rawsock PacketSender and rawsock send --iface lo --flood; "
                + String.format(Locale.US, "%,d", count(plan)) + " SYN frames each out of lo (qdisc bypass, sendmmsg 64), "
                + "in a namespace of their own with route_localnet and accept_local";
    }

    static List<Row> rows(Path root, Plan plan) throws Exception {
        if (!"0".equals(NativeTools.run(10, List.of("id", "-u")).stdout().trim())) {
            System.out.println("packet-send: skipped (packet sockets and namespaces need root)");
            return List.of();
        }
        Path c = NativeTools.binary("packet_send_bench");
        String ns = "rawsock-bench-" + ProcessHandle.current().pid() + "-l2";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> inside = List.of("ip", "netns", "exec", ns);
        String n = Long.toString(count(plan));
        try {
            for (List<String> command : List.of(List.of("ip", "netns", "add", ns), List.of("ip", "-n", ns, "link", "set", "lo", "up"),
                    List.of("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.lo.route_localnet=1", "net.ipv4.conf.lo.accept_local=1"))) {
                NativeTools.Result r = NativeTools.run(20, command);
                if (r.exitCode() != 0) {
                    throw new BenchFailure(String.join(" ", command) + ": " + r.stderr().strip());
                }
            }
            List<String> cCommand = new ArrayList<>(inside);
            cCommand.addAll(List.of(c.toString(), n, "9"));
            List<String> javaCommand = new ArrayList<>(inside);
            javaCommand.addAll(List.of(java, "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xms8m", "-cp", System.getProperty("java.class.path"),
                    PacketSendBench.class.getName(), n, "9"));
            List<String> cliCommand = new ArrayList<>(inside);
            cliCommand.addAll(List.of(root.resolve("bin/rawsock").toString(), "send", "tcp", "--iface", "lo", "--dst", "127.0.0.1",
                    "--dport", "9", "--sport", "40000", "--seq-increment", "--flood", "-c", n, "--no-replies", "-q"));
            List<List<Double>> samples = BenchMain.alternate(reps(plan),
                    List.of(() -> rate(cCommand), () -> rate(javaCommand), () -> cliRate(cliCommand, count(plan))));
            Stats cStats = Stats.of(samples.get(0));
            Stats mine = Stats.of(samples.get(1));
            Stats cli = Stats.of(samples.get(2));
            System.out.println(String.format(Locale.US, "  packet socket: C %,.0f  rawsock %,.0f  rawsock send --iface %,.0f  frames/s (medians)",
                    cStats.median(), mine.median(), cli.median()));
            return List.of(new Row("packet_socket_send_vs_c", "send SYN frames, packet socket", "pkts/s", true,
                    "rawsock PacketSender (qdisc bypass, sendmmsg 64)", mine, "C packet_send_bench, same setup", cStats, 0.9,
                    "Ethernet + 40-byte SYN out of a namespace's lo, delivered to its kernel (RST each)"),
                    new Row("packet_socket_send_cli_vs_c", "send SYN frames, rawsock send --iface", "pkts/s", true,
                    "rawsock send --iface lo --flood", cli, "C packet_send_bench, same setup", cStats, 0.9,
                    "the CLI's own rate over its sending loop (start-up not counted), same frames and setup"));
        } finally {
            NativeTools.run(20, List.of("ip", "netns", "del", ns));
        }
    }

    /** The CLI's "sent N packets in S s: P packets/s", checked to be the whole count. */
    private static double cliRate(List<String> command, long count) throws Exception {
        NativeTools.Result r = NativeTools.run(LIMIT_SECONDS, command);
        Matcher m = CLI.matcher(r.stdout());
        if (r.exitCode() != 0 || !m.find() || Long.parseLong(m.group(1)) != count) {
            throw new BenchFailure(String.join(" ", command.subList(4, command.size())) + " did not send " + count + " (exit "
                    + r.exitCode() + "): " + r.stdout().strip() + " " + r.stderr().strip());
        }
        return Double.parseDouble(m.group(3));
    }

    private static double rate(List<String> command) throws Exception {
        NativeTools.Result r = NativeTools.run(LIMIT_SECONDS, command);
        Matcher m = PPS.matcher(r.stdout());
        if (r.exitCode() != 0 || !m.find()) {
            throw new BenchFailure(String.join(" ", command.subList(4, command.size())) + " failed (exit " + r.exitCode() + "): "
                    + r.stdout().strip() + " " + r.stderr().strip());
        }
        return Double.parseDouble(m.group(1));
    }
}
