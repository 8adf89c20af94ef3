package dev.rawsock.lab;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.TcpInfo;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection the lab's target accepted, as the server saw it: the 4-tuple from accept(2) and
 * getsockname(2), the bytes it read and wrote, its socket calls as lines of C, and its socket, kept
 * open after the conversation (the server ends its side with shutdown(SHUT_WR), not close) so that
 * {@link #tcpInfo()} can still ask the kernel for the connection's state. The target closes it when
 * the lab closes.
 */
public final class ServerConnection {
    private final String service;
    private final SocketApi api;
    private final Socket socket;
    private final InetSocketAddress local;
    private final InetSocketAddress peer;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final List<String> calls = new ArrayList<>();
    private boolean finished;
    private String ending = "";

    ServerConnection(String service, SocketApi api, Socket socket, InetSocketAddress local, InetSocketAddress peer) {
        this.service = service;
        this.api = api;
        this.socket = socket;
        this.local = local;
        this.peer = peer;
    }

    /** "echo" or "http". */
    public String service() {
        return service;
    }

    /** The server's own address and port (getsockname of the accepted socket). */
    public InetSocketAddress local() {
        return local;
    }

    /** The peer as accept(2) reported it. */
    public InetSocketAddress peer() {
        return peer;
    }

    public synchronized byte[] received() {
        return received.toByteArray();
    }

    public synchronized byte[] written() {
        return written.toByteArray();
    }

    /** The server's socket calls on this connection, as the call trace writes them. */
    public synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    /** How the server's handling ended, e.g. "read() = 0: the peer closed its side". */
    public synchronized String ending() {
        return ending;
    }

    public synchronized boolean finished() {
        return finished;
    }

    /** Waits up to {@code timeout} for the server to finish with this connection; true when it has. */
    public synchronized boolean awaitFinished(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!finished) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000L));
        }
        return true;
    }

    /** TCP_INFO of the server's accepted socket now (getsockopt(2)); null once the lab has closed it. */
    public TcpInfo tcpInfo() throws ErrnoException {
        synchronized (socket) {
            if (socket.isClosed()) {
                return null;
            }
            return api.getsockopt(socket, SocketOptions.TCP_INFO);
        }
    }

    Socket socket() {
        return socket;
    }

    synchronized void call(String line) {
        if (calls.size() < 200) {
            calls.add(line);
        }
    }

    synchronized void read(byte[] b, int n) {
        received.write(b, 0, n);
    }

    synchronized void wrote(byte[] b, int offset, int n) {
        written.write(b, offset, n);
    }

    synchronized void finish(String how) {
        ending = how;
        finished = true;
        notifyAll();
    }

    void closeSocket() {
        synchronized (socket) {
            try {
                socket.close();
            } catch (ErrnoException ignored) {
                // closing is idempotent; a failure here leaves nothing to do
            }
        }
    }

    @Override
    public String toString() {
        return service + " " + peer + " -> " + local;
    }
}
