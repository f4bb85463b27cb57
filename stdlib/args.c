/* stdlib/args.c — argument checking and method lookup shared by the natives. */
#include "stdlib/args.h"

#include <math.h>
#include <string.h>

int args_type_error(G *g, const char *fn, int argno, const char *want, Value got) {
    return vm_panicf(g, "%s: argument %d must be %s, got %s", fn, argno, want, val_type_name(got));
}

bool args_is_func(Value v) {
    return val_is(v, OBJ_CLOSURE) || val_is(v, OBJ_NATIVE) || val_is(v, OBJ_BOUND);
}

static bool as_int(Value v, int64_t *out) {
    if (val_is_int(v)) {
        *out = val_as_int(v);
        return true;
    }
    if (val_is_float(v)) {
        double d = val_as_float(v);
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == trunc(d)) {
            *out = (int64_t)d;
            return true;
        }
    }
    return false;
}

/* Store one argument for spec letter c; false if it has the wrong type. */
static bool store_arg(char c, Value v, va_list *ap, const char **want) {
    switch (c) {
    case 'i': *want = "int"; return as_int(v, va_arg(*ap, int64_t *));
    case 'f':
        *want = "float64";
        if (!val_is_number(v))
            return false;
        *va_arg(*ap, double *) = val_to_double(v);
        return true;
    case 'n':
        *want = "a number";
        if (!val_is_number(v))
            return false;
        *va_arg(*ap, Value *) = v;
        return true;
    case 's':
        *want = "string";
        if (!val_is(v, OBJ_STRING))
            return false;
        *va_arg(*ap, ObjString **) = AS_STRING(v);
        return true;
    case 'b':
        *want = "bool";
        if (!val_is_bool(v))
            return false;
        *va_arg(*ap, bool *) = val_as_bool(v);
        return true;
    case 'l':
        *want = "list";
        if (!val_is(v, OBJ_LIST))
            return false;
        *va_arg(*ap, ObjList **) = AS_LIST(v);
        return true;
    case 'm':
        *want = "map";
        if (!val_is(v, OBJ_MAP))
            return false;
        *va_arg(*ap, ObjMap **) = AS_MAP(v);
        return true;
    case 'F':
        *want = "func";
        if (!args_is_func(v))
            return false;
        *va_arg(*ap, Value *) = v;
        return true;
    default: /* 'v' */ *va_arg(*ap, Value *) = v; return true;
    }
}

/* The argument-count error for spec, if nargs does not fit it; true if it fits. */
static bool count_ok(G *g, const char *fn, int nargs, const char *spec) {
    int required = 0, max = 0;
    bool optional = false, rest = false;
    for (const char *p = spec; *p; p++) {
        if (*p == '|')
            optional = true;
        else if (*p == '.')
            rest = true;
        else {
            max++;
            if (!optional)
                required++;
        }
    }
    if (nargs < required) {
        vm_panicf(g, "not enough arguments in call to %s", fn);
        return false;
    }
    if (nargs > max && !rest) {
        vm_panicf(g, "too many arguments in call to %s", fn);
        return false;
    }
    return true;
}

/* One pass over spec and the arguments together (natives call this on every
 * call).  A wrong count is reported before a wrong type, as the compiler
 * would: a type error first checks the count. */
bool args_check(G *g, const char *fn, const Value *args, int nargs, const char *spec, ...) {
    va_list ap;
    va_start(ap, spec);
    int i = 0;
    bool ok = true, optional = false;
    for (const char *p = spec;; p++) {
        char c = *p;
        if (c == '|') {
            optional = true;
            continue;
        }
        if (c == '.')
            break; /* any number of further arguments */
        if (c == 0) {
            if (i < nargs)
                ok = count_ok(g, fn, nargs, spec); /* too many */
            break;
        }
        if (i == nargs) {
            if (!optional)
                ok = count_ok(g, fn, nargs, spec); /* not enough */
            break;
        }
        const char *want = "";
        if (!store_arg(c, args[i], &ap, &want)) {
            if (count_ok(g, fn, nargs, spec))
                args_type_error(g, fn, i + 1, want, args[i]);
            ok = false;
            break;
        }
        i++;
    }
    va_end(ap);
    return ok;
}

void *args_recv_error(G *g, const char *fn, const Value *args, int nargs, const NativeType *t) {
    vm_panicf(g, "%s: receiver must be %s, got %s", fn, t->name, nargs < 1 ? "nothing" : val_type_name(args[0]));
    return NULL;
}

bool args_method(VM *vm, Value v, const char *name, Value *fn) { return val_find_method(vm, v, name, fn); }

Value args_zero_nil(VM *vm) {
    (void)vm;
    return VAL_NIL;
}
