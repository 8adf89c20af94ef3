package dev.rawsock.linux;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;

/**
 * The one binding to the C library: the socket API table (socket, bind, connect, listen, accept, read,
 * write, close, shutdown, getsockopt, setsockopt) and what the rest of the project builds on.
 *
 * <p>Every pointer is passed as a {@code long} address into long-lived direct memory
 * ({@link NativeBuffer}), never as a heap array or a by-reference object: that keeps each call on
 * jffi's fast primitive path (except sendto/recvfrom, see there). Lengths in/out ({@code socklen_t *}) are 4-byte cells in the same memory.
 * Return values of -1 mean "look at errno", which {@link Syscall} turns into an {@link ErrnoException};
 * nothing else in the project reads errno.
 */
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, long sockaddr, int sockaddrLength);

    int connect(int fd, long sockaddr, int sockaddrLength);

    int listen(int fd, int backlog);

    int accept4(int fd, long sockaddr, long sockaddrLengthCell, int flags);

    long read(int fd, long buffer, long count);

    long write(int fd, long buffer, long count);

    int close(int fd);

    int shutdown(int fd, int how);

    int getsockopt(int fd, int level, int name, long value, long valueLengthCell);

    int setsockopt(int fd, int level, int name, long value, int valueLength);

    // The two six-argument calls take jnr Pointers: on jnr-ffi's all-primitive fast path the sixth
    // argument arrives corrupted (jnr/jnr-ffi#181, open; sendto then fails with EINVAL), while Pointer
    // parameters go through the invoker that passes it right. TableAgainstPeersTest.datagrams... guards it.
    long sendto(int fd, Pointer buffer, long length, int flags, Pointer sockaddr, int sockaddrLength);

    long recvfrom(int fd, Pointer buffer, long length, int flags, Pointer sockaddr, Pointer sockaddrLengthCell);

    long recvmsg(int fd, long msghdr, int flags);

    int sendmmsg(int fd, long mmsghdrs, int count, int flags);

    int recvmmsg(int fd, long mmsghdrs, int count, int flags, long timespec);

    int getsockname(int fd, long sockaddr, long sockaddrLengthCell);

    int getpeername(int fd, long sockaddr, long sockaddrLengthCell);

    int poll(long pollfds, long count, int timeoutMillis);

    int fcntl(int fd, int command, long argument);

    int ioctl(int fd, long request, long argument);

    /** open(2) with a NUL-terminated path in native memory; here only for namespace files (/run/netns/NAME). */
    int open(long path, int flags, int mode);

    int setns(int fd, int namespaceType);

    int if_nametoindex(long name);

    @IgnoreError
    long strerror(int errnum);

    @IgnoreError
    int clock_gettime(int clockId, long timespec);

    @IgnoreError
    int getpid();

    @IgnoreError
    int geteuid();
}
