package dev.rawsock.craft;

import dev.rawsock.wire.Bytes;

/**
 * An IPv4 or IPv6 packet to build, field by field. Every field is either automatic (null here: computed or
 * randomised at assembly) or explicit (written exactly as given, even when wrong). Automatic by
 * default: lengths, IHL, data offset, checksums, IP id, source port, sequence number, ICMP id. Fixed
 * defaults otherwise, as the common tools use them: TTL 64, TCP window 64240 and flags SYN (nping),
 * ICMP echo request with sequence 1.
 *
 * <p>IPv6: give an IPv6 destination ({@link #ipv6Destination}) and the packet is IPv6 (RFC 8200), built by
 * {@link Ipv6Assembler}: the TTL is the hop limit, DSCP and ECN make the traffic class, {@link #flowLabel}
 * is the flow label, {@link #protocol} the next header, and ICMP means ICMPv6 (echo request, type 128, unless
 * {@link #icmpType} is given). The IPv4-only fields (id, flags, fragment offset, IHL, total length, header
 * checksum, options) are not used.
 *
 * <p>Mutable and fluent: {@code PacketSpec.tcp().destination(dst).destinationPort(8080).flags(TcpFlags.SYN)}.
 */
public final class PacketSpec {
    final Transport transport;

    // IPv4 (RFC 791)
    Integer source;
    Integer destination;
    int ttl = 64;
    int dscp;
    int ecn;
    Integer identification;
    boolean flagReserved;
    boolean dontFragment;
    boolean moreFragments;
    int fragmentOffset;
    Integer ihl;
    Integer totalLength;
    Integer ipChecksum;
    Integer protocol;
    Bytes ipOptions = Bytes.EMPTY;

    // IPv6 (RFC 8200), used instead of the IPv4 addresses when destination6 is set
    Bytes source6;
    Bytes destination6;
    int flowLabel;

    // TCP and UDP ports
    Integer sourcePort;
    int destinationPort;

    // TCP (RFC 9293)
    Long sequence;
    long acknowledgment;
    int tcpFlags = 0x002;
    int window = 64240;
    int urgentPointer;
    int tcpReserved;
    Integer dataOffset;
    Bytes tcpOptions = Bytes.EMPTY;

    // UDP (RFC 768)
    Integer udpLength;

    // ICMP (RFC 792)
    int icmpType = 8;
    boolean icmpTypeGiven;
    int icmpCode;
    Integer icmpIdentifier;
    int icmpSequence = 1;
    Long icmpRestOfHeader;

    // TCP, UDP or ICMP checksum
    Integer transportChecksum;
    boolean badTransportChecksum;

    Bytes payload = Bytes.EMPTY;

    private PacketSpec(Transport transport) {
        this.transport = transport;
    }

    public static PacketSpec of(Transport transport) {
        return new PacketSpec(transport);
    }

    public static PacketSpec tcp() {
        return new PacketSpec(Transport.TCP);
    }

    public static PacketSpec udp() {
        return new PacketSpec(Transport.UDP);
    }

    public static PacketSpec icmp() {
        return new PacketSpec(Transport.ICMP);
    }

    public static PacketSpec raw() {
        return new PacketSpec(Transport.RAW);
    }

    public Transport transport() {
        return transport;
    }

    /** The source address, or null for "the kernel fills it in" (0.0.0.0 on the wire before it does). */
    public Integer source() {
        return source;
    }

    public int destination() {
        return destination == null ? 0 : destination;
    }

    public boolean hasDestination() {
        return destination != null;
    }

