/* tests/unit/minivm.h — a reference interpreter for a subset of csp's
 * bytecode, used by test_compile to run small programs independently of the
 * real VM (ints, floats, strings, bools, lists, maps, structs, methods,
 * closures and cells, calls with several results, range over lists and
 * ints, println).  Not a product: slow, and every allocation lives until
 * mini_free. */
#ifndef CSP_TESTS_MINIVM_H
#define CSP_TESTS_MINIVM_H

#include <stddef.h>

#include "parser/bytecode.h"

typedef struct Mini Mini;

/* Run the program's main module (and the modules it imports).  Returns 0
 * with what it printed in *out, or -1 with a message in *err; both strings
 * live until mini_free. */
int mini_run(const BcProgram *p, const char **out, const char **err);
void mini_free(void);

#endif
