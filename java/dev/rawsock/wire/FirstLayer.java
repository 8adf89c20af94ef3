package dev.rawsock.wire;

/** What a frame starts with: the decoder's view of a capture's link type. */
public enum FirstLayer {
    /** An Ethernet II header (pcap LINKTYPE_ETHERNET, AF_PACKET on most interfaces). */
    ETHERNET,
    /** An IPv4 or IPv6 header, told apart by the version nibble (LINKTYPE_RAW, raw IP sockets, lo via SOCK_DGRAM). */
    IP,
    IPV4,
    IPV6,
    /** Linux cooked capture v1: a 16-byte header with the protocol at bytes 14-15 (LINKTYPE_LINUX_SLL). */
    LINUX_SLL,
    /** Linux cooked capture v2: a 20-byte header with the protocol at bytes 0-1 (LINKTYPE_LINUX_SLL2). */
    LINUX_SLL2
}
