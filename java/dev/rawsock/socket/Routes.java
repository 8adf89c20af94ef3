package dev.rawsock.socket;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The source address the kernel would use to reach a destination: connect(2) a UDP socket there (which
 * sends nothing, only picks the route) and ask getsockname(2). Raw sockets need it because a TCP/UDP
 * checksum is computed over the source address before the kernel would fill it in.
 *
 * <p>Two ways to the same two system calls: the JDK's own DatagramSocket for commands that need nothing else
 * from the jnr binding ({@code rawsock craft}: loading it costs a few hundred milliseconds of start-up,
 * DESIGN.md), and the binding for commands that load it anyway ({@code rawsock send}: the DatagramSocket brings
 * about 45 classes of the JDK's channel implementation that such a command needs for nothing else, a megabyte
 * of its peak RSS with its CDS archive).
 */
public final class Routes {
    /** Any port does: a connected UDP socket sends nothing until written to. */
    private static final int DISCARD_PORT = 9;

    private Routes() {}

    /** The route's source address; an IOException (ENETUNREACH, say) when there is no route. */
    public static InetAddress sourceFor(InetAddress destination) throws IOException {
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.connect(new InetSocketAddress(destination, DISCARD_PORT));
            return routed(s.getLocalAddress(), destination);
        }
    }

    /** The same through {@code api}: socket, connect, getsockname, close. */
    public static InetAddress sourceFor(InetAddress destination, SocketApi api) throws IOException {
        Domain domain = destination instanceof Inet6Address ? Domain.AF_INET6 : Domain.AF_INET;
        try (Socket s = api.socket(domain, SocketType.SOCK_DGRAM, 0)) {
            api.connect(s, new InetSocketAddress(destination, DISCARD_PORT));
            return routed(api.getsockname(s).getAddress(), destination);
        }
    }

    /** {@code local}, unless the connect left it unbound (no route). */
    private static InetAddress routed(InetAddress local, InetAddress destination) throws IOException {
        if (local == null || local.isAnyLocalAddress()) {
            throw new IOException("no route to " + destination.getHostAddress());
        }
        return local;
    }
}
