package dev.rawsock.linux;

/**
 * C struct layouts for x86-64/aarch64 Linux, as sizes and byte offsets written out by hand.
 *
 * <p>Hand-computed on purpose: jnr.ffi.Struct omits trailing padding (msghdr comes out 52 bytes
 * instead of 56, and then sendmmsg walks the array wrongly). Each nested class names its C struct
 * ({@code C_NAME}); every other int field is {@code SIZE} or the offset of the C member of the same
 * name in lower case. {@code ConstantsAndLayoutsTest} compares all of them with offsetof/sizeof from
 * {@code native/constants.c}. Multi-byte fields are host order except where the C member is
 * network order (sin_port, sin_addr, sin6_port, sll_protocol).
 */
public final class Structs {
    private Structs() {}

    /** struct sockaddr_in, ip(7). */
    public static final class SockaddrIn {
        public static final String C_NAME = "sockaddr_in";
        public static final int SIZE = 16;
        public static final int SIN_FAMILY = 0;
        public static final int SIN_PORT = 2;
        public static final int SIN_ADDR = 4;
        private SockaddrIn() {}
    }

    /** struct sockaddr_in6, ipv6(7). */
    public static final class SockaddrIn6 {
        public static final String C_NAME = "sockaddr_in6";
        public static final int SIZE = 28;
        public static final int SIN6_FAMILY = 0;
        public static final int SIN6_PORT = 2;
        public static final int SIN6_FLOWINFO = 4;
        public static final int SIN6_ADDR = 8;
        public static final int SIN6_SCOPE_ID = 24;
        private SockaddrIn6() {}
    }

    /** struct sockaddr_ll, packet(7). */
    public static final class SockaddrLl {
        public static final String C_NAME = "sockaddr_ll";
        public static final int SIZE = 20;
        public static final int SLL_FAMILY = 0;
        public static final int SLL_PROTOCOL = 2;
        public static final int SLL_IFINDEX = 4;
        public static final int SLL_HATYPE = 8;
        public static final int SLL_PKTTYPE = 10;
        public static final int SLL_HALEN = 11;
        public static final int SLL_ADDR = 12;
        private SockaddrLl() {}
    }

    /** struct sockaddr_un, unix(7); sun_path holds 108 bytes. */
    public static final class SockaddrUn {
        public static final String C_NAME = "sockaddr_un";
        public static final int SIZE = 110;
        public static final int SUN_FAMILY = 0;
        public static final int SUN_PATH = 2;
        private SockaddrUn() {}
    }

    /** struct sockaddr_storage: big enough for any address the kernel returns. */
    public static final class SockaddrStorage {
        public static final String C_NAME = "sockaddr_storage";
        public static final int SIZE = 128;
        public static final int SS_FAMILY = 0;
        private SockaddrStorage() {}
    }

    /** struct iovec, readv(2). */
    public static final class Iovec {
        public static final String C_NAME = "iovec";
        public static final int SIZE = 16;
        public static final int IOV_BASE = 0;
        public static final int IOV_LEN = 8;
        private Iovec() {}
    }

    /** struct msghdr, recvmsg(2): 56 bytes with 4 bytes of trailing padding after msg_flags. */
    public static final class Msghdr {
        public static final String C_NAME = "msghdr";
        public static final int SIZE = 56;
        public static final int MSG_NAME = 0;
        public static final int MSG_NAMELEN = 8;
        public static final int MSG_IOV = 16;
        public static final int MSG_IOVLEN = 24;
        public static final int MSG_CONTROL = 32;
        public static final int MSG_CONTROLLEN = 40;
        public static final int MSG_FLAGS = 48;
        private Msghdr() {}
    }

    /** struct mmsghdr, sendmmsg(2): msg_len sits at 56 and the element is 64 bytes. */
    public static final class Mmsghdr {
        public static final String C_NAME = "mmsghdr";
        public static final int SIZE = 64;
        public static final int MSG_HDR = 0;
        public static final int MSG_LEN = 56;
        private Mmsghdr() {}
    }

