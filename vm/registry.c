/* vm/registry.c — the VM instance: creation, native modules and types,
 * and process exit. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csp_config.h"
#include "vm/interp.h"
#include "vm/race.h"

static void types_free(struct TypeTable *tt, bool methods);

static int native_Error(G *g, Value *args, int nargs) {
    if (nargs != 1 || !val_is(args[0], OBJ_ERROR))
        return vm_panicf(g, "Error: receiver must be an error");
    args[0] = val_obj(AS_ERROR(args[0])->msg);
    return 1;
}

VM *vm_new(int argc, char **argv) {
    VM *vm = mem_calloc(1, sizeof(VM));
    pthread_mutex_init(&vm->heap_lock, NULL);
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&vm->open_lock, &ma);
    pthread_mutexattr_destroy(&ma);
    vm->all_opened = true; /* until vm_lazy_modules */
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
    types_free(vm->types, true);
    pthread_mutex_destroy(&vm->open_lock);
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

/* The module registered as `name`, without opening anything. */
static ObjModule *find_opened(VM *vm, const char *name) {
    if (!strcmp(name, "builtin"))
        return vm->builtins;
    for (int i = 0; i < vm->nnatmods; i++)
        if (!strcmp(vm->natmods[i].name, name))
            return vm->natmods[i].module;
    return NULL;
}

ObjModule *vm_native_module(VM *vm, const char *name, const NativeReg *fns) {
    pthread_mutex_lock(&vm->open_lock);
    ObjModule *m = find_opened(vm, name);
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
    pthread_mutex_unlock(&vm->open_lock);
    return m;
}

void vm_lazy_modules(VM *vm, const NativeOpener *openers, int n) {
    vm->openers = openers;
    vm->nopeners = n < 64 ? n : 64;
    vm->opened = 0;
    atomic_store(&vm->all_opened, n == 0);
}

/* Whether the space-separated list names `name`. */
static bool names_module(const char *list, const char *name) {
    size_t len = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, name, n))
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

/* Runs every opener not yet run that fills `name` (every one when name is
 * NULL); open_lock held.  An opener is marked before it runs, so one that
 * looks up its own modules does not run again. */
static void run_openers(VM *vm, const char *name) {
    for (int i = 0; i < vm->nopeners; i++) {
        if (vm->opened & (UINT64_C(1) << i))
            continue;
        if (name && !names_module(vm->openers[i].modules, name))
            continue;
        vm->opened |= UINT64_C(1) << i;
        vm->openers[i].open(vm);
    }
    if (vm->opened == (vm->nopeners == 64 ? ~UINT64_C(0) : (UINT64_C(1) << vm->nopeners) - 1))
        atomic_store_explicit(&vm->all_opened, true, memory_order_release);
}

void vm_open_all_modules(VM *vm) {
    if (atomic_load_explicit(&vm->all_opened, memory_order_acquire))
        return;
    pthread_mutex_lock(&vm->open_lock);
    run_openers(vm, NULL);
    pthread_mutex_unlock(&vm->open_lock);
}

ObjModule *vm_find_native_module(VM *vm, const char *name) {
    pthread_mutex_lock(&vm->open_lock);
    if (!atomic_load_explicit(&vm->all_opened, memory_order_relaxed))
        run_openers(vm, name);
    ObjModule *m = find_opened(vm, name);
    pthread_mutex_unlock(&vm->open_lock);
    return m;
}

/* The registered types: a table is never changed once published, so the
 * dispatch loop's method look-ups read it without a lock while an opener
 * (under open_lock) publishes a bigger copy. */
typedef struct TypeTable {
    struct TypeTable *prev; /* the table this one replaced: freed with the VM */
    int n;
    const NativeType **types;
    ObjNative ***methods; /* per type: one ObjNative per method, NULL-terminated */
} TypeTable;

static void types_free(TypeTable *tt, bool methods) {
    while (tt) {
        TypeTable *prev = tt->prev;
        for (int i = 0; methods && i < tt->n; i++)
            free(tt->methods[i]);
        methods = false; /* older tables share the method arrays */
        free(tt->types);
        free(tt->methods);
        free(tt);
        tt = prev;
    }
}

