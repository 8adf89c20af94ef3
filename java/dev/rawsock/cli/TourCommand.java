package dev.rawsock.cli;

import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.lab.LoopbackWire;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Shutdown;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.Sockaddrs;
import dev.rawsock.socket.SocketOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Domain.AF_INET6;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;

/**
 * Every row of the socket API table, end to end on loopback, with each call traced as C. The same
 * sequence, in the same words, is {@code native/tour.c}: TourTwinTest runs both and compares them line by line.
 */
@Command(name = "tour", mixinStandardHelpOptions = true,
        description = {
            "Every row of the socket API table on loopback, each system call printed as it happens.",
            "",
            "Run every row of the socket API table on loopback and print each system",
            "call as it happens: socket, bind, listen, connect, accept, write/read both",
            "ways, getsockopt/setsockopt, shutdown of one side (the peer reads 0 = end",
            "of stream), close; the connection's 4-tuple as each side sees it; and a",
            "second connection, which differs only in the client's port.",
            "",
            "--wire runs it in a private network namespace (needs root, or exits 3),",
            "captures its lo and prints under each call the TCP segments it put on the",
            "wire (sequence numbers relative to each side's initial one), and adds a",
            "part 10: close() with unread data sends RST, not FIN; and a part 11: the",
            "listen backlog full, a SYN dropped.",
        })
