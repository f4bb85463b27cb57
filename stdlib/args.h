/* stdlib/args.h — argument checking and method lookup shared by the natives.
 *
 * Every native checks its arguments with args_check before touching them, so
 * a wrong count or type panics with one message shape everywhere:
 *   not enough arguments in call to strings.Repeat
 *   strings.Repeat: argument 2 must be int, got string
 * The helpers panic (vm_panicf) and return false; the native then returns -1.
 */
#ifndef CSP_STDLIB_ARGS_H
#define CSP_STDLIB_ARGS_H

#include <inttypes.h>

#include "vm/vm.h"

/* Check args[0..nargs) against spec, one letter per argument, and store each
 * into the next pointer of the variadic list:
 *   i int (int64_t *; an integral float64 converts, as an index does)
 *   f float64 (double *; an int converts)      n number (Value *)
 *   s string (ObjString **)    b bool (bool *)   l list (ObjList **)
 *   m map (ObjMap **)          F func (Value *)  v any value (Value *)
 *   |  the arguments after it are optional (their outputs stay untouched)
 *   .  any number of further arguments, not stored (must come last)
 * fn names the function in messages ("strings.Repeat"). */
bool args_check(G *g, const char *fn, const Value *args, int nargs, const char *spec, ...);

/* The payload of a native method's receiver args[0], which must be a native
 * object of type t (NULL after panicking).  Inline: every method call checks
 * its receiver, and only the panic is out of line. */
void *args_recv_error(G *g, const char *fn, const Value *args, int nargs, const NativeType *t);
static inline void *args_recv(G *g, const char *fn, const Value *args, int nargs, const NativeType *t) {
    if (nargs >= 1 && val_is(args[0], OBJ_NATIVEOBJ) && AS_NATIVEOBJ(args[0])->ntype == t)
        return AS_NATIVEOBJ(args[0])->payload;
    return args_recv_error(g, fn, args, nargs, t);
}

/* A fast path's receiver (ObjNative.fast): the payload of args[0] (a native
 * object of the method's type: the VM checked) when the call has exactly
 * nargs_want arguments, receiver included; NULL sends the call to the full
 * method. */
static inline void *args_recv_fast(const Value *args, int nargs, int nargs_want) {
    return nargs == nargs_want ? AS_NATIVEOBJ(args[0])->payload : NULL;
}

/* In a native method: declare `T *var`, the payload of the receiver (a
 * native object of type ntype), check the other arguments against spec into
 * the pointers that follow, and return -1 from the native if either fails.
 * A method of no arguments called with none skips args_check (Lock, Unlock). */
#define ARGS_RECV(var, T, ntype, fn, spec, ...)                                                              \
    T *var = args_recv(g, fn, args, nargs, &(ntype));                                                        \
    if (!var || (((spec)[0] || nargs != 1) && !args_check(g, fn, args + 1, nargs - 1, spec, ##__VA_ARGS__))) \
        return -1;

/* Panic `FN: argument N must be WANT, got TYPE`; returns -1 like vm_panicf. */
int args_type_error(G *g, const char *fn, int argno, const char *want, Value got);

/* The method `name` of v (a struct's method or a native object's), callable
 * with the receiver first; false if v has none. */
bool args_method(VM *vm, Value v, const char *name, Value *fn);

/* NativeType.zero of a type that is a pointer in Go (*os.File,
 * *net.TCPConn, *bufio.Scanner): `var f os.File` is nil, as Go's nil
 * pointer, never an object without its C side. */
Value args_zero_nil(VM *vm);

/* Whether v can be called: a closure, a native or a bound method. */
bool args_is_func(Value v);

#endif
