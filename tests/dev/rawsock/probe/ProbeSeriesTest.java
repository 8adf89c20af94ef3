package dev.rawsock.probe;

import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.IcmpView;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ProbeSeries writes each probe's checksums from sums taken once over the template plus the words that change per
 * probe, and a flood patches the slots of its batch in place. Checked against a full pass over every byte
 * (Checksums.sum, what the views verify with), for every transport, both IP versions, every per-probe field, and
 * probe numbers where the fields wrap; and a patched slot is byte for byte a freshly written probe.
 */
class ProbeSeriesTest {
    private static final Bytes SOURCE6 = Ipv6Address.parse("2001:db8::1");
    private static final Bytes DESTINATION6 = Ipv6Address.parse("2001:db8::2");
    private static final int SOURCE4 = 0x7F000001;
    private static final int DESTINATION4 = 0x7F000002;
    /** Probe numbers where the id, ports, sequence numbers and sweeps wrap, and some in between. */
    private static final long[] PROBES = {0, 1, 2, 63, 64, 1000, 0xFFFF, 0x10000, 0x10001, 40_000, 0xFFFF_FFFFL, 0x1_0000_0001L, 7_777_777_777L};

    private record Case(String name, PacketSpec spec, IntRange ports, IntRange ttls, boolean sportIncrement, boolean seqIncrement,
                        boolean badsum) {
        ProbeSeries series() {
            return new ProbeSeries(spec, Randomness.seeded(11), EmitOptions.DEFAULT, ports, ttls, sportIncrement, seqIncrement,
                    false, false, badsum);
        }
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            String ip = v6 ? "IPv6 " : "IPv4 ";
            cases.add(new Case(ip + "TCP SYN, sport and seq increasing", addresses(PacketSpec.tcp().destinationPort(9), v6),
                    null, null, true, true, false));
            cases.add(new Case(ip + "TCP with options and data, ports and TTL swept",
                    addresses(PacketSpec.tcp().tcpOptions(Bytes.fromHex("020405b4 0402 080a0000000100000000 01 030307"))
                            .payload(Bytes.fromHex("68656c6c6f")), v6),
                    new IntRange(1, 65535), new IntRange(1, 64), true, true, false));
            cases.add(new Case(ip + "TCP, wrong checksum kept wrong", addresses(PacketSpec.tcp().destinationPort(80), v6),
                    new IntRange(79, 81), null, true, true, true));
            cases.add(new Case(ip + "UDP, odd length, ports swept", addresses(PacketSpec.udp().payload(Bytes.fromHex("616263")), v6),
                    new IntRange(53, 60), new IntRange(3, 5), true, false, false));
            cases.add(new Case(ip + "UDP, wrong checksum kept wrong", addresses(PacketSpec.udp().destinationPort(53), v6),
                    null, null, true, false, true));
            cases.add(new Case(ip + "ICMP echo, sequence increasing", addresses(PacketSpec.icmp().payload(Bytes.fromHex("00112233445566")), v6),
                    null, new IntRange(1, 30), false, false, false));
            cases.add(new Case(ip + "ICMP timestamp request (not an echo)", addresses(PacketSpec.icmp().icmpType(v6 ? 1 : 13), v6),
                    null, null, false, false, false));
        }
        cases.add(new Case("IPv4 with an IP option (IHL 6)",
                addresses(PacketSpec.tcp().ipOptions(Bytes.fromHex("01010100")), false), null, new IntRange(1, 255), true, true, false));
        return cases;
    }

    private static PacketSpec addresses(PacketSpec spec, boolean v6) {
        return v6 ? spec.ipv6Source(SOURCE6).ipv6Destination(DESTINATION6) : spec.source(SOURCE4).destination(DESTINATION4);
    }

    @Test
    void everyProbesChecksumsAreWhatAFullPassOverItsBytesGives() {
        for (Case c : cases()) {
            ProbeSeries series = c.series();
            for (long i : PROBES) {
                ByteBuffer b = ByteBuffer.allocate(series.length());
                series.write(i, b, 0);
                String where = c.name() + ", probe " + i + ": " + HexFormat.of().formatHex(b.array());
                if (!series.isIpv6()) {
                    Ipv4View ip = new Ipv4View().wrap(b, 0);
                    assertEquals(0, Checksums.internet(b, 0, ip.headerLengthBytes()), "IPv4 header checksum, " + where);
                }
                assertEquals(!c.badsum(), transportChecksumValid(series, b), "transport checksum valid, " + where);
            }
        }
    }

    @Test
    void aPatchedSlotIsTheProbeWrittenAfresh() {
        for (Case c : cases()) {
            ProbeSeries series = c.series();
            ByteBuffer slot = ByteBuffer.allocate(series.length() + 8);
            series.write(5, slot, 8); // a slot at an offset, holding an earlier probe
            for (long i : PROBES) {
                ByteBuffer fresh = ByteBuffer.allocate(series.length());
                series.write(i, fresh, 0);
                assertEquals(series.length(), series.patch(i, slot, 8));
                byte[] patched = new byte[series.length()];
                slot.get(8, patched);
                assertEquals(HexFormat.of().formatHex(fresh.array()), HexFormat.of().formatHex(patched), c.name() + ", probe " + i);
            }
        }
    }

    @Test
    void theFieldsThatChangeDoChange() {
        // a check that the cases above exercise what they say: consecutive probes differ, and so do their checksums
        ProbeSeries series = cases().get(0).series();
        ByteBuffer a = ByteBuffer.allocate(series.length());
        ByteBuffer b = ByteBuffer.allocate(series.length());
        series.write(0, a, 0);
        series.write(1, b, 0);
        TcpView ta = new TcpView().wrap(a, series.transportOffset());
        TcpView tb = new TcpView().wrap(b, series.transportOffset());
        assertEquals((ta.sourcePort() + 1) & 0xFFFF, tb.sourcePort());
        assertEquals((ta.sequenceNumber() + 1) & 0xFFFFFFFFL, tb.sequenceNumber());
        assertNotEquals(ta.checksum(), tb.checksum());
        assertTrue(new Ipv4View().wrap(a, 0).identification() != new Ipv4View().wrap(b, 0).identification());
    }

    private static boolean transportChecksumValid(ProbeSeries series, ByteBuffer b) {
        int l4 = series.transportOffset();
        int l4Bytes = series.length() - l4;
        long pseudo = series.isIpv6()
                ? new Ipv6View().wrap(b, 0).pseudoHeader(l4Bytes, series.transport() == dev.rawsock.craft.Transport.ICMP ? 58 : series.nextHeader())
                : Checksums.pseudoHeaderIpv4(SOURCE4, DESTINATION4, series.transport().protocol, l4Bytes);
        return switch (series.transport()) {
            case TCP -> new TcpView().wrap(b, l4).checksumValid(pseudo, l4Bytes);
            case UDP -> new UdpView().wrap(b, l4).checksumValid(pseudo, l4Bytes);
            case ICMP -> series.isIpv6() ? new Icmpv6View().wrap(b, l4).checksumValid(pseudo, l4Bytes)
                    : new IcmpView().wrap(b, l4).checksumValid(l4Bytes);
            default -> throw new AssertionError(series.transport());
        };
    }
}
