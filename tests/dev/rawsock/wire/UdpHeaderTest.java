package dev.rawsock.wire;

import static dev.rawsock.wire.TcpHeaderTest.assertMessage;
import static dev.rawsock.wire.WireTesting.assertOnlyFieldIs;
import static dev.rawsock.wire.WireTesting.assertUnchangedOutside;
import static dev.rawsock.wire.WireTesting.copy;
import static dev.rawsock.wire.WireTesting.edgy;
import static dev.rawsock.wire.WireTesting.hex;
import static dev.rawsock.wire.WireTesting.junk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UdpHeaderTest {

    /**
     * A datagram that Linux 6.18 sent from 198.18.0.1:40000 to 198.18.0.2:9 (discard) carrying "rawsock\n",
     * read from a TUN device in a private network namespace (no offload: the kernel computed the
     * checksum). Made by tests/dev/rawsock/wire/capture_vectors.py.
     */
    static final String LINUX_UDP = "45000024e79a40004011c706c6120001c6120002" + "9c4000090010131a" + "726177736f636b0a";

    static Stream<Arguments> table() {
        return Stream.of(
                Arguments.of("plain", new UdpHeader(40000, 53, 8 + 29, 0x1234)),
                Arguments.of("port 0 both ends", new UdpHeader(0, 0, 8, 0x1234)),
                Arguments.of("no checksum (0)", new UdpHeader(5353, 5353, 100, 0)),
                Arguments.of("everything at its maximum", new UdpHeader(65535, 65535, 65535, 65535)),
                Arguments.of("length below the header's 8", new UdpHeader(1, 2, 0, 3)),
                Arguments.of("deliberately wrong checksum", new UdpHeader(40000, 9, 16, 0x131A ^ 0xFFFF)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void tableRoundTrips(String name, UdpHeader h) {
        for (int offset : new int[] {0, 1, 34}) {
            ByteBuffer b = ByteBuffer.allocate(offset + 8);
            assertEquals(8, h.emit(b, offset));
            assertEquals(h, UdpHeader.decode(new UdpView().wrap(b, offset)), name);
        }
    }

    @Test
    void randomValuesRoundTrip() {
        Random random = new Random(768);
        UdpView view = new UdpView();
        for (int n = 0; n < 20_000; n++) {
            UdpHeader h = new UdpHeader((int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF), (int) edgy(random, 0xFFFF),
                    (int) edgy(random, 0xFFFF));
            int offset = random.nextInt(32);
            ByteBuffer b = junk(random, offset + 8 + random.nextInt(8));
            byte[] was = copy(b);
            assertEquals(8, h.emit(b, offset));
            assertUnchangedOutside(was, b, offset, offset + 8, "emit");
            assertEquals(h, UdpHeader.decode(view.wrap(b, offset)), "case " + n);
        }
    }

    @Test
    void eachFieldAtItsExtremesLeavesTheOthersAlone() {
        record Field(String name, BiConsumer<UdpView, Integer> set) {}
        List<Field> fields = List.of(new Field("sourcePort", UdpView::sourcePort), new Field("destinationPort", UdpView::destinationPort),
                new Field("length", UdpView::length), new Field("checksum", UdpView::checksum));
        Random random = new Random(43);
        UdpView view = new UdpView();
        for (int round = 0; round < 200; round++) {
            for (Field f : fields) {
                for (int value : new int[] {0, 0xFFFF}) {
                    ByteBuffer b = junk(random, 20);
                    byte[] was = copy(b);
                    UdpHeader before = UdpHeader.decode(view.wrap(b, 6));
                    f.set().accept(view, value);
                    assertOnlyFieldIs(before, UdpHeader.decode(view), f.name(), value);
                    assertUnchangedOutside(was, b, 6, 14, f.name());
                }
            }
        }
    }

    @Test
    void linuxDatagramEveryField() {
        ByteBuffer b = hex(LINUX_UDP);
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        assertEquals(17, ip.protocol());
        assertEquals(36, ip.totalLength());
        assertTrue(ip.checksumValid(20), "IPv4 checksum");
        UdpView udp = new UdpView().wrap(b, 20);
        assertEquals(40000, udp.sourcePort());
        assertEquals(9, udp.destinationPort());
        assertEquals(16, udp.length());
        assertEquals(0x131A, udp.checksum());
        assertFalse(udp.checksumAbsent());
        long pseudo = Checksums.pseudoHeaderIpv4(ip.source(), ip.destination(), 17, udp.length());
        assertTrue(udp.checksumValid(pseudo, udp.length()), "UDP checksum");
        assertEquals(0x131A, udp.computeChecksum(pseudo, udp.length()));
        assertEquals("rawsock\n", StandardCharsets.US_ASCII.decode(b.slice(28, 8)).toString());
        assertEquals(new UdpHeader(40000, 9, 16, 0x131A), UdpHeader.decode(udp));
        udp.checksum(0x131B);
        assertFalse(udp.checksumValid(pseudo, 16));
        assertEquals(0x131A, udp.computeChecksum(pseudo, 16), "computed as if the field were zero");
    }

    @Test
    void rangeChecksNameTheField() {
        assertMessage("source_port", () -> new UdpHeader(65536, 0, 8, 0));
        assertMessage("destination_port", () -> new UdpHeader(0, -1, 8, 0));
        assertMessage("length", () -> new UdpHeader(0, 0, 65536, 0));
        assertMessage("checksum", () -> new UdpHeader(0, 0, 8, -1));
    }
}
