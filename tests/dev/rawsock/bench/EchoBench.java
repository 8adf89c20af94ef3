package dev.rawsock.bench;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketOptions;
import dev.rawsock.socket.SocketType;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TCP echo of 64-byte messages over 127.0.0.1 through rawsock's {@link SocketApi} on both ends: the Java
 * twin of {@code native/echo_bench.c}, written the way a user of the API would write it. A client socket
 * connects to a listener on an ephemeral port, the connection is accepted, and an echo server runs on a
 * thread (read up to 64 bytes, write back what was read, until end of stream) while the client does
 * COUNT round trips (write 64 bytes, read 64 bytes back). TCP_NODELAY on both ends; only the round trips
 * are timed. Prints the same line as the C program: {@code rtt_per_sec 61234.5}.
 *
 * <p>Two ways to hold the bytes, both public API: {@code heap} ({@code read(s, byte[], n)} and
 * {@code write(s, byte[], n)}, copied through the socket's native scratch memory) and {@code direct}
 * (direct {@link ByteBuffer}s, read and written in place).
 *
 * <pre>
 *   EchoBench [heap|direct] [COUNT] [LIMIT_SECONDS]   one round in a fresh JVM (JIT warm-up included)
 *   EchoBench --serve                                 rounds on request, for bin/bench: prints "ready"
 *                                                     once loaded, then reads lines "heap|direct COUNT
 *                                                     LIMIT_SECONDS" from stdin and answers each with
 *                                                     "rtt_per_sec X" or "error TEXT"
 * </pre>
 *
 * A round gives up once it has run longer than LIMIT_SECONDS (default 60); every read also times out
 * then (SO_RCVTIMEO), so nothing blocks past the limit.
 */
public final class EchoBench {
    static final int MESSAGE = 64;

    private EchoBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--serve")) {
            serveRequests();
            return;
        }
        if (args.length > 3) {
            System.err.println("usage: EchoBench [heap|direct] [COUNT] [LIMIT_SECONDS] | EchoBench --serve");
            System.exit(2);
        }
        try {
            boolean direct = args.length > 0 && parseMode(args[0]);
            int count = args.length > 1 ? positive(args[1]) : 50_000;
            int limit = args.length > 2 ? positive(args[2]) : 60;
            System.out.println(line(round(SocketApi.create(), direct, count, limit)));
        } catch (IllegalArgumentException e) {
            System.err.println("EchoBench: " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("EchoBench: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The bin/bench protocol: one request line in, one answer line out, until end of input. */
    private static void serveRequests() throws Exception {
        SocketApi api = SocketApi.create();
        System.out.println("ready"); // the library is loaded: rounds asked for from now on time only themselves
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String request;
        while ((request = in.readLine()) != null) {
            String[] words = request.trim().split("\\s+");
            String answer;
            try {
                if (words.length != 3) {
                    throw new IllegalArgumentException("expected 'heap|direct COUNT LIMIT_SECONDS', got '" + request + "'");
                }
                answer = line(round(api, parseMode(words[0]), positive(words[1]), positive(words[2])));
            } catch (Exception e) {
                answer = "error " + e.getMessage();
            }
            System.out.println(answer);
            System.out.flush();
        }
    }

    static String line(double rttPerSecond) {
        return String.format(Locale.ROOT, "rtt_per_sec %.1f", rttPerSecond);
    }

    private static boolean parseMode(String mode) {
        switch (mode) {
            case "heap": return false;
            case "direct": return true;
            default: throw new IllegalArgumentException("buffer kind must be heap or direct, not '" + mode + "'");
        }
    }

    private static int positive(String text) {
        try {
            int value = Integer.parseInt(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expected a positive number, not '" + text + "'");
    }

    /** One round: a fresh connection, COUNT timed round trips, close. Returns round trips per second. */
    static double round(SocketApi api, boolean direct, int count, int limitSeconds) throws Exception {
        Socket client = null;
        Socket server = null;
        Socket listener = api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
        try {
            api.bind(listener, new InetSocketAddress("127.0.0.1", 0));
            api.listen(listener, 1);
            InetSocketAddress at = api.getsockname(listener);
            client = api.socket(Domain.AF_INET, SocketType.SOCK_STREAM, Protocol.IPPROTO_TCP);
            // The handshake completes in the kernel's backlog, so connect returns before accept is called.
            api.connect(client, at);
            server = api.accept(listener).socket();
        } catch (Exception e) {
            closeQuietly(api, client);
            throw e;
        } finally {
            api.close(listener);
        }
        Duration limit = Duration.ofSeconds(limitSeconds);
        for (Socket s : new Socket[] {client, server}) {
            api.setsockopt(s, SocketOptions.TCP_NODELAY, true);
            api.setsockopt(s, SocketOptions.SO_RCVTIMEO, limit);
        }

        AtomicReference<Exception> serverFailure = new AtomicReference<>();
        Socket serverSocket = server;
        Thread echo = new Thread(() -> {
            try {
                if (direct) {
                    echoDirect(api, serverSocket);
                } else {
                    echoHeap(api, serverSocket);
                }
            } catch (Exception e) {
                serverFailure.set(e);
            } finally {
                closeQuietly(api, serverSocket);
            }
        }, "echo-server");
        echo.setDaemon(true);
        echo.start();

        long elapsed;
        try {
            elapsed = direct ? clientDirect(api, client, count, limit) : clientHeap(api, client, count, limit);
        } catch (Exception e) {
            Exception onServer = serverFailure.get();
            throw onServer == null ? e : new Exception(e.getMessage() + " (server: " + onServer.getMessage() + ")", e);
        } finally {
            closeQuietly(api, client);
            echo.join(limit.toMillis());
        }
        if (echo.isAlive()) {
            throw new IllegalStateException("the echo server thread did not finish within " + limitSeconds + " s");
        }
        if (serverFailure.get() != null) {
            throw serverFailure.get();
        }
        return count / (elapsed / 1e9);
    }

    // ---- byte[] ----

    private static long clientHeap(SocketApi api, Socket s, int count, Duration limit) throws ErrnoException {
        byte[] out = new byte[MESSAGE];
        byte[] in = new byte[MESSAGE];
        Arrays.fill(out, (byte) 'x');
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        for (int i = 0; i < count; i++) {
            for (int sent = 0; sent < MESSAGE; ) {
                sent += api.write(s, out, sent, MESSAGE - sent);
            }
            for (int got = 0; got < MESSAGE; ) {
                int n = api.read(s, in, got, MESSAGE - got);
                if (n == 0) {
                    throw new IllegalStateException("client read: end of stream after " + i + " round trips");
                }
                got += n;
            }
            if (System.nanoTime() - deadline > 0) {
                throw gaveUp(i + 1, count, limit);
            }
        }
        return System.nanoTime() - start;
    }

    private static void echoHeap(SocketApi api, Socket s) throws ErrnoException {
        byte[] buffer = new byte[MESSAGE];
        int n;
        while ((n = api.read(s, buffer, MESSAGE)) > 0) {
            for (int sent = 0; sent < n; ) {
                sent += api.write(s, buffer, sent, n - sent);
            }
        }
    }

    // ---- direct ByteBuffer ----

    private static long clientDirect(SocketApi api, Socket s, int count, Duration limit) throws ErrnoException {
        ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        while (out.hasRemaining()) {
            out.put((byte) 'x');
        }
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        for (int i = 0; i < count; i++) {
            out.clear();
            while (out.hasRemaining()) {
                api.write(s, out);
            }
            in.clear();
            while (in.hasRemaining()) {
                if (api.read(s, in) == 0) {
                    throw new IllegalStateException("client read: end of stream after " + i + " round trips");
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw gaveUp(i + 1, count, limit);
            }
        }
        return System.nanoTime() - start;
    }

    private static void echoDirect(SocketApi api, Socket s) throws ErrnoException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MESSAGE);
        for (;;) {
            buffer.clear();
            if (api.read(s, buffer) == 0) {
                return;
            }
            buffer.flip();
            while (buffer.hasRemaining()) {
                api.write(s, buffer);
            }
        }
    }

    private static IllegalStateException gaveUp(int done, int count, Duration limit) {
        return new IllegalStateException("gave up: " + done + " of " + count + " round trips took over "
                + limit.toSeconds() + " s");
    }

    private static void closeQuietly(SocketApi api, Socket s) {
        if (s != null) {
            try {
                api.close(s);
            } catch (ErrnoException e) {
                // the round's own failure, if any, is the one worth reporting
            }
        }
    }
}
