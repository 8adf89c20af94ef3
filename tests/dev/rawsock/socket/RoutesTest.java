package dev.rawsock.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Routes}: the kernel's route source, through the JDK's DatagramSocket and through the jnr binding,
 * which must agree (craft uses the one, send the other). Nothing is sent: a UDP connect only picks the route.
 */
class RoutesTest {

    @Test
    void bothWaysAgreeOnLoopback() throws Exception {
        SocketApi api = SocketApi.create();
        for (String destination : new String[] {"127.0.0.1", "127.0.0.2", "::1"}) {
            InetAddress to = InetAddress.getByName(destination);
            InetAddress expected = InetAddress.getByName(destination.equals("::1") ? "::1" : "127.0.0.1");
            assertEquals(expected, Routes.sourceFor(to), destination + " through the JDK");
            assertEquals(expected, Routes.sourceFor(to, api), destination + " through the binding");
        }
    }

    /**
     * In a namespace of its own: a veth with 198.18.0.1/24 is the source towards 198.18.0.2 both ways; with no
     * route (198.19.0.1, off the /24, and no default route) both fail with an IOException.
     */
    @Test
    void bothWaysAgreeInANamespaceOfTheirOwn() throws Exception {
        Privileged.assumeRoot("a network namespace");
        String name = "rawsock-routes-" + ProcessHandle.current().pid();
        PacketSenderTest.inNamespace(name, () -> {
            for (List<String> command : List.of(
                    List.of("ip", "-n", name, "link", "add", "rt0", "type", "veth", "peer", "name", "rt1"),
                    List.of("ip", "-n", name, "addr", "add", "198.18.0.1/24", "dev", "rt0"),
                    List.of("ip", "-n", name, "link", "set", "rt0", "up"),
                    List.of("ip", "-n", name, "link", "set", "rt1", "up"))) {
                NativeTools.Result r = NativeTools.run(20, command);
                assertEquals(0, r.exitCode(), String.join(" ", command) + ": " + r.stderr());
            }
            SocketApi api = SocketApi.create();
            InetAddress peer = InetAddress.getByName("198.18.0.2");
            InetAddress own = InetAddress.getByName("198.18.0.1");
            assertEquals(own, Routes.sourceFor(peer));
            assertEquals(own, Routes.sourceFor(peer, api));
            InetAddress unrouted = InetAddress.getByName("198.19.0.1");
            assertThrows(IOException.class, () -> Routes.sourceFor(unrouted));
            IOException e = assertThrows(IOException.class, () -> Routes.sourceFor(unrouted, api));
            assertTrue(e.getMessage().contains("ENETUNREACH"), e.getMessage());
        });
    }
}
