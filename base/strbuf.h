/* base/strbuf.h — the one growable byte buffer (base/mem, not GC-managed).
 *
 * Used by the VM (strings, formatting, tracebacks), the compiler's messages,
 * the library and the REPL.  A zeroed StrBuf is a valid empty buffer; once
 * it has storage, p[len] == '\0'.
 */
#ifndef CSP_BASE_STRBUF_H
#define CSP_BASE_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct StrBuf {
    char *p;
    size_t len, cap;
} StrBuf;

void sb_init(StrBuf *b);
void sb_free(StrBuf *b);
void sb_reserve(StrBuf *b, size_t extra);
void sb_putc(StrBuf *b, char c);
void sb_put(StrBuf *b, const char *s, size_t n);
void sb_puts(StrBuf *b, const char *s);
void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
void sb_put_rune(StrBuf *b, int32_t r); /* UTF-8 encode (invalid -> U+FFFD) */
/* Append the whole file at path, then a NUL not counted in len.  False,
 * with errno set and *what "open" or "read", if it could not. */
bool sb_read_file(StrBuf *b, const char *path, const char **what);

#endif
