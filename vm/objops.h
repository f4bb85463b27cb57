/* vm/objops.h — what the dispatch loop does to objects (vm/objops.c):
 * fields and methods, indexing, slicing, len, range iteration, type tests.
 * Each returns 0, or -1 after raising a panic. */
#ifndef CSP_VM_OBJOPS_H
#define CSP_VM_OBJOPS_H

#include "vm/vm.h"

/* The receiver slot of SELF when the name was a field or module member. */
#define VAL_NORECV ((Value)0x4)

int op_getfield(G *g, Value obj, ObjString *name, Value *dst);
int op_setfield(G *g, Value obj, ObjString *name, Value v);
/* SELF: *fn := method (and *recv := obj), or field/member with *recv := VAL_NORECV */
int op_self(G *g, Value obj, ObjString *name, Value *fn, Value *recv);
int op_getindex(G *g, Value obj, Value key, Value *dst, Value *ok);
int op_setindex(G *g, Value obj, Value key, Value v);
int op_slice(G *g, Value obj, Value lo, Value hi, int which, Value *dst);
int op_len(G *g, Value obj, Value *dst);
/* range: state[0] = collection, state[1] = position, state[2] = limit */
int op_iterprep(G *g, Value obj, Value *state);
/* 1: produced key/value into state[3], state[4]; 0: done; -1 panic */
int op_iternext(G *g, Value *state);
bool op_type_matches(Value v, Value type);
int op_typeassert_fail(G *g, Value v, Value type);
Value op_zero_for(VM *vm, Value like); /* zero value of like's type, for GETINDEXZ */
/* zero value of a type constant for a failed `v, ok := x.(T)`: 0, 0.0, "", false, else nil */
Value op_zero_of_type(VM *vm, Value type);

#endif
