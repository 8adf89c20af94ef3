package dev.rawsock.socket;

import dev.rawsock.linux.ErrnoException;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static dev.rawsock.socket.Protocol.IPPROTO_UDP;
import static dev.rawsock.socket.SocketType.SOCK_DGRAM;

/**
 * The source address the kernel would use to reach a destination: connect(2) a UDP socket there (which
 * sends nothing, only picks the route) and ask getsockname(2). Raw sockets need it because a TCP/UDP
 * checksum is computed over the source address before the kernel would fill it in.
 */
public final class Routes {
    private Routes() {}

    public static InetAddress sourceFor(InetAddress destination) throws ErrnoException {
        SocketApi api = SocketApi.create();
        Domain family = destination instanceof java.net.Inet6Address ? Domain.AF_INET6 : Domain.AF_INET;
        try (Socket s = api.socket(family, SOCK_DGRAM, IPPROTO_UDP)) {
            api.connect(s, new InetSocketAddress(destination, 9)); // the port does not matter; nothing is sent
            return api.getsockname(s).getAddress();
        }
    }
}
