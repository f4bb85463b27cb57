/* vm/registry.c — the VM instance: creation, native modules and types,
 * and process exit. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csp_config.h"
#include "vm/interp.h"
#include "vm/race.h"

static int native_Error(G *g, Value *args, int nargs) {
    if (nargs != 1 || !val_is(args[0], OBJ_ERROR))
        return vm_panicf(g, "Error: receiver must be an error");
    args[0] = val_obj(AS_ERROR(args[0])->msg);
    return 1;
}

VM *vm_new(int argc, char **argv) {
    VM *vm = mem_calloc(1, sizeof(VM));
    pthread_mutex_init(&vm->heap_lock, NULL);
    vm->gc_percent = 100;
    vm->next_gc = 4u << 20;
    const char *stress = getenv("CSP_GCSTRESS");
    vm->gc_stress = CSP_GC_STRESS || (stress && *stress && strcmp(stress, "0") != 0);
    vm->max_stack_bytes = 1000000000;
    vm->argc = argc;
    vm->argv = argv;
    vm->out = stdout;
    vm->err = stderr;
    vm->name_Error = str_intern_c(vm, "Error");
    vm->error_method = vm_new_native(vm, "error.Error", native_Error, "Error() string — the error's text");
    return vm;
}

void vm_free(VM *vm) {
    for (int i = 0; i < vm->ngs; i++) {
        G *g = vm->gs[i];
        for (int j = 0; j < g->nframes; j++)
            defers_free(&g->frames[j]);
        free(g->stack);
        free(g->frames);
        free(g->rt);
        free(g);
    }
    free(vm->gs);
    gc_free_all(vm);
    free(vm->interned);
    free(vm->natmods);
    for (int i = 0; i < vm->nntypes; i++)
        free(vm->ntype_methods[i]);
    free(vm->ntype_methods);
    free(vm->ntypes);
    free(vm->usermods);
    free(vm);
}

_Noreturn void vm_exit(VM *vm, int code) {
    if (RACE_ON(vm))
        code = race_exit(vm, code);
    fflush(vm->out);
    fflush(vm->err);
    fflush(stdout);
    fflush(stderr);
    if (vm->rt && vm->rt->exit)
        vm->rt->exit(vm);
    if (vm->before_exit)
        vm->before_exit();
    _exit(code);
}

Value vm_new_native(VM *vm, const char *name, NativeFn fn, const char *doc) {
    ObjNative *n = gc_alloc(vm, sizeof(ObjNative), OBJ_NATIVE);
    n->fn = fn;
    n->name = name;
    n->doc = doc;
    return val_obj(n);
}

static ObjModule *module_new(VM *vm, const char *name) {
    ObjModule *m = gc_alloc(vm, sizeof(ObjModule), OBJ_MODULE);
    const char *slash = strrchr(name, '/');
    m->name = str_intern_c(vm, slash ? slash + 1 : name);
    m->state = MOD_LOADED;
    return m;
}

void vm_module_set(VM *vm, ObjModule *m, const char *name, Value v) {
    ObjString *key = str_intern_c(vm, name);
    for (int i = 0; i < m->nglobals; i++)
        if (m->names[i] == key) {
            m->globals[i] = v;
            return;
        }
    m->globals = mem_realloc(m->globals, (size_t)(m->nglobals + 1) * sizeof(Value));
    m->names = mem_realloc(m->names, (size_t)(m->nglobals + 1) * sizeof(ObjString *));
    m->globals[m->nglobals] = v;
    m->names[m->nglobals] = key;
    m->nglobals++;
}

bool vm_module_get(ObjModule *m, ObjString *name, Value *out) {
    for (int i = 0; i < m->nglobals; i++)
        if (m->names[i] == name) {
            *out = m->globals[i];
            return true;
        }
    return false;
}

ObjModule *vm_native_module(VM *vm, const char *name, const NativeReg *fns) {
    ObjModule *m = vm_find_native_module(vm, name);
    if (!m) {
        m = module_new(vm, name);
        if (!strcmp(name, "builtin")) {
            vm->builtins = m;
        } else {
            if (vm->nnatmods == vm->natmods_cap) {
                vm->natmods_cap = vm->natmods_cap ? vm->natmods_cap * 2 : 32;
                vm->natmods = mem_realloc(vm->natmods, (size_t)vm->natmods_cap * sizeof(NativeModuleEntry));
            }
            vm->natmods[vm->nnatmods++] = (NativeModuleEntry){name, m};
        }
    }
    for (const NativeReg *r = fns; r && r->name; r++) {
        /* The native's name is "module.Func" for traces and messages. */
        char *full = NULL;
        if (strcmp(name, "builtin") != 0) {
            size_t n = strlen(name) + strlen(r->name) + 2;
            full = mem_alloc(n);
            snprintf(full, n, "%s.%s", m->name->chars, r->name);
        }
        Value fn = vm_new_native(vm, full ? full : r->name, r->fn, r->doc);
        vm_module_set(vm, m, r->name, fn);
        /* The name string lives as long as the process (natives are never unregistered). */
    }
    return m;
}

