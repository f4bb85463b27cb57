/* stdlib/errors.c — package errors: New, Is, As, Unwrap.
 *
 * An error's chain follows ObjError.wrapped (set by fmt.Errorf's %w) or a
 * struct's Unwrap() method; Is compares each link with == (identity for
 * error values) and asks a struct's Is(target) method, as Go does.
 *
 * As is csp's form of Go's errors.As(err, &target), which has no pointers to
 * fill: errors.As(err, T) returns the first error in err's chain whose type
 * is T, or nil.  T is a struct type written as in a type switch (the
 * compiler passes `MyErr` as the type switch's constant: a struct type
 * object), or a type's name as a string ("MyErr", "*os.File").
 */
#include "stdlib/lib.h"

enum { MAX_CHAIN = 10000 }; /* a cycle of Unwrap methods must not hang */

static int errors_New(G *g, Value *args, int nargs) {
    ObjString *text;
    if (!args_check(g, "errors.New", args, nargs, "s", &text))
        return -1;
    args[0] = err_new(g->vm, text, VAL_NIL);
    return 1;
}

/* Call err's method `name` (if it has one) with nargs extra arguments;
 * *found says whether it exists.  Returns 0, or -1 if the call panicked. */
static int call_method(G *g, Value err, const char *name, int nargs, Value arg, Value *res, bool *found) {
    Value fn;
    *res = VAL_NIL;
    *found = args_method(g->vm, err, name, &fn);
    if (!*found)
        return 0;
    Value cargs[2] = {err, arg};
    return vm_call(g, fn, 1 + nargs, cargs, 1, res);
}

/* The next link of err's chain, or nil. */
static int unwrap(G *g, Value err, Value *next) {
    if (val_is(err, OBJ_ERROR)) {
        *next = AS_ERROR(err)->wrapped;
        return 0;
    }
    bool found;
    return call_method(g, err, "Unwrap", 0, VAL_NIL, next, &found);
}

static int errors_Unwrap(G *g, Value *args, int nargs) {
    Value err, next;
    if (!args_check(g, "errors.Unwrap", args, nargs, "v", &err))
        return -1;
    if (unwrap(g, err, &next) < 0)
        return -1;
    vm_native_args(g)[0] = next;
    return 1;
}

static bool has_type(Value v, Value t) {
    if (val_is(t, OBJ_STRUCTTYPE))
        return val_is(v, OBJ_STRUCT) && val_obj(AS_STRUCT(v)->type) == t;
    return val_has_type(v, AS_STRING(t)->chars);
}

static int errors_As(G *g, Value *args, int nargs) {
    Value err, t;
    if (!args_check(g, "errors.As", args, nargs, "vv", &err, &t))
        return -1;
    if (!val_is(t, OBJ_STRUCTTYPE) && !val_is(t, OBJ_STRING))
        return args_type_error(g, "errors.As", 2, "a type", t);
    Value found = VAL_NIL;
    vm_root_push(g, err); /* the link being examined: Unwrap may have made it */
    for (int depth = 0; depth < MAX_CHAIN && !val_is_nil(err); depth++) {
        if (has_type(err, t)) {
            found = err;
            break;
        }
        if (unwrap(g, err, &err) < 0) {
            vm_root_pop(g, 1);
            return -1;
        }
        g->roots[g->nroots - 1] = err;
    }
    vm_root_pop(g, 1);
    vm_native_args(g)[0] = found;
    return 1;
}

static int errors_Is(G *g, Value *args, int nargs) {
    Value err, target;
    if (!args_check(g, "errors.Is", args, nargs, "vv", &err, &target))
        return -1;
    bool is = false;
    /* The link being examined is kept in a root: Unwrap may have made it. */
    vm_root_push(g, err);
    for (int depth = 0; depth < MAX_CHAIN; depth++) {
        if (val_equal(err, target)) {
            is = true;
            break;
        }
        if (val_is_nil(err) || val_is_nil(target))
            break;
        Value res;
        bool found;
        if (call_method(g, err, "Is", 1, target, &res, &found) < 0 || unwrap(g, err, &err) < 0) {
            vm_root_pop(g, 1);
            return -1;
        }
        if (found && val_is_bool(res) && val_as_bool(res)) {
            is = true;
            break;
        }
        if (val_is_nil(err))
            break;
        g->roots[g->nroots - 1] = err;
    }
    vm_root_pop(g, 1);
    vm_native_args(g)[0] = val_bool(is);
    return 1;
}

static const NativeReg errors_fns[] = {
    {"New", errors_New, "New(text) error — a new error whose text is text"},
    {"Is", errors_Is, "Is(err, target) bool — whether any error in err's chain is target"},
    {"As", errors_As,
     "As(err, T) error — the first error in err's chain whose type is T (a struct type, or a type's name), or nil"},
    {"Unwrap", errors_Unwrap, "Unwrap(err) error — the error err wraps (fmt.Errorf's %w), or nil"},
    {NULL, NULL, NULL},
};

void stdlib_open_errors(VM *vm) {
    vm_native_module(vm, "errors", errors_fns);
}
