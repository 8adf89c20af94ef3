package dev.rawsock.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad capture files: one exception, PcapFormatException, naming the file, the offset and the problem. */
class PcapMalformedTest {
    @TempDir
    Path dir;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder BE = ByteOrder.BIG_ENDIAN;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Opens the file and reads every record, expecting the exception at {@code offset} with {@code problem}. */
    private PcapFormatException assertBad(Path file, long offset, String problem) {
        Executable readAll = () -> {
            try (PcapReader r = PcapReader.open(file)) {
                int records = 0;
                while (r.next()) {
                    records++;
                    assertTrue(records < 1000, "the reader loops");
                }
            }
        };
        PcapFormatException e = assertThrows(PcapFormatException.class, readAll, problem);
        assertEquals(file, e.file());
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(problem, e.problem());
        assertEquals(file + ": offset " + offset + ": " + problem, e.getMessage());
        return e;
    }

    @Test
    void badMagicAndShortFiles() throws IOException {
        assertBad(file("empty.pcap", new byte[0]), 0, "empty file: no pcap or pcapng header");
        assertBad(file("three.pcap", new byte[] {1, 2, 3}), 0, "file of 3 bytes is too short for a pcap or pcapng header");
        assertBad(file("text.pcap", "hello world, not a capture".getBytes()), 0,
                "bad magic number 0x68656c6c: not a pcap file (a1b2c3d4 or a1b23c4d, either byte order)"
                        + " or a pcapng file (0a0d0d0a)");
        assertBad(file("gz.pcap", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0}), 0,
                "bad magic number 0x1f8b0800: not a pcap file (a1b2c3d4 or a1b23c4d, either byte order)"
                        + " or a pcapng file (0a0d0d0a); it looks gzip-compressed, gunzip it first");
        byte[] header = Bin.pcapHeader(LE, false, 65535, 1).toArray();
        assertBad(file("short-header.pcap", Arrays.copyOf(header, 20)), 0, "truncated file header: 20 of 24 bytes");
        assertBad(file("magic-only.pcap", Arrays.copyOf(header, 4)), 0, "truncated file header: 4 of 24 bytes");
        byte[] v3 = Bin.pcapHeader(BE, false, 65535, 1).toArray();
        v3[5] = 3; // major version 3 (big-endian u16 at 4)
        assertBad(file("v3.pcap", v3), 4, "unsupported pcap version 3.4 (only 2.x is defined)");
    }

    @Test
    void truncatedRecords() throws IOException {
        byte[] whole = Bin.pcapHeader(LE, false, 65535, 1)
                .pcapRecord(1, 2, new byte[100], 100)
                .pcapRecord(3, 4, new byte[60], 60)
                .toArray();
        // Cut inside the second record's header, then inside its data.
        assertBad(file("cut-header.pcap", Arrays.copyOf(whole, 24 + 116 + 10)), 140,
                "truncated record header: 10 of 16 bytes at the end of the file");
        assertBad(file("cut-data.pcap", Arrays.copyOf(whole, 24 + 116 + 16 + 59)), 140,
                "truncated record: 60 captured bytes announced, only 59 remain in the file");
        assertBad(file("no-data.pcap", Arrays.copyOf(whole, 24 + 116 + 16)), 140,
                "truncated record: 60 captured bytes announced, only 0 remain in the file");
        // The records before the cut were readable.
        try (PcapReader r = PcapReader.open(dir.resolve("cut-data.pcap"))) {
            assertTrue(r.next());
            assertEquals(100, r.capturedLength());
            PcapFormatException e = assertThrows(PcapFormatException.class, r::next);
            assertEquals(140, e.offset());
        }
    }

    @Test
    void absurdLengths() throws IOException {
        // Over the snapshot length in the header.
        assertBad(new Bin(BE).bytes(Bin.pcapHeader(BE, true, 64, 101).toArray()).pcapRecord(0, 0, new byte[65], 65)
                .writeTo(dir.resolve("over-snap.pcap")), 24,
                "captured length 65 exceeds the snapshot length 64 given in the file header");
        // 3 GiB announced in a 40-byte file with no snapshot limit: refused without allocating it.
        Bin huge = Bin.pcapHeader(LE, false, 0, 1).u32(0).u32(0).u32(3L << 30).u32(3L << 30);
        assertBad(huge.writeTo(dir.resolve("huge.pcap")), 24, "captured length 3221225472 is over the 256 MiB limit");
        // 200 MiB announced (under the limit, snapshot length 0xFFFFFFFF) in a tiny file: truncated, not allocated.
        Bin big = Bin.pcapHeader(LE, false, 0xFFFF_FFFFL, 1).u32(0).u32(0).u32(200L << 20).u32(200L << 20).bytes(new byte[10]);
        assertBad(big.writeTo(dir.resolve("big.pcap")), 24,
                "truncated record: 209715200 captured bytes announced, only 10 remain in the file");
    }

    @Test
    void badPcapngFiles() throws IOException {
        byte[] goodHeader = new Bin(LE).sectionHeader().toArray();
        // Bad byte-order magic.
        byte[] badOrder = goodHeader.clone();
        badOrder[8] = 0x11;
        assertBad(file("bom.pcapng", badOrder), 8,
                "bad byte-order magic 0x113c2b1a in a section header block (1a2b3c4d, either byte order)");
        // Only the first 10 bytes of a section header.
        assertBad(file("shb-cut.pcapng", Arrays.copyOf(goodHeader, 10)), 0,
                "truncated section header block: 10 of 12 bytes at the end of the file");
        // Section header claiming more bytes than the file has.
        assertBad(file("shb-long.pcapng", Arrays.copyOf(goodHeader, 24)), 0,
                "truncated block: block type 0x0a0d0d0a of length 28, only 24 bytes remain in the file");
        // Unsupported major version.
        byte[] v2 = goodHeader.clone();
        v2[12] = 2;
        assertBad(file("v2.pcapng", v2), 12, "unsupported pcapng version 2.0 (only 1.x is defined)");
        // A block length that is not a multiple of 4.
        Bin odd = new Bin(LE).sectionHeader().u32(0x0BAD).u32(13).bytes(new byte[5]);
        assertBad(odd.writeTo(dir.resolve("odd.pcapng")), 28,
                "block length 13 is not a multiple of 4 (block type 0x00000bad)");
        // A block length under the 12 bytes of type, length and trailing length.
        Bin tiny = new Bin(LE).sectionHeader().u32(0x0BAD).u32(8);
        assertBad(tiny.writeTo(dir.resolve("tiny.pcapng")), 28, "block length 8 is below the minimum 12 for block type 0x00000bad");
        // Leading and trailing lengths that disagree.
        Bin mismatch = new Bin(LE).sectionHeader().interfaceDescription(1, 0, new byte[0]);
        mismatch.u32At(mismatch.size() - 4, 24);
        assertBad(mismatch.writeTo(dir.resolve("mismatch.pcapng")), 28,
                "block length 20 at the start but 24 at the end (block type 0x00000001)");
        // A block running past the end of the file.
        byte[] cut = new Bin(LE).sectionHeader().interfaceDescription(1, 0, new byte[0])
                .enhancedPacket(0, 0, new byte[100], 100).toArray();
        assertBad(file("epb-cut.pcapng", Arrays.copyOf(cut, cut.length - 10)), 48,
                "truncated block: block type 0x00000006 of length 132, only 122 bytes remain in the file");
        // A block header cut short.
        assertBad(file("hdr-cut.pcapng", Arrays.copyOf(cut, 48 + 5)), 48,
                "truncated block header: 5 of 8 bytes at the end of the file");
        // A packet for an interface no block described.
        Bin noInterface = new Bin(BE).sectionHeader().enhancedPacket(0, 0, new byte[4], 4);
        assertBad(noInterface.writeTo(dir.resolve("no-if.pcapng")), 28,
                "packet for interface 0, but no interface is described before it in this section");
        Bin wrongInterface = new Bin(BE).sectionHeader().interfaceDescription(1, 0, new byte[0])
                .enhancedPacket(3, 0, new byte[4], 4);
        assertBad(wrongInterface.writeTo(dir.resolve("if3.pcapng")), 48,
                "packet for interface 3, but only 1 interface is described before it in this section");
        // A captured length that runs past its block.
        Bin past = new Bin(LE).sectionHeader().interfaceDescription(1, 0, new byte[0]);
        int epb = past.size();
        past.enhancedPacket(0, 0, new byte[8], 8).u32At(epb + 20, 100);
        assertBad(past.writeTo(dir.resolve("past.pcapng")), 48,
                "captured length 100 runs past the end of its enhanced packet block (room for 8)");
        // Over the interface's snapshot length.
        Bin snap = new Bin(LE).sectionHeader().interfaceDescription(1, 4, new byte[0]).enhancedPacket(0, 0, new byte[8], 8);
        assertBad(snap.writeTo(dir.resolve("snap.pcapng")), 48,
                "captured length 8 exceeds the snapshot length 4 given in interface 0's description");
        // An option running past its block.
        Bin option = new Bin(LE);
        byte[] options = option.body().u16(9).u16(40).u8(6).toArray();
        Bin badOption = new Bin(LE).sectionHeader().interfaceDescription(1, 0, options);
        assertBad(badOption.writeTo(dir.resolve("option.pcapng")), 44,
                "option 9 of length 40 runs past the end of its interface description block");
    }
}
