package dev.rawsock.junit;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.RST;
import static dev.rawsock.junit.TcpMatch.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * The extension's own behaviour, seen from outside: example test classes run through a nested JUnit launcher
 * (so their failures and skips stay inside this build) — a failing test leaves a pcap named after it that
 * tshark reads; without raw sockets a test is skipped with the reason and the remedy, or fails when required.
 */
class RawsockHarnessTest {
    /** Set while a nested launcher runs the examples below; surefire never runs them itself (inner classes). */
    static volatile boolean nested;

    record Outcome(TestExecutionResult.Status status, String message) {}

    static Map<String, Outcome> run(Class<?> examples) {
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        LauncherDiscoveryRequest request = request().selectors(selectClass(examples)).build();
        Launcher launcher = LauncherFactory.create();
        nested = true;
        try {
            launcher.execute(request, new TestExecutionListener() {
                @Override
                public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                    if (id.isTest()) {
                        outcomes.put(id.getDisplayName(), new Outcome(result.getStatus(),
                                result.getThrowable().map(Throwable::getMessage).orElse("")));
                    }
                }

                @Override
                public void executionSkipped(TestIdentifier id, String reason) {
                    outcomes.put(id.getDisplayName(), new Outcome(null, reason));
                }
            });
        } finally {
            nested = false;
        }
        return outcomes;
    }

    @AfterEach
    void restoreTheProbe() {
        Availability.override = null;
        Availability.requiredOverride = null;
    }

    static class FailingExample {
        @RawSocketTest
        void serverNeverResets(Packets packets, Capture capture) throws Exception {
            org.junit.jupiter.api.Assumptions.assumeTrue(nested);
            try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                InetSocketAddress at = (InetSocketAddress) closed.getLocalSocketAddress();
                closed.close(); // now nobody listens: the kernel answers our SYN with RST
                packets.send(Packets.syn(at, 40_003, 99));
                Thread.sleep(100);
                assertThat(capture).doesNotHave(tcp().from(at).flags(RST));
            }
        }
    }

    static class PlainExample {
        @RawSocketTest
        void needsRawSockets(Packets packets) {
            org.junit.jupiter.api.Assumptions.assumeTrue(nested);
        }
    }

    static class TimingOutLabExample {
        static volatile String labName;

        @RawSocketTest
        @org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.MILLISECONDS)
        void hangs(TestLab lab) throws Exception {
            org.junit.jupiter.api.Assumptions.assumeTrue(nested);
            labName = lab.lab().name();
            ServerSocket server = lab.serverSocket(8080);
            lab.start("stuck", () -> {
                try {
                    server.accept().close();
                } catch (java.io.IOException e) {
                    // closed by the lab at the end of the test
                }
            });
            Thread.sleep(10_000);
        }
    }

    @Test
    void aTimedOutTestStillRemovesItsLabAndKeepsItsLabPcap(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("a lab (network namespaces)");
        System.setProperty(RawsockExtension.CAPTURES_DIR_PROPERTY, dir.toString());
        Map<String, Outcome> outcomes;
        try {
            outcomes = run(TimingOutLabExample.class);
        } finally {
            System.clearProperty(RawsockExtension.CAPTURES_DIR_PROPERTY);
        }
        Outcome o = outcomes.get("hangs(TestLab)");
        assertEquals(TestExecutionResult.Status.FAILED, o.status(), outcomes.toString());
        assertTrue(o.message().contains("timed out"), o.message());
        String name = TimingOutLabExample.labName;
        assertTrue(name != null && dev.rawsock.lab.Lab.existingNamespaces().stream().noneMatch(n -> n.startsWith(name)),
                "the lab " + name + " is gone: " + dev.rawsock.lab.Lab.existingNamespaces());
        assertTrue(Files.exists(dir.resolve("dev.rawsock.junit.RawsockHarnessTest_TimingOutLabExample.hangs-lab.pcap")), list(dir).toString());
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("rawsock-lab-stuck") && t.isAlive()),
                "the lab's thread ended");
    }

    @Test
    void asAnUnprivilegedUserTheTestIsSkippedOrFailsWhenRequired() throws Exception {
        Privileged.assumeRoot("dropping to uid 65534 with setpriv");
        Path dir = Files.createTempDirectory("rawsock-junit-unprivileged");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            String cp = dev.rawsock.testing.ClassPaths.readableCopy(dir);
            List<String> command = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp, NestedMain.class.getName(),
                    PlainExample.class.getName());
            NativeTools.Result skipped = NativeTools.run(60, command, Map.of("RAWSOCK_REQUIRE_PRIVILEGED", "0"));
            assertEquals(0, skipped.exitCode(), skipped.stderr());
            assertTrue(skipped.stdout().startsWith("needsRawSockets(Packets) ABORTED rawsock: raw sockets are not available (cannot open a raw socket: "),
                    skipped.stdout() + skipped.stderr());
            assertTrue(skipped.stdout().contains("EPERM") && skipped.stdout().contains("CAP_NET_RAW"), skipped.stdout());
            NativeTools.Result failed = NativeTools.run(60, command, Map.of("RAWSOCK_REQUIRE_PRIVILEGED", "1"));
            assertTrue(failed.stdout().startsWith("needsRawSockets(Packets) FAILED RAWSOCK_REQUIRE_PRIVILEGED=1 but rawsock: raw sockets are not available"),
                    failed.stdout() + failed.stderr());
        } finally {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void theCliJarDoesNotCarryJUnit() throws Exception {
        Path jar = NativeTools.projectRoot().resolve("target/rawsock.jar");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(jar), "target/rawsock.jar is built by 'make build'");
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar.toFile())) {
            List<String> junit = z.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(n -> n.startsWith("org/junit/") || n.startsWith("org/opentest4j/")).limit(3).toList();
            assertEquals(List.of(), junit, "JUnit is provided by the user's project, not shaded into the CLI jar");
            assertTrue(z.getEntry("dev/rawsock/junit/RawsockExtension.class") != null, "the extension itself ships in the jar");
        }
    }

    @Test
    void aFailingTestLeavesAPcapNamedAfterItThatTsharkReads(@TempDir Path dir) throws Exception {
        Privileged.assumeRoot("a failing example test with raw sockets");
        String before = System.getProperty(RawsockExtension.CAPTURES_DIR_PROPERTY);
        System.setProperty(RawsockExtension.CAPTURES_DIR_PROPERTY, dir.toString());
        Map<String, Outcome> outcomes;
        try {
            outcomes = run(FailingExample.class);
        } finally {
            if (before == null) {
                System.clearProperty(RawsockExtension.CAPTURES_DIR_PROPERTY);
            } else {
                System.setProperty(RawsockExtension.CAPTURES_DIR_PROPERTY, before);
            }
        }
        Outcome o = outcomes.get("serverNeverResets(Packets, Capture)");
        assertEquals(TestExecutionResult.Status.FAILED, o.status(), outcomes.toString());
        assertTrue(o.message().startsWith("expected none of: a TCP segment from 127.0.0.1:"), o.message());
        assertTrue(o.message().contains("[R"), "the failure shows the capture as decoded lines:\n" + o.message());
        Path pcap = dir.resolve("dev.rawsock.junit.RawsockHarnessTest_FailingExample.serverNeverResets.pcap");
        assertTrue(Files.exists(pcap), "files: " + list(dir));
        NativeTools.Result tshark = NativeTools.run(60, List.of("tshark", "-n", "-r", pcap.toString(), "-Y", "tcp.port == 40003",
                "-T", "fields", "-e", "tcp.flags.str"));
        assertEquals(0, tshark.exitCode(), tshark.stderr());
        List<String> flags = tshark.lines();
        assertTrue(flags.size() >= 2, "the SYN and the RST: " + tshark.stdout());
        assertTrue(flags.get(0).contains("S"), tshark.stdout());
        assertTrue(flags.stream().anyMatch(f -> f.contains("R")), tshark.stdout());
    }

    @Test
    void withoutRawSocketsTheTestIsSkippedWithTheReasonAndTheRemedy() {
        Availability.override = () -> new Availability(false, "cannot open a raw socket: socket: EPERM (simulated)");
        Availability.requiredOverride = () -> false;
        Outcome o = run(PlainExample.class).get("needsRawSockets(Packets)");
        assertEquals(TestExecutionResult.Status.ABORTED, o.status(), o.toString());
        assertTrue(o.message().contains("raw sockets are not available (cannot open a raw socket: socket: EPERM (simulated))"), o.message());
        assertTrue(o.message().contains("CAP_NET_RAW") && o.message().contains("RAWSOCK_REQUIRE_PRIVILEGED=1"), o.message());
    }

    @Test
    void whenPrivilegesAreRequiredTheTestFailsInstead() {
        Availability.override = () -> new Availability(false, "cannot open a raw socket: socket: EPERM (simulated)");
        Availability.requiredOverride = () -> true;
        Outcome o = run(PlainExample.class).get("needsRawSockets(Packets)");
        assertEquals(TestExecutionResult.Status.FAILED, o.status(), o.toString());
        assertTrue(o.message().startsWith("RAWSOCK_REQUIRE_PRIVILEGED=1 but rawsock: raw sockets are not available"), o.message());
    }

    private static List<String> list(Path dir) throws Exception {
        List<String> names = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }
}
