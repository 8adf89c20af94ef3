/*
 * packet_bench: the C baseline for the packet cases of `make bench`. A hand-written encoder and decoder
 * for one IPv4 + TCP packet: a SYN from 198.18.0.1:40000 to 198.18.0.2:8080, window 64240, TTL 64, with
 * the options Linux puts on its SYNs (mss 1460, sackOK, ts 1 0, nop, wscale 7: 20 bytes), no payload,
 * 60 bytes in all, both checksums (RFC 1071, the TCP one over the pseudo-header).
 *
 *   packet_bench [ITERATIONS]      time ITERATIONS builds, then ITERATIONS decodes (default 20000000)
 *   packet_bench --hex SEQ ID      print the packet with that sequence number and IP id, in hex
 *
 * build: every header field and option written into one reused buffer, a fresh IP id and sequence
 * number per packet (drawn from a splitmix64 generator, as rawsock's Randomness draws them from
 * SplittableRandom), both checksums computed. decode: 64 packets built beforehand (different ids and
 * sequence numbers) taken in turn; each parsed (version, IHL, total length, protocol, data offset), its
 * TCP options walked and read, and both checksums verified. Each is timed with CLOCK_MONOTONIC after a
 * warm-up of a tenth as many; the results are folded into a checksum that is printed, so the compiler
 * cannot drop the work, and a compiler barrier after every packet keeps the stores and loads real.
 * Prints machine-readable lines on stdout:
 *
 *   build_pps 56123456.7
 *   decode_pps 41234567.8
 *   sink 1234abcd
 *
 * The Java side is tests/dev/rawsock/bench/PacketBench.java (rawsock and pcap4j): keep the packets
 * alike (bin/bench checks that `--hex` and rawsock's assembler give the same bytes).
 * Exit status: 0 ok, 1 a built packet did not decode as valid, 2 usage.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PACKET_BYTES 60
#define IP_HEADER_BYTES 20
#define TCP_HEADER_BYTES 40
#define DECODE_PACKETS 64
#define STRIDE 64

#define SOURCE 0xC6120001u      /* 198.18.0.1 */
#define DESTINATION 0xC6120002u /* 198.18.0.2 */
#define SOURCE_PORT 40000
#define DESTINATION_PORT 8080
#define WINDOW 64240
#define TTL 64
#define MSS 1460
#define WSCALE 7
#define TSVAL 1
#define TSECR 0

/* Keeps the compiler from caching memory across it, or from dropping stores before it. */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- RFC 1071 ---- */

/* The unfolded ones'-complement sum of big-endian 16-bit words; an odd last byte is padded with zero. */
static inline uint64_t sum16(const uint8_t *p, size_t n, uint64_t sum) {
    while (n >= 2) {
        sum += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n) {
        sum += (uint32_t)p[0] << 8;
    }
    return sum;
}

