package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ethernet II view and value, the 802.1Q tag, and MAC address text. */
class EthernetTest {
    private static final int AT = 5;

    private static Fields<EthernetView> fields() {
        return new Fields<EthernetView>()
                .add("destination", EthernetView::destination, EthernetView::destination, 0, 48)
                .add("source", EthernetView::source, EthernetView::source, 48, 48)
                .add("ether_type", EthernetView::etherType, (v, x) -> v.etherType(x.intValue()), 96, 16)
                .add("vlan_tci", EthernetView::vlanTci, (v, x) -> v.vlanTci(x.intValue()), 112, 16)
                .add("vlan_priority", EthernetView::vlanPriority, (v, x) -> v.vlanPriority(x.intValue()), 112, 3)
                .add("vlan_dei", v -> v.vlanDropEligible() ? 1 : 0, (v, x) -> v.vlanDropEligible(x != 0), 115, 1)
                .add("vlan_id", EthernetView::vlanId, (v, x) -> v.vlanId(x.intValue()), 116, 12)
                .add("inner_ether_type", EthernetView::innerEtherType, (v, x) -> v.innerEtherType(x.intValue()), 128, 16);
    }

    @Test
    void eachFieldRoundTripsOverATableAndRandomValues() {
        ByteBuffer b = ByteBuffer.allocate(AT + EthernetView.TAGGED_HEADER_BYTES + 3);
        int checked = fields().roundTripEachField(new EthernetView().wrap(b, AT), b, 0xE7E7);
        assertTrue(checked >= 8 * Fields.RANDOM_ROUNDS);
    }

    @Test
    void extremesLeaveNeighboursUntouched() {
        ByteBuffer b = ByteBuffer.allocate(AT + EthernetView.TAGGED_HEADER_BYTES + 3);
        fields().extremesLeaveNeighboursUntouched(new EthernetView().wrap(b, AT), b, AT, 0xE7E8);
    }

