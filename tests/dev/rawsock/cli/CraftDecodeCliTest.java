package dev.rawsock.cli;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapReader;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv4View;
import dev.rawsock.wire.TcpFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code rawsock craft} and {@code rawsock decode} as a user runs them: in-process through {@link Main#run}
 * (exit code, stdout, stderr), and through the built jar where standard input is involved. tshark reads what
 * craft writes and writes the pcapng that decode reads.
 */
class CraftDecodeCliTest {
    static final String README_LINE =
            "TCP 127.0.0.1:40000 > 127.0.0.1:8080 [S] seq=1000 win=64240 <mss 1460,sackOK,ts 1 0,nop,wscale 7> len=0";
    static final String[] README_ARGS = {"craft", "tcp", "--src", "127.0.0.1", "--sport", "40000", "--dport", "8080", "--seq", "1000",
        "--tcp-option", "mss=1460,sackok,ts=1:0,nop,wscale=7"};

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
    }

    private static void assertNoStackTrace(CliRun r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "a stack trace without --verbose:\n" + r.err());
    }

    // ---- craft ----

    @Test
    void craftPrintsTheReadmeLine() {
        CliRun r = rawsock(README_ARGS);
        assertEquals(0, r.code(), r.err());
        assertEquals(README_LINE + "\n", r.out());
        assertTrue(r.err().contains("\nseed: ") || r.err().startsWith("seed: "), r.err());
    }

    private static final Pattern SEED = Pattern.compile("(?m)^seed: (-?\\d+) \\(--seed (-?\\d+) builds the same packet again\\)$");

    /** The random fields (IP id, source port, sequence number) come from a seed, which is printed and can be given back. */
    @Test
    void aSeedReproducesTheRun() {
        String[] args = {"craft", "tcp", "--src", "127.0.0.1", "--dport", "80", "--json"};
        CliRun first = rawsock(args);
        CliRun second = rawsock(args);
        assertEquals(0, first.code(), first.err());
        Matcher m = SEED.matcher(first.err());
        assertTrue(m.find(), first.err());
        assertEquals(m.group(1), m.group(2));
        assertNotEquals(first.out(), second.out(), "without --seed, two runs differ (id, port, sequence number)");

        CliRun again = rawsock(with(args, "--seed", m.group(1)));
        assertEquals(first.out(), again.out(), "--seed with the printed seed builds the same packet");
        assertTrue(again.err().contains("seed: " + m.group(1) + " "), again.err());

        CliRun a = rawsock(with(args, "--seed", "42"));
        CliRun b = rawsock(with(args, "--seed", "42"));
        CliRun c = rawsock(with(args, "--seed", "43"));
        assertEquals(a.out(), b.out());
        assertNotEquals(a.out(), c.out());
        assertTrue(a.err().contains("seed: 42 (--seed 42 builds the same packet again)"), a.err());
        // Explicit fields do not use the seed: with all of them given, the seed changes nothing.
        String[] fixed = with(args, "--sport", "1", "--seq", "2", "--id", "3");
        assertEquals(rawsock(with(fixed, "--seed", "1")).out(), rawsock(with(fixed, "--seed", "2")).out());
    }

    @Test
    void showHexLabelsAndJson() {
        CliRun show = rawsock(with(README_ARGS, "--show"));
        assertEquals(0, show.code(), show.err());
        List<String> lines = show.lines();
        assertEquals(README_LINE, lines.get(0));
        assertTrue(lines.contains("    ihl=5 (20 bytes)"), show.out());
        assertTrue(lines.contains("    data_offset=10 (40 bytes)"), show.out());
        assertTrue(lines.contains("    flags=0x002 (SYN)"), show.out());
        assertTrue(lines.contains("    frag=0 (offset 0 bytes)"), show.out());
        assertEquals(2, lines.stream().filter(l -> l.matches("    checksum=0x[0-9a-f]{4} correct")).count(), show.out());

        CliRun bad = rawsock(with(README_ARGS, "--show", "--badsum", "--flags", "SA", "--ack", "1"));
        assertTrue(bad.lines().contains("    flags=0x012 (SYN, ACK)"), bad.out());
        assertTrue(bad.out().matches("(?s).*\n    checksum=0x[0-9a-f]{4} incorrect \\(should be 0x[0-9a-f]{4}\\)\n.*"), bad.out());

        CliRun hex = rawsock(with(README_ARGS, "--hex"));
        assertEquals(0, hex.code(), hex.err());
        assertEquals(List.of(README_LINE, "0000  45 00 00 3c "), List.of(hex.lines().get(0), hex.lines().get(1).substring(0, 18)));
        assertEquals(5, hex.lines().size(), "the line and 60 bytes at 16 a line:\n" + hex.out());
        assertEquals(rawsock(with(README_ARGS, "--hex", "--seed", "5")).out(), rawsock(with(README_ARGS, "--dump", "--seed", "5")).out(),
                "--hex is --dump for craft");

        CliRun labels = rawsock(with(README_ARGS, "--hex", "--labels"));
        assertTrue(labels.out().contains("\n-- ipv4 header: 20 bytes (offset 0-19) --\n"), labels.out());
        assertTrue(labels.out().contains("\n-- tcp header: 40 bytes (offset 20-59) --\n"), labels.out());
        assertTrue(labels.out().contains("   9c40      bytes 20-21  source port\n"), labels.out());

        CliRun json = rawsock(with(README_ARGS, "--json"));
        assertEquals(0, json.code(), json.err());
        assertEquals(1, json.lines().size(), json.out());
        String line = json.lines().get(0);
        assertTrue(line.startsWith("{\"frame\":1,\"caplen\":60,\"len\":60,\"layers\":[\"ipv4\",\"tcp\"],"), line);
        assertTrue(line.contains("\"src_port\":40000,\"dst_port\":8080,\"seq\":1000,"), line);
        assertTrue(line.contains("{\"kind\":2,\"name\":\"mss\",\"mss\":1460}"), line);
        assertTrue(line.endsWith(",\"truncated\":false}"), line);
        assertFalse(json.err().isEmpty(), "notes and the seed go to stderr, not into the JSON");
    }

    @Test
    void outWritesAPcapThatDecodeAndTsharkRead(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("x.pcap");
        CliRun craft = rawsock(with(README_ARGS, "--out", pcap.toString()));
        assertEquals(0, craft.code(), craft.err());
        CliRun decode = rawsock("decode", pcap.toString());
        assertEquals(0, decode.code(), decode.err());
        assertEquals(craft.out(), decode.out());
        assertEquals(README_LINE + "\n", decode.out());

        NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-r", pcap.toString(), "-T", "fields",
                "-e", "frame.number", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq_raw",
                "-e", "tcp.options.mss_val", "-e", "tcp.checksum.status", "-o", "tcp.check_checksum:TRUE"));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        assertEquals(List.of("1\t127.0.0.1\t40000\t8080\t1000\t1460\t1"), tshark.lines(), "one packet, read as we wrote it (checksum status 1: good)");
    }

    @Test
    void fragmentGivesSeveralPacketsThatReassembleToTheWhole(@TempDir Path dir) throws Exception {
        String[] args = {"craft", "udp", "--src", "127.0.0.1", "--dst", "127.0.0.2", "--sport", "5000", "--dport", "53",
            "--data-length", "100", "--seed", "9"};
        Path whole = dir.resolve("whole.pcap");
        Path pieces = dir.resolve("pieces.pcap");
        assertEquals(0, rawsock(with(args, "--out", whole.toString())).code());
        CliRun r = rawsock(with(args, "--fragment", "40", "--out", pieces.toString()));
        assertEquals(0, r.code(), r.err());
        // 108 bytes of UDP, 16 to a fragment (40 - 20, cut to a multiple of 8): 7 fragments.
        List<String> lines = r.lines();
        assertEquals(7, lines.size(), r.out());
        assertEquals("UDP 127.0.0.1:5000 > 127.0.0.2:53 len=8", lines.get(0), "the first fragment holds the UDP header and 8 bytes");
        for (int i = 1; i < 7; i++) {
            assertTrue(lines.get(i).matches("IPv4 127\\.0\\.0\\.1 > 127\\.0\\.0\\.2 proto=17 frag id=\\d+ off=" + 16 * i
                    + (i < 6 ? " MF" : "") + " len=" + (i < 6 ? 16 : 12) + " \\[fragment\\]"), lines.get(i));
        }
        assertEquals(r.out(), rawsock("decode", pieces.toString()).out());

        // Put the fragments back together by their offsets: the original packet's data comes back.
        byte[] original = readAll(whole).get(0);
        List<byte[]> fragments = readAll(pieces);
        assertEquals(7, fragments.size());
        byte[] data = new byte[original.length - 20];
        int id = new Ipv4View().wrap(ByteBuffer.wrap(original), 0).identification();
        for (byte[] f : fragments) {
            Ipv4View ip = new Ipv4View().wrap(ByteBuffer.wrap(f), 0);
            assertTrue(f.length <= 40, "a fragment of " + f.length + " bytes");
            assertEquals(f.length, ip.totalLength());
            assertTrue(ip.checksumValid(20));
            assertEquals(id, ip.identification());
            System.arraycopy(f, 20, data, ip.fragmentOffset() * 8, f.length - 20);
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(original, 20, original.length), data);

        CliRun tooSmall = rawsock(with(args, "--fragment", "27"));
        assertEquals(2, tooSmall.code());
        assertTrue(tooSmall.err().contains("--fragment"), tooSmall.err());
    }

    private static List<byte[]> readAll(Path pcap) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(pcap)) {
            while (r.next()) {
                byte[] b = new byte[r.capturedLength()];
                r.buffer().get(0, b);
                out.add(b);
            }
        }
        return out;
    }

    @Test
    void notesOnStandardErrorSayWhatTheKernelRewrites() {
        CliRun plain = rawsock("craft", "tcp", "--src", "127.0.0.1", "--id", "7");
        assertEquals(0, plain.code());
        assertTrue(plain.err().contains("note: on a raw socket (IP_HDRINCL) Linux always rewrites the IP checksum and total length (raw(7))\n"),
                plain.err());
        assertFalse(plain.err().contains("IP id is 0"), plain.err());
        assertFalse(plain.err().contains("source is 0.0.0.0"), plain.err());
        assertFalse(plain.out().contains("note:"), "notes are not output");

        CliRun zeroId = rawsock("craft", "tcp", "--src", "127.0.0.1", "--id", "0");
        assertTrue(zeroId.err().contains("note: IP id is 0: Linux fills in its own"), zeroId.err());

        CliRun zeroSource = rawsock("craft", "udp", "--src", "0.0.0.0", "--id", "7");
        assertTrue(zeroSource.err().contains("note: source is 0.0.0.0: Linux fills in the route's source address, and the UDP checksum, "
                + "computed over 0.0.0.0, will then be wrong (give --src)"), zeroSource.err());
        CliRun zeroSourceIcmp = rawsock("craft", "icmp", "--src", "0.0.0.0", "--id", "7");
        assertTrue(zeroSourceIcmp.err().contains("note: source is 0.0.0.0: Linux fills in the route's source address\n"), zeroSourceIcmp.err());

        CliRun explicit = rawsock("craft", "tcp", "--src", "127.0.0.1", "--id", "7", "--ip-checksum", "5", "--ip-length", "99");
        assertTrue(explicit.err().contains("the explicit --ip-checksum and --ip-length will not go out as given"), explicit.err());

        // Without --src the source is the kernel's route source, so the checksum is right and there is no note.
        CliRun routed = rawsock("craft", "tcp", "--dst", "127.0.0.1", "--id", "7", "--show");
        assertEquals(0, routed.code(), routed.err());
        assertTrue(routed.out().contains("    src=127.0.0.1\n"), routed.out());
        assertFalse(routed.err().contains("source is 0.0.0.0"), routed.err());
    }

    @Test
    void badValuesExitTwoNamingTheOptionAndTheRange(@TempDir Path dir) {
        record Case(String[] args, String... mentions) {}
        List<Case> cases = List.of(
                new Case(new String[] {"--dport", "70000"}, "--dport", "0-65535", "'70000'"),
                new Case(new String[] {"--sport", "-1"}, "--sport", "0-65535", "'-1'"),
                new Case(new String[] {"--ttl", "300"}, "--ttl", "0-255", "'300'"),
                new Case(new String[] {"--ihl", "16"}, "--ihl", "0-15", "'16'"),
                new Case(new String[] {"--frag-offset", "8192"}, "--frag-offset", "0-8191"),
                new Case(new String[] {"--seq", "4294967296"}, "--seq", "0-4294967295"),
                new Case(new String[] {"--tcp-option", "mss=x"}, "--tcp-option", "'mss=x'", "0-65535"),
                new Case(new String[] {"--tcp-option", "wscale=7,frob"}, "--tcp-option", "'frob'", "unknown option"),
                new Case(new String[] {"--ip-option", "bogus"}, "--ip-option", "'bogus'", "expected nop, eol, rr, ts, lsrr, ssrr, ra or raw"),
                new Case(new String[] {"--ip-option", "rr=10"}, "--ip-option", "0-9"),
                new Case(new String[] {"--ip-option", "rr=9", "--ip-option", "rr=9"}, "--ip-option", "78 bytes", "40"),
                new Case(new String[] {"--flags", "XYZ"}, "--flags", "'XYZ'", "not a TCP flag"),
                new Case(new String[] {"--data", "zz"}, "--data", "'zz' is not hex"),
                new Case(new String[] {"--data", "abc"}, "--data", "odd number of hex digits"),
                new Case(new String[] {"--data", "00", "--data-string", "a"}, "--data", "--data-string", "mutually exclusive"),
                new Case(new String[] {"--data-string", "\\x4"}, "--data-string", "two hex digits"),
                new Case(new String[] {"--data-file", dir.resolve("missing.bin").toString()}, "--data-file", "missing.bin"));
        for (Case c : cases) {
            CliRun r = rawsock(with(new String[] {"craft", "tcp", "--src", "127.0.0.1"}, c.args()));
            assertEquals(2, r.code(), String.join(" ", c.args()) + "\n" + r.err());
            for (String mention : c.mentions()) {
                assertTrue(r.err().contains(mention), String.join(" ", c.args()) + ": '" + mention + "' not in\n" + r.err());
            }
            assertEquals("", r.out(), "nothing printed for a bad command line");
            assertNoStackTrace(r);
        }
        CliRun protocol = rawsock("craft", "sctp");
        assertEquals(2, protocol.code());
        assertTrue(protocol.err().contains("'sctp' is not a protocol: expected tcp, udp, icmp or raw"), protocol.err());
        CliRun noProtocol = rawsock("craft", "--dst", "127.0.0.1");
        assertEquals(2, noProtocol.code(), noProtocol.err());
        assertTrue(noProtocol.err().contains("Missing required parameter: 'PROTO'"), noProtocol.err());
        assertNoStackTrace(noProtocol);
    }

    @Test
    void dataComesFromHexTextOrAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payload.bin");
        Files.write(file, "hello".getBytes());
        String hexLine = rawsock("craft", "udp", "--src", "127.0.0.1", "--sport", "1", "--dport", "2", "--data", "68656c6c6f").out();
        assertEquals("UDP 127.0.0.1:1 > 127.0.0.1:2 len=5\n", hexLine);
        assertEquals(hexLine, rawsock("craft", "udp", "--src", "127.0.0.1", "--sport", "1", "--dport", "2", "--data-string", "hello").out());
        assertEquals(hexLine, rawsock("craft", "udp", "--src", "127.0.0.1", "--sport", "1", "--dport", "2", "--data-file", file.toString()).out());
        assertEquals("UDP 127.0.0.1:1 > 127.0.0.1:2 len=3\n",
                rawsock("craft", "udp", "--src", "127.0.0.1", "--sport", "1", "--dport", "2", "--data-length", "3").out());
    }

    // ---- decode ----

    /** Four different packets in one pcap file, written by the library (not by the CLI under test). */
    private static Path fourPackets(Path dir) throws IOException {
        int lo = Ipv4Address.parse("127.0.0.1");
        int lo2 = Ipv4Address.parse("127.0.0.2");
        List<PacketSpec> specs = List.of(
                PacketSpec.tcp().source(lo).destination(lo2).sourcePort(40000).destinationPort(8080).sequence(1000L)
                        .tcpOptions(Bytes.fromHex("020405b4")),
                PacketSpec.udp().source(lo2).destination(lo).sourcePort(53).destinationPort(40000).payload(Bytes.of("answer".getBytes())),
                PacketSpec.icmp().source(lo).destination(lo2).icmpIdentifier(5).icmpSequence(6),
                PacketSpec.tcp().source(lo2).destination(lo).sourcePort(8080).destinationPort(40000).flags(TcpFlags.RST | TcpFlags.ACK)
                        .sequence(0L).acknowledgment(1001).badTransportChecksum(true));
        Path pcap = dir.resolve("four.pcap");
        ByteBuffer b = ByteBuffer.allocate(Assembler.MAX_IPV4_PACKET_BYTES);
        PcapWriter.writeFile(pcap, LinkType.RAW, 65535, false, w -> {
            long t = 1_700_000_000_000_000_000L;
            for (PacketSpec s : specs) {
                int n = new Assembler().assemble(s, Randomness.seeded(3), EmitOptions.DEFAULT, b, 0);
                w.write(t += 1_000_000, b, 0, n);
            }
        });
        return pcap;
    }

    @Test
    void aPcapngWrittenByTsharkDecodesToTheSameLines(@TempDir Path dir) throws Exception {
        Path ours = fourPackets(dir);
        Path theirs = dir.resolve("theirs.pcapng");
        NativeTools.Result convert = NativeTools.run(60, List.of("tshark", "-r", ours.toString(), "-w", theirs.toString(), "-F", "pcapng"));
        assertEquals(0, convert.exitCode(), convert.stderr());
        byte[] magic = java.util.Arrays.copyOf(Files.readAllBytes(theirs), 4);
        assertArrayEquals(new byte[] {0x0a, 0x0d, 0x0d, 0x0a}, magic, "tshark wrote a pcapng section header");

        CliRun a = rawsock("decode", ours.toString());
        CliRun b = rawsock("decode", theirs.toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        assertEquals(4, a.lines().size(), a.out());
        assertEquals(a.out(), b.out());
        assertEquals(List.of("TCP 127.0.0.1:40000 > 127.0.0.2:8080 [S] seq=1000 win=64240 <mss 1460> len=0",
                "UDP 127.0.0.2:53 > 127.0.0.1:40000 len=6", "ICMP 127.0.0.1 > 127.0.0.2 echo-request id=5 seq=6 len=0",
                "TCP 127.0.0.2:8080 > 127.0.0.1:40000 [RA] seq=0 ack=1001 win=64240 len=0 [bad tcp checksum]"), a.lines());
        for (String form : new String[] {"--json", "--show", "--dump"}) {
            assertEquals(rawsock("decode", ours.toString(), form).out(), rawsock("decode", theirs.toString(), form).out(), form);
        }
    }

    @Test
    void countAndSkip(@TempDir Path dir) throws Exception {
        Path pcap = fourPackets(dir);
        List<String> all = rawsock("decode", pcap.toString()).lines();
        assertEquals(all.subList(0, 2), rawsock("decode", pcap.toString(), "--count", "2").lines());
        assertEquals(all.subList(1, 3), rawsock("decode", pcap.toString(), "--skip", "1", "--count", "2").lines());
        assertEquals(all.subList(3, 4), rawsock("decode", pcap.toString(), "--skip", "3").lines());
        assertEquals(all, rawsock("decode", pcap.toString(), "--count", "10").lines());
        assertEquals("", rawsock("decode", pcap.toString(), "--skip", "4").out());
        assertEquals("", rawsock("decode", pcap.toString(), "--count", "0").out());
        // Skipped packets still count: frame numbers are the file's.
        CliRun json = rawsock("decode", pcap.toString(), "--skip", "2", "--count", "1", "--json");
        assertTrue(json.out().startsWith("{\"frame\":3,"), json.out());
        CliRun negative = rawsock("decode", pcap.toString(), "--count", "-1");
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("--count") && negative.err().contains("'-1'"), negative.err());
    }

    @Test
    void hexInputWithTheLinkItStartsWith() throws Exception {
        String ip = rawsock(with(README_ARGS, "--dump")).out().lines().skip(1)
                .map(l -> l.substring(6, 55)).reduce("", String::concat);
        String bytes = ip.replace(" ", "");
        assertEquals(120, bytes.length(), ip);
        assertEquals(README_LINE + "\n", rawsock("decode", "--hex", ip).out(), "spaced hex, as the dump shows it");
        assertEquals(README_LINE + "\n", rawsock("decode", "--hex", "0x" + bytes).out());
        assertEquals(README_LINE + "\n", rawsock("decode", "--hex", bytes, "--link", "ipv4").out());
        String ethernet = "02000000000b 02000000000a 0800 ";
        assertEquals(README_LINE + "\n", rawsock("decode", "--hex", ethernet + bytes, "--link", "eth").out());
        String sll = "0000 0001 0006 02000000000a0000 0800 ";
        assertEquals(README_LINE + "\n", rawsock("decode", "--hex", sll + bytes, "--link", "sll").out());
        // Said to be IPv6, the same bytes are an IPv6 header with the wrong version, and say so.
        CliRun v6 = rawsock("decode", "--hex", bytes, "--link", "ipv6");
        assertEquals(0, v6.code());
        assertTrue(v6.out().contains("[malformed ipv6 at byte 0: version is 4, not 6]"), v6.out());
        // Cut short, it is decoded as far as it goes.
        CliRun cut = rawsock("decode", "--hex", bytes.substring(0, 60));
        assertEquals(0, cut.code());
        assertTrue(cut.out().startsWith("IPv4 127.0.0.1 > 127.0.0.1 proto=6 ") && cut.out().contains("[malformed"), cut.out());

        CliRun badHex = rawsock("decode", "--hex", "45 00 zz");
        assertEquals(2, badHex.code());
        assertTrue(badHex.err().contains("--hex: 'z' at column 7 is not a hex digit"), badHex.err());
        CliRun badLink = rawsock("decode", "--hex", bytes, "--link", "token-ring");
        assertEquals(2, badLink.code());
        assertTrue(badLink.err().contains("--link") && badLink.err().contains("'token-ring' is not a link type"), badLink.err());
        CliRun neither = rawsock("decode");
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("give a FILE (or - for standard input) or --hex BYTES"), neither.err());
        for (CliRun r : List.of(badHex, badLink, neither)) {
            assertNoStackTrace(r);
        }
    }

    @Test
    void aMissingFileExitsTwoAndAGarbageFileExitsOneWithTheOffset(@TempDir Path dir) throws Exception {
        CliRun missing = rawsock("decode", dir.resolve("nope.pcap").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.pcap': no such file"), missing.err());
        assertNoStackTrace(missing);

        Path garbage = dir.resolve("garbage.pcap");
        Files.write(garbage, "this is not a capture file at all".getBytes());
        CliRun g = rawsock("decode", garbage.toString());
        assertEquals(1, g.code());
        assertTrue(g.err().contains("garbage.pcap: offset 0: bad magic number 0x74686973"), g.err());
        assertNoStackTrace(g);
        assertFalse(g.err().contains("internal error"), g.err());

        // A file cut in the middle of its third record: two packets decoded, then the error at that record's offset.
        byte[] whole = Files.readAllBytes(fourPackets(dir));
        int third = 24;
        for (int i = 0; i < 2; i++) {
            third += 16 + ByteBuffer.wrap(whole, third + 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(); // PcapWriter's default order
        }
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(whole, third + 20));
        CliRun c = rawsock("decode", cut.toString());
        assertEquals(1, c.code());
        assertEquals(2, c.lines().size(), c.out());
        assertTrue(c.err().contains("cut.pcap: offset " + third + ": "), "the offset of the cut record, " + third + ":\n" + c.err());
        assertNoStackTrace(c);

        CliRun verbose = rawsock("--verbose", "decode", garbage.toString());
        assertEquals(1, verbose.code());
        assertTrue(verbose.err().contains("\tat dev.rawsock."), "--verbose adds the stack trace:\n" + verbose.err());
    }

    // ---- standard input, through the built jar ----

    private static Path jar() throws IOException {
        Path root = NativeTools.projectRoot();
        Path jar = root.resolve("target/rawsock.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": run 'make build' first");
        long built = Files.getLastModifiedTime(jar).toMillis();
        try (Stream<Path> sources = Stream.concat(Files.walk(root.resolve("java")), Stream.of(root.resolve("pom.xml")))) {
            Path newer = sources.filter(p -> p.toString().endsWith(".java") || p.endsWith("pom.xml"))
                    .filter(p -> p.toFile().lastModified() > built).findFirst().orElse(null);
            assertTrue(newer == null, newer + " is newer than " + jar + ": run 'make build' first");
        }
        return jar;
    }

    /** {@code java -jar target/rawsock.jar ARGS < input}, bounded in time. */
    private static CliRun jar(Path input, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("rawsock-cli-out", ".txt");
        Path err = Files.createTempFile("rawsock-cli-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).redirectInput(input.toFile()).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return new CliRun(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void standardInputThroughTheJar(@TempDir Path dir) throws Exception {
        Path pcap = fourPackets(dir);
        CliRun fromFile = rawsock("decode", pcap.toString());
        CliRun fromStdin = jar(pcap, "decode", "-");
        assertEquals(0, fromStdin.code(), fromStdin.err());
        assertEquals(fromFile.out(), fromStdin.out());
        assertEquals("", fromStdin.err());

        Path hex = dir.resolve("packet.hex");
        String bytes = rawsock(with(README_ARGS, "--dump")).out().lines().skip(1).map(l -> l.substring(6, 55)).reduce("", String::concat);
        Files.writeString(hex, bytes.trim().replace("  ", " ").replace(" ", "\n") + "\n"); // one byte a line, as a file might hold it
        CliRun hexStdin = jar(hex, "decode", "--hex", "-", "--show");
        assertEquals(0, hexStdin.code(), hexStdin.err());
        assertEquals(rawsock("decode", "--hex", bytes, "--show").out(), hexStdin.out());
        assertTrue(hexStdin.out().startsWith(README_LINE + "\n"), hexStdin.out());

        // Garbage on standard input: exit 1, the offset, and the input named as the user gave it.
        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        CliRun g = jar(garbage, "decode", "-");
        assertEquals(1, g.code(), g.err());
        assertEquals("rawsock: (standard input): offset 0: bad magic number 0x01020304: not a pcap file (a1b2c3d4 or a1b23c4d, "
                + "either byte order) or a pcapng file (0a0d0d0a)\n", g.err());
        Path nothing = Files.write(dir.resolve("empty"), new byte[0]);
        CliRun empty = jar(nothing, "decode", "-");
        assertEquals(1, empty.code(), empty.err());
        assertTrue(empty.err().startsWith("rawsock: (standard input): offset 0: "), empty.err());
    }
}