ObjModule *vm_find_native_module(VM *vm, const char *name) {
    if (!strcmp(name, "builtin"))
        return vm->builtins;
    for (int i = 0; i < vm->nnatmods; i++)
        if (!strcmp(vm->natmods[i].name, name))
            return vm->natmods[i].module;
    return NULL;
}

void vm_register_type(VM *vm, const NativeType *t) {
    if (vm->nntypes == vm->ntypes_cap) {
        vm->ntypes_cap = vm->ntypes_cap ? vm->ntypes_cap * 2 : 32;
        vm->ntypes = mem_realloc(vm->ntypes, (size_t)vm->ntypes_cap * sizeof(NativeType *));
        vm->ntype_methods = mem_realloc(vm->ntype_methods, (size_t)vm->ntypes_cap * sizeof(ObjNative **));
    }
    int n = 0;
    while (t->methods && t->methods[n].name)
        n++;
    ObjNative **ms = mem_calloc((size_t)n + 1, sizeof(ObjNative *));
    for (int i = 0; i < n; i++) {
        ms[i] = (ObjNative *)val_as_obj(vm_new_native(vm, t->methods[i].name, t->methods[i].fn, t->methods[i].doc));
        ms[i]->method = str_intern_c(vm, t->methods[i].name);
    }
    /* Kept sorted by address, so that method lookup is a binary search. */
    int at = vm->nntypes;
    while (at > 0 && (uintptr_t)vm->ntypes[at - 1] > (uintptr_t)t) {
        vm->ntypes[at] = vm->ntypes[at - 1];
        vm->ntype_methods[at] = vm->ntype_methods[at - 1];
        at--;
    }
    vm->ntypes[at] = t;
    vm->ntype_methods[at] = ms;
    vm->nntypes++;
}

const NativeType *vm_find_type(VM *vm, const char *name) {
    for (int i = 0; i < vm->nntypes; i++)
        if (!strcmp(vm->ntypes[i]->name, name))
            return vm->ntypes[i];
    /* Go spells pointer types with a star; csp accepts both spellings. */
    for (int i = 0; i < vm->nntypes; i++)
        if (vm->ntypes[i]->name[0] == '*' && !strcmp(vm->ntypes[i]->name + 1, name))
            return vm->ntypes[i];
    return NULL;
}

bool vm_native_method(VM *vm, const NativeType *t, ObjString *name, Value *out) {
    int lo = 0, hi = vm->nntypes;
    while (lo < hi) { /* the first registered type at or above t */
        int mid = (lo + hi) / 2;
        if ((uintptr_t)vm->ntypes[mid] < (uintptr_t)t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == vm->nntypes || vm->ntypes[lo] != t)
        return false;
    /* Method names in code are interned: one pointer compare per method. */
    for (ObjNative **m = vm->ntype_methods[lo]; *m; m++)
        if ((*m)->method == name || ((*m)->method->len == name->len && str_equal((*m)->method, name))) {
            *out = val_obj(*m);
            return true;
        }
    return false;
}

ObjNativeObj *vm_new_nativeobj(VM *vm, const NativeType *t) {
    ObjNativeObj *o = gc_alloc(vm, sizeof(ObjNativeObj) + t->payload_size, OBJ_NATIVEOBJ);
    o->ntype = t;
    if (t->init)
        t->init(vm, o);
    return o;
}
