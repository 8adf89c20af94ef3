package dev.rawsock.capture;

import dev.rawsock.wire.Ipv6Address;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Packets for the filter tests, drawn from a seeded generator: IPv4 (with and without options, some
 * fragmented) carrying TCP, UDP, ICMP, SCTP or GRE; IPv6 carrying TCP, UDP or ICMPv6, some behind a
 * hop-by-hop header; ARP; and an unrelated EtherType. Addresses and ports come from small pools, so the
 * filters' hosts and ports match often. {@link #mutate} bends them as DecoderRobustnessTest does: flipped
 * bytes, cut short, and targeted hits on the fields filters read (EtherType, ihl, protocol, fragment offset).
 */
final class FilterTestPackets {
    private FilterTestPackets() {}

    /** A network-layer packet and its EtherType. */
    record Packet(int etherType, byte[] bytes, String kind) {}

    static final int[] IPV4 = {0x7F000001, 0x7F000002, 0x7F010203, 0x0A000001, 0xC6120001, 0xC613FFFE};
    static final String[] IPV6 = {"::1", "fe80::1", "2001:db8::1", "2001:db8:1::2", "::ffff:127.0.0.1"};
    static final int[] PORTS = {0, 22, 53, 80, 443, 1023, 1024, 8080, 65535};

    static Packet random(SplittableRandom r) {
        switch (r.nextInt(12)) {
            case 0: case 1: case 2: return ipv4(r, 6);
            case 3: case 4: return ipv4(r, 17);
            case 5: return ipv4(r, 1);
            case 6: return ipv4(r, r.nextBoolean() ? 132 : 47);
            case 7: case 8: return ipv6(r, new int[] {6, 17, 58}[r.nextInt(3)]);
            case 9: case 10: return arp(r);
            default: {
                byte[] payload = new byte[r.nextInt(60)];
                r.nextBytes(payload);
                return new Packet(new int[] {0x88CC, 0x8035, 0x0842}[r.nextInt(3)], payload, "other");
            }
        }
    }

    private static int ipv4Address(SplittableRandom r) {
        return IPV4[r.nextInt(IPV4.length)];
    }

    private static int port(SplittableRandom r) {
        return r.nextInt(5) == 0 ? r.nextInt(65536) : PORTS[r.nextInt(PORTS.length)];
    }

    private static byte[] transport(SplittableRandom r, int protocol) {
        ByteBuffer t;
        switch (protocol) {
            case 6: {
                int options = r.nextInt(4) == 0 ? 4 * (1 + r.nextInt(10)) : 0;
                t = ByteBuffer.allocate(20 + options + r.nextInt(20));
                t.putShort(0, (short) port(r)).putShort(2, (short) port(r)).putInt(4, r.nextInt()).putInt(8, r.nextInt());
                t.put(12, (byte) (((20 + options) / 4) << 4));
                t.put(13, (byte) (r.nextInt(3) == 0 ? new int[] {0x02, 0x12, 0x10, 0x11, 0x04, 0x18}[r.nextInt(6)] : r.nextInt(256)));
                t.putShort(14, (short) r.nextInt(65536));
                for (int i = 0; i < options; i++) {
                    t.put(20 + i, (byte) 1);
                }
                break;
            }
            case 17:
            case 132: {
                t = ByteBuffer.allocate((protocol == 17 ? 8 : 12) + r.nextInt(30));
                t.putShort(0, (short) port(r)).putShort(2, (short) port(r));
                if (protocol == 17) {
                    t.putShort(4, (short) t.capacity());
                }
                break;
            }
            case 1:
            case 58: {
                t = ByteBuffer.allocate(8 + r.nextInt(30));
                t.put(0, (byte) new int[] {0, 3, 8, 11, 128, 129, 135}[r.nextInt(7)]).put(1, (byte) r.nextInt(4));
                break;
            }
            default:
                t = ByteBuffer.allocate(4 + r.nextInt(30));
        }
        for (int i = 0; i < t.capacity(); i++) {
            if (t.get(i) == 0 && i > 16 && r.nextInt(3) == 0) {
                t.put(i, (byte) r.nextInt(256));
            }
        }
        return t.array();
    }

