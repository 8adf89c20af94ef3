/*
 * constants.c: the C side of ConstantsAndLayoutsTest.
 *
 * rawsock keeps its own Linux constants and hand-computed struct layouts in Java
 * (java/dev/rawsock/linux/Constants.java, Errno.java, Structs.java). This program prints
 * what the C headers say about the same names, so the test can compare the two sides and fail
 * on any difference in either direction. One item per line, in the order of the Java files:
 *
 *   const NAME VALUE          a field of Constants (decimal)
 *   errno NAME VALUE          a constant of the Errno enum
 *   struct C_NAME size N      sizeof(struct C_NAME), for a nested class of Structs
 *   struct C_NAME MEMBER OFF  offsetof(struct C_NAME, MEMBER)
 *
 * Add a Java field, add its line here (and the other way round): the test reports either half
 * missing. Build: gcc -O2 -Wall -Wextra -std=gnu11 -o target/native/constants native/constants.c
 */
#define _GNU_SOURCE /* struct mmsghdr, struct ucred, CLONE_NEWNET */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include <net/if.h>            /* IFNAMSIZ (glibc's; <linux/if.h> would clash with it) */
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>       /* glibc's struct tcp_info (104 bytes); not <linux/tcp.h> */
#include <netinet/udp.h>       /* SOL_UDP */
#include <linux/in6.h>         /* IPV6_FLOWINFO_SEND (not in glibc); after <netinet/in.h>, which it defers to */
#include <linux/if_ether.h>    /* ETH_P_* */
#include <linux/filter.h>      /* sock_filter, sock_fprog: classic BPF for SO_ATTACH_FILTER */
#include <linux/if_packet.h>   /* sockaddr_ll, tpacket_stats, PACKET_*; not <netpacket/packet.h> */
#include <linux/sockios.h>     /* SIOCETHTOOL */
#include <linux/ethtool.h>     /* struct ethtool_value, ETHTOOL_[GS]TXCSUM */
#include <linux/sock_diag.h>    /* SK_MEMINFO_*: the words of SO_MEMINFO */
#include <net/if_arp.h>        /* ARPHRD_*: sll_hatype */
#include <linux/rtnetlink.h>   /* RTM_*, struct rtattr; with linux/netlink.h and linux/neighbour.h (NDA_*, NUD_*, ndmsg) */

#define C(NAME) printf("const %s %lld\n", #NAME, (long long) (NAME))
#define E(NAME) printf("errno %s %lld\n", #NAME, (long long) (NAME))
#define SIZE(S) printf("struct %s size %zu\n", #S, sizeof(struct S))
#define M(S, MEMBER) printf("struct %s %s %zu\n", #S, #MEMBER, offsetof(struct S, MEMBER))

