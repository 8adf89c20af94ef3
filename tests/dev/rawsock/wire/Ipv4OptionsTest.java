package dev.rawsock.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * IPv4 options (RFC 791 §3.1): the allocation-free check the decoder uses ({@link Ipv4Options#malformedAt})
 * and the parser the printers use ({@link Ipv4Options#parse}) must agree on every input, and both must find
 * a malformation where it starts.
 */
class Ipv4OptionsTest {

    /** Option bytes that hit every branch often: known and unknown types, lengths around the edges. */
    private static byte[] randomOptions(Random random) {
        int n = random.nextInt(41);
        byte[] out = new byte[n];
        int[] types = {Ipv4Options.EOL, Ipv4Options.NOP, Ipv4Options.RECORD_ROUTE, Ipv4Options.TIMESTAMP,
            Ipv4Options.LOOSE_SOURCE_ROUTE, Ipv4Options.STRICT_SOURCE_ROUTE, Ipv4Options.ROUTER_ALERT};
        int i = 0;
        while (i < n) {
            int pick = random.nextInt(10);
            if (pick < 2) {
                out[i++] = (byte) Ipv4Options.NOP;
                continue;
            }
            if (pick == 2 && random.nextInt(4) == 0) {
                out[i++] = (byte) Ipv4Options.EOL;
                continue;
            }
            out[i++] = (byte) (pick < 8 ? types[2 + random.nextInt(types.length - 2)] : random.nextInt(256));
            if (i < n) {
                int length = random.nextInt(6) == 0 ? random.nextInt(3) : 2 + random.nextInt(Math.max(1, n - i + 2));
                out[i++] = (byte) length;
                for (int k = 2; k < length && i < n; k++) {
                    out[i++] = (byte) random.nextInt(256);
                }
            }
        }
        return out;
    }

    @Test
    void parseAndMalformedAtAgreeOnRandomBytes() {
        Random random = new Random(0x0791);
        int wellFormed = 0;
        int[] problems = new int[4];
        for (int n = 0; n < 100_000; n++) {
            byte[] options = random.nextInt(4) == 0 ? randomBytes(random) : randomOptions(random);
            int offset = random.nextInt(9);
            ByteBuffer b = WireTesting.junk(random, offset + options.length + random.nextInt(9));
            b.put(offset, options);
            int at = Ipv4Options.malformedAt(b, offset, options.length);
            Ipv4Options.Parsed parsed = Ipv4Options.parse(Bytes.of(options));
            assertEquals(parsed.errorOffset(), at, () -> "options " + Bytes.of(options) + ": " + parsed);
            assertEquals(at < 0, parsed.wellFormed());
            assertEquals(reference(options), at, () -> "options " + Bytes.of(options));
            if (at < 0) {
                wellFormed++;
                assertNull(parsed.error());
                assertNull(Ipv4Options.problemAt(b, offset, options.length, at));
                // The parsed options are exactly the bytes up to EOL (or the end).
                int used = 0;
                for (Ipv4Options.Option o : parsed.options()) {
                    used += o.length();
                }
                Bytes prefix = Bytes.of(java.util.Arrays.copyOf(options, used));
                assertEquals(prefix, Ipv4Options.encode(parsed.options()));
                assertTrue(used == options.length || options[used - 1] == Ipv4Options.EOL, "stopped early only at EOL");
            } else {
                assertEquals(parsed.error(), Ipv4Options.problemAt(b, offset, options.length, at));
                String error = parsed.error();
                problems[error.contains("no length byte") ? 0 : error.contains("has length 0 ") ? 1
                        : error.contains("has length 1 ") ? 2 : error.contains("runs past the header") ? 3 : -1]++;
                // The options before the problem were read, and they end exactly where the problem starts.
                int used = 0;
                for (Ipv4Options.Option o : parsed.options()) {
                    used += o.length();
                }
                assertEquals(at, used, () -> "options " + Bytes.of(options) + ": " + parsed);
            }
        }
        // Every outcome was exercised, many times.
        assertTrue(wellFormed > 5_000, "well formed: " + wellFormed);
        for (int i = 0; i < problems.length; i++) {
            assertTrue(problems[i] > 500, "problem kind " + i + " seen " + problems[i] + " times");
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(41)];
        random.nextBytes(b);
        return b;
    }

    /** RFC 791's rules read straight off the text, as a third opinion: where the first bad option starts, or -1. */
    private static int reference(byte[] options) {
        int i = 0;
        while (i < options.length) {
            int type = options[i] & 0xFF;
            if (type == 0) {
                return -1; // End of Option List: the rest is padding
            }
            if (type == 1) {
                i += 1; // No Operation: a single byte
                continue;
            }
            if (i + 2 > options.length) {
                return i; // the length byte is missing
            }
            int length = options[i + 1] & 0xFF; // counts the type and length bytes and the data
            if (length < 2 || i + length > options.length) {
                return i;
            }
            i += length;
        }
        return -1;
    }

    @Test
    void malformationsAreFoundWhereTheyStart() {
        record Case(String what, String hex, int offset, String message) {}
        List<Case> cases = List.of(
                new Case("length 0", "07 00 00 00", 0, "option rr has length 0 (at least 2)"),
                new Case("length 1 after two NOPs", "01 01 07 01", 2, "option rr has length 1 (at least 2)"),
                new Case("length 1, unknown type", "94 04 00 00 fe 01 00 00", 4, "option opt-254 has length 1 (at least 2)"),
                new Case("overrun by one", "01 94 04 00", 1, "option ra of length 4 runs past the header"),
                new Case("overrun far", "44 28 05 00", 0, "option ts of length 40 runs past the header"),
                new Case("overrun after a good option", "94 04 00 00 83 07 04 7f 00", 4, "option lsrr of length 7 runs past the header"),
                new Case("no length byte", "01 01 01 89", 3, "option ssrr has no length byte"),
                new Case("no length byte, alone", "07", 0, "option rr has no length byte"));
        for (Case c : cases) {
            Bytes raw = Bytes.fromHex(c.hex());
            Ipv4Options.Parsed parsed = Ipv4Options.parse(raw);
            assertEquals(c.offset(), parsed.errorOffset(), c.what());
            assertEquals(c.message(), parsed.error(), c.what());
            ByteBuffer b = ByteBuffer.allocate(3 + raw.length());
            raw.writeTo(b, 3);
            assertEquals(c.offset(), Ipv4Options.malformedAt(b, 3, raw.length()), c.what());
            assertEquals(c.message(), Ipv4Options.problemAt(b, 3, raw.length(), c.offset()), c.what());
        }
    }

    @Test
    void wellFormedOptionsAreReadWhole() {
        record Case(String what, String hex, List<Ipv4Options.Option> options) {}
        List<Case> cases = List.of(
                new Case("nothing", "", List.of()),
                new Case("NOPs", "01 01 01 01", List.of(nop(), nop(), nop(), nop())),
                new Case("router alert", "94 04 00 00", List.of(new Ipv4Options.Option(0x94, 4, Bytes.fromHex("0000")))),
                new Case("length 2, no data", "fe 02", List.of(new Ipv4Options.Option(0xFE, 2, Bytes.EMPTY))),
                new Case("exactly to the end", "01 07 07 04 7f 00 00 01", List.of(nop(), new Ipv4Options.Option(7, 7, Bytes.fromHex("047f000001")))),
                new Case("EOL stops the reading; junk after it is padding", "01 00 07 00 ff",
                        List.of(nop(), new Ipv4Options.Option(0, 1, Bytes.EMPTY))));
        for (Case c : cases) {
            Ipv4Options.Parsed parsed = Ipv4Options.parse(Bytes.fromHex(c.hex()));
            assertTrue(parsed.wellFormed(), c.what() + ": " + parsed);
            assertEquals(-1, parsed.errorOffset());
            assertEquals(c.options(), parsed.options(), c.what());
            Bytes raw = Bytes.fromHex(c.hex());
            assertEquals(-1, Ipv4Options.malformedAt(ByteBuffer.wrap(raw.toArray()), 0, raw.length()), c.what());
        }
    }

    @Test
    void randomWellFormedListsSurviveEncodeThenParse() {
        Random random = new Random(0x0792);
        for (int n = 0; n < 20_000; n++) {
            List<Ipv4Options.Option> options = new ArrayList<>();
            int bytes = 0;
            while (true) {
                int type = random.nextInt(5) == 0 ? Ipv4Options.NOP : 2 + random.nextInt(254);
                int length = type == Ipv4Options.NOP ? 1 : 2 + random.nextInt(10);
                if (bytes + length > 40 || random.nextInt(6) == 0) {
                    break;
                }
                byte[] data = new byte[type == Ipv4Options.NOP ? 0 : length - 2];
                random.nextBytes(data);
                options.add(new Ipv4Options.Option(type, length, Bytes.of(data)));
                bytes += length;
            }
            Bytes encoded = Ipv4Options.encode(options);
            assertEquals(bytes, encoded.length());
            Ipv4Options.Parsed parsed = Ipv4Options.parse(encoded);
            assertTrue(parsed.wellFormed(), parsed.toString());
            assertEquals(options, parsed.options());
        }
    }

    @Test
    void namesOfTheKnownTypes() {
        assertEquals("eol", Ipv4Options.name(0));
        assertEquals("nop", Ipv4Options.name(1));
        assertEquals("rr", Ipv4Options.name(7));
        assertEquals("ts", Ipv4Options.name(68));
        assertEquals("lsrr", Ipv4Options.name(131));
        assertEquals("ssrr", Ipv4Options.name(137));
        assertEquals("ra", Ipv4Options.name(148));
        assertEquals("opt-130", Ipv4Options.name(130));
    }

    /** The decoder reports an option problem at its offset in the frame, behind whatever link header there is. */
    @Test
    void theDecoderReportsOptionProblemsAtTheirFrameOffset() {
        PacketDecoder decoder = new PacketDecoder();
        Random random = new Random(0x0793);
        int malformed = 0;
        for (int n = 0; n < 5_000; n++) {
            byte[] options = randomOptions(random);
            int optionBytes = (options.length + 3) & ~3;
            int headerBytes = 20 + optionBytes;
            int link = random.nextBoolean() ? 14 : 0;
            ByteBuffer b = ByteBuffer.allocate(link + headerBytes);
            if (link > 0) {
                b.putShort(12, (short) 0x0800);
            }
            Ipv4View ip = new Ipv4View().wrap(b, link).version(4).ihl(headerBytes / 4).totalLength(headerBytes).ttl(1).protocol(253);
            b.put(link + 20, options);
            ip.checksum(ip.computeChecksum(headerBytes));
            DecodedPacket p = decoder.decode(b, 0, b.capacity(), b.capacity(), link > 0 ? FirstLayer.ETHERNET : FirstLayer.IPV4, new DecodedPacket());
            int expected = reference(java.util.Arrays.copyOf(options, optionBytes));
            assertEquals(Verdict.VALID, p.ipv4Checksum());
            if (expected < 0) {
                assertFalse(p.malformed(), () -> Bytes.of(options) + ": " + p.errorMessage());
            } else {
                malformed++;
                assertTrue(p.malformed(), () -> Bytes.of(options).toString());
                assertEquals(Layer.IPV4, p.errorLayer());
                assertEquals(link + 20 + expected, p.errorOffset(), () -> Bytes.of(options) + ": " + p.errorMessage());
                assertTrue(p.errorMessage().startsWith("option: option "), p.errorMessage());
            }
        }
        assertTrue(malformed > 500, "malformed cases: " + malformed);
    }

    private static Ipv4Options.Option nop() {
        return new Ipv4Options.Option(1, 1, Bytes.EMPTY);
    }
}
