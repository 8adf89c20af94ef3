package dev.rawsock.cli;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Transport;
import dev.rawsock.wire.Bytes;

import dev.rawsock.cli.Args.Arg;
import dev.rawsock.probe.IntRange;

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
final class PacketOptions implements Args.Declarations {
    private final Args args = new Args();

    // ---- IPv4 / IPv6 ----
    final Arg<PacketAddress> source = args.option(PacketAddress.class, new Converters.PacketAddressConverter(), "IP",
            "Source address, IPv4 or IPv6 (default: the address the kernel would route from to --dst).", "--src");

    final Arg<PacketAddress> destination = args.option(PacketAddress.class, new Converters.PacketAddressConverter(), "IP",
            "Destination address, IPv4 or IPv6 such as ::1 (default: 127.0.0.1, or ::1 with an IPv6 --src).", "--dst");

    final Arg<IntRange> ttl = args.option(IntRange.class, new Converters.TtlRange(), "N[-M]",
            "Time to live (IPv6: hop limit), 0-255 (default: 64); a range such as 1-5 gives each probe the next value.", "--ttl");

    final Arg<Integer> tos = args.option(Integer.class, new Converters.U8(), "N",
            "Type-of-service byte (IPv6: traffic class), 0-255 (DSCP<<2 | ECN).", "--tos");

    final Arg<Integer> dscp = args.option(Integer.class, new Converters.Dscp(), "N", "DSCP, 0-63.", "--dscp");

    final Arg<Integer> ecn = args.option(Integer.class, new Converters.Ecn(), "N", "ECN, 0-3.", "--ecn");

    final Arg<Integer> flowLabel = args.option(Integer.class, new Converters.FlowLabel(), "N",
            "IPv6 flow label, 0-0xFFFFF (default: 0).", "--flow-label");

    // ---- IPv4 only ----
    final Arg<Integer> identification = args.option(Integer.class, new Converters.U16(), "N",
            "IP identification, 0-65535 (default: random).", "--id");

    final Arg<Boolean> dontFragment = args.flag("Set Don't Fragment.", "--df");

    final Arg<Boolean> moreFragments = args.flag("Set More Fragments.", "--mf");

    final Arg<Boolean> flagReserved = args.flag("Set the reserved IP flag (RFC 3514's evil bit).", "--evil");

    final Arg<Integer> fragmentOffset = args.option(Integer.class, new Converters.FragmentOffset(), "UNITS",
            "Fragment offset in 8-byte units, 0-8191.", "--frag-offset");

    final Arg<List<byte[]>> ipOptions = args.repeatable(byte[].class, new Converters.IpOptionConverter(), "OPT",
            "An IPv4 option (repeatable): nop, eol, rr=SLOTS, ts=SLOTS, lsrr=IP[,IP...], ssrr=IP[,IP...], ra=V, raw=TYPE:HEX.", "--ip-option");

    final Arg<Integer> ihl = args.option(Integer.class, new Converters.Nibble(), "WORDS",
            "IP header length in 32-bit words, 0-15 (default: computed).", "--ihl");

    final Arg<Integer> totalLength = args.option(Integer.class, new Converters.U16(), "BYTES",
            "IP total length, 0-65535 (default: computed).", "--ip-length");

    final Arg<Integer> ipChecksum = args.option(Integer.class, new Converters.U16(), "N",
            "IP header checksum, 0-65535 (default: computed).", "--ip-checksum");

    final Arg<Integer> protocol = args.option(Integer.class, new Converters.U8(), "N",
            "IP protocol number (IPv6: next header), 0-255 (default: 6, 17, 1 (IPv6: 58), or 255 for raw).", "--protocol");

    // ---- TCP / UDP ----
    final Arg<Integer> sourcePort = args.option(Integer.class, new Converters.Port(), "PORT",
            "Source port, 0-65535 (default: random ephemeral).", "--sport");

    final Arg<IntRange> destinationPort = args.option(IntRange.class, new Converters.PortRange(), "PORT[-PORT]",
            "Destination port, 0-65535 (default: 0); a range such as 8080-8090 gives each probe the next port.", "--dport", "-p");

    final Arg<Integer> flags = args.option(Integer.class, new Converters.TcpFlagsConverter(), "FLAGS",
            "TCP flags: syn,ack | SA | 0x12 (default: S). Letters: F S R P A U E C N.", "--flags");

    final Arg<Long> sequence = args.option(Long.class, new Converters.U32(), "N", "Sequence number (default: random).", "--seq");

    final Arg<Long> acknowledgment = args.option(Long.class, new Converters.U32(), "N",
            "Acknowledgement number (default: 0).", "--ack");

