package dev.rawsock.junit;

import dev.rawsock.socket.SocketApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

import static dev.rawsock.junit.CaptureAssert.assertThat;
import static dev.rawsock.junit.TcpMatch.ACK;
import static dev.rawsock.junit.TcpMatch.SYN;
import static dev.rawsock.junit.TcpMatch.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Rawsock} fields filled per test, and {@link CaptureOn} choosing the capture's filter, against the kernel. */
@Timeout(30)
class FieldsAndCaptureOnTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Rawsock Packets packets;
    @Rawsock Capture capture;
    @Rawsock SocketApi api;

    @RawSocketTest
    void fieldsHoldTheSameObjectsAsParameters(Capture parameter, Packets packetsParameter) throws Exception {
        assertNotNull(packets);
        assertSame(parameter, capture, "a field and a parameter of one test are the same capture");
        assertSame(packetsParameter, packets);
        assertNotNull(api);
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            packets.send(Packets.syn(at, 40_011, 77));
            assertThat(capture).hasSegment(tcp().from(at).toPort(40_011).flags(SYN, ACK).ack(78)).within(Duration.ofSeconds(1));
        }
    }

    /** Only port 40012's packets reach the capture: the kernel drops the rest before they are copied. */
    @RawSocketTest
    @CaptureOn(filter = "tcp port 40012")
    void theFilterKeepsOnlyWhatItMatches() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            InetSocketAddress at = (InetSocketAddress) server.getLocalSocketAddress();
            packets.send(Packets.syn(at, 40_013, 5)); // first, so its SYN-ACK comes before the one we wait for
            packets.send(Packets.syn(at, 40_012, 9));
            assertThat(capture).hasSegment(tcp().to(at).fromPort(40_012).onlyFlags(SYN))
                    .hasSegment(tcp().from(at).toPort(40_012).flags(SYN, ACK).ack(10));
            Thread.sleep(100); // the kernel's RSTs to both SYN-ACKs
            assertThat(capture).doesNotHave(tcp().fromPort(40_013)).doesNotHave(tcp().toPort(40_013));
            assertTrue(capture.packets().stream().allMatch(tcp().fromPort(40_012).or(tcp().toPort(40_012))::test), capture.lines());
        }
    }

    static class BadFilterExample {
        @RawSocketTest
        @CaptureOn(filter = "tcp port banana")
        void neverRuns() {
            org.junit.jupiter.api.Assumptions.assumeTrue(RawsockHarnessTest.nested);
        }

        @Rawsock final SocketApi finalField = null;

        @RawSocketTest
        void finalFieldIsRefused() {
            org.junit.jupiter.api.Assumptions.assumeTrue(RawsockHarnessTest.nested);
        }
    }

    @Test
    void aBadFilterOrABadFieldFailsTheTestNamingIt() {
        dev.rawsock.testing.Privileged.assumeRoot("the examples open raw sockets");
        Map<String, RawsockHarnessTest.Outcome> outcomes = RawsockHarnessTest.run(BadFilterExample.class);
        RawsockHarnessTest.Outcome filter = outcomes.get("neverRuns()");
        assertEquals(TestExecutionResult.Status.FAILED, filter.status(), filter.message());
        assertTrue(filter.message().startsWith("@CaptureOn filter: "), filter.message());
        assertTrue(filter.message().contains("banana"), filter.message());
        RawsockHarnessTest.Outcome field = outcomes.get("finalFieldIsRefused()");
        assertEquals(TestExecutionResult.Status.FAILED, field.status(), field.message());
        assertTrue(field.message().contains("@Rawsock field BadFilterExample.finalField must be a non-static, non-final field"), field.message());
        assertFalse(field.message().contains("banana"));
    }
}
