package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ICMPv6 (RFC 4443): view, value, checksum over the pseudo-header, names. */
class Icmpv6Test {
    private static final int AT = 7;

    /**
     * Provenance: captured on a veth pair in a private network namespace (Linux 6.x, AF_PACKET socket from
     * python3's socket module): the kernel's neighbor solicitation for duplicate address detection, from
     * :: to ff02::1:ff00:b, target fe80::ff:fe00:b, with a nonce option (type 14, RFC 3971).
     */
    static final String NEIGHBOR_SOLICITATION_FRAME = "3333ff00000b02000000000b86dd6000000000203aff"
            + "00000000000000000000000000000000" + "ff0200000000000000000001ff00000b"
            + "87001d4900000000fe80000000000000000000fffe00000b0e018588055fc6d7";

    private static Fields<Icmpv6View> fields() {
        return new Fields<Icmpv6View>()
                .add("type", Icmpv6View::type, (v, x) -> v.type(x.intValue()), 0, 8)
                .add("code", Icmpv6View::code, (v, x) -> v.code(x.intValue()), 8, 8)
                .add("checksum", Icmpv6View::checksum, (v, x) -> v.checksum(x.intValue()), 16, 16)
                .add("rest_of_header", Icmpv6View::restOfHeader, Icmpv6View::restOfHeader, 32, 32)
                .add("identifier", Icmpv6View::identifier, (v, x) -> v.identifier(x.intValue()), 32, 16)
                .add("sequence", Icmpv6View::sequence, (v, x) -> v.sequence(x.intValue()), 48, 16)
                .add("mtu", Icmpv6View::mtu, Icmpv6View::mtu, 32, 32)
                .add("pointer", Icmpv6View::pointer, Icmpv6View::pointer, 32, 32);
    }

    @Test
    void eachFieldRoundTripsOverATableAndRandomValues() {
        ByteBuffer b = ByteBuffer.allocate(AT + Icmpv6View.HEADER_BYTES + 3);
        int checked = fields().roundTripEachField(new Icmpv6View().wrap(b, AT), b, 0x4443);
        assertTrue(checked >= 8 * Fields.RANDOM_ROUNDS);
    }

    @Test
    void extremesLeaveNeighboursUntouched() {
        ByteBuffer b = ByteBuffer.allocate(AT + Icmpv6View.HEADER_BYTES + 3);
        fields().extremesLeaveNeighboursUntouched(new Icmpv6View().wrap(b, AT), b, AT, 0x4444);
    }

    @Test
    void kernelChecksumsVerify() {
        for (String hex : new String[] {Ipv6HeaderTest.ECHO_REQUEST_FRAME, Ipv6HeaderTest.ECHO_REPLY_FRAME,
                NEIGHBOR_SOLICITATION_FRAME}) {
            ByteBuffer frame = Fields.hex(hex);
            Ipv6View ip = new Ipv6View().wrap(frame, 14);
            int length = ip.payloadLength();
            long pseudo = ip.pseudoHeader(length, Ipv6View.NEXT_HEADER_ICMPV6);
            Icmpv6View icmp = new Icmpv6View().wrap(frame, ip.payloadOffset());
            assertTrue(icmp.checksumValid(pseudo, length), hex);
            if (hex.equals(NEIGHBOR_SOLICITATION_FRAME)) {
                assertEquals("::", Ipv6Address.text(frame, ip.sourceOffset()));
                assertEquals("ff02::1:ff00:b", Ipv6Address.text(frame, ip.destinationOffset()));
                assertEquals("fe80::ff:fe00:b", Ipv6Address.text(frame, icmp.dataOffset()));
                assertEquals(255, ip.hopLimit());
            }
            assertEquals(icmp.checksum(), icmp.computeChecksum(pseudo, length), hex);
            // Any changed bit breaks it; the computation ignores what the field holds.
            frame.put(frame.capacity() - 1, (byte) (frame.get(frame.capacity() - 1) ^ 0x10));
            assertFalse(icmp.checksumValid(pseudo, length));
            frame.put(frame.capacity() - 1, (byte) (frame.get(frame.capacity() - 1) ^ 0x10));
            int right = icmp.checksum();
            icmp.checksum(0x1234);
            assertEquals(right, icmp.computeChecksum(pseudo, length));
        }
    }

