package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ARP (RFC 826): the view, the value, and two packets a Linux kernel sent. */
class ArpTest {
    private static final int AT = 3;

    /**
     * Provenance: captured on a veth pair in a private network namespace (Linux 6.x, AF_PACKET socket from
     * python3's socket module) while 198.18.0.1 (02:00:00:00:00:0a) sent a UDP datagram to 198.18.0.2
     * (02:00:00:00:00:0b): the kernel's ARP request, broadcast, and the peer kernel's reply.
     */
    static final String REQUEST_FRAME =
            "ffffffffffff02000000000a0806000108000604000102000000000ac6120001000000000000c6120002";
    static final String REPLY_FRAME =
            "02000000000a02000000000b0806000108000604000202000000000bc612000202000000000ac6120001";

    private static Fields<ArpView> fields() {
        // Addresses sit where hlen 6 / plen 4 put them, so the fixup pins those two bytes.
        return new Fields<ArpView>()
                .add("hardware_type", ArpView::hardwareType, (v, x) -> v.hardwareType(x.intValue()), 0, 16)
                .add("protocol_type", ArpView::protocolType, (v, x) -> v.protocolType(x.intValue()), 16, 16)
                .add("operation", ArpView::operation, (v, x) -> v.operation(x.intValue()), 48, 16)
                .add("sender_hardware", ArpView::senderHardwareAddress, ArpView::senderHardwareAddress, 64, 48)
                .add("sender_protocol", v -> Integer.toUnsignedLong(v.senderProtocolAddress()),
                        (v, x) -> v.senderProtocolAddress(x.intValue()), 112, 32)
                .add("target_hardware", ArpView::targetHardwareAddress, ArpView::targetHardwareAddress, 144, 48)
                .add("target_protocol", v -> Integer.toUnsignedLong(v.targetProtocolAddress()),
                        (v, x) -> v.targetProtocolAddress(x.intValue()), 192, 32)
                .fixup(b -> {
                    b.put(AT + 4, (byte) 6);
                    b.put(AT + 5, (byte) 4);
                });
    }

    private static Fields<ArpView> lengthFields() {
        return new Fields<ArpView>()
                .add("hardware_length", ArpView::hardwareLength, (v, x) -> v.hardwareLength(x.intValue()), 32, 8)
                .add("protocol_length", ArpView::protocolLength, (v, x) -> v.protocolLength(x.intValue()), 40, 8);
    }

    @Test
    void eachFieldRoundTripsOverATableAndRandomValues() {
        ByteBuffer b = ByteBuffer.allocate(AT + 28 + 3);
        int checked = fields().roundTripEachField(new ArpView().wrap(b, AT), b, 0xA4F0)
                + lengthFields().roundTripEachField(new ArpView().wrap(b, AT), b, 0xA4F1);
        assertTrue(checked >= 9 * Fields.RANDOM_ROUNDS);
    }

    @Test
    void extremesLeaveNeighboursUntouched() {
        ByteBuffer b = ByteBuffer.allocate(AT + 28 + 3);
        fields().extremesLeaveNeighboursUntouched(new ArpView().wrap(b, AT), b, AT, 0xA4F2);
        lengthFields().extremesLeaveNeighboursUntouched(new ArpView().wrap(b, AT), b, AT, 0xA4F3);
    }

    @Test
    void capturedRequestAndReplyDecode() {
        ByteBuffer request = Fields.hex(REQUEST_FRAME);
        ArpView v = new ArpView().wrap(request, EthernetView.HEADER_BYTES);
        assertEquals(ArpView.HARDWARE_ETHERNET, v.hardwareType());
        assertEquals(EtherTypes.IPV4, v.protocolType());
        assertEquals(6, v.hardwareLength());
        assertEquals(4, v.protocolLength());
        assertEquals(ArpView.OPERATION_REQUEST, v.operation());
        assertEquals(28, v.lengthBytes());
        assertEquals(0x02000000000AL, v.senderHardwareAddress());
        assertEquals("198.18.0.1", Ipv4Address.text(v.senderProtocolAddress()));
        assertEquals(0, v.targetHardwareAddress());
        assertEquals("198.18.0.2", Ipv4Address.text(v.targetProtocolAddress()));
        ArpPacket p = ArpPacket.decode(v, request.capacity() - 14);
        assertEquals(ArpPacket.ethernetIpv4(ArpView.OPERATION_REQUEST, 0x02000000000AL, Ipv4Address.parse("198.18.0.1"),
                0, Ipv4Address.parse("198.18.0.2")), p);
        assertEquals("request", ArpPacket.operationName(p.operation()));

        ByteBuffer reply = Fields.hex(REPLY_FRAME);
        ArpPacket r = ArpPacket.decode(new ArpView().wrap(reply, 14), 28);
        assertEquals("reply", ArpPacket.operationName(r.operation()));
        assertEquals(0x02000000000BL, r.senderMac());
        assertEquals(Ipv4Address.parse("198.18.0.2"), r.senderIpv4());
        assertEquals(0x02000000000AL, r.targetMac());
        assertEquals(Ipv4Address.parse("198.18.0.1"), r.targetIpv4());
        // Emitting the value rebuilds the kernel's bytes exactly.
        ByteBuffer out = ByteBuffer.allocate(42);
        new EthernetHeader(0x02000000000AL, 0x02000000000BL, EtherTypes.ARP).emit(out, 0);
        assertEquals(28, r.emit(out, 14));
        assertArrayEquals(reply.array(), out.array());
    }

