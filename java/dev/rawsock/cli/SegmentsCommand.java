package dev.rawsock.cli;

import dev.rawsock.lab.Lab;
import dev.rawsock.lab.Segments;
import dev.rawsock.print.LinePrinter;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code rawsock segments}: one write() of N bytes, and the TCP segments in IP packets it became on the wire. */
@Command(name = "segments", mixinStandardHelpOptions = true,
        description = {
            "One write() of N bytes and the TCP segments it became.",
            "",
            "A byte stream cut into segments carried in IP packets, live. A kernel TCP",
            "client and server (both through rawsock's socket API) talk inside a lab:",
            "the client on 198.18.0.1 in one network namespace, the server (discard,",
            "port 9) on 198.18.0.2 in another, joined by a veth pair. The client sets",
            "its MSS with setsockopt(TCP_MAXSEG) before connect(), then makes one",
            "write() of N bytes. A packet socket on the receiving side's veth captures",
            "every frame, and each client segment is shown inside its IP packet:",
            "IP header 20 bytes + TCP header 20 bytes and options + data bytes, with",
            "the stream bytes it carries and a running total. The totals must add up",
            "to N, and to what the server read.",
            "",
            "Segmentation offload is off on both veth ends (tx checksum offload off,",
            "which takes TSO with it), so every frame is one real segment. Needs root",
            "(namespaces, veth, packet sockets), or exits 3.",
        },
        footer = {"%nExamples:",
            "  rawsock segments                       10000 bytes, MSS 1000",
            "  rawsock segments --bytes 100000 --mss 536",
            "  rawsock segments --bytes 1 --all       one byte; the server's segments too",
            "%nExit: 0 when the segments' data adds up to the bytes written and read, 1",
            "when it does not, 3 without root."})
