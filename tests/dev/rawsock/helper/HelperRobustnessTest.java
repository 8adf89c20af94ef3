package dev.rawsock.helper;

import dev.rawsock.testing.NativeTools;
import dev.rawsock.testing.Privileged;
import jnr.unixsocket.UnixSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The helper (a process of its own, 128 MB heap) under abuse, while a well-behaved client keeps asking it
 * for HELLO and a SEND every 20 ms and must get every answer right: 10,000 malformed and random requests
 * (seeded), clients killed mid-request, clients that send half a frame and sleep, 100 concurrent clients.
 * Afterwards the helper holds the same descriptors as before and its heap after a full GC grew by less
 * than a stated bound.
 */
class HelperRobustnessTest {
    private static final int LOOPBACK = 0x7F00_0001;
    /** Heap growth allowed after all of it (after a full GC): generous, a leak per request would pass it. */
    private static final long HEAP_GROWTH_BOUND_BYTES = 16L << 20;
    private static Path dir;
    private static HelperTesting.Daemon helper;

    @BeforeAll
    static void start() throws Exception {
        Privileged.assumeRoot("the helper's raw socket");
        dir = HelperTesting.openDirectory();
        helper = new HelperTesting.Daemon(dir, dir.resolve("robust.sock").toString(), List.of("-Xmx128m"),
                "--max-clients", "128", "--max-pps", "100000", "--max-bps", "100000000", "--audit-log", dir.resolve("audit.log").toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (helper != null) {
            helper.close();
        }
        HelperTesting.remove(dir);
    }

    /** A raw connection for sending frames of our own making. */
    private static Connection raw() throws IOException {
        return new Connection(UnixSocketChannel.open(SocketFile.address(helper.path)), 2_000);
    }

    private static ByteBuffer frame(int length, int version, int type, int requestId, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(10 + body.length);
        b.putInt(length).put((byte) version).put((byte) type).putInt(requestId).put(body);
        return b.flip();
    }

    /** The well-behaved client: HELLO and a SEND every 20 ms until stopped; counts rounds and keeps the first failure. */
    private static final class WellBehaved extends Thread {
        final AtomicLong rounds = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;

        @Override
        public void run() {
            ByteBuffer packet = HelperPolicyTest.udp(LOOPBACK, LOOPBACK, 5002, 9, 8);
            try (HelperClient c = HelperClient.connect(helper.path)) {
                while (!stop && rounds.get() < 100_000) {
                    if (c.hello().uid() != 0) {
                        throw new AssertionError("HELLO saw the wrong uid");
                    }
                    if (c.send(packet, 1, 0).count() != 1) {
                        throw new AssertionError("SEND did not send one packet");
                    }
                    rounds.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }
    }

    /** Heap used after a full GC, from jcmd (the helper's own JVM). */
    private static long heapUsedBytes() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        NativeTools.run(60, List.of(jcmd, Long.toString(helper.pid()), "GC.run"));
        NativeTools.Result info = NativeTools.run(60, List.of(jcmd, Long.toString(helper.pid()), "GC.heap_info"));
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info.stdout());
        assertTrue(m.find(), info.stdout() + info.stderr());
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** Waits (up to 10 s) for the helper's descriptor count to come back to {@code expected}; returns the last count. */
    private static int settledDescriptors(int expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int n;
        while ((n = HelperTesting.descriptors(helper.pid())) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return n;
    }

    private static void warmUp() throws Exception {
        try (HelperClient c = HelperClient.connect(helper.path)) {
            c.hello();
            c.send(HelperPolicyTest.udp(LOOPBACK, LOOPBACK, 5002, 9, 8), 1, 0);
        }
        try (HelperClient.CaptureStream s = HelperClient.capture(helper.path, new HelperClient.CaptureRequest(200, 10, 128, false, "lo", "udp"))) {
            while (s.end() == null) {
                s.next(1_000);
            }
        }
        malformed(new Random(1), 200);
    }

    @Test
    void keepsServingTheWellBehavedClientThroughAbuseAndLeaksNothing() throws Exception {
        warmUp();
        heapUsedBytes(); // the first jcmd starts the JVM's attach listener, a socket of its own
        int descriptorsBefore = settledDescriptors(-1);
        long heapBefore = heapUsedBytes();

        WellBehaved good = new WellBehaved();
        good.start();
        try {
            long answered = malformed(new Random(6), 10_000);
            assertTrue(answered >= 9_000, "answered " + answered + " of 10,000 (the rest broke their framing on purpose)");
            killedMidRequest();
            halfFrameAndSleep();
            concurrentClients(100);
        } finally {
            good.stop = true;
            good.join(10_000);
        }
        assertNull(good.failure.get(), () -> "the well-behaved client failed: " + good.failure.get());
        assertTrue(good.rounds.get() >= 20, "the well-behaved client got only " + good.rounds.get() + " rounds");

        assertEquals(descriptorsBefore, settledDescriptors(descriptorsBefore), () -> "descriptors of the helper before and after: "
                + HelperTesting.describeDescriptors(helper.pid()));
        long growth = heapUsedBytes() - heapBefore;
        assertTrue(growth < HEAP_GROWTH_BOUND_BYTES, "heap after GC grew by " + growth + " bytes (bound " + HEAP_GROWTH_BOUND_BYTES + ")");
    }

    /**
     * Sends {@code count} seeded malformed or random requests over a few connections; every request whose
     * framing is intact must get an ERROR (or, by chance, a proper answer) echoing its id, and the connection
     * stays open; a broken framing gets an ERROR, then the helper closes, and we reconnect. Returns the answered count.
     */
    private static long malformed(Random random, int count) throws Exception {
        long answered = 0;
        Connection c = raw();
        try {
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(100);
                int id = i + 1;
                if (kind < 2) { // length beyond the maximum, or below the header: framing broken
                    int length = kind == 0 ? Protocol.MAX_FRAME_BYTES + 1 + random.nextInt(1 << 20) : random.nextInt(Protocol.MIN_FRAME_BYTES);
                    c.writeRaw(ByteBuffer.allocate(4).putInt(0, length));
                    Protocol.Frame f = c.read(5_000, 5_000);
                    assertEquals(Protocol.ERROR, f.type());
                    assertEquals(Protocol.E_MALFORMED, f.body().getShort(0));
                    assertClosed(c);
                    c.close();
                    c = raw();
                    continue;
                }
                byte[] body = new byte[random.nextInt(kind < 50 ? 64 : 1500)];
                random.nextBytes(body);
                int version = kind < 10 ? random.nextInt(256) : Protocol.VERSION;
                int type;
                if (kind < 40) {
                    type = random.nextInt(256);
                } else {
                    int[] known = {Protocol.HELLO, Protocol.SEND, Protocol.LAB_CLOSE, Protocol.CAPTURE};
                    type = known[random.nextInt(known.length)];
                }
                if (type == Protocol.CAPTURE && body.length >= 4) {
                    body[0] = (byte) 0xF0; // a duration over max-capture: refused, never a long capture
                }
                if (type == Protocol.LAB_OPEN || type == Protocol.CAPTURE_STOP || (type == Protocol.CAPTURE && body.length < 4)) {
                    type = Protocol.LAB_CLOSE; // LAB_OPEN would build a lab; CAPTURE_STOP has no answer
                }
                if (type == Protocol.SEND && body.length >= 8) {
                    body[0] = 0; // count below 2^24: no long send
                    body[1] = 0;
                    body[2] = 0;
                    body[3] = (byte) Math.max(1, body[3] & 0x0F);
                }
                c.writeRaw(frame(Protocol.HEADER_BYTES + body.length, version, type, id, body));
                Protocol.Frame f = c.read(5_000, 5_000);
                assertEquals(id, f.requestId(), "the answer echoes the request id");
                if (version != Protocol.VERSION) {
                    assertEquals(Protocol.ERROR, f.type());
                    assertEquals(Protocol.E_VERSION, f.body().getShort(0));
                }
                answered++;
            }
        } finally {
            c.close();
        }
        return answered;
    }

    private static void assertClosed(Connection c) throws Exception {
        try {
            Protocol.Frame f = c.read(5_000, 5_000);
            throw new AssertionError("expected the helper to close, got " + Protocol.typeName(f.type()));
        } catch (EOFException expected) {
            // closed
        }
    }

    /** Clients (python3 processes) that write half a frame and are killed with SIGKILL. */
    private static void killedMidRequest() throws Exception {
        List<Process> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clients.add(new ProcessBuilder("python3", "-c", "import socket,sys,time\n"
                    + "s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])\n"
                    + "s.sendall(bytes([0,0,0,60,1,2,0,0,0,1,0x45,0]))\n"
                    + "print('half', flush=True)\ntime.sleep(60)\n", helper.path)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        for (Process p : clients) {
            assertEquals('h', p.getInputStream().read(), "the client wrote its half frame");
        }
        for (Process p : clients) {
            p.destroyForcibly();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        }
    }

    /** Clients that send half a frame and sleep: the helper answers "truncated" within its frame timeout and closes. */
    private static void halfFrameAndSleep() throws Exception {
        List<Connection> sleepers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Connection c = raw();
            c.writeRaw(frame(60, Protocol.VERSION, Protocol.SEND, 7, new byte[4]));
            sleepers.add(c);
        }
        for (Connection c : sleepers) {
            Protocol.Frame f = c.read(10_000, 5_000);
            assertEquals(Protocol.ERROR, f.type());
            ByteBuffer b = f.body();
            assertEquals(Protocol.E_MALFORMED, b.getShort());
            byte[] rule = new byte[b.get()];
            b.get(rule);
            byte[] message = new byte[b.getShort()];
            b.get(message);
            assertTrue(new String(message).startsWith("truncated frame: a frame of 60 bytes did not arrive whole in time"), new String(message));
            assertClosed(c);
            c.close();
        }
    }

    /** {@code n} clients at once, each HELLO and a SEND, all answered. */
    private static void concurrentClients(int n) throws Exception {
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try (HelperClient c = HelperClient.connect(helper.path)) {
                    ready.countDown();
                    go.await(30, TimeUnit.SECONDS);
                    c.hello();
                    c.send(HelperPolicyTest.udp(LOOPBACK, LOOPBACK, 5003, 9, 8), 1, 0);
                    ok.incrementAndGet();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            });
            t.start();
            threads.add(t);
        }
        assertTrue(ready.await(30, TimeUnit.SECONDS));
        go.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertNull(failure.get(), () -> "a concurrent client failed: " + failure.get());
        assertEquals(n, ok.get());
    }
}
