package dev.rawsock.cli;

import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabTarget;
import dev.rawsock.probe.Traceroute;
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
import java.util.concurrent.Callable;

/** {@code rawsock traceroute}: TTL-limited probes through a lab of router namespaces. */
@Command(name = "traceroute", mixinStandardHelpOptions = true,
        description = {
            "Traceroute through router namespaces in a lab.",
            "",
            "Traceroute through a lab that rawsock builds and removes: the crafting side",
            "(198.18.0.1), --routers namespaces acting as routers (IP forwarding on,",
            "static routes, one 198.18.k.0/24 subnet per link) and the target, in a line.",
            "For TTL 1, 2, ... it sends --queries probes with that TTL; the router where",
            "the TTL runs out answers with ICMP time exceeded (hop number, its address, the",
            "round trip), and once the TTL is large enough the target answers: ICMP port",
            "unreachable to UDP probes (ports 33434 and up), an echo reply to ICMP echo,",
            "a SYN-ACK (or RST) to TCP SYNs. It stops at the target or at --max-hops.",
            "",
            "HOST is an address of the lab (default: the target, 198.18.R.2 behind R",
            "routers; with 2 routers, 198.18.2.2). Needs root (namespaces, raw sockets).",
        },
        footer = {"%nExamples:",
            "  rawsock traceroute                     2 routers, UDP probes",
            "  rawsock traceroute --probe icmp --routers 3",
            "  rawsock traceroute --probe tcp --port 80",
            "  rawsock traceroute 198.18.1.2          to router 2 (its side toward rawsock)",
            "%nExit: 0 when the host answered, 4 when it did not within --max-hops."})
