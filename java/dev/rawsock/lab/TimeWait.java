package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

import static dev.rawsock.socket.Domain.AF_INET;
import static dev.rawsock.socket.Protocol.IPPROTO_TCP;
import static dev.rawsock.socket.SocketType.SOCK_STREAM;

/**
 * A 4-tuple after its connection closes, on loopback: the side that closes first keeps it in TIME_WAIT
 * (RFC 9293 §3.6, 2 MSL; 60 s on Linux); a new SYN for the same 4-tuple takes it over; and while it lasts,
 * a new server can bind the port only with SO_REUSEADDR (socket(7)). Every call is traced as C, and the
 * kernel's TCP table (/proc/net/tcp, what {@code ss -tan} reads) is shown for the server's port.
 */
public final class TimeWait {
    private TimeWait() {}

    private static final Path PROC_NET_TCP = Path.of("/proc/net/tcp");
    private static final int BACKLOG = 4;
    private static final int READ_BYTES = 16;
    private static final long WAIT_NANOS = 2_000_000_000L;
    private static final long POLL_MILLIS = 5;
    /** /proc/net/tcp counts timers in clock ticks (USER_HZ, 100 per second on Linux). */
    private static final int TICKS_PER_SECOND = 100;
    private static final int STATE_ESTABLISHED = 0x01;
    private static final int STATE_TIME_WAIT = 0x06;
    private static final int STATE_LAST_ACK = 0x09;
    private static final int STATE_LISTEN = 0x0A;
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
        "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** One row of /proc/net/tcp: local and remote address and port, state, and the timer's ticks left. */
    public record Entry(String local, int localPort, String remote, int remotePort, int state, long timerTicks) {
        public String stateName() {
            return state < STATES.length ? STATES[state] : String.format(Locale.ROOT, "0x%02X", state);
        }
    }

    /** What the demonstration saw, for tests: the TIME_WAIT rows and whether each step went as the kernel should. */
    public record Result(int serverPort, int clientPort, boolean timeWaitAfterFirstClose, boolean sameTupleReused,
                         boolean bindRefusedWithoutReuse, boolean bindAcceptedWithReuse) {
        public boolean asExpected() {
            return timeWaitAfterFirstClose && sameTupleReused && bindRefusedWithoutReuse && bindAcceptedWithReuse;
        }
    }

