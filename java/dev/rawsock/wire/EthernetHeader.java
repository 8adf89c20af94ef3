package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * An Ethernet II header as a value: the two MAC addresses (low 48 bits of a long, see {@link MacAddress})
 * and the type field as written, so {@code decode(emit(h))} equals {@code h}. A VLAN tag is not part of
 * this value: a tagged frame decodes with {@code etherType} 0x8100, and its tag is the
 * {@link VlanTag} in the next four bytes.
 */
public record EthernetHeader(long destination, long source, int etherType) {

    public EthernetHeader {
        checkMac("destination", destination);
        checkMac("source", source);
        Ipv4Header.checkRange("ether_type", etherType, 0xFFFF);
    }

    static void checkMac(String field, long value) {
        if (value < 0 || value > MacAddress.MASK) {
            throw new IllegalArgumentException(field + " must be 0-0x" + Long.toHexString(MacAddress.MASK)
                    + " (48 bits) but was 0x" + Long.toHexString(value));
        }
    }

    /** The header length this value occupies when emitted: 14 bytes. */
    public int emittedLengthBytes() {
        return EthernetView.HEADER_BYTES;
    }

    /** Reads the header at the view; IllegalArgumentException when fewer than 14 bytes are available. */
    public static EthernetHeader decode(EthernetView v, int availableBytes) {
        if (availableBytes < EthernetView.HEADER_BYTES) {
            throw new IllegalArgumentException("Ethernet header truncated: " + availableBytes + " of "
                    + EthernetView.HEADER_BYTES + " bytes");
        }
        return new EthernetHeader(v.destination(), v.source(), v.etherType());
    }

    /** Writes every field exactly as held; returns the bytes written (14). */
    public int emit(ByteBuffer b, int offset) {
        new EthernetView().wrap(b, offset).destination(destination).source(source).etherType(etherType);
        return EthernetView.HEADER_BYTES;
    }

    /**
     * An IEEE 802.1Q tag as a value: the four bytes after a 0x8100 type field (priority, drop eligible,
     * VLAN id, and the inner EtherType).
     */
    public record VlanTag(int priority, boolean dropEligible, int vlanId, int etherType) {
        /** The bytes a tag occupies after the 14-byte header. */
        public static final int BYTES = 4;

        public VlanTag {
            Ipv4Header.checkRange("vlan_priority", priority, 0x7);
            Ipv4Header.checkRange("vlan_id", vlanId, 0xFFF);
            Ipv4Header.checkRange("ether_type", etherType, 0xFFFF);
        }

        /** The tag control information these fields make. */
        public int tci() {
            return (priority << 13) | (dropEligible ? 0x1000 : 0) | vlanId;
        }

        /**
         * Reads the tag after the header at the view (whatever its type field says); IllegalArgumentException
         * when fewer than 18 bytes are available from the start of the header.
         */
        public static VlanTag decode(EthernetView v, int availableBytes) {
            if (availableBytes < EthernetView.TAGGED_HEADER_BYTES) {
                throw new IllegalArgumentException("802.1Q tag truncated: " + availableBytes + " of "
                        + EthernetView.TAGGED_HEADER_BYTES + " bytes");
            }
            return new VlanTag(v.vlanPriority(), v.vlanDropEligible(), v.vlanId(), v.innerEtherType());
        }

        /** Writes the TCI and inner type at {@code headerOffset + 14}; returns the bytes written (4). */
        public int emit(ByteBuffer b, int headerOffset) {
            new EthernetView().wrap(b, headerOffset).vlanTci(tci()).innerEtherType(etherType);
            return BYTES;
        }
    }
}
