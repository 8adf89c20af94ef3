package dev.rawsock.capture;

import dev.rawsock.wire.EtherTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** pcapng files built by hand, block by block (draft-ietf-opsawg-pcapng-03), in both byte orders. */
class PcapNgTest {
    @TempDir
    Path dir;

    private static byte[] frame(int etherType, int length, int seed) {
        byte[] f = new byte[length];
        new Random(seed).nextBytes(f);
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        return f;
    }

    private static byte[] bytes(PcapReader r) {
        byte[] out = new byte[r.capturedLength()];
        r.buffer().get(0, out);
        return out;
    }

    @Test
    void blocksOfEveryKindInBothByteOrders() throws IOException {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] a = frame(EtherTypes.IPV4, 60, 1);
            byte[] b = frame(EtherTypes.IPV6, 1514, 2);
            byte[] c = frame(EtherTypes.ARP, 42, 3);
            byte[] d = new byte[70_000]; // larger than the reader's 64 KiB input buffer
            new Random(4).nextBytes(d);
            byte[] sll2 = new byte[48];
            sll2[0] = (byte) 0x86;
            sll2[1] = (byte) 0xDD;
            sll2[20] = 0x60;
            Bin file = new Bin(order);
            byte[] interface0Options = file.body()
                    .option(2, "eth0".getBytes(StandardCharsets.US_ASCII))     // if_name
                    .option(3, "odd length".getBytes(StandardCharsets.US_ASCII)) // if_description, 10 bytes + pad
                    .endOfOptions().toArray();
            byte[] interface1Options = file.body()
                    .option(PcapReader.OPTION_IF_TSRESOL, new byte[] {9})       // nanoseconds
                    .option(PcapReader.OPTION_IF_TSOFFSET, file.body().u64(1_000).toArray()) // + 1000 s
                    .endOfOptions().toArray();
            file.sectionHeader()
                    .interfaceDescription(1, 262_144, interface0Options)
                    .block(4, file.body().u16(1).u16(8).bytes(new byte[] {(byte) 198, 18, 0, 1}).bytes("host".getBytes())
                            .u16(0).u16(0).toArray())                          // name resolution: skipped
                    .enhancedPacket(0, 1_700_000_000_123_456L, a, 60)
                    .block(0x0BAD, new byte[] {1, 2, 3, 4, 5})                 // custom/unknown: skipped
                    .enhancedPacket(0, 1_700_000_001_000_000L, b, 9000)
                    .simplePacket(c, 42)
                    .interfaceDescription(276, 0, interface1Options)
                    .enhancedPacket(1, 1_700_000_000_123_456_789L, sll2, 48)
                    .enhancedPacket(1, 5, d, 70_000)
                    .block(5, new byte[16]);                                    // interface statistics: skipped
            // An enhanced packet with options after its data (epb_flags, 4 bytes) and a 3-byte packet.
            byte[] withOptions = file.body().u32(0).u32(0).u32(7).u32(3).u32(3).bytes(new byte[] {9, 8, 7}).pad4()
                    .option(2, new byte[] {0, 0, 0, 1}).endOfOptions().toArray();
            file.block(6, withOptions);
            Path path = file.writeTo(dir.resolve("all-" + order + ".pcapng"));

