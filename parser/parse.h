/* parser/parse.h — source text -> AST, plus the arena and diagnostics the
 * front end shares. */
#ifndef CSP_PARSER_PARSE_H
#define CSP_PARSER_PARSE_H

#include <stddef.h>
#include <stdio.h>

#include "parser/ast.h"

typedef struct Arena Arena;
Arena *arena_new(void);
void arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t n);   /* zeroed, 16-byte aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
void nodelist_push(Arena *a, NodeList *l, Node *n);

/* Diagnostics of one source file.  diag_error prints
 *   path:line:col: message
 *   <the source line>
 *   <spaces>^
 * to `out`, counts it, and after the 10th prints "too many errors". */
typedef struct Diag {
    FILE *out;
    const char *path;
    const char *src;
    size_t srclen;
    int count;
} Diag;
void diag_error(Diag *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parse one file.  Always returns an N_FILE node; d->count > 0 means errors
 * were reported (the tree is then partial and must not be compiled). */
Node *parse_file(Arena *a, Diag *d, const char *src, size_t len);

#endif
