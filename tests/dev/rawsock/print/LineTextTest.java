package dev.rawsock.print;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rawsock.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

/** LineText writes what StringBuilder and Ipv4Address write (the oracle), and grows past its first array. */
class LineTextTest {
    @Test
    void numbersAndAddressesAsStringBuilderWritesThem() {
        SplittableRandom random = new SplittableRandom(9);
        long[] edges = {0, 1, 9, 10, 99, 100, 65535, 4294967295L, Integer.MAX_VALUE, Long.MAX_VALUE, -1, -10, Long.MIN_VALUE};
        LineText text = new LineText();
        StringBuilder oracle = new StringBuilder();
        for (int n = 0; n < 5_000; n++) {
            long value = n < edges.length ? edges[n] : random.nextLong() >>> random.nextInt(64);
            int address = random.nextInt();
            text.clear();
            oracle.setLength(0);
            text.append(value).append(' ').append((int) value).append(" > ").ipv4(address);
            oracle.append(value).append(' ').append((int) value).append(" > ");
            Ipv4Address.append(oracle, address);
            assertEquals(oracle.toString(), text.toString());
        }
    }

    @Test
    void growsForALongLineAndAppendsToTheCallersBuilder() {
        LineText text = new LineText();
        StringBuilder oracle = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            text.append("word ").append(i);
            oracle.append("word ").append(i);
            StringBuilder scratch = text.scratch().append('[').append(i).append(']');
            text.append(scratch);
            oracle.append('[').append(i).append(']');
        }
        assertEquals(oracle.length(), text.length());
        assertEquals("> " + oracle, text.appendTo(new StringBuilder("> ")).toString());
    }
}
