#!/usr/bin/env python3
# How the captured vectors in TcpHeaderTest, UdpHeaderTest, IcmpMessageTest and Ipv4HeaderTest were made
# (not run by the tests): Linux builds a TCP SYN, a UDP datagram, an ICMP echo request and a UDP datagram
# with an IPv4 Record Route option itself, and they are read from a TUN device. A TUN device without
# IFF_VNET_HDR has no checksum offload, so the kernel finishes every checksum in software (on `lo` a
# capture shows only the pseudo-header part of the TCP/UDP checksum).
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

# IPv4 options (Ipv4HeaderTest): a Record Route option with two empty slots (RFC 791 §3.1: type 7, length
# 11, pointer 4), set with IP_OPTIONS. Linux records its own address in the first slot, advances the
# pointer to 8, pads the options with EOL to 12 bytes (ihl 8) and computes the header checksum.
rr = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rr.bind(("198.18.0.1", 40001))
rr.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([7, 11, 4]) + bytes(8))
rr.sendto(b"rr\n", ("198.18.0.2", 9))
print("rr  ", grab(17).hex())
print(open("/proc/version").read().strip())