final class TourCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--address", paramLabel = "IP", converter = Converters.IpAddress.class,
            description = "Local address the server binds and the client connects to (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1")
    InetAddress address;

    @Option(names = "--port", paramLabel = "PORT", converter = Converters.Port.class, defaultValue = "0",
            description = "Server port, 0-65535 (default: 0, the kernel picks a free one).")
    int port;

    @Option(names = "--wire", description = "Print under each call the TCP segments it put on the wire (captured on lo, in a private"
            + " network namespace; needs root).")
    boolean wire;

    private static final int BUFFER_BYTES = 1024;
    /** How long the capture must stay quiet before a call's segments are taken as complete (loopback is synchronous). */
    private static final int WIRE_QUIET_MILLIS = 5;
    /**
     * After a call that sends data or a FIN, the peer may delay its ACK (tcp(7): delayed ACKs, at most
     * 200 ms on Linux, TCP_DELACK_MAX): waiting this long shows that ACK under the call that caused it,
     * every time, instead of sometimes riding on a later segment.
     */
    private static final int DELAYED_ACK_MILLIS = 250;
    /** How long part 11's third connect() waits (SO_SNDTIMEO): well under the 1 s before its SYN is sent again. */
    private static final java.time.Duration BACKLOG_WAIT = java.time.Duration.ofMillis(300);

    private LoopbackWire tap;

    @Override
    public Integer call() throws ErrnoException, LabException {
        PrintWriter out = spec.commandLine().getOut();
        if (!wire) {
            return tour(out);
        }
        if (address instanceof Inet6Address) {
            throw new UsageException("--wire decodes IPv4 segments only: leave out --address " + Sockaddrs.ipText(address));
        }
        // In a private network namespace: its lo carries this tour and nothing else (on the host's lo, any other
        // program's traffic to or from the same port number would show up under our calls).
        try (Lab lab = Lab.create()) {
            out.println("# (--wire: in a private network namespace, " + lab.targetNamespace() + ", whose lo carries only this tour)");
            return lab.inTarget(() -> tour(out));
        }
    }

    private int tour(PrintWriter out) throws ErrnoException {
        SocketApi api = SocketApi.traced(line -> {
            out.println(line);
            boolean sends = line.startsWith("write(") || line.startsWith("shutdown(") || line.startsWith("close(");
            printWire(out, sends ? DELAYED_ACK_MILLIS : WIRE_QUIET_MILLIS);
        });
        Domain family = address instanceof Inet6Address ? AF_INET6 : AF_INET;
        byte[] buffer = new byte[BUFFER_BYTES];

        out.println("# rawsock tour: the socket API table on the real kernel, one system call per line");
        out.println("# 1. the server: a socket, a local address and port, a queue for connections");
        try (Socket server = api.socket(family, SOCK_STREAM, IPPROTO_TCP)) {
            api.setsockopt(server, SocketOptions.SO_REUSEADDR, true);
            api.bind(server, new InetSocketAddress(address, port));
            InetSocketAddress serverAddress = api.getsockname(server);
            if (wire) {
                tap = LoopbackWire.open(serverAddress.getPort());
                out.println("#    (capturing TCP to and from port " + serverAddress.getPort() + " on lo: each call's segments are printed under it)");
            }
            api.listen(server, 16);

            out.println("# 2. the client: connect opens the TCP connection (SYN, SYN-ACK, ACK)");
            Socket client = api.socket(family, SOCK_STREAM, IPPROTO_TCP);
            Accepted first;
            try {
                api.connect(client, serverAddress);
                out.println("# 3. the server takes the connection from its queue: a new socket for it");
                first = api.accept(server);
            } catch (ErrnoException e) {
                api.close(client);
                throw e;
            }
            String firstTuple;
            try (Socket c = client; Socket s = first.socket()) {
                out.println("# 4. the connection's 4-tuple, as each side sees it");
                firstTuple = fourTuple(api, out, "client", c);
                fourTuple(api, out, "server", s);

                out.println("# 5. data both ways: a reliable, ordered byte stream");
                send(api, c, "hello, server\n");
                api.read(s, buffer, BUFFER_BYTES);
                send(api, s, "hello, client\n");
                api.read(c, buffer, BUFFER_BYTES);

                out.println("# 6. socket options: read one, change it, read it back (Linux doubles buffer sizes)");
                api.getsockopt(s, SocketOptions.SO_RCVBUF);
                api.setsockopt(s, SocketOptions.SO_RCVBUF, 65536);
                api.getsockopt(s, SocketOptions.SO_RCVBUF);
                api.setsockopt(c, SocketOptions.TCP_NODELAY, true);
                api.getsockopt(c, SocketOptions.TCP_NODELAY);
                api.getsockopt(c, SocketOptions.TCP_INFO);

                out.println("# 7. shutdown: the client closes its sending side (FIN); the server's read returns 0 = EOF");
                api.shutdown(c, Shutdown.WRITE);
                api.read(s, buffer, BUFFER_BYTES);
                out.println("#    the other direction still works");
                send(api, s, "bye\n");
                api.read(c, buffer, BUFFER_BYTES);

                out.println("# 8. close: the connection is torn down completely");
            }

            out.println("# 9. a second connection to the same server: only the client's port differs");
            try (Socket c = api.socket(family, SOCK_STREAM, IPPROTO_TCP)) {
                api.connect(c, serverAddress);
                try (Socket s = api.accept(server).socket()) {
                    String secondTuple = fourTuple(api, out, "client", c);
                    out.println("# first  connection " + firstTuple);
                    out.println("# second connection " + secondTuple);
                }
            }
            if (wire) {
                closeWithUnreadData(api, out, family, serverAddress, server);
                listenBacklog(api, out, family, serverAddress, server);
            }
        } finally {
            if (tap != null) {
                tap.close();
                tap = null;
            }
        }
        return ExitCodes.OK;
    }

    /** Part 10 (only with --wire, so the tour still matches native/tour.c): close() with unread data sends RST. */
    private static void closeWithUnreadData(SocketApi api, PrintWriter out, Domain family, InetSocketAddress serverAddress, Socket server)
            throws ErrnoException {
        out.println("# 10. close with unread data: the server closes without reading what arrived, so its kernel");
        out.println("#     sends RST, not FIN (RFC 9293 §3.6.1: data was lost); the client's next read fails");
        try (Socket c = api.socket(family, SOCK_STREAM, IPPROTO_TCP)) {
            api.connect(c, serverAddress);
            Socket s = api.accept(server).socket();
            send(api, c, "unread\n");
            api.close(s);
            try {
                api.read(c, new byte[BUFFER_BYTES], BUFFER_BYTES);
            } catch (ErrnoException e) {
                if (e.errno() != dev.rawsock.linux.Errno.ECONNRESET) {
                    throw e;
                }
            }
        }
    }

    /**
     * Part 11 (only with --wire): the backlog. listen() again on the listening socket changes its backlog
     * (listen(2)); the kernel completes handshakes without the program until its queue of finished
     * connections holds more than the backlog, then drops new SYNs; the client's connect() waits for a
     * retransmission (bounded here by SO_SNDTIMEO, after which it returns EINPROGRESS, connect(2)).
     */
    private static void listenBacklog(SocketApi api, PrintWriter out, Domain family, InetSocketAddress serverAddress, Socket server)
            throws ErrnoException {
        out.println("# 11. the listen backlog: the kernel finishes handshakes by itself and queues them for accept();");
        out.println("#     with a backlog of 1, Linux queues up to 2, then drops new SYNs until accept() makes room");
        api.listen(server, 1);
        java.util.List<Socket> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket c = api.socket(family, SOCK_STREAM, IPPROTO_TCP);
                open.add(c);
                api.connect(c, serverAddress);
            }
            Socket third = api.socket(family, SOCK_STREAM, IPPROTO_TCP);
            open.add(third);
            api.setsockopt(third, SocketOptions.SO_SNDTIMEO, BACKLOG_WAIT);
            try {
                api.connect(third, serverAddress);
            } catch (ErrnoException e) {
                if (e.errno() != dev.rawsock.linux.Errno.EINPROGRESS) {
                    throw e;
                }
            }
            out.println("#     the third SYN got no SYN-ACK: the queue was full; its connect() gave up waiting after "
                    + BACKLOG_WAIT.toMillis() + " ms");
            for (int i = 0; i < 2; i++) {
                open.add(api.accept(server).socket());
            }
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private void printWire(PrintWriter out, int quietMillis) {
        if (tap == null) {
            return;
        }
        try {
            for (String segment : tap.drain(quietMillis)) {
                out.println("    wire: " + segment);
            }
        } catch (ErrnoException e) {
            out.println("    wire: " + e.getMessage());
        }
    }

    private static void send(SocketApi api, Socket s, String text) throws ErrnoException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        api.write(s, bytes, bytes.length);
    }

    /** Prints and returns {@code <local ip, local port, remote ip, remote port>} as the socket sees it. */
    private static String fourTuple(SocketApi api, PrintWriter out, String side, Socket s) throws ErrnoException {
        InetSocketAddress local = api.getsockname(s);
        InetSocketAddress remote = api.getpeername(s);
        String tuple = "<" + ip(local) + ", " + local.getPort() + ", " + ip(remote) + ", " + remote.getPort() + ">";
        out.println("# " + side + " sees " + tuple + "  (its IP, its port, peer IP, peer port)");
        return tuple;
    }

    private static String ip(InetSocketAddress a) {
        return Sockaddrs.ipText(a.getAddress());
    }
}
