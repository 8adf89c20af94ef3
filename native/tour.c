/*
 * tour.c - the C twin of `rawsock tour` (java/dev/rawsock/cli/TourCommand.java).
 *
 * Every row of the socket API table, end to end on loopback: a server and a client in one process,
 * each system call printed as a line of C as it happens. The Java tour makes the same calls in the
 * same order and prints the same lines; only descriptor numbers, ports and the TCP_INFO numbers
 * differ between runs. Read the two side by side: each traced_CALL() below is what api.CALL() does
 * in java/dev/rawsock/socket/SocketApi.java.
 *
 *     make target/native/tour && target/native/tour [--address IP] [--port N]
 *
 * --address  the IPv4 or IPv6 literal the server binds and the client connects to (default 127.0.0.1)
 * --port     the server's port, 0-65535 (default 0: the kernel picks a free one)
 *
 * When a call fails, its trace line shows the errno; then "rawsock: CALL: ENAME (text)" goes to stderr
 * and the program exits with 1 (3 for EPERM/EACCES: not permitted), the exit codes of rawsock.
 * The kernel closes the open sockets at exit; the Java tour closes them itself as it unwinds, so its
 * trace has close() lines after the failed call where this one has none.
 */
#include "trace.h"

#include <net/if.h>
#include <stdlib.h>
#include <unistd.h>

#define BUFFER_BYTES 1024

/* "AF_INET" or "AF_INET6", for the trace of socket(). */
static const char *family_name(int family)
{
    return family == AF_INET6 ? "AF_INET6" : "AF_INET";
}

/*
 * Ends the trace line of a call that returned rc, with err = the errno it left (read right after the
 * call: printing may change errno). A failed call ends the program, like an exception in the Java tour.
 */
static void end_call(const char *call, long rc, int err)
{
    trace_result(stdout, rc, err);
    putchar('\n');
    if (rc < 0) {
        fflush(stdout);
        fprintf(stderr, "rawsock: %s: ", call);
        trace_errno(stderr, err);
        putc('\n', stderr);
        exit(err == EPERM || err == EACCES ? 3 : 1);
    }
}

/* ---- one function per call: make it, then trace it ---- */

/* s = socket(<parameters>): a new, unconnected, anonymous socket. */
static int traced_socket(int family)
{
    int fd = socket(family, SOCK_STREAM, IPPROTO_TCP);
    int err = errno;
    printf("socket(%s, SOCK_STREAM, IPPROTO_TCP)", family_name(family));
    end_call("socket", fd, err);
    return fd;
}

/* bind(s, <local IP:port>) and connect(s, <remote IP:port>): both take an address and its length. */
static void traced_bind(int fd, const struct sockaddr *address, socklen_t length)
{
    int rc = bind(fd, address, length);
    int err = errno;
    printf("bind(%d, ", fd);
    trace_sockaddr(stdout, address, length);
    printf(", %u)", (unsigned) length);
    end_call("bind", rc, err);
}

static void traced_connect(int fd, const struct sockaddr *address, socklen_t length)
{
    int rc = connect(fd, address, length);   /* for TCP: SYN, SYN-ACK, ACK, then it returns */
    int err = errno;
    printf("connect(%d, ", fd);
    trace_sockaddr(stdout, address, length);
    printf(", %u)", (unsigned) length);
    end_call("connect", rc, err);
}

/* listen(s, backlog): accept connections on the socket, queueing up to backlog of them. */
static void traced_listen(int fd, int backlog)
{
    int rc = listen(fd, backlog);
    int err = errno;
    printf("listen(%d, %d)", fd, backlog);
    end_call("listen", rc, err);
}

/* s2 = accept(s): wait for a connection; a new socket for it, and the peer's address. */
static int traced_accept(int fd)
{
    struct sockaddr_storage peer;
    socklen_t length = sizeof peer;   /* in: room for the address; out: its real length */
    int s2 = accept(fd, (struct sockaddr *) &peer, &length);
    int err = errno;
    printf("accept(%d, ", fd);
    trace_sockaddr(stdout, s2 >= 0 ? (struct sockaddr *) &peer : NULL, length);
    putchar(')');
    end_call("accept", s2, err);
    return s2;
}

