/* base/mem.h — the one allocator: malloc and friends that never return NULL.
 *
 * Every layer allocates through these (tests/lint/no_raw_alloc.py fails the
 * suite on a malloc, calloc, realloc, strdup or strndup outside base/).  A
 * request that cannot be met ends the program as Go's does: the line
 * `fatal error: runtime: out of memory` on stderr, the goroutine that asked
 * when the runtime is up (the hook it registers), exit status 2.  Callers
 * therefore never check for NULL, and a size of 0 is a valid request.
 *
 * The wrappers are inline: the VM allocates on its hot paths, and the check
 * is one predicted branch after the libc call.  Memory from these functions
 * is libc's, so free() and mem_free() are the same (a library that frees what
 * we hand it, e.g. libedit's completion strings, may call free()).
 */
#ifndef CSP_BASE_MEM_H
#define CSP_BASE_MEM_H

#include <stddef.h>
#include <stdlib.h>

/* Print Go's out-of-memory report and exit 2.  Safe from any thread; the
 * first caller reports, later ones wait for it to end the process. */
_Noreturn void mem_oom(void);

/* The runtime's part of the report (the goroutine dump): base cannot call
 * upwards, so the runtime registers it once its scheduler is up.  NULL
 * removes it.  The hook runs with a small reserve released, so that it may
 * allocate a little. */
void mem_set_oom_hook(void (*hook)(void));

/* libc said NULL: a zero-size request gets a byte, anything else is out of
 * memory.  Out of line, so the inline fast paths stay a call and a test. */
void *mem_retry(size_t n, size_t size);

static inline void *mem_alloc(size_t n) {
    void *p = malloc(n);
    if (__builtin_expect(p == NULL, 0))
        p = mem_retry(n, 1);
    return p;
}

/* Zeroed n * size bytes; an overflowing product is out of memory. */
static inline void *mem_calloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (__builtin_expect(p == NULL, 0))
        p = mem_retry(n, size);
    return p;
}

/* realloc(p, 0) would free p: a zero size keeps a byte instead. */
static inline void *mem_realloc(void *old, size_t n) {
    void *p = realloc(old, n ? n : 1);
    if (__builtin_expect(p == NULL, 0))
        mem_oom();
    return p;
}

/* n * size bytes, uninitialised: for arrays whose length a script controls,
 * where the product may overflow. */
static inline void *mem_alloc_n(size_t n, size_t size) {
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes))
        mem_oom();
    return mem_alloc(bytes);
}

static inline void mem_free(void *p) {
    free(p);
}

/* A copy of s (NULL for NULL). */
char *mem_strdup(const char *s);
/* At most n bytes of s, up to its NUL, NUL-terminated. */
char *mem_strndup(const char *s, size_t n);
/* Exactly n bytes of p (NULs included) and a NUL after them. */
char *mem_dup(const void *p, size_t n);

#endif
