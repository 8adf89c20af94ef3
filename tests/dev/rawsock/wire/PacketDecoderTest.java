package dev.rawsock.wire;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Truncated told apart from malformed, padding, fragments, quoted packets: each case by its bytes. */
class PacketDecoderTest {
    private final PacketDecoder decoder = new PacketDecoder();

    /**
     * A SYN from 127.0.0.1:40000 to 127.0.0.1:8080, seq 1000, window 64240, no options, both checksums
     * right: built by hand from RFC 791/9293 field layouts and checked by {@link #theReferenceSynIsWellFormed}.
     */
    static byte[] syn() {
        ByteBuffer b = ByteBuffer.allocate(40);
        new Ipv4View().wrap(b, 0).version(4).ihl(5).totalLength(40).identification(0x1234).flags(false, true, false)
                .ttl(64).protocol(6).source(0x7F000001).destination(0x7F000001);
        TcpView t = new TcpView().wrap(b, 20).sourcePort(40000).destinationPort(8080).sequenceNumber(1000)
                .dataOffset(5).flags(TcpFlags.SYN).window(64240);
        t.checksum(t.computeChecksum(Checksums.pseudoHeaderIpv4(0x7F000001, 0x7F000001, 6, 20), 20));
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        ip.checksum(ip.computeChecksum(20));
        return b.array();
    }

    private DecodedPacket decode(byte[] bytes, int originalLength, FirstLayer first) {
        return decoder.decode(ByteBuffer.wrap(bytes), 0, bytes.length, originalLength, first, new DecodedPacket());
    }

    private static byte[] with(byte[] bytes, int at, int value) {
        byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }

    @Test
    void theReferenceSynIsWellFormed() {
        DecodedPacket p = decode(syn(), 40, FirstLayer.IPV4);
        assertEquals(2, p.layerCount());
        assertEquals(Layer.IPV4, p.layer(0));
        assertEquals(Layer.TCP, p.layer(1));
        assertEquals(Verdict.VALID, p.ipv4Checksum());
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertFalse(p.truncated());
        assertFalse(p.malformed());
    }

    @Test
    void aShortCaptureIsTruncatedNotMalformed() {
        byte[] cut = java.util.Arrays.copyOf(syn(), 30);
        DecodedPacket p = decode(cut, 40, FirstLayer.IPV4); // captured 30 of 40 bytes
        assertTrue(p.truncated());
        assertFalse(p.malformed(), () -> p.errorMessage());
        assertEquals(Verdict.VALID, p.ipv4Checksum(), "the IP header is whole and is judged");
        assertEquals(Verdict.UNKNOWN, p.transportChecksum(), "the segment is not whole: not judged");
        assertFalse(p.has(Layer.TCP), "a TCP header needs 20 bytes; 10 were captured");
    }

