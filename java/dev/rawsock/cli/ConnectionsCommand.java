package dev.rawsock.cli;

import dev.rawsock.lab.Connections;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.TimeWait;
import dev.rawsock.socket.Sockaddrs;
import dev.rawsock.wire.TcpFlags;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code rawsock connections}: several connections to one server, each 4-tuple as the kernel reports it and as the wire shows it. */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = {
            "Connections to one server: 4-tuples, kernel and wire.",
            "",
            "A TCP connection is named by its 4-tuple <source IP, source port,",
            "destination IP, destination port>. This opens several kernel TCP",
            "connections to one listening socket and shows each 4-tuple four ways:",
            "getsockname() and getpeername() on the client's socket, the same on the",
            "server's accepted socket (mirrored), and the addresses and ports of the",
            "client's SYN (and the server's SYN-ACK) captured on the wire by a packet",
            "socket. They agree, and the connections differ only in the client's port.",
            "",
            "By default on loopback (127.0.0.1; the capture keeps only the outgoing copy",
            "of each packet on lo, which sees every packet twice). --lab runs it in a lab",
            "instead: clients on 198.18.0.1 in one network namespace, the server on",
            "198.18.0.2 in another, the capture on the server's veth. The capture needs",
            "CAP_NET_RAW and the lab root, or it exits 3.",
        },
        footer = {"%nExamples:",
            "  rawsock connections",
            "  rawsock connections --count 5 --trace",
            "  rawsock connections --lab",
            "  rawsock connections --time-wait       TIME_WAIT, reuse, SO_REUSEADDR",
            "%nExit: 0 when every row agrees and the client ports are distinct (--time-wait: when",
            "the kernel behaved as described), 1 when not."})
