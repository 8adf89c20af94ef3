package dev.rawsock.wire;

import static dev.rawsock.wire.WireTesting.copy;
import static dev.rawsock.wire.WireTesting.edgy;
import static dev.rawsock.wire.WireTesting.fields;
import static dev.rawsock.wire.WireTesting.hex;
import static dev.rawsock.wire.WireTesting.junk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The IPv4 header (RFC 791 §3.1): view, value, checksum (RFC 1071), and headers a Linux kernel sent. */
class Ipv4HeaderTest {
    private static final int AT = 5;

    /**
     * A UDP datagram 198.18.0.1:40001 -> 198.18.0.2:9 ("rr\n") that Linux 6.18 (this project's build
     * machine) sent with a Record Route option set by IP_OPTIONS, read from a TUN device in a private network
     * namespace: made by tests/dev/rawsock/wire/capture_vectors.py, which says how. The kernel recorded its
     * own address in the first of two slots (pointer 4 became 8), padded the 11-byte option with one EOL to
     * 12 bytes (ihl 8) and computed the header checksum 0x503a (re-verified by an independent RFC 1071 sum
     * in Python, and by {@link WireTesting#naiveChecksum} here).
     */
    static final String LINUX_RECORD_ROUTE = "4800002b388f40004011503ac6120001c6120002" + "070b08c61200010000000000"
            + "9c410009000b5af3" + "72720a";

    /**
     * The worked example of Wikipedia's "Internet checksum" article (section "Calculating the IPv4 header
     * checksum"): the words of 4500 0073 0000 4000 4011 ____ c0a8 0001 c0a8 00c7 sum to 2479c, fold to 479e,
     * and the checksum is b861.
     */
    static final String WIKIPEDIA_EXAMPLE = "45000073000040004011b861c0a80001c0a800c7";

    static final Ipv4Header LINUX_RR_VALUE = new Ipv4Header(4, 8, 0, 0, 43, 0x388F, false, true, false, 0, 64, 17, 0x503A,
            0xC6120001, 0xC6120002, Bytes.fromHex("070b08c61200010000000000"));

