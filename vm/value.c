/* vm/value.c — equality, type names, errors and type tests: what every layer
 * asks of a value.
 *
 * Rules (LANGUAGE.md "Values" and "Fine points"):
 *  - `==` compares nil, bools, numbers and strings by value, everything else
 *    by identity.  An int and a float are equal when the float is exactly
 *    that integer (no rounding of the int through double: 2^53+1 != 2^53),
 *    which makes == agree with map keys (vm/map.c).  NaN != NaN.
 *  - An error is an ObjError, or a struct or native object whose type has an
 *    Error method; its text is the message or what Error() returns.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"

static bool float_is_int(double d, int64_t i) {
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d &&
           (int64_t)d == i;
}

bool val_equal(Value a, Value b) {
    if (a == b) /* same word: equal, except the one boxed NaN object */
        return !(val_is(a, OBJ_FLOAT) && isnan(((ObjFloat *)val_as_obj(a))->d));
    if (val_is_number(a) && val_is_number(b)) {
        bool ai = val_is_int(a), bi = val_is_int(b);
        if (ai && bi) /* boxed ints and Durations compare by payload */
            return val_as_int(a) == val_as_int(b);
        if (!ai && !bi)
            return val_as_float(a) == val_as_float(b);
        return ai ? float_is_int(val_as_float(b), val_as_int(a))
                  : float_is_int(val_as_float(a), val_as_int(b));
    }
    if (val_is(a, OBJ_STRING) && val_is(b, OBJ_STRING))
        return str_equal(AS_STRING(a), AS_STRING(b));
    return false;
}

const char *val_type_name(Value v) {
    if (val_is_nil(v))
        return "nil";
    if (val_is_bool(v))
        return "bool";
    if (val_is_smallint(v))
        return "int";
    if (val_is_smallfloat(v))
        return "float64";
    if (!val_is_obj(v))
        return "invalid";
    Obj *o = val_as_obj(v);
    switch ((ObjType)o->type) {
    case OBJ_STRING: return o->flags & STR_NAMED ? str_named_type((ObjString *)o)->name->chars : "string";
    case OBJ_INT:
        return ((ObjInt *)o)->ntype ? ((ObjInt *)o)->ntype->name->chars
               : (o->flags & INT_DURATION) ? "time.Duration"
                                           : "int";
    case OBJ_FLOAT: return ((ObjFloat *)o)->ntype ? ((ObjFloat *)o)->ntype->name->chars : "float64";
    case OBJ_LIST: return "list";
    case OBJ_MAP: return "map";
    case OBJ_CLOSURE:
    case OBJ_NATIVE:
    case OBJ_BOUND: return "func";
    case OBJ_STRUCT: return ((ObjStruct *)o)->type->name->chars;
    case OBJ_ERROR: return "error";
    case OBJ_MODULE: return "module";
    case OBJ_NATIVEOBJ: return ((ObjNativeObj *)o)->ntype->name;
    /* not script values: only a VM bug could show these */
    case OBJ_ARRAY:
    case OBJ_MAPSTORE:
    case OBJ_PROTO:
    case OBJ_CELL:
    case OBJ_STRUCTTYPE:
    case OBJ_TYPE_COUNT: break;
    }
    return "invalid";
}

/* ---- errors ---- */

Value err_new(VM *vm, ObjString *msg, Value wrapped) {
    ObjError *e = gc_alloc(vm, sizeof(ObjError), OBJ_ERROR);
    e->msg = msg;
    e->wrapped = wrapped;
    return val_obj(e);
}

Value err_newf(VM *vm, const char *fmt, ...) {
    StrBuf b;
    sb_init(&b);
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
    Value e = err_new(vm, str_new(vm, b.p ? b.p : "", b.len), VAL_NIL);
    sb_free(&b);
    return e;
}

