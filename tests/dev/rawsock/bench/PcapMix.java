package dev.rawsock.bench;

import dev.rawsock.capture.LinkType;
import dev.rawsock.capture.PcapWriter;
import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.TcpFlags;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The decode case's input: a pcap (Ethernet) of a realistic mix, written by rawsock's own writer, once per
 * count (kept in target/bench and reused while its size matches). Per 20 packets: 12 TCP (a SYN with
 * Linux's options, a SYN-ACK, then ACKs and data segments of 0-1400 bytes with timestamps, and a FIN), 5 UDP
 * (DNS-sized payloads to port 53 and back), 3 ICMP (echo request and reply); packets belong to 2,000 conversations
 * (4-tuples), sequence numbers advance per conversation, ids and lengths vary, drawn from a fixed seed, so every run decodes the same bytes.
 */
final class PcapMix {
    private PcapMix() {}

    static final int ETHERNET_HEADER_BYTES = 14;
    /** Conversations the packets belong to (4-tuples), as on a busy link; tcpdump keeps state per TCP one. */
    static final int FLOWS = 2000;
    private static final Bytes SYN_OPTIONS = Bytes.fromHex("020405b4 0402 080a 00000001 00000000 01 030307");
    private static final Bytes ACK_OPTIONS = Bytes.fromHex("0101 080a 00000002 00000001");
    private static final ByteBuffer PAYLOAD = payload();

    private static ByteBuffer payload() {
        byte[] bytes = new byte[1400];
        new java.util.Random(1).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** The file for {@code count} packets under {@code dir}, written first when missing. */
    static Path file(Path dir, long count) throws IOException {
        Path file = dir.resolve("mix-" + count + ".pcap");
        if (!Files.exists(file)) {
            write(file, count);
        }
        return file;
    }

    static void write(Path file, long count) throws IOException {
        Assembler assembler = new Assembler();
        Randomness random = Randomness.seeded(42);
        java.util.Random draw = new java.util.Random(7);
        ByteBuffer frame = ByteBuffer.allocate(ETHERNET_HEADER_BYTES + 1600);
        frame.put(0, new byte[] {2, 0x72, 0x73, 0, 0, 2, 2, 0x72, 0x73, 0, 0, 1, 0x08, 0x00}); // dst, src, IPv4
        long start = 1_700_000_000_000_000_000L;
        long[] sequence = new long[FLOWS];
        for (int f = 0; f < FLOWS; f++) {
            sequence[f] = draw.nextInt() & 0xFFFFFFFFL;
        }
        PcapWriter.writeFile(file, LinkType.ETHERNET, 65535, false, writer -> {
            for (long i = 0; i < count; i++) {
                int kind = (int) (i % 20);
                int flow = draw.nextInt(FLOWS);
                int client = 0xC6120000 | (flow % 250 + 2);          // 198.18.0.x
                int server = 0xC6130000 | (flow / 250 + 2);          // 198.19.0.x
                int clientPort = 32768 + flow;
                PacketSpec spec;
                if (kind < 12) {
                    boolean fromClient = kind % 2 == 0;
                    spec = PacketSpec.tcp().sourcePort(fromClient ? clientPort : 443).destinationPort(fromClient ? 443 : clientPort)
                            .source(fromClient ? client : server).destination(fromClient ? server : client)
                            .sequence(sequence[flow]).window(64240);
                    sequence[flow] = (sequence[flow] + 1400) & 0xFFFFFFFFL;
                    if (kind == 0) {
                        spec.flags(TcpFlags.SYN).tcpOptions(SYN_OPTIONS);
                    } else if (kind == 1) {
                        spec.flags(TcpFlags.SYN | TcpFlags.ACK).acknowledgment(draw.nextInt() & 0xFFFFFFFFL).tcpOptions(SYN_OPTIONS);
                    } else if (kind == 11) {
                        spec.flags(TcpFlags.FIN | TcpFlags.ACK).acknowledgment(draw.nextInt() & 0xFFFFFFFFL).tcpOptions(ACK_OPTIONS);
                    } else {
                        int length = kind % 3 == 0 ? 0 : draw.nextInt(1400);
                        spec.flags(length == 0 ? TcpFlags.ACK : TcpFlags.PSH | TcpFlags.ACK)
                                .acknowledgment(draw.nextInt() & 0xFFFFFFFFL).tcpOptions(ACK_OPTIONS)
                                .payload(Bytes.copyOf(PAYLOAD, 0, length));
                    }
                } else if (kind < 17) {
                    boolean query = kind % 2 == 0;
                    spec = PacketSpec.udp().sourcePort(query ? clientPort : 53).destinationPort(query ? 53 : clientPort)
                            .source(query ? client : server).destination(query ? server : client)
                            .payload(Bytes.copyOf(PAYLOAD, 0, query ? 40 : 40 + draw.nextInt(400)));
                } else {
                    boolean request = kind != 18;
                    spec = PacketSpec.icmp().icmpType(request ? 8 : 0).icmpIdentifier(draw.nextInt(65536))
                            .icmpSequence((int) (i & 0xFFFF)).source(request ? client : server).destination(request ? server : client)
                            .payload(Bytes.copyOf(PAYLOAD, 0, 56));
                }
                int n = assembler.assemble(spec, random, EmitOptions.DEFAULT, frame, ETHERNET_HEADER_BYTES);
                writer.write(start + i * 20_000L, frame, 0, ETHERNET_HEADER_BYTES + n);
            }
        });
    }

    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), Long.parseLong(args[1]));
    }
}