    final Arg<Integer> window = args.option(Integer.class, new Converters.U16(), "N",
            "Window, 0-65535 (default: 64240).", "--win");

    final Arg<Integer> urgentPointer = args.option(Integer.class, new Converters.U16(), "N", "Urgent pointer, 0-65535.", "--urg");

    final Arg<Integer> tcpReserved = args.option(Integer.class, new Converters.ThreeBits(), "BITS",
            "The 3 reserved TCP bits, 0-7.", "--tcp-reserved");

    final Arg<Bytes> tcpOptions = args.option(Bytes.class, new Converters.TcpOptionsConverter(), "OPTS",
            "TCP options in order: mss=1460,wscale=7,sackok,ts=TSVAL:TSECR,sack=L-R[/L-R],nop,eol,raw=KIND:HEX.", "--tcp-option");

    final Arg<Integer> dataOffset = args.option(Integer.class, new Converters.Nibble(), "WORDS",
            "TCP data offset in 32-bit words, 0-15 (default: computed).", "--data-offset");

    final Arg<Integer> udpLength = args.option(Integer.class, new Converters.U16(), "BYTES",
            "UDP length (default: computed).", "--udp-length");

    // ---- ICMP ----
    final Arg<Integer> icmpType = args.option(Integer.class, new Converters.U8(), "N",
            "ICMP type, 0-255 (default: 8, echo request; ICMPv6: 128).", "--icmp-type");

    final Arg<Integer> icmpCode = args.option(Integer.class, new Converters.U8(), "N",
            "ICMP code, 0-255 (default: 0).", "--icmp-code");

    final Arg<Integer> icmpId = args.option(Integer.class, new Converters.U16(), "N",
            "ICMP echo identifier (default: random).", "--icmp-id");

    final Arg<Integer> icmpSequence = args.option(Integer.class, new Converters.U16(), "N",
            "ICMP echo sequence (default: 1).", "--icmp-seq");

    // ---- checksums ----
    final Arg<Integer> checksum = args.option(Integer.class, new Converters.U16(), "N",
            "TCP/UDP/ICMP checksum, 0-65535 (default: computed).", "--checksum");

    final Arg<Boolean> badSum = args.flag("Send a wrong TCP/UDP/ICMP checksum on purpose.", "--badsum");

    // ---- data ----
    final Arg<Bytes> dataHex = args.option(Bytes.class, new Converters.Hex(), "HEX", "Payload bytes in hex.", "--data");

    final Arg<String> dataText = args.option(String.class, "TEXT",
            "Payload text; \\r \\n \\t \\\\ and \\xNN are understood.", "--data-string");

    final Arg<Integer> dataLength = args.option(Integer.class, new Converters.U16(), "BYTES",
            "Payload of this many zero bytes.", "--data-length");

    final Arg<Path> dataFile = args.option(Path.class, "FILE", "Payload read from a file.", "--data-file");

    PacketOptions() {
        args.exclusive(dataHex, dataText, dataLength, dataFile);
    }

    /** Declares these options to {@code command}. */
    @Override
    public void addTo(picocli.CommandLine.Model.CommandSpec command) {
        args.addTo(command);
    }

