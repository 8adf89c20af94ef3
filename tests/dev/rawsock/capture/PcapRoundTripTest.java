package dev.rawsock.capture;

import dev.rawsock.wire.EtherTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files PcapWriter writes, read back by PcapReader: every link type, both precisions, both byte orders. */
class PcapRoundTripTest {
    @TempDir
    Path dir;

    private record Packet(long epochNanos, byte[] data, int originalLength) {}

    /** A packet of the link type: its link-layer header, then an IPv4 or IPv6 start, then random bytes. */
    private static byte[] packet(LinkType type, Random random, boolean ipv6, int payload) {
        ByteBuffer b = ByteBuffer.allocate(type.headerBytes() + 4 + payload);
        random.nextBytes(b.array());
        int protocol = ipv6 ? EtherTypes.IPV6 : EtherTypes.IPV4;
        switch (type) {
            case ETHERNET -> b.putShort(12, (short) protocol);
            case LINUX_SLL -> b.putShort(LinkType.SLL_PROTOCOL_OFFSET, (short) protocol);
            case LINUX_SLL2 -> b.putShort(LinkType.SLL2_PROTOCOL_OFFSET, (short) protocol);
            default -> { }
        }
        b.put(type.headerBytes(), (byte) (ipv6 || type == LinkType.IPV6 ? 0x60 : 0x45));
        return b.array();
    }

