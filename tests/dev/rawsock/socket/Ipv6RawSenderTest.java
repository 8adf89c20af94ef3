package dev.rawsock.socket;

import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.Ipv6Assembler;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.testing.Privileged;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.Layer;
import dev.rawsock.wire.PacketDecoder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Ipv6RawSender} on ::1: ICMPv6 echo requests (id 0x6a6a, bounded counts), what the kernel puts on the
 * wire read back from a packet socket, batches cut where the hop limit changes, and no allocation per packet.
 */
class Ipv6RawSenderTest {
    private static final Bytes LOOPBACK = Ipv6Address.parse("::1");
    private static final int ID = 0x6a6a;

    @BeforeEach
    void needsRawSockets() {
        Privileged.assumeRoot("an AF_INET6 raw socket");
    }

    private static int echo(ByteBuf out, int offset, int hopLimit, int sequence) {
        PacketSpec spec = PacketSpec.icmp().ipv6Source(LOOPBACK).ipv6Destination(LOOPBACK).ttl(hopLimit).icmpIdentifier(ID)
                .icmpSequence(sequence);
        return new Ipv6Assembler().assemble(spec, Randomness.seeded(1), EmitOptions.DEFAULT, out.buffer, offset);
    }

    private record ByteBuf(java.nio.ByteBuffer buffer) {}

    /** Hop limits of our echo requests (id, by sequence order of arrival) seen within {@code millis}. */
    private static List<Integer> hopLimitsSeen(PacketSocket capture, int expected, long millis) throws Exception {
        NativeBuffer buffer = NativeBuffer.allocate(65536);
        PacketDecoder decoder = new PacketDecoder();
        DecodedPacket p = new DecodedPacket();
        Icmpv6View m = new Icmpv6View();
        List<Integer> hops = new ArrayList<>();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (hops.size() < expected && System.nanoTime() < deadline) {
            int n = capture.receive(buffer, 0, 65536, 50);
            if (n < 0) {
                continue;
            }
            decoder.decode(buffer.buffer(), 0, n, capture.originalLength(), FirstLayer.IP, p);
            if (p.has(Layer.ICMPV6) && m.wrap(p.buffer(), p.offset(Layer.ICMPV6)).type() == 128 && m.identifier() == ID) {
                hops.add(new Ipv6View().wrap(p.buffer(), p.offset(Layer.IPV6)).hopLimit());
            }
        }
        return hops;
    }

    @Test
    void aBatchIsCutWhereTheHopLimitChangesAndEachPacketKeepsItsOwn() throws Exception {
        SocketApi api = SocketApi.create();
        int[] hops = {1, 1, 2, 2, 2, 3, 1, 1};
        try (PacketSocket capture = PacketSocket.open(api, true, Protocol.ETH_P_IPV6);
             Ipv6RawSender sender = Ipv6RawSender.open(api, 58, LOOPBACK.toArray())) {
            assertEquals("[::1]:58", Sockaddrs.text(sender.boundTo()), "bound to the source (a raw socket's port is its protocol)");
            Ipv6RawSender.Batch batch = sender.batch(hops.length, 64);
            for (int k = 0; k < hops.length; k++) {
                int n = echo(new ByteBuf(batch.buffer().buffer()), batch.slotOffset(k), hops[k], k);
                batch.set(k, n);
            }
            assertEquals(hops.length, batch.send(hops.length));
            List<Integer> seen = hopLimitsSeen(capture, hops.length, 2000);
            assertEquals(List.of(1, 1, 2, 2, 2, 3, 1, 1), seen);
        }
    }

    @Test
    void sendingAllocatesNothingPerPacket() throws Exception {
        SocketApi api = SocketApi.create();
        try (Ipv6RawSender sender = Ipv6RawSender.open(api, 58, LOOPBACK.toArray())) {
            NativeBuffer packet = NativeBuffer.allocate(64);
            int n = echo(new ByteBuf(packet.buffer()), 0, 64, 1);
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 3000; i++) {
                sender.send(packet, 0, n);
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 3000; i++) {
                packet.buffer().put(7, (byte) (60 + (i & 3))); // a new hop limit every packet: setsockopt each time
                assertEquals(n - 40, sender.send(packet, 0, n));
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 20_000, allocated + " bytes allocated for 3000 packets");
        }
    }
}
