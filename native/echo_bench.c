/*
 * echo_bench: the C baseline for `make bench`. TCP echo of 64-byte messages over 127.0.0.1.
 *
 *   echo_bench [COUNT] [LIMIT_SECONDS]      (defaults: 50000 round trips, give up after 60 s)
 *
 * Connects a client to a listening socket on 127.0.0.1 (an ephemeral port), accepts, then fork()s: the
 * child is the echo server (read up to 64 bytes, write back what it read, until end of stream), the
 * parent the client (write 64 bytes, read 64 bytes back, COUNT times). TCP_NODELAY on both ends. Only
 * the COUNT round trips are timed. Prints one machine-readable line on stdout:
 *
 *   rtt_per_sec 61234.5
 *
 * The same loop, written with rawsock's Java API, is tests/dev/rawsock/bench/EchoBench.java: keep the two
 * alike. Pin with `taskset -c 0` (bin/bench does) or the figure varies 2-4x with vCPU placement.
 * Exit status: 0 ok, 1 a call failed or the time limit passed, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

#define MESSAGE 64

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "echo_bench: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* TCP_NODELAY, and a receive timeout so that no read can block past the time limit. */
static void configure(int fd, long limit_seconds) {
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        die("setsockopt TCP_NODELAY");
    }
    struct timeval tv = {.tv_sec = limit_seconds, .tv_usec = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
        die("setsockopt SO_RCVTIMEO");
    }
}

/* Writes all n bytes (a short write on a blocking socket is rare, but possible). */
static int write_all(int fd, const char *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        done += (size_t)w;
    }
    return 0;
}

/* The echo server: read up to 64 bytes, write back what was read, until the client closes. */
static void serve(int fd) {
    char buf[MESSAGE];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r == 0) {
            _exit(0);
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            fprintf(stderr, "echo_bench: server read: %s\n", strerror(errno));
            _exit(1);
        }
        if (write_all(fd, buf, (size_t)r) < 0) {
            fprintf(stderr, "echo_bench: server write: %s\n", strerror(errno));
            _exit(1);
        }
    }
}

int main(int argc, char **argv) {
    long count = 50000;
    long limit = 60;
    if (argc > 3 || (argc > 1 && (count = strtol(argv[1], NULL, 10)) <= 0)
            || (argc > 2 && (limit = strtol(argv[2], NULL, 10)) <= 0)) {
        fprintf(stderr, "usage: echo_bench [COUNT] [LIMIT_SECONDS]\n");
        return 2;
    }

    int listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener < 0) {
        die("socket");
    }
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0) {
        die("bind 127.0.0.1:0");
    }
    if (listen(listener, 1) < 0) {
        die("listen");
    }
    if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0) {
        die("getsockname");
    }

    int client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (client < 0) {
        die("socket");
    }
    /* The handshake completes in the kernel's backlog, so connect returns before accept is called. */
    if (connect(client, (struct sockaddr *)&addr, sizeof addr) < 0) {
        die("connect");
    }
    int server = accept(listener, NULL, NULL);
    if (server < 0) {
        die("accept");
    }
    close(listener);
    configure(client, limit);
    configure(server, limit);

    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        die("fork");
    }
    if (pid == 0) {
        close(client);
        alarm((unsigned)limit + 5); /* a backstop: the server never outlives the run by much */
        serve(server);
    }
    close(server);

    char out[MESSAGE];
    char in[MESSAGE];
    memset(out, 'x', sizeof out);
    int failed = 0;
    double start = now_seconds();
    double deadline = start + (double)limit;
    long i;
    for (i = 0; i < count; i++) {
        if (write_all(client, out, sizeof out) < 0) {
            fprintf(stderr, "echo_bench: client write: %s\n", strerror(errno));
            failed = 1;
            break;
        }
        size_t got = 0;
        while (got < sizeof in) {
            ssize_t r = read(client, in + got, sizeof in - got);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) {
                    continue;
                }
                fprintf(stderr, "echo_bench: client read: %s\n", r == 0 ? "end of stream" : strerror(errno));
                failed = 1;
                break;
            }
            got += (size_t)r;
        }
        if (failed) {
            break;
        }
        if (now_seconds() > deadline) {
            fprintf(stderr, "echo_bench: gave up: %ld of %ld round trips took over %ld s\n", i + 1, count, limit);
            failed = 1;
            break;
        }
    }
    double elapsed = now_seconds() - start;
    close(client);
    if (failed) {
        kill(pid, SIGKILL);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) {
        die("waitpid");
    }
    if (failed) {
        return 1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "echo_bench: the server process failed (status 0x%x)\n", status);
        return 1;
    }
    printf("rtt_per_sec %.1f\n", (double)count / elapsed);
    return 0;
}
