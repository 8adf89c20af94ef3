package dev.rawsock.linux;

/**
 * The errno values a socket program meets (asm-generic/errno-base.h, asm-generic/errno.h), by their C
 * names. Checked against the C headers by {@code ConstantsAndLayoutsTest}. The human text comes from
 * the C library's strerror, so it reads exactly as in C programs and man pages.
 */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), ECHILD(10),
    EAGAIN(11), ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), ENODEV(19), ENOTDIR(20),
    EISDIR(21), EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25), ENOSPC(28), ESPIPE(29), EROFS(30),
    EPIPE(32), EDOM(33), ERANGE(34), EDEADLK(35), ENAMETOOLONG(36), ENOSYS(38), ENOTEMPTY(39),
    ELOOP(40), ENOMSG(42), ENODATA(61), ETIME(62), EPROTO(71), EBADMSG(74), EOVERFLOW(75),
    ENOTSOCK(88), EDESTADDRREQ(89), EMSGSIZE(90), EPROTOTYPE(91), ENOPROTOOPT(92),
    EPROTONOSUPPORT(93), ESOCKTNOSUPPORT(94), EOPNOTSUPP(95), EPFNOSUPPORT(96), EAFNOSUPPORT(97),
    EADDRINUSE(98), EADDRNOTAVAIL(99), ENETDOWN(100), ENETUNREACH(101), ENETRESET(102),
    ECONNABORTED(103), ECONNRESET(104), ENOBUFS(105), EISCONN(106), ENOTCONN(107), ESHUTDOWN(108),
    ETIMEDOUT(110), ECONNREFUSED(111), EHOSTDOWN(112), EHOSTUNREACH(113), EALREADY(114),
    EINPROGRESS(115);

    // EWOULDBLOCK and EOPNOTSUPP's twin ENOTSUP are aliases on Linux (same numbers as EAGAIN/EOPNOTSUPP).

    private static final Errno[] BY_NUMBER = new Errno[128];

    static {
        for (Errno e : values()) {
            BY_NUMBER[e.number] = e;
        }
    }

    public final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The errno with that number, or null when the project does not name it. */
    public static Errno of(int number) {
        return number > 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }

    /** "ECONNREFUSED" for a known number, "errno 131" otherwise. */
    public static String symbol(int number) {
        Errno e = of(number);
        return e != null ? e.name() : "errno " + number;
    }
}
