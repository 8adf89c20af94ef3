package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's routing and neighbour tables, for sending Ethernet frames oneself: the next hop toward a destination
 * out of one interface, and the MAC address the kernel has resolved for it. IPv4 as procfs shows them (proc(5):
 * /proc/net/route, /proc/net/arp; ARP, RFC 826); IPv6 routes from /proc/net/ipv6_route, and IPv6 neighbours
 * (neighbour discovery, RFC 4861), which procfs does not show, from the kernel's table over rtnetlink (rtnetlink(7):
 * RTM_GETNEIGH on a NETLINK_ROUTE socket, opened in the calling thread's namespace). Nothing is sent to the network
 * and nothing resolved here: an address the kernel has not resolved has no entry.
 *
 * <p>Read through /proc/thread-self/net, not /proc/net: /proc/net is /proc/self/net, the network namespace of
 * the process's main thread, while the calling thread may have entered another one (setns(2), as the lab does).
 */
public final class Neighbours {
    private Neighbours() {}

    static final Path ROUTES = Path.of("/proc/thread-self/net/route");
    static final Path ARP = Path.of("/proc/thread-self/net/arp");
    static final Path IPV6_ROUTES = Path.of("/proc/thread-self/net/ipv6_route");

    /** /proc/net/route flags (linux/route.h). */
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;
    /** An unreachable/prohibit/blackhole route (linux/route.h, ipv6_route.h). */
    private static final int RTF_REJECT = 0x200;
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

    /**
     * The IPv6 next hop from interface {@code device} toward {@code destination} (16 bytes): the gateway of the most
     * specific route out of that interface that covers it (lowest metric among equals), or the destination itself
     * when that route has no gateway or no route out of that interface covers it.
     */
    public static byte[] nextHop6(byte[] destination, String device) throws IOException {
        return nextHop6(destination, device, read(IPV6_ROUTES));
    }

