package dev.rawsock.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Shared helpers for the wire tests: buffers from hex, record fields by name, an independent checksum. */
final class WireTesting {
    private WireTesting() {}

    /** A heap buffer holding the hex bytes. */
    static ByteBuffer hex(String text) {
        return ByteBuffer.wrap(Bytes.fromHex(text).toArray());
    }

    /** A buffer of {@code length} random bytes in a random byte order (the views must not care). */
    static ByteBuffer junk(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return ByteBuffer.wrap(bytes).order(random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    static byte[] copy(ByteBuffer b) {
        byte[] out = new byte[b.capacity()];
        b.get(0, out);
        return out;
    }

    /** A record's components by name, in declaration order. */
    static Map<String, Object> fields(Record r) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                out.put(c.getName(), c.getAccessor().invoke(r));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** Asserts that {@code after} differs from {@code before} at most in {@code field}, which holds {@code value}. */
    static void assertOnlyFieldIs(Record before, Record after, String field, long value) {
        Map<String, Object> b = fields(before);
        Map<String, Object> a = fields(after);
        assertEquals(value, ((Number) a.get(field)).longValue(), field + " after setting it");
        for (String name : b.keySet()) {
            if (!name.equals(field)) {
                assertEquals(b.get(name), a.get(name), name + " changed when only " + field + " was set to " + value);
            }
        }
    }

    /** Asserts that the bytes outside [from, to) are unchanged. */
    static void assertUnchangedOutside(byte[] before, ByteBuffer after, int from, int to, String what) {
        byte[] now = copy(after);
        assertArrayEquals(java.util.Arrays.copyOfRange(before, 0, from), java.util.Arrays.copyOfRange(now, 0, from), what + " wrote before its bytes");
        assertArrayEquals(java.util.Arrays.copyOfRange(before, to, before.length), java.util.Arrays.copyOfRange(now, to, now.length), what + " wrote past its bytes");
    }

    /**
     * The RFC 1071 checksum written the slow, obvious way (byte array, one 16-bit word at a time, folded
     * every step), to check {@link Checksums} and the views against something that shares no code.
     */
    static int naiveChecksum(byte[]... parts) {
        int total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        byte[] all = new byte[total + 1];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        int sum = 0;
        for (int i = 0; i < total; i += 2) {
            sum += ((all[i] & 0xFF) << 8) | (all[i + 1] & 0xFF);
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    /** The IPv4 pseudo-header as bytes (RFC 793 §3.1): source, destination, zero, protocol, length. */
    static byte[] pseudoIpv4(int source, int destination, int protocol, int length) {
        return ByteBuffer.allocate(12).putInt(source).putInt(destination).put((byte) 0).put((byte) protocol)
                .putShort((short) length).array();
    }

    /** The IPv6 pseudo-header as bytes (RFC 8200 §8.1): addresses, 32-bit length, three zeros, next header. */
    static byte[] pseudoIpv6(byte[] source, byte[] destination, int length, int nextHeader) {
        return ByteBuffer.allocate(40).put(source).put(destination).putInt(length).put(new byte[3])
                .put((byte) nextHeader).array();
    }

    /** A random value 0..max, picking 0 or max about one time in four each (the edges matter most). */
    static long edgy(Random random, long max) {
        int pick = random.nextInt(8);
        if (pick < 2) {
            return 0;
        }
        if (pick < 4) {
            return max;
        }
        return (random.nextLong() & Long.MAX_VALUE) % (max + 1);
    }
}
