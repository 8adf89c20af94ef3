package dev.rawsock.craft;

import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpFlags;
import dev.rawsock.wire.TcpOption;
import dev.rawsock.wire.TcpOptions;
import dev.rawsock.wire.TcpView;
import dev.rawsock.wire.UdpView;
import dev.rawsock.wire.Verdict;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** IPv6 assembly: the fixed header from the spec, transport checksums over the IPv6 pseudo-header (RFC 8200 §8.1). */
class Ipv6AssemblerTest {
    private static final Bytes LOOPBACK = Ipv6Address.parse("::1");
    private static final Bytes DOC = Ipv6Address.parse("2001:db8::7");
    private final Ipv6Assembler assembler = new Ipv6Assembler();
    private final PacketDecoder decoder = new PacketDecoder();

    private DecodedPacket build(PacketSpec spec, ByteBuffer b) {
        int n = assembler.assemble(spec, Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        assertEquals(Ipv6Assembler.lengthOf(spec), n);
        return decoder.decode(b, 0, n, n, FirstLayer.IP, new DecodedPacket());
    }

    @Test
    void aSynWithOptionsHasEveryHeaderFieldAndAValidChecksum() {
        Bytes options = TcpOptions.encode(List.of(new TcpOption.Mss(1440), new TcpOption.SackPermitted()));
        PacketSpec spec = PacketSpec.tcp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).sourcePort(40000)
                .destinationPort(8080).sequence(1000L).ttl(7).dscp(46).ecn(1).flowLabel(0xABCDE).tcpOptions(options);
        assertTrue(spec.isIpv6());
        ByteBuffer b = ByteBuffer.allocate(100);
        DecodedPacket p = build(spec, b);
        assertEquals(List.of(Layer.IPV6, Layer.TCP), List.of(p.layer(0), p.layer(1)));
        assertEquals(2, p.layerCount());
        assertFalse(p.malformed(), p.errorMessage());
        assertEquals(Verdict.VALID, p.transportChecksum());
        Ipv6View ip = new Ipv6View().wrap(b, 0);
        assertEquals(6, ip.version());
        assertEquals((46 << 2) | 1, ip.trafficClass());
        assertEquals(0xABCDE, ip.flowLabel());
        assertEquals(20 + 8, ip.payloadLength(), "20-byte TCP header and 8 bytes of options (6 padded to 8)");
        assertEquals(6, ip.nextHeader());
        assertEquals(7, ip.hopLimit());
        assertEquals(LOOPBACK, ip.source());
        assertEquals(LOOPBACK, ip.destination());
        TcpView tcp = new TcpView().wrap(b, 40);
        assertEquals(7, tcp.dataOffset());
        assertEquals(TcpFlags.SYN, tcp.flags());
        assertEquals(1000, tcp.sequenceNumber());
        // The checksum by hand: pseudo-header (addresses, 32-bit length, next header) plus the segment.
        long pseudo = Checksums.sum(b, 8, 32) + 28 + 6;
        assertEquals(0, Checksums.finish(pseudo + Checksums.sum(b, 40, 28)));
    }