static void constants(void) {
    /* Address families. */
    C(AF_UNSPEC); C(AF_UNIX); C(AF_INET); C(AF_INET6); C(AF_NETLINK); C(AF_PACKET);

    /* Socket types and type flags. */
    C(SOCK_STREAM); C(SOCK_DGRAM); C(SOCK_RAW); C(SOCK_SEQPACKET); C(SOCK_NONBLOCK); C(SOCK_CLOEXEC);

    /* IP protocol numbers. */
    C(IPPROTO_IP); C(IPPROTO_ICMP); C(IPPROTO_TCP); C(IPPROTO_UDP); C(IPPROTO_IPV6);
    C(IPPROTO_ICMPV6); C(IPPROTO_RAW);

    /* Option levels. */
    C(SOL_SOCKET); C(SOL_IP); C(SOL_TCP); C(SOL_UDP); C(SOL_IPV6); C(SOL_PACKET);

    /* SOL_SOCKET options. */
    C(SO_DEBUG); C(SO_REUSEADDR); C(SO_TYPE); C(SO_ERROR); C(SO_DONTROUTE); C(SO_BROADCAST);
    C(SO_SNDBUF); C(SO_RCVBUF); C(SO_KEEPALIVE); C(SO_OOBINLINE); C(SO_LINGER); C(SO_REUSEPORT);
    C(SO_RCVLOWAT); C(SO_SNDLOWAT); C(SO_RCVTIMEO); C(SO_SNDTIMEO); C(SO_BINDTODEVICE);
    C(SO_ATTACH_FILTER); C(SO_DETACH_FILTER); C(SO_TIMESTAMP); C(SO_ACCEPTCONN); C(SO_PEERCRED);
    C(SO_SNDBUFFORCE); C(SO_RCVBUFFORCE); C(SO_PROTOCOL); C(SO_DOMAIN); C(SO_TIMESTAMPNS);
    C(SO_BUSY_POLL); C(SO_MEMINFO); C(SK_MEMINFO_DROPS); C(SK_MEMINFO_VARS);

    /* IPPROTO_IP options. */
    C(IP_TOS); C(IP_TTL); C(IP_HDRINCL); C(IP_OPTIONS); C(IP_RECVERR); C(IP_MTU_DISCOVER);
    C(IP_MTU); C(IP_FREEBIND); C(IP_PMTUDISC_DONT); C(IP_PMTUDISC_DO);

    /* IPPROTO_IPV6 options. */
    C(IPV6_UNICAST_HOPS); C(IPV6_V6ONLY); C(IPV6_TCLASS); C(IPV6_HDRINCL);
    C(IPV6_CHECKSUM); C(IPV6_MULTICAST_HOPS); C(IPV6_FLOWINFO_SEND); C(IPV6_AUTOFLOWLABEL);

    /* IPPROTO_TCP options. */
    C(TCP_NODELAY); C(TCP_MAXSEG); C(TCP_CORK); C(TCP_KEEPIDLE); C(TCP_KEEPINTVL); C(TCP_KEEPCNT);
    C(TCP_SYNCNT); C(TCP_LINGER2); C(TCP_DEFER_ACCEPT); C(TCP_WINDOW_CLAMP); C(TCP_INFO);
    C(TCP_QUICKACK); C(TCP_CONGESTION); C(TCP_USER_TIMEOUT); C(TCP_FASTOPEN); C(TCP_NOTSENT_LOWAT);

    /* TCP states (tcp_info.tcpi_state). */
    C(TCP_ESTABLISHED); C(TCP_SYN_SENT); C(TCP_SYN_RECV); C(TCP_FIN_WAIT1); C(TCP_FIN_WAIT2);
    C(TCP_TIME_WAIT); C(TCP_CLOSE); C(TCP_CLOSE_WAIT); C(TCP_LAST_ACK); C(TCP_LISTEN); C(TCP_CLOSING);

    /* shutdown(2). */
    C(SHUT_RD); C(SHUT_WR); C(SHUT_RDWR);

    /* send(2)/recv(2) flags. */
    C(MSG_OOB); C(MSG_PEEK); C(MSG_DONTROUTE); C(MSG_TRUNC); C(MSG_DONTWAIT); C(MSG_WAITALL);
    C(MSG_ERRQUEUE); C(MSG_NOSIGNAL); C(MSG_WAITFORONE);

    /* Ethernet protocol ids. */
    C(ETH_P_IP); C(ETH_P_ARP); C(ETH_P_IPV6); C(ETH_P_ALL);

    /* AF_PACKET. */
    C(PACKET_ADD_MEMBERSHIP); C(PACKET_DROP_MEMBERSHIP); C(PACKET_STATISTICS); C(PACKET_AUXDATA);
    C(PACKET_VERSION); C(PACKET_RX_RING); C(PACKET_TX_RING); C(PACKET_IGNORE_OUTGOING);
    C(PACKET_QDISC_BYPASS); C(PACKET_HOST); C(PACKET_BROADCAST); C(PACKET_MULTICAST);
    C(PACKET_OTHERHOST); C(PACKET_OUTGOING); C(PACKET_MR_PROMISC);
    C(TP_STATUS_CSUMNOTREADY); C(TP_STATUS_CSUM_VALID); C(ARPHRD_ETHER); C(ARPHRD_LOOPBACK);
    C(SCM_TIMESTAMPNS); C(CLOCK_REALTIME); C(CLOCK_MONOTONIC);

    /* poll(2). */
    C(POLLIN); C(POLLPRI); C(POLLOUT); C(POLLERR); C(POLLHUP); C(POLLNVAL);

    /* fcntl(2). */
    C(F_GETFL); C(F_SETFL); C(O_NONBLOCK);

    /* open(2). */
    C(O_RDONLY); C(O_CLOEXEC);

    /* setns(2) / clone(2). */
    C(CLONE_NEWNET);

    /* Interface requests. */
    C(SIOCGIFINDEX); C(SIOCGIFFLAGS); C(SIOCGIFMTU); C(SIOCGIFHWADDR); C(SIOCGIFADDR); C(IFNAMSIZ);
    C(IFF_UP); C(IFF_LOOPBACK); C(IFF_RUNNING);

    /* The ethtool ioctl. */
    C(SIOCETHTOOL); C(ETHTOOL_GTXCSUM); C(ETHTOOL_STXCSUM);

    /* rtnetlink(7): the neighbour table. */
    C(NETLINK_ROUTE); C(RTM_NEWNEIGH); C(RTM_GETNEIGH); C(NLM_F_REQUEST); C(NLM_F_DUMP); C(NLMSG_ERROR);
    C(NLMSG_DONE); C(NDA_DST); C(NDA_LLADDR); C(NUD_REACHABLE); C(NUD_STALE); C(NUD_DELAY); C(NUD_PROBE);
    C(NUD_NOARP); C(NUD_PERMANENT);
}

