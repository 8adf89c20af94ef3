package dev.rawsock.helper;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import jnr.unixsocket.UnixSocketChannel;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The privileged helper: accepts connections on its {@link SocketFile}, authenticates each from
 * SO_PEERCRED against the {@link Policy}, and serves each admitted client on its own thread
 * ({@link HelperSession}), at most max-clients at once; the one after that is told so and closed. The
 * accept loop waits in poll(2) so {@link #close()} ends it promptly; closing also ends every session
 * (their labs and sockets are closed) and removes the socket file.
 */
public final class HelperServer implements AutoCloseable {
    /** How long a client may stay silent between requests, and how long one frame may take to arrive. */
    public record Timeouts(long idleMillis, long frameMillis, long writeMillis) {
        public static final Timeouts DEFAULT = new Timeouts(600_000, 2_000, 5_000);
    }

    private final SocketFile socket;
    private final Policy policy;
    private final AuditLog audit;
    private final Timeouts timeouts;
    private final RateLimiter limiter;
    private final Set<HelperSession> sessions = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private HelperServer(SocketFile socket, Policy policy, AuditLog audit, Timeouts timeouts) {
        this.socket = socket;
        this.policy = policy;
        this.audit = audit;
        this.timeouts = timeouts;
        this.limiter = new RateLimiter(policy.maxPacketsPerSecond(), policy.maxBytesPerSecond());
        this.acceptor = new Thread(this::acceptLoop, "rawsock-helper-accept");
    }

    /** Starts serving on {@code socket} (already listening). */
    public static HelperServer start(SocketFile socket, Policy policy, AuditLog audit, Timeouts timeouts) {
        HelperServer s = new HelperServer(socket, policy, audit, timeouts);
        s.acceptor.start();
        return s;
    }

    Policy policy() {
        return policy;
    }

    AuditLog audit() {
        return audit;
    }

    RateLimiter limiter() {
        return limiter;
    }

    long idleMillis() {
        return timeouts.idleMillis();
    }

    long frameMillis() {
        return timeouts.frameMillis();
    }

    public String path() {
        return socket.path();
    }

    /** Waits until the helper stops accepting: {@link #close()}, or a failure of the listening socket (then false). */
    public boolean awaitStop() throws InterruptedException {
        acceptor.join();
        return closed;
    }

    /** Clients being served now. */
    public int clients() {
        return sessions.size();
    }

    private void acceptLoop() {
        LibC libc = Linux.libc();
        NativeBuffer pollfd = NativeBuffer.allocate(8);
        int fd = socket.channel().getFD();
        try {
            socket.channel().configureBlocking(false);
            while (!closed) {
                pollfd.buffer().putInt(0, fd).putShort(4, (short) Constants.POLLIN).putShort(6, (short) 0);
                if (libc.poll(pollfd.address(), 1, 200) <= 0) {
                    continue; // timeout or EINTR: look at 'closed' again
                }
                UnixSocketChannel channel = socket.channel().accept();
                if (channel != null) {
                    admit(channel);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                audit.log(null, "ACCEPT", "error: " + e.getMessage() + "; the helper stops accepting");
            }
        }
    }

    private void admit(UnixSocketChannel channel) {
        Connection connection;
        PeerCredentials peer;
        try {
            connection = new Connection(channel, timeouts.writeMillis());
            peer = PeerCredentials.of(channel);
        } catch (IOException e) {
            audit.log(null, "CONNECT", "error: " + e.getMessage());
            closeQuietly(channel);
            return;
        }
        try {
            if (!policy.admits(peer)) {
                Policy.Refusal r = policy.refusal(peer);
                audit.log(peer, "CONNECT", r.message());
                connection.write(Protocol.ERROR, 0, Protocol.error(Protocol.E_NOT_AUTHORISED, r.rule(), r.message()));
                connection.close();
                return;
            }
            synchronized (sessions) {
                if (sessions.size() >= policy.maxClients()) {
                    String m = "refused by rule max-clients=" + policy.maxClients() + ": the helper serves that many clients now; try again later";
                    audit.log(peer, "CONNECT", m);
                    connection.write(Protocol.ERROR, 0, Protocol.error(Protocol.E_BUSY, "max-clients=" + policy.maxClients(), m));
                    connection.close();
                    return;
                }
                HelperSession session = new HelperSession(this, connection, peer);
                limiter.join(peer.uid());
                sessions.add(session);
                audit.log(peer, "CONNECT", "ok");
                Thread t = new Thread(session, "rawsock-helper-" + peer.uid() + "-" + peer.pid());
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            audit.log(peer, "CONNECT", "error: " + e.getMessage());
            connection.close();
        }
    }

    /** A lab open on some connection of {@code uid}, or null: a capture "in the lab" runs on a connection of its own. */
    dev.rawsock.lab.Lab labOf(int uid) {
        for (HelperSession s : sessions) {
            dev.rawsock.lab.Lab lab = s.peer().uid() == uid ? s.lab() : null;
            if (lab != null) {
                return lab;
            }
        }
        return null;
    }

    void ended(HelperSession session) {
        sessions.remove(session);
    }

    private static void closeQuietly(UnixSocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Stops accepting, ends every session (waiting up to 2 s for each to release its lab and sockets), removes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        for (HelperSession s : sessions) {
            s.close();
        }
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        audit.log(null, "STOP", "the helper at " + socket.path() + " stopped");
    }
}
