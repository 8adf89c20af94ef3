package dev.rawsock.craft;

/** What an IPv4 packet carries: a TCP segment, a UDP datagram, an ICMP message, or raw bytes. */
public enum Transport {
    TCP(6), UDP(17), ICMP(1), RAW(255);

    /** The IP protocol number written when none is given. */
    public final int protocol;

    Transport(int protocol) {
        this.protocol = protocol;
    }
}
