package dev.rawsock.linux;

/**
 * Linux constants the project uses, with the values of the x86-64/aarch64 glibc headers.
 *
 * <p>Kept here rather than taken from jnr-constants, which lacks AF_PACKET, SOL_PACKET, ETH_P_* and
 * PACKET_* and answers unknown names with a dummy value. Every field is checked against the C headers
 * by {@code ConstantsAndLayoutsTest}, which runs {@code native/constants.c}: add a field here, add its
 * line there.
 */
public final class Constants {
    private Constants() {}

    // Address families, socket(2) / address_families(7).
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;

    // Socket types; the flags are or-ed into the type argument of socket(2).
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    // IP protocol numbers (IANA), netinet/in.h.
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int IPPROTO_RAW = 255;

    // Option levels.
    public static final int SOL_SOCKET = 1;
    public static final int SOL_IP = 0;
    public static final int SOL_TCP = 6;
    public static final int SOL_UDP = 17;
    public static final int SOL_IPV6 = 41;
    public static final int SOL_PACKET = 263;

    // SOL_SOCKET options, socket(7).
    public static final int SO_DEBUG = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_DONTROUTE = 5;
    public static final int SO_BROADCAST = 6;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_OOBINLINE = 10;
    public static final int SO_LINGER = 13;
    public static final int SO_REUSEPORT = 15;
    public static final int SO_RCVLOWAT = 18;
    public static final int SO_SNDLOWAT = 19;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDTIMEO = 21;
    public static final int SO_BINDTODEVICE = 25;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_DETACH_FILTER = 27;
    public static final int SO_TIMESTAMP = 29;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_PEERCRED = 17;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_PROTOCOL = 38;
    public static final int SO_DOMAIN = 39;
    public static final int SO_TIMESTAMPNS = 35;
    /** The control message SO_TIMESTAMPNS delivers: a struct timespec, CLOCK_REALTIME (socket(7)). */
    public static final int SCM_TIMESTAMPNS = 35;
    public static final int SO_BUSY_POLL = 46;
    /** getsockopt only: the socket's memory counters, SK_MEMINFO_VARS 32-bit words (linux/sock_diag.h). */
    public static final int SO_MEMINFO = 55;
    /** The word of SO_MEMINFO that counts packets dropped because the receive queue was full (sk_drops). */
    public static final int SK_MEMINFO_DROPS = 8;
    public static final int SK_MEMINFO_VARS = 9;

    // IPPROTO_IP options, ip(7).
    public static final int IP_TOS = 1;
    public static final int IP_TTL = 2;
    public static final int IP_HDRINCL = 3;
    public static final int IP_OPTIONS = 4;
    public static final int IP_RECVERR = 11;
    public static final int IP_MTU_DISCOVER = 10;
    public static final int IP_MTU = 14;
    public static final int IP_FREEBIND = 15;
    public static final int IP_PMTUDISC_DONT = 0;
    public static final int IP_PMTUDISC_DO = 2;

    // IPPROTO_IPV6 options, ipv6(7).
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_V6ONLY = 26;
    public static final int IPV6_TCLASS = 67;
    public static final int IPV6_HDRINCL = 36;
    /** Raw sockets: the offset of the checksum the kernel computes, -1 for none; refused on ICMPv6 sockets (RFC 3542 §3.1). */
    public static final int IPV6_CHECKSUM = 7;
    public static final int IPV6_MULTICAST_HOPS = 18;
    /** Take the flow label from sin6_flowinfo of sendto's address (linux/in6.h; not in glibc). */
    public static final int IPV6_FLOWINFO_SEND = 33;
    /** Whether the kernel makes up a flow label when none is given (net.ipv6.auto_flowlabels). */
    public static final int IPV6_AUTOFLOWLABEL = 70;

    // IPPROTO_TCP options, tcp(7).
    public static final int TCP_NODELAY = 1;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_CORK = 3;
    public static final int TCP_KEEPIDLE = 4;
    public static final int TCP_KEEPINTVL = 5;
    public static final int TCP_KEEPCNT = 6;
    public static final int TCP_SYNCNT = 7;
    public static final int TCP_LINGER2 = 8;
    public static final int TCP_DEFER_ACCEPT = 9;
    public static final int TCP_WINDOW_CLAMP = 10;
    public static final int TCP_INFO = 11;
    public static final int TCP_QUICKACK = 12;
    public static final int TCP_CONGESTION = 13;
    public static final int TCP_USER_TIMEOUT = 18;
    public static final int TCP_FASTOPEN = 23;
    public static final int TCP_NOTSENT_LOWAT = 25;