static void errnos(void) {
    E(EPERM); E(ENOENT); E(ESRCH); E(EINTR); E(EIO); E(ENXIO); E(E2BIG); E(EBADF); E(ECHILD);
    E(EAGAIN); E(ENOMEM); E(EACCES); E(EFAULT); E(EBUSY); E(EEXIST); E(ENODEV); E(ENOTDIR);
    E(EISDIR); E(EINVAL); E(ENFILE); E(EMFILE); E(ENOTTY); E(ENOSPC); E(ESPIPE); E(EROFS);
    E(EPIPE); E(EDOM); E(ERANGE); E(EDEADLK); E(ENAMETOOLONG); E(ENOSYS); E(ENOTEMPTY);
    E(ELOOP); E(ENOMSG); E(ENODATA); E(ETIME); E(EPROTO); E(EBADMSG); E(EOVERFLOW);
    E(ENOTSOCK); E(EDESTADDRREQ); E(EMSGSIZE); E(EPROTOTYPE); E(ENOPROTOOPT);
    E(EPROTONOSUPPORT); E(ESOCKTNOSUPPORT); E(EOPNOTSUPP); E(EPFNOSUPPORT); E(EAFNOSUPPORT);
    E(EADDRINUSE); E(EADDRNOTAVAIL); E(ENETDOWN); E(ENETUNREACH); E(ENETRESET);
    E(ECONNABORTED); E(ECONNRESET); E(ENOBUFS); E(EISCONN); E(ENOTCONN); E(ESHUTDOWN);
    E(ETIMEDOUT); E(ECONNREFUSED); E(EHOSTDOWN); E(EHOSTUNREACH); E(EALREADY);
    E(EINPROGRESS);
    /* EWOULDBLOCK and ENOTSUP are left out on purpose: aliases of EAGAIN and EOPNOTSUPP. */
}