    @Test
    void icmpMeansAnIcmpv6EchoRequestWithIdAndSequence() {
        PacketSpec spec = PacketSpec.icmp().ipv6Source(LOOPBACK).ipv6Destination(DOC).icmpIdentifier(4321).icmpSequence(9)
                .payload(Bytes.of("abcd".getBytes()));
        ByteBuffer b = ByteBuffer.allocate(52);
        DecodedPacket p = build(spec, b);
        assertEquals(List.of(Layer.IPV6, Layer.ICMPV6, Layer.PAYLOAD), List.of(p.layer(0), p.layer(1), p.layer(2)));
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertEquals(58, new Ipv6View().wrap(b, 0).nextHeader());
        Icmpv6View m = new Icmpv6View().wrap(b, 40);
        assertEquals(128, m.type());
        assertEquals(0, m.code());
        assertEquals(4321, m.identifier());
        assertEquals(9, m.sequence());

        PacketSpec other = PacketSpec.icmp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).icmpType(1).icmpCode(4);
        ByteBuffer c = ByteBuffer.allocate(48);
        build(other, c);
        assertEquals(1, new Icmpv6View().wrap(c, 40).type(), "an explicit type is written as given");
        assertEquals(4, new Icmpv6View().wrap(c, 40).code());
    }

    @Test
    void udpChecksumZeroIsSentAsFfffBecauseIpv6ForbidsNone() {
        PacketSpec spec = PacketSpec.udp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).sourcePort(5000).destinationPort(53)
                .payload(Bytes.of(new byte[2]));
        ByteBuffer b = ByteBuffer.allocate(50);
        build(spec, b);
        int c = new UdpView().wrap(b, 40).checksum();
        // Payload word = the checksum with a zero word: the sum becomes 0xFFFF, so the checksum computes to 0.
        PacketSpec zero = PacketSpec.udp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).sourcePort(5000).destinationPort(53)
                .payload(Bytes.of(new byte[] {(byte) (c >>> 8), (byte) c}));
        DecodedPacket p = build(zero, b);
        assertEquals(0xFFFF, new UdpView().wrap(b, 40).checksum());
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertEquals(10, new UdpView().wrap(b, 40).length());
    }

    @Test
    void explicitFieldsAreWrittenAsGivenAndTheDefaultsAreThoseOfIpv4() {
        PacketSpec spec = PacketSpec.udp().ipv6Destination(LOOPBACK).destinationPort(9).transportChecksum(0).protocol(17);
        ByteBuffer b = ByteBuffer.allocate(48);
        DecodedPacket p = build(spec, b);
        Ipv6View ip = new Ipv6View().wrap(b, 0);
        assertEquals(64, ip.hopLimit(), "hop limit 64 by default, like the TTL");
        assertEquals(0, ip.flowLabel());
        assertEquals(0, ip.trafficClass());
        assertEquals(Bytes.of(new byte[16]), ip.source(), "no source: :: (the kernel's to fill in)");
        assertEquals(0, new UdpView().wrap(b, 40).checksum());
        assertEquals(Verdict.INVALID, p.transportChecksum(), "UDP checksum 0 is invalid over IPv6");

        PacketSpec raw = PacketSpec.raw().ipv6Destination(LOOPBACK).protocol(59).payload(Bytes.of(new byte[] {1, 2, 3}));
        ByteBuffer r = ByteBuffer.allocate(43);
        int n = assembler.assemble(raw, Randomness.seeded(1), new EmitOptions(false, false), r, 0);
        assertEquals(43, n);
        assertEquals(59, new Ipv6View().wrap(r, 0).nextHeader());
        assertEquals(0, new Ipv6View().wrap(r, 0).payloadLength(), "--no-fix-lengths leaves it 0");
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(r.array(), 40, 43));
    }

    @Test
    void theSameSeedBuildsTheSamePacketAndBadsumIsWrong() {
        PacketSpec spec = PacketSpec.tcp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).destinationPort(80);
        ByteBuffer a = ByteBuffer.allocate(60);
        ByteBuffer b = ByteBuffer.allocate(60);
        assembler.assemble(spec, Randomness.seeded(42), EmitOptions.DEFAULT, a, 0);
        assembler.assemble(spec, Randomness.seeded(42), EmitOptions.DEFAULT, b, 0);
        assertArrayEquals(a.array(), b.array());
        spec.badTransportChecksum(true);
        DecodedPacket bad = build(spec, b);
        assertEquals(Verdict.INVALID, bad.transportChecksum());
    }

    @Test
    void anIpv4SpecOrAnOversizedPayloadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> assembler.assemble(PacketSpec.tcp(), Randomness.seeded(1),
                EmitOptions.DEFAULT, ByteBuffer.allocate(100), 0));
        PacketSpec big = PacketSpec.udp().ipv6Destination(LOOPBACK).payload(Bytes.of(new byte[65535 - 7]));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> assembler.assemble(big,
                Randomness.seeded(1), EmitOptions.DEFAULT, ByteBuffer.allocate(70000), 0));
        assertTrue(e.getMessage().contains("65535"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PacketSpec.tcp().flowLabel(0x100000));
        assertThrows(IllegalArgumentException.class, () -> PacketSpec.tcp().ipv6Destination(Bytes.of(new byte[4])));
    }
}
