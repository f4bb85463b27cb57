/* stdlib/prelude.h — the parts of the standard library written in csp.
 *
 * Where a native would have to wait several times (io.Copy) or run script
 * code and then finish (Once.Do's f, WaitGroup.Go's f), the work is a csp
 * function instead: stdlib/stream.csp and stdlib/sync.csp, compiled into the
 * binary as text and compiled by the VM the first time one of their
 * functions is needed, so a program that never uses them pays nothing.
 * Their frames are hidden from traces (vm_load_prelude).  A native reaches a
 * function by its index in the prelude's table and usually tail-calls it
 * (vm_tailcall), so it runs in the native's place on the goroutine's stack.
 *
 * Each prelude is loaded once per VM, under a lock, by whichever goroutine
 * needs it first, and published with a release store in vm->preludes[]
 * (a GC root); the slots of its functions are the same in every VM.
 */
#ifndef CSP_STDLIB_PRELUDE_H
#define CSP_STDLIB_PRELUDE_H

#include "vm/vm.h"

typedef struct Prelude {
    const char *file;         /* "stream.csp": for messages */
    const char *src;
    size_t len;
    int index;                /* its place in vm->preludes[] */
    const char *const *names; /* the functions natives call, by index */
    int nnames;
    int *slots;               /* nnames global slots, found on the first load */
    bool *found;              /* whether they are (under the loader's lock) */
} Prelude;

/* The function `which` of p (loading p first if needed). */
Value prelude_fn(VM *vm, const Prelude *p, int which);

/* args[0] := p's function `which`, then vm_tailcall(g, n): it runs with
 * args[1..n] in the native's place. */
int prelude_tailcall(G *g, Value *args, const Prelude *p, int which, int n);

/* The preludes (their index in vm->preludes[] is PRELUDE_*). */
enum { PRELUDE_STREAM, PRELUDE_SYNC };

#endif