void vm_register_type(VM *vm, const NativeType *t) {
    pthread_mutex_lock(&vm->open_lock);
    TypeTable *old = atomic_load_explicit(&vm->types, memory_order_relaxed);
    int n = old ? old->n : 0;
    TypeTable *tt = mem_calloc(1, sizeof *tt);
    tt->prev = old;
    tt->n = n + 1;
    tt->types = mem_alloc((size_t)tt->n * sizeof(NativeType *));
    tt->methods = mem_alloc((size_t)tt->n * sizeof(ObjNative **));
    int nm = 0;
    while (t->methods && t->methods[nm].name)
        nm++;
    ObjNative **ms = mem_calloc((size_t)nm + 1, sizeof(ObjNative *));
    for (int i = 0; i < nm; i++) {
        ms[i] = (ObjNative *)val_as_obj(vm_new_native(vm, t->methods[i].name, t->methods[i].fn, t->methods[i].doc));
        ms[i]->method = str_intern_c(vm, t->methods[i].name);
        ms[i]->owner = t;
        /* Under -race the fast paths that make the method's happens-before
         * edges; every front end turns the detector on before it opens the
         * stdlib. */
        for (const NativeFast *fp = RACE_ON(vm) ? t->race_fast : t->fast; fp && fp->name; fp++)
            if (!strcmp(fp->name, t->methods[i].name)) {
                ms[i]->fast = fp->fast;
                ms[i]->fast_op = fp->op; /* a race_fast table's ops make their edges */
                ms[i]->fast_from = fp->from;
                ms[i]->fast_to = fp->to;
            }
    }
    /* Kept sorted by address, so that method lookup is a binary search. */
    int at = 0;
    while (at < n && (uintptr_t)old->types[at] < (uintptr_t)t)
        at++;
    for (int i = 0, j = 0; i < tt->n; i++) {
        if (i == at) {
            tt->types[i] = t;
            tt->methods[i] = ms;
        } else {
            tt->types[i] = old->types[j];
            tt->methods[i] = old->methods[j];
            j++;
        }
    }
    atomic_store_explicit(&vm->types, tt, memory_order_release);
    pthread_mutex_unlock(&vm->open_lock);
}

void vm_mark_types(VM *vm) {
    TypeTable *tt = atomic_load_explicit(&vm->types, memory_order_acquire);
    for (int i = 0; tt && i < tt->n; i++)
        for (ObjNative **m = tt->methods[i]; *m; m++)
            gc_mark_obj(vm, (Obj *)*m);
}

static const NativeType *find_type(VM *vm, const char *name) {
    TypeTable *tt = atomic_load_explicit(&vm->types, memory_order_acquire);
    for (int i = 0; tt && i < tt->n; i++)
        if (!strcmp(tt->types[i]->name, name))
            return tt->types[i];
    /* Go spells pointer types with a star; csp accepts both spellings. */
    for (int i = 0; tt && i < tt->n; i++)
        if (tt->types[i]->name[0] == '*' && !strcmp(tt->types[i]->name + 1, name))
            return tt->types[i];
    return NULL;
}

const NativeType *vm_find_type(VM *vm, const char *name) {
    const NativeType *t = find_type(vm, name);
    if (t || atomic_load_explicit(&vm->all_opened, memory_order_acquire))
        return t;
    vm_open_all_modules(vm); /* a type of a module no one has imported yet */
    return find_type(vm, name);
}

/* 1: found; 0: t has no such method; -1: t is not registered (yet). */
static int native_method(VM *vm, const NativeType *t, ObjString *name, Value *out) {
    TypeTable *tt = atomic_load_explicit(&vm->types, memory_order_acquire);
    if (!tt)
        return -1;
    int lo = 0, hi = tt->n;
    while (lo < hi) { /* the first registered type at or above t */
        int mid = (lo + hi) / 2;
        if ((uintptr_t)tt->types[mid] < (uintptr_t)t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == tt->n || tt->types[lo] != t)
        return -1;
    /* Method names in code are interned: one pointer compare per method. */
    for (ObjNative **m = tt->methods[lo]; *m; m++)
        if ((*m)->method == name || ((*m)->method->len == name->len && str_equal((*m)->method, name))) {
            *out = val_obj(*m);
            return 1;
        }
    return 0;
}

bool vm_native_method(VM *vm, const NativeType *t, ObjString *name, Value *out) {
    int r = native_method(vm, t, name, out);
    if (r >= 0 || atomic_load_explicit(&vm->all_opened, memory_order_acquire))
        return r > 0;
    /* A value of a type whose module no one has looked up (made by another
     * module's native): register every type, then look again. */
    vm_open_all_modules(vm);
    return native_method(vm, t, name, out) > 0;
}

ObjNativeObj *vm_new_nativeobj(VM *vm, const NativeType *t) {
    ObjNativeObj *o = gc_alloc(vm, sizeof(ObjNativeObj) + t->payload_size, OBJ_NATIVEOBJ);
    o->ntype = t;
    if (t->init)
        t->init(vm, o);
    return o;
}