static void structs(void) {
    SIZE(sockaddr_in);
    M(sockaddr_in, sin_family); M(sockaddr_in, sin_port); M(sockaddr_in, sin_addr);

    SIZE(sockaddr_in6);
    M(sockaddr_in6, sin6_family); M(sockaddr_in6, sin6_port); M(sockaddr_in6, sin6_flowinfo);
    M(sockaddr_in6, sin6_addr); M(sockaddr_in6, sin6_scope_id);

    SIZE(sockaddr_ll);
    M(sockaddr_ll, sll_family); M(sockaddr_ll, sll_protocol); M(sockaddr_ll, sll_ifindex);
    M(sockaddr_ll, sll_hatype); M(sockaddr_ll, sll_pkttype); M(sockaddr_ll, sll_halen);
    M(sockaddr_ll, sll_addr);

    SIZE(sockaddr_un);
    M(sockaddr_un, sun_family); M(sockaddr_un, sun_path);

    SIZE(sockaddr_storage);
    M(sockaddr_storage, ss_family);

    SIZE(iovec);
    M(iovec, iov_base); M(iovec, iov_len);

    SIZE(msghdr);
    M(msghdr, msg_name); M(msghdr, msg_namelen); M(msghdr, msg_iov); M(msghdr, msg_iovlen);
    M(msghdr, msg_control); M(msghdr, msg_controllen); M(msghdr, msg_flags);

    SIZE(mmsghdr);
    M(mmsghdr, msg_hdr); M(mmsghdr, msg_len);

    SIZE(timeval);
    M(timeval, tv_sec); M(timeval, tv_usec);

    SIZE(timespec);
    M(timespec, tv_sec); M(timespec, tv_nsec);

    SIZE(linger);
    M(linger, l_onoff); M(linger, l_linger);

    SIZE(pollfd);
    M(pollfd, fd); M(pollfd, events); M(pollfd, revents);

    SIZE(ucred);
    M(ucred, pid); M(ucred, uid); M(ucred, gid);

    SIZE(tpacket_stats);
    M(tpacket_stats, tp_packets); M(tpacket_stats, tp_drops);

    SIZE(tcp_info);
    M(tcp_info, tcpi_state); M(tcp_info, tcpi_ca_state); M(tcp_info, tcpi_retransmits);
    M(tcp_info, tcpi_probes); M(tcp_info, tcpi_backoff); M(tcp_info, tcpi_options);
    M(tcp_info, tcpi_rto); M(tcp_info, tcpi_ato); M(tcp_info, tcpi_snd_mss);
    M(tcp_info, tcpi_rcv_mss); M(tcp_info, tcpi_unacked); M(tcp_info, tcpi_sacked);
    M(tcp_info, tcpi_lost); M(tcp_info, tcpi_retrans); M(tcp_info, tcpi_fackets);
    M(tcp_info, tcpi_last_data_sent); M(tcp_info, tcpi_last_ack_sent);
    M(tcp_info, tcpi_last_data_recv); M(tcp_info, tcpi_last_ack_recv);
    M(tcp_info, tcpi_pmtu); M(tcp_info, tcpi_rcv_ssthresh); M(tcp_info, tcpi_rtt);
    M(tcp_info, tcpi_rttvar); M(tcp_info, tcpi_snd_ssthresh); M(tcp_info, tcpi_snd_cwnd);
    M(tcp_info, tcpi_advmss); M(tcp_info, tcpi_reordering); M(tcp_info, tcpi_rcv_rtt);
    M(tcp_info, tcpi_rcv_space); M(tcp_info, tcpi_total_retrans);

    SIZE(tpacket_auxdata);
    M(tpacket_auxdata, tp_status); M(tpacket_auxdata, tp_len); M(tpacket_auxdata, tp_snaplen);
    M(tpacket_auxdata, tp_mac); M(tpacket_auxdata, tp_net); M(tpacket_auxdata, tp_vlan_tci);
    M(tpacket_auxdata, tp_vlan_tpid);
    SIZE(cmsghdr);
    M(cmsghdr, cmsg_len); M(cmsghdr, cmsg_level); M(cmsghdr, cmsg_type);

    SIZE(sock_filter);
    M(sock_filter, code); M(sock_filter, jt); M(sock_filter, jf); M(sock_filter, k);
    SIZE(sock_fprog);
    M(sock_fprog, len); M(sock_fprog, filter);

    SIZE(ifreq);
    M(ifreq, ifr_name); M(ifreq, ifr_data);
    M(ifreq, ifr_ifindex); M(ifreq, ifr_flags); M(ifreq, ifr_hwaddr); M(ifreq, ifr_addr);
    SIZE(ethtool_value);
    M(ethtool_value, cmd); M(ethtool_value, data);

    SIZE(nlmsghdr);
    M(nlmsghdr, nlmsg_len); M(nlmsghdr, nlmsg_type); M(nlmsghdr, nlmsg_flags); M(nlmsghdr, nlmsg_seq);
    M(nlmsghdr, nlmsg_pid);
    SIZE(ndmsg);
    M(ndmsg, ndm_family); M(ndmsg, ndm_ifindex); M(ndmsg, ndm_state); M(ndmsg, ndm_flags); M(ndmsg, ndm_type);
    SIZE(rtattr);
    M(rtattr, rta_len); M(rtattr, rta_type);
}

int main(void) {
    constants();
    errnos();
    structs();
    return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