/* getsockname(2) / getpeername(2): this end's address, the other end's address. */
static void traced_getsockname(int fd, struct sockaddr_storage *address, socklen_t *length)
{
    *length = sizeof *address;
    int rc = getsockname(fd, (struct sockaddr *) address, length);
    int err = errno;
    printf("getsockname(%d, ", fd);
    trace_sockaddr(stdout, rc == 0 ? (struct sockaddr *) address : NULL, *length);
    putchar(')');
    end_call("getsockname", rc, err);
}

static void traced_getpeername(int fd, struct sockaddr_storage *address, socklen_t *length)
{
    *length = sizeof *address;
    int rc = getpeername(fd, (struct sockaddr *) address, length);
    int err = errno;
    printf("getpeername(%d, ", fd);
    trace_sockaddr(stdout, rc == 0 ? (struct sockaddr *) address : NULL, *length);
    putchar(')');
    end_call("getpeername", rc, err);
}

/* n = read(s, buffer, n): up to n bytes; 0 means the peer closed its sending side (end of stream). */
static long traced_read(int fd, char *buffer, size_t n)
{
    ssize_t rc;
    do {
        rc = read(fd, buffer, n);
    } while (rc < 0 && errno == EINTR);   /* a signal came before any data: read again */
    int err = errno;
    printf("read(%d, ", fd);
    if (rc >= 0) {
        trace_bytes(stdout, buffer, rc);   /* what arrived */
    } else {
        fputs("0x...", stdout);
    }
    printf(", %zu)", n);
    end_call("read", rc, err);
    return rc;
}

/* n = write(s, buffer, n): returns how many bytes the kernel took. Here: a text without its '\0'. */
static long traced_write(int fd, const char *text)
{
    size_t n = strlen(text);
    ssize_t rc;
    do {
        rc = write(fd, text, n);
    } while (rc < 0 && errno == EINTR);
    int err = errno;
    printf("write(%d, ", fd);
    trace_bytes(stdout, text, (long) n);
    printf(", %zu)", n);
    end_call("write", rc, err);
    return rc;
}

/*
 * getsockopt(s, level, name, &value, &length) and setsockopt(s, level, name, &value, length) for an
 * int option. The trace shows the value as strace does, in brackets: [1]. A flag (SO_REUSEADDR,
 * TCP_NODELAY) is an int too; reading one shows [1] for any value but 0, as the Java trace does.
 */
static int traced_getsockopt_int(int fd, int level, const char *level_name, int name, const char *option,
                                 int flag)
{
    int value = 0;
    socklen_t length = sizeof value;
    int rc = getsockopt(fd, level, name, &value, &length);
    int err = errno;
    printf("getsockopt(%d, %s, %s, ", fd, level_name, option);
    if (rc != 0) {
        fputs("0x...", stdout);
    } else {
        printf("[%d]", flag ? value != 0 : value);
    }
    putchar(')');
    char call[64];
    snprintf(call, sizeof call, "getsockopt %s", option);
    end_call(call, rc, err);
    return value;
}

static void traced_setsockopt_int(int fd, int level, const char *level_name, int name, const char *option,
                                  int value)
{
    int rc = setsockopt(fd, level, name, &value, sizeof value);
    int err = errno;
    printf("setsockopt(%d, %s, %s, [%d], %zu)", fd, level_name, option, value, sizeof value);
    char call[64];
    snprintf(call, sizeof call, "setsockopt %s", option);
    end_call(call, rc, err);
}

/* getsockopt(s, IPPROTO_TCP, TCP_INFO, ...): the kernel's view of the connection (tcp(7)). */
static void traced_getsockopt_tcp_info(int fd)
{
    struct tcp_info info;
    socklen_t length = sizeof info;
    memset(&info, 0, sizeof info);
    int rc = getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length);
    int err = errno;
    printf("getsockopt(%d, IPPROTO_TCP, TCP_INFO, ", fd);
    if (rc != 0) {
        fputs("0x...", stdout);
    } else {
        trace_tcp_info(stdout, &info);
    }
    putchar(')');
    end_call("getsockopt TCP_INFO", rc, err);
}