    static Packet ipv4(SplittableRandom r, int protocol) {
        int options = r.nextInt(4) == 0 ? 4 * (1 + r.nextInt(3)) : 0;
        byte[] payload = transport(r, protocol);
        ByteBuffer b = ByteBuffer.allocate(20 + options + payload.length);
        b.put(0, (byte) (0x40 | ((20 + options) / 4))).put(1, (byte) r.nextInt(256));
        b.putShort(2, (short) b.capacity()).putShort(4, (short) r.nextInt(65536));
        int fragment = 0;
        switch (r.nextInt(8)) {
            case 0: fragment = 0x2000; break;                             // first fragment: MF, offset 0
            case 1: fragment = 1 + r.nextInt(0x1FFF); break;              // a later fragment
            case 2: fragment = 0x2000 | (1 + r.nextInt(0x1FFF)); break;   // a middle fragment
            case 3: fragment = 0x4000; break;                             // DF
            default: break;
        }
        b.putShort(6, (short) fragment);
        b.put(8, (byte) new int[] {1, 64, 128, 255}[r.nextInt(4)]).put(9, (byte) protocol);
        b.putInt(12, ipv4Address(r)).putInt(16, ipv4Address(r));
        for (int i = 0; i < options; i++) {
            b.put(20 + i, (byte) 1); // NOP
        }
        b.put(20 + options, payload);
        return new Packet(0x0800, b.array(), "ipv4/" + protocol);
    }

    static Packet ipv6(SplittableRandom r, int protocol) {
        boolean hopByHop = r.nextInt(5) == 0;
        byte[] payload = transport(r, protocol);
        int extension = hopByHop ? 8 : 0;
        ByteBuffer b = ByteBuffer.allocate(40 + extension + payload.length);
        b.putInt(0, 0x6000_0000 | r.nextInt(1 << 20));
        b.putShort(4, (short) (extension + payload.length));
        b.put(6, (byte) (hopByHop ? 0 : protocol)).put(7, (byte) 64);
        b.put(8, Ipv6Address.parse(IPV6[r.nextInt(IPV6.length)]).toArray());
        b.put(24, Ipv6Address.parse(IPV6[r.nextInt(IPV6.length)]).toArray());
        if (hopByHop) {
            b.put(40, (byte) protocol).put(41, (byte) 0).put(42, (byte) 1).put(43, (byte) 4);
        }
        b.put(40 + extension, payload);
        return new Packet(0x86DD, b.array(), "ipv6/" + protocol + (hopByHop ? "+hbh" : ""));
    }

