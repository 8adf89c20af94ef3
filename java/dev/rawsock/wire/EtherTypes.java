package dev.rawsock.wire;

/** EtherType values (IEEE 802 numbers, IANA "ieee-802-numbers" registry) that rawsock names. */
public final class EtherTypes {
    private EtherTypes() {}

    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    /** IEEE 802.1Q customer VLAN tag. */
    public static final int VLAN = 0x8100;
    public static final int IPV6 = 0x86DD;
    /** IEEE 802.1ad service VLAN tag (Q-in-Q outer tag). */
    public static final int QINQ = 0x88A8;

    /** Values below this are IEEE 802.3 length fields, not EtherTypes (IEEE 802.3 §3.2.6). */
    public static final int MIN_ETHERTYPE = 0x0600;

    /** "ipv4", "arp", "vlan", "ipv6", "qinq", or "0x" and four hex digits. */
    public static String name(int etherType) {
        switch (etherType) {
            case IPV4: return "ipv4";
            case ARP: return "arp";
            case VLAN: return "vlan";
            case IPV6: return "ipv6";
            case QINQ: return "qinq";
            default: return String.format("0x%04x", etherType);
        }
    }
}