static inline uint16_t fold(uint64_t sum) {
    while (sum >> 16) {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return (uint16_t)~sum;
}

static inline uint64_t pseudo_header(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t length) {
    return (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + protocol + length;
}

/* ---- big-endian fields ---- */

static inline void put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint16_t get16(const uint8_t *p) {
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- the generator (splitmix64) ---- */

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static inline uint64_t next64(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- encoder ---- */

/* Writes the whole packet at p; returns its length. */
static size_t encode(uint8_t *p, uint16_t id, uint32_t seq) {
    uint8_t *ip = p;
    ip[0] = 0x45;                            /* version 4, IHL 5 */
    ip[1] = 0;                               /* DSCP, ECN */
    put16(ip + 2, PACKET_BYTES);             /* total length */
    put16(ip + 4, id);
    put16(ip + 6, 0);                        /* flags, fragment offset */
    ip[8] = TTL;
    ip[9] = 6;                               /* TCP */
    put16(ip + 10, 0);                       /* checksum, filled in below */
    put32(ip + 12, SOURCE);
    put32(ip + 16, DESTINATION);

    uint8_t *tcp = p + IP_HEADER_BYTES;
    put16(tcp + 0, SOURCE_PORT);
    put16(tcp + 2, DESTINATION_PORT);
    put32(tcp + 4, seq);
    put32(tcp + 8, 0);                       /* acknowledgment */
    put16(tcp + 12, (TCP_HEADER_BYTES / 4) << 12 | 0x002); /* data offset 10, SYN */
    put16(tcp + 14, WINDOW);
    put16(tcp + 16, 0);                      /* checksum, filled in below */
    put16(tcp + 18, 0);                      /* urgent pointer */
    uint8_t *o = tcp + 20;
    o[0] = 2; o[1] = 4; put16(o + 2, MSS);   /* mss */
    o[4] = 4; o[5] = 2;                      /* sackOK */
    o[6] = 8; o[7] = 10; put32(o + 8, TSVAL); put32(o + 12, TSECR); /* ts */
    o[16] = 1;                               /* nop */
    o[17] = 3; o[18] = 3; o[19] = WSCALE;    /* wscale */

    put16(tcp + 16, fold(sum16(tcp, TCP_HEADER_BYTES, pseudo_header(SOURCE, DESTINATION, 6, TCP_HEADER_BYTES))));
    put16(ip + 10, fold(sum16(ip, IP_HEADER_BYTES, 0)));
    return PACKET_BYTES;
}

/* ---- decoder ---- */

struct decoded {
    uint32_t source, destination, seq, ack, tsval, tsecr;
    uint16_t id, source_port, destination_port, window, mss, payload_length;
    uint8_t ttl, flags, wscale, sack_permitted, has_ts;
    uint8_t ip_checksum_ok, tcp_checksum_ok;
};

/* Parses an IPv4 + TCP packet of n bytes; 0 when it is not one (or is cut short or malformed). */
static int decode(const uint8_t *p, size_t n, struct decoded *d) {
    if (n < IP_HEADER_BYTES || (p[0] >> 4) != 4) {
        return 0;
    }
    size_t ihl = (size_t)(p[0] & 0x0F) * 4;
    size_t total = get16(p + 2);
    if (ihl < IP_HEADER_BYTES || total < ihl || total > n || p[9] != 6) {
        return 0;
    }
    d->id = get16(p + 4);
    d->ttl = p[8];
    d->source = get32(p + 12);
    d->destination = get32(p + 16);
    d->ip_checksum_ok = fold(sum16(p, ihl, 0)) == 0;

    const uint8_t *tcp = p + ihl;
    size_t segment = total - ihl;
    if (segment < 20) {
        return 0;
    }
    size_t doff = (size_t)(tcp[12] >> 4) * 4;
    if (doff < 20 || doff > segment) {
        return 0;
    }
    d->source_port = get16(tcp);
    d->destination_port = get16(tcp + 2);
    d->seq = get32(tcp + 4);
    d->ack = get32(tcp + 8);
    d->flags = tcp[13];
    d->window = get16(tcp + 14);
    d->mss = 0;
    d->wscale = 0;
    d->sack_permitted = 0;
    d->has_ts = 0;
    d->tsval = 0;
    d->tsecr = 0;
    for (size_t i = 20; i < doff;) {
        uint8_t kind = tcp[i];
        if (kind == 0) {
            break;
        }
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= doff) {
            return 0;
        }
        uint8_t len = tcp[i + 1];
        if (len < 2 || i + len > doff) {
            return 0;
        }
        if (kind == 2 && len == 4) {
            d->mss = get16(tcp + i + 2);
        } else if (kind == 3 && len == 3) {
            d->wscale = tcp[i + 2];
        } else if (kind == 4 && len == 2) {
            d->sack_permitted = 1;
        } else if (kind == 8 && len == 10) {
            d->has_ts = 1;
            d->tsval = get32(tcp + i + 2);
            d->tsecr = get32(tcp + i + 6);
        }
        i += len;
    }
    d->payload_length = (uint16_t)(segment - doff);
    d->tcp_checksum_ok = fold(sum16(tcp, segment, pseudo_header(d->source, d->destination, 6, (uint16_t)segment))) == 0;
    return 1;
}

/* ---- timing ---- */

static uint8_t out[STRIDE] __attribute__((aligned(64)));
static uint8_t packets[DECODE_PACKETS * STRIDE] __attribute__((aligned(64)));

static uint64_t build_loop(long iterations) {
    uint64_t sink = 0;
    for (long i = 0; i < iterations; i++) {
        uint16_t id = (uint16_t)next64();
        uint32_t seq = (uint32_t)next64();
        sink += encode(out, id, seq);
        BARRIER();
        sink += out[36]; /* a byte of the TCP checksum */
    }
    return sink;
}

static uint64_t decode_loop(long iterations, long *bad) {
    uint64_t sink = 0;
    for (long i = 0; i < iterations; i++) {
        BARRIER();
        struct decoded d;
        const uint8_t *p = packets + (size_t)(i & (DECODE_PACKETS - 1)) * STRIDE;
        if (!decode(p, PACKET_BYTES, &d) || !d.ip_checksum_ok || !d.tcp_checksum_ok) {
            (*bad)++;
            continue;
        }
        sink += d.seq + d.id + d.mss + d.wscale + d.sack_permitted + d.tsval + d.window + d.payload_length;
    }
    return sink;
}

static long parse_count(const char *text) {
    char *end;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v <= 0) {
        fprintf(stderr, "packet_bench: expected a positive number, not '%s'\n", text);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--hex") == 0) {
        uint32_t seq = (uint32_t)strtoul(argv[2], NULL, 10);
        uint16_t id = (uint16_t)strtoul(argv[3], NULL, 10);
        size_t n = encode(out, id, seq);
        for (size_t i = 0; i < n; i++) {
            printf("%02x", out[i]);
        }
        printf("\n");
        return 0;
    }
    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: packet_bench [ITERATIONS] | packet_bench --hex SEQ ID\n");
        return 2;
    }
    long iterations = argc == 2 ? parse_count(argv[1]) : 20000000L;
    long warmup = iterations / 10 > 0 ? iterations / 10 : 1;

    for (int k = 0; k < DECODE_PACKETS; k++) {
        encode(packets + (size_t)k * STRIDE, (uint16_t)next64(), (uint32_t)next64());
    }
    uint64_t sink = 0;
    long bad = 0;

    sink += build_loop(warmup);
    double t0 = now_seconds();
    sink += build_loop(iterations);
    double build_seconds = now_seconds() - t0;

    sink += decode_loop(warmup, &bad);
    t0 = now_seconds();
    sink += decode_loop(iterations, &bad);
    double decode_seconds = now_seconds() - t0;

    if (bad != 0) {
        fprintf(stderr, "packet_bench: %ld packets did not decode as valid IPv4+TCP with good checksums\n", bad);
        return 1;
    }
    printf("build_pps %.1f\n", (double)iterations / build_seconds);
    printf("decode_pps %.1f\n", (double)iterations / decode_seconds);
    printf("sink %016" PRIx64 "\n", sink);
    return 0;
}
