package dev.rawsock.socket;

import dev.rawsock.testing.PythonPeer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Domain.AF_INET6;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.Protocol.IPPROTO_UDP;
import static dev.rawsock.socket.SocketType.SOCK_DGRAM;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every row of the socket API table through rawsock's Java API on loopback, with an independent
 * program on the other end: Python's socket module and the JDK's own sockets. What the peer reports
 * (its address, the bytes it got) is the oracle.
 */
class TableAgainstPeersTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Python echo server: prints its port, accepts one connection, prints the peer, echoes upper-cased until EOF. */
    private static final String PYTHON_SERVER = String.join("\n",
            "import socket",
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            "s.bind(('127.0.0.1', 0)); s.listen(1)",
            "print(s.getsockname()[1])",
            "c, peer = s.accept()",
            "print('%s:%d' % peer)",
            "data = b''",
            "while True:",
            "    chunk = c.recv(4096)",
            "    if not chunk: break",
            "    data += chunk",
            "c.sendall(data.upper())",
            "c.close()",
            "print(len(data))");

    @Test
    void clientRowsAgainstPythonServer() throws Exception {
        List<String> trace = new ArrayList<>();
        SocketApi api = SocketApi.traced(trace::add);
        try (PythonPeer python = PythonPeer.start(PYTHON_SERVER)) {
            int port = Integer.parseInt(python.readLine());
            try (Socket s = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
                api.connect(s, new InetSocketAddress("127.0.0.1", port));
                InetSocketAddress local = api.getsockname(s);
                assertEquals(new InetSocketAddress("127.0.0.1", port), api.getpeername(s));
                // The peer's accept() saw exactly our side of the 4-tuple.
                assertEquals("127.0.0.1:" + local.getPort(), python.readLine());

                byte[] message = "a reliable, ordered byte stream\n".getBytes(StandardCharsets.US_ASCII);
                assertEquals(message.length, api.write(s, message, message.length));
                api.shutdown(s, Shutdown.WRITE); // FIN: Python's recv returns b'' and it answers

                byte[] received = readToEnd(api, s, 4096);
                assertArrayEquals("A RELIABLE, ORDERED BYTE STREAM\n".getBytes(StandardCharsets.US_ASCII), received);
                assertEquals(Integer.toString(message.length), python.readLine());
            }
            assertEquals(0, python.waitFor(), python.stderr());
        }
        assertTrue(trace.get(0).matches("socket\\(AF_INET, SOCK_STREAM, IPPROTO_TCP\\) = \\d+"), trace.get(0));
        assertTrue(trace.stream().anyMatch(l -> l.matches("connect\\(\\d+, \\{127\\.0\\.0\\.1:\\d+\\}, 16\\) = 0")), trace.toString());
        assertTrue(trace.stream().anyMatch(l -> l.matches("shutdown\\(\\d+, SHUT_WR\\) = 0")), trace.toString());
        assertTrue(trace.stream().anyMatch(l -> l.matches("read\\(\\d+, \"\", 4096\\) = 0")), trace.toString());
        assertTrue(trace.get(trace.size() - 1).matches("close\\(\\d+\\) = 0"), trace.toString());
    }

    /** Python client: connects to the port given, prints its own address, sends, reads the reply until EOF, prints it. */
    private static final String PYTHON_CLIENT = String.join("\n",
            "import socket, sys",
            "c = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
            "print('%s:%d' % c.getsockname())",
            "c.sendall(b'ping from python')",
            "c.shutdown(socket.SHUT_WR)",
            "data = b''",
            "while True:",
            "    chunk = c.recv(4096)",
            "    if not chunk: break",
            "    data += chunk",
            "print(data.decode())");

    @Test
    void serverRowsAgainstPythonClient() throws Exception {
        SocketApi api = SocketApi.create();
        try (Socket server = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.setsockopt(server, SocketOptions.SO_REUSEADDR, true);
            api.bind(server, new InetSocketAddress("127.0.0.1", 0));
            api.listen(server, 4);
            int port = api.getsockname(server).getPort();
            try (PythonPeer python = PythonPeer.start(PYTHON_CLIENT, Integer.toString(port))) {
                Accepted accepted = api.accept(server);
                try (Socket conn = accepted.socket()) {
                    // accept() reports the address Python's own getsockname() reports.
                    assertEquals(python.readLine(), Sockaddrs.text(accepted.peer()));
                    assertEquals(accepted.peer(), api.getpeername(conn));
                    assertEquals(port, api.getsockname(conn).getPort());
                    byte[] got = readToEnd(api, conn, 4096);
                    assertEquals("ping from python", new String(got, StandardCharsets.US_ASCII));
                    ByteBuffer reply = ByteBuffer.allocateDirect(64);
                    reply.put("pong from rawsock".getBytes(StandardCharsets.US_ASCII)).flip();
                    assertEquals(17, api.write(conn, reply));
                    assertEquals(17, reply.position());
                }
                assertEquals("pong from rawsock", python.readLine());
                assertEquals(0, python.waitFor(), python.stderr());
            }
        }
    }

    @Test
    void clientAndServerAgainstJdkSockets() throws Exception {
        SocketApi api = SocketApi.create();
        // rawsock client -> java.net.ServerSocket
        try (ServerSocket jdkServer = new ServerSocket(0, 4, LOOPBACK);
             Socket client = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.connect(client, new InetSocketAddress(LOOPBACK, jdkServer.getLocalPort()));
            try (java.net.Socket peer = jdkServer.accept()) {
                assertEquals(api.getsockname(client), peer.getRemoteSocketAddress());
                byte[] out = new byte[100_000];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) (i * 31);
                }
                int written = 0;
                while (written < out.length) {
                    written += api.write(client, out, written, out.length - written);
                }
                byte[] in = peer.getInputStream().readNBytes(out.length);
                assertArrayEquals(out, in, "bytes arrive in order and intact");
                peer.getOutputStream().write("from the JDK".getBytes(StandardCharsets.US_ASCII));
                peer.shutdownOutput();
                assertEquals("from the JDK", new String(readToEnd(api, client, 5), StandardCharsets.US_ASCII));
            }
        }
        // java.net.Socket client -> rawsock server, over IPv6 loopback
        try (Socket server = api.socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(server, new InetSocketAddress(InetAddress.getByName("::1"), 0));
            api.listen(server, 4);
            InetSocketAddress serverAddress = api.getsockname(server);
            assertEquals("::1", Sockaddrs.ipText(serverAddress.getAddress()));
            try (java.net.Socket peer = new java.net.Socket(serverAddress.getAddress(), serverAddress.getPort())) {
                Accepted accepted = api.accept(server);
                try (Socket conn = accepted.socket()) {
                    assertEquals(peer.getLocalSocketAddress(), accepted.peer());
                    OutputStream o = peer.getOutputStream();
                    o.write("six".getBytes(StandardCharsets.US_ASCII));
                    byte[] buffer = new byte[16];
                    int n = api.read(conn, buffer, buffer.length);
                    assertEquals("six", new String(buffer, 0, n, StandardCharsets.US_ASCII));
                    api.write(conn, buffer, n);
                    InputStream i = peer.getInputStream();
                    assertArrayEquals("six".getBytes(StandardCharsets.US_ASCII), i.readNBytes(3));
                    api.shutdown(conn, Shutdown.BOTH);
                    assertEquals(-1, i.read(), "the JDK peer sees end of stream after shutdown(BOTH)");
                }
            }
        }
    }

    @Test
    void datagramsAgainstJdkDatagramSocket() throws Exception {
        SocketApi api = SocketApi.create();
        try (DatagramSocket jdk = new DatagramSocket(0, LOOPBACK);
             Socket udp = api.socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)) {
            jdk.setSoTimeout(5000);
            api.bind(udp, new InetSocketAddress(LOOPBACK, 0));
            ByteBuffer out = ByteBuffer.wrap("datagram".getBytes(StandardCharsets.US_ASCII));
            assertEquals(8, api.sendto(udp, out, new InetSocketAddress(LOOPBACK, jdk.getLocalPort())));
            DatagramPacket packet = new DatagramPacket(new byte[64], 64);
            jdk.receive(packet);
            assertEquals("datagram", new String(packet.getData(), 0, packet.getLength(), StandardCharsets.US_ASCII));
            assertEquals(api.getsockname(udp), packet.getSocketAddress());

            jdk.send(new DatagramPacket("reply".getBytes(StandardCharsets.US_ASCII), 5, packet.getSocketAddress()));
            assertEquals(SocketOptions.SO_RCVTIMEO.parse("5s"), java.time.Duration.ofSeconds(5));
            api.setsockopt(udp, SocketOptions.SO_RCVTIMEO, java.time.Duration.ofSeconds(5));
            ByteBuffer in = ByteBuffer.allocate(64);
            SocketApi.Received r = api.recvfrom(udp, in);
            assertEquals(5, r.bytes());
            assertEquals(jdk.getLocalSocketAddress(), r.source());
            assertEquals("reply", new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII));
        }
    }

    private static byte[] readToEnd(SocketApi api, Socket s, int chunk) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        for (int i = 0; i < 100_000; i++) { // bounded: at most this many reads
            int n = api.read(s, buffer, buffer.length);
            if (n == 0) {
                return all.toByteArray();
            }
            all.write(buffer, 0, n);
        }
        throw new AssertionError("no end of stream after 100,000 reads");
    }
}
