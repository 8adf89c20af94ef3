/*
 * send_bench: the C baselines for `rawsock send --flood` (make bench). Sends COUNT 40-byte TCP SYNs
 * (IPv4 + TCP, both checksums right, so the kernel answers each with a RST as it would a real probe)
 * to a closed port on 127.0.0.1 through a raw IPPROTO_RAW socket (IP_HDRINCL), one sendto(2) per packet
 * or sendmmsg(2) in batches of 64, and prints the rate:
 *
 *     send_bench sendto|sendmmsg COUNT PORT     ->  "pps 212345.6"
 *
 * The packets differ per send (sequence number + 1, checksum recomputed), as rawsock's do. Only
 * 127.0.0.1 is ever a destination. Needs CAP_NET_RAW.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64
#include "loopback_syn.h"

int main(int argc, char **argv) {
    if (argc != 4 || (strcmp(argv[1], "sendto") && strcmp(argv[1], "sendmmsg"))) {
        fprintf(stderr, "usage: send_bench sendto|sendmmsg COUNT PORT\n");
        return 2;
    }
    long count = atol(argv[2]);
    int port = atoi(argv[3]);
    if (count <= 0 || count > 100000000L || port <= 0 || port > 65535) {
        fprintf(stderr, "send_bench: COUNT must be 1-100000000 and PORT 1-65535\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (s < 0) {
        perror("socket");
        return errno == EPERM ? 3 : 1;
    }
    struct sockaddr_in to = {.sin_family = AF_INET};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static uint8_t packets[BATCH][PACKET_BYTES];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = packets[i];
        iov[i].iov_len = PACKET_BYTES;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    long sent = 0;
    if (argv[1][4] == 't') { /* sendto */
        while (sent < count) {
            build(packets[0], port, (uint32_t)sent);
            if (sendto(s, packets[0], PACKET_BYTES, 0, (struct sockaddr *)&to, sizeof to) < 0) {
                perror("sendto");
                return 1;
            }
            sent++;
        }
    } else {
        while (sent < count) {
            int n = (int)(count - sent < BATCH ? count - sent : BATCH);
            for (int i = 0; i < n; i++) build(packets[i], port, (uint32_t)(sent + i));
            int r = sendmmsg(s, msgs, (unsigned)n, 0);
            if (r < 0) {
                perror("sendmmsg");
                return 1;
            }
            sent += r;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    printf("pps %.1f\n", (double)sent / seconds);
    return 0;
}
