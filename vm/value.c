/* vm/value.c — equality, type names and errors: what every layer asks of a
 * value. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"

bool val_equal(Value a, Value b) {
    if (a == b)
        return !(val_is(a, OBJ_FLOAT) && isnan(val_as_float(a)));
    if (val_is_number(a) && val_is_number(b)) {
        if (val_is_int(a) && val_is_int(b))
            return val_as_int(a) == val_as_int(b);
        if (val_is_int(a) || val_is_int(b)) {
            /* int vs float: exact, without rounding the int through double */
            int64_t i = val_is_int(a) ? val_as_int(a) : val_as_int(b);
            double d = val_is_int(a) ? val_as_float(b) : val_as_float(a);
            return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == (double)(int64_t)d &&
                   (int64_t)d == i;
        }
        return val_as_float(a) == val_as_float(b);
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
    case OBJ_STRING: return "string";
    case OBJ_INT: return (o->flags & INT_DURATION) ? "time.Duration" : "int";
    case OBJ_FLOAT: return "float64";
    case OBJ_LIST: return "list";
    case OBJ_MAP: return "map";
    case OBJ_CLOSURE:
    case OBJ_NATIVE:
    case OBJ_BOUND: return "func";
    case OBJ_STRUCT: return ((ObjStruct *)o)->type->name->chars;
    case OBJ_ERROR: return "error";
    case OBJ_MODULE: return "module";
    case OBJ_NATIVEOBJ: return ((ObjNativeObj *)o)->ntype->name;
    default: return "invalid";
    }
}

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
    if (!val_is(v, OBJ_STRUCT))
        return false;
    ObjStructType *t = AS_STRUCT(v)->type;
    for (int i = 0; i < t->nmethods; i++)
        if (!strcmp(t->methods[i].name->chars, name)) {
            *fn = t->methods[i].fn;
            return true;
        }
    return false;
}

bool val_find_method(VM *vm, Value v, const char *name, Value *fn) {
    if (val_is(v, OBJ_NATIVEOBJ))
        return vm_native_method(vm, AS_NATIVEOBJ(v)->ntype, str_intern_c(vm, name), fn);
    if (val_is_duration(v)) { /* String, Seconds ...: the methods of the type time.Duration */
        const NativeType *t = vm_find_type(vm, "time.Duration");
        return t && vm_native_method(vm, t, str_intern_c(vm, name), fn);
    }
    return struct_method(v, name, fn);
}

bool val_is_error(Value v) {
    Value fn;
    return val_is(v, OBJ_ERROR) || struct_method(v, "Error", &fn);
}

bool val_error_text(G *g, Value v, Value *text) {
    if (val_is(v, OBJ_ERROR)) {
        *text = val_obj(AS_ERROR(v)->msg);
        return true;
    }
    Value fn;
    if (!struct_method(v, "Error", &fn))
        return false;
    return vm_call(g, fn, 1, &v, 1, text) == 0;
}

bool val_has_type(VM *vm, Value v, const char *name) {
    (void)vm;
    if (!strcmp(name, "error"))
        return val_is_error(v);
    if (!strcmp(name, "any") || !strcmp(name, "interface{}"))
        return !val_is_nil(v);
    const char *t = val_type_name(v);
    if (!strcmp(t, name))
        return true;
    /* native types answer to Go's spelling with or without the star */
    return t[0] == '*' && !strcmp(t + 1, name);
}
