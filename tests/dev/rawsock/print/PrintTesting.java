package dev.rawsock.print;

import dev.rawsock.craft.Assembler;
import dev.rawsock.craft.EmitOptions;
import dev.rawsock.craft.PacketSpec;
import dev.rawsock.craft.Randomness;
import dev.rawsock.wire.ArpPacket;
import dev.rawsock.wire.Bytes;
import dev.rawsock.wire.Checksums;
import dev.rawsock.wire.DecodedPacket;
import dev.rawsock.wire.EthernetHeader;
import dev.rawsock.wire.FirstLayer;
import dev.rawsock.wire.Icmpv6View;
import dev.rawsock.wire.Ipv4Address;
import dev.rawsock.wire.Ipv6Address;
import dev.rawsock.wire.Ipv6View;
import dev.rawsock.wire.MacAddress;
import dev.rawsock.wire.PacketDecoder;
import dev.rawsock.wire.TcpView;

import java.nio.ByteBuffer;

/** Packets for the printer tests, built with the crafting code (or by hand for what it does not build: IPv6, ARP). */
final class PrintTesting {
    private PrintTesting() {}

    static final int LOOPBACK = Ipv4Address.parse("127.0.0.1");
    static final int LOOPBACK2 = Ipv4Address.parse("127.0.0.2");

    /** The spec's bytes, with random fields drawn from a fixed seed. */
    static byte[] build(PacketSpec spec) {
        return build(spec, 1);
    }

    static byte[] build(PacketSpec spec, long seed) {
        ByteBuffer b = ByteBuffer.allocate(Assembler.MAX_IPV4_PACKET_BYTES);
        int n = new Assembler().assemble(spec, Randomness.seeded(seed), EmitOptions.DEFAULT, b, 0);
        byte[] out = new byte[n];
        b.get(0, out);
        return out;
    }

    /** Decoded as a whole capture of an IPv4 packet. */
    static DecodedPacket decode(byte[] packet) {
        return decode(packet, packet.length, packet.length, FirstLayer.IPV4);
    }

    static DecodedPacket decode(byte[] frame, FirstLayer first) {
        return decode(frame, frame.length, frame.length, first);
    }

    /** The first {@code captured} bytes of a frame that was {@code original} bytes long. */
    static DecodedPacket decode(byte[] frame, int captured, int original, FirstLayer first) {
        DecodedPacket p = new PacketDecoder().decode(ByteBuffer.wrap(frame), 0, captured, original, first, new DecodedPacket());
        p.frameNumber(1);
        return p;
    }

    /** The README's SYN: 127.0.0.1:40000 > 127.0.0.1:8080, seq 1000, mss 1460, sackOK, ts 1 0, nop, wscale 7. */
    static PacketSpec readmeSyn() {
        return PacketSpec.tcp().source(LOOPBACK).destination(LOOPBACK).sourcePort(40000).destinationPort(8080)
                .sequence(1000L).tcpOptions(Bytes.fromHex("020405b4 0402 080a0000000100000000 01 030307"));
    }

    /**
     * An IPv6 packet carrying {@code transport} (whose checksum field is left as given unless
     * {@code fixTcpChecksum}), from {@code source} to {@code destination}.
     */
    static byte[] ipv6(String source, String destination, int nextHeader, byte[] transport, boolean fixTcpChecksum) {
        ByteBuffer b = ByteBuffer.allocate(40 + transport.length);
        new Ipv6View().wrap(b, 0).version(6).trafficClass(0).flowLabel(0x12345).payloadLength(transport.length)
                .nextHeader(nextHeader).hopLimit(64).source(Ipv6Address.parse(source)).destination(Ipv6Address.parse(destination));
        b.put(40, transport);
        long pseudo = Checksums.pseudoHeaderIpv6(b, 8, 24, transport.length, nextHeader);
        if (fixTcpChecksum && nextHeader == 6) {
            TcpView t = new TcpView().wrap(b, 40).checksum(0);
            t.checksum(t.computeChecksum(pseudo, transport.length));
        } else if (fixTcpChecksum && nextHeader == 58) {
            Icmpv6View m = new Icmpv6View().wrap(b, 40).checksum(0);
            m.checksum(m.computeChecksum(pseudo, transport.length));
        }
        return b.array();
    }

    /** A TCP header (no options) with the given fields and a zero checksum, followed by {@code data}. */
    static byte[] tcpSegment(int sourcePort, int destinationPort, long seq, long ack, int flags, int window, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        new TcpView().wrap(b, 0).sourcePort(sourcePort).destinationPort(destinationPort).sequenceNumber(seq)
                .acknowledgmentNumber(ack).dataOffset(5).flags(flags).window(window);
        b.put(20, data);
        return b.array();
    }

    static final long MAC_A = MacAddress.parse("02:00:00:00:00:0a");
    static final long MAC_B = MacAddress.parse("02:00:00:00:00:0b");

    /** An Ethernet frame carrying an ARP packet, padded to the 60-byte minimum as on the wire. */
    static byte[] arpFrame(int operation, long senderMac, String senderIp, long targetMac, String targetIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        new EthernetHeader(operation == 1 ? MacAddress.BROADCAST : targetMac, senderMac, 0x0806).emit(b, 0);
        ArpPacket.ethernetIpv4(operation, senderMac, Ipv4Address.parse(senderIp), targetMac, Ipv4Address.parse(targetIp)).emit(b, 14);
        return b.array();
    }

    static String hex4(int value) {
        return String.format("%04x", value);
    }
}