    @Test
    void valueRoundTripsThroughBytes() {
        Random random = new Random(0xE7E9);
        ByteBuffer b = ByteBuffer.allocate(40);
        long[] macs = {0, 1, MacAddress.BROADCAST, 0x02000000000AL, 0x800000000000L, 0x7FFFFFFFFFFFL};
        int[] types = {0, 1, 0x05FF, 0x0600, EtherTypes.IPV4, EtherTypes.ARP, EtherTypes.VLAN, EtherTypes.IPV6, 0xFFFF};
        for (long d : macs) {
            for (long s : macs) {
                for (int t : types) {
                    roundTrip(new EthernetHeader(d, s, t), b, random);
                }
            }
        }
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            roundTrip(new EthernetHeader(random.nextLong() & MacAddress.MASK, random.nextLong() & MacAddress.MASK,
                    random.nextInt(0x10000)), b, random);
        }
        // Random bytes decode and emit back to the same bytes.
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            byte[] original = java.util.Arrays.copyOfRange(b.array(), 3, 3 + 14);
            EthernetHeader h = EthernetHeader.decode(new EthernetView().wrap(b, 3), 14);
            ByteBuffer out = ByteBuffer.allocate(14);
            assertEquals(14, h.emit(out, 0));
            assertArrayEquals(original, out.array());
        }
    }

    private static void roundTrip(EthernetHeader h, ByteBuffer b, Random random) {
        random.nextBytes(b.array());
        assertEquals(14, h.emit(b, 7));
        assertEquals(h, EthernetHeader.decode(new EthernetView().wrap(b, 7), 14));
    }

    @Test
    void vlanTagRoundTrips() {
        Random random = new Random(0xE7EA);
        ByteBuffer b = ByteBuffer.allocate(30);
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            EthernetHeader.VlanTag tag = new EthernetHeader.VlanTag(random.nextInt(8), random.nextBoolean(),
                    random.nextInt(4096), random.nextInt(0x10000));
            random.nextBytes(b.array());
            new EthernetHeader(1, 2, EtherTypes.VLAN).emit(b, 2);
            assertEquals(4, tag.emit(b, 2));
            EthernetView v = new EthernetView().wrap(b, 2);
            assertTrue(v.vlanTagged());
            assertEquals(tag, EthernetHeader.VlanTag.decode(v, 18));
            assertEquals(tag.etherType(), v.payloadEtherType());
            assertEquals(2 + 18, v.payloadOffset());
        }
    }

    /**
     * Provenance: an ARP reply captured on a veth pair (Linux 6.x, AF_PACKET, python3 socket module) in a
     * private network namespace: 02:00:00:00:00:0b (198.18.0.2) answering 02:00:00:00:00:0a (198.18.0.1).
     */
    @Test
    void capturedFrameDecodes() {
        ByteBuffer frame = Fields.hex("02000000000a02000000000b0806000108000604000202000000000bc612000202000000000ac6120001");
        EthernetView v = new EthernetView().wrap(frame, 0);
        assertEquals(0x02000000000AL, v.destination());
        assertEquals(0x02000000000BL, v.source());
        assertEquals(EtherTypes.ARP, v.etherType());
        assertFalse(v.vlanTagged());
        assertEquals(EtherTypes.ARP, v.payloadEtherType());
        assertEquals(14, v.payloadOffset());
        assertEquals(0, v.destinationOffset());
        assertEquals(6, v.sourceOffset());
        assertEquals("02:00:00:00:00:0a", MacAddress.text(v.destination()));
        assertEquals(new EthernetHeader(0x02000000000AL, 0x02000000000BL, 0x0806),
                EthernetHeader.decode(v, frame.capacity()));
    }

    /** A tagged frame built from IEEE 802.1Q's layout: TPID 0x8100, PCP 5, DEI 1, VID 100 (0xB064), IPv6 inside. */
    @Test
    void taggedFrameExposesTheInnerType() {
        ByteBuffer frame = Fields.hex("ffffffffffff 02000000000a 8100 b064 86dd 60");
        EthernetView v = new EthernetView().wrap(frame, 0);
        assertTrue(v.vlanTagged());
        assertEquals(0xB064, v.vlanTci());
        assertEquals(5, v.vlanPriority());
        assertTrue(v.vlanDropEligible());
        assertEquals(100, v.vlanId());
        assertEquals(EtherTypes.IPV6, v.innerEtherType());
        assertEquals(EtherTypes.IPV6, v.payloadEtherType());
        assertEquals(18, v.headerLengthBytes());
        assertEquals(0x60, frame.get(v.payloadOffset()) & 0xFF);
        assertEquals(new EthernetHeader.VlanTag(5, true, 100, EtherTypes.IPV6), EthernetHeader.VlanTag.decode(v, 19));
    }

    @Test
    void decodeReportsTruncationAndTheValueChecksRanges() {
        ByteBuffer b = ByteBuffer.allocate(14);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EthernetHeader.decode(new EthernetView().wrap(b, 0), 13));
        assertEquals("Ethernet header truncated: 13 of 14 bytes", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(1L << 48, 0, 0));
        assertTrue(e.getMessage().startsWith("destination must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, -1, 0));
        assertTrue(e.getMessage().startsWith("source must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EthernetHeader(0, 0, 0x10000));
        assertEquals("ether_type must be 0-65535 but was 65536", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new EthernetHeader.VlanTag(0, false, 4096, 0));
        assertEquals("vlan_id must be 0-4095 but was 4096", e.getMessage());
    }

    @Test
    void macTextAndParsing() {
        assertEquals("00:00:00:00:00:00", MacAddress.text(0));
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.text(MacAddress.BROADCAST));
        assertEquals("aa:bb:cc:dd:ee:ff", MacAddress.text(0xAABBCCDDEEFFL));
        assertEquals("x=02:00:00:00:00:0a", MacAddress.append(new StringBuilder("x="), 0x02000000000AL).toString());
        assertEquals(0xAABBCCDDEEFFL, MacAddress.parse("AA:BB:CC:DD:EE:FF"));
        assertEquals(0xAABBCCDDEEFFL, MacAddress.parse("aa-bb-cc-dd-ee-ff"));
        assertEquals(0x02000000000AL, MacAddress.parse("2:0:0:0:0:a"));
        assertTrue(MacAddress.isMulticast(0x333300000016L));
        assertFalse(MacAddress.isMulticast(0x02000000000AL));
        for (String bad : new String[] {"", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "aaa:bb:cc:dd:ee:ff",
                "aa:bb:cc:dd:ee:gg", "aa-bb:cc:dd:ee:ff", "aa::cc:dd:ee:ff", "aa:bb:cc:dd:ee:ff "}) {
            if (bad.endsWith(" ")) {
                assertEquals(0xAABBCCDDEEFFL, MacAddress.parse(bad)); // surrounding space is trimmed
                continue;
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(bad), bad);
            assertTrue(e.getMessage().contains("is not a MAC address"), e.getMessage());
        }
        Random random = new Random(0xE7EB);
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            long mac = random.nextLong() & MacAddress.MASK;
            String text = MacAddress.text(mac);
            assertEquals(17, text.length());
            assertEquals(text.toLowerCase(), text);
            assertEquals(mac, MacAddress.parse(text));
            assertEquals(mac, MacAddress.parse(text.toUpperCase().replace(':', '-')));
        }
    }
}
