package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rawsock craft} with IPv6 addresses: the whole IPv6 packet is built, printed like any other, and
 * written to pcap (LinkType RAW) that tshark reads with the same fields and good checksums. IPv4-only options
 * are refused with the option named.
 */
class CraftIpv6CliTest {
    private static List<String> tshark(Path pcap, String... fields) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields",
                "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"));
        for (String f : fields) {
            command.add("-e");
            command.add(f);
        }
        NativeTools.Result r = NativeTools.run(60, command);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.lines();
    }

    @Test
    void aSynToLoopbackIsAWholeIpv6PacketThatTsharkReadsAsWeWroteIt(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("syn6.pcap");
        CliRun r = rawsock("craft", "tcp", "--dst", "::1", "--sport", "40000", "--dport", "8080", "--seq", "1000",
                "--ttl", "7", "--tos", "0xb8", "--flow-label", "0x12345", "--tcp-option", "mss=1440,sackok,nop,nop", "--out", pcap.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("TCP [::1]:40000 > [::1]:8080 [S] seq=1000 win=64240 <mss 1440,sackOK,nop,nop> len=0\n", r.out(),
                "the source is the route's (::1), so no [bad tcp] mark");
        assertTrue(r.err().contains("note: on an AF_INET6 raw socket Linux builds the IPv6 header itself"), r.err());

        CliRun decoded = rawsock("decode", pcap.toString());
        assertEquals(0, decoded.code(), decoded.err());
        assertEquals(r.out(), decoded.out(), "decode reads back the same packet");

        assertEquals(List.of("::1\t::1\t7\t28\t0x12345\t0xb8\t6\t40000\t8080\t1000\t1"),
                tshark(pcap, "ipv6.src", "ipv6.dst", "ipv6.hlim", "ipv6.plen", "ipv6.flow", "ipv6.tclass", "ipv6.nxt",
                        "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.checksum.status").stream()
                        .map(l -> l.replace("0x012345", "0x12345").replace("0x000000b8", "0xb8")).toList(),
                "tshark: addresses, hop limit, payload length, flow label, traffic class, next header; checksum status 1 (good)");

        CliRun shown = rawsock("craft", "tcp", "--dst", "::1", "--dport", "8080", "--show");
        assertTrue(shown.out().contains("    version=6\n"), shown.out());
        assertTrue(shown.out().contains("    hop_limit=64\n"), shown.out());
        assertTrue(shown.out().matches("(?s).*checksum=0x[0-9a-f]{4} correct\n.*"), shown.out());
    }

    @Test
    void icmpWithAnIpv6DestinationIsAnIcmpv6EchoRequest(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("echo6.pcap");
        CliRun r = rawsock("craft", "icmp", "--dst", "::1", "--icmp-id", "4321", "--icmp-seq", "9",
                "--data-string", "abcd", "--out", pcap.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        String line = r.out().trim();
        assertTrue(line.contains("\"layers\":[\"ipv6\",\"icmpv6\",\"payload\"]"), line);
        assertTrue(line.contains("\"next_header\":58"), line);
        assertTrue(line.contains("\"type\":128,\"code\":0,"), line);
        assertTrue(line.contains("\"checksum_valid\":true"), line);
        assertTrue(line.contains("\"id\":4321,\"seq\":9"), line);
        assertEquals(List.of("128\t0\t4321\t9\t1"), tshark(pcap, "icmpv6.type", "icmpv6.code", "icmpv6.echo.identifier",
                "icmpv6.echo.sequence_number", "icmpv6.checksum.status").stream()
                .map(l -> l.replace("0x10e1", "4321")).toList());
        assertTrue(r.err().contains("note: Linux always computes the ICMPv6 checksum on a raw socket"), r.err());

        CliRun bad = rawsock("craft", "icmp", "--dst", "::1", "--badsum");
        assertTrue(bad.out().contains("[bad icmpv6"), bad.out());
        assertTrue(bad.err().contains("the explicit --badsum will not go out as given"), bad.err());

        CliRun typed = rawsock("craft", "icmp", "--dst", "::1", "--icmp-type", "1", "--icmp-code", "4");
        assertEquals(0, typed.code(), typed.err());
        assertTrue(typed.out().startsWith("ICMPv6 ::1 > ::1 destination-unreachable"), typed.out());
    }

    @Test
    void udpOverIpv6HasAChecksumTsharkAccepts(@TempDir Path dir) throws Exception {
        Path pcap = dir.resolve("udp6.pcap");
        CliRun r = rawsock("craft", "udp", "--src", "::1", "--dst", "::1", "--sport", "5000", "--dport", "53",
                "--data-string", "hello", "--out", pcap.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("UDP [::1]:5000 > [::1]:53 len=5\n", r.out());
        assertEquals(List.of("17\t5000\t53\t13\t1"), tshark(pcap, "ipv6.nxt", "udp.srcport", "udp.dstport", "udp.length",
                "udp.checksum.status"));

        CliRun unspecified = rawsock("craft", "udp", "--src", "::", "--dst", "::1");
        assertTrue(unspecified.err().contains("note: source is ::: Linux fills in the route's source address, and the UDP checksum, "
                + "computed over ::, will then be wrong (give --src)"), unspecified.err());
    }

    @Test
    void ipv4OnlyOptionsAreRefusedWithIpv6NamingTheOption() {
        List<String[]> ipv4Only = List.of(new String[] {"--id", "5"}, new String[] {"--df"}, new String[] {"--mf"},
                new String[] {"--evil"}, new String[] {"--frag-offset", "3"}, new String[] {"--ip-option", "nop"},
                new String[] {"--ihl", "6"}, new String[] {"--ip-checksum", "1"}, new String[] {"--ip-length", "40"},
                new String[] {"--fragment", "100"});
        for (String[] option : ipv4Only) {
            String[] args = Stream.concat(Stream.of("craft", "tcp", "--dst", "::1"), Stream.of(option)).toArray(String[]::new);
            CliRun r = rawsock(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().contains(option[0] + " is IPv4-only"), r.err());
            assertTrue(r.out().isEmpty(), r.out());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        // An IPv6 --src alone makes the packet IPv6 too (to ::1).
        CliRun bySource = rawsock("craft", "udp", "--src", "::1", "--df");
        assertEquals(2, bySource.code());
        assertTrue(bySource.err().contains("--df is IPv4-only, but the packet is IPv6 (--src ::1)"), bySource.err());
        CliRun toLoopback = rawsock("craft", "udp", "--src", "::1", "--dport", "9");
        assertEquals(0, toLoopback.code(), toLoopback.err());
        assertTrue(toLoopback.out().contains("> [::1]:9 "), toLoopback.out());
    }

    @Test
    void mixedFamiliesAndBadValuesAreUsageErrors() {
        CliRun mixed = rawsock("craft", "tcp", "--src", "::1", "--dst", "127.0.0.1");
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--src ::1 is IPv6 but --dst 127.0.0.1 is IPv4"), mixed.err());
        CliRun mixed2 = rawsock("craft", "tcp", "--src", "127.0.0.1", "--dst", "::1");
        assertEquals(2, mixed2.code());
        assertTrue(mixed2.err().contains("--src 127.0.0.1 is IPv4 but --dst ::1 is IPv6"), mixed2.err());

        CliRun flow4 = rawsock("craft", "tcp", "--flow-label", "1");
        assertEquals(2, flow4.code());
        assertTrue(flow4.err().contains("--flow-label is IPv6-only"), flow4.err());
        CliRun flowBig = rawsock("craft", "tcp", "--dst", "::1", "--flow-label", "0x100000");
        assertEquals(2, flowBig.code());
        assertTrue(flowBig.err().contains("--flow-label") && flowBig.err().contains("0-1048575"), flowBig.err());
        CliRun zone = rawsock("craft", "tcp", "--dst", "fe80::1%lo");
        assertEquals(2, zone.code());
        assertTrue(zone.err().contains("--dst") && zone.err().contains("zone id"), zone.err());
        CliRun garbage = rawsock("craft", "tcp", "--dst", "1::2::3");
        assertEquals(2, garbage.code());
        assertTrue(garbage.err().contains("'1::2::3' is not an IPv6 address"), garbage.err());
    }

    @Test
    void aHopLimitSweepBuildsOnePacketPerValue() {
        CliRun r = rawsock("craft", "udp", "--dst", "::1", "--dport", "33434", "--ttl", "1-3", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        for (int k = 0; k < 3; k++) {
            assertTrue(lines.get(k).contains("\"hop_limit\":" + (k + 1) + ","), lines.get(k));
            assertTrue(lines.get(k).contains("\"checksum_valid\":true"), lines.get(k));
        }
    }
}
