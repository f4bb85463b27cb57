/* stdlib/ffi.c — package ffi: C functions from shared libraries, called
 * through libffi.
 *
 *   libm := ffi.Must(ffi.Open("libm.so.6"))
 *   cos := libm.Func("cos", "double", "double")
 *   cos(0.0)   // 1
 *
 * lib.Func prepares the call once (dlsym, ffi_prep_cif) and returns an
 * ordinary csp func: a bound method whose receiver, an ffi.Func, holds the
 * prepared call and keeps its library loaded.  Every call converts the
 * arguments (stdlib/ffi_types.c), enters the syscall state (its M gives up
 * its P, runtime/sched_syscall.c), calls C, takes a P back and only then
 * converts the result: while in C the M touches nothing of the VM.  The call
 * itself is direct for all-integer and all-double signatures
 * (stdlib/ffi_direct.h), through ffi_call for the rest.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sched.h"
#include "stdlib/ffi_direct.h"

/* ---- *ffi.Lib: a dlopen handle ---- */

typedef struct FfiLib {
    void *handle;
} FfiLib;

static void lib_finalize(ObjNativeObj *o) {
    FfiLib *l = (FfiLib *)o->payload;
    if (l->handle)
        dlclose(l->handle);
}

static const NativeType lib_type;

/* ---- ffi.Func: one prepared C function ---- */

typedef struct FfiFn {
    char *name;     /* the C symbol, for messages */
    void *sym;
    ffi_cif cif;
    int nargs;
    FfiDirect direct; /* FD_NONE: through libffi (stdlib/ffi_direct.h) */
    const FfiType *result;
    const FfiType *params[FFI_MAX_ARGS];
    ffi_type *atypes[FFI_MAX_ARGS];
} FfiFn;

typedef struct FfiFunc {
    FfiFn *fn;      /* malloc'd: ffi_cif points into it, so it must not move */
    Value lib;      /* the *ffi.Lib, kept loaded while the function lives */
    Value null_ptr; /* ffi.Nil, the value of a NULL pointer result */
} FfiFunc;

static void func_mark(VM *vm, ObjNativeObj *o) {
    FfiFunc *f = (FfiFunc *)o->payload;
    gc_mark_value(vm, f->lib);
    gc_mark_value(vm, f->null_ptr);
}

static void func_finalize(ObjNativeObj *o) {
    FfiFunc *f = (FfiFunc *)o->payload;
    if (f->fn) {
        free(f->fn->name);
        free(f->fn);
    }
}

static const NativeMethod func_methods[] = {{NULL, NULL, NULL}};

static const NativeType func_type = {
    .name = "ffi.Func",
    .methods = func_methods,
    .payload_size = sizeof(FfiFunc),
    .mark = func_mark,
    .finalize = func_finalize,
};

/* The call itself: args[0] is the ffi.Func, args[1..] the script's. */
static int func_call(G *g, Value *args, int nargs) {
    FfiFunc *f = args_recv(g, "ffi call", args, nargs, &func_type);
    if (!f || !f->fn) /* only lib.Func binds this native, but a zero ffi.Func has no function */
        return f ? vm_panicf(g, "call of a zero ffi.Func") : -1;
    FfiFn *fn = f->fn;
    Value null_ptr = f->null_ptr;
    const Value *in = args + 1;
    int n = nargs - 1;
    if (n != fn->nargs)
        return vm_panicf(g, "%s arguments in call to %s", n < fn->nargs ? "not enough" : "too many", fn->name);
    FfiSlot slots[FFI_MAX_ARGS];
    void *ptrs[FFI_MAX_ARGS];
    FfiCopies copies;
    copies.used = 0;
    copies.nheap = 0;
    for (int i = 0; i < n; i++) {
        if (!ffi_arg_from(fn->params[i], in[i], &slots[i], &copies)) {
            ffi_copies_free(&copies);
            return args_type_error(g, fn->name, i + 1, fn->params[i]->name, in[i]);
        }
        ptrs[i] = &slots[i];
    }
    FfiSlot ret;
    memset(&ret, 0, sizeof ret);
    sched_entersyscall(g);
    if (fn->direct != FD_NONE)
        ffi_direct_call(fn->direct, fn->sym, fn->result, fn->params, n, slots, &ret);
    else
        ffi_call(&fn->cif, FFI_FN(fn->sym), &ret, ptrs);
    sched_exitsyscall(g);
    ffi_copies_free(&copies);
    return ffi_result_to(g->vm, fn->result, &ret, null_ptr, &args[0]) ? 1 : 0;
}

