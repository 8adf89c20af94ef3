package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static dev.rawsock.wire.Ipv6ExtensionHeaders.fragment;
import static dev.rawsock.wire.Ipv6ExtensionHeaders.nonFirstFragment;
import static dev.rawsock.wire.Ipv6ExtensionHeaders.offset;
import static dev.rawsock.wire.Ipv6ExtensionHeaders.ok;
import static dev.rawsock.wire.Ipv6ExtensionHeaders.protocol;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Walking the extension header chain (RFC 8200 §4, RFC 4302 for AH). */
class Ipv6ExtensionHeadersTest {

    /**
     * Provenance: captured on a veth pair in a private network namespace (Linux 6.x, AF_PACKET socket from
     * python3's socket module): the kernel's MLDv2 report (ICMPv6 type 143) from :: to ff02::16, behind a
     * hop-by-hop header (next header 58, length 0) holding a Router Alert option (05 02 0000) and PadN.
     */
    static final String MLD_REPORT_FRAME = "33330000001602000000000a86dd6000000000240001"
            + "00000000000000000000000000000000" + "ff020000000000000000000000000016"
            + "3a00050200000100" + "8f006f800000000104000000ff0200000000000000000001ff00000a";

    /**
     * Provenance: the first 80 bytes of the two fragments Linux sent for a 2048-byte UDP datagram from
     * 2001:db8::a to [2001:db8::b]:9 over a veth with MTU 1280 (same capture set-up): fragment header
     * next header 17, identification 0x557a1864; the first at offset 0 with M set, the second at
     * offset 154 units (1232 bytes), M clear.
     */
    static final String FIRST_FRAGMENT_HEAD = "02000000000b02000000000a86dd6008821f04d82c40"
            + "20010db800000000000000000000000a" + "20010db800000000000000000000000b"
            + "11000001557a1864" + "9d4f00090808f50000010203040506070809";
    static final String SECOND_FRAGMENT_HEAD = "02000000000b02000000000a86dd6008821f03402c40"
            + "20010db800000000000000000000000a" + "20010db800000000000000000000000b"
            + "110004d0557a1864" + "c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9";

    @Test
    void capturedHopByHopBeforeIcmpv6() {
        ByteBuffer frame = Fields.hex(MLD_REPORT_FRAME);
        Ipv6View ip = new Ipv6View().wrap(frame, 14);
        assertEquals(0, ip.nextHeader());
        assertEquals(36, ip.payloadLength());
        long r = Ipv6ExtensionHeaders.skip(frame, ip.payloadOffset(), ip.payloadLength(), ip.nextHeader());
        assertTrue(ok(r));
        assertEquals(14 + 40 + 8, offset(r));
        assertEquals(58, protocol(r));
        assertFalse(fragment(r));
        // The ICMPv6 checksum covers the upper layer only: 28 bytes.
        int upper = ip.payloadOffset() + ip.payloadLength() - offset(r);
        Icmpv6View icmp = new Icmpv6View().wrap(frame, offset(r));
        assertEquals(Icmpv6Types.MLD_V2_REPORT, icmp.type());
        assertTrue(icmp.checksumValid(ip.pseudoHeader(upper, 58), upper));
        assertEquals(0x6f80, icmp.computeChecksum(ip.pseudoHeader(upper, 58), upper));
    }

    @Test
    void capturedFragments() {
        ByteBuffer first = Fields.hex(FIRST_FRAGMENT_HEAD);
        long r = Ipv6ExtensionHeaders.skip(first, 54, first.capacity() - 54, 44);
        assertTrue(ok(r));
        assertEquals(62, offset(r));
        assertEquals(17, protocol(r));
        assertTrue(fragment(r));
        assertFalse(nonFirstFragment(r));
        assertEquals(9, first.getShort(offset(r) + 2)); // the UDP destination port is really there

        ByteBuffer second = Fields.hex(SECOND_FRAGMENT_HEAD);
        r = Ipv6ExtensionHeaders.skip(second, 54, second.capacity() - 54, 44);
        assertTrue(ok(r));
        assertEquals(62, offset(r));
        assertEquals(17, protocol(r));
        assertTrue(fragment(r));
        assertTrue(nonFirstFragment(r));
    }

    @Test
    void everyKindOfHeaderInOneChain() {
        // hop-by-hop (8) -> routing (len 2: 24) -> destination options (len 1: 16) -> AH (payload len 4: 24)
        // -> fragment (8) -> TCP, starting at offset 10.
        ByteBuffer b = ByteBuffer.allocate(10 + 8 + 24 + 16 + 24 + 8 + 20);
        int at = 10;
        at = header(b, at, 43, 0, 8);
        at = header(b, at, 60, 2, 24);
        at = header(b, at, 51, 1, 16);
        at = header(b, at, 44, 4, 24);
        at = header(b, at, 6, 0, 8);
        assertEquals(10 + 80, at);
        long r = Ipv6ExtensionHeaders.skip(b, 10, b.capacity() - 10, 0);
        assertTrue(ok(r));
        assertEquals(90, offset(r));
        assertEquals(6, protocol(r));
        assertTrue(fragment(r));
        assertFalse(nonFirstFragment(r));
    }

    private static int header(ByteBuffer b, int at, int next, int lengthField, int size) {
        b.put(at, (byte) next);
        b.put(at + 1, (byte) lengthField);
        return at + size;
    }

