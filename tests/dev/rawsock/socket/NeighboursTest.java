package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Neighbours} over the kernel's own table formats (proc(5); lines as a Linux 6 kernel prints them, host
 * order hex on little-endian), and {@link Interfaces#link} against what sysfs says of lo. The lookups on a live
 * table run in SendEthernetCliTest, inside a lab.
 */
class NeighboursTest {
    /** A host on 198.18.0.0/24 (veth-craft) with a default route via 198.18.0.2 there, and another interface. */
    private static final List<String> ROUTES = List.of(
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
            "eth0\t00000000\t010000C0\t0003\t0\t0\t100\t00000000\t0\t0\t0",
            "veth-craft\t00000000\t020012C6\t0003\t0\t0\t0\t00000000\t0\t0\t0",
            "veth-craft\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
            "veth-craft\t000112C6\t050012C6\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0");

    private static final List<String> ARP = List.of(
            "IP address       HW type     Flags       HW address            Mask     Device",
            "198.18.0.2       0x1         0x2         02:72:73:00:00:02     *        veth-craft",
            "198.18.0.3       0x1         0x0         00:00:00:00:00:00     *        veth-craft",
            "198.18.0.4       0x1         0x6         02:72:73:00:00:04     *        veth-craft",
            "198.18.0.2       0x1         0x2         02:00:00:00:00:99     *        eth0");

    private static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    @Test
    void theNextHopIsTheGatewayOfTheMostSpecificRouteOutOfThatInterface() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN,
                "the sample lines are a little-endian host's");
        assertEquals(ip(198, 18, 0, 7), Neighbours.nextHop(ip(198, 18, 0, 7), "veth-craft", ROUTES), "on the link: itself");
        assertEquals(ip(198, 18, 0, 5), Neighbours.nextHop(ip(198, 18, 1, 9), "veth-craft", ROUTES), "a /24 via 198.18.0.5");
        assertEquals(ip(198, 18, 0, 2), Neighbours.nextHop(ip(203, 0, 113, 1), "veth-craft", ROUTES), "the default route there");
        assertEquals(ip(192, 0, 0, 1), Neighbours.nextHop(ip(203, 0, 113, 1), "eth0", ROUTES), "another interface, its own default");
        assertEquals(ip(10, 1, 2, 3), Neighbours.nextHop(ip(10, 1, 2, 3), "lo", ROUTES), "no route out of lo: the destination itself");
    }

    @Test
    void onlyResolvedEntriesOfThatInterfaceCount() {
        assertEquals(0x0272_7300_0002L, Neighbours.arpEntry(ip(198, 18, 0, 2), "veth-craft", ARP));
        assertEquals(0x0200_0000_0099L, Neighbours.arpEntry(ip(198, 18, 0, 2), "eth0", ARP));
        assertEquals(-1, Neighbours.arpEntry(ip(198, 18, 0, 3), "veth-craft", ARP), "incomplete (flags 0x0): not resolved");
        assertEquals(0x0272_7300_0004L, Neighbours.arpEntry(ip(198, 18, 0, 4), "veth-craft", ARP), "permanent (0x6) is resolved too");
        assertEquals(-1, Neighbours.arpEntry(ip(198, 18, 0, 9), "veth-craft", ARP));
    }

    @Test
    void theLiveTablesOfThisThreadsNamespaceCanBeRead() throws Exception {
        assertTrue(Files.readAllLines(Neighbours.ROUTES).get(0).startsWith("Iface\tDestination\tGateway"));
        assertTrue(Files.readAllLines(Neighbours.ARP).get(0).startsWith("IP address"));
    }

    /**
     * /proc/net/ipv6_route as Linux prints it (network order hex): 2001:2::/64 on veth-craft's link, 2001:2:0:1::/64
     * via 2001:2::5, a default via 2001:2::2 there; another interface's default; lo's unreachable default (RTF_REJECT).
     */
    private static final List<String> IPV6_ROUTES = List.of(
            "20010002000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 veth-craft",
            "20010002000000010000000000000000 40 00000000000000000000000000000000 00 20010002000000000000000000000005 00000400 00000001 00000000 00000003 veth-craft",
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 20010002000000000000000000000002 00000400 00000001 00000000 00000003 veth-craft",
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003     eth0",
            "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo");

    private static byte[] v6(String text) throws Exception {
        return java.net.InetAddress.getByName(text).getAddress();
    }

    @Test
    void theIpv6NextHopIsTheGatewayOfTheMostSpecificRouteOutOfThatInterface() throws Exception {
        assertArrayEquals(v6("2001:2::7"), Neighbours.nextHop6(v6("2001:2::7"), "veth-craft", IPV6_ROUTES), "on the link: itself");
        assertArrayEquals(v6("2001:2::5"), Neighbours.nextHop6(v6("2001:2:0:1::9"), "veth-craft", IPV6_ROUTES), "a /64 via 2001:2::5");
        assertArrayEquals(v6("2001:2::2"), Neighbours.nextHop6(v6("2001:db8::1"), "veth-craft", IPV6_ROUTES), "the default there");
        assertArrayEquals(v6("fe80::1"), Neighbours.nextHop6(v6("2001:db8::1"), "eth0", IPV6_ROUTES), "another interface's default");
        assertArrayEquals(v6("2001:db8::1"), Neighbours.nextHop6(v6("2001:db8::1"), "lo", IPV6_ROUTES),
                "lo's only route rejects: the destination itself");
    }

    /** Netlink messages as the kernel writes them into one read (netlink(7), rtnetlink(7)), in this host's byte order. */
    private static final class Dump {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());

        Dump neighbour(int family, int interfaceIndex, int state, byte[] address, long mac) {
            int start = b.position();
            b.putInt(0).putShort((short) Constants.RTM_NEWNEIGH).putShort((short) 0x2 /* NLM_F_MULTI */).putInt(1).putInt(0);
            b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(interfaceIndex).putShort((short) state)
                    .put((byte) 0).put((byte) 1);
            b.putShort((short) (4 + address.length)).putShort((short) Constants.NDA_DST).put(address);
            align();
            b.putShort((short) 10).putShort((short) Constants.NDA_LLADDR);
            for (int i = 5; i >= 0; i--) {
                b.put((byte) (mac >>> (8 * i)));
            }
            align();
            b.putInt(start, b.position() - start);
            return this;
        }

        Dump done() {
            b.putInt(20).putShort((short) Constants.NLMSG_DONE).putShort((short) 0x2).putInt(1).putInt(0).putInt(0);
            return this;
        }

        Dump error(int errno) {
            b.putInt(36).putShort((short) Constants.NLMSG_ERROR).putShort((short) 0).putInt(1).putInt(0).putInt(-errno);
            b.put(new byte[16]); // the request's header, quoted
            return this;
        }

        private void align() {
            while ((b.position() & 3) != 0) {
                b.put((byte) 0);
            }
        }
    }

    @Test
    void onlyUsableIpv6EntriesOfThatInterfaceCountAndTheDumpsEndIsSeen() throws Exception {
        byte[] target = v6("2001:2::2");
        Dump d = new Dump()
                .neighbour(Constants.AF_INET6, 3, Constants.NUD_REACHABLE, target, 0x0200_0000_0099L) // another interface
                .neighbour(Constants.AF_INET6, 7, 0x20 /* NUD_FAILED */, target, 0x0200_0000_0098L)
                .neighbour(Constants.AF_INET6, 7, Constants.NUD_STALE, v6("2001:2::3"), 0x0200_0000_0097L)
                .neighbour(Constants.AF_INET, 7, Constants.NUD_REACHABLE, new byte[] {(byte) 198, 18, 0, 2}, 0x0200_0000_0096L);
        Neighbours.DumpPart part = Neighbours.neighbourMessages(d.b, d.b.position(), target, 7);
        assertEquals(new Neighbours.DumpPart(-1, false), part, "nothing usable for 2001:2::2 on interface 7, and no end yet");

        d.neighbour(Constants.AF_INET6, 7, Constants.NUD_STALE, target, 0x0272_7300_0002L).done();
        assertEquals(new Neighbours.DumpPart(0x0272_7300_0002L, true), Neighbours.neighbourMessages(d.b, d.b.position(), target, 7));
        assertEquals(new Neighbours.DumpPart(0x0200_0000_0099L, true), Neighbours.neighbourMessages(d.b, d.b.position(), target, 3));
        assertEquals(new Neighbours.DumpPart(-1, true), Neighbours.neighbourMessages(d.b, d.b.position(), v6("2001:2::9"), 7));

        // A read cut inside a message: the whole messages before it count, nothing past it is read.
        Dump cut = new Dump().neighbour(Constants.AF_INET6, 7, Constants.NUD_PERMANENT, target, 0x0272_7300_0002L);
        int whole = cut.b.position();
        cut.neighbour(Constants.AF_INET6, 7, Constants.NUD_REACHABLE, target, 0x0200_0000_0001L);
        assertEquals(new Neighbours.DumpPart(0x0272_7300_0002L, false), Neighbours.neighbourMessages(cut.b, whole + 20, target, 7));

        Dump refused = new Dump().error(22);
        ErrnoException e = assertThrows(ErrnoException.class, () -> Neighbours.neighbourMessages(refused.b, refused.b.position(), target, 7));
        assertTrue(e.getMessage().contains("EINVAL") && e.getMessage().contains("RTM_GETNEIGH"), e.getMessage());
    }

    @Test
    void theLiveIpv6NeighbourTableOfThisNamespaceAnswersOverRtnetlink() throws Exception {
        // lo holds ::1 as a NOARP neighbour with a link-layer address of zeros, as ip(8) shows it; the tables with real
        // neighbours are the lab's (SendEthernetCliTest)
        // (the kernel makes the entry when it first sends to ::1: one datagram to the discard port does)
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
            udp.send(new java.net.DatagramPacket(new byte[1], 1, java.net.InetAddress.getByName("::1"), 9));
        }
        dev.rawsock.testing.NativeTools.Result ip = dev.rawsock.testing.NativeTools.run(20,
                List.of("ip", "-6", "neigh", "show", "::1", "dev", "lo", "nud", "all"));
        assertEquals(0, ip.exitCode(), ip.stderr());
        assertTrue(ip.stdout().contains("lladdr 00:00:00:00:00:00 NOARP"), ip.stdout());
        int lo = Interfaces.link("lo").index();
        assertEquals(0, Neighbours.ndpEntry(v6("::1"), lo));
        assertEquals(-1, Neighbours.ndpEntry(v6("2001:2::99"), lo), "no entry");
        assertTrue(Files.readAllLines(Neighbours.IPV6_ROUTES).stream().anyMatch(l -> l.trim().endsWith(" lo")));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Neighbours.ndpEntry(new byte[4], 1));
        assertTrue(bad.getMessage().contains("16 bytes"), bad.getMessage());
    }

    @Test
    void loIsDescribedAsSysfsDescribesIt() throws Exception {
        Interfaces.Link lo = Interfaces.link("lo");
        assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/type")).strip()), lo.hardwareType());
        assertEquals(Integer.parseInt(Files.readString(Path.of("/sys/class/net/lo/ifindex")).strip()), lo.index());
        assertEquals((Integer.decode(Files.readString(Path.of("/sys/class/net/lo/flags")).strip()) & 0x1) != 0, lo.up());
        assertEquals(dev.rawsock.wire.MacAddress.parse(Files.readString(Path.of("/sys/class/net/lo/address"))), lo.mac());
        assertTrue(lo.loopback() && lo.ethernet());
        assertEquals(ip(127, 0, 0, 1), lo.ipv4Address());

        ErrnoException e = assertThrows(ErrnoException.class, () -> Interfaces.link("nosuch0"));
        assertTrue(e.getMessage().contains("no interface named 'nosuch0'"), e.getMessage());
    }
}
