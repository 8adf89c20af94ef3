package dev.rawsock.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Bytes#writeSummed} and {@link Bytes#writePaddedSummed}, which the assembler writes options and
 * payloads with: the bytes land exactly where asked (nothing before or after is touched), the padding is
 * zeros up to a multiple of 4, and the sum returned folds to the checksum of what was written (the
 * unfolded sums may differ by how wide the adds were; only their value mod 0xFFFF counts), for every length around the word path's limit and the bulk copy past it, in both byte orders,
 * direct and heap buffers, even and odd offsets, the first call and the ones after (which use what the
 * first kept).
 */
class BytesTest {
    private static final byte UNTOUCHED = (byte) 0xA5;

    @Test
    void writeSummedWritesExactlyTheBytesAndReturnsTheirSum() {
        SplittableRandom random = new SplittableRandom(791);
        for (int length = 0; length <= 100; length++) {
            Bytes bytes = Bytes.of(randomBytes(random, length));
            for (ByteBuffer b : buffers(length + 16)) {
                for (int call = 0; call < 2; call++) {
                    for (int offset : new int[] {2, 3}) {
                        fill(b);
                        long sum = bytes.writeSummed(b, offset);
                        String where = where(length, b, offset, call);
                        assertEquals(bytes, Bytes.copyOf(b, offset, length), where);
                        assertUntouched(b, 0, offset, where);
                        assertUntouched(b, offset + length, b.limit(), where);
                        assertEquals(Checksums.internet(b, offset, length), Checksums.finish(sum), where);
                    }
                }
            }
        }
    }

    @Test
    void writePaddedSummedPadsWithZerosToFourAndReturnsTheSum() {
        SplittableRandom random = new SplittableRandom(9293);
        for (int length = 0; length <= 100; length++) {
            Bytes bytes = Bytes.of(randomBytes(random, length));
            int padded = (length + 3) & ~3;
            for (ByteBuffer b : buffers(padded + 16)) {
                for (int call = 0; call < 2; call++) {
                    for (int offset : new int[] {2, 3}) {
                        fill(b);
                        long sum = bytes.writePaddedSummed(b, offset);
                        String where = where(length, b, offset, call);
                        assertEquals(bytes, Bytes.copyOf(b, offset, length), where);
                        for (int i = offset + length; i < offset + padded; i++) {
                            assertEquals(0, b.get(i), where + ": padding at " + (i - offset));
                        }
                        assertUntouched(b, 0, offset, where);
                        assertUntouched(b, offset + padded, b.limit(), where);
                        assertEquals(Checksums.internet(b, offset, padded), Checksums.finish(sum), where);
                    }
                }
            }
        }
    }

    /** TCP options as Linux puts them on a SYN: the sum folds as that of their 16-bit words does. */
    @Test
    void sumOfKnownOptions() {
        Bytes options = Bytes.fromHex("020405b4 0402080a 00000001 00000000 01030307");
        ByteBuffer b = ByteBuffer.allocate(20);
        long expected = 0x0204 + 0x05b4 + 0x0402 + 0x080a + 0x0000 + 0x0001 + 0x0000 + 0x0000 + 0x0103 + 0x0307;
        assertEquals(Checksums.finish(expected), Checksums.finish(options.writePaddedSummed(b, 0)));
        assertEquals(Checksums.finish(expected), Checksums.finish(options.writeSummed(b, 0)));
        assertEquals("020405b40402080a00000001000000000103030", HexFormat.of().formatHex(b.array()).substring(0, 39));
    }

    /** What a write keeps is not part of the value: a written and a fresh run are equal, with equal hashes. */
    @Test
    void writingDoesNotChangeTheValue() {
        Bytes written = Bytes.fromHex("0102030405");
        written.writePaddedSummed(ByteBuffer.allocate(8), 0);
        Bytes fresh = Bytes.fromHex("0102030405");
        assertEquals(fresh, written);
        assertEquals(fresh.hashCode(), written.hashCode());
        assertEquals("0102030405", written.hex());
        assertNotEquals(Bytes.fromHex("0102030406"), written);
    }

    private static byte[] randomBytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) random.nextInt(0x100);
        }
        return bytes;
    }

    private static ByteBuffer[] buffers(int capacity) {
        return new ByteBuffer[] {
            ByteBuffer.allocate(capacity),
            ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN),
            ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder()),
            ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN),
        };
    }

    private static void fill(ByteBuffer b) {
        for (int i = 0; i < b.limit(); i++) {
            b.put(i, UNTOUCHED);
        }
    }

    private static void assertUntouched(ByteBuffer b, int from, int to, String where) {
        byte[] expected = new byte[Math.max(0, to - from)];
        Arrays.fill(expected, UNTOUCHED);
        byte[] actual = new byte[expected.length];
        b.get(from, actual);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(actual), where + ": bytes " + from + "-" + to);
    }

    private static String where(int length, ByteBuffer b, int offset, int call) {
        return length + " bytes at offset " + offset + " of a " + (b.isDirect() ? "direct " : "heap ") + b.order()
                + " buffer, call " + (call + 1);
    }
}
