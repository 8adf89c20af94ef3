package dev.rawsock.linux;

import java.io.IOException;

/**
 * A system call that failed: the call's name, the errno by its C symbol and the C library's text, and a
 * remedy where there is one, e.g. {@code socket: EPERM (Operation not permitted)}. Made only by
 * {@link Syscall}, the one place where errno becomes an exception.
 */
public final class ErrnoException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String remedy;

    ErrnoException(String call, int errno, String detail, String remedy) {
        super(message(call, errno, detail, remedy));
        this.call = call;
        this.errno = errno;
        this.remedy = remedy;
    }

    private static String message(String call, int errno, String detail, String remedy) {
        StringBuilder text = new StringBuilder(call).append(": ").append(Errno.symbol(errno))
                .append(" (").append(Linux.strerror(errno)).append(')');
        if (detail != null) {
            text.append(": ").append(detail);
        }
        if (remedy != null) {
            text.append(" - ").append(remedy);
        }
        return text.toString();
    }

    /** The name of the failed call, e.g. "connect". */
    public String call() {
        return call;
    }

    /** The raw errno value. */
    public int errnoNumber() {
        return errno;
    }

    /** The errno, or null when the project does not name that number. */
    public Errno errno() {
        return Errno.of(errno);
    }

    /** What to do about it, or null. */
    public String remedy() {
        return remedy;
    }

    /** True when the failure is a missing privilege (EPERM or EACCES). */
    public boolean notPermitted() {
        return errno == Errno.EPERM.number || errno == Errno.EACCES.number;
    }
}
