package dev.rawsock.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static dev.rawsock.cli.CliRun.rawsock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line in-process: help, version, exit codes, and bad input named clearly without a stack trace. */
class CliTest {
    @Test
    void helpListsCommandsAndTheExitCodeTable() {
        CliRun r = rawsock("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("tour"), r.out());
        assertTrue(r.out().contains("sockopt"), r.out());
        assertTrue(r.out().contains("Exit codes:"), r.out());
        for (String row : new String[] {"0   ok", "1   runtime failure", "2   usage error", "3   not permitted", "4   no reply"}) {
            assertTrue(r.out().contains(row), () -> "help lacks '" + row + "':\n" + r.out());
        }
    }

    /**
     * Every command's option list names each option once. picocli 4.7.6 listed the options of an
     * exclusive group inside a mixin twice (remkop/picocli#2309: craft's and send's --data group).
     */
    @Test
    void helpListsEachOptionOnce() {
        assertEquals(14, Main.commandNames().size(), Main.commandNames().toString());
        for (String name : Main.commandNames()) {
            CliRun r = rawsock(name, "--help");
            assertEquals(0, r.code(), r.err());
            // the name in Main's table is the one the command's own model (its @Command, or Args) answers to
            assertTrue(r.out().startsWith("Usage: rawsock " + name + " "), r.out());
            java.util.Map<String, Integer> rows = new java.util.HashMap<>();
            for (String line : r.out().split("\n")) {
                // Option rows start with indentation then "-x, --name" or "--name".
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^\\s{2,8}(?:-\\w, )?(--[\\w-]+)").matcher(line);
                if (m.find()) {
                    rows.merge(m.group(1), 1, Integer::sum);
                }
            }
            assertFalse(rows.isEmpty(), "no option rows found in 'rawsock " + name + " --help'");
            rows.forEach((option, n) -> assertEquals(1, n,
                    () -> "'rawsock " + name + " --help' lists " + option + " " + n + " times:\n" + r.out()));
        }
    }

    /** The command list shows each command's one-line summary whole: a sentence, not a line cut from a paragraph. */
    @Test
    void theCommandListShowsWholeSummaries() {
        CliRun r = rawsock("--help");
        String commands = r.out().substring(r.out().indexOf("Commands:\n") + "Commands:\n".length(), r.out().indexOf("\nExit codes:"));
        java.util.Map<String, String> summaries = new java.util.LinkedHashMap<>();
        String current = null;
        for (String line : commands.split("\n")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("^  (\\w+)\\s+(.*)$").matcher(line);
            if (m.matches()) {
                current = m.group(1);
                summaries.put(current, m.group(2).trim());
            } else if (current != null && !line.isBlank()) {
                summaries.merge(current, line.trim(), (a, b) -> a + " " + b);
            }
        }
        assertTrue(summaries.keySet().containsAll(java.util.List.of("tour", "craft", "send", "sniff", "lesson", "script", "helper")),
                summaries.toString());
        summaries.forEach((command, summary) -> assertTrue(summary.endsWith("."),
                () -> command + "'s summary in 'rawsock --help' is cut off: '" + summary + "'"));
        assertTrue(r.out().replaceAll("\\s+", " ").contains("workbench: the kernel's socket calls, called directly and traced"), r.out());
    }

    /** picocli prints option values with toString: an address prints as the user wrote it (trimmed). */
    @Test
    void anAddressOptionPrintsAsWritten() {
        assertEquals("127.0.0.1", PacketAddress.parse(" 127.0.0.1 ").toString());
        assertEquals("::1", PacketAddress.parse("::1").toString());
    }

    @Test
    void versionNamesTheTool() {
        CliRun r = rawsock("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("rawsock "), r.out());
    }

    @Test
    void badValuesAreUsageErrorsNamingTheOption() {
        CliRun port = rawsock("tour", "--port", "70000");
        assertEquals(2, port.code());
        assertTrue(port.err().contains("--port") && port.err().contains("must be 0-65535 but was '70000'"), port.err());

        CliRun address = rawsock("tour", "--address", "127.0.0.300");
        assertEquals(2, address.code());
        assertTrue(address.err().contains("--address") && address.err().contains("300 is above 255"), address.err());

        CliRun hostname = rawsock("tour", "--address", "localhost");
        assertEquals(2, hostname.code());
        assertTrue(hostname.err().contains("not a numeric IPv4 or IPv6 address"), hostname.err());

        CliRun family = rawsock("sockopt", "--family", "appletalk");
        assertEquals(2, family.code());
        assertTrue(family.err().contains("--family") && family.err().contains("'appletalk' is not a family"), family.err());

        CliRun type = rawsock("sockopt", "--type", "banana");
        assertEquals(2, type.code());
        assertTrue(type.err().contains("'banana' is not a socket type"), type.err());

        CliRun option = rawsock("sockopt", "--get", "SO_NOPE");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("--get: unknown option 'SO_NOPE'"), option.err());

        CliRun value = rawsock("sockopt", "--set", "SO_KEEPALIVE=maybe");
        assertEquals(2, value.code());
        assertTrue(value.err().contains("--set SO_KEEPALIVE: expected on/off (1/0) but was 'maybe'"), value.err());

        CliRun unknown = rawsock("frobnicate");
        assertEquals(2, unknown.code());
        for (CliRun r : new CliRun[] {port, address, family, option, value, unknown}) {
            assertFalse(r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        }
    }

    @Test
    void kernelErrorsExitOneAndVerboseAddsTheStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String port = Integer.toString(taken.getLocalPort());
            CliRun r = rawsock("tour", "--port", port);
            assertEquals(1, r.code());
            assertTrue(r.err().contains("rawsock: bind: EADDRINUSE (Address already in use): 127.0.0.1:" + port), r.err());
            assertTrue(r.out().contains("bind(") && r.out().contains("= -1 EADDRINUSE (Address already in use)"),
                    "the trace shows the failed call:\n" + r.out());
            assertFalse(r.err().contains("\tat "), r.err());

            CliRun verbose = rawsock("--verbose", "tour", "--port", port);
            assertEquals(1, verbose.code());
            assertTrue(verbose.err().contains("\tat dev.rawsock."), verbose.err());

            CliRun verboseAfter = rawsock("tour", "--port", port, "--verbose");
            assertTrue(verboseAfter.err().contains("\tat dev.rawsock."), "--verbose works after the command too:\n" + verboseAfter.err());
        }
        CliRun noAddress = rawsock("tour", "--address", "192.0.2.1");
        assertEquals(1, noAddress.code());
        assertTrue(noAddress.err().contains("bind: EADDRNOTAVAIL"), noAddress.err());
    }

