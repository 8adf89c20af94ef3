package dev.rawsock.cli;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built CLI run as an unprivileged user (uid 65534 through setpriv): what needs a raw socket exits 3
 * with the remedy in one line; the rest works. The jar is copied where that user can read it.
 */
class UnprivilegedTest {
    private static Path dir;
    private static Path jar;

    @BeforeAll
    static void copyTheBuild() throws Exception {
        Path built = NativeTools.projectRoot().resolve("target/rawsock.jar");
        assertTrue(Files.exists(built), "target/rawsock.jar is missing: run 'make test' (it builds first)");
        dir = Files.createTempDirectory("rawsock-unprivileged");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = dir.resolve("rawsock.jar");
        Files.copy(built, jar, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void removeTheCopy() throws Exception {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static NativeTools.Result asNobody(String... args) throws Exception {
        return asNobodyWith(List.of(), args);
    }

    private static NativeTools.Result asNobodyWith(List<String> jvmOptions, String... args) throws Exception {
        return asNobodyWith(jvmOptions, null, args);
    }

    /** {@link #asNobodyWith(List, String...)} with extra environment variables ({@code environment} may be null). */
    private static NativeTools.Result asNobodyWith(List<String> jvmOptions, java.util.Map<String, String> environment, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        command.addAll(List.of(args));
        return NativeTools.run(60, command, environment);
    }

    @Test
    void anUnusableTemporaryDirectoryIsReportedInOneLine() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        // dir is not writable by uid 65534, so jffi cannot unpack its stub there.
        NativeTools.Result r = asNobodyWith(List.of("-Djava.io.tmpdir=" + dir), "tour");
        assertEquals(1, r.exitCode(), r.stderr());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line, no stack trace:\n" + r.stderr());
        assertTrue(lines.get(0).startsWith("rawsock: cannot load the C library binding (jnr-ffi): "), lines.get(0));
        assertTrue(lines.get(0).contains("java.io.tmpdir"), lines.get(0));
    }

    @Test
    void rawSocketsExitThreeWithTheRemedy() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        NativeTools.Result r = asNobody("sockopt", "--type", "raw", "--protocol", "tcp");
        assertEquals(3, r.exitCode(), r.stderr());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), "one line:\n" + r.stderr());
        assertEquals("rawsock: socket: EPERM (Operation not permitted) - raw and packet sockets need CAP_NET_RAW: "
                + "run as root, grant the capability (sudo setcap cap_net_raw+ep on a dedicated launcher), "
                + "or use the helper (--helper PATH)", lines.get(0));

        NativeTools.Result packet = asNobody("sockopt", "--family", "packet", "--type", "raw");
        assertEquals(3, packet.exitCode(), packet.stderr());
        assertTrue(packet.stderr().contains("CAP_NET_RAW"), packet.stderr());
    }

    @Test
    void sendingNeedsCapNetRawButCraftingDoesNot() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        NativeTools.Result send = asNobody("send", "tcp", "--dst", "127.0.0.1", "--dport", "9");
        assertEquals(3, send.exitCode(), send.stderr());
        assertTrue(send.stderr().lines().anyMatch(l -> l.startsWith("rawsock: socket: EPERM (Operation not permitted) - raw and packet sockets need CAP_NET_RAW")),
                send.stderr());
        assertFalse(send.stderr().contains("\tat "), send.stderr());

        NativeTools.Result craft = asNobody("craft", "tcp", "--dst", "127.0.0.1", "--dport", "9");
        assertEquals(0, craft.exitCode(), craft.stderr());
        assertTrue(craft.stdout().startsWith("TCP 127.0.0.1:"), craft.stdout());
    }

    @Test
    void sendingEthernetFramesNeedsCapNetRawAndTheHelperDoesNotOfferIt() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        NativeTools.Result send = asNobody("send", "tcp", "--iface", "lo", "--dst", "127.0.0.1", "--dport", "9");
        assertEquals(3, send.exitCode(), send.stderr());
        assertTrue(send.stderr().lines().anyMatch(l -> l.startsWith("rawsock: socket: EPERM (Operation not permitted) - raw and packet sockets need CAP_NET_RAW")),
                send.stderr());
        assertFalse(send.stderr().contains("\tat "), send.stderr());

        NativeTools.Result helper = asNobody("send", "tcp", "--iface", "lo", "--helper", dir.resolve("no-helper").toString(), "--dport", "9");
        assertEquals(2, helper.exitCode(), helper.stderr());
        assertEquals(List.of("rawsock: --iface and --helper cannot be combined: the helper sends IP packets only (run as root or with CAP_NET_RAW)"),
                helper.stderr().lines().toList());
        // RAWSOCK_HELPER names a helper for every command; without CAP_NET_RAW, send would go through it: not with --iface.
        NativeTools.Result fromEnvironment = asNobodyWith(List.of(), java.util.Map.of("RAWSOCK_HELPER", dir.resolve("no-helper").toString()),
                "send", "tcp", "--iface", "lo", "--dport", "9");
        assertEquals(2, fromEnvironment.exitCode(), fromEnvironment.stderr());
        assertTrue(fromEnvironment.stderr().contains("rawsock: --iface is not available through the helper"), fromEnvironment.stderr());
    }

    @Test
    void sniffExitsThreeWithTheRemedyInOneLine() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        String remedy = "rawsock: socket: EPERM (Operation not permitted) - raw and packet sockets need CAP_NET_RAW: "
                + "run as root, grant the capability (sudo setcap cap_net_raw+ep on a dedicated launcher), "
                + "or use the helper (--helper PATH)";
        for (String[] args : new String[][] {{"sniff", "--iface", "lo", "--count", "1"}, {"sniff", "--count", "1", "tcp"},
                                             {"sniff", "--raw-socket", "tcp", "--count", "1"}}) {
            NativeTools.Result r = asNobody(args);
            assertEquals(3, r.exitCode(), String.join(" ", args) + ": " + r.stderr());
            List<String> lines = r.stderr().lines().toList();
            assertEquals(List.of(remedy), lines, "one line:\n" + r.stderr());
            assertTrue(r.stdout().isEmpty(), r.stdout());
        }
        // What needs no socket works unprivileged: the filter is checked, and its program shown, before any socket.
        NativeTools.Result bad = asNobody("sniff", "--iface", "lo", "--filter", "tcp port x");
        assertEquals(2, bad.exitCode(), bad.stderr());
        NativeTools.Result program = asNobody("sniff", "--iface", "lo", "--print-filter", "tcp");
        assertEquals(0, program.exitCode(), program.stderr());
        assertTrue(program.stdout().contains("ldh      [12]"), program.stdout());
    }

    @Test
        void theLabCommandsAndTheScanExitThreeInOneLine() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        for (List<String> args : List.of(List.of("segments"), List.of("traceroute"), List.of("scan", "127.0.0.1", "--ports", "9"),
                List.of("connections"))) {
            NativeTools.Result r = asNobody(args.toArray(String[]::new));
            assertEquals(3, r.exitCode(), args + ": " + r.stderr());
            assertEquals(1, r.stderr().lines().count(), args + ": one line:\n" + r.stderr());
            assertTrue(r.stderr().contains("CAP_NET_RAW"), args + ": " + r.stderr());
        }
    }

    @Test
    void ordinarySocketsNeedNoPrivilege() throws Exception {
        Privileged.assumeRoot("dropping to another user with setpriv");
        NativeTools.Result r = asNobody("tour");
        assertEquals(0, r.exitCode(), r.stderr());
        assertTrue(r.stdout().contains("listen("), r.stdout());
        assertFalse(r.stderr().contains("WARNING"), r.stderr());
    }
}
