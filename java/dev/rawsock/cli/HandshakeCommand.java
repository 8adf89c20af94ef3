package dev.rawsock.cli;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.Randomness;
import dev.rawsock.lab.FrameLink;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.lab.LabTarget;
import dev.rawsock.lab.ServerConnection;
import dev.rawsock.lab.TcpResetException;
import dev.rawsock.lab.TcpSession;
import dev.rawsock.lab.TcpTimeoutException;
import dev.rawsock.print.LinePrinter;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.TcpInfo;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.MacAddress;
import dev.rawsock.wire.PacketDecoder;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code rawsock handshake}: a whole TCP conversation by hand with a real kernel, inside a lab (two
 * private network namespaces joined by a veth pair, see {@link Lab}), every segment printed with its
 * numbers explained.
 */
@Command(name = "handshake", mixinStandardHelpOptions = true,
        description = {
            "Talk TCP by hand with a real kernel in a lab, the sequence arithmetic shown.",
            "",
            "Talk TCP by hand with a real kernel: SYN, SYN-ACK, ACK, then optional data,",
            "the server's answer read and acknowledged in order, and the close (FIN both",
            "ways, or RST). Every segment is printed with its absolute and relative",
            "sequence numbers and the arithmetic behind each ack.",
            "",
            "It runs in a lab that rawsock builds and removes itself: two network",
            "namespaces joined by a veth pair. The crafting side's interface has no IP",
            "address, so its kernel owns no connection and never answers the SYN-ACK",
            "with RST (what the local kernel does to crafted TCP on 127.0.0.1). rawsock",
            "speaks there as 198.18.0.1 through a packet socket; the target side,",
            "198.18.0.2, runs real kernel listeners: echo on port 7, HTTP on port 80.",
            "",
            "HOST:PORT must be 198.18.0.2:PORT (default: 198.18.0.2:80 with a GET, or",
            "198.18.0.2:7 when --data or --data-string is given). Loopback addresses are",
            "refused with the reason: there the kernel owns both ends. Needs root",
            "(namespaces, veth, packet sockets), or exits 3.",
        },
        footer = {"%nExamples:",
            "  rawsock handshake                          GET / from the lab's HTTP server",
            "  rawsock handshake --data-string 'hello\\n'  to the echo service",
            "  rawsock handshake 198.18.0.2:80 --wscale 7 --sack --timestamps --isn 1000",
            "  rawsock handshake --close rst",
            "  rawsock handshake --badsum syn --timeout 500ms   silence from Linux: exit 4",
            "  rawsock handshake --ack-offset 1000   a wrong ACK in SYN-RECV: Linux resets",
            "  rawsock handshake --data-string 'hello\\n' --out-of-order   a gap, filled",
            "%nExit: 0 when the conversation completed, 1 when the server refused or reset",
            "it, 3 without root, 4 when a wait timed out (the message says what was awaited)."})