    /** struct timeval, as SO_RCVTIMEO/SO_SNDTIMEO take it. */
    public static final class Timeval {
        public static final String C_NAME = "timeval";
        public static final int SIZE = 16;
        public static final int TV_SEC = 0;
        public static final int TV_USEC = 8;
        private Timeval() {}
    }

    /** struct timespec, as recvmmsg(2) takes its timeout. */
    public static final class Timespec {
        public static final String C_NAME = "timespec";
        public static final int SIZE = 16;
        public static final int TV_SEC = 0;
        public static final int TV_NSEC = 8;
        private Timespec() {}
    }

    /** struct linger, SO_LINGER in socket(7). */
    public static final class Linger {
        public static final String C_NAME = "linger";
        public static final int SIZE = 8;
        public static final int L_ONOFF = 0;
        public static final int L_LINGER = 4;
        private Linger() {}
    }

    /** struct pollfd, poll(2). */
    public static final class Pollfd {
        public static final String C_NAME = "pollfd";
        public static final int SIZE = 8;
        public static final int FD = 0;
        public static final int EVENTS = 4;
        public static final int REVENTS = 6;
        private Pollfd() {}
    }

    /** struct ucred, SO_PEERCRED in unix(7). */
    public static final class Ucred {
        public static final String C_NAME = "ucred";
        public static final int SIZE = 12;
        public static final int PID = 0;
        public static final int UID = 4;
        public static final int GID = 8;
        private Ucred() {}
    }

    /** struct tpacket_stats, PACKET_STATISTICS in packet(7). */
    public static final class TpacketStats {
        public static final String C_NAME = "tpacket_stats";
        public static final int SIZE = 8;
        public static final int TP_PACKETS = 0;
        public static final int TP_DROPS = 4;
        private TpacketStats() {}
    }

    /** struct tpacket_auxdata, the PACKET_AUXDATA control message (packet(7)). */
    public static final class TpacketAuxdata {
        public static final String C_NAME = "tpacket_auxdata";
        public static final int SIZE = 20;
        public static final int TP_STATUS = 0;
        public static final int TP_LEN = 4;
        public static final int TP_SNAPLEN = 8;
        public static final int TP_MAC = 12;
        public static final int TP_NET = 14;
        public static final int TP_VLAN_TCI = 16;
        public static final int TP_VLAN_TPID = 18;
        private TpacketAuxdata() {}
    }

    /** struct cmsghdr, a control message header (cmsg(3)); its data starts at CMSG_DATA, 16 bytes in. */
    public static final class Cmsghdr {
        public static final String C_NAME = "cmsghdr";
        public static final int SIZE = 16;
        public static final int CMSG_LEN = 0;
        public static final int CMSG_LEVEL = 8;
        public static final int CMSG_TYPE = 12;
        private Cmsghdr() {}
    }

    /** struct sock_filter, one classic BPF instruction (linux/filter.h): opcode, jump offsets, constant. */
    public static final class SockFilter {
        public static final String C_NAME = "sock_filter";
        public static final int SIZE = 8;
        public static final int CODE = 0;
        public static final int JT = 2;
        public static final int JF = 3;
        public static final int K = 4;
        private SockFilter() {}
    }

    /** struct sock_fprog, what SO_ATTACH_FILTER takes: the instruction count and a pointer to them. */
    public static final class SockFprog {
        public static final String C_NAME = "sock_fprog";
        public static final int SIZE = 16;
        public static final int LEN = 0;
        public static final int FILTER = 8;
        private SockFprog() {}
    }

