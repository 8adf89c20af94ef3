package dev.rawsock.wire;

/** The layers a decoded packet may hold, with the names the JSON output uses. */
public enum Layer {
    ETH("eth"), ARP("arp"), IPV4("ipv4"), IPV6("ipv6"), TCP("tcp"), UDP("udp"), ICMP("icmp"), ICMPV6("icmpv6"),
    PAYLOAD("payload");

    public final String jsonName;

    Layer(String jsonName) {
        this.jsonName = jsonName;
    }
}
