package dev.rawsock.bench;

import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.linux.Constants;
import dev.rawsock.probe.ProbeSeries;
import dev.rawsock.socket.PacketSender;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.wire.TcpFlags;

import java.nio.ByteBuffer;

/**
 * rawsock's side of the packet-socket send case ({@link PacketSendRuns}): COUNT Ethernet frames, each a 40-byte
 * SYN to 127.0.0.1:PORT with the sequence number one more per frame (both checksums recomputed, as
 * {@code rawsock send --flood} writes its probes through {@link ProbeSeries#write}), out of lo through
 * {@link PacketSender} (PACKET_QDISC_BYPASS, sendmmsg batches of 64). Prints {@code pps N}, like
 * native/packet_send_bench.c, which does the same in C. Run inside the namespace PacketSendRuns makes.
 */
public final class PacketSendBench {
    private PacketSendBench() {}

    static final int BATCH = 64;
    static final int ETHERNET_HEADER_BYTES = 14;

    public static void main(String[] args) throws Exception {
        long count = Long.parseLong(args[0]);
        int port = Integer.parseInt(args[1]);
        PacketSpec spec = PacketSpec.tcp().source(0x7F000001).destination(0x7F000001).sourcePort(40000)
                .destinationPort(port).sequence(0L).flags(TcpFlags.SYN).window(64240).identification(0x1234);
        ProbeSeries series = new ProbeSeries(spec, Randomness.seeded(1), EmitOptions.DEFAULT, null, null,
                false, true, false, false, false);
        SocketApi api = SocketApi.create();
        try (PacketSender sender = PacketSender.open(api, "lo", true)) {
            PacketSender.Batch batch = sender.batch(BATCH, ETHERNET_HEADER_BYTES + series.length(), Constants.ETH_P_IP);
            ByteBuffer b = batch.buffer().buffer();
            for (int k = 0; k < BATCH; k++) {
                int at = batch.slotOffset(k);
                for (int i = 0; i < 12; i++) {
                    b.put(at + i, (byte) 0); // lo's address is all zeros
                }
                b.put(at + 12, (byte) 0x08).put(at + 13, (byte) 0x00);
            }
            long start = System.nanoTime();
            long sent = 0;
            while (sent < count) {
                int n = (int) Math.min(BATCH, count - sent);
                for (int k = 0; k < n; k++) {
                    int length = series.write(sent + k, b, batch.slotOffset(k) + ETHERNET_HEADER_BYTES);
                    batch.set(k, ETHERNET_HEADER_BYTES + length);
                }
                sent += batch.send(n);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(java.util.Locale.ROOT, "pps %.1f%n", sent / seconds);
        }
    }
}
