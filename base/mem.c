/* base/mem.c — the out-of-memory report, and the string copies. */
#include "base/mem.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Released before the hook runs: the goroutine dump formats a traceback,
 * which needs a little memory when there is none left. */
#define MEM_OOM_RESERVE (64u << 10)

static void (*_Atomic oom_hook)(void);
static void *oom_reserve;
static _Thread_local bool oom_reporting;

void mem_set_oom_hook(void (*hook)(void)) {
    if (hook && !oom_reserve)
        oom_reserve = malloc(MEM_OOM_RESERVE);
    atomic_store(&oom_hook, hook);
}

_Noreturn void mem_oom(void) {
    static atomic_flag reported = ATOMIC_FLAG_INIT;
    if (oom_reporting) { /* the hook itself ran out: the message is out already */
        fflush(stderr);
        _exit(2);
    }
    oom_reporting = true;
    if (atomic_flag_test_and_set(&reported))
        for (;;) /* another thread is already reporting and exiting */
            pause();
    fputs("fatal error: runtime: out of memory\n", stderr);
    void (*hook)(void) = atomic_load(&oom_hook);
    if (hook) {
        free(oom_reserve);
        oom_reserve = NULL;
        hook();
    }
    fflush(stderr);
    exit(2);
}

void *mem_retry(size_t n, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes) || bytes != 0)
        mem_oom();
    void *p = malloc(1); /* a libc whose malloc(0) is NULL */
    if (!p)
        mem_oom();
    return p;
}

char *mem_dup(const void *p, size_t n) {
    char *d = mem_alloc(n + 1);
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return d;
}

char *mem_strdup(const char *s) {
    return s ? mem_dup(s, strlen(s)) : NULL;
}

char *mem_strndup(const char *s, size_t n) {
    return mem_dup(s, strnlen(s, n));
}
