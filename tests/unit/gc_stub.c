/* tests/unit/gc_stub.c — just enough of the VM (gc_alloc, vm_new, vm_call
 * of natives ...) to build the data-structure unit tests WITHOUT the rest of
 * vm_lib, for quick manual builds:
 *
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -Ibuild -g \
 *       -fsanitize=address,undefined base/[a-z]*.c vm/num.c vm/str.c vm/list.c \
 *       vm/map.c vm/value.c vm/format.c tests/unit/gc_stub.c \
 *       tests/unit/test_map.c -lm -o /tmp/tm
 *
 * meson links the same tests against the real vm_lib instead (never both).
 * There is no collector: objects are freed by vm_free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"

void *gc_alloc(VM *vm, size_t size, ObjType type) {
    Obj *o = mem_calloc(1, size);
    o->type = (uint8_t)type;
    o->gc_next = vm->objects;
    vm->objects = o;
    vm->bytes_allocated += size;
    return o;
}

void *gc_alloc_header(VM *vm, size_t size, ObjType type) { return gc_alloc(vm, size, type); }

VM *vm_new(int argc, char **argv) {
    VM *vm = mem_calloc(1, sizeof(VM));
    pthread_mutex_init(&vm->heap_lock, NULL);
    vm->argc = argc;
    vm->argv = argv;
    vm->out = stdout;
    vm->err = stderr;
    vm->name_Error = str_intern_c(vm, "Error");
    return vm;
}

static void free_obj(Obj *o) {
    if (o->type == OBJ_STRUCTTYPE) {
        free(((ObjStructType *)o)->fields);
        free(((ObjStructType *)o)->methods);
    } else if (o->type == OBJ_MODULE) {
        free(((ObjModule *)o)->globals);
        free(((ObjModule *)o)->names);
    }
    free(o);
}

void vm_free(VM *vm) {
    while (vm->objects) {
        Obj *o = vm->objects;
        vm->objects = o->gc_next;
        free_obj(o);
    }
    for (int i = 0; i < vm->ngs; i++) {
        free(vm->gs[i]->stack);
        free(vm->gs[i]);
    }
    free(vm->gs);
    free(vm->interned);
    pthread_mutex_destroy(&vm->heap_lock);
    free(vm);
}

G *vm_new_g(VM *vm) {
    G *g = mem_calloc(1, sizeof(G));
    g->vm = vm;
    g->stack_cap = 64;
    g->stack = mem_calloc(g->stack_cap, sizeof(Value));
    vm->gs = mem_realloc(vm->gs, (size_t)(vm->ngs + 1) * sizeof(G *));
    vm->gs[vm->ngs++] = g;
    return g;
}

Value vm_new_native(VM *vm, const char *name, NativeFn fn, const char *doc) {
    ObjNative *n = gc_alloc(vm, sizeof(ObjNative), OBJ_NATIVE);
    n->fn = fn;
    n->name = name;
    n->doc = doc;
    return val_obj(n);
}

/* Only natives can be called here (there is no interpreter). */
int vm_call(G *g, Value fn, int nargs, const Value *args, int nres, Value *res) {
    if (!val_is(fn, OBJ_NATIVE) || nargs > 8)
        return -1;
    Value buf[CSP_NATIVE_MAX_RESULTS + 8] = {0};
    memcpy(buf, args, (size_t)nargs * sizeof(Value));
    int n = AS_NATIVE(fn)->fn(g, buf, nargs);
    if (n < 0)
        return -1;
    for (int i = 0; i < nres; i++)
        res[i] = i < n ? buf[i] : VAL_NIL;
    return 0;
}

bool vm_native_method(VM *vm, const NativeType *t, ObjString *name, Value *out) {
    for (const NativeMethod *m = t->methods; m && m->name; m++)
        if (!strcmp(m->name, name->chars)) {
            *out = vm_new_native(vm, m->name, m->fn, m->doc);
            return true;
        }
    return false;
}

const NativeType *vm_find_type(VM *vm, const char *name) {
    (void)vm;
    (void)name;
    return NULL;
}

void vm_register_type(VM *vm, const NativeType *t) {
    (void)vm;
    (void)t;
}
