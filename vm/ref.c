/* vm/ref.c — references to variables (see vm/ref.h). */
#include "vm/ref.h"

#include "vm/gc.h"
#include "vm/interp.h"

enum { REF_CELL, REF_GLOBAL, REF_FIELD };

typedef struct Ref {
    Obj *owner;
    uint32_t idx;
    uint32_t kind; /* REF_* */
} Ref;

static void ref_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_obj(vm, ((Ref *)o->payload)->owner);
}

/* Go's %T of &v is *int64; csp's one int type makes it a plain "pointer". */
static const NativeType ref_type = {
    .name = "pointer",
    .methods = (const NativeMethod[]){{NULL, NULL, NULL}},
    .payload_size = sizeof(Ref),
    .mark = ref_mark,
};

static Value ref_new(VM *vm, Obj *owner, uint32_t idx, uint32_t kind) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &ref_type);
    Ref *r = (Ref *)o->payload;
    r->owner = owner;
    r->idx = idx;
    r->kind = kind;
    return val_obj(o);
}

Value ref_cell(VM *vm, ObjCell *cell) {
    return ref_new(vm, &cell->obj, 0, REF_CELL);
}

Value ref_global(VM *vm, ObjModule *m, uint32_t slot) {
    return ref_new(vm, &m->obj, slot, REF_GLOBAL);
}

int ref_field(G *g, Value obj, ObjString *name, Value *dst) {
    if (val_is(obj, OBJ_STRUCT)) {
        ObjStruct *s = AS_STRUCT(obj);
        int i = struct_field_index(s->type, name);
        if (i < 0)
            return vm_panicf(g, "%s.%s undefined (type %s has no field %s)", s->type->name->chars,
                             name->chars, s->type->name->chars, name->chars);
        *dst = ref_new(g->vm, &s->obj, (uint32_t)i, REF_FIELD);
        return 0;
    }
    if (val_is(obj, OBJ_MODULE) && AS_MODULE(obj)->path) {
        ObjModule *m = AS_MODULE(obj);
        for (int i = 0; i < m->nglobals; i++)
            if (m->names[i] == name && name->chars[0] >= 'A' && name->chars[0] <= 'Z') {
                *dst = ref_global(g->vm, m, (uint32_t)i);
                return 0;
            }
        return vm_panicf(g, "undefined: %s.%s", m->name->chars, name->chars);
    }
    if (val_is_nil(obj))
        return vm_runtime_errorf(g, "invalid memory address or nil pointer dereference");
    return vm_panicf(g, "cannot take the address of %s.%s (type %s has no field %s)", val_type_name(obj),
                     name->chars, val_type_name(obj), name->chars);
}

bool ref_get(Value v, RefLoc *out) {
    if (!val_is(v, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(v)->ntype != &ref_type)
        return false;
    Ref *r = (Ref *)AS_NATIVEOBJ(v)->payload;
    out->owner = r->owner;
    out->idx = r->idx;
    switch (r->kind) {
    case REF_CELL: out->slot = (_Atomic Value *)&((ObjCell *)r->owner)->v; break;
    case REF_GLOBAL: out->slot = (_Atomic Value *)&((ObjModule *)r->owner)->globals[r->idx]; break;
    default: out->slot = (_Atomic Value *)&((ObjStruct *)r->owner)->fields[r->idx]; break;
    }
    return true;
}