    public Integer identification() {
        return identification;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public Integer sourcePort() {
        return sourcePort;
    }

    public Long sequence() {
        return sequence;
    }

    public int tcpFlags() {
        return tcpFlags;
    }

    public int ttl() {
        return ttl;
    }

    /** True when the destination is IPv6: the packet is then built by {@link Ipv6Assembler}. */
    public boolean isIpv6() {
        return destination6 != null;
    }

    /** The IPv6 source (16 bytes), or null for "the kernel fills it in" (:: on the wire before it does). */
    public Bytes ipv6Source() {
        return source6;
    }

    /** The IPv6 destination (16 bytes), or null for an IPv4 packet. */
    public Bytes ipv6Destination() {
        return destination6;
    }

    public int flowLabel() {
        return flowLabel;
    }

    /** The traffic class (IPv6) or TOS byte (IPv4): DSCP and ECN. */
    public int trafficClass() {
        return (dscp << 2) | ecn;
    }

    /** The explicit IP protocol / next header, or null for the transport's own. */
    public Integer protocol() {
        return protocol;
    }

    public Bytes payload() {
        return payload;
    }

    // ---- fluent setters; each range-checks and names the field ----

    public PacketSpec source(Integer address) {
        this.source = address;
        return this;
    }

    public PacketSpec destination(int address) {
        this.destination = address;
        return this;
    }

    /** Makes the packet IPv6, to this 16-byte destination. */
    public PacketSpec ipv6Destination(Bytes address) {
        this.destination6 = checkIpv6("destination", address);
        return this;
    }

    /** The IPv6 source (16 bytes), or null: the route's source is the caller's to find; null writes ::. */
    public PacketSpec ipv6Source(Bytes address) {
        this.source6 = address == null ? null : checkIpv6("source", address);
        return this;
    }

    /** The IPv6 flow label, 20 bits (RFC 6437); 0 by default. */
    public PacketSpec flowLabel(int label) {
        this.flowLabel = check("flow-label", label, 0xFFFFF);
        return this;
    }

    private static Bytes checkIpv6(String field, Bytes address) {
        if (address == null || address.length() != 16) {
            throw new IllegalArgumentException(field + " must be a 16-byte IPv6 address but was "
                    + (address == null ? "null" : address.length() + " bytes"));
        }
        return address;
    }

    public PacketSpec ttl(int ttl) {
        this.ttl = check("ttl", ttl, 0xFF);
        return this;
    }

    public PacketSpec dscp(int dscp) {
        this.dscp = check("dscp", dscp, 0x3F);
        return this;
    }

    public PacketSpec ecn(int ecn) {
        this.ecn = check("ecn", ecn, 0x3);
        return this;
    }

    /** The whole TOS byte: DSCP (upper 6 bits) and ECN (lower 2). */
    public PacketSpec tos(int tos) {
        check("tos", tos, 0xFF);
        this.dscp = tos >>> 2;
        this.ecn = tos & 0x3;
        return this;
    }

    public PacketSpec identification(Integer id) {
        this.identification = id == null ? null : check("id", id, 0xFFFF);
        return this;
    }

    public PacketSpec flagReserved(boolean on) {
        this.flagReserved = on;
        return this;
    }

    public PacketSpec dontFragment(boolean on) {
        this.dontFragment = on;
        return this;
    }

    public PacketSpec moreFragments(boolean on) {
        this.moreFragments = on;
        return this;
    }

    /** Fragment offset in 8-byte units (13 bits). */
    public PacketSpec fragmentOffset(int units) {
        this.fragmentOffset = check("frag-offset", units, 0x1FFF);
        return this;
    }

    public PacketSpec ihl(Integer words) {
        this.ihl = words == null ? null : check("ihl", words, 0xF);
        return this;
    }

    public PacketSpec totalLength(Integer bytes) {
        this.totalLength = bytes == null ? null : check("ip-length", bytes, 0xFFFF);
        return this;
    }

    public PacketSpec ipChecksum(Integer checksum) {
        this.ipChecksum = checksum == null ? null : check("ip-checksum", checksum, 0xFFFF);
        return this;
    }

    public PacketSpec protocol(Integer protocol) {
        this.protocol = protocol == null ? null : check("protocol", protocol, 0xFF);
        return this;
    }

    /** IPv4 option bytes as they go on the wire (padded with EOL to 4 bytes when IHL is automatic). */
    public PacketSpec ipOptions(Bytes options) {
        if (options.length() > 40) {
            throw new IllegalArgumentException("ip options must be at most 40 bytes but were " + options.length());
        }
        this.ipOptions = options;
        return this;
    }

    public PacketSpec sourcePort(Integer port) {
        this.sourcePort = port == null ? null : check("sport", port, 0xFFFF);
        return this;
    }

    public PacketSpec destinationPort(int port) {
        this.destinationPort = check("dport", port, 0xFFFF);
        return this;
    }

    public PacketSpec sequence(Long seq) {
        this.sequence = seq == null ? null : checkLong("seq", seq);
        return this;
    }

    public PacketSpec acknowledgment(long ack) {
        this.acknowledgment = checkLong("ack", ack);
        return this;
    }

    /** The nine TCP flag bits (NS/AE 0x100 down to FIN 0x001). */
    public PacketSpec flags(int flags) {
        this.tcpFlags = check("flags", flags, 0x1FF);
        return this;
    }

    public PacketSpec window(int window) {
        this.window = check("win", window, 0xFFFF);
        return this;
    }

    public PacketSpec urgentPointer(int pointer) {
        this.urgentPointer = check("urg", pointer, 0xFFFF);
        return this;
    }

    /** The 3 reserved bits between the data offset and the flags. */
    public PacketSpec tcpReserved(int bits) {
        this.tcpReserved = check("tcp-reserved", bits, 0x7);
        return this;
    }

    public PacketSpec dataOffset(Integer words) {
        this.dataOffset = words == null ? null : check("data-offset", words, 0xF);
        return this;
    }

    /** TCP option bytes as they go on the wire (padded with EOL to 4 bytes when the data offset is automatic). */
    public PacketSpec tcpOptions(Bytes options) {
        if (options.length() > 40) {
            throw new IllegalArgumentException("tcp options must be at most 40 bytes but were " + options.length());
        }
        this.tcpOptions = options;
        return this;
    }

    public PacketSpec udpLength(Integer bytes) {
        this.udpLength = bytes == null ? null : check("udp-length", bytes, 0xFFFF);
        return this;
    }

    public PacketSpec icmpType(int type) {
        this.icmpType = check("icmp-type", type, 0xFF);
        this.icmpTypeGiven = true;
        return this;
    }

    public PacketSpec icmpCode(int code) {
        this.icmpCode = check("icmp-code", code, 0xFF);
        return this;
    }

    public PacketSpec icmpIdentifier(Integer id) {
        this.icmpIdentifier = id == null ? null : check("icmp-id", id, 0xFFFF);
        return this;
    }

    public PacketSpec icmpSequence(int seq) {
        this.icmpSequence = check("icmp-seq", seq, 0xFFFF);
        return this;
    }

    /** The 4 bytes after the ICMP checksum, written as given (overrides id and sequence). */
    public PacketSpec icmpRestOfHeader(Long rest) {
        this.icmpRestOfHeader = rest == null ? null : checkLong("icmp-rest", rest);
        return this;
    }

    public PacketSpec transportChecksum(Integer checksum) {
        this.transportChecksum = checksum == null ? null : check("checksum", checksum, 0xFFFF);
        return this;
    }

    /** Write a transport checksum that is wrong on purpose (hping3's --badsum). */
    public PacketSpec badTransportChecksum(boolean on) {
        this.badTransportChecksum = on;
        return this;
    }

    public PacketSpec payload(Bytes payload) {
        this.payload = payload;
        return this;
    }

    private static int check(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " must be 0-" + max + " but was " + value);
        }
        return value;
    }

    private static long checkLong(String field, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(field + " must be 0-4294967295 but was " + value);
        }
        return value;
    }
}