    /** {@link #nextHop6(byte[], String)} over the lines of a /proc/net/ipv6_route file. */
    static byte[] nextHop6(byte[] destination, String device, List<String> routeLines) {
        if (destination.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + destination.length);
        }
        int bestLength = -1;
        long bestMetric = Long.MAX_VALUE;
        byte[] hop = destination;
        for (String line : routeLines) {
            // destination, its prefix length, source, its prefix length, next hop, metric, refcount, use, flags,
            // device: addresses as 32 hex digits in network order, the rest hex (net/ipv6/route.c, rt6_info_seq_show)
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[9].equals(device) || f[0].length() != 32 || f[4].length() != 32) {
                continue;
            }
            int length = Integer.parseInt(f[1], 16);
            long metric = Long.parseLong(f[5], 16);
            int flags = (int) Long.parseLong(f[8], 16);
            if ((flags & RTF_UP) == 0 || (flags & RTF_REJECT) != 0 || !covers(hex16(f[0]), length, destination)) {
                continue;
            }
            if (length > bestLength || (length == bestLength && metric < bestMetric)) {
                bestLength = length;
                bestMetric = metric;
                hop = (flags & RTF_GATEWAY) != 0 ? hex16(f[4]) : destination;
            }
        }
        return hop;
    }

    private static boolean covers(byte[] network, int prefixLength, byte[] address) {
        for (int bit = 0; bit < prefixLength; bit++) {
            int mask = 0x80 >>> (bit & 7);
            if ((network[bit >>> 3] & mask) != (address[bit >>> 3] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static byte[] hex16(String hex) {
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        }
        return b;
    }

    /** The states in which the kernel uses a neighbour's link-layer address (its NUD_VALID, include/net/neighbour.h). */
    private static final int NUD_VALID = Constants.NUD_PERMANENT | Constants.NUD_NOARP | Constants.NUD_REACHABLE
            | Constants.NUD_PROBE | Constants.NUD_STALE | Constants.NUD_DELAY;
    private static final int READ_BYTES = 32 * 1024;
    private static final int MAX_READS = 10_000;
    private static final int READ_TIMEOUT_MILLIS = 2_000;

    /**
     * The MAC address the kernel's neighbour table holds for IPv6 {@code address} on the interface with index
     * {@code interfaceIndex} (reachable, stale, delay, probe, permanent or noarp), or -1 when it has none: one
     * RTM_GETNEIGH dump of the AF_INET6 neighbours (rtnetlink(7)) in the calling thread's network namespace.
     */
    public static long ndpEntry(byte[] address, int interfaceIndex) throws ErrnoException {
        if (address.length != 16) {
            throw new IllegalArgumentException("an IPv6 address has 16 bytes, not " + address.length);
        }
        LibC libc = Linux.libc();
        int fd = libc.socket(Constants.AF_NETLINK, Constants.SOCK_RAW | Constants.SOCK_CLOEXEC, Constants.NETLINK_ROUTE);
        if (fd < 0) {
            throw Syscall.failure("socket", Syscall.errno(), "AF_NETLINK, NETLINK_ROUTE");
        }
        try {
            NativeBuffer block = NativeBuffer.allocate(READ_BYTES + Structs.Pollfd.SIZE);
            ByteBuffer b = block.buffer();
            int request = Structs.Nlmsghdr.SIZE + Structs.Ndmsg.SIZE;
            b.putInt(Structs.Nlmsghdr.NLMSG_LEN, request);
            b.putShort(Structs.Nlmsghdr.NLMSG_TYPE, (short) Constants.RTM_GETNEIGH);
            b.putShort(Structs.Nlmsghdr.NLMSG_FLAGS, (short) (Constants.NLM_F_REQUEST | Constants.NLM_F_DUMP));
            b.putInt(Structs.Nlmsghdr.NLMSG_SEQ, 1);
            b.put(Structs.Nlmsghdr.SIZE + Structs.Ndmsg.NDM_FAMILY, (byte) Constants.AF_INET6);
            long rc;
            int errno = 0;
            // a netlink socket's default destination is the kernel (nl_pid 0): write(2) sends the request there
            while ((rc = libc.write(fd, block.address(), request)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                // write again after EINTR
            }
            if (rc < 0) {
                throw Syscall.failure("write", errno, "an RTM_GETNEIGH request");
            }
            long found = -1;
            for (int reads = 0; reads < MAX_READS; reads++) {
                if (!Readiness.awaitReadable(libc, block, READ_BYTES, fd, READ_TIMEOUT_MILLIS)) {
                    throw Syscall.failure("read", dev.rawsock.linux.Errno.ETIMEDOUT.number,
                            "the kernel's neighbour table did not end its dump within " + READ_TIMEOUT_MILLIS + " ms");
                }
                while ((rc = libc.read(fd, block.address(), READ_BYTES)) < 0 && Syscall.interrupted(errno = Syscall.errno())) {
                    // read again after EINTR
                }
                if (rc < 0) {
                    throw Syscall.failure("read", errno, "the kernel's neighbour table (rtnetlink)");
                }
                DumpPart part = neighbourMessages(b, (int) rc, address, interfaceIndex);
                if (part.mac() >= 0) {
                    found = part.mac();
                }
                if (part.done()) {
                    return found;
                }
            }
            throw Syscall.failure("read", dev.rawsock.linux.Errno.EOVERFLOW.number,
                    "the kernel's neighbour table did not end within " + MAX_READS + " reads");
        } finally {
            libc.close(fd);
        }
    }

    /** What one read of the dump held: the MAC of the entry sought (-1: not there), and whether the dump ended. */
    record DumpPart(long mac, boolean done) {}

    /**
     * Reads the rtnetlink messages in the first {@code length} bytes of {@code b} (one read's worth of a dump): the MAC
     * of a usable entry for {@code address} on {@code interfaceIndex} among them, and whether the dump's NLMSG_DONE
     * was. An NLMSG_ERROR with an error is thrown; a message cut short ends the reading.
     */
    static DumpPart neighbourMessages(ByteBuffer b, int length, byte[] address, int interfaceIndex) throws ErrnoException {
        long found = -1;
        int at = 0;
        while (at + Structs.Nlmsghdr.SIZE <= length) {
            int messageLength = b.getInt(at + Structs.Nlmsghdr.NLMSG_LEN);
            if (messageLength < Structs.Nlmsghdr.SIZE || at + messageLength > length) {
                break;
            }
            int type = Short.toUnsignedInt(b.getShort(at + Structs.Nlmsghdr.NLMSG_TYPE));
            int body = at + Structs.Nlmsghdr.SIZE;
            if (type == Constants.NLMSG_DONE) {
                return new DumpPart(found, true);
            }
            if (type == Constants.NLMSG_ERROR && messageLength >= Structs.Nlmsghdr.SIZE + 4 && b.getInt(body) != 0) {
                throw Syscall.failure("read", -b.getInt(body), "the kernel refused the RTM_GETNEIGH dump");
            }
            if (type == Constants.RTM_NEWNEIGH && messageLength >= Structs.Nlmsghdr.SIZE + Structs.Ndmsg.SIZE
                    && b.get(body + Structs.Ndmsg.NDM_FAMILY) == Constants.AF_INET6
                    && b.getInt(body + Structs.Ndmsg.NDM_IFINDEX) == interfaceIndex
                    && (Short.toUnsignedInt(b.getShort(body + Structs.Ndmsg.NDM_STATE)) & NUD_VALID) != 0) {
                long mac = neighbourMac(b, body + Structs.Ndmsg.SIZE, at + messageLength, address);
                if (mac >= 0) {
                    found = mac;
                }
            }
            at += (messageLength + 3) & ~3; // NLMSG_ALIGN
        }
        return new DumpPart(found, false);
    }

    /** The NDA_LLADDR (6 bytes) of a neighbour whose NDA_DST is {@code address}, from its rtattrs in [from, end); else -1. */
    private static long neighbourMac(ByteBuffer b, int from, int end, byte[] address) {
        boolean sameAddress = false;
        long mac = -1;
        for (int at = from; at + Structs.Rtattr.SIZE <= end; ) {
            int attributeLength = Short.toUnsignedInt(b.getShort(at + Structs.Rtattr.RTA_LEN));
            if (attributeLength < Structs.Rtattr.SIZE || at + attributeLength > end) {
                break;
            }
            int type = Short.toUnsignedInt(b.getShort(at + Structs.Rtattr.RTA_TYPE));
            int value = at + Structs.Rtattr.SIZE;
            int valueLength = attributeLength - Structs.Rtattr.SIZE;
            if (type == Constants.NDA_DST && valueLength == 16) {
                sameAddress = b.slice(value, 16).equals(ByteBuffer.wrap(address));
            } else if (type == Constants.NDA_LLADDR && valueLength == 6) {
                mac = Interfaces.bigEndian(b, value, 6);
            }
            at += (attributeLength + 3) & ~3; // RTA_ALIGN
        }
        return sameAddress ? mac : -1;
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
