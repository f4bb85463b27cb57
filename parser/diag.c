/* parser/diag.c — compile errors as a person reads them:
 *
 *     path.csp:12:5: syntax error: unexpected }, expected expression
 *     	x := }
 *     	     ^
 *
 * The caret line copies the tabs of the source line so the caret sits under
 * the column whatever the terminal's tab width, and counts a multi-byte UTF-8
 * character as one column of screen.  After the 10th error Go stops with
 * "too many errors"; so do we (later calls print nothing but still count).
 */
#include <stdarg.h>
#include <string.h>

#include "parser/parse.h"

enum { DIAG_MAX = 10 };

/* The bytes of line `line` (from 1) of d->src, without its newline. */
static int source_line(const Diag *d, int line, const char **start, size_t *len) {
    if (!d->src || line < 1)
        return 0;
    const char *p = d->src, *end = d->src + d->srclen;
    for (int l = 1; l < line; l++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        p = nl + 1;
    }
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (n > 0 && p[n - 1] == '\r')
        n--;
    *start = p;
    *len = n;
    return 1;
}

static void print_source(Diag *d, int line, int col) {
    const char *s;
    size_t n;
    if (!source_line(d, line, &s, &n))
        return;
    fwrite(s, 1, n, d->out);
    fputc('\n', d->out);
    size_t upto = col > 1 ? (size_t)(col - 1) : 0;
    if (upto > n)
        upto = n;
    for (size_t i = 0; i < upto; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t')
            fputc('\t', d->out);
        else if ((c & 0xC0) != 0x80) /* UTF-8 continuation bytes take no column */
            fputc(' ', d->out);
    }
    fputs("^\n", d->out);
}

void diag_error(Diag *d, int line, int col, const char *fmt, ...) {
    d->count++;
    if (d->count > DIAG_MAX || !d->out)
        return;
    const char *path = d->path ? d->path : "<input>";
    fprintf(d->out, "%s:%d:%d: ", path, line, col);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(d->out, fmt, ap);
    va_end(ap);
    fputc('\n', d->out);
    print_source(d, line, col);
    if (d->count == DIAG_MAX)
        fprintf(d->out, "%s:%d:%d: too many errors\n", path, line, col);
    fflush(d->out);
}
