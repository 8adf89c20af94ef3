package dev.rawsock.cli;

import dev.rawsock.capture.Filter;
import dev.rawsock.capture.FilterSyntaxException;
import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.capture.Sniffer;
import dev.rawsock.helper.HelperClient;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.PacketDecoder;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Captures packets on an interface (or all, or a raw IP socket), filtered in the kernel, and prints them as decode does. */
@Command(name = "sniff", mixinStandardHelpOptions = true,
        description = {
            "Capture packets (tcpdump-style filters) and print them as decode does.",
            "",
            "Capture packets and print them as 'rawsock decode' does: on one interface",
            "(--iface lo) or all of them through an AF_PACKET socket, or on one IP",
            "protocol through a raw socket (--raw-socket tcp). A tcpdump-style filter",
            "(--filter, or the words after the options) is compiled to classic BPF and",
            "attached to the socket, so the kernel drops what is not wanted. On a",
            "loopback device each packet is shown once (as it comes in) unless",
            "--both-directions. Runs until --count, --duration or Ctrl-C, then reports",
            "the packets captured and what the kernel dropped. Needs CAP_NET_RAW (root),",
            "or the helper (--helper PATH, RAWSOCK_HELPER), or exits 3.",
            "",
            "Filters: tcp udp icmp icmp6 sctp ip ip6 arp; ip proto N; [src|dst] host ADDR;",
            "[src|dst] net ADDR/LEN; [tcp|udp] [src|dst] port N | portrange N-M;",
            "tcp[tcpflags] & (syn|ack) != 0, tcp[13] == 2, ip[8] < 5; and/&&, or/||,",
            "not/!, ( ). As in tcpdump, 'and' and 'or' bind equally, left to right:",
            "'a or b and c' is '(a or b) and c'.",
        },
        footer = {"%nExamples:",
            "  rawsock sniff --iface lo tcp port 8080",
            "  rawsock sniff --iface lo --filter 'tcp[tcpflags] & syn != 0' --count 10",
            "  rawsock sniff --iface lo --duration 10s --pcap udp.pcap 'udp and not port 53'",
            "  rawsock sniff --raw-socket icmp --json",
            "  rawsock sniff --iface lo --print-filter 'host 127.0.0.1 and port 80'",
            "%nAll interfaces: packets are captured cooked (from the network header) and",
            "shown and saved behind a Linux cooked v2 header (link-type LINUX_SLL2, as",
            "tcpdump -i any), because frames of different link layers mix there. An",
            "unknown interface is a usage error (exit 2)."})
final class SniffCommand implements Callable<Integer>, Args.Declarations {
    @Spec
    CommandSpec spec;

    @Option(names = "--iface", paramLabel = "NAME", description = "The interface to capture on (default: all of them).")
    String iface;

    @Option(names = "--raw-socket", paramLabel = "PROTO", converter = RawProtocolConverter.class,
            description = "Capture one IP protocol (tcp, udp, icmp) through an AF_INET raw socket instead: IPv4 packets the host receives.")
    Protocol rawSocket;

    @Option(names = "--filter", paramLabel = "EXPR", description = "The capture filter (or give it as the words after the options).")
    String filterOption;

    @Parameters(arity = "0..*", paramLabel = "EXPR", description = "The capture filter, as words (the same as --filter).")
    List<String> filterWords;

    @Option(names = {"-c", "--count"}, paramLabel = "N", converter = DecodeCommand.NonNegative.class,
            description = "Stop after N packets.")
    Long count;

    @Option(names = "--duration", paramLabel = "TIME", converter = Converters.DurationConverter.class,
            description = "Stop after this long (10s, 500ms, 2m).")
    Duration duration;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Also write the packets to a pcap file (link type as captured).")
    Path pcap;