/* The C type named by args[i] (a string); NULL after panicking. */
static const FfiType *type_arg(G *g, const Value *args, int i) {
    if (!val_is(args[i], OBJ_STRING)) {
        args_type_error(g, "ffi.Lib.Func", i + 1, "string (a C type name)", args[i]);
        return NULL;
    }
    const FfiType *t = ffi_type_named(AS_STRING(args[i])->chars);
    if (!t)
        vm_panicf(g, "ffi.Lib.Func: unknown C type \"%s\" (argument %d)", AS_STRING(args[i])->chars, i + 1);
    return t;
}

static Value module_nil(VM *vm) {
    Value v = VAL_NIL;
    ObjModule *m = vm_find_native_module(vm, "ffi");
    if (m)
        vm_module_get(m, str_intern_c(vm, "Nil"), &v);
    return v;
}

/* lib.Func(name, result, params...): dlsym and ffi_prep_cif, once. */
static int lib_Func(G *g, Value *args, int nargs) {
    FfiLib *lib = args_recv(g, "ffi.Lib.Func", args, nargs, &lib_type);
    ObjString *name;
    if (!lib || !args_check(g, "ffi.Lib.Func", args + 1, nargs - 1, "sv.", &name, &(Value){0}))
        return -1;
    int nparams = nargs - 3;
    if (nparams > FFI_MAX_ARGS)
        return vm_panicf(g, "ffi.Lib.Func: %s: more than %d arguments", name->chars, FFI_MAX_ARGS);
    const FfiType *result = type_arg(g, args + 1, 1);
    if (!result)
        return -1;
    FfiFn *fn = mem_calloc(1, sizeof(FfiFn));
    fn->nargs = nparams;
    fn->result = result;
    for (int i = 0; i < nparams; i++) {
        const FfiType *t = type_arg(g, args + 1, 2 + i);
        if (t && t->kind == FK_VOID)
            t = NULL, vm_panicf(g, "ffi.Lib.Func: void is not an argument type (argument %d)", 3 + i);
        if (!t) {
            free(fn);
            return -1;
        }
        fn->params[i] = t;
        fn->atypes[i] = t->type;
    }
    dlerror(); /* clear: a NULL symbol is not always an error */
    fn->sym = dlsym(lib->handle, name->chars);
    if (!fn->sym) {
        const char *why = dlerror();
        free(fn);
        return why ? vm_panicf(g, "%s", why) : vm_panicf(g, "ffi.Lib.Func: symbol %s is NULL", name->chars);
    }
    if (ffi_prep_cif(&fn->cif, FFI_DEFAULT_ABI, (unsigned)nparams, result->type, fn->atypes) != FFI_OK) {
        free(fn);
        return vm_panicf(g, "ffi.Lib.Func: libffi cannot prepare a call to %s", name->chars);
    }
    /* CSP_FFI_LIBFFI=1: every call through libffi (to test the direct path against it) */
    const char *only_libffi = getenv("CSP_FFI_LIBFFI");
    if (!only_libffi || strcmp(only_libffi, "1") != 0)
        fn->direct = ffi_direct_kind(result, fn->params, nparams);
    fn->name = mem_strdup(name->chars);
    VM *vm = g->vm;
    ObjNativeObj *o = vm_new_nativeobj(vm, &func_type);
    *(FfiFunc *)o->payload = (FfiFunc){fn, args[0], module_nil(vm)};
    /* No safepoint until the bound func is returned: o cannot be collected. */
    ObjBound *b = gc_alloc(vm, sizeof(ObjBound), OBJ_BOUND);
    b->receiver = val_obj(o);
    b->method = vm_new_native(vm, fn->name, func_call, "a C function called through libffi");
    args[0] = val_obj(b);
    return 1;
}

static const NativeMethod lib_methods[] = {
    {"Func", lib_Func,
     "Func(name, result, params...) func — the C function name, with its result and parameter types"},
    {NULL, NULL, NULL},
};

static const NativeType lib_type = {
    .name = "*ffi.Lib",
    .methods = lib_methods,
    .payload_size = sizeof(FfiLib),
    .finalize = lib_finalize,
};

