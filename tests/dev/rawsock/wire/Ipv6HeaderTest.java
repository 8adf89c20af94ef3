package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The IPv6 fixed header (RFC 8200 §3): view, value, and packets a Linux kernel sent. */
class Ipv6HeaderTest {
    private static final int AT = 6;

    /**
     * Provenance: captured on lo with an AF_PACKET socket (python3 socket module, Linux 6.x) while a raw
     * ICMPv6 socket sent an echo request ::1 -> ::1 (id 0x1234, seq 1, data "rawsock"); the kernel filled in
     * the flow label and the ICMPv6 checksum (0xa946) of the request, and wrote the whole reply (checksum
     * 0xa846). Both checksums were re-verified with an independent RFC 1071 sum over the RFC 8200 §8.1
     * pseudo-header. Each frame starts with lo's 14-byte all-zero Ethernet header.
     */
    static final String ECHO_REQUEST_FRAME = "00000000000000000000000086dd6004a2fe000f3a40"
            + "00000000000000000000000000000001" + "00000000000000000000000000000001"
            + "8000a94612340001726177736f636b";
    static final String ECHO_REPLY_FRAME = "00000000000000000000000086dd600cc66e000f3a40"
            + "00000000000000000000000000000001" + "00000000000000000000000000000001"
            + "8100a84612340001726177736f636b";

    private static Fields<Ipv6View> fields() {
        return new Fields<Ipv6View>()
                .add("version", Ipv6View::version, (v, x) -> v.version(x.intValue()), 0, 4)
                .add("traffic_class", Ipv6View::trafficClass, (v, x) -> v.trafficClass(x.intValue()), 4, 8)
                .add("dscp", Ipv6View::dscp, (v, x) -> v.dscp(x.intValue()), 4, 6)
                .add("ecn", Ipv6View::ecn, (v, x) -> v.ecn(x.intValue()), 10, 2)
                .add("flow_label", Ipv6View::flowLabel, (v, x) -> v.flowLabel(x.intValue()), 12, 20)
                .add("payload_length", Ipv6View::payloadLength, (v, x) -> v.payloadLength(x.intValue()), 32, 16)
                .add("next_header", Ipv6View::nextHeader, (v, x) -> v.nextHeader(x.intValue()), 48, 8)
                .add("hop_limit", Ipv6View::hopLimit, (v, x) -> v.hopLimit(x.intValue()), 56, 8);
    }

    @Test
    void eachFieldRoundTripsOverATableAndRandomValues() {
        ByteBuffer b = ByteBuffer.allocate(AT + Ipv6View.HEADER_BYTES + 3);
        int checked = fields().roundTripEachField(new Ipv6View().wrap(b, AT), b, 0x6060);
        assertTrue(checked >= 8 * Fields.RANDOM_ROUNDS);
    }

    @Test
    void extremesLeaveNeighboursUntouched() {
        ByteBuffer b = ByteBuffer.allocate(AT + Ipv6View.HEADER_BYTES + 3);
        fields().extremesLeaveNeighboursUntouched(new Ipv6View().wrap(b, AT), b, AT, 0x6061);
    }

