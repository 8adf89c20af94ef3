package dev.rawsock.helper;

import dev.rawsock.capture.Filter;
import dev.rawsock.capture.Sniffer;
import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.Ipv4Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy, enforced per request and seen from outside: a refused packet is never sent (a sniffer on
 * every interface sees nothing to or from its destination, while it does see the allowed packet sent
 * right after on the same connection); each refusal names its rule; the rate limit holds against two
 * connections of one uid sending as fast as they can (counted by a sniffer on lo).
 */
class HelperPolicyTest {
    private static final int LOOPBACK = 0x7F00_0001;
    private static final int OUTSIDE = Ipv4Address.parse("198.51.100.1"); // TEST-NET-2 (RFC 5737)
    private static Path dir;

    @BeforeAll
    static void directory() throws Exception {
        Privileged.assumeRoot("the helper's raw socket");
        dir = HelperTesting.openDirectory();
    }

    @AfterAll
    static void remove() throws Exception {
        HelperTesting.remove(dir);
    }

    static ByteBuffer udp(int source, int destination, int sourcePort, int destinationPort, int payloadBytes) {
        PacketSpec spec = PacketSpec.udp().source(source).destination(destination).sourcePort(sourcePort)
                .destinationPort(destinationPort).payload(dev.rawsock.wire.Bytes.of(new byte[payloadBytes]));
        ByteBuffer b = ByteBuffer.allocate(Assembler.MAX_IPV4_PACKET_BYTES);
        int n = new Assembler().assemble(spec, Randomness.seeded(6), EmitOptions.DEFAULT, b, 0);
        return b.limit(n);
    }

    /** Counts packets matching {@code filter} on {@code iface} (null: every interface) on a thread of its own. */
    static final class Counter implements AutoCloseable {
        final AtomicLong packets = new AtomicLong();
        private final Sniffer sniffer;
        private final Thread thread;

        Counter(String iface, String filter) throws Exception {
            sniffer = Sniffer.open(SocketApi.create(), new Sniffer.Settings(iface, null, Filter.parse(filter), false, 128));
            thread = new Thread(() -> {
                try {
                    sniffer.run(-1, 30_000_000_000L, (p, ts) -> packets.incrementAndGet());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "policy-test-counter");
            thread.start();
        }

        /** Stops after letting packets in flight arrive; returns the count. */
        long finish() throws Exception {
            Thread.sleep(300);
            sniffer.stop();
            thread.join(5_000);
            return packets.get();
        }

        @Override
        public void close() throws Exception {
            sniffer.stop();
            thread.join(5_000);
            sniffer.close();
        }
    }

    @Test
    void aDestinationOutsidePolicyIsRefusedAndNothingIsSent() throws Exception {
        int port = 40_000 + (int) (ProcessHandle.current().pid() % 20_000);
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, new Policy.Builder().build());
             HelperClient client = HelperClient.connect(helper.path);
             Counter counter = new Counter(null, "host 198.51.100.1 or (udp and dst port " + port + ")")) {
            HelperException refused = assertThrows(HelperException.class, () -> client.send(udp(LOOPBACK, OUTSIDE, 5000, port, 8), 1, 0));
            assertEquals(Protocol.E_REFUSED, refused.code());
            assertEquals("allow-prefix=127.0.0.0/8", refused.rule());
            assertTrue(refused.getMessage().contains("refused by rule allow-prefix=127.0.0.0/8: destination 198.51.100.1 is outside"),
                    refused.getMessage());
            HelperException spoofed = assertThrows(HelperException.class, () -> client.send(udp(OUTSIDE, LOOPBACK, 5000, port, 8), 1, 0));
            assertTrue(spoofed.getMessage().contains("source 198.51.100.1 is outside the allowed prefixes"), spoofed.getMessage());
            assertTrue(refused.notPermitted());

            // the connection stays usable, and the sniffer does see what the policy allows
            assertEquals(1, client.send(udp(LOOPBACK, LOOPBACK, 5000, port, 8), 1, 0).count());
            assertEquals(1, counter.finish(), "only the allowed packet, once (lo's outgoing copy is filtered)");
            assertTrue(helper.audit().contains("dst=198.51.100.1 proto=udp bytes=36 count=1: refused by rule allow-prefix"),
                    helper.audit());
        }
    }

