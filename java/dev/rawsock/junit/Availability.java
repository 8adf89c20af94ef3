package dev.rawsock.junit;

import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketType;

import java.util.function.Supplier;

/**
 * Whether this process can open raw sockets, probed once (by opening and closing an IPPROTO_RAW socket)
 * with the cause kept for the message. The probe is the hook for a later privileged helper: a helper
 * client that can reach the daemon would be one more way to answer "available".
 */
public record Availability(boolean available, String reason) {
    /** What to do about it, printed with every skip. */
    public static final String REMEDY = "run the tests as root, or give the JVM CAP_NET_RAW "
            + "(e.g. sudo setcap cap_net_raw+ep $(readlink -f $(which java))); "
            + "set RAWSOCK_REQUIRE_PRIVILEGED=1 to make this a failure instead of a skip";

    private static volatile Availability probed;
    /** Test hook (package-private): replaces the probe, e.g. to exercise the skip path as root. */
    static volatile Supplier<Availability> override;
    /** Test hook (package-private): replaces the RAWSOCK_REQUIRE_PRIVILEGED lookup. */
    static volatile Supplier<Boolean> requiredOverride;

    public static Availability check() {
        Supplier<Availability> o = override;
        if (o != null) {
            return o.get();
        }
        Availability a = probed;
        if (a == null) {
            synchronized (Availability.class) {
                a = probed;
                if (a == null) {
                    probed = a = probe();
                }
            }
        }
        return a;
    }

    /** RAWSOCK_REQUIRE_PRIVILEGED=1: a missing raw socket fails the test rather than skipping it. */
    public static boolean required() {
        Supplier<Boolean> o = requiredOverride;
        if (o != null) {
            return o.get();
        }
        return "1".equals(System.getenv("RAWSOCK_REQUIRE_PRIVILEGED"));
    }

    private static Availability probe() {
        try {
            SocketApi api = SocketApi.create();
            Socket s = api.socket(Domain.AF_INET, SocketType.SOCK_RAW, Protocol.IPPROTO_RAW);
            api.close(s);
            return new Availability(true, "a raw socket opened");
        } catch (ErrnoException e) {
            return new Availability(false, "cannot open a raw socket: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Availability(false, "cannot load the C library binding (jnr-ffi): " + e);
        }
    }

    /** The one-line message for a skip or a failure. */
    public String message() {
        return "rawsock: raw sockets are not available (" + reason + "); " + REMEDY;
    }
}