    static Stream<Arguments> table() {
        // 40 bytes: an unknown option type, NOPs, a length-0 option, junk, an unassigned type 0xde.
        Bytes junk40 = Bytes.fromHex("ff00ff01 02 00 05 01 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b deadbeef");
        return Stream.of(
                Arguments.of("Linux record route header", LINUX_RR_VALUE),
                Arguments.of("plain header", new Ipv4Header(4, 5, 0, 0, 40, 1, false, true, false, 0, 64, 6, 0x1234, 0x7F000001, 0x7F000001, Bytes.EMPTY)),
                Arguments.of("ihl 15 with 40 bytes of junk options", new Ipv4Header(4, 15, 1, 2, 60, 3, false, false, false, 0, 4, 5, 6, 7, 8, junk40)),
                Arguments.of("ihl 0 (below the minimum)", new Ipv4Header(4, 0, 0, 0, 20, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("ihl 4", new Ipv4Header(4, 4, 0, 0, 20, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("version 0", new Ipv4Header(0, 5, 0, 0, 20, 9, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("version 15", new Ipv4Header(15, 5, 0, 0, 20, 9, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("version 6 in an IPv4 header", new Ipv4Header(6, 5, 0, 0, 20, 9, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("the reserved (evil) flag alone", new Ipv4Header(4, 5, 0, 0, 20, 9, true, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("DF and MF together", new Ipv4Header(4, 5, 0, 0, 20, 9, false, true, true, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("fragment offset 8191, MF", new Ipv4Header(4, 5, 0, 0, 28, 9, false, false, true, 8191, 64, 17, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("fragment offset 8191 with every flag", new Ipv4Header(4, 5, 0, 0, 28, 9, true, true, true, 8191, 64, 17, 0, 1, 2, Bytes.EMPTY)),
                Arguments.of("deliberately wrong checksum", new Ipv4Header(4, 8, 0, 0, 43, 0x388F, false, true, false, 0, 64, 17, 0x503A ^ 0xFFFF,
                        0xC6120001, 0xC6120002, Bytes.fromHex("070b08c61200010000000000"))),
                Arguments.of("every field at its maximum", new Ipv4Header(15, 15, 63, 3, 65535, 65535, true, true, true, 8191, 255, 255, 65535,
                        0xFFFFFFFF, 0xFFFFFFFF, Bytes.of(filled(40, 0xFF)))),
                Arguments.of("every field zero", new Ipv4Header(0, 0, 0, 0, 0, 0, false, false, false, 0, 0, 0, 0, 0, 0, Bytes.EMPTY)),
                Arguments.of("addresses with the top bit set", new Ipv4Header(4, 5, 0, 0, 20, 0, false, false, false, 0, 1, 1, 0, 0x80000000, 0xFFFFFFFE, Bytes.EMPTY)),
                Arguments.of("ihl claims more than the options hold", new Ipv4Header(4, 15, 0, 0, 60, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.fromHex("94040000"))),
                Arguments.of("options not a multiple of 4", new Ipv4Header(4, 6, 0, 0, 24, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.fromHex("010101"))),
                Arguments.of("malformed options (length 0)", new Ipv4Header(4, 6, 0, 0, 24, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.fromHex("07000000"))),
                Arguments.of("total length below the header", new Ipv4Header(4, 5, 0, 0, 3, 0, false, false, false, 0, 64, 6, 0, 1, 2, Bytes.EMPTY)));
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void tableRoundTrips(String name, Ipv4Header h) {
        for (int offset : new int[] {0, 3, 14}) {
            ByteBuffer b = junk(new Random(offset), offset + 80);
            int written = h.emit(b, offset);
            assertEquals(h.emittedLengthBytes(), written);
            assertEquals(20 + h.options().length(), written);
            Ipv4View v = new Ipv4View().wrap(b, offset);
            assertEquals(h, Ipv4Header.decode(v, written), name + " at offset " + offset);
            // The view reads back what the value wrote, field by field.
            assertEquals(h.version(), v.version());
            assertEquals(h.ihl(), v.ihl());
            assertEquals(h.dscp(), v.dscp());
            assertEquals(h.ecn(), v.ecn());
            assertEquals((h.dscp() << 2) | h.ecn(), v.tos());
            assertEquals(h.flagReserved(), v.flagReserved());
            assertEquals(h.dontFragment(), v.dontFragment());
            assertEquals(h.moreFragments(), v.moreFragments());
            assertEquals(h.fragmentOffset(), v.fragmentOffset());
            assertEquals(h.source(), v.source());
            assertEquals(h.destination(), v.destination());
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(0x1F4_791L);
        Ipv4View view = new Ipv4View();
        for (int n = 0; n < 20_000; n++) {
            int ihl = (int) edgy(random, 15);
            int room = Math.max(0, ihl * 4 - 20);
            byte[] options = new byte[random.nextInt(room + 1)];
            random.nextBytes(options);
            Ipv4Header h = new Ipv4Header((int) edgy(random, 15), ihl, (int) edgy(random, 63), (int) edgy(random, 3),
                    (int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF), random.nextBoolean(), random.nextBoolean(),
                    random.nextBoolean(), (int) edgy(random, 0x1FFF), (int) edgy(random, 0xFF), (int) edgy(random, 0xFF),
                    (int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFFFFFFL), (int) edgy(random, 0xFFFFFFFFL), Bytes.of(options));
            int offset = random.nextInt(32);
            ByteBuffer b = junk(random, offset + 60 + random.nextInt(8));
            int written = h.emit(b, offset);
            assertEquals(h, Ipv4Header.decode(view.wrap(b, offset), written), "case " + n);
            assertEquals(h.totalLength(), view.totalLength());
            assertEquals(h.fragmentOffset(), view.fragmentOffset());
        }
    }

    @Test
    void randomBytesSurviveDecodeThenEmit() {
        Random random = new Random(0x4B17E5L);
        Ipv4View view = new Ipv4View();
        for (int n = 0; n < 10_000; n++) {
            ByteBuffer in = junk(random, 20 + random.nextInt(41));
            Ipv4Header h = Ipv4Header.decode(view.wrap(in, 0), in.capacity());
            assertEquals(Math.max(0, Math.min(view.headerLengthBytes(), in.capacity()) - 20), h.options().length(), "case " + n);
            ByteBuffer out = ByteBuffer.allocate(60);
            int written = h.emit(out, 0);
            byte[] a = new byte[written];
            byte[] b = new byte[written];
            in.get(0, a);
            out.get(0, b);
            assertArrayEquals(a, b, "case " + n);
        }
    }

    private static Fields<Ipv4View> viewFields() {
        return new Fields<Ipv4View>()
                .add("version", Ipv4View::version, (v, x) -> v.version(x.intValue()), 0, 4)
                .add("ihl", Ipv4View::ihl, (v, x) -> v.ihl(x.intValue()), 4, 4)
                .add("dscp", Ipv4View::dscp, (v, x) -> v.dscp(x.intValue()), 8, 6)
                .add("ecn", Ipv4View::ecn, (v, x) -> v.ecn(x.intValue()), 14, 2)
                .add("total_length", Ipv4View::totalLength, (v, x) -> v.totalLength(x.intValue()), 16, 16)
                .add("id", Ipv4View::identification, (v, x) -> v.identification(x.intValue()), 32, 16)
                .add("flag_reserved", v -> v.flagReserved() ? 1 : 0, (v, x) -> v.flags(x != 0, v.dontFragment(), v.moreFragments()), 48, 1)
                .add("df", v -> v.dontFragment() ? 1 : 0, (v, x) -> v.flags(v.flagReserved(), x != 0, v.moreFragments()), 49, 1)
                .add("mf", v -> v.moreFragments() ? 1 : 0, (v, x) -> v.flags(v.flagReserved(), v.dontFragment(), x != 0), 50, 1)
                .add("fragment_offset", Ipv4View::fragmentOffset, (v, x) -> v.fragmentOffset(x.intValue()), 51, 13)
                .add("ttl", Ipv4View::ttl, (v, x) -> v.ttl(x.intValue()), 64, 8)
                .add("protocol", Ipv4View::protocol, (v, x) -> v.protocol(x.intValue()), 72, 8)
                .add("checksum", Ipv4View::checksum, (v, x) -> v.checksum(x.intValue()), 80, 16)
                .add("src", v -> v.source() & 0xFFFFFFFFL, (v, x) -> v.source(x.intValue()), 96, 32)
                .add("dst", v -> v.destination() & 0xFFFFFFFFL, (v, x) -> v.destination(x.intValue()), 128, 32);
    }

    @Test
    void eachViewFieldRoundTripsOverATableAndRandomValues() {
        ByteBuffer b = ByteBuffer.allocate(AT + Ipv4View.MIN_HEADER_BYTES + 3);
        int checked = viewFields().roundTripEachField(new Ipv4View().wrap(b, AT), b, 0x4040);
        assertTrue(checked >= 15 * Fields.RANDOM_ROUNDS);
    }

    /** Writing 0 and the all-ones value of a field changes that field's bits and no other bit of the buffer. */
    @Test
    void eachViewFieldAtItsExtremesLeavesEveryOtherBitAlone() {
        ByteBuffer b = ByteBuffer.allocate(AT + Ipv4View.MIN_HEADER_BYTES + 3);
        viewFields().extremesLeaveNeighboursUntouched(new Ipv4View().wrap(b, AT), b, AT, 0x4041);
    }

    /** The same seen through the value: setting one field at 0 and at its maximum leaves every other record field as it was. */
    @Test
    void eachFieldAtItsExtremesLeavesTheOtherDecodedFieldsAlone() {
        record Field(String name, long max, BiConsumer<Ipv4View, Long> set) {}
        List<Field> all = List.of(
                new Field("version", 15, (v, x) -> v.version(x.intValue())),
                new Field("ihl", 15, (v, x) -> v.ihl(x.intValue())),
                new Field("dscp", 63, (v, x) -> v.dscp(x.intValue())),
                new Field("ecn", 3, (v, x) -> v.ecn(x.intValue())),
                new Field("totalLength", 0xFFFF, (v, x) -> v.totalLength(x.intValue())),
                new Field("identification", 0xFFFF, (v, x) -> v.identification(x.intValue())),
                new Field("flagReserved", 1, (v, x) -> v.flags(x != 0, v.dontFragment(), v.moreFragments())),
                new Field("dontFragment", 1, (v, x) -> v.flags(v.flagReserved(), x != 0, v.moreFragments())),
                new Field("moreFragments", 1, (v, x) -> v.flags(v.flagReserved(), v.dontFragment(), x != 0)),
                new Field("fragmentOffset", 0x1FFF, (v, x) -> v.fragmentOffset(x.intValue())),
                new Field("ttl", 0xFF, (v, x) -> v.ttl(x.intValue())),
                new Field("protocol", 0xFF, (v, x) -> v.protocol(x.intValue())),
                new Field("checksum", 0xFFFF, (v, x) -> v.checksum(x.intValue())),
                new Field("source", 0xFFFFFFFFL, (v, x) -> v.source(x.intValue())),
                new Field("destination", 0xFFFFFFFFL, (v, x) -> v.destination(x.intValue())));
        Random random = new Random(791);
        Ipv4View view = new Ipv4View();
        for (int round = 0; round < 200; round++) {
            for (Field f : all) {
                for (long value : new long[] {0, f.max()}) {
                    int offset = random.nextInt(8);
                    ByteBuffer b = junk(random, offset + 60);
                    byte[] was = copy(b);
                    // Decode only the fixed 20 bytes, so the options do not follow the ihl.
                    Map<String, Object> before = fields(Ipv4Header.decode(view.wrap(b, offset), 20));
                    f.set().accept(view, value);
                    Map<String, Object> after = fields(Ipv4Header.decode(view, 20));
                    Object got = after.get(f.name());
                    long asLong = got instanceof Boolean on ? (on ? 1 : 0) : ((Number) got).longValue() & 0xFFFFFFFFL;
                    assertEquals(value, asLong, f.name() + " after setting it");
                    for (String name : before.keySet()) {
                        if (!name.equals(f.name())) {
                            assertEquals(before.get(name), after.get(name), name + " changed when only " + f.name() + " was set to " + value);
                        }
                    }
                    WireTesting.assertUnchangedOutside(was, b, offset, offset + 20, f.name());
                }
            }
        }
    }

    @Test
    void linuxRecordRouteHeaderEveryField() {
        ByteBuffer b = hex(LINUX_RECORD_ROUTE);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(4, ip.version());
        assertEquals(8, ip.ihl());
        assertEquals(32, ip.headerLengthBytes());
        assertEquals(0, ip.dscp());
        assertEquals(0, ip.ecn());
        assertEquals(43, ip.totalLength());
        assertEquals(43, b.capacity(), "the whole datagram was captured");
        assertEquals(0x388F, ip.identification());
        assertFalse(ip.flagReserved());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertEquals(0, ip.fragmentOffset());
        assertEquals(64, ip.ttl());
        assertEquals(17, ip.protocol());
        assertEquals(0x503A, ip.checksum());
        assertEquals("198.18.0.1", Ipv4Address.text(ip.source()));
        assertEquals("198.18.0.2", Ipv4Address.text(ip.destination()));
        assertTrue(ip.checksumValid(32));
        assertEquals(0x503A, ip.computeChecksum(32));
        byte[] zeroed = java.util.Arrays.copyOf(b.array(), 32);
        zeroed[10] = 0;
        zeroed[11] = 0;
        assertEquals(0x503A, WireTesting.naiveChecksum(zeroed), "independent RFC 1071 sum");
        // Checked over the fixed 20 bytes only, the checksum is wrong: the options are part of the header.
        assertFalse(ip.checksumValid(20));

        Ipv4Header h = Ipv4Header.decode(ip, b.capacity());
        assertEquals(LINUX_RR_VALUE, h);
        Ipv4Options.Parsed options = h.parsedOptions();
        assertTrue(options.wellFormed(), options.toString());
        assertEquals(List.of(new Ipv4Options.Option(Ipv4Options.RECORD_ROUTE, 11, Bytes.fromHex("08c612000100000000")),
                new Ipv4Options.Option(Ipv4Options.EOL, 1, Bytes.EMPTY)), options.options());
        assertEquals("rr", options.options().get(0).name());
        assertEquals(-1, Ipv4Options.malformedAt(b, 20, 12));
        assertEquals(h.options(), Ipv4Options.encode(options.options()));

        // The UDP datagram behind it checks out too: the header length really is 32 bytes.
        UdpView udp = new UdpView().wrap(b, 32);
        assertEquals(40001, udp.sourcePort());
        assertEquals(9, udp.destinationPort());
        assertEquals(11, udp.length());
        assertTrue(udp.checksumValid(Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), 17, 11), 11));

        // Re-emitting the value gives the captured bytes back.
        ByteBuffer out = ByteBuffer.allocate(32);
        assertEquals(32, h.emit(out, 0));
        assertArrayEquals(java.util.Arrays.copyOf(b.array(), 32), out.array());

        // And the decoder agrees.
        DecodedPacket p = new PacketDecoder().decode(b, 0, 43, 43, FirstLayer.IPV4, new DecodedPacket());
        assertEquals(Verdict.VALID, p.ipv4Checksum());
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertEquals(32, p.length(Layer.IPV4));
        assertFalse(p.malformed(), p.errorMessage());
    }

    @Test
    void linuxSynHeaderEveryField() {
        // The IPv4 header of TcpHeaderTest's captured SYN (see there and capture_vectors.py).
        ByteBuffer b = hex(TcpHeaderTest.LINUX_SYN);
        Ipv4Header h = Ipv4Header.decode(new Ipv4View().wrap(b, 0), b.capacity());
        assertEquals(new Ipv4Header(4, 5, 0, 0, 60, 0x1A02, false, true, false, 0, 64, 6, 0x9492, 0xC6120001, 0xC6120002, Bytes.EMPTY), h);
        assertEquals(20, h.emittedLengthBytes());
        assertTrue(new Ipv4View().wrap(b, 0).checksumValid(20));
    }

    @Test
    void settersBuildTheLinuxHeaderFromZeros() {
        ByteBuffer b = ByteBuffer.allocate(32);
        Ipv4View v = new Ipv4View().wrap(b, 0);
        v.version(4).ihl(8).dscp(0).ecn(0).totalLength(43).identification(0x388F).flags(false, true, false).fragmentOffset(0)
                .ttl(64).protocol(17).source(Ipv4Address.parse("198.18.0.1")).destination(Ipv4Address.parse("198.18.0.2"));
        Ipv4Options.encode(List.of(new Ipv4Options.Option(Ipv4Options.RECORD_ROUTE, 11, Bytes.fromHex("08c612000100000000")),
                new Ipv4Options.Option(Ipv4Options.EOL, 1, Bytes.EMPTY))).writeTo(b, 20);
        v.checksum(v.computeChecksum(32));
        assertArrayEquals(Bytes.fromHex(LINUX_RECORD_ROUTE.substring(0, 64)).toArray(), b.array());
    }

    @Test
    void checksumIsComputedAsIfTheFieldWereZeroAndAnyWrongValueFails() {
        ByteBuffer b = hex(LINUX_RECORD_ROUTE);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        for (int wrong : new int[] {0, 1, 0x5039, 0xFFFF, 0xAFC5}) {
            ip.checksum(wrong);
            assertEquals(0x503A, ip.computeChecksum(32), "with 0x" + Integer.toHexString(wrong) + " in the field");
            assertFalse(ip.checksumValid(32), "0x" + Integer.toHexString(wrong) + " accepted");
        }
        ip.checksum(0x503A);
        assertTrue(ip.checksumValid(32));
        // One flipped bit anywhere in the header, the options included, is caught.
        for (int bit = 0; bit < 32 * 8; bit++) {
            b.put(bit >>> 3, (byte) (b.get(bit >>> 3) ^ (0x80 >>> (bit & 7))));
            assertFalse(ip.checksumValid(32), "bit " + bit + " flipped");
            b.put(bit >>> 3, (byte) (b.get(bit >>> 3) ^ (0x80 >>> (bit & 7))));
        }
        assertTrue(ip.checksumValid(32));
    }

    @Test
    void checksumAgreesWithANaiveImplementation() {
        Random random = new Random(1071);
        Ipv4View ip = new Ipv4View();
        for (int n = 0; n < 10_000; n++) {
            int offset = random.nextInt(7);
            int headerBytes = 4 * (5 + random.nextInt(11));
            ByteBuffer b = junk(random, offset + headerBytes + random.nextInt(5));
            ip.wrap(b, offset);
            byte[] zeroed = new byte[headerBytes];
            b.get(offset, zeroed);
            zeroed[10] = 0;
            zeroed[11] = 0;
            int expected = WireTesting.naiveChecksum(zeroed);
            assertEquals(expected, ip.computeChecksum(headerBytes), "case " + n);
            // Valid exactly when the field holds the checksum, or ffff where it computes to 0 (-0 and +0 in ones' complement).
            assertEquals(ip.checksum() == expected || (expected == 0 && ip.checksum() == 0xFFFF), ip.checksumValid(headerBytes), "case " + n);
            ip.checksum(expected);
            assertTrue(ip.checksumValid(headerBytes), "case " + n);
            assertEquals(0, Checksums.internet(b, offset, headerBytes));
        }
    }

    /** RFC 1071 arithmetic on known vectors that UdpChecksumTest does not cover: IPv4 headers and end-around carries. */
    @Test
    void checksumKnownVectors() {
        // Wikipedia's worked example.
        ByteBuffer wiki = hex(WIKIPEDIA_EXAMPLE);
        Ipv4View ip = new Ipv4View().wrap(wiki, 0);
        assertEquals(0xB861, ip.computeChecksum(20));
        assertTrue(ip.checksumValid(20));
        ip.checksum(0);
        assertEquals(0xB861, Checksums.internet(wiki, 0, 20));
        assertEquals(0xB861, Checksums.finish(0x2479CL));
        // The captured Linux headers.
        assertEquals(0x9492, new Ipv4View().wrap(hex(TcpHeaderTest.LINUX_SYN), 0).computeChecksum(20));
        assertEquals(0x503A, new Ipv4View().wrap(hex(LINUX_RECORD_ROUTE), 0).computeChecksum(32));
        // Folding: 0 and ffff are the two zeros of ones' complement; carries fold back in, more than once if need be.
        assertEquals(0xFFFF, Checksums.finish(0));
        assertEquals(0, Checksums.finish(0xFFFF));
        assertEquals(0, Checksums.finish(0x1FFFE), "1fffe -> fffe + 1 = ffff");
        assertEquals(0xFFFE, Checksums.finish(0x10000), "10000 -> 0 + 1 = 1");
        assertEquals(0, Checksums.finish(0xFFFEFFFF0001L), "fffe + ffff + 0001 = 1fffe -> ffff");
        // The fold without a loop against RFC 1071's loop: the edges of each fold step, and random sums.
        long[] edges = {1, 0xFFFE, 0x10000, 0x1FFFF, 0x2FFFD, 0xFFFFFFFFL, 0x100000000L, 0x1FFFFFFFEL,
                0xFFFF0000FFFFL, 0x7FFFFFFFFFFFFFFFL, 0x8000000000000000L, -1L, -2L,
                0x1FFFFFFFFFFFFL}; // the last: 10001fffe -> 1ffff -> 10000 -> 1, so three folds are not enough
        for (long sum : edges) {
            assertEquals(foldByLoop(sum), Checksums.finish(sum), Long.toHexString(sum));
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(1071);
        for (int k = 0; k < 100_000; k++) {
            long sum = random.nextLong() >>> random.nextInt(64);
            assertEquals(foldByLoop(sum), Checksums.finish(sum), Long.toHexString(sum));
        }
        // The byte[] overload and a little-endian buffer give the same sums as a big-endian buffer.
        byte[] bytes = Bytes.fromHex(LINUX_RECORD_ROUTE).toArray();
        ByteBuffer little = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < 8; from++) {
            for (int length = 0; from + length <= bytes.length; length++) {
                long expected = Checksums.sum(ByteBuffer.wrap(bytes), from, length);
                assertEquals(expected, Checksums.sum(bytes, from, length));
                assertEquals(expected, Checksums.sum(little, from, length));
                assertEquals(WireTesting.naiveChecksum(java.util.Arrays.copyOfRange(bytes, from, from + length)), Checksums.finish(expected),
                        from + "+" + length);
            }
        }
        // A whole 65535-byte packet of ff bytes: 32767 words of ffff and a last byte padded to ff00.
        byte[] big = filled(65535, 0xFF);
        assertEquals(WireTesting.naiveChecksum(big), Checksums.internet(ByteBuffer.wrap(big), 0, big.length));
        assertEquals(0x00FF, Checksums.internet(ByteBuffer.wrap(big), 0, big.length));
    }

    @Test
    void rangeChecksNameTheField() {
        assertMessage("version", () -> header(16, 5, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("ihl", () -> header(4, 16, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("ihl", () -> header(4, -1, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("dscp", () -> header(4, 5, 64, 0, 0, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("ecn", () -> header(4, 5, 0, 4, 0, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("total_length", () -> header(4, 5, 0, 0, 65536, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("id", () -> header(4, 5, 0, 0, 0, -1, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("fragment_offset", () -> header(4, 5, 0, 0, 0, 0, 8192, 0, 0, 0, Bytes.EMPTY));
        assertMessage("ttl", () -> header(4, 5, 0, 0, 0, 0, 0, 256, 0, 0, Bytes.EMPTY));
        assertMessage("protocol", () -> header(4, 5, 0, 0, 0, 0, 0, 0, 256, 0, Bytes.EMPTY));
        assertMessage("checksum", () -> header(4, 5, 0, 0, 0, 0, 0, 0, 0, 0x10000, Bytes.EMPTY));
        assertMessage("at most 40 bytes, not 41", () -> header(4, 15, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.of(new byte[41])));
        // Every value at its limit is accepted.
        header(15, 15, 63, 3, 65535, 65535, 8191, 255, 255, 65535, Bytes.of(new byte[40]));
    }

    /**
     * Options the ihl does not cover would come back as IP payload, so decode(emit(h)) would not give h
     * back: such values are refused, as TcpHeader refuses options its data offset does not cover, with the
     * ihl that would fit.
     */
    @Test
    void optionsLongerThanTheIhlCoversAreRefused() {
        assertMessage("options are 4 bytes but ihl 5 leaves room for 0 (use ihl 6", () -> header(4, 5, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.fromHex("94040000")));
        assertMessage("options are 1 bytes but ihl 0 leaves room for 0 (use ihl 6", () -> header(4, 0, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.fromHex("01")));
        assertMessage("options are 12 bytes but ihl 7 leaves room for 8 (use ihl 8", () -> header(4, 7, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.of(new byte[12])));
        assertMessage("options are 40 bytes but ihl 14 leaves room for 36 (use ihl 15", () -> header(4, 14, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.of(new byte[40])));
        // Up to what the ihl covers is fine, and so is less (a truncated capture, or a crafted lie).
        header(4, 6, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.fromHex("94040000"));
        header(4, 15, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.fromHex("94040000"));
        header(4, 8, 0, 0, 0, 0, 0, 0, 0, 0, Bytes.of(new byte[12]));
        // The ihl the message suggests really takes the options, and the value then round-trips.
        for (int length = 1; length <= 40; length++) {
            Bytes options = Bytes.of(filled(length, 1));
            int suggested = Ipv4Header.ihlFor(length);
            assertThrows(IllegalArgumentException.class, () -> header(4, suggested - 1, 0, 0, 0, 0, 0, 0, 0, 0, options));
            Ipv4Header h = header(4, suggested, 0, 0, 0, 0, 0, 0, 0, 0, options);
            ByteBuffer b = ByteBuffer.allocate(60);
            assertEquals(h, Ipv4Header.decode(new Ipv4View().wrap(b, 0), h.emit(b, 0)));
        }
    }

    @Test
    void ihlFor() {
        assertEquals(5, Ipv4Header.ihlFor(0));
        assertEquals(6, Ipv4Header.ihlFor(1));
        assertEquals(6, Ipv4Header.ihlFor(4));
        assertEquals(7, Ipv4Header.ihlFor(5));
        assertEquals(8, Ipv4Header.ihlFor(11));
        assertEquals(15, Ipv4Header.ihlFor(40));
    }

    @Test
    void truncatedHeaderKeepsTheOptionsThatArrived() {
        ByteBuffer b = hex(LINUX_RECORD_ROUTE);
        Ipv4Header h = Ipv4Header.decode(new Ipv4View().wrap(b, 0), 26);
        assertEquals(8, h.ihl());
        assertEquals(Bytes.fromHex("070b08c61200"), h.options());
        Ipv4Options.Parsed parsed = h.parsedOptions();
        assertEquals(0, parsed.errorOffset(), "rr runs past what arrived: " + parsed);
        assertTrue(parsed.error().contains("runs past"), parsed.error());
        assertEquals(Bytes.EMPTY, Ipv4Header.decode(new Ipv4View().wrap(b, 0), 12).options());
        assertEquals(Bytes.EMPTY, Ipv4Header.decode(new Ipv4View().wrap(b, 0), 20).options());
    }

    private static Ipv4Header header(int version, int ihl, int dscp, int ecn, int totalLength, int id, int fragmentOffset,
                                     int ttl, int protocol, int checksum, Bytes options) {
        return new Ipv4Header(version, ihl, dscp, ecn, totalLength, id, false, false, false, fragmentOffset, ttl, protocol,
                checksum, 0, 0, options);
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' does not mention '" + expected + "'");
    }

    /** RFC 1071's fold, as a loop: add the carries back until 16 bits remain; then the complement. */
    private static int foldByLoop(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}
