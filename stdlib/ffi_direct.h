/* stdlib/ffi_direct.h — calling the commonest C signatures without libffi.
 *
 * libffi classifies every argument on every call (about 300 instructions on
 * x86-64, most of a short call's cost).  For signatures whose arguments all
 * travel in integer registers (integers, pointers, strings, bool), or all in
 * SSE registers as doubles, and that are short enough, the call goes through
 * a function pointer of the matching register signature instead: on the
 * System V x86-64 and AArch64 ABIs such a call is the very same machine
 * call.  Narrow integer arguments are extended to 64 bits as a C caller would
 * (clang-compiled callees rely on it), and narrow results are cut to their
 * size and extended, since the callee leaves the upper bits undefined.
 * Everything else (floats, mixed int/double, more arguments, other ABIs)
 * goes through ffi_call. */
#ifndef CSP_STDLIB_FFI_DIRECT_H
#define CSP_STDLIB_FFI_DIRECT_H

#include "stdlib/ffi_types.h"

typedef enum FfiDirect { FD_NONE, FD_INT, FD_DOUBLE } FfiDirect;

/* Which direct path a signature may take. */
FfiDirect ffi_direct_kind(const FfiType *result, const FfiType *const *params, int nparams);

/* Call sym directly (kind != FD_NONE) with the converted arguments; the
 * result is stored in *ret as libffi would store it. */
void ffi_direct_call(FfiDirect kind, void *sym, const FfiType *result, const FfiType *const *params,
                     int nparams, const FfiSlot *args, FfiSlot *ret);

#endif