/* shutdown(s, SHUT_WR): close only the sending side; the peer reads end of stream (FIN). */
static void traced_shutdown_write(int fd)
{
    int rc = shutdown(fd, SHUT_WR);
    int err = errno;
    printf("shutdown(%d, SHUT_WR)", fd);
    end_call("shutdown", rc, err);
}

/*
 * close(s): release the descriptor and tear the connection down. Not retried after EINTR: Linux has
 * released the descriptor anyway, and the number may already be someone else's.
 */
static void traced_close(int fd)
{
    int rc = close(fd);
    int err = errno;
    printf("close(%d)", fd);
    if (rc < 0 && err == EINTR) {
        trace_result(stdout, rc, err);
        putchar('\n');
        return;
    }
    end_call("close", rc, err);
}

/* ---- the tour ---- */

/*
 * Prints "# SIDE sees <its IP, its port, peer IP, peer port>" for a connected socket, from
 * getsockname and getpeername, and keeps the tuple's text in tuple.
 */
static void four_tuple(const char *side, int fd, char *tuple, size_t size)
{
    struct sockaddr_storage local, remote;
    socklen_t local_length, remote_length;
    char local_ip[INET6_ADDRSTRLEN], remote_ip[INET6_ADDRSTRLEN];
    int local_port = 0, remote_port = 0;

    traced_getsockname(fd, &local, &local_length);
    traced_getpeername(fd, &remote, &remote_length);
    if (trace_ip_port((struct sockaddr *) &local, local_length, local_ip, sizeof local_ip, &local_port) != 0) {
        strcpy(local_ip, "?");
    }
    if (trace_ip_port((struct sockaddr *) &remote, remote_length, remote_ip, sizeof remote_ip, &remote_port) != 0) {
        strcpy(remote_ip, "?");
    }
    snprintf(tuple, size, "<%s, %d, %s, %d>", local_ip, local_port, remote_ip, remote_port);
    printf("# %s sees %s  (its IP, its port, peer IP, peer port)\n", side, tuple);
}

static void usage(FILE *out)
{
    fputs("Usage: tour [--address IP] [--port PORT]\n"
          "Run every row of the socket API table on loopback and print each system call as it happens\n"
          "(the C twin of 'rawsock tour').\n"
          "      --address IP   Local address the server binds and the client connects to (default: 127.0.0.1).\n"
          "      --port PORT    Server port, 0-65535 (default: 0, the kernel picks a free one).\n", out);
}

static void usage_error(const char *message, const char *value)
{
    fprintf(stderr, "rawsock: %s '%s'\n", message, value);
    fputs("Try 'tour --help' for more information.\n", stderr);
    exit(2);
}

/*
 * An IPv4 literal (192.0.2.1) or an IPv6 literal (::1, fe80::1%eth0) into a sockaddr with the port;
 * returns its length (16 for sockaddr_in, 28 for sockaddr_in6), 0 when the text is neither.
 */