final class ConnectionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--count", paramLabel = "N", defaultValue = "3",
            description = "Connections to open, 1-100 (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--lab", description = "Run in a lab (198.18.0.1 > 198.18.0.2, two namespaces) instead of on loopback.")
    boolean lab;

    @Option(names = "--address", paramLabel = "IP", converter = Converters.IpAddress.class, defaultValue = "127.0.0.1",
            description = "The loopback address the server listens on, in 127.0.0.0/8 (default: ${DEFAULT-VALUE}).")
    InetAddress address;

    @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class, defaultValue = "0",
            description = "The server's port (default: 0, the kernel picks one; in the lab 0 means 80).")
    int port;

    @Option(names = "--trace", description = "Print every socket call as it happens, as C.")
    boolean trace;

    @Option(names = "--time-wait", description = "Instead: what happens to a 4-tuple after its connection closes (TIME_WAIT, the same"
            + " 4-tuple used again, and bind() of the port with and without SO_REUSEADDR), on loopback, every call traced.")
    boolean timeWait;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Converters.DurationConverter.class, defaultValue = "5s",
            description = "The longest opening the connections may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (count < 1 || count > Connections.MAX_CONNECTIONS) {
            throw new UsageException("--count must be 1-" + Connections.MAX_CONNECTIONS + " but was " + count);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be above 0 but was " + timeout.toMillis() + " ms");
        }
        boolean loopback = address.getAddress().length == 4 && (address.getAddress()[0] & 0xFF) == 127;
        if (timeWait) {
            if (lab || !loopback) {
                throw new UsageException("--time-wait runs on loopback (an IPv4 address in 127.0.0.0/8), not with --lab or "
                        + address.getHostAddress());
            }
            return TimeWait.run(address, out).asExpected() ? ExitCodes.OK : ExitCodes.FAILURE;
        }
        if (!lab && !loopback) {
            throw new UsageException("--address must be a loopback address in 127.0.0.0/8 but was " + address.getHostAddress()
                    + " (rawsock connects only to itself here: use --lab for the lab's 198.18.0.x)");
        }
        dev.rawsock.socket.CallTrace calls = trace ? line -> {
            out.println("  " + line);
            out.flush();
        } : null;
        Connections.Result r;
        if (lab) {
            List<String> missing = Lab.missingCapabilities();
            if (!missing.isEmpty()) {
                err.println("rawsock: connections: this process lacks " + String.join(", ", missing) + " - " + Lab.REMEDY);
                return ExitCodes.NOT_PERMITTED;
            }
            try (Lab l = Lab.create(Lab.Topology.directWithAddresses())) {
                header(out, l.describe());
                r = Connections.inLab(l, count, port == 0 ? 80 : port, timeout, calls);
            }
        } else {
            header(out, List.of());
            r = Connections.onLoopback(count, address, port, timeout, calls);
        }
        print(out, r);
        if (lab) {
            out.println("lab removed (namespaces deleted, and the veth pair with them)");
        }
        out.flush();
        long distinct = r.rows().stream().map(x -> x.clientLocal().getPort()).distinct().count();
        return r.allAgree() && distinct == r.rows().size() ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private void header(PrintWriter out, List<String> labMap) {
        out.printf(Locale.ROOT, "rawsock connections: %d TCP connection%s to one server, %s%n", count, count == 1 ? "" : "s",
                lab ? "in a lab" : "on loopback");
        for (String line : labMap) {
            out.println("  " + line);
        }
        if (trace) {
            out.println("the socket calls:");
        }
        out.flush();
    }

    private static String pair(InetSocketAddress from, InetSocketAddress to) {
        return Sockaddrs.text(from) + " > " + Sockaddrs.text(to);
    }

    private void print(PrintWriter out, Connections.Result r) {
        out.println();
        out.println("the server listens on " + Sockaddrs.text(r.listening()) + "; " + r.place() + ", captured on " + r.captureInterface());
        out.println();
        String format = "  %-3s %-35s %-35s %-35s %s%n";
        out.printf(Locale.ROOT, format, "#", "client socket", "server's accepted socket", "the client's SYN on the wire", "same");
        out.printf(Locale.ROOT, format, "", "getsockname > getpeername", "getpeername > getsockname", "source > destination", "4-tuple");
        for (Connections.Row row : r.rows()) {
            out.printf(Locale.ROOT, format, Integer.toString(row.number()), pair(row.clientLocal(), row.clientPeer()),
                    pair(row.serverPeer(), row.serverLocal()),
                    row.syn() != null ? pair(row.syn().source(), row.syn().destination()) + " [" + TcpFlags.letters(row.syn().flags()) + "]"
                            : "(not captured)",
                    row.agree() ? "yes" : "NO");
        }
        out.println();
        List<String> ports = new ArrayList<>();
        for (Connections.Row row : r.rows()) {
            ports.add(Integer.toString(row.clientLocal().getPort()));
        }
        Connections.Row first = r.rows().get(0);
        out.println("4-tuple <source IP, source port, destination IP, destination port>, for connection 1: <"
                + Sockaddrs.ipText(first.clientLocal().getAddress()) + ", " + first.clientLocal().getPort() + ", "
                + Sockaddrs.ipText(first.clientPeer().getAddress()) + ", " + first.clientPeer().getPort() + ">");
        long distinct = r.rows().stream().map(x -> x.clientLocal().getPort()).distinct().count();
        out.println("  the connections share the client's address and the server's address and port; they differ in the"
                + " client's port: " + String.join(", ", ports) + (distinct == r.rows().size() ? " (all distinct)" : " (NOT all distinct)"));
        out.println("  each server accept() returned the client's getsockname(), and each server's SYN-ACK carries the 4-tuple mirrored"
                + (r.rows().stream().allMatch(x -> x.synAck() != null && x.synAck().source().equals(x.serverLocal())
                        && x.synAck().destination().equals(x.serverPeer())) ? "" : " (NOT for every connection)"));
        out.println("  one listening socket, " + r.rows().size() + " connected sockets on the server side: the kernel tells them apart by the whole 4-tuple");
        if (r.captureDrops() > 0) {
            out.println("  the capture lost " + r.captureDrops() + " frames");
        }
        out.flush();
    }
}
