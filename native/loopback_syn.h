/* loopback_syn.h: the 40-byte SYN the send benchmarks' C baselines put on 127.0.0.1 (send_bench.c,
 * packet_send_bench.c): one definition, so both baselines send the same bytes. */
#ifndef LOOPBACK_SYN_H
#define LOOPBACK_SYN_H

#include <stdint.h>
#include <string.h>

#define PACKET_BYTES 40

/* RFC 1071: ones'-complement sum of 16-bit big-endian words. */
static uint32_t sum16(const uint8_t *p, int n, uint32_t sum) {
    for (int i = 0; i + 1 < n; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1) sum += (uint32_t)(p[n - 1] << 8);
    return sum;
}

static uint16_t finish(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* An IPv4 + TCP SYN from 127.0.0.1:40000 to 127.0.0.1:port with sequence number seq, both checksums set. */
static void build(uint8_t *p, int port, uint32_t seq) {
    memset(p, 0, PACKET_BYTES);
    p[0] = 0x45; p[3] = PACKET_BYTES; p[4] = 0x12; p[5] = 0x34; p[8] = 64; p[9] = 6;
    p[12] = 127; p[15] = 1; p[16] = 127; p[19] = 1;
    uint8_t *t = p + 20;
    t[0] = 40000 >> 8; t[1] = 40000 & 0xFF; t[2] = (uint8_t)(port >> 8); t[3] = (uint8_t)port;
    t[4] = (uint8_t)(seq >> 24); t[5] = (uint8_t)(seq >> 16); t[6] = (uint8_t)(seq >> 8); t[7] = (uint8_t)seq;
    t[12] = 0x50; t[13] = 0x02; t[14] = 0xFA; t[15] = 0xF0;
    uint32_t pseudo = 0x7F00 + 0x0001 + 0x7F00 + 0x0001 + 6 + 20;
    uint16_t tcp = finish(sum16(t, 20, pseudo));
    t[16] = (uint8_t)(tcp >> 8); t[17] = (uint8_t)tcp;
    uint16_t ip = finish(sum16(p, 20, 0));
    p[10] = (uint8_t)(ip >> 8); p[11] = (uint8_t)ip;
}

#endif