    @Test
    void capturedEchoReplyReads() {
        ByteBuffer frame = Fields.hex(Ipv6HeaderTest.ECHO_REPLY_FRAME);
        Icmpv6View v = new Icmpv6View().wrap(frame, 54);
        assertEquals(Icmpv6Types.ECHO_REPLY, v.type());
        assertEquals(0, v.code());
        assertEquals(0xa846, v.checksum());
        assertEquals(0x1234, v.identifier());
        assertEquals(1, v.sequence());
        assertEquals(62, v.dataOffset());
        Icmpv6Message m = Icmpv6Message.decode(v, 15);
        assertEquals(Icmpv6Message.echo(129, 0x1234, 1, 0xa846, Bytes.of("rawsock".getBytes())), m);
        // Built from scratch with the computed checksum, the reply is the kernel's bytes.
        Icmpv6Message built = Icmpv6Message.echo(129, 0x1234, 1, 0, Bytes.of("rawsock".getBytes()))
                .withComputedChecksum(new Ipv6View().wrap(frame, 14).pseudoHeader(15, 58));
        assertEquals(m, built);
    }

    @Test
    void checksumMatchesAnIndependentSumOverRandomMessages() {
        Random random = new Random(0x4445);
        ByteBuffer b = ByteBuffer.allocate(40 + 1500);
        Ipv6View ip = new Ipv6View().wrap(b, 0);
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            int length = 8 + random.nextInt(i % 100 == 0 ? 1493 : 64);
            long pseudo = ip.pseudoHeader(length, 58);
            Icmpv6View icmp = new Icmpv6View().wrap(b, 40);
            int computed = icmp.computeChecksum(pseudo, length);
            assertEquals(plainChecksum(b.array(), length), computed);
            icmp.checksum(computed);
            assertTrue(icmp.checksumValid(pseudo, length));
        }
    }

    /** RFC 1071 and RFC 8200 §8.1 written out byte by byte, with the checksum field taken as zero. */
    private static int plainChecksum(byte[] packet, int icmpLength) {
        byte[] data = new byte[40 + icmpLength + 1];
        System.arraycopy(packet, 8, data, 0, 32);                      // source, destination
        data[32] = (byte) (icmpLength >>> 24);
        data[33] = (byte) (icmpLength >>> 16);
        data[34] = (byte) (icmpLength >>> 8);
        data[35] = (byte) icmpLength;
        data[39] = 58;
        System.arraycopy(packet, 40, data, 40, icmpLength);
        data[42] = 0;
        data[43] = 0;
        long sum = 0;
        for (int k = 0; k < 40 + icmpLength; k += 2) {
            sum += ((data[k] & 0xFF) << 8) | (data[k + 1] & 0xFF); // the extra zero byte pads an odd length
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    @Test
    void valueRoundTripsThroughBytes() {
        Random random = new Random(0x4446);
        ByteBuffer b = ByteBuffer.allocate(8 + 200 + 10);
        for (long type : Fields.table(0xFF)) {
            for (long rest : Fields.table(0xFFFF_FFFFL)) {
                roundTrip(new Icmpv6Message((int) type, (int) (255 - type), (int) (rest & 0xFFFF), rest, Bytes.EMPTY), b, random);
            }
        }
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            roundTrip(new Icmpv6Message(random.nextInt(256), random.nextInt(256), random.nextInt(0x10000),
                    random.nextLong() & 0xFFFF_FFFFL, Bytes.of(data)), b, random);
        }
        // Any bytes decode and emit back to themselves.
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            int n = 8 + random.nextInt(200);
            byte[] original = java.util.Arrays.copyOfRange(b.array(), 4, 4 + n);
            Icmpv6Message m = Icmpv6Message.decode(new Icmpv6View().wrap(b, 4), n);
            ByteBuffer out = ByteBuffer.allocate(n);
            assertEquals(n, m.emit(out, 0));
            assertArrayEquals(original, out.array());
        }
    }

    private static void roundTrip(Icmpv6Message m, ByteBuffer b, Random random) {
        random.nextBytes(b.array());
        int n = m.emit(b, 9);
        assertEquals(m.emittedLengthBytes(), n);
        assertEquals(m, Icmpv6Message.decode(new Icmpv6View().wrap(b, 9), n));
    }

    @Test
    void typedAccessorsOfTheValue() {
        Icmpv6Message tooBig = new Icmpv6Message(Icmpv6Types.PACKET_TOO_BIG, 0, 0, 1280, Bytes.EMPTY);
        assertEquals(1280, tooBig.mtu());
        assertTrue(tooBig.quotesPacket());
        Icmpv6Message problem = new Icmpv6Message(Icmpv6Types.PARAMETER_PROBLEM, 1, 0, 0xFFFF_FFFFL, Bytes.EMPTY);
        assertEquals(0xFFFF_FFFFL, problem.pointer());
        Icmpv6Message echo = Icmpv6Message.echo(128, 0xFFFF, 0xFFFE, 0, Bytes.EMPTY);
        assertEquals(0xFFFF, echo.identifier());
        assertEquals(0xFFFE, echo.sequence());
        assertFalse(echo.quotesPacket());
    }

    @Test
    void truncationAndRangeErrorsNameTheField() {
        ByteBuffer b = ByteBuffer.allocate(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Icmpv6Message.decode(new Icmpv6View().wrap(b, 0), 7));
        assertEquals("ICMPv6 header truncated: 7 of 8 bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message(256, 0, 0, 0, Bytes.EMPTY));
        assertEquals("type must be 0-255 but was 256", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Icmpv6Message(1, 0, 0, 1L << 32, Bytes.EMPTY));
        assertEquals("rest_of_header must be 0-4294967295 but was 4294967296", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Icmpv6Message.echo(128, 0x10000, 0, 0, Bytes.EMPTY));
        assertEquals("identifier must be 0-65535 but was 65536", e.getMessage());
    }

    @Test
    void typeAndCodeNames() {
        assertEquals("echo-request", Icmpv6Types.name(128));
        assertEquals("echo-reply", Icmpv6Types.name(129));
        assertEquals("packet-too-big", Icmpv6Types.name(2));
        assertEquals("neighbor-solicitation", Icmpv6Types.name(135));
        assertEquals("mldv2-report", Icmpv6Types.name(143));
        assertEquals("type-200", Icmpv6Types.name(200));
        assertEquals("port-unreachable", Icmpv6Types.codeName(1, 4));
        assertEquals("no-route", Icmpv6Types.codeName(1, 0));
        assertEquals("hop-limit-exceeded", Icmpv6Types.codeName(3, 0));
        assertEquals("reassembly-time-exceeded", Icmpv6Types.codeName(3, 1));
        assertEquals("unrecognized-next-header", Icmpv6Types.codeName(4, 1));
        assertEquals("incomplete-header-chain", Icmpv6Types.codeName(4, 3));
        assertEquals("code-0", Icmpv6Types.codeName(128, 0));
        assertEquals("code-99", Icmpv6Types.codeName(1, 99));
        for (int type = 0; type < 256; type++) {
            assertEquals(type >= 1 && type <= 4, Icmpv6Types.quotesPacket(type), "type " + type);
            assertEquals(type < 128, Icmpv6Types.isError(type), "type " + type);
        }
    }
}