    @Test
    void eachRuleIsNamedAndTheConnectionStaysUsable() throws Exception {
        Policy policy = new Policy.Builder().set("allow-proto", "udp,icmp").set("max-packet-bytes", "100").set("max-capture", "2s").build();
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, policy);
             HelperClient client = HelperClient.connect(helper.path)) {
            ByteBuffer tcp = udp(LOOPBACK, LOOPBACK, 5000, 9, 8);
            tcp.put(9, (byte) 6);
            assertEquals("allow-proto=icmp,udp", assertThrows(HelperException.class, () -> client.send(tcp, 1, 0)).rule());
            assertEquals("max-packet-bytes=100", assertThrows(HelperException.class,
                    () -> client.send(udp(LOOPBACK, LOOPBACK, 5000, 9, 200), 1, 0)).rule());
            ByteBuffer v6 = udp(LOOPBACK, LOOPBACK, 5000, 9, 8);
            v6.put(0, (byte) 0x65);
            HelperException notV4 = assertThrows(HelperException.class, () -> client.send(v6, 1, 0));
            assertTrue(notV4.getMessage().contains("version field is 6"), notV4.getMessage());
            assertEquals("max-pps=1000", assertThrows(HelperException.class,
                    () -> client.send(udp(LOOPBACK, LOOPBACK, 5000, 9, 8), 10, 5000)).rule());
            assertEquals("max-capture=2000ms", assertThrows(HelperException.class,
                    () -> HelperClient.capture(helper.path, new HelperClient.CaptureRequest(3_000, 10, 128, false, "lo", ""))).rule());
            HelperException badFilter = assertThrows(HelperException.class,
                    () -> HelperClient.capture(helper.path, new HelperClient.CaptureRequest(1_000, 10, 128, false, "lo", "tcp port")));
            assertEquals(Protocol.E_MALFORMED, badFilter.code());
            assertTrue(badFilter.getMessage().contains("filter"), badFilter.getMessage());
            HelperClient.Hello hello = client.hello();
            assertEquals(0, hello.uid());
            assertTrue(hello.policy().contains("protocols icmp,udp"), hello.policy());
        }
    }

    @Test
    void theRateLimitHoldsAgainstAClientTryingToExceedIt() throws Exception {
        int maxPps = 50;
        int port = 41_000 + (int) (ProcessHandle.current().pid() % 20_000);
        Policy policy = new Policy.Builder().set("max-pps", Integer.toString(maxPps)).build();
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, policy);
             HelperClient a = HelperClient.connect(helper.path);
             HelperClient b = HelperClient.connect(helper.path);
             Counter counter = new Counter("lo", "udp and dst port " + port)) {
            HelperException tooFast = assertThrows(HelperException.class, () -> a.send(udp(LOOPBACK, LOOPBACK, 5000, port, 8), 100, 1000));
            assertEquals("max-pps=" + maxPps, tooFast.rule());

            AtomicLong asked = new AtomicLong();
            long start = System.nanoTime();
            long windowNanos = 2_000_000_000L;
            Thread other = new Thread(() -> hammer(b, port, start + windowNanos, asked));
            other.start();
            hammer(a, port, start + windowNanos, asked);
            other.join(10_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            long seen = counter.finish();
            // a full bucket (one second's worth) plus the rate over the window
            long bound = (long) Math.ceil(maxPps * (seconds + 1)) + 1;
            assertTrue(seen <= bound, seen + " packets in " + seconds + " s, bound " + bound);
            assertTrue(seen >= maxPps, "the limiter let too few through: " + seen);
            assertEquals(asked.get(), seen, "every accepted request was sent, and nothing else");
        }
    }

    @Test
    void theByteRateHoldsToo() throws Exception {
        int maxBps = 4_000;
        int packetBytes = 200; // 28 bytes of headers and 172 of payload: 20 packets/s
        int port = 42_000 + (int) (ProcessHandle.current().pid() % 20_000);
        Policy policy = new Policy.Builder().set("max-bps", Integer.toString(maxBps)).build();
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, policy);
             HelperClient client = HelperClient.connect(helper.path);
             Counter counter = new Counter("lo", "udp and dst port " + port)) {
            ByteBuffer packet = udp(LOOPBACK, LOOPBACK, 5004, port, packetBytes - 28);
            assertEquals(packetBytes, packet.remaining());
            long start = System.nanoTime();
            long sent = 0;
            for (int i = 0; i < 1_000 && System.nanoTime() - start < 1_500_000_000L; i++) {
                sent += client.send(packet, 1, 0).count();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long seen = counter.finish();
            long bound = (long) Math.ceil(maxBps * (seconds + 1) / packetBytes) + 1;
            assertEquals(sent, seen);
            assertTrue(seen <= bound, seen + " packets of " + packetBytes + " bytes in " + seconds + " s, bound " + bound);
            assertTrue(seen >= maxBps / packetBytes, "the limiter let too few through: " + seen);
        }
    }

    @Test
    void maxClientsTurnsTheNextOneAway() throws Exception {
        try (HelperTesting.InProcess helper = new HelperTesting.InProcess(dir, new Policy.Builder().set("max-clients", "2").build());
             HelperClient a = HelperClient.connect(helper.path);
             HelperClient b = HelperClient.connect(helper.path)) {
            a.hello();
            b.hello();
            try (HelperClient c = HelperClient.connect(helper.path)) {
                HelperException busy = assertThrows(HelperException.class, c::hello);
                assertEquals(Protocol.E_BUSY, busy.code());
                assertEquals("max-clients=2", busy.rule());
            }
            b.close();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (helper.server.clients() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            try (HelperClient d = HelperClient.connect(helper.path)) {
                assertEquals(0, d.hello().uid(), "a slot is free again");
            }
            assertTrue(helper.audit().contains("CONNECT: refused by rule max-clients=2"), helper.audit());
        }
    }

    private static void hammer(HelperClient client, int port, long until, AtomicLong asked) {
        ByteBuffer packet = udp(LOOPBACK, LOOPBACK, 5001, port, 8);
        for (int i = 0; i < 100_000 && System.nanoTime() < until; i++) {
            client.send(packet, 1, 0);
            asked.incrementAndGet();
        }
    }
}
