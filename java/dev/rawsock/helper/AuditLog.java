package dev.rawsock.helper;

import java.io.PrintStream;
import java.time.Instant;

/**
 * One line per connection and per request: when, who (SO_PEERCRED), what, and the verdict, e.g.
 * {@code 2026-11-24T07:30:00.123Z uid=65534 gid=65534 pid=812 SEND dst=127.0.0.1 proto=tcp bytes=40 count=1: ok}.
 * Lines are written whole (one println under a lock) and flushed, so a crash loses none already logged.
 */
public final class AuditLog implements AutoCloseable {
    private final PrintStream out;
    private final boolean owned;

    public AuditLog(PrintStream out, boolean owned) {
        this.out = out;
        this.owned = owned;
    }

    public void log(PeerCredentials who, String what, String verdict) {
        String line = Instant.now() + " " + (who == null ? "-" : who.toString()) + " " + what + ": " + verdict;
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    @Override
    public void close() {
        if (owned) {
            out.close();
        }
    }
}
