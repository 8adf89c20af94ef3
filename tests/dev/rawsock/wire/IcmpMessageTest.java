package dev.rawsock.wire;

import static dev.rawsock.wire.TcpHeaderTest.assertMessage;
import static dev.rawsock.wire.WireTesting.assertOnlyFieldIs;
import static dev.rawsock.wire.WireTesting.assertUnchangedOutside;
import static dev.rawsock.wire.WireTesting.copy;
import static dev.rawsock.wire.WireTesting.edgy;
import static dev.rawsock.wire.WireTesting.hex;
import static dev.rawsock.wire.WireTesting.junk;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IcmpMessageTest {

    /**
     * An echo request that Linux 6.18 built on a ping socket (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP),
     * bound to "port" 0x1234, which the kernel writes as the identifier) to 198.18.0.2, sequence 1,
     * data "abcdefgh"; read from a TUN device in a private network namespace, the checksum computed by
     * the kernel. Made by tests/dev/rawsock/wire/capture_vectors.py.
     */
    static final String LINUX_ECHO = "45000024028b40004001ac26c6120001c6120002" + "0800543512340001" + "6162636465666768";

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("echo request", new IcmpMessage(8, 0, 0x5435, 0x12340001L, Bytes.fromHex("6162636465666768"))),
                Arguments.of("echo reply, no data", new IcmpMessage(0, 0, 0xFFFF, IcmpMessage.idAndSequence(0xFFFF, 0xFFFF), Bytes.EMPTY)),
                Arguments.of("port unreachable quoting a datagram", new IcmpMessage(3, 3, 0x1234, 0,
                        Bytes.fromHex(UdpHeaderTest.LINUX_UDP.substring(0, 56)))),
                Arguments.of("frag needed, mtu 1280", new IcmpMessage(3, 4, 0, 1280, Bytes.of(new byte[28]))),
                Arguments.of("unknown type and code", new IcmpMessage(255, 255, 0, 0xFFFFFFFFL, Bytes.fromHex("00"))),
                Arguments.of("echo with a code", new IcmpMessage(8, 77, 0, 0, Bytes.EMPTY)),
                Arguments.of("deliberately wrong checksum", new IcmpMessage(8, 0, 0x5436, 0x12340001L, Bytes.fromHex("6162636465666768"))),
                Arguments.of("odd data length", new IcmpMessage(13, 0, 1, 2, Bytes.fromHex("000000010000000200000003ab"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void tableRoundTrips(String name, IcmpMessage m) {
        for (int offset : new int[] {0, 5, 20}) {
            ByteBuffer b = ByteBuffer.allocate(offset + m.emittedLengthBytes() + 4);
            int written = m.emit(b, offset);
            assertEquals(m.emittedLengthBytes(), written);
            assertEquals(m, IcmpMessage.decode(new IcmpView().wrap(b, offset), written), name);
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(792);
        IcmpView view = new IcmpView();
        for (int n = 0; n < 20_000; n++) {
            byte[] data = new byte[random.nextInt(40)];
            random.nextBytes(data);
            IcmpMessage m = new IcmpMessage((int) edgy(random, 0xFF), (int) edgy(random, 0xFF), (int) edgy(random, 0xFFFF),
                    edgy(random, 0xFFFFFFFFL), Bytes.of(data));
            int offset = random.nextInt(32);
            ByteBuffer b = junk(random, offset + m.emittedLengthBytes() + random.nextInt(8));
            int written = m.emit(b, offset);
            assertEquals(m, IcmpMessage.decode(view.wrap(b, offset), written), "case " + n);
            assertEquals(m.identifier(), view.identifier());
            assertEquals(m.sequence(), view.sequence());
        }
    }

    @Test
    void eachRecordFieldAtItsExtremesLeavesTheOthersAlone() {
        record Field(String name, long max, BiConsumer<IcmpView, Long> set) {}
        List<Field> fields = List.of(
                new Field("type", 0xFF, (v, x) -> v.type(x.intValue())),
                new Field("code", 0xFF, (v, x) -> v.code(x.intValue())),
                new Field("checksum", 0xFFFF, (v, x) -> v.checksum(x.intValue())),
                new Field("restOfHeader", 0xFFFFFFFFL, IcmpView::restOfHeader));
        Random random = new Random(44);
        IcmpView view = new IcmpView();
        for (int round = 0; round < 200; round++) {
            for (Field f : fields) {
                for (long value : new long[] {0, f.max()}) {
                    ByteBuffer b = junk(random, 40);
                    byte[] was = copy(b);
                    IcmpMessage before = IcmpMessage.decode(view.wrap(b, 3), 30);
                    f.set().accept(view, value);
                    assertOnlyFieldIs(before, IcmpMessage.decode(view, 30), f.name(), value);
                    assertUnchangedOutside(was, b, 3, 11, f.name());
                }
            }
        }
    }

    /** The per-type readings of bytes 4-7 (and the timestamp/mask fields in the data) each touch only their own bytes. */
    @Test
    void eachTypeSpecificFieldAtItsExtremesTouchesOnlyItsBytes() {
        record Field(String name, int from, int to, long max, BiConsumer<IcmpView, Long> set, ToLongFunction<IcmpView> get) {}
        List<Field> fields = List.of(
                new Field("identifier", 4, 6, 0xFFFF, (v, x) -> v.identifier(x.intValue()), IcmpView::identifier),
                new Field("sequence", 6, 8, 0xFFFF, (v, x) -> v.sequence(x.intValue()), IcmpView::sequence),
                new Field("gateway", 4, 8, 0xFFFFFFFFL, (v, x) -> v.gateway(x.intValue()), v -> v.gateway() & 0xFFFFFFFFL),
                new Field("nextHopMtu", 6, 8, 0xFFFF, (v, x) -> v.nextHopMtu(x.intValue()), IcmpView::nextHopMtu),
                new Field("pointer", 4, 5, 0xFF, (v, x) -> v.pointer(x.intValue()), IcmpView::pointer),
                new Field("originateTimestamp", 8, 12, 0xFFFFFFFFL, IcmpView::originateTimestamp, IcmpView::originateTimestamp),
                new Field("receiveTimestamp", 12, 16, 0xFFFFFFFFL, IcmpView::receiveTimestamp, IcmpView::receiveTimestamp),
                new Field("transmitTimestamp", 16, 20, 0xFFFFFFFFL, IcmpView::transmitTimestamp, IcmpView::transmitTimestamp),
                new Field("addressMask", 8, 12, 0xFFFFFFFFL, (v, x) -> v.addressMask(x.intValue()), v -> v.addressMask() & 0xFFFFFFFFL));
        Random random = new Random(45);
        IcmpView view = new IcmpView();
        for (int round = 0; round < 200; round++) {
            for (Field f : fields) {
                for (long value : new long[] {0, f.max()}) {
                    ByteBuffer b = junk(random, 30);
                    byte[] was = copy(b);
                    f.set().accept(view.wrap(b, 2), value);
                    assertEquals(value, f.get().applyAsLong(view), f.name());
                    assertUnchangedOutside(was, b, 2 + f.from(), 2 + f.to(), f.name());
                }
            }
        }
    }

    @Test
    void linuxEchoRequestEveryField() {
        ByteBuffer b = hex(LINUX_ECHO);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(1, ip.protocol());
        assertTrue(ip.checksumValid(20), "IPv4 checksum");
        int length = ip.totalLength() - ip.headerLengthBytes();
        IcmpView icmp = new IcmpView().wrap(b, 20);
        assertEquals(IcmpTypes.ECHO_REQUEST, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x5435, icmp.checksum());
        assertEquals(0x12340001L, icmp.restOfHeader());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(1, icmp.sequence());
        assertTrue(icmp.checksumValid(length), "ICMP checksum");
        assertEquals(0x5435, icmp.computeChecksum(length));
        IcmpMessage m = IcmpMessage.decode(icmp, length);
        assertEquals(new IcmpMessage(8, 0, 0x5435, 0x12340001L, Bytes.fromHex("6162636465666768")), m);
        assertEquals("echo-request", m.typeName());
        assertEquals(0x1234, m.identifier());
        assertEquals(1, m.sequence());
        icmp.checksum(0);
        assertFalse(icmp.checksumValid(length));
        assertEquals(0x5435, icmp.computeChecksum(length), "computed as if the field were zero");
    }

    /** The reply a Linux host gives: type 0, the same identifier, sequence and data; only type and checksum change. */
    @Test
    void buildingTheEchoReplyWithTheSetters() {
        ByteBuffer b = ByteBuffer.allocate(16);
        IcmpView v = new IcmpView().wrap(b, 0).type(IcmpTypes.ECHO_REPLY).code(0).identifier(0x1234).sequence(1);
        b.put(8, "abcdefgh".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        v.checksum(v.computeChecksum(16));
        // Changing type 8 to 0 adds 0x0800 to the checksum (RFC 1624 incremental update): 0x5435 + 0x0800.
        assertEquals(0x5C35, v.checksum());
        assertTrue(v.checksumValid(16));
        assertArrayEquals(Bytes.fromHex("00005c3512340001 6162636465666768").toArray(), b.array());
    }

    @Test
    void checksumAgreesWithANaiveImplementation() {
        Random random = new Random(950);
        IcmpView v = new IcmpView();
        for (int n = 0; n < 10_000; n++) {
            int length = 8 + random.nextInt(100);
            ByteBuffer b = junk(random, length);
            byte[] zeroed = copy(b);
            zeroed[2] = 0;
            zeroed[3] = 0;
            int expected = WireTesting.naiveChecksum(zeroed);
            assertEquals(expected, v.wrap(b, 0).computeChecksum(length));
            v.checksum(expected);
            assertTrue(v.checksumValid(length));
        }
    }

    @Test
    void rangeChecksNameTheField() {
        assertMessage("type", () -> new IcmpMessage(256, 0, 0, 0, Bytes.EMPTY));
        assertMessage("code", () -> new IcmpMessage(0, -1, 0, 0, Bytes.EMPTY));
        assertMessage("checksum", () -> new IcmpMessage(0, 0, 65536, 0, Bytes.EMPTY));
        assertMessage("rest_of_header", () -> new IcmpMessage(0, 0, 0, 1L << 32, Bytes.EMPTY));
    }

    @Test
    void shortMessagesDecodeWithoutData() {
        ByteBuffer b = hex(LINUX_ECHO);
        assertEquals(Bytes.EMPTY, IcmpMessage.decode(new IcmpView().wrap(b, 20), 8).data());
        assertEquals(Bytes.EMPTY, IcmpMessage.decode(new IcmpView().wrap(b, 20), 3).data());
    }
}
