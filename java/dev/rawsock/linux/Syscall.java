package dev.rawsock.linux;

/**
 * The one place where a failed call becomes an exception: it reads errno (only after -1, since a
 * successful call leaves the old value in place) and names the call, the errno and the remedy.
 */
public final class Syscall {
    private Syscall() {}

    /** The remedy for a missing CAP_NET_RAW, shared by every message that needs it. */
    public static final String RAW_SOCKET_REMEDY =
            "raw and packet sockets need CAP_NET_RAW: run as root, grant the capability "
                    + "(sudo setcap cap_net_raw+ep on a dedicated launcher), or use the helper (--helper PATH)";

    /** errno of this thread's last failed call. Call only right after a call returned -1. */
    public static int errno() {
        return Linux.lastErrno();
    }

    /** The exception for a call that just returned -1 on this thread. */
    public static ErrnoException failure(String call) {
        return failure(call, Linux.lastErrno(), null);
    }

    /** The exception for a call that failed with {@code errno}; {@code detail} may be null. */
    public static ErrnoException failure(String call, int errno, String detail) {
        return new ErrnoException(call, errno, detail, remedy(call, errno));
    }

    /** True when an interrupted call may simply be made again (EINTR); connect and close are not retried. */
    public static boolean interrupted(int errno) {
        return errno == Errno.EINTR.number;
    }

    /**
     * sendto(2), made again after EINTR: the bytes sent, or minus the errno when it failed, so that a caller can
     * name its own context in {@link #failure(String, int, String)} without a second read of errno.
     */
    public static long sendto(LibC libc, int fd, jnr.ffi.Pointer data, long length, int flags, jnr.ffi.Pointer to, int toLength) {
        long rc;
        while ((rc = libc.sendto(fd, data, length, flags, to, toLength)) < 0) {
            int errno = errno();
            if (!interrupted(errno)) {
                return -errno;
            }
        }
        return rc;
    }

    private static String remedy(String call, int errno) {
        boolean denied = errno == Errno.EPERM.number || errno == Errno.EACCES.number;
        if (denied && (call.equals("socket") || call.startsWith("sendto") || call.startsWith("sendmmsg"))) {
            return RAW_SOCKET_REMEDY;
        }
        if (denied && call.equals("bind")) {
            return "ports below 1024 need CAP_NET_BIND_SERVICE (or root); pick a port of 1024 or more";
        }
        if (denied && call.equals("setns")) {
            return "entering a network namespace needs CAP_SYS_ADMIN: run as root or use the helper";
        }
        if (errno == Errno.EADDRINUSE.number) {
            return "another socket holds that address: choose another port, or port 0 for any free one";
        }
        if (errno == Errno.ECONNREFUSED.number) {
            return "nothing listens on that address and port";
        }
        if (errno == Errno.EMFILE.number || errno == Errno.ENFILE.number) {
            return "too many open files: close sockets you no longer need or raise the limit (ulimit -n)";
        }
        return null;
    }
}
