/* vm/ref.h — references to variables: the `&v` argument of sync/atomic's
 * function forms (atomic.AddInt64(&counter, 1)), the one place csp lets a
 * script take the address of a variable.
 *
 * A reference is a native object of type "pointer" holding the GC object
 * that owns the variable's slot and the slot's index: a captured variable's
 * cell (index 0; the compiler puts every local whose address is taken in a
 * cell), a module and a global's slot, or a struct and a field.  The slot is
 * found again from the owner at each use (a module's globals may be
 * reallocated by the REPL), and the reference keeps the owner alive.
 * Reads and writes through a reference are C11 atomics on the slot's word;
 * the plain opcodes reach the same word with single aligned accesses, so
 * mixing them is a script-level race but never tears a value.
 */
#ifndef CSP_VM_REF_H
#define CSP_VM_REF_H

#include "vm/vm.h"

typedef struct RefLoc {
    Obj *owner;          /* the cell, module or struct (the race detector's key) */
    uint32_t idx;        /* 0, the global's slot or the field's index */
    _Atomic Value *slot; /* the variable's word */
} RefLoc;

/* REFCELL: a reference to the variable in a cell. */
Value ref_cell(VM *vm, ObjCell *cell);
/* REFGLOBAL: a reference to global `slot` of module m. */
Value ref_global(VM *vm, ObjModule *m, uint32_t slot);
/* REFFIELD: a reference to field `name` of the struct obj (or to the
 * exported global `name` of the user module obj); -1 after a panic. */
int ref_field(G *g, Value obj, ObjString *name, Value *dst);
/* The location v refers to; false if v is not a reference. */
bool ref_get(Value v, RefLoc *out);

#endif