    /** The probes these options describe: the spec, with the swept fields and what is explicit. */
    dev.rawsock.probe.ProbeSeries toSeries(PacketSpec spec, dev.rawsock.craft.Randomness random,
                                           dev.rawsock.craft.EmitOptions emit, boolean sourcePortIncrement,
                                           boolean sequenceIncrement) {
        try {
            return new dev.rawsock.probe.ProbeSeries(spec, random, emit,
                    swept(destinationPort.get()), swept(ttl.get()), sourcePortIncrement, sequenceIncrement,
                    ipChecksum.get() != null, checksum.get() != null, badSum.get());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A range of more than one value (each probe takes the next), else null. */
    private static IntRange swept(IntRange range) {
        return range != null && range.size() > 1 ? range : null;
    }

    /** True when the packet is IPv6: the family of --dst, or of --src when no --dst is given. */
    boolean isIpv6() {
        PacketAddress dst = destination.get();
        PacketAddress src = source.get();
        return dst != null ? dst.isIpv6() : src != null && src.isIpv6();
    }

    /** --dst, or the loopback address of the packet's family. */
    PacketAddress destinationAddress() {
        PacketAddress dst = destination.get();
        return dst != null ? dst : isIpv6() ? PacketAddress.IPV6_LOOPBACK : PacketAddress.IPV4_LOOPBACK;
    }

    /**
     * Usage errors of the family: --src and --dst of different families; an IPv4-only option with an IPv6
     * packet; --flow-label with an IPv4 one. Each names the option.
     */
    void checkFamily() {
        PacketAddress src = source.get();
        PacketAddress dst = destination.get();
        if (src != null && dst != null && src.isIpv6() != dst.isIpv6()) {
            throw new UsageException("--src " + src.text() + " is " + src.family() + " but --dst " + dst.text()
                    + " is " + dst.family() + ": give both as IPv4 or both as IPv6");
        }
        if (!isIpv6()) {
            if (flowLabel.get() != null) {
                throw new UsageException("--flow-label is IPv6-only: give an IPv6 --dst (e.g. --dst ::1)");
            }
            return;
        }
        for (Arg<?> ipv4Only : List.of(identification, dontFragment, moreFragments, flagReserved, fragmentOffset, ipOptions,
                ihl, ipChecksum, totalLength)) {
            Object value = ipv4Only.get();
            if (value != null && !Boolean.FALSE.equals(value) && !(value instanceof List<?> list && list.isEmpty())) {
                throw new UsageException(ipv4Only.name() + " is IPv4-only, but the packet is IPv6 (--" + (dst != null ? "dst " : "src ")
                        + (dst != null ? dst : src).text() + ")");
            }
        }
    }

    /** The spec these options describe; {@code routeSource} is used when --src is not given. */
    PacketSpec toSpec(Transport transport, PacketAddress routeSource) throws IOException {
        checkFamily();
        PacketSpec s = PacketSpec.of(transport);
        PacketAddress src = source.get() != null ? source.get() : routeSource;
        PacketAddress dst = destinationAddress();
        if (dst.isIpv6()) {
            s.ipv6Destination(dst.ipv6()).ipv6Source(src != null ? src.ipv6() : null);
            given(flowLabel, s::flowLabel);
        } else {
            s.source(src != null ? src.ipv4() : null).destination(dst.ipv4());
        }
        given(tos, s::tos);
        given(dscp, s::dscp);
        given(ecn, s::ecn);
        given(ttl, r -> s.ttl(r.first()));
        s.identification(identification.get()).dontFragment(dontFragment.get()).moreFragments(moreFragments.get())
                .flagReserved(flagReserved.get());
        given(fragmentOffset, s::fragmentOffset);
        if (!ipOptions.get().isEmpty()) {
            java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
            ipOptions.get().forEach(all::writeBytes);
            if (all.size() > 40) {
                throw new UsageException("--ip-option: the options take " + all.size() + " bytes; IPv4 has room for 40");
            }
            s.ipOptions(Bytes.of(all.toByteArray()));
        }
        s.ihl(ihl.get()).totalLength(totalLength.get()).ipChecksum(ipChecksum.get()).protocol(protocol.get());
        s.sourcePort(sourcePort.get());
        given(destinationPort, r -> s.destinationPort(r.first()));
        given(flags, s::flags);
        s.sequence(sequence.get());
        given(acknowledgment, s::acknowledgment);
        given(window, s::window);
        given(urgentPointer, s::urgentPointer);
        given(tcpReserved, s::tcpReserved);
        given(tcpOptions, s::tcpOptions);
        s.dataOffset(dataOffset.get()).udpLength(udpLength.get());
        given(icmpType, s::icmpType);
        given(icmpCode, s::icmpCode);
        s.icmpIdentifier(icmpId.get());
        given(icmpSequence, s::icmpSequence);
        s.transportChecksum(checksum.get()).badTransportChecksum(badSum.get());
        s.payload(payload());
        return s;
    }

    /** Sets a field only when its option was given: the spec's own default (auto or random) stays otherwise. */
    private static <T> void given(Arg<T> option, java.util.function.Consumer<T> setter) {
        T value = option.get();
        if (value != null) {
            setter.accept(value);
        }
    }

    private Bytes payload() throws IOException {
        if (dataHex.get() != null) {
            return dataHex.get();
        }
        if (dataText.get() != null) {
            return Bytes.of(unescape(dataText.get()));
        }
        if (dataLength.get() != null) {
            return Bytes.of(new byte[dataLength.get()]);
        }
        Path file = dataFile.get();
        if (file == null) {
            return Bytes.EMPTY;
        }
        if (!Files.isReadable(file)) {
            throw new UsageException("--data-file: cannot read '" + file + "'");
        }
        long size = Files.size(file);
        if (size > 65535) {
            throw new UsageException("--data-file: '" + file + "' is " + size + " bytes; an IP packet holds at most 65535");
        }
        return Bytes.of(Files.readAllBytes(file));
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
