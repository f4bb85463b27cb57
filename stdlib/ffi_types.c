/* stdlib/ffi_types.c — the C types of package ffi, ffi.Pointer, and the
 * conversions of arguments into C and of results out of it. */
#include "stdlib/ffi_types.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* int, long and size_t take the platform's sizes (LP64: 4, 8, 8). */
static const FfiType types[] = {
    {"void", FK_VOID, &ffi_type_void},
    {"bool", FK_BOOL, &ffi_type_uint8},
    {"int8", FK_SINT, &ffi_type_sint8},
    {"int16", FK_SINT, &ffi_type_sint16},
    {"int32", FK_SINT, &ffi_type_sint32},
    {"int64", FK_SINT, &ffi_type_sint64},
    {"uint8", FK_UINT, &ffi_type_uint8},
    {"uint16", FK_UINT, &ffi_type_uint16},
    {"uint32", FK_UINT, &ffi_type_uint32},
    {"uint64", FK_UINT, &ffi_type_uint64},
    {"int", FK_SINT, &ffi_type_sint},
    {"uint", FK_UINT, &ffi_type_uint},
    {"long", FK_SINT, &ffi_type_slong},
    {"ulong", FK_UINT, &ffi_type_ulong},
    {"size_t", FK_UINT, sizeof(size_t) == 8 ? &ffi_type_uint64 : &ffi_type_uint32},
    {"float", FK_FLOAT, &ffi_type_float},
    {"double", FK_DOUBLE, &ffi_type_double},
    {"pointer", FK_POINTER, &ffi_type_pointer},
    {"string", FK_STRING, &ffi_type_pointer},
};

const FfiType *ffi_type_named(const char *name) {
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(types[i].name, name))
            return &types[i];
    return NULL;
}

/* ---- ffi.Pointer ---- */

static int pointer_IsNil(G *g, Value *args, int nargs) {
    void **p = args_recv(g, "ffi.Pointer.IsNil", args, nargs, &ffi_pointer_type);
    if (!p || !args_check(g, "ffi.Pointer.IsNil", args + 1, nargs - 1, ""))
        return -1;
    args[0] = val_bool(*p == NULL);
    return 1;
}

static int pointer_String(G *g, Value *args, int nargs) {
    void **p = args_recv(g, "ffi.Pointer.String", args, nargs, &ffi_pointer_type);
    if (!p || !args_check(g, "ffi.Pointer.String", args + 1, nargs - 1, ""))
        return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%#llx", (unsigned long long)(uintptr_t)*p);
    args[0] = val_cstr(g->vm, *p ? buf : "0x0");
    return 1;
}

static const NativeMethod pointer_methods[] = {
    {"IsNil", pointer_IsNil, "IsNil() bool — whether the pointer is C's NULL"},
    {"String", pointer_String, "String() string — the address in hexadecimal, as Go prints a pointer"},
    {NULL, NULL, NULL},
};

const NativeType ffi_pointer_type = {
    .name = "ffi.Pointer",
    .methods = pointer_methods,
    .payload_size = sizeof(void *),
};

Value ffi_pointer_new(VM *vm, void *p) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &ffi_pointer_type);
    *(void **)o->payload = p;
    return val_obj(o);
}

/* ---- arguments ---- */

void ffi_copies_free(FfiCopies *c) {
    for (int i = 0; i < c->nheap; i++)
        free(c->heap[i]);
    c->nheap = 0;
}

/* A NUL-terminated copy of s that lives until the call returns: C may keep
 * writing through a char* it was given, and csp strings are immutable. */
static const char *copy_string(ObjString *s, FfiCopies *c) {
    char *dst;
    if (s->len + 1 <= sizeof c->buf - c->used) {
        dst = c->buf + c->used;
        c->used += s->len + 1;
    } else {
        dst = mem_alloc(s->len + 1);
        c->heap[c->nheap++] = dst; /* at most one per argument */
    }
    memcpy(dst, s->chars, s->len + 1);
    return dst;
}

/* Store the low bits of i as an integer of t's size (a C cast). */
static void store_int(const FfiType *t, int64_t i, FfiSlot *slot) {
    switch (t->type->size) {
    case 1: slot->u8 = (uint8_t)i; break;
    case 2: slot->u16 = (uint16_t)i; break;
    case 4: slot->u32 = (uint32_t)i; break;
    default: slot->u64 = (uint64_t)i; break;
    }
}

bool ffi_arg_from(const FfiType *t, Value v, FfiSlot *slot, FfiCopies *copies) {
    switch (t->kind) {
    case FK_BOOL:
        if (!val_is_bool(v))
            return false;
        slot->u8 = val_as_bool(v);
        return true;
    case FK_SINT:
    case FK_UINT:
        if (!val_is_int(v))
            return false;
        store_int(t, val_as_int(v), slot);
        return true;
    case FK_FLOAT:
        if (!val_is_number(v))
            return false;
        slot->f = (float)val_to_double(v);
        return true;
    case FK_DOUBLE:
        if (!val_is_number(v))
            return false;
        slot->d = val_to_double(v);
        return true;
    case FK_POINTER:
        if (val_is_nil(v))
            slot->p = NULL;
        else if (ffi_is_pointer(v))
            slot->p = ffi_pointer_of(v);
        else
            return false;
        return true;
    case FK_STRING:
        if (val_is_nil(v))
            slot->s = NULL;
        else if (val_is(v, OBJ_STRING))
            slot->s = copy_string(AS_STRING(v), copies);
        else
            return false;
        return true;
    case FK_VOID: return false;
    }
    return false;
}

/* ---- results ---- */

static int64_t load_int(const FfiType *t, const FfiSlot *r) {
    size_t size = t->type->size;
    if (size >= 8)
        return (int64_t)r->u64; /* an uint64 beyond int64 wraps, as Go's int(u) */
    /* narrower results come widened to a whole ffi_arg, with their sign */
    return t->kind == FK_SINT ? (int64_t)r->sarg : (int64_t)r->uarg;
}

bool ffi_result_to(VM *vm, const FfiType *t, const FfiSlot *ret, Value null_ptr, Value *out) {
    switch (t->kind) {
    case FK_VOID: return false;
    case FK_BOOL: *out = val_bool((uint8_t)ret->uarg != 0); return true;
    case FK_SINT:
    case FK_UINT: *out = val_int(vm, load_int(t, ret)); return true;
    case FK_FLOAT: *out = val_float(vm, ret->f); return true;
    case FK_DOUBLE: *out = val_float(vm, ret->d); return true;
    case FK_POINTER: *out = ret->p ? ffi_pointer_new(vm, ret->p) : null_ptr; return true;
    case FK_STRING: *out = ret->s ? val_cstr(vm, ret->s) : VAL_NIL; return true;
    }
    return false;
}