final class TracerouteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "An address in the lab (default: the lab's target).")
    String host;

    @Option(names = "--probe", paramLabel = "udp|tcp|icmp", defaultValue = "udp",
            description = "What to send: UDP to ports 33434+, TCP SYN to --port, or ICMP echo (default: ${DEFAULT-VALUE}).")
    String probe;

    @Option(names = "--routers", paramLabel = "N", defaultValue = "2",
            description = "Router namespaces between rawsock and the target, 1-8 (default: ${DEFAULT-VALUE}).")
    int routers;

    @Option(names = "--max-hops", paramLabel = "N", defaultValue = "8",
            description = "The largest TTL tried, 1-64 (default: ${DEFAULT-VALUE}).")
    int maxHops;

    @Option(names = {"-q", "--queries"}, paramLabel = "N", defaultValue = "3",
            description = "Probes per hop, 1-10 (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class, defaultValue = "80",
            description = "The TCP probes' destination port (default: ${DEFAULT-VALUE}, where the target's HTTP server listens).")
    int port;

    @Option(names = "--rate", paramLabel = "PPS", defaultValue = "100",
            description = "Probes per second within a hop, at most 10000 (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Converters.DurationConverter.class, defaultValue = "1s",
            description = "How long each hop waits for its replies (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the random ports, sequence numbers and IP ids.")
    Long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Traceroute.Probe kind;
        try {
            kind = Traceroute.Probe.valueOf(probe.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--probe must be udp, tcp or icmp but was '" + probe + "'");
        }
        if (routers < 1 || routers > Lab.Topology.MAX_ROUTERS) {
            throw new UsageException("--routers must be 1-" + Lab.Topology.MAX_ROUTERS + " but was " + routers);
        }
        if (maxHops < 1 || maxHops > Traceroute.MAX_HOPS) {
            throw new UsageException("--max-hops must be 1-" + Traceroute.MAX_HOPS + " but was " + maxHops);
        }
        if (queries < 1 || queries > Traceroute.MAX_QUERIES) {
            throw new UsageException("--queries must be 1-" + Traceroute.MAX_QUERIES + " but was " + queries);
        }
        if (!(rate > 0 && rate <= 10_000)) {
            throw new UsageException("--rate must be above 0 and at most 10000 but was " + rate);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be above 0 but was " + timeout.toMillis() + " ms");
        }
        Lab.Topology topology = Lab.Topology.routed(routers);
        int destination = Lab.linkAddress(routers, 2);
        if (host != null) {
            try {
                destination = Ipv4Address.parse(host);
            } catch (IllegalArgumentException e) {
                throw new UsageException("HOST must be an IPv4 address of the lab but was '" + host + "'");
            }
            List<String> addresses = new ArrayList<>();
            for (int k = 0; k < topology.links(); k++) {
                addresses.add(Ipv4Address.text(Lab.linkAddress(k, 1)));
                addresses.add(Ipv4Address.text(Lab.linkAddress(k, 2)));
            }
            addresses.remove(Ipv4Address.text(Lab.CRAFTING_ADDRESS));
            if (!addresses.contains(Ipv4Address.text(destination))) {
                throw new UsageException(Ipv4Address.text(destination) + " is not in a lab with " + routers + " router"
                        + (routers == 1 ? "" : "s") + ": rawsock traces only inside its own lab, whose addresses are "
                        + String.join(", ", addresses));
            }
        }
        List<String> missing = Lab.missingCapabilities();
        if (!missing.isEmpty()) {
            err.println("rawsock: traceroute: this process lacks " + String.join(", ", missing) + " - " + Lab.REMEDY);
            return ExitCodes.NOT_PERMITTED;
        }
        Randomness random = seed != null ? Randomness.seeded(seed) : Randomness.unseeded();
        Traceroute.Result result;
        try (Lab lab = Lab.create(topology)) {
            if (kind == Traceroute.Probe.TCP) {
                LabTarget.start(lab); // something to answer the SYNs on 80 (and 7); any other port answers RST
            }
            out.println("lab " + lab.name() + ": rawsock, " + routers + " router" + (routers == 1 ? "" : "s")
                    + " and the target, in a line of network namespaces");
            for (String line : lab.describe()) {
                out.println("  " + line);
            }
            out.printf(Locale.ROOT, "traceroute to %s (%s), %d hops max, %d %s probe%s per hop%s, from %s (seed %d)%n",
                    Ipv4Address.text(destination), lab.role(lab.namespaces().get(lab.ownerOf(destination))), maxHops, queries,
                    kind.text(), queries == 1 ? "" : "s", kind == Traceroute.Probe.UDP ? " to ports " + Traceroute.UDP_BASE_PORT + "+"
                            : kind == Traceroute.Probe.TCP ? " to port " + port : "",
                    Ipv4Address.text(lab.craftingAddress()), random.seed());
            out.flush();
            Traceroute.Settings settings = new Traceroute.Settings(lab.craftingAddress(), destination, kind, maxHops, queries, port,
                    rate, timeout, random);
            Duration longest = timeout.plusNanos((long) (queries / rate * 1e9)).plusMillis(200).multipliedBy(maxHops).plusSeconds(10);
            result = lab.inNamespace(lab.craftingNamespace(), longest,
                    () -> Traceroute.run(SocketApi.create(), settings, hop -> printHop(out, lab, hop)));
            if (result.reached()) {
                out.println("reached " + Ipv4Address.text(destination) + " in " + result.hops().size() + " hop"
                        + (result.hops().size() == 1 ? "" : "s"));
            } else {
                out.println("no answer from " + Ipv4Address.text(destination) + " within " + maxHops + " hops");
            }
        }
        out.println("lab removed (namespaces deleted, and the veth pairs with them)");
        out.flush();
        return result.reached() ? ExitCodes.OK : ExitCodes.NO_REPLY;
    }

    private static void printHop(PrintWriter out, Lab lab, Traceroute.Hop hop) {
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "%2d  ", hop.ttl()));
        int shown = 0;
        String what = null;
        for (Traceroute.Reply r : hop.replies()) {
            if (r == null) {
                line.append(" *");
                continue;
            }
            if (r.from() != shown) {
                line.append(shown == 0 ? "" : "  ").append(Ipv4Address.text(r.from()));
                shown = r.from();
            }
            line.append(String.format(Locale.ROOT, "  %.3f ms", r.rttNanos() / 1e6));
            if (what == null) {
                what = r.what();
            }
        }
        if (shown != 0) {
            int owner = lab.ownerOf(shown);
            line.append("   ").append(what).append(owner >= 0 ? " from " + lab.role(lab.namespaces().get(owner)) : "");
        }
        out.println(line);
        out.flush();
    }
}
