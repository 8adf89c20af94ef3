package dev.rawsock.craft;

import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assembly of specs: automatic fields computed, explicit ones written as given, randomness reproducible. */
class AssemblerTest {
    private static final int LOOPBACK = Ipv4Address.parse("127.0.0.1");
    private final Assembler assembler = new Assembler();
    private final PacketDecoder decoder = new PacketDecoder();

    private DecodedPacket build(PacketSpec spec, long seed, EmitOptions options, ByteBuffer b) {
        int n = assembler.assemble(spec, Randomness.seeded(seed), options, b, 0);
        return decoder.decode(b, 0, n, n, FirstLayer.IPV4, new DecodedPacket());
    }

    @Test
    void synWithOptionsHasEveryAutomaticFieldRight() {
        Bytes options = TcpOptions.encode(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7)));
        PacketSpec spec = PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).destinationPort(8080)
                .sourcePort(40000).sequence(1000L).tcpOptions(options);
        ByteBuffer b = ByteBuffer.allocate(100);
        DecodedPacket p = build(spec, 1, EmitOptions.DEFAULT, b);
        assertEquals(List.of(Layer.IPV4, Layer.TCP), List.of(p.layer(0), p.layer(1)));
        assertEquals(2, p.layerCount());
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(5, ip.ihl());
        assertEquals(20 + 40, ip.totalLength());
        assertEquals(64, ip.ttl());
        assertEquals(6, ip.protocol());
        TcpView tcp = new TcpView().wrap(b, 20);
        assertEquals(10, tcp.dataOffset(), "20 bytes of options (19 padded to 20) make a 40-byte header");
        assertEquals(TcpFlags.SYN, tcp.flags());
        assertEquals(64240, tcp.window());
        assertEquals(Verdict.VALID, p.ipv4Checksum());
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertFalse(p.malformed());
    }

    @Test
    void theSameSeedBuildsTheSamePacketAndAnotherSeedDoesNot() {
        PacketSpec spec = PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).destinationPort(80);
        ByteBuffer a = ByteBuffer.allocate(64);
        ByteBuffer b = ByteBuffer.allocate(64);
        ByteBuffer c = ByteBuffer.allocate(64);
        build(spec, 42, EmitOptions.DEFAULT, a);
        build(spec, 42, EmitOptions.DEFAULT, b);
        build(spec, 43, EmitOptions.DEFAULT, c);
        assertArrayEquals(a.array(), b.array());
        assertFalse(java.util.Arrays.equals(a.array(), c.array()));
        TcpView t = new TcpView().wrap(a, 20);
        assertTrue(t.sourcePort() >= Randomness.EPHEMERAL_LOW && t.sourcePort() <= Randomness.EPHEMERAL_HIGH);
    }

    @Test
    void explicitFieldsAreWrittenAsGivenEvenWhenWrong() {
        PacketSpec spec = PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK)
                .flags(TcpFlags.SYN | TcpFlags.FIN).sourcePort(0).destinationPort(0)
                .ipChecksum(0x1234).totalLength(999).ihl(6).identification(0).flagReserved(true)
                .dataOffset(4).tcpReserved(7).transportChecksum(0xBEEF).sequence(0xFFFFFFFFL);
        ByteBuffer b = ByteBuffer.allocate(64);
        DecodedPacket p = build(spec, 1, EmitOptions.DEFAULT, b);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(0x1234, ip.checksum());
        assertEquals(999, ip.totalLength());
        assertEquals(6, ip.ihl());
        assertEquals(0, ip.identification());
        assertTrue(ip.flagReserved());
        TcpView tcp = new TcpView().wrap(b, 20);
        assertEquals(TcpFlags.SYN | TcpFlags.FIN, tcp.flags());
        assertEquals(4, tcp.dataOffset());
        assertEquals(7, tcp.reserved());
        assertEquals(0xBEEF, tcp.checksum());
        assertEquals(0xFFFFFFFFL, tcp.sequenceNumber());
        assertTrue(p.malformed(), "an ihl of 6 without options contradicts the packet");
    }

    @Test
    void badsumIsWrongAndEmitOptionsSwitchOff() {
        PacketSpec udp = PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).destinationPort(53)
                .payload(Bytes.of((byte) 1, (byte) 2, (byte) 3)).badTransportChecksum(true);
        ByteBuffer b = ByteBuffer.allocate(64);
        assertEquals(Verdict.INVALID, build(udp, 5, EmitOptions.DEFAULT, b).transportChecksum());
        assertNotEquals(0, new UdpView().wrap(b, 20).checksum(), "a bad UDP checksum is never 0 (which means none)");

        PacketSpec tcp = PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).badTransportChecksum(true);
        assertEquals(Verdict.INVALID, build(tcp, 5, EmitOptions.DEFAULT, ByteBuffer.allocate(64)).transportChecksum());

        ByteBuffer raw = ByteBuffer.allocate(64);
        build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK), 5, new EmitOptions(false, false), raw);
        Ipv4View ip = new Ipv4View().wrap(raw, 0);
        assertEquals(0, ip.ihl());
        assertEquals(0, ip.totalLength());
        assertEquals(0, ip.checksum());
        assertEquals(0, new TcpView().wrap(raw, 20).dataOffset());
        assertEquals(0, new TcpView().wrap(raw, 20).checksum());
    }

    @Test
    void kernelRewriteNotesSayWhatLinuxChanges() {
        ByteBuffer b = ByteBuffer.allocate(64);
        PacketSpec spec = PacketSpec.tcp().destination(LOOPBACK).identification(0);
        assembler.assemble(spec, Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        List<String> notes = KernelRewrites.notes(spec, b, 0);
        assertTrue(notes.get(0).contains("always rewrites the IP checksum and total length"), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("IP id is 0")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.contains("source is 0.0.0.0") && n.contains("TCP checksum")), notes.toString());

        PacketSpec sourced = PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).identification(7);
        assembler.assemble(sourced, Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        assertEquals(1, KernelRewrites.notes(sourced, b, 0).size());
    }

    @Test
    void fragmentsCarryTheDataInEightByteUnits() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        PacketSpec spec = PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK).destinationPort(9)
                .identification(77).payload(Bytes.of(data))
                .ipOptions(Bytes.of((byte) 0x94, (byte) 4, (byte) 0, (byte) 0, (byte) 0x07, (byte) 3, (byte) 4));
        ByteBuffer b = ByteBuffer.allocate(200);
        int n = assembler.assemble(spec, Randomness.seeded(1), EmitOptions.DEFAULT, b, 0);
        List<Bytes> fragments = Fragmenter.fragment(b, 0, n, 60);
        assertTrue(fragments.size() > 1);
        java.io.ByteArrayOutputStream reassembled = new java.io.ByteArrayOutputStream();
        Ipv4View f = new Ipv4View();
        int expectedOffset = 0;
        for (int i = 0; i < fragments.size(); i++) {
            ByteBuffer fb = ByteBuffer.wrap(fragments.get(i).toArray());
            f.wrap(fb, 0);
            assertTrue(fb.capacity() <= 60);
            assertEquals(fb.capacity(), f.totalLength());
            assertEquals(77, f.identification());
            assertEquals(i < fragments.size() - 1, f.moreFragments());
            assertEquals(expectedOffset, f.fragmentOffset());
            assertTrue(f.checksumValid(f.headerLengthBytes()));
            if (i == 0) {
                assertEquals(28, f.headerLengthBytes(), "the first fragment keeps every option");
            } else {
                assertEquals(24, f.headerLengthBytes(), "later ones keep only Router Alert (copied flag); Record Route is dropped");
            }
            int dataBytes = f.totalLength() - f.headerLengthBytes();
            if (i < fragments.size() - 1) {
                assertEquals(0, dataBytes % 8);
            }
            reassembled.write(fb.array(), f.headerLengthBytes(), dataBytes);
            expectedOffset += dataBytes / 8;
        }
        byte[] original = new byte[n - 28];
        b.get(28, original);
        assertArrayEquals(original, reassembled.toByteArray(), "the UDP header and data, in order");
    }

    @Test
    void oversizedOrOutOfRangeValuesAreRefusedByName() {
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> PacketSpec.tcp().destinationPort(70000));
        assertEquals("dport must be 0-65535 but was 70000", port.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PacketSpec.tcp().ttl(256));
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> assembler.assemble(
                PacketSpec.raw().payload(Bytes.of(new byte[65520])), Randomness.seeded(1), EmitOptions.DEFAULT,
                ByteBuffer.allocate(70000), 0));
        assertTrue(big.getMessage().contains("more than IPv4's 65535"), big.getMessage());
    }

    @Test
    void theBufferByteOrderAndKindDoNotChangeTheBytes() {
        // The views read and write big-endian fields a short or an int at a time, swapping for little-endian
        // buffers (the send path's direct buffers are in native order): the bytes must come out the same.
        Bytes options = TcpOptions.encode(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(0x01020304L, 0xA0B0C0D0L), new TcpOption.Nop(), new TcpOption.WindowScale(7)));
        PacketSpec spec = PacketSpec.tcp().source(Ipv4Address.parse("198.18.0.1")).destination(Ipv4Address.parse("198.18.255.2"))
                .destinationPort(0xBEEF).tcpOptions(options).payload(Bytes.of(new byte[] {1, 2, 3, 4, 5}))
                .dscp(46).ecn(1).dontFragment(true).fragmentOffset(0x1ABC);
        ByteBuffer heap = ByteBuffer.allocate(80);
        ByteBuffer direct = ByteBuffer.allocateDirect(80).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = assembler.assemble(spec, Randomness.seeded(7), EmitOptions.DEFAULT, heap, 3);
        assertEquals(n, assembler.assemble(spec, Randomness.seeded(7), EmitOptions.DEFAULT, direct, 3));
        byte[] a = new byte[n];
        byte[] b = new byte[n];
        heap.get(3, a);
        direct.get(3, b);
        assertArrayEquals(a, b);
        Ipv4View ip = new Ipv4View().wrap(direct, 3);
        assertEquals(Ipv4Address.parse("198.18.255.2"), ip.destination());
        assertEquals(0x1ABC, ip.fragmentOffset());
        assertTrue(ip.dontFragment());
        assertEquals(n, ip.totalLength());
        TcpView tcp = new TcpView().wrap(direct, 3 + 20);
        assertEquals(0xBEEF, tcp.destinationPort());
        assertEquals(new TcpView().wrap(heap, 3 + 20).sequenceNumber(), tcp.sequenceNumber());
        assertEquals(0xC0, direct.get(3 + 20 + 20 + 14) & 0xFF, "tsecr's third byte (options: mss 4, sackOK 2, ts from 6)");
        DecodedPacket p = new PacketDecoder().decode(direct, 3, n, n, FirstLayer.IPV4, new DecodedPacket());
        assertEquals(Verdict.VALID, p.ipv4Checksum());
        assertFalse(p.malformed());
    }

    /** A random spec: every field left automatic or made explicit (in range, or at its edges), any transport. */
    private static PacketSpec randomSpec(java.util.SplittableRandom r) {
        Transport[] transports = Transport.values();
        PacketSpec s = PacketSpec.of(transports[r.nextInt(transports.length)]);
        if (r.nextInt(4) != 0) {
            s.source(r.nextInt());
        }
        if (r.nextInt(4) != 0) {
            s.destination(r.nextInt());
        }
        if (r.nextBoolean()) {
            s.ttl(r.nextInt(256)).dscp(r.nextInt(64)).ecn(r.nextInt(4)).fragmentOffset(r.nextBoolean() ? 0 : r.nextInt(0x2000));
            s.flagReserved(r.nextBoolean()).dontFragment(r.nextBoolean()).moreFragments(r.nextBoolean());
        }
        if (r.nextInt(3) == 0) {
            s.identification(r.nextInt(0x10000));
        }
        if (r.nextInt(6) == 0) {
            s.ihl(r.nextInt(16));
        }
        if (r.nextInt(6) == 0) {
            s.totalLength(r.nextInt(0x10000));
        }
        if (r.nextInt(6) == 0) {
            s.ipChecksum(r.nextInt(0x10000));
        }
        if (r.nextInt(6) == 0) {
            s.protocol(r.nextInt(256));
        }
        if (r.nextInt(4) == 0) {
            s.ipOptions(randomBytes(r, r.nextInt(41)));
        }
        if (r.nextInt(3) == 0) {
            s.sourcePort(r.nextInt(0x10000));
        }
        s.destinationPort(r.nextInt(0x10000));
        if (r.nextInt(3) == 0) {
            s.sequence(r.nextBoolean() ? 0xFFFFFFFFL : r.nextLong(0x100000000L));
        }
        if (r.nextBoolean()) {
            s.acknowledgment(r.nextLong(0x100000000L)).flags(r.nextInt(0x200)).window(r.nextInt(0x10000))
                    .urgentPointer(r.nextInt(0x10000)).tcpReserved(r.nextInt(8));
        }
        if (r.nextInt(6) == 0) {
            s.dataOffset(r.nextInt(16));
        }
        if (r.nextBoolean()) {
            s.tcpOptions(randomBytes(r, r.nextInt(41)));
        }
        if (r.nextInt(6) == 0) {
            s.udpLength(r.nextInt(0x10000));
        }
        if (r.nextBoolean()) {
            s.icmpType(r.nextInt(256)).icmpCode(r.nextInt(256)).icmpSequence(r.nextInt(0x10000));
        }
        if (r.nextInt(3) == 0) {
            s.icmpIdentifier(r.nextInt(0x10000));
        }
        if (r.nextInt(6) == 0) {
            s.icmpRestOfHeader(r.nextLong(0x100000000L));
        }
        if (r.nextInt(6) == 0) {
            s.transportChecksum(r.nextInt(0x10000));
        }
        s.badTransportChecksum(r.nextInt(5) == 0);
        int payload = r.nextInt(4) == 0 ? 0 : r.nextInt(8) == 0 ? r.nextInt(3000) : r.nextInt(64);
        s.payload(randomBytes(r, payload));
        return s;
    }

    private static Bytes randomBytes(java.util.SplittableRandom r, int length) {
        byte[] b = new byte[length];
        if (r.nextInt(4) == 0) {
            java.util.Arrays.fill(b, (byte) (r.nextBoolean() ? 0 : 0xFF)); // all-zero and all-ones sums
        } else {
            r.nextBytes(b);
        }
        return Bytes.of(b);
    }

    @Test
    void matchesTheFieldByFieldAssemblerOnRandomSpecs() {
        // The assembler writes whole words and sums as it goes; the first, field-by-field one is the oracle.
        java.util.SplittableRandom r = new java.util.SplittableRandom(0xA55E_4B1EL);
        FieldByFieldAssembler oracle = new FieldByFieldAssembler();
        EmitOptions[] emits = {EmitOptions.DEFAULT, new EmitOptions(false, false), new EmitOptions(true, false),
            new EmitOptions(false, true)};
        for (int i = 0; i < 20_000; i++) {
            PacketSpec spec = randomSpec(r);
            EmitOptions emit = emits[r.nextInt(emits.length)];
            long seed = r.nextLong();
            int offset = r.nextInt(9);
            int capacity = offset + Assembler.lengthOf(spec) + r.nextInt(9);
            ByteBuffer expected = r.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
            ByteBuffer actual = r.nextBoolean() ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
            expected.order(r.nextBoolean() ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
            actual.order(r.nextBoolean() ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
            byte garbage = (byte) r.nextInt(256); // what was in the buffer before must not show through
            for (int k = 0; k < capacity; k++) {
                expected.put(k, garbage);
                actual.put(k, garbage);
            }
            Randomness expectedRandom = Randomness.seeded(seed);
            Randomness actualRandom = Randomness.seeded(seed);
            int n = oracle.assemble(spec, expectedRandom, emit, expected, offset);
            assertEquals(n, assembler.assemble(spec, actualRandom, emit, actual, offset));
            byte[] want = new byte[capacity];
            byte[] got = new byte[capacity];
            expected.get(0, want);
            actual.get(0, got);
            if (!java.util.Arrays.equals(want, got)) {
                assertEquals(java.util.HexFormat.of().formatHex(want), java.util.HexFormat.of().formatHex(got),
                        "spec " + i + " (" + spec.transport() + ", " + emit + ", offset " + offset + ")");
            }
            assertEquals(expectedRandom.nextSequence(), actualRandom.nextSequence(), "the same draws, in the same order");
        }
    }
}