final class HandshakeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST:PORT",
            description = "198.18.0.2:PORT in the lab (default: 198.18.0.2:80, or :7 with data).")
    String target;

    @ArgGroup(exclusive = true)
    Data data;

    static final class Data {
        @Option(names = "--data", paramLabel = "HEX", converter = Converters.Hex.class, description = "Data to send, in hex.")
        Bytes hex;

        @Option(names = "--data-string", paramLabel = "TEXT", description = "Data to send as text; \\r \\n \\t \\\\ and \\xNN are understood.")
        String text;
    }

    @Option(names = "--close", paramLabel = "fin|rst", defaultValue = "fin",
            description = "How to end: fin (the four-way close) or rst (default: ${DEFAULT-VALUE}).")
    String close;

    @Option(names = "--mss", paramLabel = "N", converter = Converters.U16.class, defaultValue = "1460",
            description = "The MSS we offer (default: ${DEFAULT-VALUE}).")
    int mss;

    @Option(names = "--wscale", paramLabel = "N", description = "Offer window scaling with this shift, 0-14.")
    Integer windowScale;

    @Option(names = "--sack", description = "Offer SACK (sackOK).")
    boolean sack;

    @Option(names = "--timestamps", description = "Offer TCP timestamps (RFC 7323).")
    boolean timestamps;

    @Option(names = "--win", paramLabel = "BYTES", defaultValue = "64240",
            description = "Our receive window in bytes (default: ${DEFAULT-VALUE}); above 65535 needs --wscale.")
    int window;

    @Option(names = "--isn", paramLabel = "N", converter = Converters.U32.class, description = "Our initial sequence number (default: random).")
    Long isn;

    @Option(names = "--sport", paramLabel = "PORT", converter = Converters.Port.class, description = "Our port (default: random ephemeral).")
    Integer sourcePort;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the random ISN, port, IP id and timestamp offset.")
    Long seed;

    @Option(names = "--timeout", paramLabel = "TIME", converter = Converters.DurationConverter.class, defaultValue = "2s",
            description = "The longest any one wait lasts (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--badsum", paramLabel = "syn|ack|data|fin",
            description = "Send a wrong TCP checksum on purpose in that segment, and see how the kernel handles it.")
    String badChecksum;

    @Option(names = "--ack-offset", paramLabel = "N",
            description = "Add N to the ack number of the handshake's ACK (a wrong ACK on purpose).")
    long ackOffset;

    @Option(names = "--out-of-order",
            description = "Send the data in two segments, the second first: the kernel's duplicate ACK for the gap, then one"
                    + " cumulative ACK, and the server reads the bytes in order.")
    boolean outOfOrder;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Write every frame on the lab's wire to a pcap file (Ethernet).")
    Path pcap;

    private static final String DEFAULT_REQUEST = "GET / HTTP/1.0\\r\\n\\r\\n";
    private static final String INDENT = "       ";

    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    private final LinePrinter printer = new LinePrinter();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int port = resolvePort();
        byte[] payload = payload(port);
        TcpSession.BadChecksum bad = badChecksum();
        if (!close.equals("fin") && !close.equals("rst")) {
            throw new UsageException("--close must be fin or rst but was '" + close + "'");
        }
        if (window < 0 || window > 0x3FFF_C000 || (window > 0xFFFF && windowScale == null)) {
            throw new UsageException("--win must be 0-65535, or up to 1073725440 with --wscale, but was " + window);
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new UsageException("--timeout must be above 0 but was " + timeout.toMillis() + " ms");
        }
        if (windowScale != null && (windowScale < 0 || windowScale > 14)) {
            throw new UsageException("--wscale must be 0-14 (RFC 7323 §2.3) but was " + windowScale);
        }
        if (outOfOrder && (payload.length < 2 || payload.length > 2 * Math.min(mss, 1460))) {
            throw new UsageException("--out-of-order sends the data in two segments, so it needs 2-" + 2 * Math.min(mss, 1460)
                    + " bytes of data (--data or --data-string), not " + payload.length);
        }
        if (outOfOrder && bad == TcpSession.BadChecksum.DATA) {
            throw new UsageException("--out-of-order and --badsum data cannot be combined: pick one fault at a time");
        }
        List<String> missing = Lab.missingCapabilities();
        if (!missing.isEmpty()) {
            err.println("rawsock: handshake: this process lacks " + String.join(", ", missing) + " - " + Lab.REMEDY);
            return ExitCodes.NOT_PERMITTED;
        }

        Randomness random = seed != null ? Randomness.seeded(seed) : Randomness.unseeded();
        long ourIsn = isn != null ? isn : random.nextSequence();
        int ourPort = sourcePort != null ? sourcePort : random.nextSourcePort();
        TcpSession.Settings settings = new TcpSession.Settings().remote(Lab.TARGET_ADDRESS, port).localPort(ourPort).isn(ourIsn)
                .windowBytes(window).mss(mss).windowScale(windowScale != null ? windowScale : -1).sack(sack).timestamps(timestamps)
                .timestampOffset(random.nextSequence()).ipIdentification(random.nextIdentification()).timeout(timeout)
                .quiet(Duration.ofMillis(Math.min(250, timeout.toMillis()))).badChecksum(bad).ackOffset(ackOffset);

        PcapWriter writer = pcap != null ? PcapWriter.open(pcap, LinkType.ETHERNET, 65535, true) : null;
        int code;
        try (Lab lab = Lab.create()) {
            describeLab(out, lab);
            LabTarget server = LabTarget.start(lab);
            FrameLink link = FrameLink.open(lab, SocketApi.create());
            if (writer != null) {
                link.observer((sent, nanos, frame, offset, length) -> {
                    try {
                        writer.write(nanos, frame, offset, length);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            out.printf(Locale.ROOT, "%nhandshake %s:%d > %s:%d (our ISN %d, seed %d)%n", Ipv4Address.text(Lab.CRAFTING_ADDRESS), ourPort,
                    Ipv4Address.text(Lab.TARGET_ADDRESS), port, ourIsn, random.seed());
            out.flush();
            TcpSession session = new TcpSession(link, settings, new Printer(out));
            code = converse(session, payload, out, err);
            serverView(out, lab, server, session, ourPort, port);
            if (session.received().length > 0) {
                out.println();
                out.println("the server's bytes, in order (" + session.received().length + "):");
                for (String line : escapedLines(session.received())) {
                    out.println("  " + line);
                }
            }
            out.flush();
        } catch (LabException | RuntimeException | Error e) {
            if (writer != null) {
                writer.abort();
            }
            throw e;
        }
        if (writer != null) {
            writer.close();
            out.println("wrote " + writer.records() + " frames to " + pcap);
        }
        out.println("lab removed (namespaces deleted, and the veth pair with them)");
        out.flush();
        return code;
    }

    private int converse(TcpSession session, byte[] payload, PrintWriter out, PrintWriter err) throws Exception {
        try {
            session.connect();
            if (payload.length > 0 && outOfOrder) {
                session.sendOutOfOrder(payload);
                session.awaitResponse();
            } else if (payload.length > 0) {
                session.send(payload);
                session.awaitResponse();
            }
            if (close.equals("rst")) {
                session.reset();
            } else {
                session.closeWithFin();
            }
            return ExitCodes.OK;
        } catch (TcpTimeoutException e) {
            out.flush();
            err.println("rawsock: handshake: timeout: " + e.getMessage());
            err.flush();
            return ExitCodes.NO_REPLY;
        } catch (TcpResetException e) {
            out.flush();
            err.println("rawsock: handshake: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
    }

    /** Prints each segment as nping does (SENT/RCVD, time, one line), then the notes that explain its numbers. */
    private final class Printer implements TcpSession.Listener {
        private final PrintWriter out;

        Printer(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void segment(TcpSession.Segment s) {
            ByteBuffer frame = ByteBuffer.wrap(s.frame());
            decoder.decode(frame, 0, s.frame().length, s.frame().length, FirstLayer.ETHERNET, decoded);
            out.printf(Locale.ROOT, "%s (%.4fs) %s%n", s.direction() == TcpSession.Direction.SENT ? "SENT" : "RCVD",
                    s.elapsedNanos() / 1e9, printer.line(decoded));
            for (String note : s.notes()) {
                out.println(INDENT + note);
            }
            if (s.payloadLength() > 0) {
                byte[] data = new byte[s.payloadLength()];
                System.arraycopy(s.frame(), s.frame().length - s.payloadLength(), data, 0, data.length);
                out.println(INDENT + "data: \"" + abbreviate(escape(data), 72) + "\"");
            }
            out.flush();
        }

        @Override
        public void note(String text) {
            out.println("-- " + text);
            out.flush();
        }
    }

    private void describeLab(PrintWriter out, Lab lab) {
        if (!lab.removedStale().isEmpty()) {
            out.println("removed stale lab namespaces of processes that are gone: " + String.join(", ", lab.removedStale()));
        }
        out.println("lab " + lab.name() + ": two network namespaces joined by a veth pair");
        out.printf(Locale.ROOT, "  %-22s %-12s %s  no IP address: its kernel owns no connection, so it sends no RST;%n",
                lab.craftingNamespace(), Lab.CRAFTING_INTERFACE, MacAddress.text(Lab.CRAFTING_MAC));
        out.printf(Locale.ROOT, "  %-22s %-12s %s  rawsock sends and reads whole frames there as %s (packet socket)%n", "", "", "                 ",
                Ipv4Address.text(Lab.CRAFTING_ADDRESS));
        out.printf(Locale.ROOT, "  %-22s %-12s %s  %s/%d, tx checksum offload %s, neighbour %s = %s (permanent: no ARP)%n",
                lab.targetNamespace(), Lab.TARGET_INTERFACE, MacAddress.text(Lab.TARGET_MAC), Ipv4Address.text(Lab.TARGET_ADDRESS),
                Lab.PREFIX_LENGTH, lab.transmitChecksumOffloadOff() ? "off" : "on (unfinished checksums are recognised)",
                Ipv4Address.text(Lab.CRAFTING_ADDRESS), MacAddress.text(Lab.CRAFTING_MAC));
        out.printf(Locale.ROOT, "  target: echo on %s:%d, HTTP on %s:%d (kernel TCP sockets through rawsock's SocketApi)%n",
                Ipv4Address.text(Lab.TARGET_ADDRESS), LabTarget.ECHO_PORT, Ipv4Address.text(Lab.TARGET_ADDRESS), LabTarget.HTTP_PORT);
        CommandSpec parent = spec.parent();
        boolean verbose = parent != null && parent.userObject() instanceof Main m && m.verbose;
        if (verbose) {
            for (String line : lab.setupLog()) {
                out.println("  set-up: " + line);
            }
        }
        out.flush();
    }

    private void serverView(PrintWriter out, Lab lab, LabTarget server, TcpSession session, int ourPort, int port) {
        if (!session.established()) {
            return;
        }
        ServerConnection c;
        try {
            c = server.awaitConnection(Lab.CRAFTING_ADDRESS, ourPort, port, Duration.ofMillis(Math.min(500, timeout.toMillis())));
            if (c != null) {
                c.awaitFinished(Duration.ofMillis(Math.min(500, timeout.toMillis())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.println();
        out.println("the server's side (kernel sockets in " + lab.targetNamespace() + "):");
        if (c == null) {
            out.println("  no connection was accepted: the handshake never completed for the server");
            out.flush();
            return;
        }
        String tuple = c.peer().getAddress().getHostAddress() + ":" + c.peer().getPort() + " > "
                + c.local().getAddress().getHostAddress() + ":" + c.local().getPort();
        boolean ours = c.peer().getPort() == ourPort && c.local().getPort() == port;
        out.println("  accept() gave " + tuple + (ours ? ": exactly our 4-tuple" : ""));
        for (String call : c.calls()) {
            out.println("    " + call);
        }
        out.println("  read " + c.received().length + " bytes, wrote " + c.written().length + " bytes; "
                + (c.finished() ? c.ending() : "its program is still waiting to read"));
        try {
            TcpInfo info = c.tcpInfo();
            if (info != null) {
                String state = info.stateName();
                out.println("  TCP_INFO of its accepted socket: " + state + explainState(state, session));
            }
        } catch (Exception e) {
            out.println("  TCP_INFO: " + e.getMessage());
        }
        try {
            String suffix = Ipv4Address.text(Lab.CRAFTING_ADDRESS) + ":" + ourPort;
            for (String line : lab.targetTcpSockets()) {
                if (line.endsWith(suffix)) {
                    out.println("  ss -tan in " + lab.targetNamespace() + ": " + line.replaceAll("\\s+", " "));
                }
            }
        } catch (LabException e) {
            out.println("  ss: " + e.getMessage());
        }
        out.flush();
    }

    private String explainState(String state, TcpSession session) {
        switch (state) {
            case "TCP_CLOSE":
                if (close.equals("rst")) {
                    return " (our RST closed it at once: no TIME_WAIT)";
                }
                return session.weClosedFirst()
                        ? " (it closed second: its FIN was acknowledged in LAST_ACK, and the connection is gone, with no TIME_WAIT on this side)"
                        : " (it closed first: when our FIN arrived in FIN_WAIT2, Linux moved the connection to a small TIME_WAIT socket,"
                                + " which ss shows below, and marked the full socket CLOSED)";
            case "TCP_TIME_WAIT":
                return " (it closed first)";
            case "TCP_CLOSE_WAIT":
                return " (our FIN arrived; its program has not closed yet)";
            case "TCP_LAST_ACK":
                return " (it sent its FIN and waits for our ACK)";
            case "TCP_FIN_WAIT2":
                return " (its FIN was acknowledged; it waits for ours)";
            default:
                return "";
        }
    }

    private int resolvePort() {
        if (target == null) {
            return data != null ? LabTarget.ECHO_PORT : LabTarget.HTTP_PORT;
        }
        int colon = target.lastIndexOf(':');
        if (colon <= 0 || colon == target.length() - 1) {
            throw new UsageException("HOST:PORT expected, e.g. 198.18.0.2:80, but was '" + target + "'");
        }
        int address;
        try {
            address = Ipv4Address.parse(target.substring(0, colon));
        } catch (IllegalArgumentException e) {
            throw new UsageException("'" + target.substring(0, colon) + "' is not an IPv4 address (HOST:PORT, e.g. 198.18.0.2:80)");
        }
        int port = new Converters.Port().convert(target.substring(colon + 1));
        if ((address >>> 24) == 127) {
            throw new UsageException(Ipv4Address.text(address) + ":" + port + " is on loopback, where the local kernel owns both ends:"
                    + " it would answer the server's SYN-ACK to our crafted SYN with a RST, because no socket of its own asked for that"
                    + " connection. rawsock therefore crafts TCP from an address no kernel owns, inside its lab: run 'rawsock handshake'"
                    + " for the lab's own servers (echo on 198.18.0.2:7, HTTP on 198.18.0.2:80), or 'rawsock handshake 198.18.0.2:PORT'");
        }
        if (address != Lab.TARGET_ADDRESS) {
            boolean inRange = (address & 0xFFFE_0000) == 0xC612_0000;
            throw new UsageException(Ipv4Address.text(address) + " is not in the lab: " + (inRange
                    ? "the lab has only 198.18.0.1 (rawsock) and 198.18.0.2 (the target)"
                    : "rawsock handshake talks only to the target in its own lab, 198.18.0.2 (198.18.0.0/15 is set aside for testing)")
                    + "; use 198.18.0.2:PORT");
        }
        return port;
    }

    private byte[] payload(int port) {
        if (data != null && data.hex != null) {
            return data.hex.toArray();
        }
        if (data != null && data.text != null) {
            return PacketOptions.unescape(data.text);
        }
        return port == LabTarget.HTTP_PORT ? PacketOptions.unescape(DEFAULT_REQUEST) : new byte[0];
    }

    private TcpSession.BadChecksum badChecksum() {
        if (badChecksum == null) {
            return TcpSession.BadChecksum.NONE;
        }
        try {
            return TcpSession.BadChecksum.valueOf(badChecksum.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--badsum must be syn, ack, data or fin but was '" + badChecksum + "'");
        }
    }

    static String escape(byte[] data) {
        StringBuilder text = new StringBuilder(data.length + 16);
        for (byte b : data) {
            int c = b & 0xFF;
            switch (c) {
                case '\r': text.append("\\r"); break;
                case '\n': text.append("\\n"); break;
                case '\t': text.append("\\t"); break;
                case '\\': text.append("\\\\"); break;
                case '"': text.append("\\\""); break;
                default:
                    if (c >= 0x20 && c < 0x7F) {
                        text.append((char) c);
                    } else {
                        text.append(String.format(Locale.ROOT, "\\x%02x", c));
                    }
            }
        }
        return text.toString();
    }

    /** The bytes as escaped text, one output line per line of the data (each ending in its \n). */
    static List<String> escapedLines(byte[] data) {
        String all = new String(data, StandardCharsets.ISO_8859_1);
        List<String> lines = new java.util.ArrayList<>();
        int start = 0;
        while (start < all.length()) {
            int end = all.indexOf('\n', start);
            end = end < 0 ? all.length() : end + 1;
            lines.add(escape(all.substring(start, end).getBytes(StandardCharsets.ISO_8859_1)));
            start = end;
        }
        return lines;
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }
}
