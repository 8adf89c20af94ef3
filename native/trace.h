/*
 * trace.h - print system calls as lines of C, exactly as rawsock's Java call trace does
 * (java/dev/rawsock/socket/TraceFormat.java, Sockaddrs.java, TcpInfo.java), so that a C program
 * and its Java twin print the same lines:
 *
 *     connect(3, {127.0.0.1:8080}, 16) = -1 ECONNREFUSED (Connection refused)
 *     write(4, "hello, server\n", 14) = 14
 *
 * Header only: every function is static inline (no "defined but not used" warnings for the ones a
 * program does not call), so any C file in native/ can #include "trace.h" and build with one gcc
 * command (gcc -O2 -Wall -Wextra -std=gnu11 -o target/native/NAME native/NAME.c).
 * Each function writes one piece of a line to a FILE; the caller writes the rest and the newline.
 */
#ifndef RAWSOCK_TRACE_H
#define RAWSOCK_TRACE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Bytes of a read or write buffer shown before "..." (TraceFormat.SHOWN_BYTES). */
#define TRACE_SHOWN_BYTES 32

/*
 * "ECONNREFUSED (Connection refused)": the errno's C name and the C library's text for it; a number
 * without a name reads "errno 131 (State not recoverable)".
 */
static inline void trace_errno(FILE *out, int err)
{
    /*
     * The errno values a socket program meets, by their C names: the same list as
     * java/dev/rawsock/linux/Errno.java. The numbers come from <errno.h>; E(x) pairs a value with its
     * name. Aliases (EWOULDBLOCK = EAGAIN, ENOTSUP = EOPNOTSUPP) are left out: one name per number.
     */
#define E(name) { name, #name }
    static const struct { int number; const char *name; } names[] = {
        E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(EBADF), E(ECHILD),
        E(EAGAIN), E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV), E(ENOTDIR),
        E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ENOSPC), E(ESPIPE), E(EROFS),
        E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY),
        E(ELOOP), E(ENOMSG), E(ENODATA), E(ETIME), E(EPROTO), E(EBADMSG), E(EOVERFLOW),
        E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
        E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
        E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ENETRESET),
        E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ESHUTDOWN),
        E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
        E(EINPROGRESS),
    };
#undef E
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].number == err) {
            fprintf(out, "%s (%s)", names[i].name, strerror(err));
            return;
        }
    }
    fprintf(out, "errno %d (%s)", err, strerror(err));
}

/* The end of a call: " = 3", or " = -1 ECONNREFUSED (Connection refused)" when rc < 0. */
static inline void trace_result(FILE *out, long rc, int err)
{
    if (rc >= 0) {
        fprintf(out, " = %ld", rc);
    } else {
        fputs(" = -1 ", out);
        trace_errno(out, err);
    }
}

/*
 * A buffer as a C string literal of its first TRACE_SHOWN_BYTES bytes, strace style:
 * "hello\n" or "0123456789abcdef0123456789abcdef"... when there is more.
 * \n \r \t \" \\ are escaped by name, other bytes outside printable ASCII as \xNN.
 */
static inline void trace_bytes(FILE *out, const void *buffer, long length)
{
    const unsigned char *b = buffer;
    long shown = length < 0 ? 0 : length > TRACE_SHOWN_BYTES ? TRACE_SHOWN_BYTES : length;
    putc('"', out);
    for (long i = 0; i < shown; i++) {
        unsigned char c = b[i];
        switch (c) {
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '"':  fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                putc(c, out);
            } else {
                fprintf(out, "\\x%02x", c);
            }
        }
    }
    putc('"', out);
    if (length > TRACE_SHOWN_BYTES) {
        fputs("...", out);
    }
}

