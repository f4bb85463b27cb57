/* stdlib/ffi_direct.c — the direct calls of stdlib/ffi_direct.h. */
#include "stdlib/ffi_direct.h"

#if (defined(__x86_64__) && !defined(_WIN32)) || defined(__aarch64__)
#define FFI_DIRECT_ABI 1
#endif

#define DIRECT_MAX_INT_ARGS 6    /* the integer argument registers of System V x86-64 */
#define DIRECT_MAX_DOUBLE_ARGS 4

static bool int_class(const FfiType *t) {
    return t->kind == FK_SINT || t->kind == FK_UINT || t->kind == FK_BOOL || t->kind == FK_POINTER ||
           t->kind == FK_STRING;
}

FfiDirect ffi_direct_kind(const FfiType *result, const FfiType *const *params, int nparams) {
#ifdef FFI_DIRECT_ABI
    bool all_int = nparams <= DIRECT_MAX_INT_ARGS, all_double = nparams <= DIRECT_MAX_DOUBLE_ARGS;
    for (int i = 0; i < nparams; i++) {
        all_int &= int_class(params[i]);
        all_double &= params[i]->kind == FK_DOUBLE;
    }
    if (all_int && (int_class(result) || result->kind == FK_VOID))
        return FD_INT;
    if (all_double && result->kind == FK_DOUBLE)
        return FD_DOUBLE;
#else
    (void)result, (void)params, (void)nparams;
#endif
    return FD_NONE;
}

/* The 64-bit register value of an integer-class argument: a narrow one
 * extended by its signedness, as a C caller passes it. */
static uint64_t widen_arg(const FfiType *t, const FfiSlot *s) {
    if (t->kind == FK_POINTER || t->kind == FK_STRING)
        return (uint64_t)(uintptr_t)s->p;
    bool sgn = t->kind == FK_SINT;
    switch (t->type->size) {
    case 1: return sgn ? (uint64_t)(int64_t)(int8_t)s->u8 : s->u8;
    case 2: return sgn ? (uint64_t)(int64_t)(int16_t)s->u16 : s->u16;
    case 4: return sgn ? (uint64_t)(int64_t)(int32_t)s->u32 : s->u32;
    default: return s->u64;
    }
}

/* A raw integer register result as libffi stores it: narrow results cut to
 * their size and widened to a whole ffi_arg with their sign. */
static void store_result(const FfiType *t, uint64_t raw, FfiSlot *ret) {
    if (t->kind == FK_POINTER || t->kind == FK_STRING || t->type->size >= 8) {
        ret->u64 = raw;
        return;
    }
    bool sgn = t->kind == FK_SINT;
    switch (t->type->size) {
    case 1: ret->sarg = sgn ? (ffi_sarg)(int8_t)raw : (ffi_sarg)(uint8_t)raw; break;
    case 2: ret->sarg = sgn ? (ffi_sarg)(int16_t)raw : (ffi_sarg)(uint16_t)raw; break;
    default: ret->sarg = sgn ? (ffi_sarg)(int32_t)raw : (ffi_sarg)(uint32_t)raw; break;
    }
}

typedef uint64_t U;
typedef double D;

static uint64_t call_int(void *sym, int n, const U *a) {
    switch (n) {
    case 0: return ((U(*)(void))sym)();
    case 1: return ((U(*)(U))sym)(a[0]);
    case 2: return ((U(*)(U, U))sym)(a[0], a[1]);
    case 3: return ((U(*)(U, U, U))sym)(a[0], a[1], a[2]);
    case 4: return ((U(*)(U, U, U, U))sym)(a[0], a[1], a[2], a[3]);
    case 5: return ((U(*)(U, U, U, U, U))sym)(a[0], a[1], a[2], a[3], a[4]);
    default: return ((U(*)(U, U, U, U, U, U))sym)(a[0], a[1], a[2], a[3], a[4], a[5]);
    }
}

static double call_double(void *sym, int n, const FfiSlot *a) {
    switch (n) {
    case 0: return ((D(*)(void))sym)();
    case 1: return ((D(*)(D))sym)(a[0].d);
    case 2: return ((D(*)(D, D))sym)(a[0].d, a[1].d);
    case 3: return ((D(*)(D, D, D))sym)(a[0].d, a[1].d, a[2].d);
    default: return ((D(*)(D, D, D, D))sym)(a[0].d, a[1].d, a[2].d, a[3].d);
    }
}

void ffi_direct_call(FfiDirect kind, void *sym, const FfiType *result, const FfiType *const *params,
                     int nparams, const FfiSlot *args, FfiSlot *ret) {
    if (kind == FD_DOUBLE) {
        ret->d = call_double(sym, nparams, args);
        return;
    }
    U regs[DIRECT_MAX_INT_ARGS];
    for (int i = 0; i < nparams; i++)
        regs[i] = widen_arg(params[i], &args[i]);
    uint64_t raw = call_int(sym, nparams, regs);
    if (result->kind != FK_VOID)
        store_result(result, raw, ret);
}
