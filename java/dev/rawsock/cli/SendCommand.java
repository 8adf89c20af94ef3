package dev.rawsock.cli;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.KernelRewrites;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.craft.Transport;
import dev.rawsock.helper.HelperChannels;
import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.probe.ProbeRun;
import dev.rawsock.probe.ProbeSeries;
import dev.rawsock.probe.ProbeStatistics;
import dev.rawsock.print.Decimal;
import dev.rawsock.print.LinePrinter;
import dev.rawsock.socket.Interfaces;
import dev.rawsock.socket.Neighbours;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.MacAddress;
import dev.rawsock.wire.PacketDecoder;

import dev.rawsock.cli.Args.Arg;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Sends crafted packets on a raw socket, matches the replies, and prints nping-style lines and hping-style
 * statistics. Its options are declared through picocli's programmatic API ({@link Args}), as craft's are:
 * picocli reads annotations by reflection and JDK 17 spins a proxy class for each annotation type, which no
 * CDS archive holds (the flood's peak RSS is measured against a budget, issue 9).
 */
final class SendCommand implements Callable<Integer> {
    private static final String[] DESCRIPTION = {
        "Send crafted packets on a raw socket and match the replies (SENT/RCVD lines).",
        "",
        "Build packets as 'rawsock craft' does and send them on a raw socket (IP_HDRINCL), then match",
        "what comes back: TCP by the mirrored ports and ack = seq + len, ICMP errors by the packet they",
        "quote, ICMP echo by id and sequence. Prints SENT/RCVD lines with the time since the start and",
        "the round-trip time, then statistics. Needs CAP_NET_RAW (root), or the",
        "helper (--helper PATH, RAWSOCK_HELPER; paced IPv4 only), or exits 3.",
        "%nIPv6 (an IPv6 --dst): an AF_INET6 raw socket of the transport's protocol,",
        "where Linux builds the IPv6 header. rawsock sends the TCP/UDP/ICMPv6 part",
        "with its own checksum (Linux always recomputes the ICMPv6 one), sets the hop",
        "limit (IPV6_UNICAST_HOPS) and traffic class (IPV6_TCLASS), passes the flow",
        "label in sin6_flowinfo and binds to the source. Replies: ICMPv6 echo reply",
        "by id and sequence, ICMPv6 errors by the addresses, next header and first 8",
        "transport bytes they quote.",
        "%nEthernet (--iface NAME, as nping's --send-eth and Scapy's sendp): each probe",
        "goes out as a whole Ethernet frame on that interface through a packet socket",
        "(AF_PACKET, PACKET_QDISC_BYPASS; --flood in sendmmsg batches), not through",
        "the kernel's IP output: no routing, and nothing rewritten (the IP checksum,",
        "length, id and source are rawsock's). Addresses: --src-mac (default: the",
        "interface's own) and --dst-mac (default: the next hop's from the kernel's",
        "neighbour table: ARP for IPv4, /proc/net/arp; neighbour discovery for IPv6,",
        "over rtnetlink; with no entry, give --dst-mac or ping the next hop first).",
        "--src defaults to the interface's IPv4 address (IPv6: the route's source).",
        "On lo both MACs are zeros, but Linux drops frames to or from 127.0.0.0/8",
        "arriving there as martians unless net.ipv4.conf.lo.route_localnet=1 and",
        "accept_local=1: --iface is for real interfaces, labs and veths. Frames sent",
        "past the qdisc are not seen by packet sockets (tcpdump) on the sending",
        "interface; capture on the receiving side.",
        "Replies are read and matched as without --iface.",
    };

    private static final String[] FOOTER = {"%nExamples:",
        "  rawsock send tcp --dst 127.0.0.1 --dport 8080 --flags S",
        "  rawsock send tcp --dport 8080-8090 --delay 10ms          (one SYN per port)",
        "  rawsock send icmp -c 5 --rate 10",
        "  rawsock send udp --dport 9 --ttl 1-5                       (TTL sweep)",
        "  rawsock send tcp --dport 9 --flood -c 100000 --no-replies  (as fast as the kernel takes them)",
        "  rawsock send tcp --dst ::1 --dport 8080                    (IPv6)",
        "  rawsock send icmp --dst ::1 -c 3 --ttl 7 --flow-label 0x12345",
        "  rawsock send tcp --iface veth0 --dst 198.18.0.2 --dport 9  (Ethernet frames)",
        "  rawsock send tcp --iface veth0 --dst 2001:2::2 --dport 9   (the same, IPv6)",
        "  rawsock send udp --iface veth0 --dst-mac 02:72:73:00:00:02 --dst 198.18.0.2",
        "%nExit: 0 when a reply came (or none was asked for), 4 when replies were expected and none came."};

    private final Args args = new Args();
    private final Arg<Transport> transport = args.positional(0, Transport.class, new CraftCommand.TransportConverter(), "PROTO",
            "tcp, udp, icmp or raw.");
    private final PacketOptions packet = new PacketOptions();
    private final PacketOutput output = new PacketOutput();
    private final Arg<Long> count = args.option(Long.class, new DecodeCommand.NonNegative(), "N",
            "Probes to send (default: 1, or one per value of a --dport/--ttl range).", "-c", "--count");
    private final Arg<Duration> delay = args.option(Duration.class, new Converters.DurationConverter(), "TIME",
            "Time between probes: 500ms, 1s, 200us (default: 1s).", "--delay");
    private final Arg<Double> rate = args.option(Double.class, "PPS", "Probes per second (instead of --delay).", "--rate");
    private final Arg<Boolean> flood = args.flag(
            "As fast as possible (sendmmsg batches); needs --count or --duration. Prints no per-packet lines.", "--flood");
    private final Arg<Duration> duration = args.option(Duration.class, new Converters.DurationConverter(), "TIME",
            "Stop sending after this long (3s, 500ms).", "--duration");
    private final Arg<Boolean> sourcePortIncrement = args.flag("Each probe's source port one more than the last.",
            "--sport-increment");
    private final Arg<Boolean> sequenceIncrement = args.flag("Each TCP probe's sequence number one more than the last.",
            "--seq-increment");
    private final Arg<Boolean> noReplies = args.flag("Do not listen for replies.", "--no-replies");
    private final Arg<Duration> timeout = args.optionWithDefault(Duration.class, new Converters.DurationConverter(), "1s", "TIME",
            "How long to wait for replies after the last probe (default: ${DEFAULT-VALUE}).", "--timeout");
    private final Arg<Boolean> hex = args.flag("Add a hex dump of each packet (same as --dump).", "--hex");
    private final Arg<Boolean> quiet = args.flag("Print only the statistics.", "-q", "--quiet");
    private final Arg<Path> pcap = args.option(Path.class, "FILE",
            "Write every probe sent and reply matched to a pcap file (IP packets, LINKTYPE_RAW; with --iface too: the Ethernet header is not written).",
            "--pcap");
    private final Arg<Long> seed = args.option(Long.class, "N", "Seed for the random defaults.", "--seed");
    private final Arg<Boolean> noFixLengths = args.flag("Leave automatic length fields at 0.", "--no-fix-lengths");
    private final Arg<Boolean> noChecksums = args.flag("Leave automatic checksums at 0.", "--no-checksums");
    private final Arg<String> helper = args.option(String.class, "PATH",
            "Without CAP_NET_RAW, send and capture through the privileged helper at PATH (default: $RAWSOCK_HELPER; '@name': abstract).",
            "--helper");
    private final Arg<String> iface = args.option(String.class, "NAME",
            "Send each probe as an Ethernet frame on this interface (a packet socket past the qdisc) instead of on a raw IP socket.",
            "--iface");
    private final Arg<Long> sourceMac = args.option(Long.class, new Converters.Mac(), "MAC",
            "With --iface: the frames' source MAC (default: the interface's own).", "--src-mac");
    private final Arg<Long> destinationMac = args.option(Long.class, new Converters.Mac(), "MAC",
            "With --iface: the frames' destination MAC (default: the next hop's in the kernel's neighbour table, ARP or IPv6 ND; zeros on lo).",
            "--dst-mac");
    private CommandSpec spec;

    private SendCommand() {}

    /** send's picocli model, built without reading annotations. */
    static CommandLine commandLine() {
        SendCommand send = new SendCommand();
        send.spec = send.args.commandSpec(send, "send", DESCRIPTION, FOOTER, send.packet, send.output);
        return new CommandLine(send.spec);
    }

    private static final int FLOOD_BATCH = 64;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (delay.get() != null && rate.get() != null) {
            throw new UsageException("--delay and --rate cannot be combined");
        }
        if (rate.get() != null && !(rate.get() > 0 && rate.get() <= 1e9)) {
            throw new UsageException("--rate must be above 0 and at most 1000000000 but was " + rate.get());
        }
        if (flood.get() && count.get() == null && duration.get() == null) {
            throw new UsageException("--flood needs --count or --duration (a flood is always bounded)");
        }
        if (iface.get() != null && helper.get() != null) {
            throw new UsageException("--iface and --helper cannot be combined: the helper sends IP packets only (run as root or with CAP_NET_RAW)");
        }
        if (iface.get() == null && (sourceMac.get() != null || destinationMac.get() != null)) {
            throw new UsageException((sourceMac.get() != null ? "--src-mac" : "--dst-mac") + " needs --iface (the MACs of Ethernet frames)");
        }
        output.hexDumpToo(hex.get());
        Randomness random = seed.get() != null ? Randomness.seeded(seed.get()) : Randomness.unseeded();
        packet.checkFamily();
        Interfaces.Link link = iface.get() != null ? link(iface.get()) : null;
        boolean sourceGiven = packet.source.get() != null;
        PacketAddress routeSource = sourceGiven ? null
                : link != null && !packet.isIpv6() && link.ipv4Address() != 0 ? PacketAddress.parse(Ipv4Address.text(link.ipv4Address()))
                : CraftCommand.routeSourceTo(packet.destinationAddress(), SocketApi.create());
        if (link != null && !sourceGiven && routeSource == null) {
            throw new UsageException("--iface " + iface.get() + ": no source address (the interface has no " + packet.destinationAddress().family()
                    + " address and there is no route to " + packet.destinationAddress() + "): give --src");
        }
        PacketSpec packetSpec;
        try {
            packetSpec = packet.toSpec(transport.get(), routeSource);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ProbeSeries series = packet.toSeries(packetSpec, random, new EmitOptions(!noFixLengths.get(), !noChecksums.get()),
                sourcePortIncrement.get(), sequenceIncrement.get());
        long probes = count.get() != null ? count.get() : duration.get() != null ? -1 : series.sweepLength();
        long interval = flood.get() ? 0 : rate.get() != null ? (long) (1e9 / rate.get()) : delay.get() != null ? delay.get().toNanos() : 1_000_000_000L;
        ProbeRun.Settings settings = new ProbeRun.Settings(probes, duration.get() != null ? duration.get().toNanos() : -1, interval,
                flood.get(), !noReplies.get(), timeout.get().toNanos(), FLOOD_BATCH);

        String helperPath = HelperCommand.route(helper.get(), err, "sending");
        if (helperPath != null && flood.get()) {
            throw new UsageException("--flood is not available through the helper (it paces and checks every packet): use --rate");
        }
        if (helperPath != null && series.isIpv6()) {
            throw new UsageException("the helper sends IPv4 only: give an IPv4 --dst");
        }
        if (helperPath != null && link != null) {
            throw new UsageException("--iface is not available through the helper (it sends IP packets only): run as root or with CAP_NET_RAW");
        }
        ProbeRun.Ethernet ethernet = link != null ? ethernet(link, packet.destinationAddress()) : null;

        ByteBuffer first = ByteBuffer.allocate(series.length());
        series.write(0, first, 0);
        List<String> notes = ethernet == null ? KernelRewrites.notes(packetSpec, first, 0) : ethernetNotes(link, series);
        for (String note : notes) {
            err.println("note: " + note);
        }
        if (!quiet.get()) {
            err.println("rawsock: sending " + (probes >= 0 ? probes + " " : "") + transport.get().name().toLowerCase(Locale.ROOT)
                    + " probe" + (probes == 1 ? "" : "s") + " to " + series.destinationText()
                    + (ethernet == null ? "" : " in Ethernet frames on " + iface.get() + " (" + MacAddress.text(ethernet.sourceMac())
                    + " > " + MacAddress.text(ethernet.destinationMac()) + ")")
                    + (flood.get() ? " as fast as possible" : "") + " (seed " + random.seed() + ")");
        }
        err.flush();

        PcapWriter writer = pcap.get() != null ? PcapWriter.open(pcap.get(), LinkType.RAW, 65535, true) : null;
        Lines lines = new Lines(out, err, writer, quiet.get() || flood.get(), output);
        ProbeStatistics stats;
        try {
            if (ethernet != null) {
                stats = new ProbeRun(SocketApi.create(), series, settings, lines, ethernet).run();
            } else if (helperPath == null) {
                stats = new ProbeRun(SocketApi.create(), series, settings, lines).run();
            } else {
                long runMillis = (probes >= 0 ? probes * (interval / 1_000_000L) : duration.get().toMillis()) + timeout.get().toMillis();
                try (HelperChannels channels = new HelperChannels(helperPath, runMillis)) {
                    if (channels.captureMillis() < runMillis) {
                        err.println("note: the helper captures for at most " + channels.captureMillis()
                                + " ms (its max-capture): replies after that are not seen");
                        err.flush();
                    }
                    stats = new ProbeRun(SocketApi.create(), series, settings, lines, channels).run();
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            if (writer != null) {
                writer.abort();
            }
            throw e;
        } finally {
            lines.endProgress();
        }
        if (writer != null) {
            writer.close();
        }
        statistics(output.json() ? err : out, stats, series);
        output.flush(out);
        return !noReplies.get() && stats.received() == 0 ? ExitCodes.NO_REPLY : ExitCodes.OK;
    }

    /** The interface of --iface: an unknown one is a usage error, one that is down or without carrier a runtime failure (exit 1). */
    private static Interfaces.Link link(String name) throws ErrnoException, IOException {
        Interfaces.Link link;
        try {
            link = Interfaces.link(name);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENODEV) {
                throw new UsageException("--iface: no interface named '" + name + "' (see ip link)");
            }
            throw e;
        }
        if (!link.ethernet()) {
            throw new UsageException("--iface " + name + " is not an Ethernet interface (hardware type " + link.hardwareType()
                    + "): rawsock writes Ethernet frames");
        }
        if (!link.up()) {
            throw new IOException("interface " + name + " is down: bring it up first (ip link set " + name + " up)");
        }
        if (!link.running()) {
            throw new IOException("interface " + name + " has no carrier (its cable, or its veth peer, is down): it would take no frame");
        }
        return link;
    }

    /** The frames' MACs: given, or the interface's own and the next hop's in the kernel's neighbour table (zeros on lo). */
    private ProbeRun.Ethernet ethernet(Interfaces.Link link, PacketAddress destination) throws IOException {
        long source = sourceMac.get() != null ? sourceMac.get() : link.mac();
        long target;
        if (destinationMac.get() != null) {
            target = destinationMac.get();
        } else if (link.loopback()) {
            target = 0;
        } else if (destination.isIpv6()) {
            byte[] hop = Neighbours.nextHop6(destination.ipv6().toArray(), iface.get());
            target = Neighbours.ndpEntry(hop, link.index());
            if (target < 0) {
                String hopText = Ipv6Address.text(Bytes.of(hop));
                String which = Bytes.of(hop).equals(destination.ipv6()) ? hopText
                        : hopText + " (the next hop to " + destination + ")";
                throw new UsageException("--iface " + iface.get() + ": no neighbour entry for " + which + " on " + iface.get()
                        + " in the kernel's neighbour table: give --dst-mac MAC, or ping " + hopText + " first");
            }
        } else {
            int hop = Neighbours.nextHop(destination.ipv4(), iface.get());
            target = Neighbours.arpEntry(hop, iface.get());
            if (target < 0) {
                String which = hop == destination.ipv4() ? Ipv4Address.text(hop) : Ipv4Address.text(hop) + " (the next hop to " + destination + ")";
                throw new UsageException("--iface " + iface.get() + ": no ARP entry for " + which + " on " + iface.get()
                        + " in the kernel's neighbour table: give --dst-mac MAC, or ping " + Ipv4Address.text(hop) + " first");
            }
        }
        return new ProbeRun.Ethernet(iface.get(), source, target);
    }

    private static List<String> ethernetNotes(Interfaces.Link link, ProbeSeries series) {
        List<String> notes = new java.util.ArrayList<>();
        notes.add("on a packet socket (--iface) the packet goes out exactly as built: Linux rewrites nothing, not the IP checksum,"
                + " length, id or source");
        if (link.loopback() && !series.isIpv6() && (series.destination() >>> 24) == 127 && !loopbackFramesAccepted()) {
            notes.add("on lo, Linux drops frames to or from 127.0.0.0/8 as martians unless net.ipv4.conf.lo.route_localnet=1 and"
                    + " net.ipv4.conf.lo.accept_local=1");
        }
        return notes;
    }

    /** Whether this namespace's lo takes frames to or from 127.0.0.0/8 (both sysctls 1; /proc/sys/net is per namespace). */
    private static boolean loopbackFramesAccepted() {
        try {
            return "1".equals(java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/conf/lo/route_localnet")).strip())
                    && "1".equals(java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/conf/lo/accept_local")).strip());
        } catch (IOException e) {
            return false;
        }
    }

    /** ping's summary lines. Built by appends, not printf: see {@link Decimal} for why. */
    private void statistics(PrintWriter out, ProbeStatistics s, ProbeSeries series) {
        StringBuilder text = new StringBuilder(256);
        text.append("--- ").append(series.destinationText()).append(" rawsock statistics ---\n");
        text.append(s.sent()).append(" packets sent, ").append(s.received()).append(" received, ");
        Decimal.append(text, noReplies.get() ? 0.0 : s.lostPercent(), 1).append("% lost, ");
        text.append(s.bytesSent()).append(" bytes sent, ").append(s.bytesReceived()).append(" bytes received\n");
        if (s.received() > 0) {
            text.append("rtt min/avg/max/mdev = ");
            Decimal.append(text, s.rttMinMillis(), 3).append('/');
            Decimal.append(text, s.rttAvgMillis(), 3).append('/');
            Decimal.append(text, s.rttMaxMillis(), 3).append('/');
            Decimal.append(text, s.rttMdevMillis(), 3).append(" ms\n");
        }
        text.append("sent ").append(s.sent()).append(" packets in ");
        Decimal.append(text, s.sendingSeconds(), 3).append(" s: ");
        Decimal.append(text, s.packetsPerSecond(), 0).append(" packets/s\n");
        if (s.duplicates() > 0 || s.captureDrops() > 0) {
            text.append(s.duplicates()).append(" duplicate replies; ").append(s.captureDrops())
                    .append(" frames dropped by the kernel before we read them\n");
        }
        out.print(text);
        out.flush();
    }

    /** Prints SENT/RCVD lines as the run goes, writes the pcap, and keeps the progress line on a terminal. */
    private static final class Lines implements ProbeRun.Listener {
        private final PrintWriter out;
        private final PrintWriter err;
        private final PcapWriter pcap;
        private final boolean quiet;
        private final PacketOutput output;
        private final LinePrinter printer = new LinePrinter();
        private final PacketDecoder decoder = new PacketDecoder();
        private final DecodedPacket decoded = new DecodedPacket();
        private final StringBuilder text = new StringBuilder(256);
        private final StringBuilder progressText = new StringBuilder(64);
        private final boolean terminal = System.console() != null;
        private final long wallStartNanos = System.currentTimeMillis() * 1_000_000L;
        private boolean progressShown;
        private long frame;

        Lines(PrintWriter out, PrintWriter err, PcapWriter pcap, boolean quiet, PacketOutput output) {
            this.out = out;
            this.err = err;
            this.pcap = pcap;
            this.quiet = quiet;
            this.output = output;
        }

        @Override
        public void warmUp(ByteBuffer probe, int length) {
            decoder.decode(probe, 0, length, length, FirstLayer.IP, decoded);
            text.setLength(0);
            printer.append(text, decoded);
        }

        @Override
        public void sent(long i, long nanos, ByteBuffer packet, int offset, int length) {
            record(nanos, packet, offset, length);
            if (quiet) {
                return;
            }
            decoder.decode(packet, offset, length, length, FirstLayer.IP, decoded);
            show("SENT", nanos, decoded, -1);
        }

        @Override
        public void received(long i, long nanos, long rttNanos, DecodedPacket reply) {
            record(nanos, reply.buffer(), reply.frameOffset(), reply.capturedLength());
            if (!quiet) {
                show("RCVD", nanos, reply, rttNanos);
            }
        }

        private void show(String what, long nanos, DecodedPacket p, long rttNanos) {
            p.frameNumber(++frame);
            if (output.json()) {
                output.print(p, out);
                return;
            }
            text.setLength(0);
            text.append(what).append(" (");
            Decimal.append(text, nanos / 1e9, 4).append("s) ");
            printer.append(text, p);
            if (rttNanos >= 0) {
                text.append(" rtt=");
                Decimal.append(text, rttNanos / 1e6, 2).append("ms");
            }
            out.println(text);
            output.printDetails(p, out);
            out.flush();
        }

        private void record(long nanos, ByteBuffer b, int offset, int length) {
            if (pcap == null) {
                return;
            }
            try {
                pcap.write(wallStartNanos + nanos, b, offset, length, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void progress(ProbeStatistics s) {
            if (!terminal) {
                return;
            }
            progressText.setLength(0);
            progressText.append('\r').append(s.sent()).append(" sent, ").append(s.received()).append(" received, ");
            Decimal.append(progressText, s.packetsPerSecond(), 0).append(" packets/s ");
            err.print(progressText);
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
