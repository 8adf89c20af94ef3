package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.testing.Privileged;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a packet socket and a raw IP socket report beside the bytes of what they receive (the sender's sockaddr, the
 * control messages: SCM_TIMESTAMPNS, PACKET_AUXDATA; MSG_TRUNC's whole length), for one UDP datagram the JDK's own
 * socket sends to another on 127.0.0.1, i.e. the kernel's own packet seen on lo.
 */
class ReceiveMetadataTest {
    private static final int PAYLOAD_BYTES = 16;
    private static final int UDP_PACKET_BYTES = 20 + 8 + PAYLOAD_BYTES;
    private static final long SLACK_NANOS = 2_000_000; // Instant.now() is read in microseconds

    private final SocketApi api = SocketApi.create();

    private static long realtimeNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void timestampsDirectionInterfaceOffloadAndWholeLengthOfADatagramOnLoopback() throws Exception {
        Privileged.assumeRoot("opening packet and raw IP sockets");
        byte[] marker = new byte[PAYLOAD_BYTES];
        new SplittableRandom().nextBytes(marker);
        int lo = PacketSocket.interfaceIndex("lo");
        ByteBuffer frame = ByteBuffer.allocateDirect(2048);
        ByteBuffer head = ByteBuffer.allocateDirect(24); // the IPv4 header and the UDP ports: the rest is cut
        try (PacketSocket packets = PacketSocket.open(api, false, Protocol.ETH_P_ALL);
             RawIpSocket raw = RawIpSocket.open(api, Protocol.IPPROTO_UDP);
             DatagramSocket receiver = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            packets.bindInterface(lo);
            long before = realtimeNanos();
            sender.send(new DatagramPacket(marker, marker.length, receiver.getLocalSocketAddress()));
            receiver.receive(new DatagramPacket(new byte[64], 64));
            long after = realtimeNanos();

            // lo shows the datagram twice to a packet socket: on its way out and on its way in.
            boolean sawOutgoing = false;
            boolean sawIncoming = false;
            for (int i = 0; i < 1000 && !(sawOutgoing && sawIncoming); i++) {
                int n = packets.receive(frame, 0, frame.capacity(), 2000);
                assertTrue(n >= 0, "the datagram's frames arrived within 2 s");
                byte[] bytes = new byte[n];
                frame.get(0, bytes);
                if (n != 14 + UDP_PACKET_BYTES || !Arrays.equals(Arrays.copyOfRange(bytes, n - PAYLOAD_BYTES, n), marker)) {
                    continue; // other traffic on lo
                }
                assertEquals(n, packets.originalLength());
                assertEquals(0x0800, packets.protocol());
                assertEquals(lo, packets.interfaceIndex());
                assertEquals(PacketSocket.ARPHRD_LOOPBACK, packets.hardwareType());
                long stamp = packets.timestampNanos();
                assertTrue(stamp >= before - SLACK_NANOS && stamp <= after + SLACK_NANOS,
                        "the kernel's receive time " + stamp + " is within " + before + ".." + after);
                // lo leaves the kernel's own UDP checksum to "offload": PACKET_AUXDATA says it is not ready
                assertTrue(packets.checksumNotReady(), "tp_status has TP_STATUS_CSUMNOTREADY");
                if (packets.outgoing()) {
                    sawOutgoing = true;
                } else {
                    assertEquals(Constants.PACKET_HOST, packets.packetType());
                    sawIncoming = true;
                }
            }
            assertTrue(sawOutgoing && sawIncoming, "saw the frame both ways");

            // A raw IP socket gets the incoming copy, cut to the room given; MSG_TRUNC reports the whole length.
            int port = receiver.getLocalPort();
            for (int i = 0; ; i++) {
                assertTrue(i < 1000, "the datagram reached the raw socket");
                int n = raw.receive(head, 0, head.capacity(), 2000);
                assertTrue(n >= 0, "the datagram reached the raw socket within 2 s");
                if (raw.originalLength() != UDP_PACKET_BYTES || (head.getShort(22) & 0xFFFF) != port) {
                    continue;
                }
                assertEquals(head.capacity(), n, "stored only what fits");
                long stamp = raw.timestampNanos();
                assertTrue(stamp >= before - SLACK_NANOS && stamp <= after + SLACK_NANOS,
                        "the kernel's receive time " + stamp + " is within " + before + ".." + after);
                break;
            }
        }
    }
}
