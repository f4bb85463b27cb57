/* vm/vm_seed.c — the dispatch loop with the scheduling points of `csp -seed`
 * (vm_execute_seed): vm/vm.c compiled a second time, so that the loop that
 * runs without -seed holds no trace of them (see the comment at VM_EXECUTE). */
#define VM_SEEDPOINTS 1
#include "vm/vm.c"
