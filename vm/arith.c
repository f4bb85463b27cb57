/* vm/arith.c — the slow paths of arithmetic and comparison: boxed ints,
 * floats, mixed operands, strings, and Go's panics.  The dispatch loop
 * handles two inline ints (and two inline floats) itself.
 *
 * time.Duration (an ObjInt flagged INT_DURATION, always boxed, so it always
 * reaches these slow paths): an integer operation with at least one Duration
 * operand gives a Duration, as Go's typed constants do (`100 *
 * time.Millisecond`, `d / 2`, `-d`, and `d1 / d2` like Go's Duration / Duration);
 * with a float64 operand the result is a plain float64; comparisons give
 * bools.  int(d) (stdlib/builtins.c) drops the flag.  A value of a named
 * non-struct type (`type State int`, always boxed) propagates the same way. */
#include <math.h>
#include <string.h>

#include "vm/arith.h"
#include "vm/interp.h"

int vm_mismatch(G *g, const char *op, Value a, Value b) {
    const char *ta = val_type_name(a), *tb = val_type_name(b);
    if (strcmp(ta, tb) != 0)
        return vm_panicf(g, "invalid operation: mismatched types %s and %s", ta, tb);
    return vm_panicf(g, "invalid operation: operator %s not defined on %s", op, ta);
}

static const char *op_text(int op) {
    switch (op) {
    case ARITH_ADD: return "+";
    case ARITH_SUB: return "-";
    case ARITH_MUL: return "*";
    case ARITH_DIV: return "/";
    case ARITH_MOD: return "%";
    case ARITH_BAND: return "&";
    case ARITH_BOR: return "|";
    case ARITH_BXOR: return "^";
    case ARITH_SHL: return "<<";
    case ARITH_SHR: return ">>";
    case ARITH_BANDNOT: return "&^";
    }
    return "?";
}

/* Integer arithmetic with Go's wrap-around (computed in uint64). */
/* The result of an operation on a and b keeps their type: a Duration, or a
 * named type (`type State int`: s + 1 is a State), as Go's typed operands. */
static Value int_result(VM *vm, int64_t r, Value a, Value b) {
    if (val_is_duration(a) || val_is_duration(b))
        return val_duration(vm, r);
    struct ObjStructType *t = val_named_type(a);
    if (!t)
        t = val_named_type(b);
    return t ? val_named(vm, t, 0, r) : val_int(vm, r);
}

static int int_arith(G *g, int op, int64_t x, int64_t y, Value a, Value b, Value *dst) {
    uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
    int64_t r;
    switch (op) {
    case ARITH_ADD: r = (int64_t)(ux + uy); break;
    case ARITH_SUB: r = (int64_t)(ux - uy); break;
    case ARITH_MUL: r = (int64_t)(ux * uy); break;
    case ARITH_DIV:
        if (y == 0)
            return vm_runtime_errorf(g, "integer divide by zero");
        r = (y == -1) ? (int64_t)(0 - ux) : x / y;
        break;
    case ARITH_MOD:
        if (y == 0)
            return vm_runtime_errorf(g, "integer divide by zero");
        r = (y == -1) ? 0 : x % y;
        break;
    case ARITH_BAND: r = x & y; break;
    case ARITH_BOR: r = x | y; break;
    case ARITH_BXOR: r = x ^ y; break;
    case ARITH_BANDNOT: r = x & ~y; break;
    case ARITH_SHL:
        if (y < 0)
            return vm_runtime_errorf(g, "negative shift amount");
        r = y >= 64 ? 0 : (int64_t)(ux << y);
        break;
    case ARITH_SHR:
        if (y < 0)
            return vm_runtime_errorf(g, "negative shift amount");
        r = y >= 64 ? (x < 0 ? -1 : 0) : x >> y;
        break;
    default: return vm_panicf(g, "bad arithmetic op %d", op);
    }
    *dst = int_result(g->vm, r, a, b);
    return 0;
}

static int float_arith(G *g, int op, double x, double y, Value *dst, Value a, Value b) {
    double r;
    switch (op) {
    case ARITH_ADD: r = x + y; break;
    case ARITH_SUB: r = x - y; break;
    case ARITH_MUL: r = x * y; break;
    case ARITH_DIV: r = x / y; break; /* Go: float division by zero is +-Inf, not a panic */
    default: return vm_panicf(g, "invalid operation: operator %s not defined on float64", op_text(op));
    }
    struct ObjStructType *t = val_named_type(a);
    if (!t || t->basic != 'f')
        t = val_named_type(b);
    *dst = t && t->basic == 'f' ? val_named(g->vm, t, r, 0) : val_float(g->vm, r);
    return 0;
}

/* As with numbers, a named operand's type carries over (Color + "!" is a
 * Color). */
static int concat(G *g, ObjString *x, ObjString *y, Value *dst) {
    struct ObjStructType *t = str_named_type(x);
    if (!t)
        t = str_named_type(y);
    size_t n = x->len + y->len;
    ObjString *s = t ? str_alloc_named(g->vm, n, t) : str_alloc(g->vm, n);
    memcpy(s->chars, x->chars, x->len);
    memcpy(s->chars + x->len, y->chars, y->len);
    *dst = val_obj(s);
    return 0;
}

int arith_slow(G *g, int op, Value *dst, Value a, Value b) {
    if (val_is_int(a) && val_is_int(b))
        return int_arith(g, op, val_as_int(a), val_as_int(b), a, b, dst);
    if (val_is_number(a) && val_is_number(b))
        return float_arith(g, op, val_to_double(a), val_to_double(b), dst, a, b);
    if (op == ARITH_ADD && val_is(a, OBJ_STRING) && val_is(b, OBJ_STRING))
        return concat(g, AS_STRING(a), AS_STRING(b), dst);
    return vm_mismatch(g, op_text(op), a, b);
}

int arith_unm(G *g, Value *dst, Value a) {
    if (val_is_int(a)) {
        int64_t r = (int64_t)(0 - (uint64_t)val_as_int(a));
        *dst = int_result(g->vm, r, a, a);
        return 0;
    }
    if (val_is_float(a)) {
        struct ObjStructType *t = val_named_type(a);
        *dst = t ? val_named(g->vm, t, -val_as_float(a), 0) : val_float(g->vm, -val_as_float(a));
        return 0;
    }
    return vm_panicf(g, "invalid operation: operator - not defined on %s", val_type_name(a));
}

int arith_bnot(G *g, Value *dst, Value a) {
    if (val_is_int(a)) {
        *dst = int_result(g->vm, ~val_as_int(a), a, a);
        return 0;
    }
    return vm_panicf(g, "invalid operation: operator ^ not defined on %s", val_type_name(a));
}

static int str_compare(const ObjString *x, const ObjString *y) {
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->chars, y->chars, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

/* int vs float compared exactly enough for Go's users: through double. */
int compare_slow(G *g, bool le, Value a, Value b, bool *out) {
    if (val_is_int(a) && val_is_int(b)) {
        int64_t x = val_as_int(a), y = val_as_int(b);
        *out = le ? x <= y : x < y;
        return 0;
    }
    if (val_is_number(a) && val_is_number(b)) {
        double x = val_to_double(a), y = val_to_double(b);
        *out = le ? x <= y : x < y;
        return 0;
    }
    if (val_is(a, OBJ_STRING) && val_is(b, OBJ_STRING)) {
        int c = str_compare(AS_STRING(a), AS_STRING(b));
        *out = le ? c <= 0 : c < 0;
        return 0;
    }
    return vm_mismatch(g, le ? "<=" : "<", a, b);
}
