package dev.rawsock.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test support for flyweight views: a table of a view's fields (getter, setter, and the bits the field
 * occupies, counted from the header's first bit, most significant first as in the RFC diagrams), and the
 * checks every view gets:
 * <ul>
 *   <li>each field round-trips over a table of values and {@link #RANDOM_ROUNDS} seeded random values, with
 *       random bytes around it (so a getter that reads a neighbour's bits fails);</li>
 *   <li>writing a field's extremes (0 and all ones) over zeros, ones and random bytes changes exactly the
 *       field's bits and nothing else in the buffer.</li>
 * </ul>
 */
final class Fields<V> {
    /** One field of a view: {@code bits} wide at {@code bitOffset} from the header start. */
    record Field<V>(String name, ToLongFunction<V> get, BiConsumer<V, Long> set, int bitOffset, int bits) {
        long max() {
            return bits == 64 ? -1L : (1L << bits) - 1;
        }
    }

    static final int RANDOM_ROUNDS = 10_000;

    private final List<Field<V>> fields = new ArrayList<>();
    private Consumer<ByteBuffer> fixup = b -> {};

    /** A field of {@code bits} bits starting {@code bitOffset} bits into the header. */
    Fields<V> add(String name, ToLongFunction<V> get, BiConsumer<V, Long> set, int bitOffset, int bits) {
        fields.add(new Field<>(name, get, set, bitOffset, bits));
        return this;
    }

    /** Runs after the buffer is filled with test bytes (ARP pins its length fields so addresses stay put). */
    Fields<V> fixup(Consumer<ByteBuffer> fixup) {
        this.fixup = fixup;
        return this;
    }

    List<Field<V>> all() {
        return fields;
    }

    int count() {
        return fields.size();
    }

    /** 0, 1, max, max - 1, every power of two (and one below) up to max, and alternating bit patterns. */
    static long[] table(long max) {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, max, max - 1, max >>> 1,
                0x5555_5555_5555_5555L & max, 0xAAAA_AAAA_AAAA_AAAAL & max));
        for (long p = 2; p > 0 && p <= max; p <<= 1) {
            values.add(p);
            values.add(p - 1);
        }
        return values.stream().filter(v -> v >= 0 && v <= max).distinct().mapToLong(Long::longValue).toArray();
    }

    static long random(Random random, long max) {
        return random.nextLong() & max;
    }

    /**
     * For each field: set and get over the table and {@link #RANDOM_ROUNDS} seeded random values, with the
     * buffer refilled with random bytes every 100 values; the view sits at a non-zero offset.
     * Returns the number of values checked.
     */
    int roundTripEachField(V view, ByteBuffer buffer, long seed) {
        Random random = new Random(seed);
        int checked = 0;
        for (Field<V> f : fields) {
            fill(buffer, random);
            for (long v : table(f.max())) {
                f.set().accept(view, v);
                assertEquals(v, f.get().applyAsLong(view), f.name() + " = " + v);
                checked++;
            }
            for (int i = 0; i < RANDOM_ROUNDS; i++) {
                if (i % 100 == 0) {
                    fill(buffer, random);
                }
                long v = random(random, f.max());
                f.set().accept(view, v);
                assertEquals(v, f.get().applyAsLong(view), f.name() + " = " + v);
                checked++;
            }
        }
        return checked;
    }

    /**
     * For each field: writing 0 and its largest value over a buffer of zeros, of ones, and of random bytes
     * changes the field's own bits and no other bit of the buffer.
     */
    void extremesLeaveNeighboursUntouched(V view, ByteBuffer buffer, int headerOffset, long seed) {
        Random random = new Random(seed);
        byte[] bytes = buffer.array();
        for (Field<V> f : fields) {
            for (int round = 0; round < 20; round++) {
                if (round == 0) {
                    java.util.Arrays.fill(bytes, (byte) 0x00);
                } else if (round == 1) {
                    java.util.Arrays.fill(bytes, (byte) 0xFF);
                } else {
                    random.nextBytes(bytes);
                }
                fixup.accept(buffer);
                for (long extreme : new long[] {0, f.max()}) {
                    byte[] before = bytes.clone();
                    f.set().accept(view, extreme);
                    assertEquals(extreme, f.get().applyAsLong(view), f.name());
                    for (int bit = 0; bit < bytes.length * 8; bit++) {
                        int relative = bit - headerOffset * 8;
                        boolean own = relative >= f.bitOffset() && relative < f.bitOffset() + f.bits();
                        boolean was = (before[bit >>> 3] & (0x80 >>> (bit & 7))) != 0;
                        boolean is = (bytes[bit >>> 3] & (0x80 >>> (bit & 7))) != 0;
                        if (!own && was != is) {
                            fail("writing " + f.name() + " = " + extreme + " changed bit " + (bit & 7) + " of byte "
                                    + (bit >>> 3) + " (header byte " + ((bit >>> 3) - headerOffset) + ")");
                        }
                    }
                }
            }
        }
    }

    private void fill(ByteBuffer buffer, Random random) {
        random.nextBytes(buffer.array());
        fixup.accept(buffer);
    }

    static ByteBuffer hex(String hex) {
        return ByteBuffer.wrap(Bytes.fromHex(hex).toArray());
    }
}
