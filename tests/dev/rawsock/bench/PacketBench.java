package dev.rawsock.bench;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.Verdict;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV4Rfc791Tos;
import org.pcap4j.packet.TcpMaximumSegmentSizeOption;
import org.pcap4j.packet.TcpNoOperationOption;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.TcpSackPermittedOption;
import org.pcap4j.packet.TcpTimestampsOption;
import org.pcap4j.packet.TcpWindowScaleOption;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.packet.namednumber.TcpPort;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packet cases of {@code make bench} (JMH; {@link BenchMain} runs them with {@code -prof gc} and
 * alternates them with {@code native/packet_bench.c}). One operation is one packet: a SYN from
 * 198.18.0.1:40000 to 198.18.0.2:8080, window 64240, TTL 64, with the options Linux puts on its SYNs
 * (mss 1460, sackOK, ts 1 0, nop, wscale 7: 20 bytes), no payload, 60 bytes, both checksums. The IP id
 * and sequence number are new for every packet; everything else is fixed, as in a flood.
 *
 * <ul>
 * <li>{@link #rawsockBuild}: {@link Assembler#assemble} of one fixed {@link PacketSpec} (id and sequence
 *     left automatic, so drawn from the {@link Randomness} each time) into one reused direct buffer in
 *     native order, as the send path uses: every field, the options, both lengths and both checksums.
 * <li>{@link #rawsockBuildPatch}: the flood's shortcut. The packet was assembled once; per packet only the
 *     id and sequence number are written through the views and both checksums recomputed in place.
 * <li>{@link #rawsockDecode}: {@link PacketDecoder#decode} (which walks the TCP options and verifies both
 *     checksums) of one of 64 packets built beforehand, taken in turn; the verdicts are checked and the
 *     sequence number and id read through the views.
 * <li>{@link #pcap4jBuild} / {@link #pcap4jParse}: the same packet through pcap4j, the Java packet library
 *     people use today: reused {@code IpV4Packet.Builder} and {@code TcpPacket.Builder} with the id and
 *     sequence number set per packet and both checksums and lengths corrected at build, then
 *     {@code getRawData()}; and {@code IpV4Packet.newPacket} of one of the same 64 packets (as byte arrays)
 *     with both checksums verified.
 * </ul>
 *
 * The annotations are the defaults when run by hand ({@code java -cp ... org.openjdk.jmh.Main PacketBench
 * -prof gc}); bin/bench sets its own iteration counts.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PacketBench {
    static final int SOURCE = 0xC6120001;      // 198.18.0.1 (RFC 2544's benchmarking range)
    static final int DESTINATION = 0xC6120002; // 198.18.0.2
    static final int SOURCE_PORT = 40000;
    static final int DESTINATION_PORT = 8080;
    static final int PACKET_BYTES = 60;
    static final int IP_HEADER_BYTES = 20;
    static final int TCP_HEADER_BYTES = 40;
    /** Packets decoded in turn, so no branch predictor learns one packet by heart (as in the C twin). */
    static final int DECODE_PACKETS = 64;
    static final int STRIDE = 64;
    /** The sequence number and IP id of the packet whose bytes are compared: rawsock's, C's and pcap4j's must agree. */
    static final long CHECK_SEQUENCE = 1000;
    static final int CHECK_ID = 0x1234;

    // rawsock
    private final Assembler assembler = new Assembler();
    private final PacketDecoder decoder = new PacketDecoder();
    private final DecodedPacket decoded = new DecodedPacket();
    private final Ipv4View ip = new Ipv4View();
    private final TcpView tcp = new TcpView();
    private PacketSpec spec;
    private Randomness random;
    private ByteBuffer out;
    private ByteBuffer packets;
    private long pseudo;
    private int next;

    // pcap4j
    private IpV4Packet.Builder ipBuilder;
    private TcpPacket.Builder tcpBuilder;
    private byte[][] arrays;
    private Inet4Address source;
    private Inet4Address destination;

    /** The options, as Linux orders them on a SYN. */
    static List<TcpOption> options() {
        return List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(1, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(7));
    }

    /** The spec: id and sequence number automatic (drawn per packet), everything else fixed. */
    static PacketSpec spec() {
        return PacketSpec.tcp().source(SOURCE).destination(DESTINATION).sourcePort(SOURCE_PORT)
                .destinationPort(DESTINATION_PORT).tcpOptions(TcpOptions.encode(options()));
    }

    /** rawsock's bytes for a given sequence number and id (bin/bench compares them with C's and pcap4j's). */
    static byte[] rawsockBytes(long sequence, int id) {
        ByteBuffer b = ByteBuffer.allocate(PACKET_BYTES);
        int n = new Assembler().assemble(spec().sequence(sequence).identification(id), Randomness.seeded(0),
                EmitOptions.DEFAULT, b, 0);
        byte[] bytes = new byte[n];
        b.get(0, bytes);
        return bytes;
    }

    /** pcap4j's bytes for the same. */
    static byte[] pcap4jBytes(long sequence, int id) {
        PacketBench bench = new PacketBench();
        bench.setUpPcap4j();
        bench.tcpBuilder.sequenceNumber((int) sequence);
        bench.ipBuilder.identification((short) id);
        return bench.ipBuilder.build().getRawData();
    }

    @Setup
    public void setUp() {
        random = Randomness.seeded(1);
        spec = spec();
        out = ByteBuffer.allocateDirect(STRIDE).order(ByteOrder.nativeOrder());
        if (assembler.assemble(spec, random, EmitOptions.DEFAULT, out, 0) != PACKET_BYTES) {
            throw new IllegalStateException("the spec does not make a " + PACKET_BYTES + "-byte packet");
        }
        pseudo = Checksums.pseudoHeaderIpv4(SOURCE, DESTINATION, 6, TCP_HEADER_BYTES);
        packets = ByteBuffer.allocateDirect(DECODE_PACKETS * STRIDE).order(ByteOrder.nativeOrder());
        arrays = new byte[DECODE_PACKETS][];
        for (int k = 0; k < DECODE_PACKETS; k++) {
            assembler.assemble(spec, random, EmitOptions.DEFAULT, packets, k * STRIDE);
            arrays[k] = new byte[PACKET_BYTES];
            packets.get(k * STRIDE, arrays[k]);
            decoder.decode(packets, k * STRIDE, PACKET_BYTES, PACKET_BYTES, FirstLayer.IPV4, decoded);
            if (decoded.ipv4Checksum() != Verdict.VALID || decoded.transportChecksum() != Verdict.VALID || decoded.malformed()) {
                throw new IllegalStateException("packet " + k + " does not decode as valid: " + decoded.errorMessage());
            }
        }
        setUpPcap4j();
        byte[] ours = rawsockBytes(CHECK_SEQUENCE, CHECK_ID);
        byte[] theirs = pcap4jBytes(CHECK_SEQUENCE, CHECK_ID);
        if (!Arrays.equals(ours, theirs)) {
            throw new IllegalStateException("pcap4j builds a different packet: " + HexFormat.of().formatHex(theirs)
                    + ", rawsock " + HexFormat.of().formatHex(ours));
        }
        for (int k = 0; k < DECODE_PACKETS; k++) {
            if (pcap4jVerdicts(arrays[k]) != 3) {
                throw new IllegalStateException("pcap4j does not find both checksums of packet " + k + " valid");
            }
        }
    }

    private void setUpPcap4j() {
        try {
            source = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, 1});
            destination = (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 198, 18, 0, 2});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        List<TcpPacket.TcpOption> tcpOptions = List.of(
                new TcpMaximumSegmentSizeOption.Builder().maxSegSize((short) 1460).correctLengthAtBuild(true).build(),
                TcpSackPermittedOption.getInstance(),
                new TcpTimestampsOption.Builder().tsValue(1).tsEchoReply(0).correctLengthAtBuild(true).build(),
                TcpNoOperationOption.getInstance(),
                new TcpWindowScaleOption.Builder().shiftCount((byte) 7).correctLengthAtBuild(true).build());
        tcpBuilder = new TcpPacket.Builder()
                .srcPort(TcpPort.getInstance((short) SOURCE_PORT)).dstPort(TcpPort.getInstance((short) DESTINATION_PORT))
                .sequenceNumber(0).acknowledgmentNumber(0).syn(true).window((short) 64240).urgentPointer((short) 0)
                .options(tcpOptions).srcAddr(source).dstAddr(destination)
                .correctLengthAtBuild(true).correctChecksumAtBuild(true).paddingAtBuild(true);
        ipBuilder = new IpV4Packet.Builder()
                .version(IpVersion.IPV4).tos(IpV4Rfc791Tos.newInstance((byte) 0)).identification((short) 0)
                .ttl((byte) 64).protocol(IpNumber.TCP).srcAddr(source).dstAddr(destination)
                .payloadBuilder(tcpBuilder)
                .correctLengthAtBuild(true).correctChecksumAtBuild(true).paddingAtBuild(true);
    }

    private int pcap4jVerdicts(byte[] bytes) {
        try {
            IpV4Packet p = IpV4Packet.newPacket(bytes, 0, bytes.length);
            TcpPacket t = (TcpPacket) p.getPayload();
            return (p.getHeader().hasValidChecksum(false) ? 1 : 0)
                    | (t.hasValidChecksum(p.getHeader().getSrcAddr(), p.getHeader().getDstAddr(), false) ? 2 : 0);
        } catch (IllegalRawDataException | ClassCastException e) {
            throw new IllegalStateException("pcap4j could not parse the packet: " + e, e);
        }
    }

    // ---- rawsock ----

    @Benchmark
    public int rawsockBuild() {
        return assembler.assemble(spec, random, EmitOptions.DEFAULT, out, 0);
    }

    @Benchmark
    public int rawsockBuildPatch() {
        ip.wrap(out, 0).identification(random.nextIdentification());
        tcp.wrap(out, IP_HEADER_BYTES).sequenceNumber(random.nextSequence());
        int tcpChecksum = tcp.computeChecksum(pseudo, TCP_HEADER_BYTES);
        tcp.checksum(tcpChecksum);
        ip.checksum(ip.computeChecksum(IP_HEADER_BYTES));
        return tcpChecksum;
    }

    @Benchmark
    public long rawsockDecode() {
        int at = (next++ & (DECODE_PACKETS - 1)) * STRIDE;
        DecodedPacket p = decoder.decode(packets, at, PACKET_BYTES, PACKET_BYTES, FirstLayer.IPV4, decoded);
        if (p.ipv4Checksum() != Verdict.VALID || p.transportChecksum() != Verdict.VALID) {
            throw new IllegalStateException("a checksum did not verify");
        }
        return tcp.wrap(packets, at + IP_HEADER_BYTES).sequenceNumber() + ip.wrap(packets, at).identification();
    }

    // ---- pcap4j ----

    @Benchmark
    public byte[] pcap4jBuild() {
        ipBuilder.identification((short) random.nextIdentification());
        tcpBuilder.sequenceNumber((int) random.nextSequence());
        return ipBuilder.build().getRawData();
    }

    @Benchmark
    public long pcap4jParse() throws IllegalRawDataException {
        byte[] bytes = arrays[next++ & (DECODE_PACKETS - 1)];
        IpV4Packet p = IpV4Packet.newPacket(bytes, 0, bytes.length);
        IpV4Packet.IpV4Header h = p.getHeader();
        TcpPacket t = (TcpPacket) p.getPayload();
        if (!h.hasValidChecksum(false) || !t.hasValidChecksum(h.getSrcAddr(), h.getDstAddr(), false)) {
            throw new IllegalStateException("a checksum did not verify");
        }
        return t.getHeader().getSequenceNumberAsLong() + h.getIdentificationAsInt();
    }
}
