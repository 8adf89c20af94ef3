package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code rawsock tour} (Java, run in-process) and its C twin {@code native/tour.c} make the same calls
 * in the same order and print the same lines, byte for byte once descriptor numbers, ports and the
 * numbers inside TCP_INFO are normalised. Facts of the tour itself are checked on the raw output of
 * both, so two equally wrong outputs cannot pass.
 */
class TourTwinTest {
    private static final int TIMEOUT_SECONDS = 30;

    /** The rows of the socket API table (DESIGN.md), each of which the tour must call. */
    private static final List<String> TABLE_ROWS = List.of("socket", "bind", "listen", "connect", "accept",
            "read", "write", "close", "shutdown", "getsockopt", "setsockopt");

    @Test
    void ipv4LoopbackTraceIsTheSameInJavaAndC() throws Exception {
        compareTwins("127.0.0.1");
    }

    @Test
    void ipv6LoopbackTraceIsTheSameInJavaAndC() throws Exception {
        assumeIpv6Loopback();
        compareTwins("::1");
    }

    /** An AF_INET6 socket on an IPv4-mapped address: Java once turned it into an AF_INET tour. */
    @Test
    void ipv4MappedIpv6TraceIsTheSameInJavaAndC() throws Exception {
        assumeIpv6Loopback();
        compareTwins("::ffff:127.0.0.1");
    }

