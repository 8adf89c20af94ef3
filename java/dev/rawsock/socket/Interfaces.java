package dev.rawsock.socket;

import dev.rawsock.linux.Constants;
import dev.rawsock.linux.Errno;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.linux.LibC;
import dev.rawsock.linux.Linux;
import dev.rawsock.linux.NativeBuffer;
import dev.rawsock.linux.Structs;
import dev.rawsock.linux.Syscall;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Interface settings through ioctl(2) on an ordinary socket (netdevice(7)), in the calling thread's
 * network namespace: here the one the lab needs, transmit checksum offload, through the ethtool ioctl
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

    private static int ethtool(String name, int command, int value, String commandName) throws ErrnoException {
        byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length == 0 || bytes.length >= Constants.IFNAMSIZ) {
            throw Syscall.failure("ioctl SIOCETHTOOL", Errno.ENODEV.number,
                    "'" + name + "' is not an interface name (1-" + (Constants.IFNAMSIZ - 1) + " characters)");
        }
        LibC libc = Linux.libc();
        NativeBuffer memory = NativeBuffer.allocate(Structs.Ifreq.SIZE + Structs.EthtoolValue.SIZE);
        ByteBuffer b = memory.buffer();
        int value0 = Structs.Ifreq.SIZE;
        b.put(Structs.Ifreq.IFR_NAME, bytes);
        b.putLong(Structs.Ifreq.IFR_DATA, memory.address(value0));
        b.putInt(value0 + Structs.EthtoolValue.CMD, command);
        b.putInt(value0 + Structs.EthtoolValue.DATA, value);
        int fd = libc.socket(Constants.AF_INET, Constants.SOCK_DGRAM | Constants.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Syscall.failure("socket", Syscall.errno(), "AF_INET, SOCK_DGRAM for ioctl SIOCETHTOOL");
        }
        try {
            if (libc.ioctl(fd, Constants.SIOCETHTOOL, memory.address()) < 0) {
                throw Syscall.failure("ioctl SIOCETHTOOL", Syscall.errno(), commandName + " on " + name);
            }
            return b.getInt(value0 + Structs.EthtoolValue.DATA);
        } finally {
            libc.close(fd);
        }
    }
}
