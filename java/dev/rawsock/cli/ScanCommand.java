package dev.rawsock.cli;

import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.lab.LabTarget;
import dev.rawsock.probe.IntRange;
import dev.rawsock.probe.PortScan;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Ipv4Address;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code rawsock scan}: a TCP SYN scan on the probe engine, on loopback or inside a lab it builds. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = {
            "TCP SYN scan of loopback or a lab: open/closed/filtered.",
            "",
            "A TCP SYN scan: one SYN per port on a raw socket, paced at --rate, each",
            "reply matched to its probe. A port is open on SYN-ACK (answered at once",
            "with a RST, so no half-open connection is left), closed on RST, filtered",
            "on an ICMP destination unreachable or on silence until --timeout.",
            "",
            "Targets: 127.0.0.0/8 (scanned from this host; the kernel also answers each",
            "SYN-ACK with a RST of its own), or an address in 198.18.0.0/15, for which",
            "rawsock builds a lab and scans inside it: rawsock on 198.18.0.1, a router",
            "namespace acting as firewall (198.18.0.2 | 198.18.1.1), and the target",
            "198.18.1.2 with kernel listeners on 7 (echo) and 80 (HTTP), plus",
            "--lab-open; the router drops --lab-drop ports in silence and refuses",
            "--lab-reject ports with ICMP (communication administratively prohibited).",
            "Any other address needs --i-own-this-network, and a warning is printed.",
            "Needs root (raw sockets; namespaces for the lab), or exits 3.",
        },
        footer = {"%nExamples:",
            "  rawsock scan 127.0.0.1 --ports 1-1024",
            "  rawsock scan 198.18.1.2 --ports 1-100 --lab-open 22 --lab-drop 23",
            "  rawsock scan 198.18.1.2 --ports 20-30 --lab-reject 25 --all",
            "  rawsock scan 127.0.0.1 --ports 8000-8100 --rate 200 --timeout 500ms --all",
            "%nExit: 0 when the scan completed, 4 when no port answered at all (every port",
            "filtered by silence), 2 for a target outside loopback and the lab without",
            "--i-own-this-network, 3 without root."})
