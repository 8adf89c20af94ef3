package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An ARP packet as a value (RFC 826): every field as written, addresses as raw bytes of the lengths the
 * header gives, so any hardware/protocol pair round-trips ({@code decode(emit(p))} equals {@code p}).
 * {@link #ethernetIpv4} builds the common case and the typed accessors read it.
 */
public record ArpPacket(int hardwareType, int protocolType, int hardwareLength, int protocolLength, int operation,
                        Bytes senderHardware, Bytes senderProtocol, Bytes targetHardware, Bytes targetProtocol) {

    public ArpPacket {
        Ipv4Header.checkRange("hardware_type", hardwareType, 0xFFFF);
        Ipv4Header.checkRange("protocol_type", protocolType, 0xFFFF);
        Ipv4Header.checkRange("hardware_length", hardwareLength, 0xFF);
        Ipv4Header.checkRange("protocol_length", protocolLength, 0xFF);
        Ipv4Header.checkRange("operation", operation, 0xFFFF);
        checkLength("sender_hardware", senderHardware, hardwareLength, "hardware_length");
        checkLength("target_hardware", targetHardware, hardwareLength, "hardware_length");
        checkLength("sender_protocol", senderProtocol, protocolLength, "protocol_length");
        checkLength("target_protocol", targetProtocol, protocolLength, "protocol_length");
    }

    private static void checkLength(String field, Bytes address, int length, String lengthField) {
        if (address.length() != length) {
            throw new IllegalArgumentException(field + " must be " + length + " bytes (" + lengthField + ") but was "
                    + address.length());
        }
    }

    /** An Ethernet/IPv4 packet (hardware type 1, protocol 0x0800, hlen 6, plen 4). */
    public static ArpPacket ethernetIpv4(int operation, long senderMac, int senderIpv4, long targetMac, int targetIpv4) {
        EthernetHeader.checkMac("sender_hardware", senderMac);
        EthernetHeader.checkMac("target_hardware", targetMac);
        return new ArpPacket(ArpView.HARDWARE_ETHERNET, EtherTypes.IPV4, 6, 4, operation,
                mac(senderMac), ipv4(senderIpv4), mac(targetMac), ipv4(targetIpv4));
    }

    private static Bytes mac(long mac) {
        ByteBuffer b = ByteBuffer.allocate(6);
        MacAddress.write(b, 0, mac);
        return Bytes.of(b.array());
    }

    private static Bytes ipv4(int address) {
        return Bytes.of((byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address);
    }

    /** True for hlen 6 and plen 4, where the typed accessors below apply. */
    public boolean isEthernetIpv4Shape() {
        return hardwareLength == 6 && protocolLength == 4;
    }

    public long senderMac() {
        return asMac("sender_hardware", senderHardware);
    }

    public long targetMac() {
        return asMac("target_hardware", targetHardware);
    }

    public int senderIpv4() {
        return asIpv4("sender_protocol", senderProtocol);
    }

    public int targetIpv4() {
        return asIpv4("target_protocol", targetProtocol);
    }

    private static long asMac(String field, Bytes bytes) {
        if (bytes.length() != 6) {
            throw new IllegalStateException(field + " is " + bytes.length() + " bytes, not a 6-byte MAC");
        }
        return MacAddress.read(ByteBuffer.wrap(bytes.toArray()), 0);
    }

    private static int asIpv4(String field, Bytes bytes) {
        if (bytes.length() != 4) {
            throw new IllegalStateException(field + " is " + bytes.length() + " bytes, not a 4-byte IPv4 address");
        }
        return (bytes.get(0) << 24) | (bytes.get(1) << 16) | (bytes.get(2) << 8) | bytes.get(3);
    }

    /** The length this value occupies when emitted: 8 + 2 * (hlen + plen). */
    public int emittedLengthBytes() {
        return ArpView.FIXED_BYTES + 2 * (hardwareLength + protocolLength);
    }

    /**
     * Reads the packet at the view, addresses by the lengths it gives; IllegalArgumentException when fewer
     * bytes are available than those lengths need.
     */
    public static ArpPacket decode(ArpView v, int availableBytes) {
        if (availableBytes < ArpView.FIXED_BYTES || availableBytes < v.lengthBytes()) {
            throw new IllegalArgumentException("ARP packet truncated: " + availableBytes + " of "
                    + (availableBytes < ArpView.FIXED_BYTES ? ArpView.FIXED_BYTES + "+" : v.lengthBytes() + " (hlen "
                    + v.hardwareLength() + ", plen " + v.protocolLength() + ")") + " bytes");
        }
        ByteBuffer b = v.buffer();
        int hlen = v.hardwareLength();
        int plen = v.protocolLength();
        return new ArpPacket(v.hardwareType(), v.protocolType(), hlen, plen, v.operation(),
                Bytes.copyOf(b, v.senderHardwareOffset(), hlen), Bytes.copyOf(b, v.senderProtocolOffset(), plen),
                Bytes.copyOf(b, v.targetHardwareOffset(), hlen), Bytes.copyOf(b, v.targetProtocolOffset(), plen));
    }

    /** Writes every field exactly as held; returns the bytes written ({@link #emittedLengthBytes()}). */
    public int emit(ByteBuffer b, int offset) {
        ArpView v = new ArpView().wrap(b, offset).hardwareType(hardwareType).protocolType(protocolType)
                .hardwareLength(hardwareLength).protocolLength(protocolLength).operation(operation);
        senderHardware.writeTo(b, v.senderHardwareOffset());
        senderProtocol.writeTo(b, v.senderProtocolOffset());
        targetHardware.writeTo(b, v.targetHardwareOffset());
        targetProtocol.writeTo(b, v.targetProtocolOffset());
        return emittedLengthBytes();
    }

    /** "request", "reply", "rarp-request", "rarp-reply", or "op-N". */
    public static String operationName(int operation) {
        switch (operation) {
            case ArpView.OPERATION_REQUEST: return "request";
            case ArpView.OPERATION_REPLY: return "reply";
            case ArpView.OPERATION_REVERSE_REQUEST: return "rarp-request";
            case ArpView.OPERATION_REVERSE_REPLY: return "rarp-reply";
            default: return "op-" + operation;
        }
    }
}
