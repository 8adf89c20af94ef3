package dev.rawsock.cli;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Transport;
import dev.rawsock.wire.Bytes;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every field of an IPv4 or IPv6 packet and its TCP/UDP/ICMP header as long options, in the vocabulary
 * hping3 and nping users know. Shared by {@code craft} and {@code send}. Parsing happens here, at the
 * edge: each value is range-checked by its converter, and the result is a {@link PacketSpec}.
 *
 * <p>The family follows the addresses: an IPv6 --dst (or --src) makes the packet IPv6, where --ttl is the
 * hop limit, --tos/--dscp/--ecn the traffic class, --flow-label the flow label, --protocol the next header,
 * and icmp means ICMPv6. Mixing families, an IPv4-only option with IPv6, or --flow-label with IPv4 is a
 * usage error naming the option ({@link #checkFamily}).
 */
final class PacketOptions {
    // ---- IPv4 / IPv6 ----
    @Option(names = "--src", paramLabel = "IP", converter = Converters.PacketAddressConverter.class,
            description = "Source address, IPv4 or IPv6 (default: the address the kernel would route from to --dst).")
    PacketAddress source;

    @Option(names = "--dst", paramLabel = "IP", converter = Converters.PacketAddressConverter.class,
            description = "Destination address, IPv4 or IPv6 such as ::1 (default: 127.0.0.1, or ::1 with an IPv6 --src).")
    PacketAddress destination;

    @Option(names = "--ttl", paramLabel = "N[-M]", converter = Converters.TtlRange.class,
            description = "Time to live (IPv6: hop limit), 0-255 (default: 64); a range such as 1-5 gives each probe the next value.")
    dev.rawsock.probe.IntRange ttl;

    @Option(names = "--tos", paramLabel = "N", converter = Converters.U8.class,
            description = "Type-of-service byte (IPv6: traffic class), 0-255 (DSCP<<2 | ECN).")
    Integer tos;

    @Option(names = "--dscp", paramLabel = "N", converter = Converters.Dscp.class, description = "DSCP, 0-63.")
    Integer dscp;

    @Option(names = "--ecn", paramLabel = "N", converter = Converters.Ecn.class, description = "ECN, 0-3.")
    Integer ecn;

    @Option(names = "--flow-label", paramLabel = "N", converter = Converters.FlowLabel.class,
            description = "IPv6 flow label, 0-0xFFFFF (default: 0).")
    Integer flowLabel;

    // ---- IPv4 only ----
    @Option(names = "--id", paramLabel = "N", converter = Converters.U16.class, description = "IP identification, 0-65535 (default: random).")
    Integer identification;

    @Option(names = "--df", description = "Set Don't Fragment.")
    boolean dontFragment;

    @Option(names = "--mf", description = "Set More Fragments.")
    boolean moreFragments;

    @Option(names = "--evil", description = "Set the reserved IP flag (RFC 3514's evil bit).")
    boolean flagReserved;

    @Option(names = "--frag-offset", paramLabel = "UNITS", converter = Converters.FragmentOffset.class,
            description = "Fragment offset in 8-byte units, 0-8191.")
    Integer fragmentOffset;

    @Option(names = "--ip-option", paramLabel = "OPT", converter = Converters.IpOptionConverter.class,
            description = "An IPv4 option (repeatable): nop, eol, rr=SLOTS, ts=SLOTS, lsrr=IP[,IP...], ssrr=IP[,IP...], ra=V, raw=TYPE:HEX.")
    List<byte[]> ipOptions = new ArrayList<>();

    @Option(names = "--ihl", paramLabel = "WORDS", converter = Converters.Nibble.class,
            description = "IP header length in 32-bit words, 0-15 (default: computed).")
    Integer ihl;

    @Option(names = "--ip-length", paramLabel = "BYTES", converter = Converters.U16.class,
            description = "IP total length, 0-65535 (default: computed).")
    Integer totalLength;

    @Option(names = "--ip-checksum", paramLabel = "N", converter = Converters.U16.class,
            description = "IP header checksum, 0-65535 (default: computed).")
    Integer ipChecksum;

    @Option(names = "--protocol", paramLabel = "N", converter = Converters.U8.class,
            description = "IP protocol number (IPv6: next header), 0-255 (default: 6, 17, 1 (IPv6: 58), or 255 for raw).")
    Integer protocol;

    // ---- TCP / UDP ----
    @Option(names = "--sport", paramLabel = "PORT", converter = Converters.Port.class, description = "Source port, 0-65535 (default: random ephemeral).")
    Integer sourcePort;

    @Option(names = {"--dport", "-p"}, paramLabel = "PORT[-PORT]", converter = Converters.PortRange.class,
            description = "Destination port, 0-65535 (default: 0); a range such as 8080-8090 gives each probe the next port.")
    dev.rawsock.probe.IntRange destinationPort;

    @Option(names = "--flags", paramLabel = "FLAGS", converter = Converters.TcpFlagsConverter.class,
            description = "TCP flags: syn,ack | SA | 0x12 (default: S). Letters: F S R P A U E C N.")
    Integer flags;

    @Option(names = "--seq", paramLabel = "N", converter = Converters.U32.class, description = "Sequence number (default: random).")
    Long sequence;

    @Option(names = "--ack", paramLabel = "N", converter = Converters.U32.class, description = "Acknowledgement number (default: 0).")
    Long acknowledgment;

    @Option(names = "--win", paramLabel = "N", converter = Converters.U16.class, description = "Window, 0-65535 (default: 64240).")
    Integer window;

    @Option(names = "--urg", paramLabel = "N", converter = Converters.U16.class, description = "Urgent pointer, 0-65535.")
    Integer urgentPointer;

    @Option(names = "--tcp-reserved", paramLabel = "BITS", converter = Converters.ThreeBits.class, description = "The 3 reserved TCP bits, 0-7.")
    Integer tcpReserved;

    @Option(names = "--tcp-option", paramLabel = "OPTS", converter = Converters.TcpOptionsConverter.class,
            description = "TCP options in order: mss=1460,wscale=7,sackok,ts=TSVAL:TSECR,sack=L-R[/L-R],nop,eol,raw=KIND:HEX.")
    Bytes tcpOptions;

    @Option(names = "--data-offset", paramLabel = "WORDS", converter = Converters.Nibble.class,
            description = "TCP data offset in 32-bit words, 0-15 (default: computed).")
    Integer dataOffset;

    @Option(names = "--udp-length", paramLabel = "BYTES", converter = Converters.U16.class, description = "UDP length (default: computed).")
    Integer udpLength;

    // ---- ICMP ----
    @Option(names = "--icmp-type", paramLabel = "N", converter = Converters.U8.class,
            description = "ICMP type, 0-255 (default: 8, echo request; ICMPv6: 128).")
    Integer icmpType;

    @Option(names = "--icmp-code", paramLabel = "N", converter = Converters.U8.class, description = "ICMP code, 0-255 (default: 0).")
    Integer icmpCode;

    @Option(names = "--icmp-id", paramLabel = "N", converter = Converters.U16.class, description = "ICMP echo identifier (default: random).")
    Integer icmpId;

    @Option(names = "--icmp-seq", paramLabel = "N", converter = Converters.U16.class, description = "ICMP echo sequence (default: 1).")
    Integer icmpSequence;

    // ---- checksums ----
    @Option(names = "--checksum", paramLabel = "N", converter = Converters.U16.class,
            description = "TCP/UDP/ICMP checksum, 0-65535 (default: computed).")
    Integer checksum;

    @Option(names = "--badsum", description = "Send a wrong TCP/UDP/ICMP checksum on purpose.")
    boolean badSum;

    // ---- data ----
    @ArgGroup(exclusive = true)
    Data data;

    static final class Data {
        @Option(names = "--data", paramLabel = "HEX", converter = Converters.Hex.class, description = "Payload bytes in hex.")
        Bytes hex;

        @Option(names = "--data-string", paramLabel = "TEXT", description = "Payload text; \\r \\n \\t \\\\ and \\xNN are understood.")
        String text;

        @Option(names = "--data-length", paramLabel = "BYTES", converter = Converters.U16.class, description = "Payload of this many zero bytes.")
        Integer length;

        @Option(names = "--data-file", paramLabel = "FILE", description = "Payload read from a file.")
        Path file;
    }

    /** The probes these options describe: the spec, with the swept fields and what is explicit. */
    dev.rawsock.probe.ProbeSeries toSeries(PacketSpec spec, dev.rawsock.craft.Randomness random,
                                           dev.rawsock.craft.EmitOptions emit, boolean sourcePortIncrement,
                                           boolean sequenceIncrement) {
        try {
            return new dev.rawsock.probe.ProbeSeries(spec, random, emit,
                    destinationPort != null && destinationPort.size() > 1 ? destinationPort : null,
                    ttl != null && ttl.size() > 1 ? ttl : null, sourcePortIncrement, sequenceIncrement,
                    ipChecksum != null, checksum != null, badSum);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** True when the packet is IPv6: the family of --dst, or of --src when no --dst is given. */
    boolean isIpv6() {
        return destination != null ? destination.isIpv6() : source != null && source.isIpv6();
    }

    /** --dst, or the loopback address of the packet's family. */
    PacketAddress destinationAddress() {
        return destination != null ? destination : isIpv6() ? PacketAddress.IPV6_LOOPBACK : PacketAddress.IPV4_LOOPBACK;
    }

    /**
     * Usage errors of the family: --src and --dst of different families; an IPv4-only option with an IPv6
     * packet; --flow-label with an IPv4 one. Each names the option.
     */
    void checkFamily() {
        if (source != null && destination != null && source.isIpv6() != destination.isIpv6()) {
            throw new UsageException("--src " + source.text() + " is " + source.family() + " but --dst " + destination.text()
                    + " is " + destination.family() + ": give both as IPv4 or both as IPv6");
        }
        if (!isIpv6()) {
            if (flowLabel != null) {
                throw new UsageException("--flow-label is IPv6-only: give an IPv6 --dst (e.g. --dst ::1)");
            }
            return;
        }
        String ipv4Only = identification != null ? "--id" : dontFragment ? "--df" : moreFragments ? "--mf"
                : flagReserved ? "--evil" : fragmentOffset != null ? "--frag-offset" : !ipOptions.isEmpty() ? "--ip-option"
                : ihl != null ? "--ihl" : ipChecksum != null ? "--ip-checksum" : totalLength != null ? "--ip-length" : null;
        if (ipv4Only != null) {
            throw new UsageException(ipv4Only + " is IPv4-only, but the packet is IPv6 (--" + (destination != null ? "dst " : "src ")
                    + (destination != null ? destination : source).text() + ")");
        }
    }

    /** The spec these options describe; {@code routeSource} is used when --src is not given. */
    PacketSpec toSpec(Transport transport, PacketAddress routeSource) throws IOException {
        checkFamily();
        PacketSpec s = PacketSpec.of(transport);
        PacketAddress src = source != null ? source : routeSource;
        PacketAddress dst = destinationAddress();
        if (dst.isIpv6()) {
            s.ipv6Destination(dst.ipv6()).ipv6Source(src != null ? src.ipv6() : null);
            if (flowLabel != null) {
                s.flowLabel(flowLabel);
            }
        } else {
            s.source(src != null ? src.ipv4() : null).destination(dst.ipv4());
        }
        given(tos, s::tos);
        given(dscp, s::dscp);
        given(ecn, s::ecn);
        given(ttl, r -> s.ttl(r.first()));
        s.identification(identification).dontFragment(dontFragment).moreFragments(moreFragments).flagReserved(flagReserved);
        given(fragmentOffset, s::fragmentOffset);
        if (!ipOptions.isEmpty()) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ipOptions.forEach(all::writeBytes);
            if (all.size() > 40) {
                throw new UsageException("--ip-option: the options take " + all.size() + " bytes; IPv4 has room for 40");
            }
            s.ipOptions(Bytes.of(all.toByteArray()));
        }
        s.ihl(ihl).totalLength(totalLength).ipChecksum(ipChecksum).protocol(protocol);
        s.sourcePort(sourcePort);
        given(destinationPort, r -> s.destinationPort(r.first()));
        given(flags, s::flags);
        s.sequence(sequence);
        given(acknowledgment, s::acknowledgment);
        given(window, s::window);
        given(urgentPointer, s::urgentPointer);
        given(tcpReserved, s::tcpReserved);
        given(tcpOptions, s::tcpOptions);
        s.dataOffset(dataOffset).udpLength(udpLength);
        given(icmpType, s::icmpType);
        given(icmpCode, s::icmpCode);
        s.icmpIdentifier(icmpId);
        given(icmpSequence, s::icmpSequence);
        s.transportChecksum(checksum).badTransportChecksum(badSum);
        s.payload(payload());
        return s;
    }

    /** Sets a field only when its option was given: the spec's own default (auto or random) stays otherwise. */
    private static <T> void given(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    private Bytes payload() throws IOException {
        if (data == null) {
            return Bytes.EMPTY;
        }
        if (data.hex != null) {
            return data.hex;
        }
        if (data.text != null) {
            return Bytes.of(unescape(data.text));
        }
        if (data.length != null) {
            return Bytes.of(new byte[data.length]);
        }
        if (!Files.isReadable(data.file)) {
            throw new UsageException("--data-file: cannot read '" + data.file + "'");
        }
        long size = Files.size(data.file);
        if (size > 65535) {
            throw new UsageException("--data-file: '" + data.file + "' is " + size + " bytes; an IP packet holds at most 65535");
        }
        return Bytes.of(Files.readAllBytes(data.file));
    }

    /** C-style escapes in --data-string: \r \n \t \0 \\ \xNN. */
    static byte[] unescape(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != '\\' || i + 1 >= raw.length) {
                out.write(raw[i]);
                continue;
            }
            char c = (char) raw[++i];
            switch (c) {
                case 'r': out.write('\r'); break;
                case 'n': out.write('\n'); break;
                case 't': out.write('\t'); break;
                case '0': out.write(0); break;
                case '\\': out.write('\\'); break;
                case 'x':
                    if (i + 2 < raw.length && Character.digit(raw[i + 1], 16) >= 0 && Character.digit(raw[i + 2], 16) >= 0) {
                        out.write(Character.digit(raw[i + 1], 16) * 16 + Character.digit(raw[i + 2], 16));
                        i += 2;
                        break;
                    }
                    throw new UsageException("--data-string: '\\x' at byte " + (i - 1) + " needs two hex digits");
                default:
                    out.write('\\');
                    out.write(c);
            }
        }
        return out.toByteArray();
    }
}