    /**
     * struct tcp_info as glibc's netinet/tcp.h declares it (104 bytes); newer kernels append fields,
     * which getsockopt leaves out when given this length. Times are in microseconds.
     */
    public static final class TcpInfo {
        public static final String C_NAME = "tcp_info";
        public static final int SIZE = 104;
        public static final int TCPI_STATE = 0;
        public static final int TCPI_CA_STATE = 1;
        public static final int TCPI_RETRANSMITS = 2;
        public static final int TCPI_PROBES = 3;
        public static final int TCPI_BACKOFF = 4;
        public static final int TCPI_OPTIONS = 5;
        public static final int TCPI_RTO = 8;
        public static final int TCPI_ATO = 12;
        public static final int TCPI_SND_MSS = 16;
        public static final int TCPI_RCV_MSS = 20;
        public static final int TCPI_UNACKED = 24;
        public static final int TCPI_SACKED = 28;
        public static final int TCPI_LOST = 32;
        public static final int TCPI_RETRANS = 36;
        public static final int TCPI_FACKETS = 40;
        public static final int TCPI_LAST_DATA_SENT = 44;
        public static final int TCPI_LAST_ACK_SENT = 48;
        public static final int TCPI_LAST_DATA_RECV = 52;
        public static final int TCPI_LAST_ACK_RECV = 56;
        public static final int TCPI_PMTU = 60;
        public static final int TCPI_RCV_SSTHRESH = 64;
        public static final int TCPI_RTT = 68;
        public static final int TCPI_RTTVAR = 72;
        public static final int TCPI_SND_SSTHRESH = 76;
        public static final int TCPI_SND_CWND = 80;
        public static final int TCPI_ADVMSS = 84;
        public static final int TCPI_REORDERING = 88;
        public static final int TCPI_RCV_RTT = 92;
        public static final int TCPI_RCV_SPACE = 96;
        public static final int TCPI_TOTAL_RETRANS = 100;
        private TcpInfo() {}
    }

    /**
     * struct ifreq, netdevice(7): an interface name and, in the union after it, ifr_data (a pointer),
     * ifr_ifindex (an int), ifr_flags (a short), ifr_hwaddr (a struct sockaddr: sa_family is the ARPHRD_* type, sa_data the
     * hardware address) or ifr_addr (a struct sockaddr_in for SIOCGIFADDR).
     */
    public static final class Ifreq {
        public static final String C_NAME = "ifreq";
        public static final int SIZE = 40;
        public static final int IFR_NAME = 0;
        public static final int IFR_DATA = 16;
        public static final int IFR_IFINDEX = 16;
        public static final int IFR_FLAGS = 16;
        public static final int IFR_HWADDR = 16;
        public static final int IFR_ADDR = 16;
        private Ifreq() {}
    }

    /** struct ethtool_value (linux/ethtool.h): an ETHTOOL_* command and its 32-bit value. */
    public static final class EthtoolValue {
        public static final String C_NAME = "ethtool_value";
        public static final int SIZE = 8;
        public static final int CMD = 0;
        public static final int DATA = 4;
        private EthtoolValue() {}
    }

    /** struct nlmsghdr (linux/netlink.h): every netlink message starts with one; messages are aligned to 4 bytes. */
    public static final class Nlmsghdr {
        public static final String C_NAME = "nlmsghdr";
        public static final int SIZE = 16;
        public static final int NLMSG_LEN = 0;
        public static final int NLMSG_TYPE = 4;
        public static final int NLMSG_FLAGS = 6;
        public static final int NLMSG_SEQ = 8;
        public static final int NLMSG_PID = 12;
        private Nlmsghdr() {}
    }

    /** struct ndmsg (linux/neighbour.h): a neighbour's family, interface and state; its rtattrs follow (NDA_*). */
    public static final class Ndmsg {
        public static final String C_NAME = "ndmsg";
        public static final int SIZE = 12;
        public static final int NDM_FAMILY = 0;
        public static final int NDM_IFINDEX = 4;
        public static final int NDM_STATE = 8;
        public static final int NDM_FLAGS = 10;
        public static final int NDM_TYPE = 11;
        private Ndmsg() {}
    }

    /** struct rtattr (linux/rtnetlink.h): its length (header included) and type, then the value; aligned to 4 bytes. */
    public static final class Rtattr {
        public static final String C_NAME = "rtattr";
        public static final int SIZE = 4;
        public static final int RTA_LEN = 0;
        public static final int RTA_TYPE = 2;
        private Rtattr() {}
    }
}
