/* stdlib/prelude.c — loading the csp parts of the standard library (see
 * stdlib/prelude.h). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stdlib/prelude.h"

static pthread_mutex_t prelude_lock = PTHREAD_MUTEX_INITIALIZER;

/* Where p's functions live in its module's globals: the same in every VM
 * (the source is fixed).  Under prelude_lock. */
static void find_slots(const Prelude *p, ObjModule *m) {
    for (int f = 0; f < p->nnames; f++) {
        p->slots[f] = -1;
        for (int i = 0; i < m->nglobals; i++)
            if (!strcmp(m->names[i]->chars, p->names[f]))
                p->slots[f] = i;
        if (p->slots[f] < 0 || !val_is(m->globals[p->slots[f]], OBJ_CLOSURE)) {
            fprintf(stderr, "fatal error: stdlib/%s has no func %s\n", p->file, p->names[f]);
            abort(); /* the interpreter's own source is wrong */
        }
    }
}

static ObjModule *load(VM *vm, const Prelude *p) {
    ObjModule *m = atomic_load_explicit(&vm->preludes[p->index], memory_order_acquire);
    if (m)
        return m;
    pthread_mutex_lock(&prelude_lock);
    m = atomic_load_explicit(&vm->preludes[p->index], memory_order_relaxed);
    if (!m) {
        m = vm_load_prelude(vm, p->file, p->src, p->len);
        if (!*p->found) { /* the first load in any VM */
            find_slots(p, m);
            *p->found = true;
        }
        atomic_store_explicit(&vm->preludes[p->index], m, memory_order_release);
    }
    pthread_mutex_unlock(&prelude_lock);
    return m;
}

Value prelude_fn(VM *vm, const Prelude *p, int which) { return load(vm, p)->globals[p->slots[which]]; }

int prelude_tailcall(G *g, Value *args, const Prelude *p, int which, int n) {
    args[0] = prelude_fn(g->vm, p, which);
    return vm_tailcall(g, n);
}
