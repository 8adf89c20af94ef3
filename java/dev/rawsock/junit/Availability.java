package dev.rawsock.junit;

import dev.rawsock.helper.HelperClient;
import dev.rawsock.helper.HelperException;
import dev.rawsock.linux.ErrnoException;
import dev.rawsock.socket.Domain;
import dev.rawsock.socket.Protocol;
import dev.rawsock.socket.Socket;
import dev.rawsock.socket.SocketApi;
import dev.rawsock.socket.SocketType;

import java.util.function.Supplier;

/**
 * Whether this process can open raw sockets, probed once (by opening and closing an IPPROTO_RAW socket)
 * with the cause kept for the message. When it cannot, and $RAWSOCK_HELPER names a privileged helper that
 * answers (dev.rawsock.helper), the answer is "available, through the helper": {@link Packets#open} and
 * {@link Capture#start} then go through it ({@link #helper()}), and that is said once on stderr.
 */
public record Availability(boolean available, String reason) {
    /** What to do about it, printed with every skip. */
    public static final String REMEDY = "run the tests as root, or give the JVM CAP_NET_RAW "
            + "(e.g. sudo setcap cap_net_raw+ep $(readlink -f $(which java))), or set RAWSOCK_HELPER=PATH to a running "
            + "'rawsock helper'; "
            + "set RAWSOCK_REQUIRE_PRIVILEGED=1 to make this a failure instead of a skip";

    private static volatile Availability probed;
    /** The helper's socket when raw sockets come through it, else null; set with {@link #probed}. */
    private static volatile String helperPath;
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

    /** The privileged helper's socket when packets and captures go through it (no raw sockets here), else null. */
    public static String helper() {
        check();
        return helperPath;
    }

    private static Availability probe() {
        try {
            SocketApi api = SocketApi.create();
            Socket s = api.socket(Domain.AF_INET, SocketType.SOCK_RAW, Protocol.IPPROTO_RAW);
            api.close(s);
            return new Availability(true, "a raw socket opened");
        } catch (ErrnoException e) {
            Availability viaHelper = e.notPermitted() ? throughHelper() : null;
            return viaHelper != null ? viaHelper : new Availability(false, "cannot open a raw socket: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Availability(false, "cannot load the C library binding (jnr-ffi): " + e);
        }
    }

    /** Available through the helper named by $RAWSOCK_HELPER, when it answers HELLO; null otherwise. */
    private static Availability throughHelper() {
        String path = HelperClient.configuredPath(null);
        if (path == null) {
            return null;
        }
        try (HelperClient client = HelperClient.connect(path)) {
            client.hello();
        } catch (HelperException e) {
            return new Availability(false, "cannot open a raw socket (EPERM), and " + e.getMessage());
        }
        helperPath = path;
        System.err.println("rawsock: no CAP_NET_RAW here; sending through the helper at " + path);
        return new Availability(true, "through the helper at " + path);
    }

    /** The one-line message for a skip or a failure. */
    public String message() {
        return "rawsock: raw sockets are not available (" + reason + "); " + REMEDY;
    }
}
