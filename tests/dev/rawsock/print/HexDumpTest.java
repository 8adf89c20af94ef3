package dev.rawsock.print;

import static dev.rawsock.print.PrintTesting.LOOPBACK;
import static dev.rawsock.print.PrintTesting.LOOPBACK2;
import static dev.rawsock.print.PrintTesting.build;
import static dev.rawsock.print.PrintTesting.decode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.craft.PacketSpec;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hex dumps: the plain xxd-like layout, and the labelled one that names each header's bytes. */
class HexDumpTest {

    /** The example line of HexDump's documentation: the first 16 bytes of a classic IPv4/TCP header. */
    @Test
    void theDocumentedLine() {
        ByteBuffer b = ByteBuffer.wrap(Bytes.fromHex("4500003c1c4640004006b1e6ac100001").toArray());
        assertEquals("0000  45 00 00 3c 1c 46 40 00  40 06 b1 e6 ac 10 00 01  E..<.F@.@.......\n",
                HexDump.append(new StringBuilder(), b, 0, 16, 0).toString());
    }

    @Test
    void aShortLastLineKeepsTheAsciiColumnInPlace() {
        byte[] bytes = "GET / HTTP/1.0\r\n\r\nHost: x\r\n".getBytes(); // 27 bytes: one full line, then 11
        String dump = HexDump.append(new StringBuilder(), ByteBuffer.wrap(bytes), 0, bytes.length, 0).toString();
        assertEquals("0000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  GET / HTTP/1.0..\n"
                + "0010  0d 0a 48 6f 73 74 3a 20  78 0d 0a                 ..Host: x..\n", dump);
        // Exactly 8 bytes, and exactly 16: no empty line after.
        assertEquals("0000  00 01 02 03 04 05 06 07                           ........\n",
                HexDump.append(new StringBuilder(), ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}), 0, 8, 0).toString());
        assertEquals(1, HexDump.append(new StringBuilder(), ByteBuffer.wrap(new byte[16]), 0, 16, 0).toString().split("\n").length);
        assertEquals("", HexDump.append(new StringBuilder(), ByteBuffer.wrap(new byte[4]), 0, 0, 0).toString());
        // The shown offsets start where the caller says; the bytes come from where the caller says.
        assertEquals("01f0  ff                                                .\n",
                HexDump.append(new StringBuilder(), ByteBuffer.wrap(new byte[] {0, 0, (byte) 0xFF}), 2, 1, 0x1F0).toString());
    }

    private static final Pattern LINE = Pattern.compile("([0-9a-f]{4})  ((?:[0-9a-f]{2} | {3}){8}) ((?:[0-9a-f]{2} | {3}){8}) (.{1,16})");

    /** Any bytes: each line parses back to the bytes it shows, offsets count up by 16, and the ASCII column matches. */
    @Test
    void randomBytesParseBack() {
        Random random = new Random(16);
        for (int n = 0; n < 2_000; n++) {
            byte[] bytes = new byte[random.nextInt(100)];
            random.nextBytes(bytes);
            int from = random.nextInt(4);
            byte[] padded = new byte[from + bytes.length + 3];
            System.arraycopy(bytes, 0, padded, from, bytes.length);
            String dump = HexDump.append(new StringBuilder(), ByteBuffer.wrap(padded), from, bytes.length, 0).toString();
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            String[] lines = dump.isEmpty() ? new String[0] : dump.split("\n", -1);
            assertEquals((bytes.length + 15) / 16 + (bytes.length > 0 ? 1 : 0), lines.length, dump);
            for (int i = 0; i < lines.length - 1; i++) {
                Matcher m = LINE.matcher(lines[i]);
                assertTrue(m.matches(), "'" + lines[i] + "'");
                assertEquals(i * 16, Integer.parseInt(m.group(1), 16));
                String hex = (m.group(2) + m.group(3)).replace(" ", "");
                byte[] shown = Bytes.fromHex(hex).toArray();
                back.writeBytes(shown);
                StringBuilder ascii = new StringBuilder();
                for (byte x : shown) {
                    ascii.append(x >= 0x20 && x < 0x7F ? (char) x : '.');
                }
                assertEquals(ascii.toString(), m.group(4));
                assertEquals(m.group(4), lines[i].substring(6 + 16 * 3 + 2), "the ASCII column is at a fixed place");
            }
            assertArrayEquals(bytes, back.toByteArray());
        }
    }

    private static final Pattern FIELD = Pattern.compile(" {3}([0-9a-f]+) +bytes (\\d+)(?:-(\\d+))?  (.+)");
    private static final Pattern HEADING = Pattern.compile("-- (.+): (\\d+) bytes? \\(offset (\\d+)-(\\d+)\\) --");

    record Labelled(String heading, int from, int to, List<String[]> fields) {}

    /** The labelled dump's headings and field lines, each field line checked against the packet's bytes. */
    private static List<Labelled> parseLabelled(String dump, byte[] frame) {
        List<Labelled> out = new ArrayList<>();
        for (String line : dump.split("\n")) {
            Matcher h = HEADING.matcher(line);
            Matcher f = FIELD.matcher(line);
            if (h.matches()) {
                int from = Integer.parseInt(h.group(3));
                int to = Integer.parseInt(h.group(4));
                assertEquals(Integer.parseInt(h.group(2)), to - from + 1, line);
                out.add(new Labelled(h.group(1), from, to, new ArrayList<>()));
            } else if (f.matches()) {
                int from = Integer.parseInt(f.group(2));
                int to = f.group(3) != null ? Integer.parseInt(f.group(3)) : from;
                byte[] shown = Bytes.fromHex(f.group(1)).toArray();
                assertArrayEquals(java.util.Arrays.copyOfRange(frame, from, to + 1), shown, "the bytes named in '" + line + "'");
                Labelled current = out.get(out.size() - 1);
                assertTrue(from >= current.from() && to <= current.to(), "field outside its layer: " + line);
                current.fields().add(new String[] {Integer.toString(from), Integer.toString(to), f.group(4)});
            } else {
                assertTrue(LINE.matcher(line).matches() || line.matches("[0-9a-f]{4}  .*"), "unexpected line '" + line + "'");
            }
        }
        return out;
    }

    @Test
    void aLabelledSynNamesTheTwentyIpBytesAndTheTwentyTcpBytes() {
        byte[] syn = build(PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(40000).destinationPort(8080).sequence(1000L));
        assertEquals(40, syn.length);
        DecodedPacket p = decode(syn);
        String dump = HexDump.appendLabelled(new StringBuilder(), p).toString();
        assertTrue(dump.startsWith("-- ipv4 header: 20 bytes (offset 0-19) --\n"), dump);
        assertTrue(dump.contains("\n-- tcp header: 20 bytes (offset 20-39) --\n"), dump);
        List<Labelled> layers = parseLabelled(dump, syn);
        assertEquals(2, layers.size(), dump);
        assertFieldsCover(layers.get(0), 0, 19);
        assertFieldsCover(layers.get(1), 20, 39);
        assertEquals(List.of("version (4 bits) and IHL (4 bits, header length in 32-bit words)", "DSCP (6 bits) and ECN (2 bits)",
                "total length (header + data, bytes)", "identification", "flags (reserved, DF, MF) and fragment offset (8-byte units)",
                "time to live", "protocol (6 TCP, 17 UDP, 1 ICMP)", "header checksum", "source address", "destination address"),
                layers.get(0).fields().stream().map(f -> f[2]).toList());
        assertEquals(List.of("source port", "destination port", "sequence number", "acknowledgement number",
                "data offset (4 bits, header length in 32-bit words), reserved (3 bits), flags (9 bits)", "window", "checksum",
                "urgent pointer"), layers.get(1).fields().stream().map(f -> f[2]).toList());
        // The named values are the packet's: source address 127.0.0.1, destination port 8080, sequence 1000.
        assertTrue(dump.contains("   7f000001  bytes 12-15  source address\n"), dump);
        assertTrue(dump.contains("   1f90      bytes 22-23  destination port\n"), dump);
        assertTrue(dump.contains("   000003e8  bytes 24-27  sequence number\n"), dump);
        // Each layer's bytes follow its fields, with offsets counted from the start of the frame.
        assertTrue(dump.contains("\n0000  45 00 00 28 "), dump);
        assertTrue(dump.contains("\n0014  9c 40 1f 90 00 00 03 e8 "), dump);
    }

    /** Every header byte is named by exactly one field, in order. */
    private static void assertFieldsCover(Labelled layer, int from, int to) {
        int next = from;
        for (String[] f : layer.fields()) {
            assertEquals(next, Integer.parseInt(f[0]), "a gap or overlap before '" + f[2] + "'");
            next = Integer.parseInt(f[1]) + 1;
        }
        assertEquals(to + 1, next, layer.heading() + " ends at " + (next - 1));
    }

    @Test
    void aLabelledFrameWithPayloadAndPadding() {
        byte[] udp = build(PacketSpec.udp().source(LOOPBACK).destination(LOOPBACK2).sourcePort(5353).destinationPort(53)
                .payload(Bytes.of("hi".getBytes())));
        byte[] frame = new byte[60]; // the Ethernet minimum: 14 + 30 bytes of IP, then 16 bytes of padding
        frame[12] = 0x08;
        System.arraycopy(udp, 0, frame, 14, udp.length);
        String dump = HexDump.appendLabelled(new StringBuilder(), decode(frame, FirstLayer.ETHERNET)).toString();
        List<Labelled> layers = parseLabelled(dump, frame);
        assertEquals(List.of("eth header", "ipv4 header", "udp header", "payload (data)", "link-layer padding"),
                layers.stream().map(Labelled::heading).toList(), dump);
        assertFieldsCover(layers.get(0), 0, 13);
        assertFieldsCover(layers.get(1), 14, 33);
        assertFieldsCover(layers.get(2), 34, 41);
        assertEquals(42, layers.get(3).from());
        assertEquals(43, layers.get(3).to());
        assertEquals(44, layers.get(4).from());
        assertEquals(59, layers.get(4).to());
        assertTrue(dump.contains("\n002a  68 69 "), "the payload's bytes at their frame offset:\n" + dump);

        // The plain dump of the same frame is the whole frame, with nothing else.
        String plain = HexDump.append(new StringBuilder(), decode(frame, FirstLayer.ETHERNET)).toString();
        assertEquals(4, plain.split("\n").length);
        assertTrue(plain.startsWith("0000  00 00 00 00 00 00 00 00  00 00 00 00 08 00 45 00  "), plain);
    }
}
