package dev.rawsock.wire;

import java.nio.ByteBuffer;

/**
 * A view over an Ethernet II header in a byte buffer (IEEE 802.3 §3.1.1 with the EtherType
 * interpretation of the type/length field): reads and writes each field in place, with no copying and no
 * checks. Reuse one view per thread with {@link #wrap}; the buffer's position and byte order do not
 * matter (fields are read big-endian by hand). No preamble, no frame check sequence: what a packet socket
 * and a pcap file hold.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |                  Destination MAC (6 bytes)                    |
 * |                               |      Source MAC (6 bytes)     |
 * |                                                               |
 * |           EtherType           |   payload ...
 * </pre>
 *
 * <p>One IEEE 802.1Q tag is understood: when the EtherType field holds 0x8100 ({@link #vlanTagged()}),
 * the next two bytes are the tag control information (priority, drop eligible, VLAN id) and the two
 * after that the inner EtherType; the payload then starts at byte 18 instead of 14
 * ({@link #payloadOffset()}, {@link #payloadEtherType()}). Stacked tags (802.1ad) are not unwrapped.
 */
public final class EthernetView extends HeaderView {
    // Field offsets from the start of the header.
    private static final int DESTINATION = 0;
    private static final int SOURCE = 6;
    private static final int ETHER_TYPE = 12;
    private static final int VLAN_TCI = 14;
    private static final int INNER_ETHER_TYPE = 16;
    /** The header length without a VLAN tag. */
    public static final int HEADER_BYTES = 14;
    /** The header length with one 802.1Q tag. */
    public static final int TAGGED_HEADER_BYTES = 18;

    /** Points the view at a header starting at {@code offset}; returns this view. */
    public EthernetView wrap(ByteBuffer buffer, int offset) {
        point(buffer, offset);
        return this;
    }

    /** The absolute offset of the 6-byte destination address in the buffer. */
    public int destinationOffset() {
        return at + DESTINATION;
    }

    /** The absolute offset of the 6-byte source address in the buffer. */
    public int sourceOffset() {
        return at + SOURCE;
    }

    /** The destination MAC in the low 48 bits (see {@link MacAddress}). */
    public long destination() {
        return MacAddress.read(b, at + DESTINATION);
    }

    public long source() {
        return MacAddress.read(b, at + SOURCE);
    }

    /** The type field at byte 12 as written: 0x8100 for a tagged frame, below 0x0600 for an 802.3 length. */
    public int etherType() {
        return u16(ETHER_TYPE);
    }

    /** True when the type field is 0x8100, an IEEE 802.1Q tag. */
    public boolean vlanTagged() {
        return etherType() == EtherTypes.VLAN;
    }

    /** The 802.1Q tag control information (bytes 14-15); meaningful only when {@link #vlanTagged()}. */
    public int vlanTci() {
        return u16(VLAN_TCI);
    }

    /** The priority code point, upper 3 bits of the TCI (IEEE 802.1p). */
    public int vlanPriority() {
        return vlanTci() >>> 13;
    }

    /** The drop eligible indicator, bit 12 of the TCI. */
    public boolean vlanDropEligible() {
        return (vlanTci() & 0x1000) != 0;
    }

    /** The VLAN identifier, lower 12 bits of the TCI. */
    public int vlanId() {
        return vlanTci() & 0x0FFF;
    }

    /** The EtherType after the tag (bytes 16-17); meaningful only when {@link #vlanTagged()}. */
    public int innerEtherType() {
        return u16(INNER_ETHER_TYPE);
    }

    /** The EtherType of the payload: the inner one for a tagged frame, otherwise the type field. */
    public int payloadEtherType() {
        return vlanTagged() ? innerEtherType() : etherType();
    }

    /** The header length: 18 for a tagged frame, else 14. */
    public int headerLengthBytes() {
        return vlanTagged() ? TAGGED_HEADER_BYTES : HEADER_BYTES;
    }

    /** The absolute offset in the buffer where the payload starts. */
    public int payloadOffset() {
        return at + headerLengthBytes();
    }

    // ---- writing ----

    public EthernetView destination(long address) {
        MacAddress.write(b, at + DESTINATION, address);
        return this;
    }

    public EthernetView source(long address) {
        MacAddress.write(b, at + SOURCE, address);
        return this;
    }

    public EthernetView etherType(int type) {
        put16(ETHER_TYPE, type);
        return this;
    }

    /** Writes the TCI at bytes 14-15 (write {@link #etherType(int) etherType(0x8100)} as well to tag the frame). */
    public EthernetView vlanTci(int tci) {
        put16(VLAN_TCI, tci);
        return this;
    }

    /** Sets the priority (3 bits), keeping the rest of the TCI. */
    public EthernetView vlanPriority(int priority) {
        return vlanTci((vlanTci() & 0x1FFF) | ((priority & 0x7) << 13));
    }

    public EthernetView vlanDropEligible(boolean dropEligible) {
        return vlanTci((vlanTci() & ~0x1000) | (dropEligible ? 0x1000 : 0));
    }

    /** Sets the VLAN id (12 bits), keeping the rest of the TCI. */
    public EthernetView vlanId(int id) {
        return vlanTci((vlanTci() & 0xF000) | (id & 0x0FFF));
    }

    public EthernetView innerEtherType(int type) {
        put16(INNER_ETHER_TYPE, type);
        return this;
    }


}
