package dev.rawsock.capture;

import dev.rawsock.socket.SocketApi;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the sniffer tells its listener to flush ({@code idle()}): when nothing is waiting and the oldest unflushed
 * packet is 10 ms old, not at every gap between two packets (under a flood that was a write(2) every third packet).
 * Datagrams from one JDK socket to another on 127.0.0.1, captured on lo.
 */
class SnifferFlushTest {
    private static final int BURST = 2000;

    @Test
    void aBurstIsFlushedEveryTenMillisecondsAtMostAndALonePacketSoonAfterIt() throws Exception {
        Privileged.assumeRoot("a packet socket on lo");
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<Long> packets = Collections.synchronizedList(new ArrayList<>());
        List<Long> flushes = Collections.synchronizedList(new ArrayList<>());
        try (DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(loopback, 0));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            Sniffer sniffer = Sniffer.open(SocketApi.create(), new Sniffer.Settings("lo", null,
                    Filter.parse("udp dst port " + receiver.getLocalPort()), false, 256));
            Sniffer.Listener listener = new Sniffer.Listener() {
                @Override
                public void packet(dev.rawsock.wire.DecodedPacket p, long timestampNanos) {
                    packets.add(System.nanoTime());
                }

                @Override
                public void idle() {
                    flushes.add(System.nanoTime());
                }
            };
            Sniffer.Counts[] counts = new Sniffer.Counts[1];
            Throwable[] failed = new Throwable[1];
            Thread capture = new Thread(() -> {
                try {
                    counts[0] = sniffer.run(-1, 20_000_000_000L, listener);
                } catch (Throwable t) {
                    failed[0] = t;
                }
            }, "sniffer-flush-test");
            capture.start();
            try {
                byte[] payload = new byte[8];
                DatagramPacket datagram = new DatagramPacket(payload, payload.length, receiver.getLocalSocketAddress());
                long burstStart = System.nanoTime();
                for (int i = 0; i < BURST; i++) {
                    sender.send(datagram);
                }
                awaitSize(packets, BURST);
                long burstEnd = System.nanoTime();
                Thread.sleep(100); // nothing for a while: the burst's output is flushed by now
                int flushesInBurst = flushes.size();
                long burstMillis = (burstEnd - burstStart) / 1_000_000;
                assertTrue(flushesInBurst >= 1 && flushesInBurst <= burstMillis / 10 + 3,
                        flushesInBurst + " flushes for " + BURST + " packets over " + burstMillis + " ms");

                sender.send(datagram);
                awaitSize(packets, BURST + 1);
                long lone = packets.get(BURST);
                Thread.sleep(200);
                List<Long> after = flushes.subList(flushesInBurst, flushes.size());
                assertEquals(1, after.size(), "one flush for the lone packet");
                long delayMillis = (after.get(0) - lone) / 1_000_000;
                assertTrue(delayMillis >= 9 && delayMillis < 150, "flushed " + delayMillis + " ms after the lone packet");
            } finally {
                sniffer.stop();
                capture.join(5_000);
                sniffer.close();
            }
            assertEquals(null, failed[0]);
            assertEquals(BURST + 1, counts[0].captured());
            assertEquals(0, counts[0].kernelDrops());
        }
    }

    private static void awaitSize(List<Long> list, int size) throws InterruptedException {
        for (int i = 0; i < 500 && list.size() < size; i++) {
            Thread.sleep(10);
        }
        assertEquals(size, list.size(), "packets the sniffer handed over");
    }
}
