package dev.rawsock.socket;

import dev.rawsock.linux.Constants;

/**
 * The third argument of socket(2). IP protocol numbers for AF_INET/AF_INET6; Ethernet protocol ids
 * for AF_PACKET, which the kernel wants in network byte order (C writes {@code htons(ETH_P_ALL)}).
 */
public enum Protocol {
    IPPROTO_IP(Constants.IPPROTO_IP, false),
    IPPROTO_ICMP(Constants.IPPROTO_ICMP, false),
    IPPROTO_TCP(Constants.IPPROTO_TCP, false),
    IPPROTO_UDP(Constants.IPPROTO_UDP, false),
    IPPROTO_ICMPV6(Constants.IPPROTO_ICMPV6, false),
    IPPROTO_RAW(Constants.IPPROTO_RAW, false),
    ETH_P_ALL(Constants.ETH_P_ALL, true),
    ETH_P_IP(Constants.ETH_P_IP, true),
    ETH_P_IPV6(Constants.ETH_P_IPV6, true),
    ETH_P_ARP(Constants.ETH_P_ARP, true);

    /** The number as C names it (host order). */
    public final int number;
    /** True for Ethernet protocol ids, passed to socket(2) through htons. */
    public final boolean ethernet;

    Protocol(int number, boolean ethernet) {
        this.number = number;
        this.ethernet = ethernet;
    }

    /** The value socket(2) receives. */
    public int socketArgument() {
        return ethernet ? Short.toUnsignedInt(Short.reverseBytes((short) number)) : number;
    }

    /** How C code writes the argument: {@code IPPROTO_TCP} or {@code htons(ETH_P_ALL)}. */
    public String cText() {
        return ethernet ? "htons(" + name() + ")" : name();
    }

    /** The IP protocol with that number, or null. */
    public static Protocol ofIp(int number) {
        for (Protocol p : values()) {
            if (!p.ethernet && p.number == number) {
                return p;
            }
        }
        return null;
    }
}
