package dev.rawsock.socket;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's IPv4 routing and neighbour tables as procfs shows them (proc(5): /proc/net/route, /proc/net/arp),
 * for sending Ethernet frames oneself: the next hop toward a destination out of one interface, and the MAC
 * address the kernel has resolved for it (ARP, RFC 826). Nothing is sent and nothing resolved here: an address
 * the kernel has not resolved has no entry.
 *
 * <p>Read through /proc/thread-self/net, not /proc/net: /proc/net is /proc/self/net, the network namespace of
 * the process's main thread, while the calling thread may have entered another one (setns(2), as the lab does).
 */
public final class Neighbours {
    private Neighbours() {}

    static final Path ROUTES = Path.of("/proc/thread-self/net/route");
    static final Path ARP = Path.of("/proc/thread-self/net/arp");

    /** /proc/net/route flags (linux/route.h). */
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;
    /** /proc/net/arp flags (linux/if_arp.h): the entry is resolved (ATF_COM). */
    private static final int ATF_COM = 0x2;

    /**
     * The IPv4 next hop from interface {@code device} toward {@code destination}: the gateway of the most
     * specific route out of that interface that covers it (lowest metric among equals), or the destination
     * itself when that route has no gateway or no route out of that interface covers it (a peer on the link).
     */
    public static int nextHop(int destination, String device) throws IOException {
        return nextHop(destination, device, read(ROUTES));
    }

    /** {@link #nextHop(int, String)} over the lines of a /proc/net/route file. */
    static int nextHop(int destination, String device, List<String> routeLines) {
        int bestLength = -1;
        long bestMetric = Long.MAX_VALUE;
        int hop = destination;
        for (String line : routeLines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 8 || !f[0].equals(device) || f[1].equals("Destination")) {
                continue;
            }
            int flags = Integer.parseInt(f[3], 16);
            int network = hostOrderHex(f[1]);
            int gateway = hostOrderHex(f[2]);
            long metric = Long.parseLong(f[6]);
            int mask = hostOrderHex(f[7]);
            int length = Integer.bitCount(mask);
            if ((flags & RTF_UP) == 0 || (destination & mask) != network) {
                continue;
            }
            if (length > bestLength || (length == bestLength && metric < bestMetric)) {
                bestLength = length;
                bestMetric = metric;
                hop = (flags & RTF_GATEWAY) != 0 ? gateway : destination;
            }
        }
        return hop;
    }

    /** The resolved MAC address of IPv4 {@code address} on {@code device} in the ARP table, or -1 when there is none. */
    public static long arpEntry(int address, String device) throws IOException {
        return arpEntry(address, device, read(ARP));
    }

    /** {@link #arpEntry(int, String)} over the lines of a /proc/net/arp file. */
    static long arpEntry(int address, String device, List<String> arpLines) {
        String text = (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
        for (String line : arpLines) {
            // IP address, HW type, Flags, HW address, Mask, Device
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].equals(text) && f[5].equals(device) && (Integer.decode(f[2]) & ATF_COM) != 0) {
                long mac = 0;
                for (String octet : f[3].split(":")) {
                    mac = (mac << 8) | Integer.parseInt(octet, 16);
                }
                return mac;
            }
        }
        return -1;
    }

    /** /proc/net/route prints addresses as the 32-bit value in host byte order, in hex. */
    private static int hostOrderHex(String hex) {
        int v = Integer.parseUnsignedInt(hex, 16);
        return java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    private static List<String> read(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException(file + " is missing (Linux 3.17+ has /proc/thread-self)", e);
        }
    }
}
