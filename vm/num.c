/* vm/num.c — making number values.
 *
 * Invariant (vm/value.h): boxes are canonical.  An ObjInt never holds a value
 * that fits inline and an ObjFloat never holds a double that float_try_inline
 * accepts, so equality of two numbers of the same kind never needs to compare
 * an inline value with a boxed one.  Every NaN is boxed with the one canonical
 * quiet-NaN bit pattern (sign and payload are not observable in Go's fmt or
 * math, and a single pattern keeps hashing trivial).  The exception: a
 * time.Duration is an ObjInt flagged INT_DURATION whatever its size, which is
 * why int equality and hashing compare payloads, never box identity.
 */
#include "vm/vm.h"

#include <math.h>

#define CSP_CANONICAL_NAN 0x7FF8000000000000ull

Value val_int(VM *vm, int64_t i) {
    if (int_fits_inline(i))
        return val_smallint(i);
    ObjInt *o = gc_alloc(vm, sizeof(ObjInt), OBJ_INT);
    o->i = i;
    return val_obj(o);
}

Value val_named(VM *vm, struct ObjStructType *t, double f, int64_t i) {
    if (t->basic == 's')
        return val_obj(str_new_named(vm, "", 0, t)); /* the zero value */
    if (t->basic == 'f') {
        ObjFloat *o = gc_alloc(vm, sizeof(ObjFloat), OBJ_FLOAT);
        o->d = f;
        o->ntype = t;
        return val_obj(o);
    }
    ObjInt *o = gc_alloc(vm, sizeof(ObjInt), OBJ_INT);
    o->i = i;
    o->ntype = t;
    return val_obj(o);
}

struct ObjStructType *val_named_type(Value v) {
    if (!val_is_obj(v))
        return NULL;
    Obj *o = val_as_obj(v);
    switch ((ObjType)o->type) {
    case OBJ_INT: return ((ObjInt *)o)->ntype;
    case OBJ_FLOAT: return ((ObjFloat *)o)->ntype;
    case OBJ_STRING: return str_named_type((ObjString *)o);
    default: return NULL;
    }
}

Value val_duration(VM *vm, int64_t ns) {
    ObjInt *o = gc_alloc(vm, sizeof(ObjInt), OBJ_INT);
    o->obj.flags = INT_DURATION;
    o->i = ns;
    return val_obj(o);
}

Value val_float(VM *vm, double d) {
    Value v;
    if (float_try_inline(d, &v))
        return v;
    ObjFloat *o = gc_alloc(vm, sizeof(ObjFloat), OBJ_FLOAT);
    o->d = isnan(d) ? bits_f64(CSP_CANONICAL_NAN) : d;
    return val_obj(o);
}