final class ScanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST", description = "127.0.0.0/8, an address of the scan's lab (198.18.1.2 the target), "
            + "or with --i-own-this-network any IPv4 address.")
    String host;

    @Option(names = "--ports", paramLabel = "RANGE", converter = Converters.PortRange.class, defaultValue = "1-1024",
            description = "The ports to scan, N or N-M (default: ${DEFAULT-VALUE}).")
    IntRange ports;

    @Option(names = "--rate", paramLabel = "PPS", defaultValue = "1000",
            description = "SYN probes per second, at most 100000 (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Converters.DurationConverter.class, defaultValue = "1s",
            description = "How long to wait for replies after the last probe; silence until then means filtered (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--sport", paramLabel = "PORT", converter = Converters.Port.class, description = "Our source port (default: random ephemeral).")
    Integer sourcePort;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the random source port, sequence number and IP id.")
    Long seed;

    @Option(names = "--all", description = "List closed ports too (by default they are counted, not listed, when more than 32 ports are scanned).")
    boolean all;

    @Option(names = "--i-own-this-network", description = "Allow a target outside 127.0.0.0/8 and rawsock's labs: only a network you own or may test.")
    boolean ownNetwork;

    @Option(names = "--lab-open", paramLabel = "PORTS", split = ",", converter = Converters.PortRange.class,
            description = "In the lab: more ports the target listens on (kernel sockets), e.g. 22,8000-8010.")
    List<IntRange> labOpen = new ArrayList<>();

    @Option(names = "--lab-drop", paramLabel = "PORTS", split = ",", converter = Converters.PortRange.class,
            description = "In the lab: ports the router drops in silence (filtered, no-response).")
    List<IntRange> labDrop = new ArrayList<>();

    @Option(names = "--lab-reject", paramLabel = "PORTS", split = ",", converter = Converters.PortRange.class,
            description = "In the lab: ports the router refuses with ICMP type 3 code 13 (filtered).")
    List<IntRange> labReject = new ArrayList<>();

    /** The scan's lab: rawsock, one router acting as firewall, the target. */
    static final Lab.Topology LAB = Lab.Topology.routed(1);
    private static final int MAX_LAB_PORTS = 1024;
    private static final Duration LONGEST_SCAN = Duration.ofMinutes(10);
    private static final int LIST_ALL_UP_TO = 32;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int target;
        try {
            target = Ipv4Address.parse(host);
        } catch (IllegalArgumentException e) {
            throw new UsageException("HOST must be an IPv4 address (no names: rawsock looks nothing up) but was '" + host + "'");
        }
        if (!(rate > 0 && rate <= PortScan.MAX_RATE)) {
            throw new UsageException("--rate must be above 0 and at most " + (long) PortScan.MAX_RATE + " but was " + rate);
        }
        if (timeout.isNegative()) {
            throw new UsageException("--timeout must not be negative");
        }
        boolean loopback = (target >>> 24) == 127;
        boolean inLab = Lab.inTestNetwork(target);
        TreeSet<Integer> open = expand("--lab-open", labOpen);
        TreeSet<Integer> drop = expand("--lab-drop", labDrop);
        TreeSet<Integer> reject = expand("--lab-reject", labReject);
        if (!inLab && !(open.isEmpty() && drop.isEmpty() && reject.isEmpty())) {
            throw new UsageException("--lab-open, --lab-drop and --lab-reject shape the lab: they need a lab target (198.18.1.2)");
        }
        if (inLab) {
            List<Integer> addresses = labAddresses();
            if (!addresses.contains(target)) {
                throw new UsageException(Ipv4Address.text(target) + " is not in the scan's lab, which has "
                        + String.join(", ", addresses.stream().map(Ipv4Address::text).toList())
                        + " (the target is " + Ipv4Address.text(Lab.linkAddress(LAB.routers(), 2)) + ")");
            }
        } else if (!loopback && !ownNetwork) {
            throw new UsageException(Ipv4Address.text(target) + " is outside 127.0.0.0/8 and rawsock's labs (198.18.0.0/15): rawsock scans"
                    + " only those unless you pass --i-own-this-network for a network you own or are allowed to test");
        }
        Randomness random = seed != null ? Randomness.seeded(seed) : Randomness.unseeded();
        int sport = sourcePort != null ? sourcePort : random.nextSourcePort();
        Duration longest = Duration.ofNanos((long) (ports.size() / rate * 1e9)).plus(timeout);
        if (longest.compareTo(LONGEST_SCAN) > 0) {
            throw new UsageException(ports.size() + " ports at " + rate + "/s and a " + timeout.toMillis() + " ms timeout would take "
                    + longest.toSeconds() + " s; a scan lasts at most " + LONGEST_SCAN.toMinutes() + " minutes: raise --rate or scan fewer ports");
        }
        if (!inLab && !loopback) {
            err.println("rawsock: warning: scanning " + Ipv4Address.text(target) + ", outside loopback and rawsock's labs, on your word"
                    + " (--i-own-this-network) that you own this network or may test it. Scanning networks of others may be illegal.");
            err.flush();
        }
        PortScan.Result result;
        long started = System.nanoTime();
        if (inLab) {
            List<String> missing = Lab.missingCapabilities();
            if (!missing.isEmpty()) {
                err.println("rawsock: scan: this process lacks " + String.join(", ", missing) + " - " + Lab.REMEDY);
                return ExitCodes.NOT_PERMITTED;
            }
            try (Lab lab = Lab.create(LAB)) {
                describeLab(out, lab, open, drop, reject);
                int source = lab.craftingAddress();
                header(out, target, source, sport, random);
                PortScan.Settings settings = new PortScan.Settings(source, target, ports, rate, timeout, sport, random);
                result = lab.inNamespace(lab.craftingNamespace(), longest.plusSeconds(10),
                        () -> PortScan.run(SocketApi.create(), settings, r -> { }));
                print(out, target, result, System.nanoTime() - started);
            }
            out.println("lab removed (namespaces deleted, and the veth pairs with them)");
        } else {
            PacketAddress route = CraftCommand.routeSourceTo(PacketAddress.parse(Ipv4Address.text(target)));
            Integer source = route != null ? route.ipv4() : null;
            if (source == null) {
                throw new UsageException("no route to " + Ipv4Address.text(target) + " from this host");
            }
            header(out, target, source, sport, random);
            result = PortScan.run(SocketApi.create(), new PortScan.Settings(source, target, ports, rate, timeout, sport, random), r -> { });
            print(out, target, result, System.nanoTime() - started);
        }
        out.flush();
        return result.statistics().received() == 0 ? ExitCodes.NO_REPLY : ExitCodes.OK;
    }

    private static List<Integer> labAddresses() {
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < LAB.links(); k++) {
            all.add(Lab.linkAddress(k, 1));
            all.add(Lab.linkAddress(k, 2));
        }
        return all;
    }

    private static TreeSet<Integer> expand(String option, List<IntRange> ranges) {
        TreeSet<Integer> ports = new TreeSet<>();
        for (IntRange r : ranges) {
            for (int p = r.first(); p <= r.last(); p++) {
                if (p == 0) {
                    throw new UsageException(option + ": port 0 cannot be listened on or filtered");
                }
                ports.add(p);
                if (ports.size() > MAX_LAB_PORTS) {
                    throw new UsageException(option + ": at most " + MAX_LAB_PORTS + " ports");
                }
            }
        }
        return ports;
    }

    private void describeLab(PrintWriter out, Lab lab, TreeSet<Integer> open, TreeSet<Integer> drop, TreeSet<Integer> reject)
            throws LabException {
        LabTarget.start(lab);
        int target = lab.targetAddress();
        for (int port : open) {
            if (port != LabTarget.ECHO_PORT && port != LabTarget.HTTP_PORT) {
                LabTarget.listen(lab, port);
            }
        }
        for (int port : drop) {
            lab.filterTcp(1, target, port, Lab.Filter.DROP);
        }
        for (int port : reject) {
            lab.filterTcp(1, target, port, Lab.Filter.REJECT);
        }
        out.println("lab " + lab.name() + ": rawsock, a router acting as firewall, and the target, in a line of network namespaces");
        for (String line : lab.describe()) {
            out.println("  " + line);
        }
        TreeSet<Integer> listening = new TreeSet<>(open);
        listening.add(LabTarget.ECHO_PORT);
        listening.add(LabTarget.HTTP_PORT);
        out.println("  the target listens on " + ports(listening) + " (kernel sockets)"
                + (drop.isEmpty() ? "" : "; the router drops " + ports(drop) + " in silence")
                + (reject.isEmpty() ? "" : "; it refuses " + ports(reject) + " with ICMP communication-prohibited")
                + (drop.isEmpty() && reject.isEmpty() ? "; the router filters nothing" : ""));
        out.flush();
    }

    private static String ports(TreeSet<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private void header(PrintWriter out, int target, int source, int sport, Randomness random) {
        out.printf(Locale.ROOT, "rawsock scan %s: ports %s, %d SYN probe%s at %s/s from %s:%d, then %d ms for late replies (seed %d)%n",
                Ipv4Address.text(target), ports, ports.size(), ports.size() == 1 ? "" : "s", number(rate), Ipv4Address.text(source), sport,
                timeout.toMillis(), random.seed());
        out.flush();
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private void print(PrintWriter out, int target, PortScan.Result result, long elapsedNanos) {
        boolean listClosed = all || ports.size() <= LIST_ALL_UP_TO;
        out.println();
        out.printf(Locale.ROOT, "%-10s %-9s %s%n", "PORT", "STATE", "REASON");
        for (PortScan.PortResult p : result.ports()) {
            if (p.state() == PortScan.State.CLOSED && !listClosed) {
                continue;
            }
            StringBuilder reason = new StringBuilder(p.reason());
            if (p.replyFrom() != 0) {
                reason.append(" from ").append(Ipv4Address.text(p.replyFrom())).append(" ttl ").append(p.replyTtl());
                reason.append(String.format(Locale.ROOT, ", rtt %.2f ms", p.rttNanos() / 1e6));
            }
            if (p.resetSent()) {
                reason.append("; RST sent");
            }
            out.printf(Locale.ROOT, "%-10s %-9s %s%n", p.port() + "/tcp", p.state().text(), reason);
        }
        long closed = result.count(PortScan.State.CLOSED);
        if (!listClosed && closed > 0) {
            out.println("Not shown: " + closed + " closed port" + (closed == 1 ? "" : "s") + " (reset)");
        }
        out.println();
        out.printf(Locale.ROOT, "--- %s: %d open, %d closed, %d filtered; %d probes sent, %d replies, %d RST sent for open ports, %.2f s%n",
                Ipv4Address.text(target), result.count(PortScan.State.OPEN), closed, result.count(PortScan.State.FILTERED),
                result.statistics().sent(), result.statistics().received(), result.resetsSent(), elapsedNanos / 1e9);
        if (result.statistics().captureDrops() > 0) {
            out.println("(the kernel dropped " + result.statistics().captureDrops() + " frames before rawsock read them:"
                    + " some ports may show as filtered that answered; try a lower --rate)");
        }
        out.flush();
    }
}
