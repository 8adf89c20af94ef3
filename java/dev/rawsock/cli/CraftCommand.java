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
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.PacketDecoder;

import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Builds an IPv4 or IPv6 packet field by field and prints it (nothing is sent; no privileges needed). */
@Command(name = "craft", mixinStandardHelpOptions = true,
        description = {
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
        },
        footer = {"%nExamples:",
            "  rawsock craft tcp --dst 127.0.0.1 --dport 8080 --flags S --tcp-option mss=1460,sackok,ts=1:0,nop,wscale=7",
            "  rawsock craft udp --dport 53 --data-string 'hello' --show",
            "  rawsock craft icmp --icmp-type 8 --icmp-seq 3 --hex --labels",
            "  rawsock craft tcp --flags SF --dport 0 --badsum --json --out odd.pcap",
            "  rawsock craft tcp --dst ::1 --dport 8080 --ttl 7 --flow-label 0x12345 --show",
            "  rawsock craft icmp --dst ::1 --icmp-id 7 --icmp-seq 1 --out echo6.pcap"})
final class CraftCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROTO", converter = TransportConverter.class,
            description = "tcp, udp, icmp or raw.")
    Transport transport;

    @Mixin
    PacketOptions packet;

    @Mixin
    PacketOutput output;

    @Option(names = "--hex", description = "Add a hex dump of each packet (same as --dump).")
    boolean hex;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the random defaults (id, source port, sequence number, ICMP id).")
    Long seed;

    @Option(names = "--no-fix-lengths", description = "Leave automatic length fields (IHL, total length, data offset, UDP length) at 0.")
    boolean noFixLengths;

    @Option(names = "--no-checksums", description = "Leave automatic checksums at 0.")
    boolean noChecksums;

    @Option(names = "--fragment", paramLabel = "MTU", converter = Converters.U16.class,
            description = "Cut the packet into IPv4 fragments that fit this MTU (bytes).")
    Integer fragmentMtu;

    @Option(names = "--out", paramLabel = "FILE.pcap", description = "Also write the packet(s) to a pcap file (written whole or not at all).")
    Path pcap;

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
        Randomness random = seed != null ? Randomness.seeded(seed) : Randomness.unseeded();
        packet.checkFamily();
        if (fragmentMtu != null && packet.isIpv6()) {
            throw new UsageException("--fragment is IPv4-only, but the packet is IPv6 (IPv6 fragments need a Fragment extension header)");
        }
        PacketAddress routeSource = null;
        if (packet.source == null) {
            routeSource = routeSourceTo(packet.destinationAddress());
        }
        PacketSpec packetSpec;
        try {
            packetSpec = packet.toSpec(transport, routeSource);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ProbeSeries series = packet.toSeries(packetSpec, random, new EmitOptions(!noFixLengths, !noChecksums), false, false);
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
        output.hexDump |= hex;
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
        if (pcap != null) {
            try (PcapWriter writer = PcapWriter.open(pcap, LinkType.RAW, 65535, false)) {
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
}
