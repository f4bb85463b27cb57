/* vm/arith.h — arithmetic and comparison slow paths (vm/arith.c). */
#ifndef CSP_VM_ARITH_H
#define CSP_VM_ARITH_H

#include "vm/vm.h"

enum { ARITH_ADD, ARITH_SUB, ARITH_MUL, ARITH_DIV, ARITH_MOD, ARITH_BAND, ARITH_BOR,
       ARITH_BXOR, ARITH_SHL, ARITH_SHR, ARITH_BANDNOT };

/* *dst := a op b, or panic (-1).  dst must not point into a goroutine stack
 * that the operation could move (none of these calls script code). */
int arith_slow(G *g, int op, Value *dst, Value a, Value b);
int arith_unm(G *g, Value *dst, Value a);
int arith_bnot(G *g, Value *dst, Value a);
/* *out := a < b (or a <= b when le) for numbers and strings, else panic. */
int compare_slow(G *g, bool le, Value a, Value b, bool *out);

#endif