    @Test
    void addressSettersWriteTheirSixteenBytesOnly() {
        Random random = new Random(0x6062);
        ByteBuffer b = ByteBuffer.allocate(AT + 40 + 3);
        Ipv6View v = new Ipv6View().wrap(b, AT);
        assertEquals(AT + 8, v.sourceOffset());
        assertEquals(AT + 24, v.destinationOffset());
        assertEquals(AT + 40, v.payloadOffset());
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            byte[] before = b.array().clone();
            byte[] address = new byte[16];
            random.nextBytes(address);
            boolean source = random.nextBoolean();
            boolean asBytes = random.nextBoolean();
            int at = source ? v.sourceOffset() : v.destinationOffset();
            if (source) {
                if (asBytes) {
                    v.source(Bytes.of(address));
                } else {
                    v.source(address);
                }
            } else if (asBytes) {
                v.destination(Bytes.of(address));
            } else {
                v.destination(address);
            }
            assertEquals(Bytes.of(address), source ? v.source() : v.destination());
            for (int k = 0; k < before.length; k++) {
                if ((k < at || k >= at + 16) && before[k] != b.get(k)) {
                    fail("writing the " + (source ? "source" : "destination") + " changed byte " + k);
                }
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.source(new byte[4]));
        assertEquals("source must be 16 bytes but was 4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> v.destination(Bytes.of(new byte[17])));
        assertEquals("destination must be 16 bytes but was 17", e.getMessage());
    }

    @Test
    void valueRoundTripsThroughBytes() {
        Random random = new Random(0x6063);
        ByteBuffer b = ByteBuffer.allocate(60);
        Bytes[] addresses = {Ipv6Address.parse("::"), Ipv6Address.parse("::1"),
                Ipv6Address.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), Ipv6Address.parse("2001:db8::1")};
        for (long version : Fields.table(0xF)) {
            for (long tc : Fields.table(0xFF)) {
                for (long flow : Fields.table(0xFFFFF)) {
                    Bytes a = addresses[(int) ((version + tc + flow) % addresses.length)];
                    roundTrip(new Ipv6Header((int) version, (int) tc, (int) flow, (int) (flow & 0xFFFF), (int) tc,
                            (int) (255 - tc), a, addresses[(int) (flow % addresses.length)]), b, random);
                }
            }
        }
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            byte[] s = new byte[16];
            byte[] d = new byte[16];
            random.nextBytes(s);
            random.nextBytes(d);
            roundTrip(new Ipv6Header(random.nextInt(16), random.nextInt(256), random.nextInt(1 << 20),
                    random.nextInt(1 << 16), random.nextInt(256), random.nextInt(256), Bytes.of(s), Bytes.of(d)), b, random);
        }
        // Any 40 bytes decode and emit back to themselves.
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            byte[] original = java.util.Arrays.copyOfRange(b.array(), 9, 49);
            Ipv6Header h = Ipv6Header.decode(new Ipv6View().wrap(b, 9), 40);
            ByteBuffer out = ByteBuffer.allocate(40);
            assertEquals(40, h.emit(out, 0));
            assertArrayEquals(original, out.array());
        }
    }

    private static void roundTrip(Ipv6Header h, ByteBuffer b, Random random) {
        random.nextBytes(b.array());
        assertEquals(40, h.emit(b, 11));
        assertEquals(h, Ipv6Header.decode(new Ipv6View().wrap(b, 11), 40));
    }

    @Test
    void capturedEchoRequestDecodes() {
        ByteBuffer frame = Fields.hex(ECHO_REQUEST_FRAME);
        Ipv6View v = new Ipv6View().wrap(frame, 14);
        assertEquals(6, v.version());
        assertEquals(0, v.trafficClass());
        assertEquals(0x4a2fe, v.flowLabel());
        assertEquals(15, v.payloadLength());
        assertEquals(58, v.nextHeader());
        assertEquals(64, v.hopLimit());
        assertEquals("::1", Ipv6Address.text(frame, v.sourceOffset()));
        assertEquals("::1", Ipv6Address.text(v.destination()));
        assertEquals(new Ipv6Header(6, 0, 0x4a2fe, 15, 58, 64, Ipv6Address.parse("::1"), Ipv6Address.parse("::1")),
                Ipv6Header.decode(v, frame.capacity() - 14));
        // The pseudo-header helper agrees with Checksums.pseudoHeaderIpv6 on the view's offsets.
        assertEquals(Checksums.pseudoHeaderIpv6(frame, 14 + 8, 14 + 24, 15, 58), v.pseudoHeader(15, 58));
    }

    @Test
    void decodeReportsTruncationAndTheValueChecksRanges() {
        ByteBuffer b = ByteBuffer.allocate(40);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ipv6Header.decode(new Ipv6View().wrap(b, 0), 39));
        assertEquals("IPv6 header truncated: 39 of 40 bytes", e.getMessage());
        Bytes a = Ipv6Address.parse("::1");
        e = assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(6, 0, 1 << 20, 0, 0, 0, a, a));
        assertEquals("flow_label must be 0-1048575 but was 1048576", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(6, 256, 0, 0, 0, 0, a, a));
        assertEquals("traffic_class must be 0-255 but was 256", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Ipv6Header(6, 0, 0, 0, 0, 0, a, Bytes.of(new byte[4])));
        assertEquals("destination must be 16 bytes but was 4", e.getMessage());
    }
}
