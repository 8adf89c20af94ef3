package dev.rawsock.capture;

import dev.rawsock.wire.FirstLayer;

import dev.rawsock.wire.EtherTypes;
import dev.rawsock.wire.EthernetView;

import java.nio.ByteBuffer;

/**
 * The link-layer header types rawsock reads and writes in capture files (the LINKTYPE_ values of
 * https://www.tcpdump.org/linktypes.html), with where the network layer starts in a record and how its
 * protocol is found. The protocol is reported as an EtherType ({@link EtherTypes}): 0x0800 IPv4, 0x86DD
 * IPv6, 0x0806 ARP, ...
 */
public enum LinkType {
    /** LINKTYPE_ETHERNET: an Ethernet II header (14 bytes, 18 with one 802.1Q tag); the EtherType names the protocol. */
    ETHERNET(1, EthernetView.HEADER_BYTES),
    /** LINKTYPE_RAW: a bare IPv4 or IPv6 packet; the version nibble of the first byte says which. */
    RAW(101, 0),
    /** LINKTYPE_IPV4: a bare IPv4 packet. */
    IPV4(228, 0),
    /** LINKTYPE_IPV6: a bare IPv6 packet. */
    IPV6(229, 0),
    /**
     * LINKTYPE_LINUX_SLL, Linux "cooked" capture v1: a 16-byte header — packet type (2), ARPHRD_ type (2),
     * link-layer address length (2), address (8, zero-padded), protocol (2, an EtherType for most devices).
     */
    LINUX_SLL(113, 16),
    /**
     * LINKTYPE_LINUX_SLL2, Linux "cooked" capture v2: a 20-byte header — protocol (2, an EtherType for most
     * devices), reserved (2), interface index (4), ARPHRD_ type (2), packet type (1), link-layer address
     * length (1), address (8).
     */
    LINUX_SLL2(276, 20);

    /** Offset of the protocol field in a LINUX_SLL header. */
    public static final int SLL_PROTOCOL_OFFSET = 14;
    /** Offset of the protocol field in a LINUX_SLL2 header. */
    public static final int SLL2_PROTOCOL_OFFSET = 0;

    private final int value;
    private final int headerBytes;

    LinkType(int value, int headerBytes) {
        this.value = value;
        this.headerBytes = headerBytes;
    }

    /** What the decoder finds at the start of a frame of this link type. */
    public FirstLayer firstLayer() {
        switch (this) {
            case ETHERNET: return FirstLayer.ETHERNET;
            case IPV4: return FirstLayer.IPV4;
            case IPV6: return FirstLayer.IPV6;
            case LINUX_SLL: return FirstLayer.LINUX_SLL;
            case LINUX_SLL2: return FirstLayer.LINUX_SLL2;
            default: return FirstLayer.IP;
        }
    }

    /** The LINKTYPE_ number written in capture files. */
    public int value() {
        return value;
    }

    /** The fixed link-layer header length: where the network layer starts, except for a VLAN-tagged Ethernet frame. */
    public int headerBytes() {
        return headerBytes;
    }

    /** values() copies the array at each call, and a reader asks once per packet. */
    private static final LinkType[] ALL = values();

    /** The link type with this LINKTYPE_ number, or null when rawsock does not know it. */
    public static LinkType fromValue(int value) {
        for (LinkType t : ALL) {
            if (t.value == value) {
                return t;
            }
        }
        return null;
    }

    /**
     * The absolute offset where the network layer starts in a record of {@code length} bytes at
     * {@code offset}: after the fixed header, and after an 802.1Q tag for a tagged Ethernet frame. Returns
     * -1 when the record is too short to hold the link-layer header.
     */
    public int networkOffset(ByteBuffer b, int offset, int length) {
        if (length < headerBytes) {
            return -1;
        }
        if (this == ETHERNET) {
            EthernetView e = ethernet(b, offset);
            if (e.vlanTagged()) {
                return length < EthernetView.TAGGED_HEADER_BYTES ? -1 : offset + EthernetView.TAGGED_HEADER_BYTES;
            }
        }
        return offset + headerBytes;
    }

    /**
     * The network protocol of a record, as an EtherType: the (inner, when tagged) EtherType for ETHERNET;
     * the protocol field for LINUX_SLL/LINUX_SLL2 (an EtherType for Ethernet-like devices; for others
     * Linux puts its ETH_P_ value there, e.g. 0x0004 for 802.2 LLC, and the ARPHRD_ type tells more); IPv4
     * or IPv6 by the version nibble for RAW; fixed for IPV4 and IPV6. Returns -1 when the record is too
     * short to tell, or a RAW packet's version is neither 4 nor 6.
     */
    public int networkProtocol(ByteBuffer b, int offset, int length) {
        switch (this) {
            case ETHERNET:
                if (length < EthernetView.HEADER_BYTES) {
                    return -1;
                }
                EthernetView e = ethernet(b, offset);
                if (e.vlanTagged()) {
                    return length < EthernetView.TAGGED_HEADER_BYTES ? -1 : e.innerEtherType();
                }
                return e.etherType();
            case RAW:
                if (length < 1) {
                    return -1;
                }
                int version = (b.get(offset) & 0xFF) >>> 4;
                return version == 4 ? EtherTypes.IPV4 : version == 6 ? EtherTypes.IPV6 : -1;
            case IPV4:
                return EtherTypes.IPV4;
            case IPV6:
                return EtherTypes.IPV6;
            case LINUX_SLL:
                return length < headerBytes ? -1 : u16(b, offset + SLL_PROTOCOL_OFFSET);
            case LINUX_SLL2:
                return length < headerBytes ? -1 : u16(b, offset + SLL2_PROTOCOL_OFFSET);
            default:
                throw new AssertionError(this);
        }
    }

    private static EthernetView ethernet(ByteBuffer b, int offset) {
        // A view is two fields; this keeps LinkType stateless and thread-safe (escape analysis removes it).
        return new EthernetView().wrap(b, offset);
    }

    private static int u16(ByteBuffer b, int at) {
        return ((b.get(at) & 0xFF) << 8) | (b.get(at + 1) & 0xFF);
    }
}
