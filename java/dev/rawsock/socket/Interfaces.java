package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Interface settings through ioctl(2) on an ordinary socket (netdevice(7)), in the calling thread's
 * network namespace: what a packet sender needs to know of an interface ({@link #link}: up, hardware type,
 * MAC, IPv4 address), and the setting the lab needs, transmit checksum offload, through the ethtool ioctl
 * (SIOCETHTOOL with ETHTOOL_GTXCSUM / ETHTOOL_STXCSUM), which is what {@code ethtool -K DEV tx off} does.
 *
 * <p>With offload on (the default on veth), the kernel hands its own TCP segments to the device with
 * the checksum unfinished: a packet socket on the other end of a veth pair then reads checksums that
 * look wrong (PACKET_AUXDATA says TP_STATUS_CSUMNOTREADY). With it off, every segment leaves complete.
 * Switching it off also switches off TSO (segmentation offload needs checksum offload), so the frames
 * seen are real MSS-sized segments, not 64 KiB super-frames.
 */
public final class Interfaces {
    private Interfaces() {}

    /** True when transmit checksum offload is on for the named interface. */
    public static boolean transmitChecksumOffload(String name) throws ErrnoException {
        return ethtool(name, Constants.ETHTOOL_GTXCSUM, 0, "ETHTOOL_GTXCSUM") != 0;
    }

    /** Switches transmit checksum offload on or off for the named interface (needs CAP_NET_ADMIN). */
    public static void setTransmitChecksumOffload(String name, boolean on) throws ErrnoException {
        ethtool(name, Constants.ETHTOOL_STXCSUM, on ? 1 : 0, "ETHTOOL_STXCSUM");
    }

    /**
     * What a packet sender needs to know of an interface: its index, whether it is up (IFF_UP) and has a
     * carrier (IFF_RUNNING), its
     * hardware type (ARPHRD_ETHER, ARPHRD_LOOPBACK, ...), its MAC address (SIOCGIFHWADDR; 0 on lo) and its
     * first IPv4 address (SIOCGIFADDR; 0 when it has none).
     */
    public record Link(String name, int index, boolean up, boolean running, int hardwareType, long mac, int ipv4Address) {
        /** Ethernet framing: an Ethernet device, or lo (whose frames carry an Ethernet header of zero MACs). */
        public boolean ethernet() {
            return hardwareType == Constants.ARPHRD_ETHER || hardwareType == Constants.ARPHRD_LOOPBACK;
        }

        public boolean loopback() {
            return hardwareType == Constants.ARPHRD_LOOPBACK;
        }
    }

    /**
     * Reads {@link Link} for the named interface with ioctl(2) (netdevice(7)) in the calling thread's network
     * namespace (unlike /sys/class/net, which shows the namespace sysfs was mounted in). ENODEV names an
     * unknown interface.
     */
    public static Link link(String name) throws ErrnoException {
        NativeBuffer memory = request(name, "ioctl SIOCGIFINDEX", 0);
        ByteBuffer b = memory.buffer();
        int fd = datagramSocket("SIOCGIFFLAGS");
        try {
            ioctl(fd, Constants.SIOCGIFINDEX, memory, "ioctl SIOCGIFINDEX", name, name);
            int index = b.getInt(Structs.Ifreq.IFR_IFINDEX);
            ioctl(fd, Constants.SIOCGIFFLAGS, memory, "ioctl SIOCGIFFLAGS", name, name);
            short flags = b.getShort(Structs.Ifreq.IFR_FLAGS);
            boolean up = (flags & Constants.IFF_UP) != 0;
            boolean running = (flags & Constants.IFF_RUNNING) != 0;
            ioctl(fd, Constants.SIOCGIFHWADDR, memory, "ioctl SIOCGIFHWADDR", name, name);
            int type = b.getShort(Structs.Ifreq.IFR_HWADDR) & 0xFFFF; // sa_family holds the ARPHRD_* type
            long mac = bigEndian(b, Structs.Ifreq.IFR_HWADDR + 2, 6); // sa_data: the address, first octet first
            int address = 0;
            b.putShort(Structs.Ifreq.IFR_ADDR, (short) Constants.AF_INET);
            if (Linux.libc().ioctl(fd, Constants.SIOCGIFADDR, memory.address()) == 0) {
                address = (int) bigEndian(b, Structs.Ifreq.IFR_ADDR + Structs.SockaddrIn.SIN_ADDR, 4); // network order
            } else if (Syscall.errno() != Errno.EADDRNOTAVAIL.number) { // EADDRNOTAVAIL: no IPv4 address
                throw Syscall.failure("ioctl SIOCGIFADDR", Syscall.errno(), name);
            }
            return new Link(name, index, up, running, type, mac, address);
        } finally {
            Linux.libc().close(fd);
        }
    }

    private static int ethtool(String name, int command, int value, String commandName) throws ErrnoException {
        NativeBuffer memory = request(name, "ioctl SIOCETHTOOL", Structs.EthtoolValue.SIZE);
        ByteBuffer b = memory.buffer();
        int value0 = Structs.Ifreq.SIZE;
        b.putLong(Structs.Ifreq.IFR_DATA, memory.address(value0));
        b.putInt(value0 + Structs.EthtoolValue.CMD, command);
        b.putInt(value0 + Structs.EthtoolValue.DATA, value);
        int fd = datagramSocket("SIOCETHTOOL");
        try {
            ioctl(fd, Constants.SIOCETHTOOL, memory, "ioctl SIOCETHTOOL", commandName + " on " + name, name);
            return b.getInt(value0 + Structs.EthtoolValue.DATA);
        } finally {
            Linux.libc().close(fd);
        }
    }

    /** An ifreq naming the interface, with {@code extraBytes} after it; a name that cannot be one is ENODEV. */
    private static NativeBuffer request(String name, String call, int extraBytes) throws ErrnoException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= Constants.IFNAMSIZ) {
            throw Syscall.failure(call, Errno.ENODEV.number,
                    "'" + name + "' is not an interface name (1-" + (Constants.IFNAMSIZ - 1) + " characters)");
        }
        NativeBuffer memory = NativeBuffer.allocate(Structs.Ifreq.SIZE + extraBytes);
        memory.buffer().put(Structs.Ifreq.IFR_NAME, bytes);
        return memory;
    }

    /** Any socket serves for interface ioctls (netdevice(7)); an AF_INET datagram one is always there. */
    private static int datagramSocket(String forWhat) throws ErrnoException {
        int fd = Linux.libc().socket(Constants.AF_INET, Constants.SOCK_DGRAM | Constants.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Syscall.failure("socket", Syscall.errno(), "AF_INET, SOCK_DGRAM for ioctl " + forWhat);
        }
        return fd;
    }

    private static void ioctl(int fd, int request, NativeBuffer memory, String call, String detail, String name) throws ErrnoException {
        if (Linux.libc().ioctl(fd, request, memory.address()) < 0) {
            int errno = Syscall.errno();
            throw Syscall.failure(call, errno, errno == Errno.ENODEV.number ? "no interface named '" + name + "'" : detail);
        }
    }

    /** {@code bytes} bytes at {@code offset}, first byte most significant (a MAC, an address in network order). */
    static long bigEndian(ByteBuffer b, int offset, int bytes) {
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            value = (value << 8) | (b.get(offset + i) & 0xFF);
        }
        return value;
    }
}