static bool struct_method(Value v, const char *name, Value *fn) {
    ObjStructType *t = val_is(v, OBJ_STRUCT) ? AS_STRUCT(v)->type : val_named_type(v);
    if (!t)
        return false;
    for (int i = 0; i < t->nmethods; i++)
        if (!strcmp(t->methods[i].name->chars, name)) {
            *fn = t->methods[i].fn;
            return true;
        }
    return false;
}

static bool native_has_method(const NativeType *t, const char *name) {
    for (const NativeMethod *m = t->methods; m && m->name; m++)
        if (!strcmp(m->name, name))
            return true;
    return false;
}

static bool native_method(VM *vm, const NativeType *t, const char *name, Value *fn) {
    /* Check first, so the common "has no String method" case does not intern
     * (which takes a lock); "Error" is pre-interned. */
    if (!t || !native_has_method(t, name))
        return false;
    ObjString *s = !strcmp(name, "Error") && vm->name_Error ? vm->name_Error : str_intern_c(vm, name);
    return vm_native_method(vm, t, s, fn);
}

bool val_find_method(VM *vm, Value v, const char *name, Value *fn) {
    if (val_is(v, OBJ_STRUCT) || val_named_type(v))
        return struct_method(v, name, fn);
    if (val_is(v, OBJ_NATIVEOBJ))
        return native_method(vm, AS_NATIVEOBJ(v)->ntype, name, fn);
    if (val_is_duration(v)) /* String, Seconds ...: the methods of time.Duration */
        return native_method(vm, vm_find_type(vm, "time.Duration"), name, fn);
    return false;
}

bool val_is_error(Value v) {
    if (!val_is_obj(v))
        return false;
    Obj *o = val_as_obj(v);
    Value fn;
    switch ((ObjType)o->type) {
    case OBJ_ERROR: return true;
    case OBJ_INT:
    case OBJ_FLOAT:
    case OBJ_STRUCT: return struct_method(v, "Error", &fn);
    case OBJ_NATIVEOBJ: return native_has_method(((ObjNativeObj *)o)->ntype, "Error");
    default: return false;
    }
}

bool val_error_text(G *g, Value v, Value *text) {
    if (val_is(v, OBJ_ERROR)) {
        *text = val_obj(AS_ERROR(v)->msg);
        return true;
    }
    Value fn;
    if (!val_is_error(v) || !val_find_method(g->vm, v, "Error", &fn))
        return false;
    /* Keep the receiver reachable while script code (and maybe the GC) runs. */
    vm_root_push(g, v);
    int r = vm_call(g, fn, 1, &v, 1, text);
    vm_root_pop(g, 1);
    return r == 0;
}

/* ---- type tests: x.(T) and type switches ---- */

/* A struct answers to its bare name ("Point") and, from another module, to
 * the qualified one ("geom.Point"). */
static bool struct_is(ObjStructType *t, const char *name) {
    if (!strcmp(t->name->chars, name))
        return true;
    const char *dot = strrchr(name, '.');
    if (!dot || !t->module || !t->module->name)
        return false;
    size_t mlen = (size_t)(dot - name);
    return t->module->name->len == mlen && !memcmp(t->module->name->chars, name, mlen) &&
           !strcmp(t->name->chars, dot + 1);
}

bool val_has_type(Value v, const char *name) {
    if (!strcmp(name, "any") || !strcmp(name, "interface{}") || !strcmp(name, "interface {}"))
        return !val_is_nil(v); /* Go: `case interface{}` does not match nil */
    if (!strcmp(name, "error"))
        return val_is_error(v);
    if (val_is(v, OBJ_STRUCT))
        return struct_is(AS_STRUCT(v)->type, name);
    const char *t = val_type_name(v);
    if (!strcmp(t, name))
        return true;
    /* native types answer to Go's spelling with or without the star */
    return (t[0] == '*' && !strcmp(t + 1, name)) || (name[0] == '*' && !strcmp(name + 1, t));
}