    @Option(names = "--both-directions", description = "On loopback, show each packet twice: going out and coming in.")
    boolean bothDirections;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "262144",
            description = "Keep at most this many bytes of each packet (64-262144, default: ${DEFAULT-VALUE}).")
    int snapLength;

    @Option(names = "--print-filter", description = "Print the BPF program the filter compiles to (tcpdump -d style) and exit.")
    boolean printFilter;

    @Option(names = {"-q", "--quiet"}, description = "Print no packets (with --pcap: only save them); a progress line on a terminal.")
    boolean quiet;

    final PacketOutput output = new PacketOutput();

    @Option(names = "--helper", paramLabel = "PATH",
            description = "Without CAP_NET_RAW, capture through the privileged helper at PATH (default: $RAWSOCK_HELPER): only packets from or to its allowed prefixes, for at most its max-capture.")
    String helper;

    private static final String FILTER_PREFIX = "--filter: ";

    static final class RawProtocolConverter implements ITypeConverter<Protocol> {
        @Override
        public Protocol convert(String text) {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "tcp": return Protocol.IPPROTO_TCP;
                case "udp": return Protocol.IPPROTO_UDP;
                case "icmp": return Protocol.IPPROTO_ICMP;
                default: throw new TypeConversionException("'" + text + "' is not a protocol for a raw socket: expected tcp, udp or icmp");
            }
        }
    }

    @Override
    public void addTo(CommandSpec command) {
        output.addTo(command);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (filterOption != null && filterWords != null && !filterWords.isEmpty()) {
            throw new UsageException("give the filter as --filter EXPR or as words after the options, not both");
        }
        if (iface != null && rawSocket != null) {
            throw new UsageException("--iface and --raw-socket cannot be combined: a raw IP socket receives from every interface");
        }
        if (snapLength < 64 || snapLength > PcapWriter.DEFAULT_SNAP_LENGTH) {
            throw new UsageException("--snaplen: must be 64-" + PcapWriter.DEFAULT_SNAP_LENGTH + " but was " + snapLength);
        }
        String text = filterOption != null ? filterOption : filterWords == null ? "" : String.join(" ", filterWords);
        Filter filter;
        try {
            filter = Filter.parse(text);
        } catch (FilterSyntaxException e) {
            throw new UsageException(FILTER_PREFIX + e.getMessage() + "\n" + e.caretLine(("rawsock: " + FILTER_PREFIX).length()));
        }
        Sniffer.Settings settings = new Sniffer.Settings(iface, rawSocket, filter, bothDirections, snapLength);
        Sniffer.Plan plan;
        try {
            plan = Sniffer.plan(settings);
        } catch (Sniffer.UnknownInterfaceException e) {
            throw new UsageException("--iface: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException(FILTER_PREFIX + e.getMessage());
        }
        if (printFilter) {
            out.print(plan.program().text());
            out.flush();
            return ExitCodes.OK;
        }

        long limit = count != null ? count : -1;
        long nanos = duration != null ? duration.toNanos() : -1;
        String helperPath = HelperCommand.route(helper, err, "capturing");
        if (helperPath != null) {
            if (rawSocket != null || bothDirections) {
                throw new UsageException("--raw-socket and --both-directions are not available through the helper");
            }
            return throughHelper(helperPath, plan, text, out, err);
        }
        try (Sniffer sniffer = Sniffer.open(SocketApi.create(), settings)) {
            err.println("rawsock: " + sniffer.description());
            err.flush();
            PcapWriter writer = pcap != null
                    ? PcapWriter.open(pcap, plan.linkType(), plan.headerBytes() + snapLength, true) : null;
            Lines lines = new Lines(out, err, writer, quiet, output);
            CountDownLatch finished = new CountDownLatch(1);
            // Ctrl-C: stop the loop, then let this thread close the pcap and print the counts before the JVM exits.
            Thread hook = new Thread(() -> {
                sniffer.stop();
                try {
                    finished.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "rawsock-sniff-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            Sniffer.Counts counts = null;
            try {
                counts = sniffer.run(limit, nanos, lines);
            } finally {
                lines.endProgress();
                if (counts == null) {
                    counts = sniffer.counts();
                }
                output.flush(out);
                if (writer != null) {
                    writer.close(); // commits what was captured, even after a failure; a no-op when the writer aborted
                }
                report(err, counts, writer);
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it returns now that the loop has finished
                }
            }
        }
        return ExitCodes.OK;
    }

    /** The capture made by the helper: its frames decoded and printed here as the sniffer's would be. */
    private int throughHelper(String path, Sniffer.Plan plan, String filterText, PrintWriter out, PrintWriter err) throws IOException {
        long maxCaptureMillis;
        try (HelperClient client = HelperClient.connect(path)) {
            maxCaptureMillis = client.hello().maxCaptureMillis();
        }
        long millis = duration != null ? Math.max(1, duration.toMillis()) : maxCaptureMillis;
        long frames = count != null ? Math.max(1, Math.min(count, 1_000_000)) : 1_000_000;
        int snap = Math.min(snapLength, 65_535);
        HelperClient.CaptureStream stream = HelperClient.capture(path,
                new HelperClient.CaptureRequest(millis, frames, snap, false, iface == null ? "" : iface, filterText));
        LinkType linkType = LinkType.fromValue(stream.linkType());
        err.println("rawsock: capturing on " + (iface == null ? "all interfaces" : iface) + " through the helper for at most "
                + millis + " ms" + (filterText.isEmpty() ? "" : " (filter: " + filterText + ")"));
        err.flush();
        PcapWriter writer = pcap != null ? PcapWriter.open(pcap, linkType, linkType.headerBytes() + snap, true) : null;
        Lines lines = new Lines(out, err, writer, quiet, output);
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket decoded = new DecodedPacket();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                stream.stop();
                finished.await(5, TimeUnit.SECONDS);
            } catch (RuntimeException | InterruptedException e) {
                // the helper is gone, or we are: nothing more to wait for
            }
        }, "rawsock-sniff-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long captured = 0;
        try (stream) {
            while (stream.end() == null) {
                HelperClient.CaptureStream.Frame f = stream.next(100);
                if (f == null) {
                    lines.idle();
                    continue;
                }
                ByteBuffer b = f.bytes();
                decoder.decode(b, b.position(), b.remaining(), f.originalLength(), linkType.firstLayer(), decoded);
                if (f.checksumOffloaded()) {
                    decoded.checksumOffloaded();
                }
                decoded.frameNumber(++captured);
                lines.packet(decoded, f.timestampNanos());
            }
        } finally {
            output.flush(out);
            if (writer != null) {
                writer.close();
            }
            HelperClient.CaptureStream.End end = stream.end();
            report(err, new Sniffer.Counts(captured, end == null ? 0 : end.kernelDrops(), 0), writer);
            if (end != null && end.withheld() > 0) {
                err.println("rawsock: " + end.withheld() + " packets withheld by the helper (outside its allowed prefixes)");
                err.flush();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        return ExitCodes.OK;
    }

    private static void report(PrintWriter err, Sniffer.Counts c, PcapWriter writer) {
        err.printf(Locale.ROOT, "rawsock: %d packet%s captured, %d dropped by the kernel%s%s%n", c.captured(),
                c.captured() == 1 ? "" : "s", c.kernelDrops(),
                writer != null ? "; " + writer.records() + " written to " + writer.target() : "",
                c.skipped() > 0 ? "; " + c.skipped() + " outgoing loopback copies skipped (the kernel's filter let them through)" : "");
        err.flush();
    }

    /** Prints each packet, writes the pcap, and keeps a progress line on a terminal when quiet. */
    private static final class Lines implements Sniffer.Listener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final PcapWriter pcap;
        private final boolean quiet;
        private final PacketOutput output;
        private final boolean terminal = System.console() != null;
        private boolean progressShown;

        Lines(PrintWriter out, PrintWriter err, PcapWriter pcap, boolean quiet, PacketOutput output) {
            this.out = out;
            this.err = err;
            this.pcap = pcap;
            this.quiet = quiet;
            this.output = output;
        }

        @Override
        public void packet(DecodedPacket p, long timestampNanos) throws IOException {
            if (pcap != null) {
                pcap.write(timestampNanos, p.buffer(), p.frameOffset(), p.capturedLength(), p.originalLength());
            }
            if (!quiet) {
                output.print(p, out);
            }
        }

        @Override
        public void idle() {
            output.flush(out);
        }

        @Override
        public void progress(Sniffer.Counts c) {
            if (!quiet || !terminal) {
                return;
            }
            err.printf(Locale.ROOT, "\r%d packets captured, %d dropped by the kernel ", c.captured(), c.kernelDrops());
            err.flush();
            progressShown = true;
        }

        void endProgress() {
            if (progressShown) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
