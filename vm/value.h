/* vm/value.h — the one-word value.
 *
 * Invariant: every csp value is ONE 64-bit word, so a load or store of a value
 * is a single aligned word access: racing goroutines may see stale values but
 * never a torn one.
 *
 * Encoding (pointer tagging on the low 3 bits):
 *   ...xx1  int: 63-bit two's complement in the high bits (v >> 1).  Ints that
 *           do not fit in 63 bits live in a boxed ObjInt; a boxed int NEVER
 *           holds a value that fits inline (canonical), so two ints are equal
 *           iff both inline and bitwise equal, or both boxed with equal payload.
 *           Exception: a time.Duration is always boxed (INT_DURATION in
 *           vm/object.h), so a boxed int may equal an inline one; fast paths
 *           that handle two inline ints and defer the rest to val_equal /
 *           the arith slow paths stay correct.
 *   ...010  float64 immediate (Spur's SmallFloat64): the double rotated left by
 *           one (sign to bit 0) with its exponent rebiased into an 8-bit
 *           window, shifted left 3.  Covers |x| in about [1e-38, 1e38] and +-0.
 *           Other doubles (tiny, huge, inf, NaN) live in a boxed ObjFloat —
 *           again canonical: a boxed float is never encodable inline.
 *   ...110  bool: false = 0x6, true = 0xE.
 *   000000  nil (the zero word, so zeroed memory is a vector of nils).
 *   ...000  (non-zero) pointer to a GC object (Obj), 8-byte aligned.
 */
#ifndef CSP_VM_VALUE_H
#define CSP_VM_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t Value;

#define VAL_NIL ((Value)0)
#define VAL_FALSE ((Value)0x6)
#define VAL_TRUE ((Value)0xE)

#define CSP_INT_MIN_INLINE (-((int64_t)1 << 62))
#define CSP_INT_MAX_INLINE (((int64_t)1 << 62) - 1)

struct Obj;

static inline bool val_is_nil(Value v) { return v == VAL_NIL; }
static inline bool val_is_bool(Value v) { return (v & 7) == 6; }
static inline bool val_is_smallint(Value v) { return (v & 1) != 0; }
static inline bool val_is_smallfloat(Value v) { return (v & 7) == 2; }
static inline bool val_is_obj(Value v) { return (v & 7) == 0 && v != 0; }

static inline Value val_bool(bool b) { return b ? VAL_TRUE : VAL_FALSE; }
static inline bool val_as_bool(Value v) { return v == VAL_TRUE; }

static inline int64_t val_as_smallint(Value v) { return (int64_t)v >> 1; }
static inline Value val_smallint(int64_t i) { return ((uint64_t)i << 1) | 1; }
static inline bool int_fits_inline(int64_t i) {
    return i >= CSP_INT_MIN_INLINE && i <= CSP_INT_MAX_INLINE;
}

static inline struct Obj *val_as_obj(Value v) { return (struct Obj *)(uintptr_t)v; }
static inline Value val_obj(const void *o) { return (Value)(uintptr_t)o; }

static inline uint64_t f64_bits(double d) {
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}
static inline double bits_f64(uint64_t b) {
    double d;
    memcpy(&d, &b, 8);
    return d;
}

#define CSP_FLOAT_EXP_OFFSET ((uint64_t)896 << 53)

/* Encode a double inline if its exponent is in the window; return false if it
 * needs a box.  Zero (+0/-0) is encoded as rotated bits 0/1; the two doubles
 * whose encodings would collide with those (exponent 896, mantissa 0) are
 * boxed instead. */
static inline bool float_try_inline(double d, Value *out) {
    uint64_t b = f64_bits(d);
    uint64_t r = (b << 1) | (b >> 63);
    if (r <= 1) {
        *out = (r << 3) | 2;
        return true;
    }
    uint64_t e = r - CSP_FLOAT_EXP_OFFSET;
    if (e > 1 && e < ((uint64_t)1 << 61)) {
        *out = (e << 3) | 2;
        return true;
    }
    return false;
}

static inline double val_as_smallfloat(Value v) {
    uint64_t e = v >> 3;
    uint64_t r = e <= 1 ? e : e + CSP_FLOAT_EXP_OFFSET;
    return bits_f64((r >> 1) | (r << 63));
}

/* ---- memory that goroutines share ----
 * A value that another goroutine may access at the same moment (a global, a
 * captured variable's cell, a struct field, a list item, a map entry), and
 * the store pointer and length of a list or map, are read with SHARED_LOAD
 * and written with SHARED_STORE: one aligned word each, acquire and release
 * (plain moves on x86-64).  A racing script then sees an old or a new value,
 * never a torn one, and never an object whose initialisation it cannot see
 * yet; and it stays defined C, so ThreadSanitizer reports the runtime's own
 * races, not the script's (those are for `csp -race`). */
#define SHARED_LOAD(lv) __atomic_load_n(&(lv), __ATOMIC_ACQUIRE)
#define SHARED_STORE(lv, v) __atomic_store_n(&(lv), (v), __ATOMIC_RELEASE)

#endif
