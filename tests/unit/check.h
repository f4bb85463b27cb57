/* tests/unit/check.h — CHECK, which prints a failed condition and counts it
 * in `failures` (main returns non-zero when it is not 0; atomic, as tests
 * check from several threads), and CHECK_SB for the text of a StrBuf. */
#ifndef CSP_TESTS_CHECK_H
#define CSP_TESTS_CHECK_H

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static _Atomic int failures;

#define CHECK(cond, ...)                                                                                     \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                             \
            fprintf(stderr, __VA_ARGS__);                                                                    \
            fputc('\n', stderr);                                                                             \
            atomic_fetch_add(&failures, 1);                                                                  \
        }                                                                                                    \
    } while (0)

/* The text of a StrBuf (NULL-safe) compared with an expected string. */
#define CHECK_SB(sb, want, what)                                                                             \
    do {                                                                                                     \
        const char *got_ = (sb)->p ? (sb)->p : "";                                                           \
        CHECK(strcmp(got_, (want)) == 0, "%s: got \"%s\", want \"%s\"", (what), got_, (want));               \
    } while (0)

#endif