/* ---- the module ---- */

/* ffi.Open(path) (lib, err): dlopen, which may read files: in the syscall
 * state like a C call.  "" opens the program itself (its libc). */
static int ffi_Open(G *g, Value *args, int nargs) {
    ObjString *path;
    if (!args_check(g, "ffi.Open", args, nargs, "s", &path))
        return -1;
    sched_entersyscall(g);
    void *h = dlopen(path->len ? path->chars : NULL, RTLD_NOW | RTLD_LOCAL);
    const char *why = h ? NULL : dlerror(); /* dlerror is per thread, and the M is still this one */
    sched_exitsyscall(g);
    VM *vm = g->vm;
    if (!h) {
        args[1] = err_newf(vm, "%s", why ? why : "dlopen failed");
        args[0] = VAL_NIL;
        return 2;
    }
    ObjNativeObj *o = vm_new_nativeobj(vm, &lib_type);
    ((FfiLib *)o->payload)->handle = h;
    args[0] = val_obj(o);
    args[1] = VAL_NIL;
    return 2;
}

/* ffi.Must(v, err): v, or panic with err. */
static int ffi_Must(G *g, Value *args, int nargs) {
    Value v, err;
    if (!args_check(g, "ffi.Must", args, nargs, "vv", &v, &err))
        return -1;
    if (!val_is_nil(err))
        return vm_panic_value(g, err);
    args[0] = v;
    return 1;
}

static int ffi_Malloc(G *g, Value *args, int nargs) {
    int64_t n;
    if (!args_check(g, "ffi.Malloc", args, nargs, "i", &n))
        return -1;
    if (n < 0)
        return vm_panicf(g, "ffi.Malloc: negative size %" PRId64, n);
    /* cgo's C.malloc never returns nil either: out of memory is fatal */
    void *p = mem_calloc(1, (size_t)n);
    args[0] = ffi_pointer_new(g->vm, p);
    return 1;
}

static int ffi_Free(G *g, Value *args, int nargs) {
    Value p;
    if (!args_check(g, "ffi.Free", args, nargs, "v", &p))
        return -1;
    if (!val_is_nil(p) && !ffi_is_pointer(p))
        return args_type_error(g, "ffi.Free", 1, "ffi.Pointer", p);
    if (!val_is_nil(p))
        free(ffi_pointer_of(p));
    return 0;
}

/* ffi.String(p [, n]): the C string at p, or its first n bytes. */
static int ffi_String(G *g, Value *args, int nargs) {
    Value p;
    int64_t n = -1;
    if (!args_check(g, "ffi.String", args, nargs, "v|i", &p, &n))
        return -1;
    if (!ffi_is_pointer(p))
        return args_type_error(g, "ffi.String", 1, "ffi.Pointer", p);
    const char *s = ffi_pointer_of(p);
    if (!s)
        return vm_runtime_errorf(g, "invalid memory address or nil pointer dereference");
    if (n < -1 || (nargs > 1 && n < 0))
        return vm_panicf(g, "ffi.String: negative length %" PRId64, n);
    args[0] = n >= 0 ? val_str(g->vm, s, (size_t)n) : val_cstr(g->vm, s);
    return 1;
}

static const NativeReg ffi_fns[] = {
    {"Open", ffi_Open, "Open(path) (lib, err) — loads a shared library (dlopen); \"\" is the program itself"},
    {"Must", ffi_Must, "Must(v, err) — v, or a panic with err if err is not nil"},
    {"Malloc", ffi_Malloc, "Malloc(n) ffi.Pointer — n zeroed bytes of C memory (free them with Free)"},
    {"Free", ffi_Free, "Free(p) — frees C memory from Malloc (or from a C function documented so)"},
    {"String", ffi_String, "String(p [, n]) string — the NUL-terminated C string at p, or its first n bytes"},
    {NULL, NULL, NULL},
};

void stdlib_open_ffi(VM *vm) {
    ObjModule *m = vm_native_module(vm, "ffi", ffi_fns);
    vm_register_type(vm, &lib_type);
    vm_register_type(vm, &func_type);
    vm_register_type(vm, &ffi_pointer_type);
    vm_module_set(vm, m, "Nil", ffi_pointer_new(vm, NULL));
}
