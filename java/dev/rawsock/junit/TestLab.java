package dev.rawsock.junit;

import dev.rawsock.lab.FrameLink;
import dev.rawsock.lab.Lab;
import dev.rawsock.lab.LabException;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.Ipv4Address;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Lab} for one test: two private network namespaces joined by a veth pair, the code under test in
 * the target namespace (198.18.0.2), rawsock's crafted peers in the crafting one (198.18.0.1), where the
 * kernel never answers crafted TCP with RST. Everything on the crafting side's interface is recorded
 * ({@link #capture()}). Closing stops the threads it started, then removes the lab.
 */
public final class TestLab implements AutoCloseable {
    private static final long THREAD_JOIN_MILLIS = 2_000;

    private final Lab lab;
    private final SocketApi api;
    private final Capture capture;
    private final List<Thread> threads = new ArrayList<>();
    private FrameLink link;
    private int nextPeerPort = 42_000;

    private TestLab(Lab lab, SocketApi api, Capture capture) {
        this.lab = lab;
        this.api = api;
        this.capture = capture;
    }

    /** Creates the lab and starts recording on its crafting interface. */
    public static TestLab create(SocketApi api) throws LabException, ErrnoException {
        Lab lab = Lab.create();
        try {
            return new TestLab(lab, api, Capture.startIn(lab.craftingNamespace(), api, Lab.CRAFTING_INTERFACE));
        } catch (LabException | ErrnoException | RuntimeException e) {
            try {
                lab.close();
            } catch (LabException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public Lab lab() {
        return lab;
    }

    /** What crossed the lab's wire, as the crafting side saw it. */
    public Capture capture() {
        return capture;
    }

    /** The address the code under test listens on: 198.18.0.2. */
    public static InetAddress targetAddress() {
        return address(Lab.TARGET_ADDRESS);
    }

    /** 198.18.0.2:{@code port}. */
    public static InetSocketAddress target(int port) {
        return new InetSocketAddress(targetAddress(), port);
    }

    private static InetAddress address(int a) {
        try {
            return InetAddress.getByName(Ipv4Address.text(a));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code body} inside the target namespace and returns its result: a ServerSocket, HttpServer or
     * socket created there stays there (and serves from any thread).
     */
    public <T> T inTarget(Lab.NamespaceCall<T> body) throws LabException {
        return lab.inTarget(body);
    }

    /** A JDK ServerSocket listening on 198.18.0.2:{@code port} in the target namespace; the lab closes it. */
    public ServerSocket serverSocket(int port) throws LabException {
        ServerSocket s = lab.inTarget(() -> new ServerSocket(port, 50, targetAddress()));
        lab.register(s);
        return s;
    }

    /** Starts {@code body} on a daemon thread inside the target namespace; interrupted and joined at close. */
    public Thread start(String name, Runnable body) {
        String namespace = lab.targetNamespace();
        Thread t = new Thread(() -> {
            try {
                dev.rawsock.socket.NetworkNamespace.enter(namespace);
            } catch (Exception e) {
                throw new IllegalStateException("cannot enter " + namespace, e);
            }
            body.run();
        }, "rawsock-lab-" + name);
        t.setDaemon(true);
        synchronized (threads) {
            threads.add(t);
        }
        t.start();
        return t;
    }

    /** A raw TCP peer from 198.18.0.1 (a fresh local port each time) to the target's {@code port}. */
    public MisbehavingPeer peer(int port) throws LabException {
        if (link == null) {
            link = FrameLink.open(lab, api);
        }
        return new MisbehavingPeer(link, port, nextPeerPort++);
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        try {
            capture.close();
        } catch (Exception e) {
            first = e;
        }
        List<Thread> ts;
        synchronized (threads) {
            ts = List.copyOf(threads);
        }
        for (Thread t : ts) {
            t.interrupt();
        }
        try {
            lab.close(); // closes the registered sockets, which ends blocked accepts and reads
        } catch (LabException e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }
        for (Thread t : ts) {
            t.join(THREAD_JOIN_MILLIS);
        }
        if (first != null) {
            throw first;
        }
    }
}
