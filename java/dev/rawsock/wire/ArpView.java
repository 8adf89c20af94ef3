package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an ARP packet in a byte buffer (RFC 826): reads and writes each field in place, with no
 * copying and no checks. Reuse one view per thread with {@link #wrap}; the buffer's position and byte order
 * do not matter (fields are read big-endian by hand).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |         Hardware Type         |         Protocol Type         |
 * |  Hardware Len |  Protocol Len |           Operation           |
 * |  Sender hardware address (hlen bytes) ...
 * |  Sender protocol address (plen bytes) ...
 * |  Target hardware address (hlen bytes) ...
 * |  Target protocol address (plen bytes) ...
 * </pre>
 *
 * <p>The address offsets are computed from the hardware and protocol lengths as written, so they are
 * right for any hlen/plen. The typed address getters and setters read and write 6-byte MACs and 4-byte
 * IPv4 addresses at those offsets: the common Ethernet/IPv4 case (hlen 6, plen 4). When crafting, write
 * the lengths before the addresses.
 */
public final class ArpView extends HeaderView {
    // Field offsets from the start of the packet.
    private static final int HARDWARE_TYPE = 0;
    private static final int PROTOCOL_TYPE = 2;
    private static final int HARDWARE_LENGTH = 4;
    private static final int PROTOCOL_LENGTH = 5;
    private static final int OPERATION = 6;
    /** Where the sender hardware address starts; also the fixed part's length. */
    public static final int FIXED_BYTES = 8;
    /** The length of an Ethernet/IPv4 ARP packet (hlen 6, plen 4). */
    public static final int ETHERNET_IPV4_BYTES = 28;

    public static final int HARDWARE_ETHERNET = 1;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;
    /** RARP (RFC 903). */
    public static final int OPERATION_REVERSE_REQUEST = 3;
    public static final int OPERATION_REVERSE_REPLY = 4;

    /** Points the view at a packet starting at {@code offset}; returns this view. */
    public ArpView wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    public int hardwareType() {
        return u16(HARDWARE_TYPE);
    }

    /** The protocol type, an EtherType (0x0800 for IPv4). */
    public int protocolType() {
        return u16(PROTOCOL_TYPE);
    }

    public int hardwareLength() {
        return u8(HARDWARE_LENGTH);
    }

    public int protocolLength() {
        return u8(PROTOCOL_LENGTH);
    }

    public int operation() {
        return u16(OPERATION);
    }

    /** The packet length the two length fields imply: 8 + 2 * (hlen + plen). */
    public int lengthBytes() {
        return FIXED_BYTES + 2 * (hardwareLength() + protocolLength());
    }

    /** Absolute offset of the sender hardware address. */
    public int senderHardwareOffset() {
        return at + FIXED_BYTES;
    }

    /** Absolute offset of the sender protocol address: after hlen bytes of sender hardware address. */
    public int senderProtocolOffset() {
        return senderHardwareOffset() + hardwareLength();
    }

    public int targetHardwareOffset() {
        return senderProtocolOffset() + protocolLength();
    }

    public int targetProtocolOffset() {
        return targetHardwareOffset() + hardwareLength();
    }

    /** The sender hardware address as a MAC (6 bytes at {@link #senderHardwareOffset()}). */
    public long senderHardwareAddress() {
        return MacAddress.read(b, senderHardwareOffset());
    }

    /** The sender protocol address as IPv4 (4 bytes at {@link #senderProtocolOffset()}, see {@link Ipv4Address}). */
    public int senderProtocolAddress() {
        return (int) BigEndian.u32(b, senderProtocolOffset());
    }

    public long targetHardwareAddress() {
        return MacAddress.read(b, targetHardwareOffset());
    }

    public int targetProtocolAddress() {
        return (int) BigEndian.u32(b, targetProtocolOffset());
    }

    // ---- writing ----

    public ArpView hardwareType(int type) {
        put16(HARDWARE_TYPE, type);
        return this;
    }

    public ArpView protocolType(int type) {
        put16(PROTOCOL_TYPE, type);
        return this;
    }

    public ArpView hardwareLength(int length) {
        b.put(at + HARDWARE_LENGTH, (byte) length);
        return this;
    }

    public ArpView protocolLength(int length) {
        b.put(at + PROTOCOL_LENGTH, (byte) length);
        return this;
    }

    public ArpView operation(int operation) {
        put16(OPERATION, operation);
        return this;
    }

    /** Writes a 6-byte MAC at the sender hardware offset the current lengths imply. */
    public ArpView senderHardwareAddress(long mac) {
        MacAddress.write(b, senderHardwareOffset(), mac);
        return this;
    }

    /** Writes a 4-byte IPv4 address at the sender protocol offset the current lengths imply. */
    public ArpView senderProtocolAddress(int address) {
        BigEndian.put32(b, senderProtocolOffset(), address);
        return this;
    }

    public ArpView targetHardwareAddress(long mac) {
        MacAddress.write(b, targetHardwareOffset(), mac);
        return this;
    }

    public ArpView targetProtocolAddress(int address) {
        BigEndian.put32(b, targetProtocolOffset(), address);
        return this;
    }





}