    @Test
    void packetsThatContradictThemselvesAreMalformedAtTheRightPlace() {
        record Case(String what, byte[] bytes, Layer layer, int offset, String message) {}
        byte[] ok = syn();
        byte[] shortTotal = with(with(ok, 2, 0), 3, 10);
        byte[] longTotal = with(with(ok, 2, 0), 3, 60);
        byte[] version = with(ok, 0, 0x65);
        byte[] lowIhl = with(ok, 0, 0x44);
        byte[] highIhl = with(ok, 0, 0x4F);
        byte[] lowDataOffset = with(ok, 32, 0x40);
        byte[] highDataOffset = with(ok, 32, 0x60);
        List<Case> cases = List.of(
                new Case("total length below the header", shortTotal, Layer.IPV4, 2, "total length 10 is smaller than the header (20 bytes)"),
                new Case("total length beyond the data", longTotal, Layer.IPV4, 2, "total length 60 is larger than the data (40 bytes)"),
                new Case("wrong version", version, Layer.IPV4, 0, "version is 6, not 4"),
                new Case("ihl below 5", lowIhl, Layer.IPV4, 0, "ihl is 4 (16 bytes), below the minimum of 5 (20 bytes)"),
                new Case("ihl past the data", highIhl, Layer.IPV4, 0, "ihl 15 says the header is 60 bytes but only 40 remain"),
                new Case("data offset below 5", lowDataOffset, Layer.TCP, 32, "data offset is 4 (16 bytes), below the minimum of 5 (20 bytes)"),
                new Case("data offset past the data", highDataOffset, Layer.TCP, 32, "data offset 6 says the header is 24 bytes but only 20 remain"));
        List<String> wrong = new ArrayList<>();
        for (Case c : cases) {
            DecodedPacket p = decode(c.bytes(), c.bytes().length, FirstLayer.IPV4);
            if (!p.malformed() || p.errorLayer() != c.layer() || p.errorOffset() != c.offset() || !c.message().equals(p.errorMessage())) {
                wrong.add(c.what() + ": got " + p.errorLayer() + "@" + p.errorOffset() + " '" + p.errorMessage() + "'");
            }
            assertFalse(p.truncated(), c.what() + ": the whole packet was captured");
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void badOptionsAreFoundAtTheirOffset() {
        // IPv4 header with 4 bytes of options: a Record Route option whose length (1) is impossible.
        ByteBuffer b = ByteBuffer.allocate(24);
        Ipv4View ip = new Ipv4View().wrap(b, 0).version(4).ihl(6).totalLength(24).ttl(1).protocol(255);
        b.put(20, (byte) 0x07).put(21, (byte) 1);
        ip.checksum(ip.computeChecksum(24));
        DecodedPacket p = decoder.decode(b, 0, 24, 24, FirstLayer.IPV4, new DecodedPacket());
        assertTrue(p.malformed());
        assertEquals(20, p.errorOffset());
        assertTrue(p.errorMessage().contains("length 1"), p.errorMessage());
        assertEquals(Verdict.VALID, p.ipv4Checksum());

        // A TCP MSS option overrunning the header.
        byte[] syn = syn();
        ByteBuffer t = ByteBuffer.allocate(44);
        t.put(0, syn, 0, 40);
        new Ipv4View().wrap(t, 0).totalLength(44);
        new TcpView().wrap(t, 20).dataOffset(6);
        t.put(40, (byte) 2).put(41, (byte) 8);
        DecodedPacket q = decoder.decode(t, 0, 44, 44, FirstLayer.IPV4, new DecodedPacket());
        assertTrue(q.malformed());
        assertEquals(Layer.TCP, q.errorLayer());
        assertEquals(40, q.errorOffset());
    }

    @Test
    void ethernetPaddingAfterAShortPacketIsNotData() {
        byte[] ip = syn();
        byte[] frame = new byte[14 + ip.length + 6]; // 60-byte minimum frame: 6 bytes of padding
        frame[12] = 0x08;
        System.arraycopy(ip, 0, frame, 14, ip.length);
        DecodedPacket p = decode(frame, frame.length, FirstLayer.ETHERNET);
        assertEquals(List.of(Layer.ETH, Layer.IPV4, Layer.TCP), List.of(p.layer(0), p.layer(1), p.layer(2)));
        assertFalse(p.has(Layer.PAYLOAD), "the padding is not TCP data");
        assertEquals(14 + 40, p.ipEnd());
        assertEquals(Verdict.VALID, p.transportChecksum());
        assertFalse(p.malformed());
    }

    @Test
    void laterFragmentsAreNotTransportHeaders() {
        byte[] fragment = syn();
        ByteBuffer b = ByteBuffer.wrap(fragment);
        Ipv4View ip = new Ipv4View().wrap(b, 0).fragmentOffset(3).flags(false, false, false).checksum(0);
        ip.checksum(ip.computeChecksum(20));
        DecodedPacket p = decode(fragment, 40, FirstLayer.IPV4);
        assertTrue(p.laterFragment());
        assertFalse(p.has(Layer.TCP));
        assertTrue(p.has(Layer.PAYLOAD));
        assertEquals(Verdict.UNKNOWN, p.transportChecksum());

        byte[] first = syn();
        ByteBuffer fb = ByteBuffer.wrap(first);
        Ipv4View f = new Ipv4View().wrap(fb, 0).flags(false, false, true).checksum(0);
        f.checksum(f.computeChecksum(20));
        DecodedPacket q = decode(first, 40, FirstLayer.IPV4);
        assertTrue(q.has(Layer.TCP), "the first fragment holds the TCP header");
        assertEquals(Verdict.UNKNOWN, q.transportChecksum(), "but not the whole segment");
    }

    /**
     * The first fragment of a UDP datagram holds the UDP header, whose length counts the whole datagram: more
     * than this fragment carries, and rightly so. That is neither truncated nor malformed.
     */
    @Test
    void aFirstUdpFragmentIsNotMalformed() {
        ByteBuffer b = ByteBuffer.allocate(36); // 20 + 16 of a 108-byte datagram: the UDP header and 8 data bytes
        Ipv4View ip = new Ipv4View().wrap(b, 0).version(4).ihl(5).totalLength(36).identification(7).flags(false, false, true)
                .ttl(64).protocol(17).source(0x7F000001).destination(0x7F000002);
        ip.checksum(ip.computeChecksum(20));
        new UdpView().wrap(b, 20).sourcePort(5000).destinationPort(53).length(108).checksum(0x1234);
        DecodedPacket p = decoder.decode(b, 0, 36, 36, FirstLayer.IPV4, new DecodedPacket());
        assertTrue(p.firstFragment());
        assertTrue(p.has(Layer.UDP));
        assertFalse(p.malformed(), () -> p.errorMessage());
        assertFalse(p.truncated());
        assertEquals(Verdict.UNKNOWN, p.transportChecksum());
        assertEquals(8, p.length(Layer.PAYLOAD));
        // Without MF the same bytes contradict themselves.
        ip.flags(false, false, false).checksum(0);
        ip.checksum(ip.computeChecksum(20));
        DecodedPacket whole = decoder.decode(b, 0, 36, 36, FirstLayer.IPV4, new DecodedPacket());
        assertTrue(whole.malformed());
        assertEquals("length 108 is larger than the data (16 bytes)", whole.errorMessage());
    }

    @Test
    void anIcmpErrorQuotesThePacketItAnswers() {
        byte[] quotedPacket = java.util.Arrays.copyOf(syn(), 28); // IP header + 8 bytes, as RFC 792 asks
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + 28);
        new Ipv4View().wrap(b, 0).version(4).ihl(5).totalLength(56).ttl(64).protocol(1).source(0x7F000001).destination(0x7F000001);
        IcmpView m = new IcmpView().wrap(b, 20).type(3).code(3);
        b.put(28, quotedPacket);
        m.checksum(m.computeChecksum(36));
        Ipv4View ip = new Ipv4View().wrap(b, 0);
        ip.checksum(ip.computeChecksum(20));
        DecodedPacket p = decoder.decode(b, 0, 56, 56, FirstLayer.IPV4, new DecodedPacket());
        assertEquals(Verdict.VALID, p.transportChecksum());
        DecodedPacket inner = p.quoted();
        assertNotNull(inner);
        assertTrue(inner.truncated(), "a quote holds only the start of the packet");
        assertFalse(inner.malformed(), () -> inner.errorMessage());
        assertEquals(Layer.IPV4, inner.layer(0));
        assertTrue(inner.has(Layer.TCP) || inner.length(Layer.IPV4) == 20, "the quoted IPv4 header is decoded");
        assertEquals(Verdict.VALID, inner.ipv4Checksum());

        DecodedPacket plain = decode(syn(), 40, FirstLayer.IPV4);
        assertNull(plain.quoted());
    }

    @Test
    void udpChecksumZeroMeansNotComputed() {
        ByteBuffer b = ByteBuffer.allocate(30);
        Ipv4View ip = new Ipv4View().wrap(b, 0).version(4).ihl(5).totalLength(30).ttl(64).protocol(17)
                .source(0x7F000001).destination(0x7F000001);
        ip.checksum(ip.computeChecksum(20));
        new UdpView().wrap(b, 20).sourcePort(1).destinationPort(2).length(10).checksum(0);
        DecodedPacket p = decoder.decode(b, 0, 30, 30, FirstLayer.IPV4, new DecodedPacket());
        assertEquals(Verdict.UNKNOWN, p.transportChecksum());
        assertFalse(p.malformed());
        assertEquals(2, p.length(Layer.PAYLOAD));
    }

    @Test
    void decodingAWellFormedPacketAllocatesNothing() {
        ByteBuffer b = ByteBuffer.wrap(syn());
        DecodedPacket out = new DecodedPacket();
        for (int i = 0; i < 20_000; i++) { // warm up so the JIT has done its work
            decoder.decode(b, 0, 40, 40, FirstLayer.IPV4, out);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 100_000; i++) {
            decoder.decode(b, 0, 40, 40, FirstLayer.IPV4, out);
        }
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 100_000, "decoding 100,000 packets allocated " + allocated + " bytes (expected about 0)");
    }

