package dev.rawsock.socket;

import dev.rawsock.linux.ErrnoException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