    @Test
    void everyLinkTypePrecisionAndByteOrder() throws IOException {
        Random random = new Random(0xCA9);
        int files = 0;
        for (LinkType type : LinkType.values()) {
            for (boolean nanosecond : new boolean[] {false, true}) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                    Path file = dir.resolve(type + "-" + nanosecond + "-" + order + ".pcap");
                    List<Packet> written = new ArrayList<>();
                    int snap = 2000;
                    try (PcapWriter w = PcapWriter.open(file, type, snap, nanosecond, order)) {
                        for (int i = 0; i < 300; i++) {
                            boolean ipv6 = type == LinkType.IPV6 || (type != LinkType.IPV4 && random.nextBoolean());
                            byte[] data = packet(type, random, ipv6, random.nextInt(i == 0 ? 1 : 1500));
                            long when = i == 0 ? 0 : i == 1 ? 0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L
                                    : (random.nextLong() & Long.MAX_VALUE) % (0x1_0000_0000L * 1_000_000_000L);
                            int original = data.length + (i % 7 == 0 ? random.nextInt(100) : 0);
                            w.write(when, ByteBuffer.wrap(data), 0, data.length, original);
                            written.add(new Packet(when, data, original));
                        }
                        assertEquals(300, w.records());
                    }
                    assertEquals(PcapWriter.FILE_HEADER_BYTES + written.stream().mapToLong(p -> 16 + p.data.length).sum(),
                            Files.size(file));
                    assertMagic(file, nanosecond, order);
                    readBack(file, type, snap, nanosecond, order, written);
                    files++;
                }
            }
        }
        assertEquals(LinkType.values().length * 4, files);
    }

    private static void assertMagic(Path file, boolean nanosecond, ByteOrder order) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(file)).order(order);
        assertEquals(nanosecond ? 0xA1B23C4D : 0xA1B2C3D4, header.getInt(0));
        assertEquals(2, header.getShort(4));
        assertEquals(4, header.getShort(6));
    }

    private static void readBack(Path file, LinkType type, int snap, boolean nanosecond, ByteOrder order,
                                 List<Packet> written) throws IOException {
        try (PcapReader r = PcapReader.open(file)) {
            assertEquals(PcapReader.Format.PCAP, r.format());
            assertEquals(type, r.linkType());
            assertEquals(type.value(), r.linkTypeValue());
            assertEquals(snap, r.snapLength());
            assertEquals(nanosecond, r.nanosecond());
            assertEquals(order, r.byteOrder());
            long offset = PcapWriter.FILE_HEADER_BYTES;
            for (Packet p : written) {
                assertTrue(r.next());
                long expected = nanosecond ? p.epochNanos : p.epochNanos - p.epochNanos % 1000;
                assertEquals(expected, r.epochNanos());
                assertTrue(r.hasTimestamp());
                assertEquals(p.data.length, r.capturedLength());
                assertEquals(p.originalLength, r.originalLength());
                assertEquals(offset, r.recordOffset());
                ByteBuffer data = r.buffer();
                assertEquals(0, data.position());
                assertEquals(p.data.length, data.limit());
                byte[] got = new byte[p.data.length];
                data.get(0, got);
                assertArrayEquals(p.data, got);
                checkNetworkLayer(type, data, p.data.length);
                offset += 16 + p.data.length;
            }
            assertFalse(r.next());
            assertFalse(r.next());
        }
    }

    private static void checkNetworkLayer(LinkType type, ByteBuffer data, int length) {
        int at = type.networkOffset(data, 0, length);
        int protocol = type.networkProtocol(data, 0, length);
        if (length < type.headerBytes() + 1) {
            return;
        }
        assertEquals(type.headerBytes(), at);
        int version = (data.get(at) & 0xFF) >>> 4;
        assertEquals(version == 6 ? EtherTypes.IPV6 : EtherTypes.IPV4, protocol, type + " version " + version);
    }

    @Test
    void largeRecordsAndBufferBoundaries() throws IOException {
        // Records from 0 bytes to 200 KB cross the writer's and reader's 64 KiB buffers in every way.
        Random random = new Random(0xB16);
        Path file = dir.resolve("large.pcap");
        List<byte[]> written = new ArrayList<>();
        try (PcapWriter w = PcapWriter.open(file, LinkType.RAW, PcapWriter.DEFAULT_SNAP_LENGTH, true)) {
            for (int i = 0; i < 120; i++) {
                int n = switch (i % 6) {
                    case 0 -> 0;
                    case 1 -> 200_000 + random.nextInt(50_000);
                    case 2 -> 65_536 - 16 - random.nextInt(3);
                    case 3 -> 32 * 1024 + random.nextInt(64 * 1024);
                    default -> random.nextInt(100);
                };
                byte[] data = new byte[n + 3];
                random.nextBytes(data);
                // Written from the middle of a bigger buffer whose position and limit the writer must ignore.
                ByteBuffer source = ByteBuffer.wrap(data).position(2).limit(data.length);
                w.write(i * 1_000_000_007L, source, 3, n, n);
                assertEquals(2, source.position());
                written.add(java.util.Arrays.copyOfRange(data, 3, 3 + n));
            }
        }
        try (PcapReader r = PcapReader.open(file)) {
            for (int i = 0; i < written.size(); i++) {
                assertTrue(r.next());
                assertEquals(i * 1_000_000_007L, r.epochNanos());
                byte[] got = new byte[r.capturedLength()];
                r.buffer().get(0, got);
                assertArrayEquals(written.get(i), got, "record " + i);
            }
            assertFalse(r.next());
        }
    }

    @Test
    void writingAndReadingAllocateNothingPerPacket() throws IOException {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        long thread = Thread.currentThread().getId();
        ByteBuffer packet = ByteBuffer.allocateDirect(1500);
        Path file = dir.resolve("alloc.pcap");
        int packets = 100_000;
        long allocated;
        try (PcapWriter w = PcapWriter.open(file, LinkType.ETHERNET, 65535, true)) {
            for (int i = 0; i < 10_000; i++) { // warm up
                w.write(i, packet, 0, 60 + i % 1400, 1500);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < packets; i++) {
                w.write(i, packet, 0, 60 + i % 1400, 1500);
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        assertTrue(allocated < packets / 2, "writing allocated " + allocated + " bytes for " + packets + " packets");
        try (PcapReader r = PcapReader.open(file)) {
            for (int i = 0; i < 10_000; i++) {
                assertTrue(r.next());
            }
            long before = threads.getThreadAllocatedBytes(thread);
            long sum = 0;
            for (int i = 0; i < packets; i++) {
                assertTrue(r.next());
                sum += r.capturedLength() + r.linkType().headerBytes(); // as rawsock decode asks, once per packet
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(sum > 0);
        }
        assertTrue(allocated < packets / 2, "reading allocated " + allocated + " bytes for " + packets + " packets");
    }

    @Test
    void writeTruncatesToTheSnapshotLength() throws IOException {
        Path file = dir.resolve("snap.pcap");
        byte[] data = new byte[300];
        new Random(1).nextBytes(data);
        try (PcapWriter w = PcapWriter.open(file, LinkType.ETHERNET, 100, false)) {
            w.write(5_000_000_123L, ByteBuffer.wrap(data), 0, 300);
            w.write(5_000_000_123L, ByteBuffer.wrap(data), 0, 60);
        }
        try (PcapReader r = PcapReader.open(file)) {
            assertTrue(r.next());
            assertEquals(100, r.capturedLength());
            assertEquals(300, r.originalLength());
            assertEquals(5_000_000_000L, r.epochNanos()); // microseconds: the 123 ns are cut
            assertTrue(r.next());
            assertEquals(60, r.capturedLength());
            assertEquals(60, r.originalLength());
            assertFalse(r.next());
        }
    }

    @Test
    void handWrittenBigEndianFiles() throws IOException {
        // Microseconds, Ethernet, big-endian, as a SPARC or s390x libpcap writes it.
        byte[] frame = new byte[60];
        frame[12] = 0x08;
        frame[13] = 0x06;
        Path micro = Bin.pcapHeader(ByteOrder.BIG_ENDIAN, false, 65535, 1)
                .pcapRecord(1_700_000_000L, 999_999, frame, 60)
                .pcapRecord(0xFFFF_FFFFL, 0, new byte[0], 1514)
                .writeTo(dir.resolve("be-micro.pcap"));
        try (PcapReader r = PcapReader.open(micro)) {
            assertEquals(ByteOrder.BIG_ENDIAN, r.byteOrder());
            assertEquals(LinkType.ETHERNET, r.linkType());
            assertEquals(65535, r.snapLength());
            assertFalse(r.nanosecond());
            assertTrue(r.next());
            assertEquals(1_700_000_000_999_999_000L, r.epochNanos());
            assertEquals(60, r.capturedLength());
            assertEquals(EtherTypes.ARP, LinkType.ETHERNET.networkProtocol(r.buffer(), 0, r.capturedLength()));
            assertTrue(r.next());
            assertEquals(0xFFFF_FFFFL * 1_000_000_000L, r.epochNanos());
            assertEquals(0, r.capturedLength());
            assertEquals(1514, r.originalLength());
            assertFalse(r.next());
        }
        // Nanoseconds, LINUX_SLL2, big-endian, snaplen 0xFFFFFFFF (some writers' "no limit").
        byte[] sll2 = new byte[24];
        sll2[0] = (byte) 0x86;
        sll2[1] = (byte) 0xDD;
        sll2[20] = 0x60;
        Path nano = Bin.pcapHeader(ByteOrder.BIG_ENDIAN, true, 0xFFFF_FFFFL, 276)
                .pcapRecord(1, 999_999_999, sll2, 24)
                .writeTo(dir.resolve("be-nano.pcap"));
        try (PcapReader r = PcapReader.open(nano)) {
            assertEquals(LinkType.LINUX_SLL2, r.linkType());
            assertEquals(0xFFFF_FFFFL, r.snapLength());
            assertTrue(r.nanosecond());
            assertTrue(r.next());
            assertEquals(1_999_999_999L, r.epochNanos());
            assertEquals(EtherTypes.IPV6, LinkType.LINUX_SLL2.networkProtocol(r.buffer(), 0, 24));
            assertEquals(20, LinkType.LINUX_SLL2.networkOffset(r.buffer(), 0, 24));
            assertFalse(r.next());
        }
        // An unknown link type is readable; linkType() is null and the number is kept.
        Path other = Bin.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 100, 147).writeTo(dir.resolve("user0.pcap"));
        try (PcapReader r = PcapReader.open(other)) {
            assertNull(r.linkType());
            assertEquals(147, r.linkTypeValue());
            assertFalse(r.next());
        }
        // FCS bits in the upper half of the link-type field (draft-ietf-opsawg-pcap §4) do not hide the type.
        Path fcs = Bin.pcapHeader(ByteOrder.LITTLE_ENDIAN, false, 100, 0x4400_0001).writeTo(dir.resolve("fcs.pcap"));
        try (PcapReader r = PcapReader.open(fcs)) {
            assertEquals(LinkType.ETHERNET, r.linkType());
        }
    }

    @Test
    void linkTypeNetworkLayer() {
        ByteBuffer tagged = ByteBuffer.wrap(new byte[] {
                1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, (byte) 0x81, 0x00, 0x00, 0x64, (byte) 0x86, (byte) 0xDD, 0x60});
        assertEquals(18, LinkType.ETHERNET.networkOffset(tagged, 0, 19));
        assertEquals(EtherTypes.IPV6, LinkType.ETHERNET.networkProtocol(tagged, 0, 19));
        assertEquals(-1, LinkType.ETHERNET.networkOffset(tagged, 0, 17));
        assertEquals(-1, LinkType.ETHERNET.networkProtocol(tagged, 0, 17));
        assertEquals(-1, LinkType.ETHERNET.networkProtocol(tagged, 0, 13));
        ByteBuffer raw = ByteBuffer.wrap(new byte[] {0x45, 0x60, 0x10});
        assertEquals(EtherTypes.IPV4, LinkType.RAW.networkProtocol(raw, 0, 1));
        assertEquals(EtherTypes.IPV6, LinkType.RAW.networkProtocol(raw, 1, 1));
        assertEquals(-1, LinkType.RAW.networkProtocol(raw, 2, 1));
        assertEquals(-1, LinkType.RAW.networkProtocol(raw, 0, 0));
        assertEquals(EtherTypes.IPV4, LinkType.IPV4.networkProtocol(raw, 0, 0));
        assertEquals(EtherTypes.IPV6, LinkType.IPV6.networkProtocol(raw, 0, 0));
        ByteBuffer sll = ByteBuffer.allocate(17);
        sll.putShort(14, (short) 0x0806);
        assertEquals(EtherTypes.ARP, LinkType.LINUX_SLL.networkProtocol(sll, 0, 17));
        assertEquals(16, LinkType.LINUX_SLL.networkOffset(sll, 0, 17));
        assertEquals(-1, LinkType.LINUX_SLL.networkProtocol(sll, 0, 15));
        assertEquals(-1, LinkType.LINUX_SLL2.networkOffset(sll, 0, 19));
        for (LinkType t : LinkType.values()) {
            assertEquals(t, LinkType.fromValue(t.value()));
        }
        assertNull(LinkType.fromValue(0));
        assertEquals(1, LinkType.ETHERNET.value());
        assertEquals(101, LinkType.RAW.value());
        assertEquals(113, LinkType.LINUX_SLL.value());
        assertEquals(228, LinkType.IPV4.value());
        assertEquals(229, LinkType.IPV6.value());
        assertEquals(276, LinkType.LINUX_SLL2.value());
    }
}