    static Packet arp(SplittableRandom r) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort(0, (short) 1).putShort(2, (short) 0x0800).put(4, (byte) 6).put(5, (byte) 4);
        b.putShort(6, (short) (1 + r.nextInt(2)));
        b.put(8, new byte[] {2, 0, 0, 0, 0, (byte) r.nextInt(256)});
        b.putInt(14, ipv4Address(r));
        b.putInt(24, ipv4Address(r));
        return new Packet(0x0806, b.array(), "arp");
    }

    /** The packet in an Ethernet frame from {@code source} to {@code destination} (6 bytes each). */
    static byte[] ethernet(Packet p, byte[] destination, byte[] source) {
        byte[] frame = new byte[14 + p.bytes().length];
        System.arraycopy(destination, 0, frame, 0, 6);
        System.arraycopy(source, 0, frame, 6, 6);
        frame[12] = (byte) (p.etherType() >>> 8);
        frame[13] = (byte) p.etherType();
        System.arraycopy(p.bytes(), 0, frame, 14, p.bytes().length);
        return frame;
    }

    /** The packet behind a Linux cooked v2 header (the protocol at 0, as the sniffer writes it for all interfaces). */
    static byte[] sll2(Packet p) {
        byte[] frame = new byte[20 + p.bytes().length];
        frame[0] = (byte) (p.etherType() >>> 8);
        frame[1] = (byte) p.etherType();
        frame[7] = 1;   // interface index 1
        frame[9] = 1;   // ARPHRD_ETHER
        frame[11] = 6;  // address length
        System.arraycopy(p.bytes(), 0, frame, 20, p.bytes().length);
        return frame;
    }

    /**
     * Bends {@code frame} from byte {@code from} on (the link header before it is left alone, except that
     * an Ethernet frame's EtherType may be hit when {@code etherTypeAt} is not negative); never cuts it
     * below {@code minimum} bytes. Returns the (possibly shorter) frame.
     */
    static byte[] mutate(byte[] frame, int from, int minimum, int etherTypeAt, SplittableRandom r) {
        byte[] f = frame.clone();
        int net = from;
        int choice = r.nextInt(10);
        if (choice < 3 && f.length > net) { // flip random bytes
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                f[net + r.nextInt(f.length - net)] = (byte) r.nextInt(256);
            }
        } else if (choice == 3 && etherTypeAt >= 0) {
            int[] types = {0x0800, 0x86DD, 0x0806, 0x0000, 0x05DC, 0xFFFF, r.nextInt(65536)};
            int t = types[r.nextInt(types.length)];
            f[etherTypeAt] = (byte) (t >>> 8);
            f[etherTypeAt + 1] = (byte) t;
        } else if (choice == 4 && f.length > net) { // the IPv4 ihl / IPv6 version nibble
            f[net] = (byte) ((f[net] & 0xF0) | r.nextInt(16));
        } else if (choice == 5 && f.length > net + 9) { // the protocol / next header
            int[] protocols = {1, 6, 17, 58, 132, 0, 44, r.nextInt(256)};
            f[net + ((f[net] & 0xFF) >>> 4 == 6 ? 6 : 9)] = (byte) protocols[r.nextInt(protocols.length)];
        } else if (choice == 6 && f.length > net + 7) { // the fragment field
            f[net + 6] = (byte) r.nextInt(256);
            f[net + 7] = (byte) (r.nextBoolean() ? 0 : r.nextInt(256));
        }
        if (r.nextInt(3) == 0) { // cut short
            int length = minimum + r.nextInt(Math.max(1, f.length - minimum + 1));
            f = Arrays.copyOf(f, Math.max(minimum, Math.min(length, f.length)));
        }
        return f;
    }

    /** The expressions every agreement test runs: one of each primitive, qualified every way, and combinations. */
    static final String[] EXPRESSIONS = {
        "tcp", "udp", "icmp", "icmp6", "ip", "ip6", "arp", "sctp", "ip proto 47", "ip6 proto 58", "proto 17",
        "ether proto 0x88cc",
        "host 127.0.0.1", "src host 127.0.0.1", "dst host 127.0.0.2", "host ::1", "src host fe80::1", "ip host 10.0.0.1",
        "arp host 127.0.0.1", "arp dst host 127.0.0.2", "ip6 dst host 2001:db8::1",
        "net 127.0.0.0/8", "src net 198.18.0.0/15", "net 2001:db8::/32", "dst net 2001:db8:1::/48", "net 0.0.0.0/0", "dst net ::/0",
        "port 80", "src port 443", "dst port 8080", "tcp port 80", "udp port 53", "sctp port 22", "portrange 1-1024",
        "tcp dst portrange 80-443", "udp src portrange 1024-65535", "port 80 or 443",
        "tcp[tcpflags] & tcp-syn != 0", "tcp[flags] & (syn|ack) == syn|ack", "tcp[13] == 2", "tcp[flags] & syn|ack",
        "tcp[0:2] > 1023", "tcp[4:4] < 0x80000000", "udp[6:2] != 0", "udp[0:2] <= 1024", "icmp[icmptype] == icmp-echo",
        "icmp[icmpcode] >= 1", "ip[8] <= 64", "ip[0] & 0xf != 5", "ip[6:2] & 0x1fff = 0", "ip[16:4] == 0x7f000001",
        "tcp and port 80", "not tcp", "!(port 80 || port 443)", "tcp and not (src host 127.0.0.1 or dst port 22)",
        "udp or icmp and host 127.0.0.1", "not not ip6", "host 127.0.0.1 and (tcp[tcpflags] & (syn|fin) != 0 or udp)",
        "arp or ip6 or ip", "not port 53 and not arp", "(tcp or udp) and (src net 127.0.0.0/8) and not dst port 0",
    };
}
