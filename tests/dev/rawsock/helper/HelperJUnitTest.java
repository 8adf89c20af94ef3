package dev.rawsock.helper;

import dev.rawsock.junit.Capture;
import dev.rawsock.junit.CaptureOn;
import dev.rawsock.junit.Packets;
import dev.rawsock.junit.RawSocketTest;
import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.tcp;
import static dev.rawsock.wire.TcpFlags.ACK;
import static dev.rawsock.wire.TcpFlags.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JUnit harness through the helper: a @RawSocketTest run as uid 65534 (setpriv, in a nested launcher)
 * with RAWSOCK_HELPER set and RAWSOCK_REQUIRE_PRIVILEGED=1 is not skipped: its Packets and Capture go
 * through the helper, it sends a SYN to a kernel listener and sees the SYN-ACK; the harness says once that
 * it uses the helper.
 */
class HelperJUnitTest {
    /** Run only in the nested launcher (as uid 65534 with RAWSOCK_HELPER set). */
    public static class ThroughTheHelperExample {
        @RawSocketTest
        void synGetsSynAck(Packets packets, Capture capture) throws Exception {
            Assumptions.assumeTrue(System.getenv(HelperClient.ENVIRONMENT) != null);
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
                packets.send(Packets.syn(at, 40_321, 1_000));
                assertThat(capture).within(Duration.ofSeconds(3)).hasSegment(tcp().from(at).flags(SYN, ACK));
            }
        }

        /** @CaptureOn's filter goes to the helper's capture: port 40323's packets never reach this test. */
        @RawSocketTest
        @CaptureOn(filter = "tcp port 40322")
        void theCaptureFilterRunsInTheHelper(Packets packets, Capture capture) throws Exception {
            Assumptions.assumeTrue(System.getenv(HelperClient.ENVIRONMENT) != null);
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
                packets.send(Packets.syn(at, 40_323, 2_000));
                packets.send(Packets.syn(at, 40_322, 3_000));
                assertThat(capture).within(Duration.ofSeconds(3)).hasSegment(tcp().from(at).toPort(40_322).flags(SYN, ACK).ack(3_001));
                Thread.sleep(100);
                assertThat(capture).doesNotHave(tcp().toPort(40_323)).doesNotHave(tcp().fromPort(40_323));
            }
        }
    }

    @Test
    void aRawSocketTestPassesAsAnUnprivilegedUserThroughTheHelper() throws Exception {
        Privileged.assumeRoot("the helper and dropping to uid 65534");
        Path dir = HelperTesting.openDirectory();
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir,
                new Policy.Builder().set("allow-uid", Integer.toString(HelperTesting.NOBODY)).build())) {
            Path classes = java.nio.file.Files.createDirectory(dir.resolve("classes")); // apart from the socket, whose mode stays 0666
            String cp = dev.rawsock.testing.ClassPaths.readableCopy(classes);
            List<String> command = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--",
                    HelperTesting.java(), "-cp", cp, "dev.rawsock.junit.NestedMain", ThroughTheHelperExample.class.getName());
            NativeTools.Result r = NativeTools.run(60, command, Map.of(HelperClient.ENVIRONMENT, helper.path,
                    "RAWSOCK_REQUIRE_PRIVILEGED", "1"));
            assertEquals(0, r.exitCode(), r.stderr());
            assertEquals(List.of("synGetsSynAck(Packets, Capture) SUCCESSFUL ", "theCaptureFilterRunsInTheHelper(Packets, Capture) SUCCESSFUL "),
                    r.stdout().lines().toList(), r.stdout() + r.stderr());
            assertEquals(1, r.stderr().lines().filter(l -> l.equals("rawsock: no CAP_NET_RAW here; sending through the helper at " + helper.path))
                    .count(), r.stderr());
            assertTrue(helper.audit().lines().anyMatch(l -> l.contains("uid=65534") && l.contains("CAPTURE lo") && l.contains("started")),
                    helper.audit());
            assertTrue(helper.audit().lines().anyMatch(l -> l.contains("uid=65534") && l.contains("CAPTURE lo 'tcp port 40322'")),
                    helper.audit());
            assertTrue(helper.audit().lines().anyMatch(l -> l.contains("uid=65534") && l.contains("SEND src=127.0.0.1 dst=127.0.0.1 proto=tcp")
                    && l.endsWith(": ok")), helper.audit());
        } finally {
            HelperTesting.remove(dir);
        }
    }
}
