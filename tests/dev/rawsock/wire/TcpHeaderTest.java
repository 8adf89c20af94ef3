package dev.rawsock.wire;

import static dev.rawsock.wire.WireTesting.assertOnlyFieldIs;
import static dev.rawsock.wire.WireTesting.assertUnchangedOutside;
import static dev.rawsock.wire.WireTesting.copy;
import static dev.rawsock.wire.WireTesting.edgy;
import static dev.rawsock.wire.WireTesting.hex;
import static dev.rawsock.wire.WireTesting.junk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpHeaderTest {

    /**
     * A SYN that Linux 6.18 (this project's build machine) sent for a plain connect() to
     * 198.18.0.2:8080, read from a TUN device in a private network namespace so that the kernel computed
     * both checksums itself (no offload). Made by tests/dev/rawsock/wire/capture_vectors.py, which says how.
     * IPv4 header (20 bytes), then TCP (40 bytes: 20 fixed, then mss 1460, sackOK, ts, nop, wscale 10).
     */
    static final String LINUX_SYN = "4500003c1a02400040069492c6120001c6120002"
            + "93521f90fdabcfd200000000a002faf0d95f0000" + "020405b40402080a111a5609000000000103030a";

    static final TcpHeader PLAIN = new TcpHeader(40000, 80, 1, 0, 5, 0, TcpFlags.SYN, 64240, 0, 0, Bytes.EMPTY);

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("plain SYN", PLAIN),
                Arguments.of("SYN+FIN", new TcpHeader(1234, 80, 0x7FFFFFFFL, 0, 5, 0, TcpFlags.SYN | TcpFlags.FIN, 1024, 0xBEEF, 0, Bytes.EMPTY)),
                Arguments.of("port 0 both ends", new TcpHeader(0, 0, 0, 0, 5, 0, TcpFlags.RST, 0, 0, 0, Bytes.EMPTY)),
                Arguments.of("all 9 flags and reserved bits", new TcpHeader(65535, 65535, 0xFFFFFFFFL, 0xFFFFFFFFL, 5, 7, 0x1FF, 65535, 65535, 65535, Bytes.EMPTY)),
                Arguments.of("no flags at all", new TcpHeader(1, 2, 3, 4, 5, 0, 0, 5, 6, 7, Bytes.EMPTY)),
                Arguments.of("data offset 15, junk options", new TcpHeader(5, 6, 7, 8, 15, 5, 0x0AA, 9, 10, 11,
                        Bytes.fromHex("ff00ff01 02 00 05 01 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b00"))),
                Arguments.of("data offset 0 (below the minimum)", new TcpHeader(5, 6, 7, 8, 0, 0, TcpFlags.ACK, 9, 10, 11, Bytes.EMPTY)),
                Arguments.of("data offset 4", new TcpHeader(5, 6, 7, 8, 4, 0, TcpFlags.ACK, 9, 10, 11, Bytes.EMPTY)),
                Arguments.of("data offset claims more than options hold", new TcpHeader(5, 6, 7, 8, 12, 0, TcpFlags.ACK, 9, 10, 11, Bytes.fromHex("020405b4"))),
                Arguments.of("options not a multiple of 4", new TcpHeader(5, 6, 7, 8, 6, 0, TcpFlags.ACK, 9, 10, 11, Bytes.fromHex("010101"))),
                Arguments.of("malformed options (length 0)", new TcpHeader(5, 6, 7, 8, 6, 0, TcpFlags.ACK, 9, 10, 11, Bytes.fromHex("02000000"))),
                Arguments.of("deliberately wrong checksum", new TcpHeader(37714, 8080, 0xFDABCFD2L, 0, 10, 0, TcpFlags.SYN, 64240, 0xD95F ^ 0xFFFF, 0,
                        Bytes.fromHex("020405b40402080a111a5609000000000103030a"))),
                Arguments.of("urgent pointer without URG", new TcpHeader(5, 6, 7, 8, 5, 0, TcpFlags.ACK, 9, 10, 0xFFFF, Bytes.EMPTY)),
                Arguments.of("ack number without ACK", new TcpHeader(5, 6, 7, 0xDEADBEEFL, 5, 0, TcpFlags.SYN, 9, 10, 0, Bytes.EMPTY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void tableRoundTrips(String name, TcpHeader h) {
        for (int offset : new int[] {0, 3, 14}) {
            ByteBuffer b = ByteBuffer.allocate(offset + 80);
            int written = h.emit(b, offset);
            assertEquals(h.emittedLengthBytes(), written);
            assertEquals(h, TcpHeader.decode(new TcpView().wrap(b, offset), written), name + " at offset " + offset);
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(0x7C9_2024L);
        TcpView view = new TcpView();
        for (int n = 0; n < 20_000; n++) {
            int dataOffset = (int) edgy(random, 15);
            int room = Math.max(0, dataOffset * 4 - 20);
            byte[] options = new byte[random.nextInt(room + 1)];
            random.nextBytes(options);
            TcpHeader h = new TcpHeader((int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF), edgy(random, 0xFFFFFFFFL),
                    edgy(random, 0xFFFFFFFFL), dataOffset, (int) edgy(random, 7), (int) edgy(random, 0x1FF),
                    (int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF), Bytes.of(options));
            int offset = random.nextInt(32);
            ByteBuffer b = junk(random, offset + 60 + random.nextInt(8));
            int written = h.emit(b, offset);
            assertEquals(h, TcpHeader.decode(view.wrap(b, offset), written), "case " + n);
            // The view reads every field the record holds.
            assertEquals(h.sequenceNumber(), view.sequenceNumber());
            assertEquals(h.flags(), view.flags());
        }
    }

    @Test
    void randomBytesSurviveDecodeThenEmit() {
        Random random = new Random(0xB17E5L);
        TcpView view = new TcpView();
        for (int n = 0; n < 10_000; n++) {
            ByteBuffer in = junk(random, 20 + random.nextInt(41));
            TcpHeader h = TcpHeader.decode(view.wrap(in, 0), in.capacity());
            ByteBuffer out = ByteBuffer.allocate(60);
            int written = h.emit(out, 0);
            byte[] a = new byte[written];
            byte[] b = new byte[written];
            in.get(0, a);
            out.get(0, b);
            assertArrayEquals(a, b, "case " + n);
        }
    }

    @Test
    void eachFieldAtItsExtremesLeavesTheOthersAlone() {
        record Field(String name, long max, BiConsumer<TcpView, Long> set) {}
        List<Field> fields = List.of(
                new Field("sourcePort", 0xFFFF, (v, x) -> v.sourcePort(x.intValue())),
                new Field("destinationPort", 0xFFFF, (v, x) -> v.destinationPort(x.intValue())),
                new Field("sequenceNumber", 0xFFFFFFFFL, TcpView::sequenceNumber),
                new Field("acknowledgmentNumber", 0xFFFFFFFFL, TcpView::acknowledgmentNumber),
                new Field("dataOffset", 15, (v, x) -> v.dataOffset(x.intValue())),
                new Field("reserved", 7, (v, x) -> v.reserved(x.intValue())),
                new Field("flags", 0x1FF, (v, x) -> v.flags(x.intValue())),
                new Field("window", 0xFFFF, (v, x) -> v.window(x.intValue())),
                new Field("checksum", 0xFFFF, (v, x) -> v.checksum(x.intValue())),
                new Field("urgentPointer", 0xFFFF, (v, x) -> v.urgentPointer(x.intValue())));
        Random random = new Random(42);
        TcpView view = new TcpView();
        for (int round = 0; round < 200; round++) {
            for (Field f : fields) {
                for (long value : new long[] {0, f.max()}) {
                    int offset = random.nextInt(8);
                    ByteBuffer b = junk(random, offset + 60);
                    byte[] was = copy(b);
                    // Decode only the fixed 20 bytes, so the options do not follow the data offset.
                    TcpHeader before = TcpHeader.decode(view.wrap(b, offset), 20);
                    f.set().accept(view, value);
                    TcpHeader after = TcpHeader.decode(view, 20);
                    assertOnlyFieldIs(before, after, f.name(), value);
                    assertUnchangedOutside(was, b, offset, offset + 20, f.name());
                }
            }
        }
    }

    @Test
    void linuxSynEveryField() {
        ByteBuffer b = hex(LINUX_SYN);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(4, ip.version());
        assertEquals(20, ip.headerLengthBytes());
        assertEquals(60, ip.totalLength());
        assertEquals(0x1A02, ip.identification());
        assertTrue(ip.dontFragment());
        assertEquals(64, ip.ttl());
        assertEquals(6, ip.protocol());
        assertEquals(0x9492, ip.checksum());
        assertTrue(ip.checksumValid(20), "IPv4 checksum");
        assertEquals("198.18.0.1", Ipv4Address.text(ip.source()));
        assertEquals("198.18.0.2", Ipv4Address.text(ip.destination()));

        TcpView tcp = new TcpView().wrap(b, 20);
        assertEquals(37714, tcp.sourcePort());
        assertEquals(8080, tcp.destinationPort());
        assertEquals(0xFDABCFD2L, tcp.sequenceNumber(), "unsigned, above 2^31");
        assertEquals(0, tcp.acknowledgmentNumber());
        assertEquals(10, tcp.dataOffset());
        assertEquals(40, tcp.headerLengthBytes());
        assertEquals(0, tcp.reserved());
        assertEquals(TcpFlags.SYN, tcp.flags());
        assertTrue(tcp.hasFlags(TcpFlags.SYN));
        assertFalse(tcp.hasFlags(TcpFlags.SYN | TcpFlags.ACK));
        assertEquals(64240, tcp.window());
        assertEquals(0xD95F, tcp.checksum());
        assertEquals(0, tcp.urgentPointer());

        int segment = ip.totalLength() - ip.headerLengthBytes();
        long pseudo = Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), ip.protocol(), segment);
        assertTrue(tcp.checksumValid(pseudo, segment), "TCP checksum");
        assertEquals(0xD95F, tcp.computeChecksum(pseudo, segment));

        TcpHeader h = TcpHeader.decode(tcp, segment);
        TcpOptions.Parsed options = h.parsedOptions();
        assertTrue(options.wellFormed());
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(0x111A5609L, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(10)), options.options());
        assertEquals(-1, TcpOptions.malformedAt(b, 40, 20));
        assertEquals(h.options(), TcpOptions.encode(options.options()));

        // Re-emitting the value gives the captured bytes back.
        ByteBuffer out = ByteBuffer.allocate(40);
        h.emit(out, 0);
        assertArrayEquals(Bytes.fromHex(LINUX_SYN.substring(40)).toArray(), out.array());
    }

    @Test
    void checksumIsComputedAsIfTheFieldWereZeroAndAnyWrongValueFails() {
        ByteBuffer b = hex(LINUX_SYN);
        TcpView tcp = new TcpView().wrap(b, 20);
        long pseudo = Checksums.pseudoHeaderIpv4(0xC6120001, 0xC6120002, 6, 40);
        for (int wrong : new int[] {0, 1, 0xD95E, 0xFFFF, 0x26A0}) {
            tcp.checksum(wrong);
            assertEquals(0xD95F, tcp.computeChecksum(pseudo, 40), "with 0x" + Integer.toHexString(wrong) + " in the field");
            assertFalse(tcp.checksumValid(pseudo, 40), "0x" + Integer.toHexString(wrong) + " accepted");
        }
        tcp.checksum(0xD95F);
        assertTrue(tcp.checksumValid(pseudo, 40));
        // One flipped bit anywhere, the pseudo-header included, is caught.
        b.put(35, (byte) (b.get(35) ^ 0x01));
        assertFalse(tcp.checksumValid(pseudo, 40));
        b.put(35, (byte) (b.get(35) ^ 0x01));
        assertFalse(tcp.checksumValid(Checksums.pseudoHeaderIpv4(0xC6120001, 0xC6120003, 6, 40), 40));
    }

    @Test
    void checksumAgreesWithANaiveImplementationOverIpv4AndIpv6() {
        Random random = new Random(7);
        TcpView tcp = new TcpView();
        for (int n = 0; n < 10_000; n++) {
            int length = 20 + random.nextInt(120);
            ByteBuffer b = junk(random, length);
            tcp.wrap(b, 0);
            byte[] zeroed = copy(b);
            zeroed[16] = 0;
            zeroed[17] = 0;
            if (random.nextBoolean()) {
                int source = random.nextInt();
                int destination = random.nextInt();
                long pseudo = Checksums.pseudoHeaderIpv4(source, destination, 6, length);
                int expected = WireTesting.naiveChecksum(WireTesting.pseudoIpv4(source, destination, 6, length), zeroed);
                assertEquals(expected, tcp.computeChecksum(pseudo, length));
                tcp.checksum(expected);
                assertTrue(tcp.checksumValid(pseudo, length));
            } else {
                byte[] addresses = new byte[32];
                random.nextBytes(addresses);
                long pseudo = Checksums.pseudoHeaderIpv6(ByteBuffer.wrap(addresses), 0, 16, length, 6);
                int expected = WireTesting.naiveChecksum(WireTesting.pseudoIpv6(java.util.Arrays.copyOfRange(addresses, 0, 16),
                        java.util.Arrays.copyOfRange(addresses, 16, 32), length, 6), zeroed);
                assertEquals(expected, tcp.computeChecksum(pseudo, length));
                tcp.checksum(expected);
                assertTrue(tcp.checksumValid(pseudo, length));
            }
        }
    }

    @Test
    void settersBuildTheLinuxSynFromZeros() {
        ByteBuffer b = ByteBuffer.allocate(40);
        TcpView v = new TcpView().wrap(b, 0);
        v.sourcePort(37714).destinationPort(8080).sequenceNumber(0xFDABCFD2L).acknowledgmentNumber(0).dataOffset(10)
                .flags(TcpFlags.SYN).window(64240).urgentPointer(0);
        TcpOptions.encode(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(0x111A5609L, 0),
                new TcpOption.Nop(), new TcpOption.WindowScale(10))).writeTo(b, 20);
        v.checksum(v.computeChecksum(Checksums.pseudoHeaderIpv4(0xC6120001, 0xC6120002, 6, 40), 40));
        assertArrayEquals(Bytes.fromHex(LINUX_SYN.substring(40)).toArray(), b.array());
    }

    @Test
    void rangeChecksNameTheField() {
        assertMessage("source_port", () -> new TcpHeader(65536, 0, 0, 0, 5, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("destination_port", () -> new TcpHeader(0, -1, 0, 0, 5, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("seq", () -> new TcpHeader(0, 0, 1L << 32, 0, 5, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("ack", () -> new TcpHeader(0, 0, 0, -1, 5, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("data_offset", () -> new TcpHeader(0, 0, 0, 0, 16, 0, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("reserved", () -> new TcpHeader(0, 0, 0, 0, 5, 8, 0, 0, 0, 0, Bytes.EMPTY));
        assertMessage("flags", () -> new TcpHeader(0, 0, 0, 0, 5, 0, 0x200, 0, 0, 0, Bytes.EMPTY));
        assertMessage("window", () -> new TcpHeader(0, 0, 0, 0, 5, 0, 0, 65536, 0, 0, Bytes.EMPTY));
        assertMessage("checksum", () -> new TcpHeader(0, 0, 0, 0, 5, 0, 0, 0, 65536, 0, Bytes.EMPTY));
        assertMessage("urgent_pointer", () -> new TcpHeader(0, 0, 0, 0, 5, 0, 0, 0, 0, 65536, Bytes.EMPTY));
        // Options the data offset does not cover would come back as payload, so they are refused.
        assertMessage("data_offset 5 leaves room for 0 (use data_offset 6", () -> new TcpHeader(0, 0, 0, 0, 5, 0, 0, 0, 0, 0, Bytes.fromHex("01010101")));
        assertMessage("data_offset 15 leaves room for 40", () -> new TcpHeader(0, 0, 0, 0, 15, 0, 0, 0, 0, 0, Bytes.of(new byte[41])));
    }

    @Test
    void dataOffsetFor() {
        assertEquals(5, TcpHeader.dataOffsetFor(0));
        assertEquals(6, TcpHeader.dataOffsetFor(1));
        assertEquals(6, TcpHeader.dataOffsetFor(4));
        assertEquals(10, TcpHeader.dataOffsetFor(20));
        assertEquals(15, TcpHeader.dataOffsetFor(40));
    }

    @Test
    void truncatedHeaderKeepsTheOptionsThatArrived() {
        ByteBuffer b = hex(LINUX_SYN);
        TcpHeader h = TcpHeader.decode(new TcpView().wrap(b, 20), 28);
        assertEquals(10, h.dataOffset());
        assertEquals(Bytes.fromHex("020405b40402080a"), h.options());
        TcpOptions.Parsed parsed = h.parsedOptions();
        assertEquals(6, parsed.errorOffset(), "ts runs past what arrived: " + parsed);
        assertEquals(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted()), parsed.options());
        assertEquals(Bytes.EMPTY, TcpHeader.decode(new TcpView().wrap(b, 20), 12).options());
    }

    static void assertMessage(String expected, org.junit.jupiter.api.function.Executable body) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' does not mention '" + expected + "'");
    }
}
