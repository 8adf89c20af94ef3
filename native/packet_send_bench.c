/*
 * packet_send_bench: the C baseline for rawsock's packet-socket sender (socket/PacketSender, make bench).
 * Sends COUNT Ethernet frames, each a 40-byte TCP SYN (IPv4 + TCP, both checksums right) to a closed port
 * on 127.0.0.1, out of lo through a packet socket (AF_PACKET, SOCK_RAW, protocol 0 so it receives nothing)
 * with PACKET_QDISC_BYPASS, sendmmsg(2) in batches of 64, and prints the rate:
 *
 *     packet_send_bench COUNT PORT     ->  "pps 212345.6"
 *
 * lo hands every frame to the kernel's own IP input, whose TCP answers each SYN with a RST, as it would
 * a real probe. The frames differ per send (sequence number + 1, checksum recomputed). Only 127.0.0.1 is
 * ever a destination. Needs CAP_NET_RAW.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define ETH_BYTES 14
#define BATCH 64
#include "loopback_syn.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: packet_send_bench COUNT PORT\n");
        return 2;
    }
    long count = atol(argv[1]);
    int port = atoi(argv[2]);
    if (count <= 0 || count > 100000000L || port <= 0 || port > 65535) {
        fprintf(stderr, "packet_send_bench: COUNT must be 1-100000000 and PORT 1-65535\n");
        return 2;
    }
    int s = socket(AF_PACKET, SOCK_RAW, 0);
    if (s < 0) {
        perror("socket");
        return errno == EPERM ? 3 : 1;
    }
    int one = 1;
    if (setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0) {
        perror("setsockopt PACKET_QDISC_BYPASS");
        return 1;
    }
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP)};
    to.sll_ifindex = (int)if_nametoindex("lo");
    if (to.sll_ifindex == 0) {
        perror("if_nametoindex lo");
        return 1;
    }
    static uint8_t frames[BATCH][ETH_BYTES + PACKET_BYTES];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        memset(frames[i], 0, ETH_BYTES); /* lo's address is all zeros, as destination and source */
        frames[i][12] = 0x08;            /* EtherType IPv4 */
        iov[i].iov_base = frames[i];
        iov[i].iov_len = ETH_BYTES + PACKET_BYTES;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long sent = 0;
    while (sent < count) {
        int n = (int)(count - sent < BATCH ? count - sent : BATCH);
        for (int i = 0; i < n; i++) build(frames[i] + ETH_BYTES, port, (uint32_t)(sent + i));
        int r = sendmmsg(s, msgs, (unsigned)n, 0);
        if (r < 0) {
            perror("sendmmsg");
            return 1;
        }
        sent += r;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("pps %.1f\n", (double)sent / seconds);
    return 0;
}