            try (PcapReader r = PcapReader.open(path)) {
                assertEquals(PcapReader.Format.PCAPNG, r.format());
                assertEquals(order, r.byteOrder());
                assertEquals(LinkType.ETHERNET, r.linkType()); // the first interface, before any record
                assertEquals(262_144, r.snapLength());
                assertFalse(r.nanosecond());

                assertTrue(r.next());
                assertEquals(1_700_000_000_123_456_000L, r.epochNanos());
                assertEquals(0, r.interfaceId());
                assertEquals(60, r.capturedLength());
                assertEquals(60, r.originalLength());
                assertArrayEquals(a, bytes(r));
                assertEquals(EtherTypes.IPV4, r.linkType().networkProtocol(r.buffer(), 0, r.capturedLength()));

                assertTrue(r.next());
                assertEquals(1_700_000_001_000_000_000L, r.epochNanos());
                assertEquals(1514, r.capturedLength());
                assertEquals(9000, r.originalLength());
                assertArrayEquals(b, bytes(r));

                assertTrue(r.next());
                assertFalse(r.hasTimestamp());
                assertEquals(0, r.epochNanos());
                assertEquals(42, r.capturedLength());
                assertArrayEquals(c, bytes(r));
                assertEquals(EtherTypes.ARP, LinkType.ETHERNET.networkProtocol(r.buffer(), 0, 42));

                assertTrue(r.next());
                assertTrue(r.hasTimestamp());
                assertEquals(1, r.interfaceId());
                assertEquals(LinkType.LINUX_SLL2, r.linkType());
                assertEquals(0, r.snapLength());
                assertTrue(r.nanosecond());
                assertEquals(1_700_000_000_123_456_789L + 1_000_000_000_000L, r.epochNanos());
                assertArrayEquals(sll2, bytes(r));
                assertEquals(EtherTypes.IPV6, r.linkType().networkProtocol(r.buffer(), 0, 48));

                assertTrue(r.next());
                assertEquals(1_000_000_000_005L, r.epochNanos());
                assertArrayEquals(d, bytes(r));

                assertTrue(r.next());
                assertEquals(0, r.interfaceId());
                assertEquals(LinkType.ETHERNET, r.linkType());
                assertArrayEquals(new byte[] {9, 8, 7}, bytes(r));

                assertFalse(r.next());
                assertFalse(r.next());
            }
        }
    }

    @Test
    void sectionsInDifferentByteOrdersRestartInterfaceIds() throws IOException {
        Bin file = new Bin(ByteOrder.LITTLE_ENDIAN).sectionHeader()
                .interfaceDescription(1, 0, new byte[0])
                .enhancedPacket(0, 1, frame(EtherTypes.IPV4, 20, 5), 20);
        file.order(ByteOrder.BIG_ENDIAN).sectionHeader()
                .interfaceDescription(101, 0, new byte[0])
                .enhancedPacket(0, 2, new byte[] {0x60, 0, 0, 0}, 4);
        Path path = file.writeTo(dir.resolve("sections.pcapng"));
        try (PcapReader r = PcapReader.open(path)) {
            assertTrue(r.next());
            assertEquals(ByteOrder.LITTLE_ENDIAN, r.byteOrder());
            assertEquals(LinkType.ETHERNET, r.linkType());
            assertEquals(1000, r.epochNanos());
            assertTrue(r.next());
            assertEquals(ByteOrder.BIG_ENDIAN, r.byteOrder());
            assertEquals(LinkType.RAW, r.linkType());
            assertEquals(0, r.interfaceId());
            assertEquals(2000, r.epochNanos());
            assertEquals(EtherTypes.IPV6, LinkType.RAW.networkProtocol(r.buffer(), 0, 4));
            assertFalse(r.next());
        }
    }

    @Test
    void readingAllocatesNothingPerPacket() throws IOException {
        java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "this JVM does not count allocated bytes per thread");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        Bin file = new Bin(ByteOrder.LITTLE_ENDIAN).sectionHeader().interfaceDescription(1, 0, new byte[0]);
        byte[] packet = frame(EtherTypes.IPV4, 100, 9);
        int packets = 50_000;
        for (int i = 0; i < packets; i++) {
            file.enhancedPacket(0, i, packet, 100);
            if (i % 1000 == 0) {
                file.block(0x0BAD, new byte[8]);
            }
        }
        try (PcapReader r = PcapReader.open(file.writeTo(dir.resolve("alloc.pcapng")))) {
            for (int i = 0; i < 5_000; i++) {
                assertTrue(r.next());
            }
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 5_000; i < packets; i++) {
                assertTrue(r.next());
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            assertTrue(allocated < packets / 2, "reading allocated " + allocated + " bytes for " + packets + " packets");
            assertFalse(r.next());
        }
    }

    @Test
    void obsoletePacketBlock() throws IOException {
        Bin file = new Bin(ByteOrder.LITTLE_ENDIAN).sectionHeader().interfaceDescription(228, 0, new byte[0]);
        // Packet Block (type 2): interface id (16), drops (16), timestamp high/low, captured, original, data.
        file.block(2, file.body().u16(0).u16(0).u32(0).u32(42).u32(5).u32(5).bytes(new byte[] {0x45, 1, 2, 3, 4}).toArray());
        try (PcapReader r = PcapReader.open(file.writeTo(dir.resolve("pb.pcapng")))) {
            assertTrue(r.next());
            assertEquals(LinkType.IPV4, r.linkType());
            assertEquals(42_000, r.epochNanos());
            assertEquals(5, r.capturedLength());
            assertFalse(r.next());
        }
    }

    @Test
    void simplePacketIsCutToTheSnapshotLength() throws IOException {
        Bin file = new Bin(ByteOrder.BIG_ENDIAN).sectionHeader().interfaceDescription(1, 16, new byte[0])
                .simplePacket(new byte[16], 1514);
        try (PcapReader r = PcapReader.open(file.writeTo(dir.resolve("spb.pcapng")))) {
            assertTrue(r.next());
            assertEquals(16, r.capturedLength());
            assertEquals(1514, r.originalLength());
            assertFalse(r.next());
        }
    }

    @Test
    void aFileWithNoInterface() throws IOException {
        Path path = new Bin(ByteOrder.LITTLE_ENDIAN).sectionHeader().writeTo(dir.resolve("empty.pcapng"));
        try (PcapReader r = PcapReader.open(path)) {
            assertEquals(PcapReader.Format.PCAPNG, r.format());
            assertNull(r.linkType());
            assertEquals(-1, r.linkTypeValue());
            assertEquals(-1, r.snapLength());
            assertFalse(r.next());
        }
    }

    @Test
    void timestampResolutions() {
        // 10^-n seconds.
        assertEquals(3_000_000_000L, PcapReader.toEpochNanos(3, 0, false, 0));
        assertEquals(3_000_000L, PcapReader.toEpochNanos(3, 3, false, 0));
        assertEquals(3_000L, PcapReader.toEpochNanos(3, 6, false, 0));
        assertEquals(3L, PcapReader.toEpochNanos(3, 9, false, 0));
        assertEquals(1_234L, PcapReader.toEpochNanos(1_234_567, 12, false, 0));           // picoseconds
        assertEquals(Long.divideUnsigned(-1L, 10_000_000_000L), PcapReader.toEpochNanos(-1L, 19, false, 0));
        assertEquals(1L, PcapReader.toEpochNanos(-1L, 28, false, 0));                      // 2^64-1 / 10^19
        assertEquals(0L, PcapReader.toEpochNanos(-1L, 29, false, 0));
        assertEquals(0L, PcapReader.toEpochNanos(-1L, 127, false, 0));
        // 2^-n seconds.
        assertEquals(3_500_000_000L, PcapReader.toEpochNanos(3L * (1 << 20) + (1 << 19), 20, true, 0));
        assertEquals(7_000_000_000L, PcapReader.toEpochNanos(7, 0, true, 0));
        assertEquals(500_000_000L, PcapReader.toEpochNanos(1L << 31, 32, true, 0));
        assertEquals(999_999_999L, PcapReader.toEpochNanos(-1L, 64, true, 0));             // (2^64-1)/2^64 s
        assertEquals(1_999_999_999L, PcapReader.toEpochNanos(-1L, 63, true, 0));           // unsigned units
        assertEquals(0L, PcapReader.toEpochNanos(-1L, 127, true, 0));
        // if_tsoffset adds whole seconds, and may be negative.
        assertEquals(-1_000_000_000L + 5_000L, PcapReader.toEpochNanos(5, 6, false, -1));
    }
}
