package dev.rawsock.capture;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads capture files record by record, whatever their format: classic libpcap files
 * (https://www.tcpdump.org/manual/file-format; magic 0xa1b2c3d4 for microsecond or 0xa1b23c4d for
 * nanosecond timestamps, either byte order) and pcapng files
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html; Section Header, Interface
 * Description with its if_tsresol and if_tsoffset options, Enhanced, Simple and the obsolete Packet
 * blocks, every other block skipped; each section in its own byte order). {@link #open} tells them apart by
 * the first four bytes.
 *
 * <pre>
 * try (PcapReader r = PcapReader.open(path)) {
 *     while (r.next()) {
 *         ByteBuffer data = r.buffer(); // bytes 0 .. r.capturedLength()
 *         ...
 *     }
 * }
 * </pre>
 *
 * <p>The record's bytes are copied into one reused heap buffer, grown to the largest record seen; call
 * {@link #buffer()} after each {@link #next()}, as a larger record replaces the buffer. A file that is not a
 * valid capture raises {@link PcapFormatException}, naming the byte offset and the problem: a bad magic
 * number, a truncated header, block or record (also the last one: a record cut short by the end of the
 * file is an error, not the end of the data), a captured length over the snapshot length or over
 * {@link #MAX_RECORD_BYTES}, block lengths that disagree. Lengths are checked against the file's size
 * before anything is allocated for them, so a bad file cannot make the reader allocate more than the file
 * holds, and every step moves forward, so it cannot loop. Not thread-safe.
 */
public final class PcapReader implements Closeable {
    /** The largest captured length accepted for a record (256 MiB), whatever the snapshot length says. */
    public static final int MAX_RECORD_BYTES = 256 << 20;

    /** The two file formats. */
    public enum Format { PCAP, PCAPNG }

    private static final int INPUT_BUFFER_BYTES = 64 * 1024;
    private static final int INITIAL_RECORD_BYTES = 64 * 1024;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final int PCAP_MAGIC_MICROSECONDS = PcapWriter.MAGIC_MICROSECONDS;
    private static final int PCAP_MAGIC_NANOSECONDS = PcapWriter.MAGIC_NANOSECONDS;
    private static final int PCAP_FILE_HEADER_BYTES = PcapWriter.FILE_HEADER_BYTES;
    private static final int PCAP_RECORD_HEADER_BYTES = PcapWriter.RECORD_HEADER_BYTES;

    // pcapng block types (draft-ietf-opsawg-pcapng §4, §11.1).
    static final int BLOCK_SECTION_HEADER = 0x0A0D0D0A;
    static final int BLOCK_INTERFACE_DESCRIPTION = 0x00000001;
    static final int BLOCK_PACKET_OBSOLETE = 0x00000002;
    static final int BLOCK_SIMPLE_PACKET = 0x00000003;
    static final int BLOCK_ENHANCED_PACKET = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPTION_END = 0;
    static final int OPTION_IF_TSRESOL = 9;
    static final int OPTION_IF_TSOFFSET = 14;

    private static final int END = 0;
    private static final int PACKET = 1;
    private static final int INTERFACE = 2;
    private static final int OTHER = 3;

    /** One pcapng Interface Description Block, as far as reading records needs it. */
    private static final class Interface {
        int linkType;
        long snapLength;
        /** Timestamp units are 2^-exponent seconds when true, 10^-exponent seconds when false. */
        boolean base2;
        int exponent = 6;
        long offsetSeconds;
    }

    private final Path file;
    private final FileInput in;
    private final Format format;
    private ByteOrder order;

    // classic pcap
    private boolean nanosecondFile;
    private long fileSnapLength;
    private int fileLinkType;

    // pcapng
    private Interface[] interfaces = new Interface[4];
    private int interfaceCount;
    private Interface current;

    // the current record
    private ByteBuffer record = ByteBuffer.allocate(INITIAL_RECORD_BYTES);
    private long recordOffset = -1;
    private long epochNanos;
    private boolean hasTimestamp;
    private int capturedLength;
    private long originalLength;
    private long interfaceId;

    private PcapReader(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.in = new FileInput(channel, INPUT_BUFFER_BYTES);
        in.order(ByteOrder.BIG_ENDIAN);
        int got = in.require(4);
        if (got < 4) {
            throw problem(0, got == 0 ? "empty file: no pcap or pcapng header"
                    : "file of " + got + " bytes is too short for a pcap or pcapng header");
        }
        int magic = in.int32BigEndian();
        if (magic == BLOCK_SECTION_HEADER) {
            format = Format.PCAPNG;
            in.seek(0);
            int kind;
            do {
                kind = readBlock();
            } while (kind != INTERFACE && kind != END);
            current = interfaceCount > 0 ? interfaces[0] : null;
            return;
        }
        format = Format.PCAP;
        if (magic == PCAP_MAGIC_MICROSECONDS || magic == PCAP_MAGIC_NANOSECONDS) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (Integer.reverseBytes(magic) == PCAP_MAGIC_MICROSECONDS
                || Integer.reverseBytes(magic) == PCAP_MAGIC_NANOSECONDS) {
            order = ByteOrder.LITTLE_ENDIAN;
            magic = Integer.reverseBytes(magic);
        } else {
            throw problem(0, String.format("bad magic number 0x%08x: not a pcap file (a1b2c3d4 or a1b23c4d, either"
                    + " byte order) or a pcapng file (0a0d0d0a)%s", magic,
                    (magic >>> 16) == 0x1F8B ? "; it looks gzip-compressed, gunzip it first" : ""));
        }
        nanosecondFile = magic == PCAP_MAGIC_NANOSECONDS;
        in.order(order);
        got = in.require(PCAP_FILE_HEADER_BYTES - 4);
        if (got < PCAP_FILE_HEADER_BYTES - 4) {
            throw problem(0, "truncated file header: " + (4 + got) + " of " + PCAP_FILE_HEADER_BYTES + " bytes");
        }
        int major = in.uint16();
        int minor = in.uint16();
        in.int32(); // thiszone: 0 in practice; timestamps are UTC
        in.int32(); // sigfigs
        fileSnapLength = Integer.toUnsignedLong(in.int32());
        // The upper bits carry FCS information (draft-ietf-opsawg-pcap §4); the link type is the lower 16.
        fileLinkType = in.int32() & 0xFFFF;
        if (major != PcapWriter.VERSION_MAJOR) {
            throw problem(4, "unsupported pcap version " + major + "." + minor + " (only 2.x is defined)");
        }
    }

    /**
     * Opens a capture file, reading its header (for pcapng, up to the first interface description).
     * PcapFormatException when it is not a valid pcap or pcapng file.
     */
    public static PcapReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new PcapReader(file, channel);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public Format format() {
        return format;
    }

    /** The byte order of the file (pcap) or of the current section (pcapng). */
    public ByteOrder byteOrder() {
        return order;
    }

    /**
     * The link type of the file (pcap), or of the current record's interface (pcapng; before the first
     * {@link #next()}, of the first interface). Null when rawsock does not know the number
     * ({@link #linkTypeValue()} has it) or a pcapng file describes no interface.
     */
    public LinkType linkType() {
        return LinkType.fromValue(linkTypeValue());
    }

    /** The LINKTYPE_ number, as {@link #linkType()} picks it; -1 when a pcapng file describes no interface. */
    public int linkTypeValue() {
        if (format == Format.PCAP) {
            return fileLinkType;
        }
        return current == null ? -1 : current.linkType;
    }

    /** The snapshot length, as {@link #linkType()} picks it (0: none given; -1: no interface). */
    public long snapLength() {
        if (format == Format.PCAP) {
            return fileSnapLength;
        }
        return current == null ? -1 : current.snapLength;
    }

    /** True when timestamps are finer than microseconds: the nanosecond pcap magic, or a pcapng if_tsresol finer than 10^-6. */
    public boolean nanosecond() {
        if (format == Format.PCAP) {
            return nanosecondFile;
        }
        return current != null && (current.base2 ? current.exponent > 20 : current.exponent > 6);
    }

    /**
     * Moves to the next record; false at the end of the file. PcapFormatException when the file is bad
     * there (including a record or block cut short by the end of the file).
     */
    public boolean next() throws IOException {
        if (format == Format.PCAP) {
            return nextClassic();
        }
        int kind;
        do {
            kind = readBlock();
        } while (kind != PACKET && kind != END);
        return kind == PACKET;
    }

    /** The record's time in nanoseconds since 1970-01-01 UTC (0 for a pcapng Simple Packet Block, which has none). */
    public long epochNanos() {
        return epochNanos;
    }

    /** False for a pcapng Simple Packet Block, which carries no time. */
    public boolean hasTimestamp() {
        return hasTimestamp;
    }

    /** The number of bytes of the packet in the file: {@link #buffer()} holds them at 0 .. capturedLength. */
    public int capturedLength() {
        return capturedLength;
    }

    /** The packet's length on the wire, unsigned 32 bits. */
    public long originalLength() {
        return originalLength;
    }

    /** The pcapng interface the record came from (0 for pcap files). */
    public long interfaceId() {
        return interfaceId;
    }

    /** The file offset of the current record's header (pcap) or block (pcapng). */
    public long recordOffset() {
        return recordOffset;
    }

    /**
     * The record's bytes at 0 .. {@link #capturedLength()} (position 0, limit capturedLength). Reused by the
     * next record, and replaced by a larger buffer when a larger record arrives.
     */
    public ByteBuffer buffer() {
        return record;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    // ---- classic pcap ----

    private boolean nextClassic() throws IOException {
        long start = in.position();
        int got = in.require(PCAP_RECORD_HEADER_BYTES);
        if (got == 0) {
            return false;
        }
        if (got < PCAP_RECORD_HEADER_BYTES) {
            throw problem(start, "truncated record header: " + got + " of " + PCAP_RECORD_HEADER_BYTES
                    + " bytes at the end of the file");
        }
        long seconds = Integer.toUnsignedLong(in.int32());
        long fraction = Integer.toUnsignedLong(in.int32());
        long captured = Integer.toUnsignedLong(in.int32());
        long original = Integer.toUnsignedLong(in.int32());
        checkCapturedLength(start, captured, fileSnapLength, -1);
        readData(start, (int) captured);
        recordOffset = start;
        epochNanos = seconds * NANOS_PER_SECOND + (nanosecondFile ? fraction : fraction * 1000);
        hasTimestamp = true;
        originalLength = original;
        interfaceId = 0;
        return true;
    }

    /** {@code interfaceId} -1: the snapshot length is the pcap file header's. */
    private void checkCapturedLength(long start, long captured, long snapLength, long interfaceId) throws PcapFormatException {
        if (captured > MAX_RECORD_BYTES) {
            throw problem(start, "captured length " + captured + " is over the " + (MAX_RECORD_BYTES >> 20)
                    + " MiB limit");
        }
        if (snapLength != 0 && captured > snapLength) {
            throw problem(start, "captured length " + captured + " exceeds the snapshot length " + snapLength
                    + " given in " + (interfaceId < 0 ? "the file header" : "interface " + interfaceId + "'s description"));
        }
    }

    /** Copies the next {@code n} bytes into the record buffer, after checking the file holds them. */
    private void readData(long start, int n) throws IOException {
        if (n > in.buffered()) {
            long remaining = in.remaining(n);
            if (remaining < n) {
                throw problem(start, "truncated record: " + n + " captured bytes announced, only " + Math.max(0, remaining)
                        + " remain in the file");
            }
        }
        if (record.capacity() < n) {
            record = ByteBuffer.allocate((int) Math.min(MAX_RECORD_BYTES, Math.max(n, 2L * record.capacity())));
        }
        record.clear();
        int got = in.readInto(record, n);
        if (got < n) {
            throw problem(start, "truncated record: " + n + " captured bytes announced, only " + got
                    + " remain in the file");
        }
        record.position(0).limit(n);
        capturedLength = n;
    }

    // ---- pcapng ----

    /** Reads one block; returns END, PACKET (the record fields are set), INTERFACE or OTHER. */
    private int readBlock() throws IOException {
        long start = in.position();
        int got = in.require(8);
        if (got == 0) {
            return END;
        }
        if (got < 8) {
            throw problem(start, "truncated block header: " + got + " of 8 bytes at the end of the file");
        }
        int type = in.int32();
        if (type == BLOCK_SECTION_HEADER) {
            readSectionHeader(start);
            return OTHER;
        }
        long length = Integer.toUnsignedLong(in.int32());
        switch (type) {
            case BLOCK_INTERFACE_DESCRIPTION:
                checkBlockLength(start, type, length, 20);
                readInterface(start, length);
                endBlock(start, type, length);
                return INTERFACE;
            case BLOCK_ENHANCED_PACKET:
            case BLOCK_PACKET_OBSOLETE:
                checkBlockLength(start, type, length, 32);
                readPacket(start, type, length);
                endBlock(start, type, length);
                return PACKET;
            case BLOCK_SIMPLE_PACKET:
                checkBlockLength(start, type, length, 16);
                readSimplePacket(start, length);
                endBlock(start, type, length);
                return PACKET;
            default:
                checkBlockLength(start, type, length, 12);
                endBlock(start, type, length);
                return OTHER;
        }
    }

    private void readSectionHeader(long start) throws IOException {
        int got = in.require(8);
        if (got < 8) {
            throw problem(start, "truncated section header block: " + (4 + got) + " of 12 bytes at the end of the file");
        }
        int rawLength = in.int32BigEndian();
        int byteOrderMagic = in.int32BigEndian();
        if (byteOrderMagic == BYTE_ORDER_MAGIC) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (byteOrderMagic == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            order = ByteOrder.LITTLE_ENDIAN;
            rawLength = Integer.reverseBytes(rawLength);
        } else {
            throw problem(start + 8, String.format("bad byte-order magic 0x%08x in a section header block"
                    + " (1a2b3c4d, either byte order)", byteOrderMagic));
        }
        in.order(order);
        long length = Integer.toUnsignedLong(rawLength);
        checkBlockLength(start, BLOCK_SECTION_HEADER, length, 28);
        in.require(4);
        int major = in.uint16();
        int minor = in.uint16();
        if (major != 1) {
            throw problem(start + 12, "unsupported pcapng version " + major + "." + minor + " (only 1.x is defined)");
        }
        // A new section: interface ids start again from 0.
        interfaceCount = 0;
        current = null;
        endBlock(start, BLOCK_SECTION_HEADER, length);
    }

    private void readInterface(long start, long length) throws IOException {
        in.require(8);
        Interface i = new Interface();
        i.linkType = in.uint16();
        in.uint16(); // reserved
        i.snapLength = Integer.toUnsignedLong(in.int32());
        long end = start + length - 4;
        while (end - in.position() >= 4) {
            long optionStart = in.position();
            in.require(4);
            int code = in.uint16();
            int optionLength = in.uint16();
            long padded = (optionLength + 3) & ~3L;
            if (optionStart + 4 + optionLength > end) {
                throw problem(optionStart, "option " + code + " of length " + optionLength
                        + " runs past the end of its interface description block");
            }
            if (code == OPTION_END) {
                break;
            }
            long skip = Math.min(padded, end - optionStart - 4);
            if (code == OPTION_IF_TSRESOL && optionLength >= 1) {
                in.require(1);
                int resolution = in.uint8();
                i.base2 = (resolution & 0x80) != 0;
                i.exponent = resolution & 0x7F;
                skip -= 1;
            } else if (code == OPTION_IF_TSOFFSET && optionLength == 8) {
                in.require(8);
                i.offsetSeconds = in.int64();
                skip -= 8;
            }
            in.skip(skip);
        }
        if (interfaceCount == interfaces.length) {
            interfaces = java.util.Arrays.copyOf(interfaces, interfaceCount * 2);
        }
        interfaces[interfaceCount++] = i;
    }

    private void readPacket(long start, int type, long length) throws IOException {
        in.require(20);
        long id;
        if (type == BLOCK_ENHANCED_PACKET) {
            id = Integer.toUnsignedLong(in.int32());
        } else {
            id = in.uint16();
            in.uint16(); // drops count
        }
        long high = Integer.toUnsignedLong(in.int32());
        long low = Integer.toUnsignedLong(in.int32());
        long captured = Integer.toUnsignedLong(in.int32());
        long original = Integer.toUnsignedLong(in.int32());
        Interface i = interfaceFor(start, id);
        checkCapturedLength(start, captured, 0, -1);
        long room = length - 32;
        if (captured > room) {
            throw problem(start, "captured length " + captured + " runs past the end of its "
                    + (type == BLOCK_ENHANCED_PACKET ? "enhanced" : "obsolete") + " packet block (room for " + room + ")");
        }
        checkCapturedLength(start, captured, i.snapLength, id);
        readData(start, (int) captured);
        setRecord(start, i, id, original);
        epochNanos = toEpochNanos((high << 32) | low, i);
        hasTimestamp = true;
    }

    private void readSimplePacket(long start, long length) throws IOException {
        in.require(4);
        long original = Integer.toUnsignedLong(in.int32());
        Interface i = interfaceFor(start, 0);
        long captured = original;
        if (i.snapLength != 0 && captured > i.snapLength) {
            captured = i.snapLength;
        }
        long room = length - 16;
        checkCapturedLength(start, captured, 0, -1);
        if (captured > room) {
            throw problem(start, "simple packet block has room for " + room + " bytes but its packet needs " + captured);
        }
        readData(start, (int) captured);
        setRecord(start, i, 0, original);
        epochNanos = 0;
        hasTimestamp = false;
    }

    private Interface interfaceFor(long start, long id) throws PcapFormatException {
        if (id >= interfaceCount) {
            throw problem(start, "packet for interface " + id + ", but " + (interfaceCount == 0 ? "no interface is"
                    : "only " + interfaceCount + (interfaceCount == 1 ? " interface is" : " interfaces are"))
                    + " described before it in this section");
        }
        return interfaces[(int) id];
    }

    private void setRecord(long start, Interface i, long id, long original) {
        recordOffset = start;
        current = i;
        interfaceId = id;
        originalLength = original;
    }

    private void checkBlockLength(long start, int type, long length, int minimum) throws IOException {
        if (length < minimum) {
            throw problem(start, "block length " + length + " is below the minimum " + minimum + " for block type "
                    + blockTypeText(type));
        }
        if ((length & 3) != 0) {
            throw problem(start, "block length " + length + " is not a multiple of 4 (block type " + blockTypeText(type) + ")");
        }
        long remaining = in.remaining(length - (in.position() - start)) + (in.position() - start);
        if (length > remaining) {
            throw problem(start, "truncated block: block type " + blockTypeText(type) + " of length " + length + ", only "
                    + remaining + " bytes remain in the file");
        }
    }

    /** Checks the trailing copy of the block length and moves past the block. */
    private void endBlock(long start, int type, long length) throws IOException {
        in.seek(start + length - 4);
        if (in.require(4) < 4) {
            throw problem(start, "truncated block: the file ended inside it");
        }
        long trailing = Integer.toUnsignedLong(in.int32());
        if (trailing != length) {
            throw problem(start, "block length " + length + " at the start but " + trailing + " at the end (block type "
                    + blockTypeText(type) + ")");
        }
    }

    private static String blockTypeText(int type) {
        return String.format("0x%08x", type);
    }

    /**
     * Timestamp units to nanoseconds since the epoch: 10^-exponent or 2^-exponent seconds, plus the
     * if_tsoffset seconds. Times outside 1677-2262 wrap around (a long of nanoseconds).
     */
    static long toEpochNanos(long units, int exponent, boolean base2, long offsetSeconds) {
        long nanos;
        if (base2) {
            if (exponent == 0) {
                nanos = units * NANOS_PER_SECOND;
            } else {
                // (units * 10^9) >> exponent with a 128-bit product; units is unsigned.
                long low = units * NANOS_PER_SECOND;
                long high = Math.multiplyHigh(units, NANOS_PER_SECOND) + ((units >> 63) & NANOS_PER_SECOND);
                nanos = exponent < 64 ? (low >>> exponent) | (high << (64 - exponent))
                        : exponent < 128 ? high >>> (exponent - 64) : 0;
            }
        } else if (exponent <= 9) {
            nanos = units * POWERS_OF_TEN[9 - exponent];
        } else if (exponent - 9 <= 19) {
            nanos = Long.divideUnsigned(units, POWERS_OF_TEN[exponent - 9]);
        } else {
            nanos = 0; // 10^20 units per second: under a nanosecond per 2^64 units
        }
        return nanos + offsetSeconds * NANOS_PER_SECOND;
    }

    private static long toEpochNanos(long units, Interface i) {
        return toEpochNanos(units, i.exponent, i.base2, i.offsetSeconds);
    }

    /** 10^0 .. 10^19 (the last as an unsigned long). */
    private static final long[] POWERS_OF_TEN = new long[20];

    static {
        long p = 1;
        for (int k = 0; k < POWERS_OF_TEN.length; k++) {
            POWERS_OF_TEN[k] = p;
            p *= 10;
        }
    }

    private PcapFormatException problem(long offset, String what) {
        return new PcapFormatException(file, offset, what);
    }
}
