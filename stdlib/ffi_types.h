/* stdlib/ffi_types.h — the C types of package ffi and the conversions
 * between csp values and C values (stdlib/ffi.c makes the calls).
 *
 * A conversion into C (ffi_arg_from) runs before the goroutine enters the
 * syscall state, a conversion out of C (ffi_result_to) after it has left it:
 * neither ever runs while the M holds no P, because both may allocate or
 * panic. */
#ifndef CSP_STDLIB_FFI_TYPES_H
#define CSP_STDLIB_FFI_TYPES_H

#include <ffi.h>

#include "stdlib/lib.h"

typedef enum FfiKind { FK_VOID, FK_BOOL, FK_SINT, FK_UINT, FK_FLOAT, FK_DOUBLE, FK_POINTER, FK_STRING } FfiKind;

typedef struct FfiType {
    const char *name; /* as scripts spell it: "double", "size_t" */
    FfiKind kind;
    ffi_type *type;
} FfiType;

/* The type called `name`, or NULL. */
const FfiType *ffi_type_named(const char *name);

/* One argument's storage, and the return value's (libffi widens integral
 * results narrower than a register to ffi_arg). */
typedef union FfiSlot {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    float f;
    double d;
    void *p;
    const char *s;
    ffi_arg uarg;
    ffi_sarg sarg;
} FfiSlot;

/* Where string arguments are copied for one call: a small buffer on the C
 * stack, malloc beyond it.  ffi_copies_free releases what was malloc'd. */
#define FFI_MAX_ARGS 32
typedef struct FfiCopies {
    char buf[512];
    size_t used;
    char *heap[FFI_MAX_ARGS];
    int nheap;
} FfiCopies;
void ffi_copies_free(FfiCopies *c);

/* Convert v for a parameter of type t into *slot; false if v does not fit
 * (the caller panics, naming the function, the argument and t->name).  An
 * integer is stored as a C cast would (its low bits); a float or double
 * takes an int too; pointer and string take nil for NULL. */
bool ffi_arg_from(const FfiType *t, Value v, FfiSlot *slot, FfiCopies *copies);

/* The csp value of a result of type t (void: none, returns false).  A NULL
 * char* is nil; a NULL pointer is `null_ptr` (ffi.Nil). */
bool ffi_result_to(VM *vm, const FfiType *t, const FfiSlot *ret, Value null_ptr, Value *out);

/* ffi.Pointer: an opaque C address. */
extern const NativeType ffi_pointer_type;
Value ffi_pointer_new(VM *vm, void *p);
static inline bool ffi_is_pointer(Value v) {
    return val_is(v, OBJ_NATIVEOBJ) && AS_NATIVEOBJ(v)->ntype == &ffi_pointer_type;
}
static inline void *ffi_pointer_of(Value v) { return *(void **)AS_NATIVEOBJ(v)->payload; }

#endif