final class SegmentsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bytes", paramLabel = "N", defaultValue = "10000",
            description = "Bytes in the one write(), 0-1048576 (default: ${DEFAULT-VALUE}).")
    int bytes;

    @Option(names = "--mss", paramLabel = "N", defaultValue = "1000",
            description = "The MSS set with TCP_MAXSEG before connect, 88-32767; at most 1460 counts on the"
                    + " lab's 1500-byte link (default: ${DEFAULT-VALUE}).")
    int mss;

    @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class, defaultValue = "9",
            description = "The server's port (default: ${DEFAULT-VALUE}, discard).")
    int port;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Converters.DurationConverter.class, defaultValue = "10s",
            description = "The longest the whole transfer may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--all", description = "List the server's segments (SYN-ACK, ACKs, FIN) too.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Print only the totals, not one row per segment.")
    boolean quiet;

    private static final Pattern OPTIONS = Pattern.compile("<[^>]*>");

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (bytes < 0 || bytes > Segments.MAX_BYTES) {
            throw new UsageException("--bytes must be 0-" + Segments.MAX_BYTES + " but was " + bytes);
        }
        if (mss < Segments.MIN_MSS || mss > Segments.MAX_MSS) {
            throw new UsageException("--mss must be " + Segments.MIN_MSS + "-" + Segments.MAX_MSS + " (TCP_MAXSEG, tcp(7)) but was " + mss);
        }
        if (port == 0) {
            throw new UsageException("--port must be 1-65535 but was 0");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be above 0 but was " + timeout.toMillis() + " ms");
        }
        List<String> missing = Lab.missingCapabilities();
        if (!missing.isEmpty()) {
            err.println("rawsock: segments: this process lacks " + String.join(", ", missing) + " - " + Lab.REMEDY);
            return ExitCodes.NOT_PERMITTED;
        }
        Segments.Result r;
        try (Lab lab = Lab.create(Lab.Topology.directWithAddresses())) {
            out.printf(Locale.ROOT, "rawsock segments: one write() of %d bytes with MSS %d (TCP_MAXSEG), kernel TCP on both ends%n", bytes, mss);
            out.println("lab " + lab.name() + ": two network namespaces joined by a veth pair, offloads off on both ends"
                    + (lab.transmitChecksumOffloadOff() ? "" : " (the ethtool ioctl failed: frames may be merged)"));
            List<String> map = lab.describe();
            out.println("  " + map.get(0) + "   the client's socket");
            out.println("  " + map.get(1) + "   the server's socket (port " + port + ") and the capture");
            out.println();
            out.println("the client's calls, in " + lab.craftingNamespace() + ":");
            out.flush();
            r = Segments.run(lab, new Segments.Settings(bytes, mss, port, timeout), line -> {
                out.println("  " + line);
                out.flush();
            });
            print(out, r);
        }
        out.println("lab removed (namespaces deleted, and the veth pair with them)");
        out.flush();
        boolean adds = r.dataTotal() == bytes && r.written() == bytes && r.serverRead().length == bytes
                && java.util.Arrays.equals(r.captured(), r.serverRead());
        if (!adds) {
            err.println("rawsock: segments: the totals do not add up (written " + r.written() + ", on the wire " + r.dataTotal()
                    + ", read " + r.serverRead().length + (r.sawClientFin() ? "" : "; the capture never saw the client's FIN") + ")");
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, Segments.Result r) {
        out.println();
        out.println("what crossed the wire, captured on " + r.captureInterface() + " in " + r.captureNamespace()
                + " (the receiving side), " + (all ? "both ways" : "client to server") + ":");
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket decoded = new DecodedPacket();
        LinePrinter printer = new LinePrinter();
        int serverSegments = 0;
        if (!quiet) {
            out.println(strip(String.format(Locale.ROOT, "  %4s %-4s %-5s %9s   %6s   %-13s   %6s   %-15s %13s",
                    "#", "from", "flags", "IP packet", "IP hdr", "TCP hdr (opt)", "data", "stream bytes", "running total")));
        }
        for (Segments.Segment s : r.segments()) {
            boolean client = s.sender() == Segments.Sender.CLIENT;
            if (!client) {
                serverSegments++;
            }
            if (quiet || (!client && !all)) {
                continue;
            }
            String range = "";
            String total = "";
            String note = "";
            if (s.dataBytes() > 0) {
                range = s.relativeSequence() + "-" + (s.relativeSequence() + s.dataBytes() - 1);
                total = s.retransmission() ? "(retransmission, not counted)" : Long.toString(s.runningTotal());
                if (s.outOfOrder()) {
                    note = "(arrived out of order)";
                }
            }
            if ((s.flags() & TcpFlags.SYN) != 0 || s.optionBytes() > 12) {
                decoder.decode(ByteBuffer.wrap(s.frame()), 0, s.frame().length, s.frame().length, FirstLayer.ETHERNET, decoded);
                Matcher m = OPTIONS.matcher(printer.line(decoded));
                note = m.find() ? m.group() : "";
            }
            out.println(strip(String.format(Locale.ROOT, "  %4d %-4s %-5s %9d = %6d + %-13s + %6d   %-15s %13s  %s", s.frameNumber(),
                    client ? "c>s" : "s>c", TcpFlags.letters(s.flags()), s.ipPacketBytes(), s.ipHeaderBytes(),
                    String.format(Locale.ROOT, "%6d (%d)", s.tcpHeaderBytes(), s.optionBytes()), s.dataBytes(), range, total, note)));
        }
        if (!quiet && !all && serverSegments > 0) {
            out.println("  (" + serverSegments + (serverSegments == 1 ? " segment" : " segments")
                    + " from the server, its SYN-ACK and ACKs, not listed: --all lists them)");
        }
        List<Segments.Segment> data = r.dataSegments();
        long fresh = data.size() - r.retransmissions();
        int full = r.fullSegmentBytes();
        out.println();
        out.printf(Locale.ROOT, "totals: %s written in %s = %s of data in %d segment%s on the wire = %s read by the server%n",
                bytes(r.written()), r.writeCalls() == 1 ? "one write()" : r.writeCalls() + " write() calls", bytes(r.dataTotal()), fresh,
                fresh == 1 ? "" : "s", bytes(r.serverRead().length));
        if (full > 0) {
            int options = mssOptions(r, full);
            out.printf(Locale.ROOT, "  each full segment carries %d data bytes: the MSS %d less %d bytes of TCP options in every segment"
                    + " (TCP_INFO tcpi_snd_mss = %d)%n", full, Math.min(r.settings().mss(), 1460), options, full);
            if (r.settings().bytes() > 0) {
                out.printf(Locale.ROOT, "  ceil(%d / %d) = %d expected, %d seen%n", r.settings().bytes(), full,
                        (r.settings().bytes() + full - 1) / full, fresh);
            }
            out.printf(Locale.ROOT, "  every IP packet: IP header 20 + TCP header %d + data up to %d = at most %d bytes%n",
                    20 + options, full, 40 + options + full);
        }
        if (r.settings().mss() > 1460) {
            out.println("  (the MSS asked for is above what the lab's 1500-byte link carries: 1500 - 20 - 20 = 1460 is the most)");
        }
        long late = r.dataSegments().stream().filter(Segments.Segment::outOfOrder).count();
        if (late > 0) {
            out.println("  " + late + " segments arrived after later ones (the sender's thread moved between CPUs, whose queues"
                    + " the veth feeds separately); TCP put them back in order, and so does the count");
        }
        if (r.retransmissions() > 0) {
            out.println("  " + r.retransmissions() + " retransmitted segments were seen; their bytes are counted once");
        }
        if (r.largerThanMss() > 0) {
            out.println("  " + r.largerThanMss() + " frames carry more than one full segment: offload merged segments before the capture");
        }
        out.println(java.util.Arrays.equals(r.captured(), r.serverRead())
                ? "  the captured data, put in order by sequence number, is byte for byte what the server read"
                : "  the captured data differs from what the server read");
        if (r.captureDrops() > 0) {
            out.println("  the capture lost " + r.captureDrops() + " frames");
        }
        out.flush();
    }

    private static String bytes(long n) {
        return n + (n == 1 ? " byte" : " bytes");
    }

    /** The line without the spaces padding its last columns. */
    private static String strip(String line) {
        return line.stripTrailing();
    }

    /** The option bytes every data segment carries (the MSS in use is the MSS set, less these). */
    private static int mssOptions(Segments.Result r, int full) {
        for (Segments.Segment s : r.dataSegments()) {
            return s.optionBytes();
        }
        return Math.max(0, Math.min(r.settings().mss(), 1460) - full);
    }
}
