package dev.rawsock.wire;

import static dev.rawsock.wire.WireTesting.hex;
import static dev.rawsock.wire.WireTesting.junk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RFC 1071 arithmetic that the transport checksums rest on, and UDP's special case of zero. */
class UdpChecksumTest {

    /** RFC 1071 §3, "Numerical Examples": the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2 (2ddf0 folded). */
    @Test
    void rfc1071NumericalExample() {
        ByteBuffer b = hex("0001 f203 f4f5 f6f7");
        // The unfolded sum depends on how wide the adds are (the RFC adds 16-bit words and gets 2ddf0);
        // folded with end-around carry it is ddf2 either way.
        assertEquals(0xDDF2, fold(Checksums.sum(b, 0, 8)));
        assertEquals(0xDDF2, fold(0x2DDF0L));
        assertEquals(~0xDDF2 & 0xFFFF, Checksums.finish(Checksums.sum(b, 0, 8)));
        assertEquals(0x220D, Checksums.internet(b, 0, 8));
        // Byte-order independence (RFC 1071 §2(B)): the swapped bytes sum to the swapped result, f2dd.
        ByteBuffer swapped = hex("0100 03f2 f5f4 f7f6");
        assertEquals(~0xF2DD & 0xFFFF, Checksums.internet(swapped, 0, 8));
        // With the checksum appended the whole sums to ffff: valid.
        ByteBuffer withSum = hex("0001 f203 f4f5 f6f7 220d");
        assertEquals(0, Checksums.internet(withSum, 0, 10));
    }

    private static long fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Test
    void oddLengthIsPaddedWithAZeroByte() {
        assertEquals(Checksums.internet(hex("0001 f203 f4f5 f6f7 ab00"), 0, 10), Checksums.internet(hex("0001 f203 f4f5 f6f7 ab"), 0, 9));
        assertEquals(~0xAB00 & 0xFFFF, Checksums.internet(hex("ab"), 0, 1));
    }

    /**
     * A datagram whose checksum computes to 0 must carry 0xFFFF (RFC 768: 0 means "none"), and 0xFFFF then
     * verifies, since -0 and +0 are the same in ones' complement.
     */
    @Test
    void computedZeroIsSentAsFfff() {
        ByteBuffer b = ByteBuffer.allocate(12);
        UdpView udp = new UdpView().wrap(b, 0).sourcePort(1234).destinationPort(5678).length(12).checksum(0);
        long pseudo = Checksums.pseudoHeaderIpv4(0x7F000001, 0x7F000001, 17, 12);
        // Choose the last data word so that everything sums to ffff: its value is the checksum of the rest.
        int filler = udp.computeChecksum(pseudo, 12);
        b.putShort(10, (short) filler);
        assertEquals(0, udp.computeChecksum(pseudo, 12), "this datagram's checksum computes to zero");
        assertEquals(0xFFFF, Checksums.udpField(udp.computeChecksum(pseudo, 12)));
        udp.checksum(Checksums.udpField(udp.computeChecksum(pseudo, 12)));
        assertEquals(0xFFFF, udp.checksum());
        assertTrue(udp.checksumValid(pseudo, 12));
        assertFalse(udp.checksumAbsent());
        assertEquals(0, udp.computeChecksum(pseudo, 12), "still computed as if the field were zero");
        // Every other value passes through.
        assertEquals(0x1234, Checksums.udpField(0x1234));
        assertEquals(0xFFFF, Checksums.udpField(0xFFFF));
        assertEquals(1, Checksums.udpField(1));
        udp.checksum(0);
        assertTrue(udp.checksumAbsent());
    }

    @Test
    void agreesWithANaiveImplementationOverIpv4AndIpv6() {
        Random random = new Random(1071);
        UdpView udp = new UdpView();
        for (int n = 0; n < 10_000; n++) {
            int length = 8 + random.nextInt(100);
            int offset = random.nextInt(5);
            ByteBuffer b = junk(random, offset + length);
            udp.wrap(b, offset);
            byte[] zeroed = new byte[length];
            b.get(offset, zeroed);
            zeroed[6] = 0;
            zeroed[7] = 0;
            long pseudo;
            int expected;
            if (random.nextBoolean()) {
                int source = random.nextInt();
                int destination = random.nextInt();
                pseudo = Checksums.pseudoHeaderIpv4(source, destination, 17, length);
                expected = WireTesting.naiveChecksum(WireTesting.pseudoIpv4(source, destination, 17, length), zeroed);
            } else {
                byte[] addresses = new byte[32];
                random.nextBytes(addresses);
                pseudo = Checksums.pseudoHeaderIpv6(ByteBuffer.wrap(addresses), 0, 16, length, 17);
                expected = WireTesting.naiveChecksum(WireTesting.pseudoIpv6(java.util.Arrays.copyOfRange(addresses, 0, 16),
                        java.util.Arrays.copyOfRange(addresses, 16, 32), length, 17), zeroed);
            }
            assertEquals(expected, udp.computeChecksum(pseudo, length), "case " + n);
            udp.checksum(Checksums.udpField(expected));
            assertTrue(udp.checksumValid(pseudo, length));
        }
    }

    @Test
    void sumAgreesWithANaiveSumForEveryLengthOffsetAndByteOrder() {
        // Checksums.sum reads 8 bytes at a time, then 4, 2 and 1, in either buffer order: every split must add up.
        Random random = new Random(1071_2);
        for (int length = 0; length <= 200; length++) {
            for (int offset = 0; offset < 9; offset++) {
                byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                if (length % 7 == 3) {
                    java.util.Arrays.fill(bytes, (byte) 0xFF);
                }
                int expected = WireTesting.naiveChecksum(new byte[0], bytes);
                for (ByteBuffer b : new ByteBuffer[] {ByteBuffer.allocate(offset + length + 3),
                        ByteBuffer.allocateDirect(offset + length + 3).order(java.nio.ByteOrder.LITTLE_ENDIAN)}) {
                    b.put(offset, bytes);
                    assertEquals(expected, Checksums.internet(b, offset, length), length + " bytes at " + offset + ", " + b.order());
                }
            }
        }
    }
}