    public static Result run(InetAddress address, PrintWriter out) throws ErrnoException {
        SocketApi api = SocketApi.traced(out::println);
        out.println("# rawsock connections --time-wait: a 4-tuple after its connection closes, on loopback");
        out.println("# 1. a server (with SO_REUSEADDR, as servers set it), and a client that binds its own port so we can use it again");
        int serverPort;
        int clientPort;
        boolean timeWait;
        boolean reused;
        try (Socket server = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.setsockopt(server, SocketOptions.SO_REUSEADDR, true);
            api.bind(server, new InetSocketAddress(address, 0));
            InetSocketAddress listening = api.getsockname(server);
            serverPort = listening.getPort();
            api.listen(server, BACKLOG);
            Socket client = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            InetSocketAddress clientAddress;
            try {
                api.bind(client, new InetSocketAddress(address, 0));
                clientAddress = api.getsockname(client);
            } catch (ErrnoException e) {
                api.close(client);
                throw e;
            }
            clientPort = clientAddress.getPort();
            String tuple = "<" + address.getHostAddress() + ", " + clientPort + ", " + address.getHostAddress() + ", " + serverPort + ">";
            connectAndCloseServerFirst(api, out, server, client, listening, tuple);
            out.println("# the kernel's TCP table for port " + serverPort + " (/proc/net/tcp, what ss -tan shows):");
            timeWait = show(out, serverPort, awaitTable(serverPort, rows -> has(rows, STATE_TIME_WAIT, serverPort)
                    && rows.stream().noneMatch(r -> r.state() == STATE_LAST_ACK)));
            out.println("# the server sent the first FIN, so its end of " + tuple + " waits in TIME_WAIT for 2 MSL (60 s on Linux),");
            out.println("# in case its last ACK was lost and the client's FIN comes again (RFC 9293 §3.6); the client's end is gone");

            out.println("# 3. the same 4-tuple again: a new socket binds the client's old port and connects to the same server");
            Socket again = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            Accepted second;
            try {
                api.bind(again, clientAddress);
                api.connect(again, listening);
                second = api.accept(server);
            } catch (ErrnoException e) {
                api.close(again);
                throw e;
            }
            reused = second.peer().getPort() == clientPort;
            List<Entry> rows = awaitTable(serverPort, r -> count(r, STATE_ESTABLISHED) == 2);
            show(out, serverPort, rows);
            reused &= !has(rows, STATE_TIME_WAIT, serverPort);
            out.println("# " + tuple + (reused ? " names a connection again: its SYN ended the TIME_WAIT. Linux takes a new SYN"
                    + " in TIME_WAIT when its sequence number or timestamp is newer than the old connection's (RFC 6191)"
                    : " was not reused: " + second.peer()));

            out.println("# 4. the server closes first again, then stops listening: only the TIME_WAIT holds port " + serverPort + " now");
            closeServerFirst(api, second.socket(), again);
        }
        show(out, serverPort, awaitTable(serverPort, rows -> has(rows, STATE_TIME_WAIT, serverPort)
                && rows.stream().noneMatch(r -> r.state() == STATE_LISTEN || r.state() == STATE_LAST_ACK)));

        out.println("# 5. a new server on port " + serverPort + " without SO_REUSEADDR: bind() fails while the TIME_WAIT lasts");
        boolean refused = false;
        try (Socket restart = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.bind(restart, new InetSocketAddress(address, serverPort));
        } catch (ErrnoException e) {
            if (!e.call().equals("bind")) {
                throw e;
            }
            refused = e.errno() == dev.rawsock.linux.Errno.EADDRINUSE;
        }
        out.println("# 6. with SO_REUSEADDR it binds: only an active listener on the address keeps it out (socket(7))");
        boolean accepted;
        try (Socket restart = api.socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)) {
            api.setsockopt(restart, SocketOptions.SO_REUSEADDR, true);
            api.bind(restart, new InetSocketAddress(address, serverPort));
            api.listen(restart, BACKLOG);
            accepted = true;
        }
        out.println(refused && accepted
                ? "# so a server restarted within 60 s of closing connections first needs SO_REUSEADDR before bind()"
                : "# unexpected: bind without SO_REUSEADDR " + (refused ? "failed" : "worked") + ", with it " + (accepted ? "worked" : "failed"));
        out.flush();
        return new Result(serverPort, clientPort, timeWait, reused, refused, accepted);
    }

    private static void connectAndCloseServerFirst(SocketApi api, PrintWriter out, Socket server, Socket client, InetSocketAddress listening,
                                                   String tuple) throws ErrnoException {
        Accepted first;
        try {
            api.connect(client, listening);
            first = api.accept(server);
        } catch (ErrnoException e) {
            api.close(client);
            throw e;
        }
        out.println("# the connection " + tuple);
        out.println("# 2. the server closes first (its FIN goes first); the client reads 0 (end of stream) and closes too");
        closeServerFirst(api, first.socket(), client);
    }

    private static void closeServerFirst(SocketApi api, Socket serverSide, Socket client) throws ErrnoException {
        try (Socket c = client) {
            api.close(serverSide);
            api.read(c, new byte[READ_BYTES], READ_BYTES);
        }
    }

    private static boolean has(List<Entry> rows, int state, int localPort) {
        return rows.stream().anyMatch(r -> r.state() == state && r.localPort() == localPort);
    }

    private static long count(List<Entry> rows, int state) {
        return rows.stream().filter(r -> r.state() == state).count();
    }

    /** Prints the rows and says whether a TIME_WAIT row is there. */
    private static boolean show(PrintWriter out, int port, List<Entry> rows) {
        boolean timeWait = false;
        for (Entry r : rows) {
            String timer = "";
            if (r.state() == STATE_TIME_WAIT) {
                timeWait = true;
                timer = String.format(Locale.ROOT, "   about %d s left", Math.round((double) r.timerTicks() / TICKS_PER_SECOND));
            }
            String remote = r.remotePort() == 0 ? "*:*" : r.remote() + ":" + r.remotePort();
            out.printf(Locale.ROOT, "#   %-12s %s:%d  %s%s%n", r.stateName(), r.local(), r.localPort(), remote, timer);
        }
        if (rows.isEmpty()) {
            out.println("#   (no socket uses port " + port + ")");
        }
        out.flush();
        return timeWait;
    }

    /** The table rows for a port once {@code until} holds for them (bounded: 2 s), or as they are then. */
    private static List<Entry> awaitTable(int port, Predicate<List<Entry>> until) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            List<Entry> rows = table(port);
            if (until.test(rows) || System.nanoTime() > deadline) {
                return rows;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return rows;
            }
        }
    }

    /** The IPv4 TCP sockets of this network namespace whose local or remote port is {@code port} (proc(5), /proc/net/tcp). */
    public static List<Entry> table(int port) {
        List<String> lines;
        try {
            lines = Files.readAllLines(PROC_NET_TCP);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + PROC_NET_TCP, e);
        }
        List<Entry> rows = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when ...
            String[] f = line.strip().split("\\s+");
            if (f.length < 6) {
                continue;
            }
            Entry e = new Entry(ip(f[1]), port(f[1]), ip(f[2]), port(f[2]), Integer.parseInt(f[3], 16),
                    Long.parseLong(f[5].substring(f[5].indexOf(':') + 1), 16));
            if (e.localPort() == port || e.remotePort() == port) {
                rows.add(e);
            }
        }
        // A fixed order whatever ports the kernel picked: listener, then other states, TIME_WAIT last; the port's own end first.
        rows.sort(Comparator.comparingInt((Entry e) -> e.state() == STATE_LISTEN ? 0 : e.state() == STATE_TIME_WAIT ? 2 : 1)
                .thenComparingInt(e -> e.localPort() == port ? 0 : 1));
        return rows;
    }

    /** "0100007F:B485": the address is the kernel's 32-bit value (network order in memory) printed as a host-order number. */
    private static String ip(String field) {
        long v = Long.parseLong(field.substring(0, field.indexOf(':')), 16);
        if (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN) {
            v = Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
        }
        return (v & 0xFF) + "." + ((v >> 8) & 0xFF) + "." + ((v >> 16) & 0xFF) + "." + ((v >> 24) & 0xFF);
    }

    private static int port(String field) {
        return Integer.parseInt(field.substring(field.indexOf(':') + 1), 16);
    }
}
