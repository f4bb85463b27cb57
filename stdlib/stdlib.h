/* stdlib/stdlib.h — the standard modules of LANGUAGE.md, registered with a VM. */
#ifndef CSP_STDLIB_STDLIB_H
#define CSP_STDLIB_STDLIB_H

#include "vm/vm.h"

/* Register the builtins (vm->builtins) and every standard module. */
void stdlib_open(VM *vm);

/* Seed math/rand's default generator again: from the -seed now in force
 * (csp explore sets a new one in each forked run), else at random. */
void stdlib_rand_reseed(VM *vm);

#endif
