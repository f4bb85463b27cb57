/* repl/term.c — the REPL on a terminal, on libedit's readline interface.
 *
 * Output: stdout and stderr become one pipe, read by a pump thread.  While
 * an entry runs, the pump copies its bytes to the terminal.  At the prompt,
 * libedit owns the line: the pump hands the bytes to the REPL thread (a
 * second pipe it polls beside the keyboard), which clears the line, prints
 * them and redraws the prompt with what was typed.  The pump never blocks a
 * goroutine's write for long: it always drains the pipe.
 * Term.mu guards at_prompt, so that every byte goes exactly one way, in order. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <editline/readline.h>

#include "base/mem.h"
#include "repl/repl_int.h"

struct Term {
    Repl *r;
    int tty;          /* the terminal's output (the old stdout) */
    int out_r;        /* the read end of stdout and stderr's pipe (the pump's) */
    int fwd_r, fwd_w; /* pump -> REPL thread, at the prompt */
    int sig_r;        /* Ctrl-C -> REPL thread (the write end is sig_w) */
    pthread_t pump;
    pthread_mutex_t mu;
    bool at_prompt;           /* mu */
    char *history;            /* the history file, NULL if it cannot be written */
    struct termios saved_tty; /* the terminal's mode before libedit's */
    /* the line being read (REPL thread only) */
    char *line;
    bool got_line, eof;
};

static Term *the_term; /* libedit's callbacks take no context */
/* Ctrl-C at the prompt.  The signal may be delivered to any thread (an M,
 * sysmon, the pump), so the handler wakes the REPL thread's poll through a
 * pipe (sig_w), never by interrupting it. */
