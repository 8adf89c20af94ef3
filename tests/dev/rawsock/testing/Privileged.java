package dev.rawsock.testing;

import dev.rawsock.linux.Linux;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate for tests that need root (raw sockets, namespaces, dropping to another user). Without root
 * they skip with the reason; with RAWSOCK_REQUIRE_PRIVILEGED=1 (as .ci/run sets) they fail instead, so a
 * CI run can never pass by skipping them.
 */
public final class Privileged {
    private Privileged() {}

    public static boolean required() {
        return "1".equals(System.getenv("RAWSOCK_REQUIRE_PRIVILEGED"));
    }

    /** Skips (or, when required, fails) the calling test unless the process runs as root. */
    public static void assumeRoot(String why) {
        if (Linux.geteuid() == 0) {
            return;
        }
        String reason = why + " needs root (euid 0), and this test runs as uid " + Linux.geteuid()
                + ": run 'make test' as root";
        if (required()) {
            Assertions.fail("RAWSOCK_REQUIRE_PRIVILEGED=1 but " + reason);
        }
        Assumptions.abort(reason);
    }
}
