#!/usr/bin/env python3
# How the captured vectors in TcpHeaderTest, UdpHeaderTest and IcmpMessageTest were made (not run by the
# tests): Linux builds a TCP SYN, a UDP datagram and an ICMP echo request itself, and they are read from
# a TUN device. A TUN device without IFF_VNET_HDR has no checksum offload, so the kernel finishes every
# checksum in software (on `lo` a capture shows only the pseudo-header part of the TCP/UDP checksum).
# Needs root; run in a private network namespace so nothing leaves the machine:
#
#   sudo unshare -n python3 tests/dev/rawsock/wire/capture_vectors.py
#
# The address 198.18.0.2 is in the range set aside for network testing; nobody answers it.
import fcntl, os, select, socket, struct, subprocess

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000

fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"rs0", IFF_TUN | IFF_NO_PI))
subprocess.check_call(["ip", "link", "set", "lo", "up"])
subprocess.check_call(["ip", "addr", "add", "198.18.0.1/24", "dev", "rs0"])
subprocess.check_call(["ip", "link", "set", "rs0", "up"])
with open("/proc/sys/net/ipv4/ping_group_range", "w") as f:
    f.write("0 0")  # let root open an unprivileged ICMP "ping socket" in this namespace


def grab(protocol):
    while True:
        ready, _, _ = select.select([fd], [], [], 3)
        if not ready:
            raise SystemExit("no packet")
        packet = os.read(fd, 2048)
        if packet[0] >> 4 == 4 and packet[9] == protocol:
            return packet


tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.setblocking(False)
try:
    tcp.connect(("198.18.0.2", 8080))
except BlockingIOError:
    pass
print("tcp ", grab(6).hex())

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("198.18.0.1", 40000))
udp.sendto(b"rawsock\n", ("198.18.0.2", 9))
print("udp ", grab(17).hex())

# A ping socket: the kernel sets the identifier to the socket's bound "port" and computes the checksum.
icmp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP)
icmp.bind(("198.18.0.1", 0x1234))
icmp.sendto(bytes([8, 0, 0, 0, 0, 0, 0, 1]) + b"abcdefgh", ("198.18.0.2", 0))
print("icmp", grab(1).hex())
print(open("/proc/version").read().strip())
