package dev.rawsock.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds capture files byte by byte in a chosen order, so the readers meet files no writer of ours made. */
final class Bin {
    private ByteBuffer b = ByteBuffer.allocate(256);

    Bin(ByteOrder order) {
        b.order(order);
    }

    Bin order(ByteOrder order) {
        b.order(order);
        return this;
    }

    private Bin room(int n) {
        if (b.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n)).order(b.order());
            b.flip();
            bigger.put(b);
            b = bigger;
        }
        return this;
    }

    Bin u8(int v) {
        room(1).b.put((byte) v);
        return this;
    }

    Bin u16(int v) {
        room(2).b.putShort((short) v);
        return this;
    }

    Bin u32(long v) {
        room(4).b.putInt((int) v);
        return this;
    }

    Bin u64(long v) {
        room(8).b.putLong(v);
        return this;
    }

    Bin bytes(byte[] v) {
        room(v.length).b.put(v);
        return this;
    }

    /** Zero bytes up to a multiple of 4. */
    Bin pad4() {
        while (b.position() % 4 != 0) {
            u8(0);
        }
        return this;
    }

    int size() {
        return b.position();
    }

    /** Overwrites a 32-bit value at an absolute position. */
    Bin u32At(int at, long v) {
        b.putInt(at, (int) v);
        return this;
    }

    byte[] toArray() {
        byte[] out = new byte[b.position()];
        b.get(0, out);
        return out;
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, toArray());
        return file;
    }

    // ---- classic pcap ----

    static Bin pcapHeader(ByteOrder order, boolean nanosecond, long snapLength, int linkType) {
        return new Bin(order).u32(nanosecond ? 0xA1B23C4DL : 0xA1B2C3D4L).u16(2).u16(4).u32(0).u32(0)
                .u32(snapLength).u32(linkType);
    }

    Bin pcapRecord(long seconds, long fraction, byte[] data, long originalLength) {
        return u32(seconds).u32(fraction).u32(data.length).u32(originalLength).bytes(data);
    }

    // ---- pcapng ----

    /** A block: type, total length, body padded to 4, total length again. */
    Bin block(int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        u32(type).u32(12 + padded).bytes(body);
        for (int i = body.length; i < padded; i++) {
            u8(0);
        }
        return u32(12 + padded);
    }

    /** A section header block (version 1.0, section length unknown) in this builder's order. */
    Bin sectionHeader() {
        return block(0x0A0D0D0A, body().u32(0x1A2B3C4D).u16(1).u16(0).u64(-1).toArray());
    }

    /** A body builder in this builder's order. */
    Bin body() {
        return new Bin(b.order());
    }

    /** An interface description block; {@code options} is an already-encoded option list (may be empty). */
    Bin interfaceDescription(int linkType, long snapLength, byte[] options) {
        return block(1, body().u16(linkType).u16(0).u32(snapLength).bytes(options).toArray());
    }

    /** Options: code, length, value padded to 4, then opt_endofopt. */
    Bin option(int code, byte[] value) {
        u16(code).u16(value.length).bytes(value);
        return pad4();
    }

    Bin endOfOptions() {
        return u16(0).u16(0);
    }

    Bin enhancedPacket(long interfaceId, long timestamp, byte[] data, long originalLength) {
        return block(6, body().u32(interfaceId).u32(timestamp >>> 32).u32(timestamp & 0xFFFFFFFFL).u32(data.length)
                .u32(originalLength).bytes(data).pad4().toArray());
    }

    Bin simplePacket(byte[] data, long originalLength) {
        return block(3, body().u32(originalLength).bytes(data).pad4().toArray());
    }
}