static socklen_t parse_address(const char *text, int port, struct sockaddr_storage *address)
{
    memset(address, 0, sizeof *address);
    struct sockaddr_in *in = (struct sockaddr_in *) address;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t) port);   /* network byte order */
        return sizeof *in;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) address;
    char ip[INET6_ADDRSTRLEN + IF_NAMESIZE + 1];
    snprintf(ip, sizeof ip, "%s", text);
    char *scope = strchr(ip, '%');   /* a link-local address names its interface: fe80::1%eth0 */
    if (scope != NULL) {
        *scope++ = '\0';
        char *end;
        unsigned long number = strtoul(scope, &end, 10);
        in6->sin6_scope_id = *scope != '\0' && *end == '\0' ? (uint32_t) number : if_nametoindex(scope);
        if (in6->sin6_scope_id == 0) {
            return 0;
        }
    }
    if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t) port);
        return sizeof *in6;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *address_text = "127.0.0.1";
    int port = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strncmp(arg, "--address=", 10) == 0 || strncmp(arg, "--port=", 7) == 0) {
            value = strchr(arg, '=') + 1;
        } else if (strcmp(arg, "--address") == 0 || strcmp(arg, "--port") == 0) {
            if (i + 1 == argc) {
                usage_error("missing a value for option", arg);
            }
            value = argv[++i];
        } else {
            usage_error("unknown option", arg);
        }
        if (strncmp(arg, "--address", 9) == 0) {
            address_text = value;
        } else {
            char *end;
            long number = strtol(value, &end, 0);
            if (*value == '\0' || *end != '\0' || number < 0 || number > 65535) {
                usage_error("--port must be 0-65535 but was", value);
            }
            port = (int) number;
        }
    }

    struct sockaddr_storage bind_address;
    socklen_t bind_length = parse_address(address_text, port, &bind_address);
    if (bind_length == 0) {
        usage_error("not a numeric IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1):", address_text);
    }
    int family = bind_address.ss_family;
    char buffer[BUFFER_BYTES];

    printf("# rawsock tour: the socket API table on the real kernel, one system call per line\n");
    printf("# 1. the server: a socket, a local address and port, a queue for connections\n");
    int server = traced_socket(family);
    traced_setsockopt_int(server, SOL_SOCKET, "SOL_SOCKET", SO_REUSEADDR, "SO_REUSEADDR", 1);
    traced_bind(server, (struct sockaddr *) &bind_address, bind_length);
    struct sockaddr_storage server_address;   /* with the port the kernel chose when --port was 0 */
    socklen_t server_length;
    traced_getsockname(server, &server_address, &server_length);
    traced_listen(server, 16);

    printf("# 2. the client: connect opens the TCP connection (SYN, SYN-ACK, ACK)\n");
    int client = traced_socket(family);
    traced_connect(client, (struct sockaddr *) &server_address, server_length);
    printf("# 3. the server takes the connection from its queue: a new socket for it\n");
    int connection = traced_accept(server);

    printf("# 4. the connection's 4-tuple, as each side sees it\n");
    char first_tuple[128], second_tuple[128], server_tuple[128];
    four_tuple("client", client, first_tuple, sizeof first_tuple);
    four_tuple("server", connection, server_tuple, sizeof server_tuple);

    printf("# 5. data both ways: a reliable, ordered byte stream\n");
    traced_write(client, "hello, server\n");
    traced_read(connection, buffer, BUFFER_BYTES);
    traced_write(connection, "hello, client\n");
    traced_read(client, buffer, BUFFER_BYTES);

    printf("# 6. socket options: read one, change it, read it back (Linux doubles buffer sizes)\n");
    traced_getsockopt_int(connection, SOL_SOCKET, "SOL_SOCKET", SO_RCVBUF, "SO_RCVBUF", 0);
    traced_setsockopt_int(connection, SOL_SOCKET, "SOL_SOCKET", SO_RCVBUF, "SO_RCVBUF", 65536);
    traced_getsockopt_int(connection, SOL_SOCKET, "SOL_SOCKET", SO_RCVBUF, "SO_RCVBUF", 0);
    traced_setsockopt_int(client, IPPROTO_TCP, "IPPROTO_TCP", TCP_NODELAY, "TCP_NODELAY", 1);
    traced_getsockopt_int(client, IPPROTO_TCP, "IPPROTO_TCP", TCP_NODELAY, "TCP_NODELAY", 1);
    traced_getsockopt_tcp_info(client);

    printf("# 7. shutdown: the client closes its sending side (FIN); the server's read returns 0 = EOF\n");
    traced_shutdown_write(client);
    traced_read(connection, buffer, BUFFER_BYTES);
    printf("#    the other direction still works\n");
    traced_write(connection, "bye\n");
    traced_read(client, buffer, BUFFER_BYTES);

    printf("# 8. close: the connection is torn down completely\n");
    traced_close(connection);
    traced_close(client);

    printf("# 9. a second connection to the same server: only the client's port differs\n");
    client = traced_socket(family);
    traced_connect(client, (struct sockaddr *) &server_address, server_length);
    connection = traced_accept(server);
    four_tuple("client", client, second_tuple, sizeof second_tuple);
    printf("# first  connection %s\n", first_tuple);
    printf("# second connection %s\n", second_tuple);
    traced_close(connection);
    traced_close(client);
    traced_close(server);
    return 0;
}