    @Test
    void noExtensionHeadersAndHeadersThatEndTheWalk() {
        ByteBuffer b = ByteBuffer.allocate(64);
        for (int upper : new int[] {6, 17, 58, 50, 59, 135, 255}) {
            long r = Ipv6ExtensionHeaders.skip(b, 40, 24, upper);
            assertTrue(ok(r));
            assertEquals(40, offset(r));
            assertEquals(upper, protocol(r));
            assertFalse(fragment(r));
        }
        // A chain that ends exactly at the end of the data with No Next Header is complete.
        header(b, 40, 59, 2, 24);
        long r = Ipv6ExtensionHeaders.skip(b, 40, 24, 60);
        assertTrue(ok(r));
        assertEquals(64, offset(r));
        assertEquals(59, protocol(r));
    }

    @Test
    void aChainRunningPastTheDataIsReported() {
        ByteBuffer b = ByteBuffer.allocate(100);
        header(b, 40, 43, 0, 8);     // hop-by-hop, 8 bytes, then
        header(b, 48, 6, 2, 24);     // routing saying 24 bytes
        long r = Ipv6ExtensionHeaders.skip(b, 40, 8 + 16, 0);
        assertFalse(ok(r));
        assertEquals(48, offset(r));
        assertEquals(43, protocol(r));
        assertEquals("routing header at offset 48 runs past the end of the data at 64",
                Ipv6ExtensionHeaders.describeTruncation(r, 64));
        // Fewer than 8 bytes for the next header.
        r = Ipv6ExtensionHeaders.skip(b, 40, 12, 0);
        assertFalse(ok(r));
        assertEquals(48, offset(r));
        assertEquals(43, protocol(r));
        // No data at all.
        r = Ipv6ExtensionHeaders.skip(b, 40, 0, 44);
        assertFalse(ok(r));
        assertEquals(40, offset(r));
        assertEquals(44, protocol(r));
        // An AH whose payload length runs past the data: (255 + 2) * 4 bytes.
        header(b, 40, 6, 255, 8);
        r = Ipv6ExtensionHeaders.skip(b, 40, 60, 51);
        assertFalse(ok(r));
        assertEquals(51, protocol(r));
        // A negative length is no data.
        assertFalse(ok(Ipv6ExtensionHeaders.skip(b, 40, -5, 0)));
    }

    @Test
    void randomChainsAgreeWithAReferenceWalk() {
        Random random = new Random(0x8200);
        int[] kinds = {0, 43, 44, 60, 51, 6, 17, 58, 59, 50};
        ByteBuffer b = ByteBuffer.allocate(512);
        int truncated = 0;
        for (int i = 0; i < Fields.RANDOM_ROUNDS; i++) {
            random.nextBytes(b.array());
            // Mostly valid-looking chains: next headers drawn from the interesting values, small lengths.
            for (int k = 0; k < b.capacity(); k++) {
                if (random.nextInt(3) > 0) {
                    b.put(k, (byte) kinds[random.nextInt(kinds.length)]);
                } else if (random.nextBoolean()) {
                    b.put(k, (byte) random.nextInt(4));
                }
            }
            int start = random.nextInt(64);
            int length = random.nextInt(b.capacity() - start + 1);
            int first = kinds[random.nextInt(kinds.length)];
            long r = Ipv6ExtensionHeaders.skip(b, start, length, first);
            long expected = reference(b, start, length, first);
            assertEquals(expected, r, "round " + i);
            if (!ok(r)) {
                truncated++;
                assertTrue(offset(r) <= start + length);
            } else {
                assertTrue(offset(r) <= start + length);
            }
        }
        assertTrue(truncated > 100 && truncated < Fields.RANDOM_ROUNDS - 100, "truncated " + truncated);
    }

    /** The walk written out plainly, packing its answer the same documented way. */
    private static long reference(ByteBuffer b, int start, int length, int type) {
        int at = start;
        int end = start + length;
        boolean fragment = false;
        boolean later = false;
        while (type == 0 || type == 43 || type == 44 || type == 60 || type == 51) {
            int size;
            if (end - at < 8) {
                return pack(true, at, type, fragment, later);
            }
            if (type == 44) {
                size = 8;
                fragment = true;
                later |= ((b.getShort(at + 2) & 0xFFF8) != 0);
            } else if (type == 51) {
                size = 4 * ((b.get(at + 1) & 0xFF) + 2);
            } else {
                size = 8 * ((b.get(at + 1) & 0xFF) + 1);
            }
            if (at + size > end) {
                return pack(true, at, type, fragment, later);
            }
            type = b.get(at) & 0xFF;
            at += size;
        }
        return pack(false, at, type, fragment, later);
    }

    private static long pack(boolean truncated, int offset, int protocol, boolean fragment, boolean later) {
        return (truncated ? Long.MIN_VALUE : 0) | ((long) offset << 32) | (fragment ? 1 << 9 : 0) | (later ? 1 << 8 : 0)
                | protocol;
    }

    @Test
    void names() {
        assertEquals("hop-by-hop", Ipv6ExtensionHeaders.name(0));
        assertEquals("fragment", Ipv6ExtensionHeaders.name(44));
        assertEquals("icmpv6", Ipv6ExtensionHeaders.name(58));
        assertEquals("200", Ipv6ExtensionHeaders.name(200));
        assertTrue(Ipv6ExtensionHeaders.isExtensionHeader(51));
        assertFalse(Ipv6ExtensionHeaders.isExtensionHeader(50));
    }
}
