/* bench/echo/loadclient.c — an echo load client outside csp.
 *
 *   loadclient HOST PORT [CONNS [ROUNDS [SIZE]]]      (default 100 1000 64)
 *
 * Opens CONNS TCP connections; on each one, ROUNDS times, sends a line of
 * SIZE bytes (the last one '\n') and waits for the same line back.  Every
 * byte is checked against what was sent.  One thread drives all connections
 * with epoll, so the client costs little CPU beside the server it measures.
 * Prints "msgs N secs S msgs_per_sec R" and exits 0, or names the first
 * wrong byte and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct Conn {
    int fd;
    int round;
    size_t got;   /* bytes of the current reply received */
    char *line;   /* the line sent this round */
} Conn;

static int size;

/* The line of connection i, round r: distinct per round, so a reply from the
 * wrong round or connection is caught. */
static void make_line(char *p, int i, int r) {
    int n = snprintf(p, (size_t)size, "%d:%d:", i, r);
    for (int k = n; k < size - 1; k++)
        p[k] = (char)('a' + (i * 7 + r * 13 + k) % 26);
    p[size - 1] = '\n';
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void send_line(Conn *c) {
    size_t off = 0;
    while (off < (size_t)size) {
        ssize_t k = write(c->fd, c->line + off, (size_t)size - off);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0) {
            perror("loadclient: write");
            exit(1);
        }
        off += (size_t)k;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: loadclient HOST PORT [CONNS [ROUNDS [SIZE]]]\n");
        return 2;
    }
    int nconns = argc > 3 ? atoi(argv[3]) : 100;
    int rounds = argc > 4 ? atoi(argv[4]) : 1000;
    size = argc > 5 ? atoi(argv[5]) : 64;
    if (size < 16)
        size = 16;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "loadclient: bad address %s\n", argv[1]);
        return 2;
    }
    int ep = epoll_create1(0);
    Conn *conns = calloc((size_t)nconns, sizeof *conns);
    char *reply = malloc((size_t)size);
    for (int i = 0; i < nconns; i++) {
        Conn *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            perror("loadclient: connect");
            return 1;
        }
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->line = malloc((size_t)size);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    double t0 = now();
    for (int i = 0; i < nconns; i++) {
        make_line(conns[i].line, i, 0);
        send_line(&conns[i]);
    }
    long done = 0, total = (long)nconns * rounds;
    struct epoll_event evs[256];
    while (done < total) {
        int n = epoll_wait(ep, evs, 256, 30000);
        if (n == 0) {
            fprintf(stderr, "loadclient: no reply for 30 s (%ld of %ld round trips done)\n", done, total);
            return 1;
        }
        for (int e = 0; e < n; e++) {
            Conn *c = &conns[evs[e].data.u32];
            ssize_t k = read(c->fd, reply + c->got, (size_t)size - c->got);
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k <= 0) {
                fprintf(stderr, "loadclient: connection %u closed by the server (%s)\n", evs[e].data.u32,
                        k < 0 ? strerror(errno) : "EOF");
                return 1;
            }
            if (memcmp(reply + c->got, c->line + c->got, (size_t)k) != 0) {
                fprintf(stderr, "loadclient: connection %u round %d: wrong bytes back\n", evs[e].data.u32, c->round);
                return 1;
            }
            c->got += (size_t)k;
            if (c->got < (size_t)size)
                continue;
            c->got = 0;
            done++;
            if (++c->round < rounds) {
                make_line(c->line, (int)evs[e].data.u32, c->round);
                send_line(c);
            }
        }
    }
    double secs = now() - t0;
    printf("msgs %ld secs %.3f msgs_per_sec %.0f\n", total, secs, (double)total / secs);
    for (int i = 0; i < nconns; i++)
        close(conns[i].fd);
    return 0;
}
