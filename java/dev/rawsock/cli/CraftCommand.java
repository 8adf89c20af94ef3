package dev.rawsock.cli;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.Fragmenter;
import dev.rawsock.craft.KernelRewrites;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.craft.Transport;
import dev.rawsock.probe.ProbeSeries;
import dev.rawsock.socket.Routes;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;

import dev.rawsock.cli.Args.Arg;

import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Builds an IPv4 or IPv6 packet field by field and prints it (nothing is sent; no privileges needed).
 * Its options are declared through picocli's programmatic API ({@link Args}): craft is the command whose
 * start-up is measured, and reading annotations was half of it.
 */
final class CraftCommand implements Callable<Integer> {
    private static final String[] DESCRIPTION = {
        "Build an IPv4/IPv6 TCP, UDP, ICMP or raw packet field by field, and print it.",
        "",
        "Build an IPv4 or IPv6 TCP, UDP, ICMP or raw packet, field by field, and print",
        "it: every field you give is written as given (even when wrong); the rest is",
        "computed (lengths, checksums) or random (id, source port, sequence number;",
        "--seed makes it reproducible). A range given to --dport or --ttl builds one",
        "packet per value. Nothing is sent.",
        "%nIPv6: an IPv6 --dst (or --src) makes the whole packet IPv6: --ttl is the hop",
        "limit, --tos/--dscp/--ecn the traffic class, --flow-label the flow label,",
        "--protocol the next header, and icmp means ICMPv6 (echo request 128 by",
        "default). The IPv4-only options (--id, --df, --mf, --evil, --frag-offset,",
        "--ip-option, --ihl, --ip-checksum, --ip-length, --fragment) are refused.",
    };

    private static final String[] FOOTER = {"%nExamples:",
        "  rawsock craft tcp --dst 127.0.0.1 --dport 8080 --flags S --tcp-option mss=1460,sackok,ts=1:0,nop,wscale=7",
        "  rawsock craft udp --dport 53 --data-string 'hello' --show",
        "  rawsock craft icmp --icmp-type 8 --icmp-seq 3 --hex --labels",
        "  rawsock craft tcp --flags SF --dport 0 --badsum --json --out odd.pcap",
        "  rawsock craft tcp --dst ::1 --dport 8080 --ttl 7 --flow-label 0x12345 --show",
        "  rawsock craft icmp --dst ::1 --icmp-id 7 --icmp-seq 1 --out echo6.pcap",
    };

    private final Args args = new Args();
    private final Arg<Transport> transport = args.positional(0, Transport.class, new TransportConverter(), "PROTO",
            "tcp, udp, icmp or raw.");
    private final PacketOptions packet = new PacketOptions();
    private final PacketOutput output = new PacketOutput();
    private final Arg<Boolean> hex = args.flag("Add a hex dump of each packet (same as --dump).", "--hex");
    private final Arg<Long> seed = args.option(Long.class, "N",
            "Seed for the random defaults (id, source port, sequence number, ICMP id).", "--seed");
    private final Arg<Boolean> noFixLengths = args.flag(
            "Leave automatic length fields (IHL, total length, data offset, UDP length) at 0.", "--no-fix-lengths");
    private final Arg<Boolean> noChecksums = args.flag("Leave automatic checksums at 0.", "--no-checksums");
    private final Arg<Integer> fragmentMtu = args.option(Integer.class, new Converters.U16(), "MTU",
            "Cut the packet into IPv4 fragments that fit this MTU (bytes).", "--fragment");
    private final Arg<Path> pcap = args.option(Path.class, "FILE.pcap",
            "Also write the packet(s) to a pcap file (written whole or not at all).", "--out");
    private CommandSpec spec;

    private CraftCommand() {}

    /** craft's picocli model, built without reading annotations. */
    static CommandLine commandLine() {
        CraftCommand craft = new CraftCommand();
        craft.spec = craft.args.commandSpec(craft, "craft", DESCRIPTION, FOOTER, craft.packet, craft.output);
        return new CommandLine(craft.spec);
    }

    static final class TransportConverter implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String text) {
            try {
                return Transport.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + text + "' is not a protocol: expected tcp, udp, icmp or raw");
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Randomness random = seed.get() != null ? Randomness.seeded(seed.get()) : Randomness.unseeded();
        packet.checkFamily();
        Integer fragmentMtu = this.fragmentMtu.get();
        if (fragmentMtu != null && packet.isIpv6()) {
            throw new UsageException("--fragment is IPv4-only, but the packet is IPv6 (IPv6 fragments need a Fragment extension header)");
        }
        PacketAddress routeSource = null;
        if (packet.source.get() == null) {
            routeSource = routeSourceTo(packet.destinationAddress());
        }
        PacketSpec packetSpec;
        try {
            packetSpec = packet.toSpec(transport.get(), routeSource);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ProbeSeries series = packet.toSeries(packetSpec, random, new EmitOptions(!noFixLengths.get(), !noChecksums.get()), false, false);
        ByteBuffer buffer = ByteBuffer.allocate(series.length());
        List<Bytes> packets = new ArrayList<>();
        for (int i = 0; i < series.sweepLength(); i++) {
            int length = series.write(i, buffer, 0);
            try {
                packets.addAll(fragmentMtu != null ? Fragmenter.fragment(buffer, 0, length, fragmentMtu)
                        : List.of(Bytes.copyOf(buffer, 0, length)));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--fragment: " + e.getMessage());
            }
        }
        series.write(0, buffer, 0);
        output.hexDumpToo(hex.get());
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket decoded = new DecodedPacket();
        long frame = 0;
        for (Bytes p : packets) {
            ByteBuffer b = ByteBuffer.wrap(p.toArray());
            decoder.decode(b, 0, p.length(), p.length(), packetSpec.isIpv6() ? FirstLayer.IPV6 : FirstLayer.IPV4, decoded);
            decoded.frameNumber(++frame);
            output.print(decoded, out);
        }
        output.flush(out);
        if (pcap.get() != null) {
            try (PcapWriter writer = PcapWriter.open(pcap.get(), LinkType.RAW, 65535, false)) {
                long now = System.currentTimeMillis() * 1_000_000L;
                for (Bytes p : packets) {
                    writer.write(now, ByteBuffer.wrap(p.toArray()), 0, p.length(), p.length());
                }
            }
        }
        for (String note : KernelRewrites.notes(packetSpec, buffer, 0)) {
            err.println("note: " + note);
        }
        err.println("seed: " + random.seed() + " (--seed " + random.seed() + " builds the same packet again)");
        err.flush();
        return ExitCodes.OK;
    }

    /** The kernel's route source towards {@code destination}, or null (with 0.0.0.0 / :: then noted) when there is no route. */
    static PacketAddress routeSourceTo(PacketAddress destination) {
        try {
            return destination.sameFamily(Routes.sourceFor(destination.inetAddress()));
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The same through the jnr binding, for a command that loads it anyway (see {@link Routes}). */
    static PacketAddress routeSourceTo(PacketAddress destination, SocketApi api) {
        try {
            return destination.sameFamily(Routes.sourceFor(destination.inetAddress(), api));
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