    @Test
    void decodesExactlyAsTheViewByViewDecoder() {
        // The decoder reads headers a word at a time and sums them from those words; the first decoder,
        // field by field through the views, is the oracle: every layer, offset, verdict and message alike.
        java.util.SplittableRandom random = new java.util.SplittableRandom(0xDEC0DE);
        List<byte[]> seeds = new ArrayList<>(List.of(DecoderRobustnessTest.seeds()));
        ByteBuffer built = ByteBuffer.allocate(80);
        new Ipv4View().wrap(built, 0).version(4).ihl(7).totalLength(80).ttl(64).protocol(6).source(0xC6120001).destination(0xC6120002);
        built.put(20, Bytes.fromHex("9404000001010000").toArray());
        TcpView t = new TcpView().wrap(built, 28).sourcePort(40000).destinationPort(8080).sequenceNumber(7).dataOffset(10)
                .flags(TcpFlags.SYN).window(64240);
        built.put(48, TcpOptions.encode(List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1, 0), new TcpOption.Nop(), new TcpOption.WindowScale(7))).toArray());
        built.put(68, (byte) 0);
        t.checksum(t.computeChecksum(Checksums.pseudoHeaderIpv4(0xC6120001, 0xC6120002, 6, 52), 52));
        new Ipv4View().wrap(built, 0).checksum(new Ipv4View().wrap(built, 0).computeChecksum(28));
        seeds.add(built.array());
        DecodedPacket check = new PacketDecoder().decode(built, 0, 80, 80, FirstLayer.IPV4, new DecodedPacket());
        assertTrue(check.ipv4Checksum() == Verdict.VALID && check.transportChecksum() == Verdict.VALID && !check.malformed(),
                "the seed with IP and TCP options is well formed: " + check.errorMessage());
        FirstLayer[] firsts = FirstLayer.values();
        PacketDecoder fast = new PacketDecoder();
        ViewByViewDecoder oracle = new ViewByViewDecoder();
        DecodedPacket want = new DecodedPacket();
        DecodedPacket got = new DecodedPacket();
        int malformed = 0;
        int valid = 0;
        for (int i = 0; i < 300_000; i++) {
            int offset = random.nextInt(8);
            ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(256) : ByteBuffer.allocateDirect(256);
            b.order(random.nextBoolean() ? java.nio.ByteOrder.BIG_ENDIAN : java.nio.ByteOrder.LITTLE_ENDIAN);
            int length;
            FirstLayer first;
            int kind = random.nextInt(8);
            if (kind == 0) { // noise
                length = random.nextInt(129);
                for (int k = 0; k < length; k++) {
                    b.put(offset + k, (byte) random.nextInt(256));
                }
                first = firsts[random.nextInt(firsts.length)];
            } else {
                int which = random.nextInt(seeds.size());
                byte[] seed = seeds.get(which);
                b.put(offset, seed);
                length = seed.length;
                if (kind > 2) { // bent: flipped bytes (often in the headers), then maybe cut
                    int flips = 1 + random.nextInt(3);
                    for (int k = 0; k < flips; k++) {
                        b.put(offset + random.nextInt(Math.min(length, 1 + random.nextInt(64))), (byte) random.nextInt(256));
                    }
                    if (random.nextInt(3) == 0) {
                        length = random.nextInt(length + 1);
                    }
                }
                first = which == 3 || which == 5 ? FirstLayer.ETHERNET
                        : random.nextBoolean() ? FirstLayer.IP : random.nextBoolean() ? FirstLayer.IPV4 : FirstLayer.IPV6;
            }
            int original = random.nextInt(4) == 0 ? length + random.nextInt(100) : length;
            oracle.decode(b, offset, length, original, first, want);
            fast.decode(b, offset, length, original, first, got);
            String where = "input " + i + " (" + first + ", " + length + " of " + original + " bytes): "
                    + Bytes.copyOf(b, offset, length).hex();
            assertSameDecoding(want, got, where);
            malformed += got.malformed() ? 1 : 0;
            valid += got.ipv4Checksum() == Verdict.VALID && got.transportChecksum() == Verdict.VALID ? 1 : 0;
        }
        assertTrue(malformed > 10_000 && valid > 10_000, malformed + " malformed, " + valid + " with both checksums valid");
    }

    private static void assertSameDecoding(DecodedPacket want, DecodedPacket got, String where) {
        assertEquals(want.layerCount, got.layerCount, where);
        for (int k = 0; k < want.layerCount; k++) {
            assertEquals(want.layers[k], got.layers[k], where);
            assertEquals(want.offsets[k], got.offsets[k], where);
            assertEquals(want.lengths[k], got.lengths[k], where);
        }
        assertEquals(want.capturedLength, got.capturedLength, where);
        assertEquals(want.originalLength, got.originalLength, where);
        assertEquals(want.ipEnd, got.ipEnd, where);
        assertEquals(want.ipProtocol, got.ipProtocol, where);
        assertEquals(want.laterFragment, got.laterFragment, where);
        assertEquals(want.firstFragment, got.firstFragment, where);
        assertEquals(want.ipv4Checksum, got.ipv4Checksum, where);
        assertEquals(want.transportChecksum, got.transportChecksum, where);
        assertEquals(want.truncated, got.truncated, where);
        assertEquals(want.errorLayer, got.errorLayer, where);
        assertEquals(want.errorOffset, got.errorOffset, where);
        assertEquals(want.errorMessage, got.errorMessage, where);
        assertEquals(want.hasInner, got.hasInner, where);
        if (want.hasInner) {
            assertSameDecoding(want.quoted(), got.quoted(), where + " (quoted)");
        }
    }
}