    @Test
    void offsetsFollowTheLengthFields() {
        // A made-up hardware of 2-byte addresses and a 16-byte protocol (IPv6-sized): 8 + 2 * (2 + 16) bytes.
        ByteBuffer b = ByteBuffer.allocate(50);
        ArpView v = new ArpView().wrap(b, 4).hardwareLength(2).protocolLength(16);
        assertEquals(44, v.lengthBytes());
        assertEquals(4 + 8, v.senderHardwareOffset());
        assertEquals(4 + 10, v.senderProtocolOffset());
        assertEquals(4 + 26, v.targetHardwareOffset());
        assertEquals(4 + 28, v.targetProtocolOffset());
    }

    @Test
    void valueRoundTripsForAnyLengths() {
        Random random = new Random(0xA4F4);
        ByteBuffer b = ByteBuffer.allocate(8 + 2 * (255 + 255) + 10);
        int[] lengths = {0, 1, 4, 6, 16, 255};
        for (int hlen : lengths) {
            for (int plen : lengths) {
                roundTrip(randomPacket(random, hlen, plen), b, random);
            }
        }
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            roundTrip(randomPacket(random, i % 10 == 0 ? random.nextInt(256) : 6, i % 10 == 0 ? random.nextInt(256) : 4),
                    b, random);
        }
    }

    private static ArpPacket randomPacket(Random random, int hlen, int plen) {
        return new ArpPacket(random.nextInt(0x10000), random.nextInt(0x10000), hlen, plen, random.nextInt(0x10000),
                randomBytes(random, hlen), randomBytes(random, plen), randomBytes(random, hlen), randomBytes(random, plen));
    }

    private static Bytes randomBytes(Random random, int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return Bytes.of(bytes);
    }

    private static void roundTrip(ArpPacket p, ByteBuffer b, Random random) {
        random.nextBytes(b.array());
        int n = p.emit(b, 5);
        assertEquals(p.emittedLengthBytes(), n);
        assertEquals(p, ArpPacket.decode(new ArpView().wrap(b, 5), n));
    }

    @Test
    void truncationAndRangeErrorsNameTheField() {
        ByteBuffer request = Fields.hex(REQUEST_FRAME);
        ArpView v = new ArpView().wrap(request, 14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArpPacket.decode(v, 27));
        assertEquals("ARP packet truncated: 27 of 28 (hlen 6, plen 4) bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ArpPacket.decode(v, 7));
        assertEquals("ARP packet truncated: 7 of 8+ bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArpPacket(1, 0x800, 6, 4, 1,
                Bytes.of(new byte[6]), Bytes.of(new byte[4]), Bytes.of(new byte[5]), Bytes.of(new byte[4])));
        assertEquals("target_hardware must be 6 bytes (hardware_length) but was 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ArpPacket(1, 0x800, 6, 4, 0x10000,
                Bytes.of(new byte[6]), Bytes.of(new byte[4]), Bytes.of(new byte[6]), Bytes.of(new byte[4])));
        assertEquals("operation must be 0-65535 but was 65536", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ArpPacket.ethernetIpv4(1, 1L << 48, 0, 0, 0));
        assertTrue(e.getMessage().startsWith("sender_hardware must be"), e.getMessage());
        ArpPacket odd = new ArpPacket(1, 0x800, 2, 4, 1, Bytes.of(new byte[2]), Bytes.of(new byte[4]),
                Bytes.of(new byte[2]), Bytes.of(new byte[4]));
        IllegalStateException s = assertThrows(IllegalStateException.class, odd::senderMac);
        assertEquals("sender_hardware is 2 bytes, not a 6-byte MAC", s.getMessage());
    }
}