    /**
     * A failing call: both print its trace line with the errno, then "rawsock: bind: EADDRINUSE (...)" on
     * stderr, and exit 1. The Java tour also traces the close of the server socket as it unwinds (its
     * try-with-resources); the C twin exits and leaves that to the kernel.
     */
    @Test
    void aFailingCallIsTracedAndReportedAlike() throws Exception {
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            String port = Integer.toString(holder.getLocalPort());

            Output java = runJava("tour", "--port", port);
            NativeTools.Result c = NativeTools.run(TIMEOUT_SECONDS,
                    List.of(NativeTools.binary("tour").toString(), "--port", port));

            String message = "rawsock: bind: EADDRINUSE (Address already in use)";
            assertEquals(1, java.exitCode(), "Java exit code; stderr:\n" + java.stderr());
            assertEquals(1, c.exitCode(), "C exit code; stderr:\n" + c.stderr());
            assertEquals(message + "\n", c.stderr(), "C stderr");
            assertTrue(java.stderr().startsWith(message + ":"), "Java stderr:\n" + java.stderr());

            List<String> javaLines = normalise(java.lines());
            List<String> cLines = normalise(c.lines());
            String both = show(java.lines(), c.lines(), javaLines, cLines);
            assertFalse(cLines.isEmpty(), both);
            assertEquals("bind(fd1, {127.0.0.1:port1}, 16) = -1 EADDRINUSE (Address already in use)",
                    cLines.get(cLines.size() - 1), "C stops at the failing call\n" + both);
            assertTrue(javaLines.size() >= cLines.size(), both);
            assertEquals(cLines, javaLines.subList(0, cLines.size()), both);
            for (String line : javaLines.subList(cLines.size(), javaLines.size())) {
                assertTrue(line.matches("close\\(fd\\d+\\) = 0"), "after the failure Java only closes: " + line + "\n" + both);
            }
        }
    }

    // ---- the comparison ----

    private static void compareTwins(String address) throws Exception {
        Output java = runJava("tour", "--address", address);
        NativeTools.Result c = NativeTools.run(TIMEOUT_SECONDS,
                List.of(NativeTools.binary("tour").toString(), "--address", address));
        assertEquals(0, java.exitCode(), "Java tour failed:\n" + java.stdout() + java.stderr());
        assertEquals(0, c.exitCode(), "C tour failed:\n" + c.stdout() + c.stderr());
        assertEquals("", java.stderr(), "Java tour stderr");
        assertEquals("", c.stderr(), "C tour stderr");

        assertTourFacts("Java", java.lines(), address);
        assertTourFacts("C", c.lines(), address);

        List<String> javaLines = normalise(java.lines());
        List<String> cLines = normalise(c.lines());
        for (int i = 0; i < Math.max(javaLines.size(), cLines.size()); i++) {
            String j = i < javaLines.size() ? javaLines.get(i) : "(no line)";
            String n = i < cLines.size() ? cLines.get(i) : "(no line)";
            if (!j.equals(n)) {
                fail("line " + (i + 1) + " differs (normalised)\n  Java: " + j + "\n  C:    " + n + "\n\n"
                        + show(java.lines(), c.lines(), javaLines, cLines));
            }
        }
    }

    private static String show(List<String> java, List<String> c, List<String> javaNormalised, List<String> cNormalised) {
        return "--- Java tour ---\n" + String.join("\n", java) + "\n--- C tour ---\n" + String.join("\n", c)
                + "\n--- Java tour, normalised ---\n" + String.join("\n", javaNormalised)
                + "\n--- C tour, normalised ---\n" + String.join("\n", cNormalised) + "\n";
    }

    // ---- facts of the tour, on one raw output ----

    private static final Pattern FOUR_TUPLE = Pattern.compile("<([^,<>]+), (\\d+), ([^,<>]+), (\\d+)>");
    private static final Pattern SHUTDOWN_WRITE = Pattern.compile("shutdown\\((\\d+), SHUT_WR\\) = 0");
    private static final Pattern CALL_FD = Pattern.compile("^(\\w+)\\((\\d+)");
    private static final Pattern RESULT = Pattern.compile(" = (-?\\d+)(?: .*)?$");

    private static void assertTourFacts(String side, List<String> lines, String address) {
        String all = side + " tour:\n" + String.join("\n", lines);
        // Every row of the table is called, and no call failed.
        for (String row : TABLE_ROWS) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(row + "(")), "no " + row + "() in the " + all);
        }
        for (String line : lines) {
            assertFalse(line.contains(" = -1 "), "a call failed: " + line + "\n" + all);
        }

        // The descriptors: the first accept returns the server's socket for the first connection.
        String firstAccept = lines.stream().filter(l -> l.startsWith("accept(")).findFirst().orElseThrow();
        long connectionFd = result(firstAccept);
        String socketLine = lines.stream().filter(l -> l.startsWith("socket(")).skip(1).findFirst().orElseThrow();
        long clientFd = result(socketLine);

        // shutdown(client, SHUT_WR): the server's next read returns 0, end of stream.
        int shutdownAt = indexOf(lines, SHUTDOWN_WRITE);
        assertTrue(shutdownAt >= 0, "no shutdown(..., SHUT_WR) = 0 in the " + all);
        Matcher shutdown = SHUTDOWN_WRITE.matcher(lines.get(shutdownAt));
        assertTrue(shutdown.matches());
        assertEquals(clientFd, Long.parseLong(shutdown.group(1)), "the client shuts down its sending side\n" + all);
        String readAfter = lines.subList(shutdownAt + 1, lines.size()).stream()
                .filter(l -> l.startsWith("read(")).findFirst().orElseThrow();
        assertEquals("read(" + connectionFd + ", \"\", 1024) = 0", readAfter, "the server reads end of stream\n" + all);

        // Section 4: each side's 4-tuple is the other's mirror image.
        String[] client = tuple(lines, "# client sees ", 0);
        String[] server = tuple(lines, "# server sees ", 0);
        assertEquals(List.of(client[2], client[3], client[0], client[1]), List.of(server), "mirror images\n" + all);
        assertEquals(address, client[0], "the client's IP\n" + all);
        assertEquals(address, client[2], "the server's IP\n" + all);
        assertNotEquals(client[1], client[3], "two ends, two ports\n" + all);
        String serverName = lines.stream().filter(l -> l.startsWith("getsockname(")).findFirst().orElseThrow();
        assertTrue(serverName.endsWith(":" + client[3] + "}) = 0"), "the server's port, from getsockname: " + serverName);

        // Section 9: the second connection differs from the first only in the client's port.
        String[] first = tuple(lines, "# first  connection ", 0);
        String[] second = tuple(lines, "# second connection ", 0);
        assertEquals(List.of(client), List.of(first), "the first connection is the one of section 4\n" + all);
        assertEquals(List.of(tuple(lines, "# client sees ", 1)), List.of(second), "the second connection as its client saw it\n" + all);
        assertEquals(first[0], second[0], "same client IP\n" + all);
        assertNotEquals(first[1], second[1], "a new client port\n" + all);
        assertEquals(first[2], second[2], "same server IP\n" + all);
        assertEquals(first[3], second[3], "same server port\n" + all);
    }

    private static long result(String line) {
        Matcher m = RESULT.matcher(line);
        assertTrue(m.find(), "no result in " + line);
        return Long.parseLong(m.group(1));
    }

    private static int indexOf(List<String> lines, Pattern pattern) {
        for (int i = 0; i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).matches()) {
                return i;
            }
        }
        return -1;
    }

    /** The 4-tuple of the n-th (from 0) line that starts with {@code prefix}. */
    private static String[] tuple(List<String> lines, String prefix, int n) {
        String line = lines.stream().filter(l -> l.startsWith(prefix)).skip(n).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + (n + 1) + " starting '" + prefix + "' in:\n" + String.join("\n", lines)));
        Matcher m = FOUR_TUPLE.matcher(line);
        assertTrue(m.find(), "no 4-tuple in " + line);
        return new String[] {m.group(1), m.group(2), m.group(3), m.group(4)};
    }

    // ---- normalisation: what may differ between two runs ----

    private static final Pattern SOCKADDR_PORT = Pattern.compile(":(\\d+)\\}");
    private static final Pattern RESULT_FD = Pattern.compile("^((?:socket|accept)\\(.*\\) = )(\\d+)$");
    private static final Pattern TCP_INFO_NUMBER = Pattern.compile("\\b(tcpi_\\w+=)\\d+");

    /**
     * Descriptors become fd1, fd2, ... in the order they are opened: each socket() or accept() result is a
     * new name, even when the kernel hands out a number used before. Which number comes back depends on
     * the other descriptors the process holds (socket(2): "the lowest-numbered file descriptor not
     * currently open"), and a JVM opens and closes files on other threads (class loading, JIT), so the
     * Java tour's numbers need not be reused in the C tour's order. Ports become port1, port2, ... in the
     * order first seen; the numbers inside {tcpi_...} become N (rtt, rttvar, mss and cwnd vary from run
     * to run). Each output is normalised on its own.
     */
    static List<String> normalise(List<String> lines) {
        Map<String, String> fds = new HashMap<>();
        int[] opened = {0};
        Map<String, String> ports = new HashMap<>();
        Function<String, String> fd = n -> fds.computeIfAbsent(n, k -> "fd" + (++opened[0]));
        Function<String, String> newFd = n -> {
            String name = "fd" + (++opened[0]);
            fds.put(n, name);
            return name;
        };
        Function<String, String> port = n -> ports.computeIfAbsent(n, k -> "port" + (ports.size() + 1));
        List<String> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (line.startsWith("#")) {
                // "# client sees <ip, port, ip, port>" and "# first  connection <...>"
                line = replace(FOUR_TUPLE, line, m -> "<" + m.group(1) + ", " + port.apply(m.group(2)) + ", "
                        + m.group(3) + ", " + port.apply(m.group(4)) + ">");
            } else {
                line = replace(CALL_FD, line, m -> m.group(1) + "(" + fd.apply(m.group(2)));
                line = replace(SOCKADDR_PORT, line, m -> ":" + port.apply(m.group(1)) + "}");
                line = replace(RESULT_FD, line, m -> m.group(1) + newFd.apply(m.group(2)));
                line = replace(TCP_INFO_NUMBER, line, m -> m.group(1) + "N");
            }
            out.add(line);
        }
        return out;
    }

    /**
     * The JVM's descriptor numbers of a CI run (2026-11-24) that failed the old first-seen naming: the
     * client got 51 while 50 was briefly held elsewhere, accept then got 50, and the second connection's
     * socket() reused 50 where the C tour reuses its client's 4.
     */
    @Test
    void descriptorsAreNamedByOpeningNotByNumber() {
        List<String> java = List.of("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 48",
                "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 51", "accept(48, {127.0.0.1:33766}) = 50",
                "close(50) = 0", "close(51) = 0", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 50",
                "accept(48, {127.0.0.1:33770}) = 51", "close(51) = 0", "close(50) = 0", "close(48) = 0");
        List<String> c = List.of("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3",
                "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4", "accept(3, {127.0.0.1:39238}) = 5",
                "close(5) = 0", "close(4) = 0", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4",
                "accept(3, {127.0.0.1:39248}) = 5", "close(5) = 0", "close(4) = 0", "close(3) = 0");
        List<String> expected = List.of("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = fd1",
                "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = fd2", "accept(fd1, {127.0.0.1:port1}) = fd3",
                "close(fd3) = 0", "close(fd2) = 0", "socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = fd4",
                "accept(fd1, {127.0.0.1:port2}) = fd5", "close(fd5) = 0", "close(fd4) = 0", "close(fd1) = 0");
        assertEquals(expected, normalise(java));
        assertEquals(expected, normalise(c));
        // A different descriptor in the same place still shows: closing the client instead of the connection.
        List<String> swapped = new ArrayList<>(c);
        swapped.set(3, "close(4) = 0");
        swapped.set(4, "close(5) = 0");
        assertNotEquals(expected, normalise(swapped));
    }

    private static String replace(Pattern pattern, String line, Function<MatchResult, String> replacement) {
        return pattern.matcher(line).replaceAll(m -> Matcher.quoteReplacement(replacement.apply(m)));
    }

    // ---- running the two tours ----

    private record Output(int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return new NativeTools.Result(exitCode, stdout, stderr).lines();
        }
    }

    private static Output runJava(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Output(code, out.toString(), err.toString());
    }

    private static void assumeIpv6Loopback() {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
        } catch (IOException e) {
            Assumptions.abort("IPv6 loopback (::1) is unavailable on this machine (" + e
                    + "): the IPv6 twin comparison needs it");
        }
    }
}
