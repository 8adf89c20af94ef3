package dev.rawsock.socket;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The source address the kernel would use to reach a destination: connect(2) a UDP socket there (which
 * sends nothing, only picks the route) and ask getsockname(2). Raw sockets need it because a TCP/UDP
 * checksum is computed over the source address before the kernel would fill it in.
 *
 * <p>It goes through the JDK's own DatagramSocket (the same two system calls) rather than the jnr binding:
 * {@code rawsock craft} needs nothing else from the binding, and loading it costs a few hundred milliseconds
 * of start-up (DESIGN.md, jnr-ffi).
 */
public final class Routes {
    private Routes() {}

    /** The route's source address; an IOException (ENETUNREACH, say) when there is no route. */
    public static InetAddress sourceFor(InetAddress destination) throws IOException {
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.connect(new InetSocketAddress(destination, 9)); // the port does not matter; nothing is sent
            InetAddress local = s.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no route to " + destination.getHostAddress());
            }
            return local;
        }
    }
}