    // TCP states as tcp_info.tcpi_state reports them (include/net/tcp_states.h).
    public static final int TCP_ESTABLISHED = 1;
    public static final int TCP_SYN_SENT = 2;
    public static final int TCP_SYN_RECV = 3;
    public static final int TCP_FIN_WAIT1 = 4;
    public static final int TCP_FIN_WAIT2 = 5;
    public static final int TCP_TIME_WAIT = 6;
    public static final int TCP_CLOSE = 7;
    public static final int TCP_CLOSE_WAIT = 8;
    public static final int TCP_LAST_ACK = 9;
    public static final int TCP_LISTEN = 10;
    public static final int TCP_CLOSING = 11;

    // shutdown(2).
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;

    // send(2)/recv(2) flags.
    public static final int MSG_OOB = 0x1;
    public static final int MSG_PEEK = 0x2;
    public static final int MSG_DONTROUTE = 0x4;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_WAITALL = 0x100;
    public static final int MSG_ERRQUEUE = 0x2000;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_WAITFORONE = 0x10000;

    // Ethernet protocol ids (linux/if_ether.h); given to AF_PACKET sockets in network byte order.
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86DD;
    public static final int ETH_P_ALL = 0x0003;

    // AF_PACKET, packet(7).
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    public static final int PACKET_DROP_MEMBERSHIP = 2;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_AUXDATA = 8;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_IGNORE_OUTGOING = 23;
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    public static final int PACKET_OUTGOING = 4;
    public static final int PACKET_MR_PROMISC = 1;
    /** tpacket_auxdata.tp_status: the checksum is not filled in yet (offloaded; the frame never left the host). */
    public static final int TP_STATUS_CSUMNOTREADY = 0x8;
    /** tpacket_auxdata.tp_status: the checksum was verified by the device or the kernel. */
    public static final int TP_STATUS_CSUM_VALID = 0x80;
    /** sockaddr_ll.sll_hatype (net/if_arp.h): an Ethernet device. */
    public static final int ARPHRD_ETHER = 1;
    /** sockaddr_ll.sll_hatype: the loopback device (its frames carry an Ethernet header of zero MACs). */
    public static final int ARPHRD_LOOPBACK = 772;

    // poll(2).
    public static final int POLLIN = 0x1;
    public static final int POLLPRI = 0x2;
    public static final int POLLOUT = 0x4;
    public static final int POLLERR = 0x8;
    public static final int POLLHUP = 0x10;
    public static final int POLLNVAL = 0x20;

    // clock_gettime(2).
    public static final int CLOCK_REALTIME = 0;
    public static final int CLOCK_MONOTONIC = 1;

    // fcntl(2).
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_NONBLOCK = 0x800;

    // open(2): a namespace file (/run/netns/NAME) is opened read-only, and not inherited by children.
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;

    // setns(2) / clone(2).
    public static final int CLONE_NEWNET = 0x40000000;

    // Interface requests, netdevice(7).
    public static final int SIOCGIFINDEX = 0x8933;
    public static final int SIOCGIFFLAGS = 0x8913;
    public static final int SIOCGIFMTU = 0x8921;
    public static final int SIOCGIFHWADDR = 0x8927;
    public static final int SIOCGIFADDR = 0x8915;
    public static final int IFNAMSIZ = 16;
    /** ifreq.ifr_flags (net/if.h): the interface is administratively up. */
    public static final int IFF_UP = 0x1;
    /** ifreq.ifr_flags: the loopback device. */
    public static final int IFF_LOOPBACK = 0x8;
    /** ifreq.ifr_flags: operational, the carrier is up (RFC 2863 operstatus "up"). */
    public static final int IFF_RUNNING = 0x40;

    // The ethtool ioctl (linux/sockios.h, linux/ethtool.h): ifreq.ifr_data points at a struct ethtool_value.
    public static final int SIOCETHTOOL = 0x8946;
    /** Read whether the device finishes transmit checksums itself (tx checksum offload). */
    public static final int ETHTOOL_GTXCSUM = 0x16;
    /** Switch transmit checksum offload on or off (off: the kernel fills in every checksum before sending). */
    public static final int ETHTOOL_STXCSUM = 0x17;

    // rtnetlink(7): the kernel's neighbour table (ARP, IPv6 neighbour discovery) asked over a NETLINK_ROUTE socket.
    public static final int NETLINK_ROUTE = 0;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_GETNEIGH = 30;
    /** nlmsghdr.nlmsg_flags (linux/netlink.h): a request, and with NLM_F_DUMP one for the whole table. */
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_DUMP = 0x300;
    /** nlmsghdr.nlmsg_type: an error (an int follows the header: 0, or minus an errno); the end of a dump. */
    public static final int NLMSG_ERROR = 0x2;
    public static final int NLMSG_DONE = 0x3;
    /** rtattr types of a neighbour (linux/neighbour.h): its network address, its link-layer address. */
    public static final int NDA_DST = 1;
    public static final int NDA_LLADDR = 2;
    /** ndmsg.ndm_state (linux/neighbour.h): the states in which the link-layer address may be used (the kernel's NUD_VALID). */
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
}
