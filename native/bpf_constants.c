/*
 * bpf_constants.c: the C side of BpfConstantsTest.
 *
 * The capture package keeps the classic BPF opcodes and Linux's ancillary offsets in Java
 * (java/dev/rawsock/capture/Bpf.java, and two values in BpfCompiler.java) without depending on the
 * Linux binding. This prints what <linux/filter.h> and friends say about the same names, one per line:
 *
 *   const NAME VALUE
 *
 * Build: gcc -O2 -Wall -Wextra -std=gnu11 -o target/native/bpf_constants native/bpf_constants.c
 */
#include <stdio.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>

#define C(NAME) printf("const %s %lld\n", #NAME, (long long) (NAME))

int main(void) {
    C(BPF_LD); C(BPF_LDX); C(BPF_ST); C(BPF_STX); C(BPF_ALU); C(BPF_JMP); C(BPF_RET); C(BPF_MISC);
    C(BPF_W); C(BPF_H); C(BPF_B);
    C(BPF_IMM); C(BPF_ABS); C(BPF_IND); C(BPF_MEM); C(BPF_LEN); C(BPF_MSH);
    C(BPF_ADD); C(BPF_SUB); C(BPF_MUL); C(BPF_DIV); C(BPF_OR); C(BPF_AND); C(BPF_LSH); C(BPF_RSH);
    C(BPF_NEG); C(BPF_MOD); C(BPF_XOR);
    C(BPF_JA); C(BPF_JEQ); C(BPF_JGT); C(BPF_JGE); C(BPF_JSET);
    C(BPF_K); C(BPF_X); C(BPF_A); C(BPF_TAX); C(BPF_TXA);
    C(BPF_MAXINSNS); C(BPF_MEMWORDS);
    C(SKF_AD_OFF); C(SKF_AD_PROTOCOL); C(SKF_AD_PKTTYPE); C(SKF_AD_IFINDEX); C(SKF_AD_HATYPE);
    C(PACKET_OUTGOING); C(ARPHRD_LOOPBACK);
    return 0;
}
