package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.Protocol.IPPROTO_UDP;
import static dev.rawsock.socket.SocketType.SOCK_DGRAM;
import static dev.rawsock.socket.SocketType.SOCK_RAW;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Set, then get back, each typed option on a real socket; the kernel's own adjustments accounted for. */
class SocketOptionsTest {
    private final SocketApi api = SocketApi.create();

    @Test
    void booleansRoundTrip() throws Exception {
        try (Socket tcp = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
             Socket udp = api.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            for (SocketOption<Boolean> o : java.util.List.of(SocketOptions.SO_REUSEADDR, SocketOptions.SO_REUSEPORT,
                    SocketOptions.SO_KEEPALIVE, SocketOptions.TCP_NODELAY)) {
                assertFalse(api.getsockopt(tcp, o), o + " is off on a fresh socket");
                api.setsockopt(tcp, o, true);
                assertTrue(api.getsockopt(tcp, o), o.name());
                api.setsockopt(tcp, o, false);
                assertFalse(api.getsockopt(tcp, o), o.name());
            }
            api.setsockopt(udp, SocketOptions.SO_BROADCAST, true);
            assertTrue(api.getsockopt(udp, SocketOptions.SO_BROADCAST));
        }
    }

    @Test
    void buffersAreDoubledByLinux() throws Exception {
        try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            // socket(7): "The kernel doubles this value (to allow space for bookkeeping overhead)".
            api.setsockopt(s, SocketOptions.SO_RCVBUF, 65536);
            assertEquals(131072, api.getsockopt(s, SocketOptions.SO_RCVBUF));
            api.setsockopt(s, SocketOptions.SO_SNDBUF, 32768);
            assertEquals(65536, api.getsockopt(s, SocketOptions.SO_SNDBUF));
        }
    }

    @Test
    void timeoutsLingerAndTcpNumbers() throws Exception {
        try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            assertEquals(Duration.ZERO, api.getsockopt(s, SocketOptions.SO_RCVTIMEO));
            api.setsockopt(s, SocketOptions.SO_RCVTIMEO, Duration.ofMillis(1500));
            assertEquals(Duration.ofMillis(1500), api.getsockopt(s, SocketOptions.SO_RCVTIMEO));
            api.setsockopt(s, SocketOptions.SO_SNDTIMEO, Duration.ofSeconds(3));
            assertEquals(Duration.ofSeconds(3), api.getsockopt(s, SocketOptions.SO_SNDTIMEO));

            assertEquals(Linger.OFF, api.getsockopt(s, SocketOptions.SO_LINGER));
            api.setsockopt(s, SocketOptions.SO_LINGER, new Linger(true, 7));
            assertEquals(new Linger(true, 7), api.getsockopt(s, SocketOptions.SO_LINGER));

            api.setsockopt(s, SocketOptions.TCP_MAXSEG, 1000);
            assertEquals(1000, api.getsockopt(s, SocketOptions.TCP_MAXSEG));
            api.setsockopt(s, SocketOptions.TCP_KEEPIDLE, 30);
            api.setsockopt(s, SocketOptions.TCP_KEEPINTVL, 5);
            api.setsockopt(s, SocketOptions.TCP_KEEPCNT, 4);
            assertEquals(30, api.getsockopt(s, SocketOptions.TCP_KEEPIDLE));
            assertEquals(5, api.getsockopt(s, SocketOptions.TCP_KEEPINTVL));
            assertEquals(4, api.getsockopt(s, SocketOptions.TCP_KEEPCNT));

            api.setsockopt(s, SocketOptions.IP_TTL, 33);
            assertEquals(33, api.getsockopt(s, SocketOptions.IP_TTL));
            api.setsockopt(s, SocketOptions.IP_TOS, 0x10);
            assertEquals(0x10, api.getsockopt(s, SocketOptions.IP_TOS));

            assertEquals(Constants.SOCK_STREAM, api.getsockopt(s, SocketOptions.SO_TYPE));
            assertEquals(0, api.getsockopt(s, SocketOptions.SO_ERROR));
            assertEquals("TCP_CLOSE", api.getsockopt(s, SocketOptions.TCP_INFO).stateName());
            api.bind(s, new InetSocketAddress("127.0.0.1", 0));
            api.listen(s, 1);
            assertEquals("TCP_LISTEN", api.getsockopt(s, SocketOptions.TCP_INFO).stateName());
        }
    }

    @Test
    void tcpInfoOfAnEstablishedConnection() throws Exception {
        try (Socket server = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
             Socket client = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(server, new InetSocketAddress("127.0.0.1", 0));
            api.listen(server, 1);
            api.connect(client, api.getsockname(server));
            try (Socket conn = api.accept(server).socket()) {
                TcpInfo info = api.getsockopt(client, SocketOptions.TCP_INFO);
                assertEquals(Constants.TCP_ESTABLISHED, info.state());
                assertTrue(info.sndMssBytes() > 0 && info.sndMssBytes() <= 65535, info.toString());
                assertTrue(info.sndCwndSegments() >= 1, info.toString());
                assertEquals(0, info.retransmits());
                assertEquals(Constants.TCP_ESTABLISHED, api.getsockopt(conn, SocketOptions.TCP_INFO).state());
            }
        }
    }

    @Test
    void rawLevelAndNameReachAnyOption() throws Exception {
        try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            byte[] value = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(4096).array();
            api.setsockopt(s, Constants.SOL_SOCKET, Constants.SO_RCVBUF, value);
            byte[] back = api.getsockopt(s, Constants.SOL_SOCKET, Constants.SO_RCVBUF, 4);
            assertArrayEquals(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(8192).array(), back);
            assertEquals(8192, api.getsockopt(s, SocketOptions.SO_RCVBUF), "the typed and raw paths agree");
            // TCP_CONGESTION: a string option that has no typed twin.
            String congestion = new String(api.getsockopt(s, Constants.IPPROTO_TCP, Constants.TCP_CONGESTION, 16)).trim();
            assertFalse(congestion.isEmpty());
        }
    }

    @Test
    void headerIncludedOnARawSocket() throws Exception {
        Privileged.assumeRoot("a raw socket");
        try (Socket raw = api.socket(AF_INET, SOCK_RAW, IPPROTO_TCP)) {
            assertFalse(api.getsockopt(raw, SocketOptions.IP_HDRINCL));
            api.setsockopt(raw, SocketOptions.IP_HDRINCL, true);
            assertTrue(api.getsockopt(raw, SocketOptions.IP_HDRINCL));
        }
        try (Socket raw = api.socket(AF_INET, SOCK_RAW, Protocol.IPPROTO_RAW)) {
            // raw(7): IPPROTO_RAW implies IP_HDRINCL.
            assertTrue(api.getsockopt(raw, SocketOptions.IP_HDRINCL));
        }
    }

    @Test
    void valuesParseAsUsersWriteThem() {
        assertTrue(SocketOptions.SO_REUSEADDR.parse("on"));
        assertFalse(SocketOptions.SO_REUSEADDR.parse("0"));
        assertEquals(Duration.ofMillis(200), SocketOptions.SO_RCVTIMEO.parse("200ms"));
        assertEquals(Duration.ofNanos(1_500_000_000L), SocketOptions.SO_RCVTIMEO.parse("1.5s"));
        assertEquals(new Linger(true, 5), SocketOptions.SO_LINGER.parse("5s"));
        assertEquals(Linger.OFF, SocketOptions.SO_LINGER.parse("off"));
        assertEquals(0x10, SocketOptions.IP_TOS.parse("0x10"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SocketOptions.SO_KEEPALIVE.parse("maybe"));
        assertTrue(e.getMessage().contains("'maybe'"));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.SO_RCVTIMEO.parse("-1s"));
        assertThrows(IllegalArgumentException.class, () -> SocketOptions.TCP_INFO.parse("x"));
    }
}