    @Test
    void sockoptListsGetsAndSets() {
        CliRun list = rawsock("sockopt");
        assertEquals(0, list.code(), list.err());
        for (String name : new String[] {"SO_REUSEADDR", "SO_RCVBUF", "SO_LINGER", "TCP_NODELAY", "TCP_INFO", "IP_TTL"}) {
            assertTrue(list.out().contains(name), list.out());
        }
        assertTrue(list.out().contains("TCP_CLOSE"), "TCP_INFO of a fresh socket:\n" + list.out());

        CliRun udp = rawsock("sockopt", "--type", "dgram");
        assertEquals(0, udp.code(), udp.err());
        assertFalse(udp.out().contains("TCP_NODELAY"), "TCP options do not apply to UDP:\n" + udp.out());

        CliRun set = rawsock("sockopt", "--set", "SO_RCVBUF=65536", "--trace");
        assertEquals(0, set.code(), set.err());
        assertTrue(set.out().contains("setsockopt(") && set.out().contains("SO_RCVBUF, [65536], 4) = 0"), set.out());
        assertTrue(set.out().matches("(?s).*SO_RCVBUF\\s+SOL_SOCKET\\s+131072\\s+bytes.*"), "Linux doubles it:\n" + set.out());

        CliRun get = rawsock("sockopt", "--get", "tcp_maxseg");
        assertEquals(0, get.code(), get.err());
        assertTrue(get.out().contains("TCP_MAXSEG"), get.out());
    }

    @Test
    void tourOverIpv6Loopback() {
        CliRun r = rawsock("tour", "--address", "::1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = "), r.out());
        assertTrue(r.out().matches("(?s).*bind\\(\\d+, \\{\\[::1\\]:0\\}, 28\\) = 0.*"), r.out());
    }
}