static atomic_int sigint_seen;
static int sig_w = -1;

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void *pump_main(void *arg) {
    Term *t = arg;
    char buf[4096];
    for (;;) {
        ssize_t n = read(t->out_r, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        pthread_mutex_lock(&t->mu);
        write_all(t->at_prompt ? t->fwd_w : t->tty, buf, (size_t)n);
        pthread_mutex_unlock(&t->mu);
    }
}

/* ~/.csp_history, or $CSP_HISTORY; NULL (and a warning) if unwritable. */
static char *history_path(void) {
    const char *env = getenv("CSP_HISTORY");
    char *path;
    if (env && *env) {
        path = mem_strdup(env);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return NULL;
        size_t n = strlen(home) + 16;
        path = mem_alloc(n);
        snprintf(path, n, "%s/.csp_history", home);
    }
    FILE *f = fopen(path, "a");
    if (!f) {
        fprintf(stderr, "warning: history will not be saved: %s: %s\n", path, strerror(errno));
        free(path);
        return NULL;
    }
    fclose(f);
    return path;
}

/* ---- completion ---- */

/* The candidates for the word being completed (REPL thread only): libedit
 * asks for them one at a time. */
static char **matches;
static int nmatches, next_match;

static char *match_next(const char *text, int state) {
    (void)text;
    if (!state)
        next_match = 0;
    return next_match < nmatches ? mem_strdup(matches[next_match++]) : NULL;
}

static char **complete(const char *text, int start, int end) {
    (void)start, (void)end;
    for (int i = 0; i < nmatches; i++)
        free(matches[i]);
    free(matches);
    nmatches = repl_complete(the_term->r, text, strlen(text), &matches);
    rl_attempted_completion_over = 1; /* no file names */
    return rl_completion_matches(text, match_next);
}

/* ---- reading a line ---- */

static void on_line(char *line) {
    Term *t = the_term;
    t->got_line = true;
    t->eof = line == NULL;
    t->line = line;
    rl_callback_handler_remove();
}

static void on_sigint(int sig) {
    (void)sig;
    atomic_store(&sigint_seen, 1);
    if (write(sig_w, "", 1) < 0) { /* full: a wake-up is pending anyway */
    }
}

/* Output that came while the line was being typed: above it, then the
 * prompt and the line again. */
static void show_forwarded(Term *t) {
    char buf[4096];
    ssize_t n = read(t->fwd_r, buf, sizeof buf);
    if (n <= 0)
        return;
    write_all(t->tty, "\r\033[K", 4);
    write_all(t->tty, buf, (size_t)n);
    if (buf[n - 1] != '\n')
        write_all(t->tty, "\n", 1);
    rl_forced_update_display();
}

/* Forwarded output straight to the terminal (waiting up to `wait_ms` for it). */
static void drain_forwarded(Term *t, int wait_ms) {
    char buf[4096];
    struct pollfd fd = {t->fwd_r, POLLIN, 0};
    while (poll(&fd, 1, wait_ms) > 0 && (fd.revents & POLLIN)) {
        ssize_t n = read(t->fwd_r, buf, sizeof buf);
        if (n <= 0)
            break;
        write_all(t->tty, buf, (size_t)n);
        wait_ms = 0;
    }
}

char *term_read(Term *t, const char *prompt, bool *interrupted) {
    pthread_mutex_lock(&t->mu);
    t->at_prompt = true;
    pthread_mutex_unlock(&t->mu);
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    atomic_store(&sigint_seen, 0);
    t->got_line = false;
    t->line = NULL;
    rl_callback_handler_install(prompt, on_line);
    while (!t->got_line) {
        struct pollfd fds[3] = {{STDIN_FILENO, POLLIN, 0}, {t->fwd_r, POLLIN, 0}, {t->sig_r, POLLIN, 0}};
        int n = poll(fds, 3, -1);
        if (n > 0 && (fds[2].revents & POLLIN)) {
            char drain[64];
            if (read(t->sig_r, drain, sizeof drain) < 0) { /* nothing to drain: fine */
            }
        }
        if (atomic_exchange(&sigint_seen, 0)) { /* Ctrl-C: the line (and a continued entry) is dropped */
            write_all(t->tty, "^C\n", 3);
            rl_callback_handler_remove();
            *interrupted = true;
            t->line = mem_strdup("");
            break;
        }
        if (n < 0)
            continue;
        if (fds[1].revents & POLLIN)
            show_forwarded(t);
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            rl_callback_read_char();
    }
    sigaction(SIGINT, &old, NULL);
    /* The pump may hold mu while it waits for room in the full forwarding
     * pipe: keep draining it until mu is ours. */
    while (pthread_mutex_trylock(&t->mu) != 0)
        drain_forwarded(t, 1);
    t->at_prompt = false;
    drain_forwarded(t, 0); /* in order, before what comes next */
    pthread_mutex_unlock(&t->mu);
    return t->eof ? NULL : t->line;
}

int term_columns(Term *t) {
    struct winsize ws;
    return ioctl(t->tty, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
}

void term_sync(Term *t) {
    /* The pump has read everything once the pipe is empty, and has written
     * it once it lets go of mu (at_prompt is still false: to the terminal). */
    int pending;
    while (ioctl(t->out_r, FIONREAD, &pending) == 0 && pending > 0)
        usleep(1000);
    pthread_mutex_lock(&t->mu);
    pthread_mutex_unlock(&t->mu);
}

void term_history_add(Term *t, const char *entry) {
    add_history(entry);
    if (t->history && write_history(t->history) != 0) {
        fprintf(stderr, "warning: history not saved to %s\n", t->history);
        free(t->history);
        t->history = NULL;
    }
}

Term *term_open(Repl *r) {
    Term *t = mem_calloc(1, sizeof *t);
    the_term = t;
    t->r = r;
    pthread_mutex_init(&t->mu, NULL);
    tcgetattr(STDIN_FILENO, &t->saved_tty);
    int out[2], fwd[2], sig[2];
    if (pipe(out) < 0 || pipe(fwd) < 0 || pipe2(sig, O_NONBLOCK | O_CLOEXEC) < 0) {
        perror("csp: pipe");
        exit(1);
    }
    fflush(stdout);
    fflush(stderr);
    t->tty = dup(STDOUT_FILENO);
    t->out_r = out[0];
    t->fwd_r = fwd[0];
    t->fwd_w = fwd[1];
    t->sig_r = sig[0];
    sig_w = sig[1];
    dup2(out[1], STDOUT_FILENO);
    dup2(out[1], STDERR_FILENO);
    close(out[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    rl_outstream = fdopen(dup(t->tty), "w");
    rl_instream = stdin;
    rl_readline_name = "csp";
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{}()[],+-*/%!^:";
    rl_completion_append_character = '\0';
    /* libedit initializes itself on first use, with the streams set above */
    t->history = history_path();
    using_history();
    if (t->history)
        read_history(t->history);
    pthread_create(&t->pump, NULL, pump_main, t);
    return t;
}

void term_flush_output(Term *t) {
    fflush(stdout);
    fflush(stderr);
    /* Closing our ends of the pipe ends the pump once it has copied the rest
     * (goroutines still running keep writing until the process exits). */
    int tty = dup(t->tty);
    dup2(tty, STDOUT_FILENO);
    dup2(tty, STDERR_FILENO);
    close(tty);
    pthread_join(t->pump, NULL);
    drain_forwarded(t, 0); /* what came while a line was being typed */
    if (t->at_prompt) {    /* os.Exit from a goroutine while a line is typed: leave libedit's mode */
        write_all(t->tty, "\n", 1);
        tcsetattr(STDIN_FILENO, TCSANOW, &t->saved_tty);
    }
}

void term_close(Term *t) {
    if (t->history)
        write_history(t->history);
    free(t->history);
}
