/* stdlib/stdlib.h — the standard modules of LANGUAGE.md, registered with a VM. */
#ifndef CSP_STDLIB_STDLIB_H
#define CSP_STDLIB_STDLIB_H

#include "vm/vm.h"

/* Register the builtins (vm->builtins) and every standard module. */
void stdlib_open(VM *vm);

#endif
