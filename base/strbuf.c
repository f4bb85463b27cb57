/* base/strbuf.c — a growable byte buffer (base/mem, not GC-managed).
 *
 * Invariant: once a buffer has storage, p[len] == '\0', so b->p can be handed
 * to C functions as a string at any time.  A zeroed StrBuf is a valid empty
 * buffer (p == NULL), which lets callers declare `StrBuf b = {0}`.
 */
#include "base/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"

void sb_init(StrBuf *b) {
    b->p = NULL;
    b->len = b->cap = 0;
}

void sb_free(StrBuf *b) {
    mem_free(b->p);
    sb_init(b);
}

void sb_reserve(StrBuf *b, size_t extra) {
    /* +1 keeps room for the terminating NUL. */
    if (extra >= SIZE_MAX / 2 - b->len)
        mem_oom();
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 32;
    while (cap < need)
        cap *= 2;
    char *p = mem_realloc(b->p, cap);
    b->p = p;
    b->cap = cap;
    p[b->len] = '\0'; /* a fresh buffer must read as "" */
}

void sb_putc(StrBuf *b, char c) {
    if (b->len + 1 >= b->cap)
        sb_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void sb_put(StrBuf *b, const char *s, size_t n) {
    if (n == 0) {
        if (!b->p)
            sb_reserve(b, 0);
        return;
    }
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_puts(StrBuf *b, const char *s) {
    sb_put(b, s, strlen(s));
}

void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) {
    /* Try the free space first: most formats are short, so one pass usually
     * suffices; vsnprintf consumes ap, hence the copy for a second pass. */
    va_list ap2;
    va_copy(ap2, ap);
    if (b->cap - b->len < 64)
        sb_reserve(b, 64);
    size_t room = b->cap - b->len;
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        b->p[b->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        sb_reserve(b, (size_t)n);
        vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
    }
    va_end(ap2);
    b->len += (size_t)n;
}

void sb_printf(StrBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_put_rune(StrBuf *b, int32_t r) {
    char buf[UTF8_MAX_BYTES];
    sb_put(b, buf, (size_t)utf8_encode(r, buf));
}

bool sb_read_file(StrBuf *b, const char *path, const char **what) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *what = "open";
        return false;
    }
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sb_put(b, chunk, n);
    bool ok = !ferror(f);
    int saved = errno;
    fclose(f);
    if (!ok) {
        errno = saved;
        *what = "read";
        return false;
    }
    sb_reserve(b, 0); /* an empty file still gives "" (the invariant above) */
    return true;
}
