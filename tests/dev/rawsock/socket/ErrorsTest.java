package dev.rawsock.socket;

import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.Protocol.IPPROTO_UDP;
import static dev.rawsock.socket.SocketType.SOCK_DGRAM;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the kernel refuses, as rawsock reports it: the call, the errno by name and text, the remedy. */
class ErrorsTest {
    private final List<String> trace = new ArrayList<>();
    private final SocketApi api = SocketApi.traced(trace::add);

    @Test
    void connectToAPortNobodyListensOnIsRefused() throws Exception {
        try (Socket bound = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
             Socket client = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            // A bound but not listening socket holds the port, so nothing else can listen there meanwhile.
            api.bind(bound, new InetSocketAddress("127.0.0.1", 0));
            int port = api.getsockname(bound).getPort();
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> api.connect(client, new InetSocketAddress("127.0.0.1", port)));
            assertEquals(Errno.ECONNREFUSED, e.errno());
            assertEquals("connect", e.call());
            assertTrue(e.getMessage().startsWith("connect: ECONNREFUSED (Connection refused): 127.0.0.1:" + port), e.getMessage());
            String expected = "connect(" + client.fd() + ", {127.0.0.1:" + port + "}, 16) = -1 ECONNREFUSED (Connection refused)";
            assertTrue(trace.contains(expected), () -> "no line " + expected + " in " + trace);
        }
    }

    @Test
    void bindingAnAddressInUse() throws Exception {
        try (Socket first = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
             Socket second = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(first, new InetSocketAddress("127.0.0.1", 0));
            api.listen(first, 1);
            InetSocketAddress taken = api.getsockname(first);
            ErrnoException e = assertThrows(ErrnoException.class, () -> api.bind(second, taken));
            assertEquals(Errno.EADDRINUSE, e.errno());
            assertTrue(e.getMessage().contains("bind: EADDRINUSE (Address already in use)"), e.getMessage());
            assertTrue(e.remedy().contains("port 0"), e.remedy());
        }
    }

    @Test
    void invalidArgumentsAndOperations() throws Exception {
        try (Socket tcp = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
             Socket udp = api.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            api.bind(tcp, new InetSocketAddress("127.0.0.1", 0));
            // A socket is bound once (bind(2): EINVAL "already bound").
            ErrnoException twice = assertThrows(ErrnoException.class, () -> api.bind(tcp, new InetSocketAddress("127.0.0.1", 0)));
            assertEquals(Errno.EINVAL, twice.errno());
            // Datagram sockets do not listen.
            assertEquals(Errno.EOPNOTSUPP, assertThrows(ErrnoException.class, () -> api.listen(udp, 1)).errno());
            // Nothing to shut down before a connection exists.
            assertEquals(Errno.ENOTCONN, assertThrows(ErrnoException.class, () -> api.shutdown(tcp, Shutdown.WRITE)).errno());
            assertEquals(Errno.ENOTCONN, assertThrows(ErrnoException.class, () -> api.getpeername(tcp)).errno());
            // An address this machine does not have cannot be bound (192.0.2.1 is TEST-NET-1, never local).
            assertEquals(Errno.EADDRNOTAVAIL, assertThrows(ErrnoException.class,
                    () -> api.bind(udp, new InetSocketAddress("192.0.2.1", 0))).errno());
            // Read-only options are refused before the kernel is asked.
            ErrnoException readOnly = assertThrows(ErrnoException.class, () -> api.setsockopt(tcp, SocketOptions.SO_TYPE, 1));
            assertTrue(readOnly.getMessage().contains("SO_TYPE is read-only"), readOnly.getMessage());
            // An option name the kernel does not have at that level (socket(7) has no option 9999).
            assertEquals(Errno.ENOPROTOOPT, assertThrows(ErrnoException.class,
                    () -> api.getsockopt(udp, 1, 9999, 4)).errno());
        }
        assertTrue(trace.stream().anyMatch(l -> l.matches("listen\\(\\d+, 1\\) = -1 EOPNOTSUPP \\(Operation not supported\\)")), trace.toString());
    }

    @Test
    void callsOnAClosedSocketFailWithEbadfAndCloseIsIdempotent() throws Exception {
        Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        api.close(s);
        int lines = trace.size();
        assertDoesNotThrow(() -> api.close(s));
        assertDoesNotThrow(s::close);
        assertEquals(lines, trace.size(), "a second close makes no system call");
        assertTrue(s.isClosed());
        byte[] buffer = new byte[4];
        for (ErrnoException e : List.of(
                assertThrows(ErrnoException.class, () -> api.read(s, buffer, 4)),
                assertThrows(ErrnoException.class, () -> api.write(s, buffer, 4)),
                assertThrows(ErrnoException.class, () -> api.getsockopt(s, SocketOptions.SO_RCVBUF)),
                assertThrows(ErrnoException.class, () -> api.connect(s, new InetSocketAddress("127.0.0.1", 9))))) {
            assertEquals(Errno.EBADF, e.errno());
            assertTrue(e.getMessage().contains("EBADF (Bad file descriptor): socket " + s.fd() + " was already closed"), e.getMessage());
        }
        assertEquals(lines, trace.size(), "calls on a closed socket never reach the kernel");
    }

    @Test
    void badBufferRangesAreRefusedBeforeTheKernel() throws Exception {
        try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            assertThrows(IndexOutOfBoundsException.class, () -> api.read(s, new byte[4], 5));
            assertThrows(IndexOutOfBoundsException.class, () -> api.write(s, new byte[4], 2, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> api.read(s, new byte[4], -1, 2));
        }
    }
}
