package dev.rawsock.lab;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Accepted;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.NetworkNamespace;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Shutdown;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.SocketType;
import dev.rawsock.wire.Ipv4Address;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The lab's default target: real kernel TCP listeners on the lab's target address (198.18.0.2 in the direct
 * lab) inside the target namespace, run through rawsock's own {@link SocketApi} on threads that entered that
 * namespace with setns(2).
 *
 * <ul>
 * <li><b>echo</b>, port 7 (RFC 862): writes back what it reads until the peer's FIN (read() = 0), then
 *     ends its side with shutdown(SHUT_WR): the peer closed first.</li>
 * <li><b>http</b>, port 80: reads a request up to the blank line, answers {@code GET} with a small fixed
 *     {@code HTTP/1.0 200 OK} (anything else with 400), then shutdown(SHUT_WR): the server closes first,
 *     and so it is the server that ends in TIME_WAIT. It then waits for the peer's FIN.</li>
 * </ul>
 *
 * Each accepted socket is kept open (not closed) after its conversation, so the kernel's TCP_INFO for it
 * stays readable ({@link ServerConnection#tcpInfo()}); the newest 32 are kept, older ones closed.
 * Bounded: each conversation lasts at most 10 s, each service accepts at most 10,000 connections and
 * runs at most an hour, and everything stops when the lab closes (the loops poll every 50 ms).
 */
public final class LabTarget implements AutoCloseable {
    public static final int ECHO_PORT = 7;
    public static final int HTTP_PORT = 80;
    /** What the HTTP service answers to any GET. */
    public static final String HTTP_BODY = "hello from the rawsock lab\n";
    public static final String HTTP_RESPONSE = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + HTTP_BODY.length() + "\r\nConnection: close\r\n\r\n" + HTTP_BODY;
    private static final String HTTP_BAD_REQUEST = "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    private static final int MAX_CONNECTIONS = 10_000;
    private static final int KEPT_CONNECTIONS = 32;
    private static final Duration CONVERSATION_LIMIT = Duration.ofSeconds(10);
    private static final Duration SERVICE_LIFETIME = Duration.ofHours(1);
    private static final int POLL_MILLIS = 50;
    private static final int MAX_REQUEST_BYTES = 8192;

    private final Lab lab;
    private final Deque<ServerConnection> connections = new ArrayDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> listeners = new ArrayList<>();
    private volatile boolean closing;

    private LabTarget(Lab lab) {
        this.lab = lab;
    }

    /** Starts both services in the lab's target namespace and returns once both listen; the lab closes them. */
    public static LabTarget start(Lab lab) throws LabException {
        LabTarget target = new LabTarget(lab);
        lab.register(target);
        target.startService("echo", ECHO_PORT);
        target.startService("http", HTTP_PORT);
        return target;
    }

    private void startService(String service, int port) throws LabException {
        CountDownLatch listening = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            Socket listener = null;
            try {
                NetworkNamespace.enter(lab.targetNamespace());
                Current current = new Current();
                SocketApi api = SocketApi.traced(line -> current.record(line));
                listener = api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
                api.setsockopt(listener, SocketOptions.SO_REUSEADDR, true);
                api.bind(listener, new InetSocketAddress(address(lab.targetAddress()), port));
                api.listen(listener, 16);
                synchronized (listeners) {
                    listeners.add(listener);
                }
                listening.countDown();
                serve(service, api, listener, current);
            } catch (Throwable e) {
                failure[0] = e;
                listening.countDown();
            } finally {
                if (listener != null) {
                    try {
                        listener.close();
                    } catch (ErrnoException ignored) {
                        // idempotent close; nothing left to do
                    }
                }
            }
        }, "rawsock-lab-" + service);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        try {
            if (!listening.await(10, TimeUnit.SECONDS)) {
                throw new LabException("the lab's " + service + " service did not start listening within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while starting the lab's " + service + " service", e);
        }
        if (failure[0] != null) {
            throw new LabException("the lab's " + service + " service on " + Ipv4Address.text(lab.targetAddress()) + ":" + port
                    + " could not start: " + failure[0].getMessage(), failure[0]);
        }
    }

    /** Which connection the service thread is working on, so its traced calls land there. */
    private static final class Current {
        volatile ServerConnection connection;

        void record(String line) {
            ServerConnection c = connection;
            if (c != null && !line.startsWith("poll(")) {
                c.call(line);
            }
        }
    }

    private void serve(String service, SocketApi api, Socket listener, Current current) {
        long end = System.nanoTime() + SERVICE_LIFETIME.toNanos();
        int accepted = 0;
        while (!closing && accepted < MAX_CONNECTIONS && System.nanoTime() < end) {
            try {
                if ((api.poll(listener, Constants.POLLIN, POLL_MILLIS) & Constants.POLLIN) == 0) {
                    continue;
                }
                Accepted a = api.accept(listener);
                accepted++;
                InetSocketAddress local = api.getsockname(a.socket());
                ServerConnection c = new ServerConnection(service, api, a.socket(), local, a.peer());
                c.call("accept(" + listener.fd() + ", {" + text(a.peer()) + "}) = " + a.socket().fd());
                c.call("getsockname(" + a.socket().fd() + ", {" + text(local) + "}) = 0");
                keep(c);
                current.connection = c;
                try {
                    if (service.equals("echo")) {
                        echo(api, c);
                    } else {
                        http(api, c);
                    }
                } finally {
                    current.connection = null;
                }
            } catch (ErrnoException e) {
                if (closing) {
                    return;
                }
                // A failed accept (the peer reset while queued, say) ends nothing but that attempt.
            }
        }
    }

    private void echo(SocketApi api, ServerConnection c) {
        long deadline = System.nanoTime() + CONVERSATION_LIMIT.toNanos();
        byte[] buffer = new byte[4096];
        Socket s = c.socket();
        try {
            while (true) {
                int n = readSome(api, s, buffer, deadline);
                if (n == -2) {
                    c.finish("stopped waiting (the lab closed or 10 s passed)");
                    return;
                }
                if (n == 0) {
                    api.shutdown(s, Shutdown.WRITE);
                    c.finish("read() = 0: the peer closed its side first; the server answered with shutdown(SHUT_WR) (its FIN)");
                    return;
                }
                c.read(buffer, n);
                writeAll(api, s, buffer, n, c);
            }
        } catch (ErrnoException e) {
            c.finish(e.getMessage());
        }
    }

    private void http(SocketApi api, ServerConnection c) {
        long deadline = System.nanoTime() + CONVERSATION_LIMIT.toNanos();
        byte[] buffer = new byte[4096];
        Socket s = c.socket();
        try {
            StringBuilder request = new StringBuilder();
            boolean peerClosed = false;
            while (request.indexOf("\r\n\r\n") < 0 && request.indexOf("\n\n") < 0 && request.length() < MAX_REQUEST_BYTES) {
                int n = readSome(api, s, buffer, deadline);
                if (n == -2) {
                    c.finish("stopped waiting for a request (the lab closed or 10 s passed)");
                    return;
                }
                if (n == 0) {
                    peerClosed = true;
                    break;
                }
                c.read(buffer, n);
                request.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            if (request.length() == 0 && peerClosed) {
                api.shutdown(s, Shutdown.WRITE);
                c.finish("read() = 0 before any request: the peer closed first; shutdown(SHUT_WR)");
                return;
            }
            byte[] response = (request.toString().startsWith("GET ") ? HTTP_RESPONSE : HTTP_BAD_REQUEST)
                    .getBytes(StandardCharsets.ISO_8859_1);
            writeAll(api, s, response, response.length, c);
            api.shutdown(s, Shutdown.WRITE);
            if (peerClosed) {
                c.finish("answered after the peer's FIN, then shutdown(SHUT_WR)");
                return;
            }
            // Our FIN is out; wait for the peer's (read() = 0), reading and dropping anything before it.
            while (true) {
                int n = readSome(api, s, buffer, deadline);
                if (n == -2) {
                    c.finish("answered and sent its FIN (shutdown(SHUT_WR)); the peer's FIN did not come");
                    return;
                }
                if (n == 0) {
                    c.finish("answered, closed first with shutdown(SHUT_WR), then read() = 0: the peer's FIN");
                    return;
                }
                c.read(buffer, n);
            }
        } catch (ErrnoException e) {
            c.finish(e.getMessage());
        }
    }

    /** Reads what is there, waiting in short polls; -2 when the lab is closing or the deadline passed. */
    private int readSome(SocketApi api, Socket s, byte[] buffer, long deadline) throws ErrnoException {
        while (!closing && System.nanoTime() < deadline) {
            int events = api.poll(s, Constants.POLLIN, POLL_MILLIS);
            if (events != 0) {
                return api.read(s, buffer, buffer.length);
            }
        }
        return -2;
    }

    private void writeAll(SocketApi api, Socket s, byte[] data, int length, ServerConnection c) throws ErrnoException {
        int done = 0;
        for (int attempts = 0; done < length && attempts < 1000 && !closing; attempts++) {
            int n = api.write(s, data, done, length - done);
            c.wrote(data, done, n);
            done += n;
        }
    }

    private void keep(ServerConnection c) {
        ServerConnection dropped = null;
        synchronized (connections) {
            connections.addLast(c);
            if (connections.size() > KEPT_CONNECTIONS) {
                dropped = connections.removeFirst();
            }
            connections.notifyAll();
        }
        if (dropped != null) {
            dropped.closeSocket();
        }
    }

    /** The connections accepted so far (the newest 32), oldest first. */
    public List<ServerConnection> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    /**
     * Waits up to {@code timeout} for a connection from {@code peerAddress:peerPort} to the given local port,
     * and returns it, or null when none came.
     */
    public ServerConnection awaitConnection(int peerAddress, int peerPort, int localPort, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (connections) {
            while (true) {
                for (ServerConnection c : connections) {
                    if (c.peer().getPort() == peerPort && c.local().getPort() == localPort
                            && c.peer().getAddress().equals(address(peerAddress))) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                connections.wait(Math.max(1, left / 1_000_000L));
            }
        }
    }

    /** Stops both services and closes every socket they made. Idempotent. */
    @Override
    public void close() {
        closing = true;
        for (Thread t : threads) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (ServerConnection c : connections()) {
            c.closeSocket();
        }
        synchronized (listeners) {
            for (Socket l : listeners) {
                try {
                    l.close();
                } catch (ErrnoException ignored) {
                    // already closed by its thread
                }
            }
        }
    }

    /**
     * One more kernel listener on the lab's target address and {@code port}, which never accepts: the
     * kernel completes handshakes into its queue (up to the backlog of 16) by itself. For scans; the lab
     * closes it.
     */
    public static Socket listen(Lab lab, int port) throws LabException {
        SocketApi api = SocketApi.create();
        InetSocketAddress at = new InetSocketAddress(address(lab.targetAddress()), port);
        Socket s = lab.inTarget(() -> {
            Socket l = api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
            try {
                api.setsockopt(l, SocketOptions.SO_REUSEADDR, true);
                api.bind(l, at);
                api.listen(l, 16);
            } catch (ErrnoException e) {
                l.close();
                throw e;
            }
            return l;
        });
        lab.register(s);
        return s;
    }

    /** The IPv4 address as an InetAddress. */
    public static InetAddress address(int ipv4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String text(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public String toString() {
        return "LabTarget(" + lab.targetNamespace() + ")";
    }
}
