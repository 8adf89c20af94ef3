package dev.rawsock.wire;

import static dev.rawsock.wire.TcpHeaderTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.wire.TcpOption.Eol;
import dev.rawsock.wire.TcpOption.Mss;
import dev.rawsock.wire.TcpOption.Nop;
import dev.rawsock.wire.TcpOption.Sack;
import dev.rawsock.wire.TcpOption.SackBlock;
import dev.rawsock.wire.TcpOption.SackPermitted;
import dev.rawsock.wire.TcpOption.Timestamps;
import dev.rawsock.wire.TcpOption.Unknown;
import dev.rawsock.wire.TcpOption.WindowScale;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TcpOptionsTest {

    static Stream<Arguments> everyKind() {
        return Stream.of(
                Arguments.of("00", new Eol(), 0, "eol"),
                Arguments.of("01", new Nop(), 1, "nop"),
                Arguments.of("020405b4", new Mss(1460), 2, "mss"),
                Arguments.of("02040000", new Mss(0), 2, "mss"),
                Arguments.of("0204ffff", new Mss(65535), 2, "mss"),
                Arguments.of("03030e", new WindowScale(14), 3, "wscale"),
                Arguments.of("0303ff", new WindowScale(255), 3, "wscale"),
                Arguments.of("0402", new SackPermitted(), 4, "sackOK"),
                Arguments.of("050a 00000001 ffffffff", new Sack(List.of(new SackBlock(1, 0xFFFFFFFFL))), 5, "sack"),
                Arguments.of("0522 00000001 00000002 00000003 00000004 00000005 00000006 fffffffe ffffffff",
                        new Sack(List.of(new SackBlock(1, 2), new SackBlock(3, 4), new SackBlock(5, 6), new SackBlock(0xFFFFFFFEL, 0xFFFFFFFFL))), 5, "sack"),
                Arguments.of("080a 111a5609 00000000", new Timestamps(0x111A5609L, 0), 8, "ts"),
                Arguments.of("080a ffffffff 80000000", new Timestamps(0xFFFFFFFFL, 0x80000000L), 8, "ts"),
                Arguments.of("1e04 abcd", new Unknown(30, Bytes.fromHex("abcd")), 30, "opt-30"),
                Arguments.of("2202", new Unknown(34, Bytes.EMPTY), 34, "opt-34"),
                Arguments.of("ff03 00", new Unknown(255, Bytes.fromHex("00")), 255, "opt-255"));
    }

    @ParameterizedTest(name = "{3} {0}")
    @MethodSource("everyKind")
    void everyKindParsesAndEncodes(String hex, TcpOption option, int kind, String name) {
        Bytes bytes = Bytes.fromHex(hex);
        TcpOptions.Parsed parsed = TcpOptions.parse(bytes);
        assertTrue(parsed.wellFormed(), parsed.toString());
        assertEquals(List.of(option), parsed.options());
        assertEquals(kind, option.kind());
        assertEquals(name, option.name());
        assertEquals(bytes.length(), option.length());
        assertEquals(bytes, option.encode());
        assertEquals(bytes, TcpOptions.encode(List.of(option)));
        // At an offset inside a larger buffer, with junk around it.
        ByteBuffer b = ByteBuffer.allocate(bytes.length() + 9);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x5A);
        }
        bytes.writeTo(b, 5);
        assertEquals(parsed, TcpOptions.parse(b, 5, bytes.length()));
        assertEquals(-1, TcpOptions.malformedAt(b, 5, bytes.length()));
    }

    @Test
    void aWholeListRoundTrips() {
        List<TcpOption> list = List.of(new Nop(), new Nop(), new Timestamps(1, 2), new Mss(536), new WindowScale(7),
                new SackPermitted(), new Sack(List.of(new SackBlock(10, 20))), new Unknown(254, Bytes.fromHex("f989")), new Eol());
        Bytes bytes = TcpOptions.encode(list);
        assertEquals(Bytes.fromHex("0101 080a0000000100000002 02040218 030307 0402 050a0000000a00000014 fe04f989 00"), bytes);
        assertEquals(new TcpOptions.Parsed(list, null, -1), TcpOptions.parse(bytes));
    }

    @Test
    void encodeAddsNoPadding() {
        assertEquals(Bytes.fromHex("03030a"), TcpOptions.encode(List.of(new WindowScale(10))));
        assertEquals(Bytes.EMPTY, TcpOptions.encode(List.of()));
    }

    @Test
    void eolEndsTheListAndWhatFollowsIsPadding() {
        // After EOL: junk that would be malformed (length 0) if it were read.
        Bytes bytes = Bytes.fromHex("020405b4 00 0200 ffff");
        TcpOptions.Parsed parsed = TcpOptions.parse(bytes);
        assertEquals(new TcpOptions.Parsed(List.of(new Mss(1460), new Eol()), null, -1), parsed);
        assertEquals(-1, TcpOptions.malformedAt(ByteBuffer.wrap(bytes.toArray()), 0, bytes.length()));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                // hex, error offset, options read before it, words in the message
                Arguments.of("0200", 0, List.of(), "has length 0"),
                Arguments.of("01 01 0201", 2, List.of(new Nop(), new Nop()), "mss has length 1"),
                Arguments.of("0402 1e00", 2, List.of(new SackPermitted()), "opt-30 has length 0"),
                Arguments.of("080a 00000001 0000", 0, List.of(), "ts of length 10 runs past the options (8 bytes left)"),
                Arguments.of("01 020405", 1, List.of(new Nop()), "mss of length 4 runs past the options (3 bytes left)"),
                Arguments.of("0303 0a ffff", 3, List.of(new WindowScale(10)), "opt-255 of length 255 runs past"),
                Arguments.of("01 01 01 02", 3, List.of(new Nop(), new Nop(), new Nop()), "mss has no length byte"),
                Arguments.of("08", 0, List.of(), "ts has no length byte"),
                Arguments.of("020405b4 0402 03", 6, List.of(new Mss(1460), new SackPermitted()), "wscale has no length byte"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformationsAreFoundAtTheRightOffset(String hex, int offset, List<TcpOption> before, String message) {
        Bytes bytes = Bytes.fromHex(hex);
        TcpOptions.Parsed parsed = TcpOptions.parse(bytes);
        assertEquals(offset, parsed.errorOffset(), parsed.toString());
        assertEquals(before, parsed.options());
        assertTrue(parsed.error().contains(message), "'" + parsed.error() + "' does not say '" + message + "'");
        ByteBuffer b = ByteBuffer.allocate(bytes.length() + 20);
        bytes.writeTo(b, 7);
        assertEquals(offset, TcpOptions.malformedAt(b, 7, bytes.length()));
        // Bytes after the end of the options (zeros here) are not read.
        assertEquals(parsed, TcpOptions.parse(b, 7, bytes.length()));
    }

    @Test
    void aKnownKindWithTheWrongLengthIsKeptRawWithANoteAndParsingGoesOn() {
        Bytes bytes = Bytes.fromHex("0203 05  0304 0a0b  0403 00  080e 0000000100000002 ffffffff  050b 00000001 00000002 ff  0502  0504 0102  01");
        TcpOptions.Parsed parsed = TcpOptions.parse(bytes);
        assertTrue(parsed.wellFormed());
        List<TcpOption> expected = List.of(new Unknown(2, Bytes.fromHex("05")), new Unknown(3, Bytes.fromHex("0a0b")),
                new Unknown(4, Bytes.fromHex("00")), new Unknown(8, Bytes.fromHex("0000000100000002ffffffff")),
                new Unknown(5, Bytes.fromHex("0000000100000002ff")), new Unknown(5, Bytes.EMPTY),
                new Unknown(5, Bytes.fromHex("0102")), new Nop());
        assertEquals(expected, parsed.options());
        assertEquals(List.of("mss needs length 4, not 3", "wscale needs length 3, not 4", "sackOK needs length 2, not 3",
                        "ts needs length 10, not 14", "sack needs length 2 + 8n (n >= 1), not 11",
                        "sack needs length 2 + 8n (n >= 1), not 2", "sack needs length 2 + 8n (n >= 1), not 4"),
                parsed.options().stream().filter(o -> o instanceof Unknown).map(o -> ((Unknown) o).note()).toList());
        assertEquals("mss", parsed.options().get(0).name());
        assertEquals(bytes, TcpOptions.encode(parsed.options()), "the bytes are kept");
        assertNull(new Unknown(30, Bytes.fromHex("00")).note(), "an unknown kind has no note");
        assertNull(new Unknown(2, Bytes.fromHex("05b4")).note(), "a known kind of the right length held raw has no note");
    }

    @Test
    void anEmptySackEncodesAsLengthTwoAndParsesBackRaw() {
        Bytes bytes = new Sack(List.of()).encode();
        assertEquals(Bytes.fromHex("0502"), bytes);
        assertEquals(List.of(new Unknown(5, Bytes.EMPTY)), TcpOptions.parse(bytes).options());
    }

    @Test
    void randomBytesMalformedAtAgreesWithParseAndWellFormedListsEncodeBack() {
        Random random = new Random(0x0B7105L);
        int wellFormed = 0;
        for (int n = 0; n < 20_000; n++) {
            byte[] raw = new byte[random.nextInt(41)];
            for (int i = 0; i < raw.length; i++) {
                // Mostly plausible kinds and small lengths, so that every path is taken often.
                int pick = random.nextInt(4);
                raw[i] = (byte) (pick == 0 ? random.nextInt(256) : pick == 1 ? random.nextInt(12) : random.nextInt(2) + 1 + random.nextInt(10));
            }
            Bytes bytes = Bytes.of(raw);
            TcpOptions.Parsed parsed = TcpOptions.parse(bytes);
            assertEquals(parsed.errorOffset(), TcpOptions.malformedAt(ByteBuffer.wrap(raw), 0, raw.length), bytes.hex());
            assertEquals(parsed.error() == null, parsed.errorOffset() == -1);
            Bytes encoded = TcpOptions.encode(parsed.options());
            // What was read encodes back to the bytes it came from: the whole list, or up to EOL or the error.
            int end = parsed.wellFormed() ? (parsed.options().contains(new Eol()) ? encoded.length() : raw.length) : parsed.errorOffset();
            assertEquals(Bytes.of(java.util.Arrays.copyOf(raw, end)), encoded, bytes.hex());
            if (parsed.wellFormed()) {
                wellFormed++;
            }
        }
        assertTrue(wellFormed > 2_000 && wellFormed < 18_000, "both paths taken: " + wellFormed + " well formed");
    }

    @Test
    void randomOptionListsRoundTrip() {
        Random random = new Random(99);
        for (int n = 0; n < 10_000; n++) {
            List<TcpOption> list = new ArrayList<>();
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                list.add(randomOption(random));
            }
            TcpOptions.Parsed parsed = TcpOptions.parse(TcpOptions.encode(list));
            assertTrue(parsed.wellFormed());
            assertEquals(list, parsed.options());
        }
    }

    private static TcpOption randomOption(Random random) {
        switch (random.nextInt(8)) {
            case 0: return new Nop();
            case 1: return new Mss(random.nextInt(65536));
            case 2: return new WindowScale(random.nextInt(256));
            case 3: return new SackPermitted();
            case 4: {
                List<SackBlock> blocks = new ArrayList<>();
                for (int k = 1 + random.nextInt(4); k > 0; k--) {
                    blocks.add(new SackBlock(random.nextInt() & 0xFFFFFFFFL, random.nextInt() & 0xFFFFFFFFL));
                }
                return new Sack(blocks);
            }
            case 5: return new Timestamps(random.nextInt() & 0xFFFFFFFFL, random.nextInt() & 0xFFFFFFFFL);
            default: {
                // Any kind that is not one of ours (ours with a random length could be a wrong-length raw one).
                int kind;
                do {
                    kind = 6 + random.nextInt(250);
                } while (kind == 8);
                byte[] data = new byte[random.nextInt(12)];
                random.nextBytes(data);
                return new Unknown(kind, Bytes.of(data));
            }
        }
    }

    @Test
    void valuesThatCannotBeWrittenAreRefusedNamingTheField() {
        assertMessage("mss", () -> new Mss(65536));
        assertMessage("mss", () -> new Mss(-1));
        assertMessage("wscale", () -> new WindowScale(256));
        assertMessage("ts val", () -> new Timestamps(1L << 32, 0));
        assertMessage("ts ecr", () -> new Timestamps(0, -1));
        assertMessage("sack left edge", () -> new SackBlock(-1, 0));
        assertMessage("sack right edge", () -> new SackBlock(0, 1L << 32));
        assertMessage("at most 31 blocks", () -> new Sack(Collections.nCopies(32, new SackBlock(0, 0))));
        assertEquals(250, new Sack(Collections.nCopies(31, new SackBlock(0, 0))).length());
        assertMessage("option kind", () -> new Unknown(256, Bytes.EMPTY));
        assertMessage("no length byte", () -> new Unknown(0, Bytes.EMPTY));
        assertMessage("no length byte", () -> new Unknown(1, Bytes.EMPTY));
        assertMessage("at most 253", () -> new Unknown(30, Bytes.of(new byte[254])));
        assertEquals(255, new Unknown(30, Bytes.of(new byte[253])).length());
        List<SackBlock> blocks = new ArrayList<>(List.of(new SackBlock(1, 2)));
        Sack sack = new Sack(blocks);
        blocks.clear();
        assertEquals(1, sack.blocks().size(), "the record keeps its own copy");
        assertThrows(UnsupportedOperationException.class, () -> sack.blocks().clear());
    }

    @Test
    void kindNames() {
        assertEquals("eol", TcpOptions.kindName(0));
        assertEquals("nop", TcpOptions.kindName(1));
        assertEquals("mss", TcpOptions.kindName(2));
        assertEquals("wscale", TcpOptions.kindName(3));
        assertEquals("sackOK", TcpOptions.kindName(4));
        assertEquals("sack", TcpOptions.kindName(5));
        assertEquals("opt-6", TcpOptions.kindName(6));
        assertEquals("ts", TcpOptions.kindName(8));
        assertEquals("opt-254", TcpOptions.kindName(254));
    }

    /** onlyCommon: the options printers write straight from the bytes; everything else goes through parse. */
    @Test
    void onlyCommonAcceptsLinuxSynOptionsAndNothingElse() {
        byte[] linuxSyn = {2, 4, 0x05, (byte) 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
        assertTrue(TcpOptions.onlyCommon(ByteBuffer.wrap(linuxSyn), 0, linuxSyn.length));
        byte[] eolThenJunk = {1, 1, 0, 99, 77};
        assertTrue(TcpOptions.onlyCommon(ByteBuffer.wrap(eolThenJunk), 0, eolThenJunk.length), "after EOL is padding");
        byte[][] others = {
            {5, 10, 0, 0, 0, 1, 0, 0, 0, 2},  // a SACK block
            {99, 2},                          // an unknown kind
            {2, 3, 5},                        // MSS of the wrong length
            {8, 10, 0, 0, 0, 1},              // timestamps running past the end
            {1, 2},                           // a kind with no length byte
        };
        for (byte[] o : others) {
            org.junit.jupiter.api.Assertions.assertFalse(TcpOptions.onlyCommon(ByteBuffer.wrap(o), 0, o.length), Bytes.of(o).hex());
        }
    }
}