/*
 * The IP address of an AF_INET or AF_INET6 sockaddr as text ("127.0.0.1", "::1") and its port in
 * host byte order. Returns 0, or -1 for another family or a too short length.
 * IPv6 text is RFC 5952 (lower case, no leading zeros, the longest run of zero groups as "::",
 * IPv4-mapped addresses as ::ffff:192.0.2.1), which is what inet_ntop writes, with one exception
 * handled here: for ::/96 (other than :: and ::1) glibc writes the deprecated IPv4-compatible form
 * "::127.0.0.1", where RFC 5952 (and the Java trace) write "::7f00:1".
 */
static inline int trace_ip_port(const struct sockaddr *sa, socklen_t length, char *ip, size_t size, int *port)
{
    if (sa == NULL || length < (socklen_t) sizeof(sa_family_t)) {
        return -1;
    }
    if (sa->sa_family == AF_INET && length >= (socklen_t) sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, (socklen_t) size);
        *port = ntohs(in->sin_port);   /* ports travel in network byte order */
        return 0;
    }
    if (sa->sa_family == AF_INET6 && length >= (socklen_t) sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
        const unsigned char *a = in6->sin6_addr.s6_addr;
        static const unsigned char zeros[12];
        unsigned group6 = a[12] << 8 | a[13], group7 = a[14] << 8 | a[15];
        if (memcmp(a, zeros, 12) == 0 && group6 != 0) {
            snprintf(ip, size, "::%x:%x", group6, group7);
        } else if (memcmp(a, zeros, 12) == 0 && group7 > 1) {
            snprintf(ip, size, "::%x", group7);
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t) size);
        }
        *port = ntohs(in6->sin6_port);
        return 0;
    }
    return -1;
}

/*
 * A socket address as the trace shows it: {127.0.0.1:8080} or {[::1]:8080}; {?} for a family that has
 * no IP address; {} for none at all (sa == NULL: the call failed and wrote nothing).
 */
static inline void trace_sockaddr(FILE *out, const struct sockaddr *sa, socklen_t length)
{
    char ip[INET6_ADDRSTRLEN];
    int port;
    if (sa == NULL) {
        fputs("{}", out);
    } else if (trace_ip_port(sa, length, ip, sizeof ip, &port) != 0) {
        fputs("{?}", out);
    } else if (sa->sa_family == AF_INET6) {
        fprintf(out, "{[%s]:%d}", ip, port);
    } else {
        fprintf(out, "{%s:%d}", ip, port);
    }
}

/* "TCP_ESTABLISHED" and so on, as include/net/tcp_states.h names them (TcpInfo.stateName). */
static inline void trace_tcp_state(FILE *out, int state)
{
    static const char *const names[] = {
        "0", "TCP_ESTABLISHED", "TCP_SYN_SENT", "TCP_SYN_RECV", "TCP_FIN_WAIT1", "TCP_FIN_WAIT2",
        "TCP_TIME_WAIT", "TCP_CLOSE", "TCP_CLOSE_WAIT", "TCP_LAST_ACK", "TCP_LISTEN", "TCP_CLOSING",
        "TCP_NEW_SYN_RECV",
    };
    if (state >= 0 && state < (int) (sizeof names / sizeof names[0])) {
        fputs(names[state], out);
    } else {
        fprintf(out, "%d", state);
    }
}

/* struct tcp_info as the trace shows it (TcpInfo.traceText): the state and a few telling fields. */
static inline void trace_tcp_info(FILE *out, const struct tcp_info *info)
{
    fputs("{tcpi_state=", out);
    trace_tcp_state(out, info->tcpi_state);
    fprintf(out, ", tcpi_retransmits=%u, tcpi_snd_mss=%u, tcpi_rcv_mss=%u, tcpi_rtt=%u, tcpi_rttvar=%u"
            ", tcpi_snd_cwnd=%u}",
            (unsigned) info->tcpi_retransmits, info->tcpi_snd_mss, info->tcpi_rcv_mss, info->tcpi_rtt,
            info->tcpi_rttvar, info->tcpi_snd_cwnd);
}

#endif /* RAWSOCK_TRACE_H */
