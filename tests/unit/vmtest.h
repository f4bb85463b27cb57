/* tests/unit/vmtest.h — shared helpers of the value/string/map/format unit
 * tests: CHECK (tests/unit/check.h), and builders for struct types
 * and instances (what vm/load.c does for compiled programs). */
#ifndef CSP_TESTS_VMTEST_H
#define CSP_TESTS_VMTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "vm/vm.h"

/* type NAME struct { fields... } with methods (name, native fn) pairs. */
static inline ObjStructType *test_struct_type(VM *vm, const char *name, int nfields,
                                              const char *const *fields, int nmethods,
                                              const char *const *mnames, const NativeFn *mfns) {
    ObjStructType *t = gc_alloc(vm, sizeof(ObjStructType), OBJ_STRUCTTYPE);
    t->name = str_intern_c(vm, name);
    t->nfields = nfields;
    t->fields = calloc((size_t)(nfields ? nfields : 1), sizeof(FieldSpec));
    for (int i = 0; i < nfields; i++)
        t->fields[i].name = str_intern_c(vm, fields[i]);
    t->nmethods = t->methods_cap = nmethods;
    t->methods = calloc((size_t)(nmethods ? nmethods : 1), sizeof(MethodEntry));
    for (int i = 0; i < nmethods; i++) {
        t->methods[i].name = str_intern_c(vm, mnames[i]);
        t->methods[i].fn = vm_new_native(vm, mnames[i], mfns[i], "");
    }
    return t;
}

static inline Value test_struct(VM *vm, ObjStructType *t, const Value *fields) {
    ObjStruct *s = gc_alloc(vm, sizeof(ObjStruct) + (size_t)t->nfields * sizeof(Value), OBJ_STRUCT);
    s->obj.aux = (uint32_t)t->nfields;
    s->type = t;
    for (int i = 0; i < t->nfields; i++)
        s->fields[i] = fields ? fields[i] : VAL_NIL;
    return val_obj(s);
}

static inline Value test_list(VM *vm, int n, const Value *items) {
    ObjList *l = list_new(vm, n);
    for (int i = 0; i < n; i++)
        list_append(vm, l, items[i]);
    return val_obj(l);
}

static inline int test_finish(const char *name) {
    if (failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("ok %s: all checks passed\n", name);
    return 0;
}

#endif
