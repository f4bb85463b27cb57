/* vm/objops.c — object operations of the dispatch loop.  See vm/objops.h. */
#include <string.h>

#include "base/utf8.h"
#include "vm/interp.h"
#include "vm/objops.h"

/* ---- structs ---- */

int struct_field_index(ObjStructType *t, ObjString *name) {
    for (int i = 0; i < t->nfields; i++)
        if (t->fields[i].name == name)
            return i;
    return -1;
}

bool struct_find_method(ObjStructType *t, ObjString *name, Value *out) {
    for (int i = 0; i < t->nmethods; i++)
        if (t->methods[i].name == name) {
            *out = t->methods[i].fn;
            return true;
        }
    return false;
}

static Value field_zero(VM *vm, const FieldSpec *fs) {
    switch ((FieldZero)fs->kind) {
    case ZERO_NIL: return VAL_NIL;
    case ZERO_VALUE: return fs->zero;
    default: return zero_value(vm, fs->zero);
    }
}

Value struct_new(VM *vm, ObjStructType *t) {
    ObjStruct *s = gc_alloc(vm, sizeof(ObjStruct) + (size_t)t->nfields * sizeof(Value), OBJ_STRUCT);
    s->obj.aux = (uint32_t)t->nfields;
    s->type = t;
    for (int i = 0; i < t->nfields; i++)
        s->fields[i] = VAL_NIL;
    for (int i = 0; i < t->nfields; i++)
        s->fields[i] = field_zero(vm, &t->fields[i]);
    return val_obj(s);
}

/* The zero value of a type constant: a struct type, or an interned type name. */
Value zero_value(VM *vm, Value type) {
    if (val_is(type, OBJ_STRUCTTYPE)) {
        ObjStructType *t = (ObjStructType *)val_as_obj(type);
        return t->basic ? val_named(vm, t, 0, 0) : struct_new(vm, t);
    }
    if (!val_is(type, OBJ_STRING))
        return VAL_NIL;
    const char *n = AS_STRING(type)->chars;
    if (!strcmp(n, "int"))
        return val_smallint(0);
    if (!strcmp(n, "float64")) {
        Value v;
        float_try_inline(0.0, &v);
        return v;
    }
    if (!strcmp(n, "string"))
        return val_str(vm, "", 0);
    if (!strcmp(n, "bool"))
        return VAL_FALSE;
    if (!strcmp(n, "list"))
        return val_obj(list_new(vm, 0));
    if (!strcmp(n, "map"))
        return val_obj(map_new(vm, 0));
    const NativeType *t = vm_find_type(vm, n);
    if (t)
        return t->zero ? t->zero(vm) : val_obj(vm_new_nativeobj(vm, t));
    return VAL_NIL;
}

Value op_zero_for(VM *vm, Value like) {
    if (val_is_int(like))
        return val_smallint(0);
    if (val_is_float(like)) {
        Value v;
        float_try_inline(0.0, &v);
        return v;
    }
    if (val_is(like, OBJ_STRING))
        return val_str(vm, "", 0);
    return VAL_NIL; /* lists: append(nil, ...) makes one */
}

Value op_zero_of_type(VM *vm, Value type) {
    if (val_is(type, OBJ_STRING)) {
        const char *n = AS_STRING(type)->chars;
        if (!strcmp(n, "string"))
            return val_str(vm, "", 0);
        if (!strcmp(n, "int"))
            return val_smallint(0);
        if (!strcmp(n, "float64")) {
            Value v;
            float_try_inline(0.0, &v);
            return v;
        }
        if (!strcmp(n, "bool"))
            return VAL_FALSE;
    }
    return VAL_NIL;
}

static Value bind(VM *vm, Value recv, Value method) {
    ObjBound *b = gc_alloc(vm, sizeof(ObjBound), OBJ_BOUND);
    b->receiver = recv;
    b->method = method;
    return val_obj(b);
}

static bool exported(ObjString *name) { return name->len > 0 && name->chars[0] >= 'A' && name->chars[0] <= 'Z'; }

static int module_member(G *g, ObjModule *m, ObjString *name, Value *dst) {
    if (m->path && !exported(name))
        return vm_panicf(g, "name %s not exported by package %s", name->chars, m->name->chars);
    if (vm_module_get(m, name, dst))
        return 0;
    return vm_panicf(g, "undefined: %s.%s", m->name->chars, name->chars);
}

static int nil_deref(G *g) { return vm_runtime_errorf(g, "invalid memory address or nil pointer dereference"); }

/* Resolve obj.name; *is_method says whether *dst wants obj as receiver. */
static int lookup(G *g, Value obj, ObjString *name, Value *dst, bool *is_method) {
    VM *vm = g->vm;
    *is_method = false;
    if (val_is(obj, OBJ_STRUCT)) {
        ObjStruct *s = AS_STRUCT(obj);
        int i = struct_field_index(s->type, name);
        if (i >= 0) {
            *dst = SHARED_LOAD(s->fields[i]);
            return 0;
        }
        if (struct_find_method(s->type, name, dst)) {
            *is_method = true;
            return 0;
        }
        return vm_panicf(g, "%s.%s undefined (type %s has no field or method %s)", s->type->name->chars,
                         name->chars, s->type->name->chars, name->chars);
    }
    if (val_is(obj, OBJ_MODULE))
        return module_member(g, AS_MODULE(obj), name, dst);
    ObjStructType *nt = val_named_type(obj);
    if (nt) { /* type State int: its methods */
        if (struct_find_method(nt, name, dst)) {
            *is_method = true;
            return 0;
        }
        return vm_panicf(g, "%s.%s undefined (type %s has no field or method %s)", nt->name->chars, name->chars,
                         nt->name->chars, name->chars);
    }
    if (val_is(obj, OBJ_NATIVEOBJ)) {
        ObjNativeObj *o = AS_NATIVEOBJ(obj);
        if (vm_native_method(vm, o->ntype, name, dst)) {
            *is_method = true;
            return 0;
        }
        if (o->ntype->getfield) {
            int found = 0;
            Value v = o->ntype->getfield(g, o, name, &found);
            if (found < 0)
                return -1;
            if (found) {
                *dst = v;
                return 0;
            }
        }
        return vm_panicf(g, "%s undefined (type %s has no field or method %s)", name->chars, o->ntype->name,
                         name->chars);
    }
    if (val_is_duration(obj)) {
        const NativeType *t = vm_find_type(vm, "time.Duration");
        if (t && vm_native_method(vm, t, name, dst)) {
            *is_method = true;
            return 0;
        }
    }
    if (val_is(obj, OBJ_ERROR) && name == vm->name_Error) {
        *dst = vm->error_method;
        *is_method = true;
        return 0;
    }
    if (val_is_nil(obj))
        return nil_deref(g);
    return vm_panicf(g, "%s undefined (type %s has no field or method %s)", name->chars, val_type_name(obj),
                     name->chars);
}

int op_getfield(G *g, Value obj, ObjString *name, Value *dst) {
    bool is_method;
    if (lookup(g, obj, name, dst, &is_method) < 0)
        return -1;
    if (is_method)
        *dst = bind(g->vm, obj, *dst);
    return 0;
}

int op_self(G *g, Value obj, ObjString *name, Value *fn, Value *recv) {
    bool is_method;
    if (lookup(g, obj, name, fn, &is_method) < 0)
        return -1;
    *recv = is_method ? obj : VAL_NORECV;
    return 0;
}

int op_setfield(G *g, Value obj, ObjString *name, Value v) {
    if (val_is(obj, OBJ_STRUCT)) {
        ObjStruct *s = AS_STRUCT(obj);
        int i = struct_field_index(s->type, name);
        if (i >= 0) {
            SHARED_STORE(s->fields[i], v);
            return 0;
        }
        return vm_panicf(g, "%s.%s undefined (type %s has no field or method %s)", s->type->name->chars,
                         name->chars, s->type->name->chars, name->chars);
    }
    if (val_is(obj, OBJ_MODULE)) {
        ObjModule *m = AS_MODULE(obj);
        if (!m->path)
            return vm_panicf(g, "cannot assign to %s.%s (neither addressable nor a map index expression)",
                             m->name->chars, name->chars);
        if (!exported(name))
            return vm_panicf(g, "name %s not exported by package %s", name->chars, m->name->chars);
        for (int i = 0; i < m->nglobals; i++)
            if (m->names[i] == name) {
                m->globals[i] = v;
                return 0;
            }
        return vm_panicf(g, "undefined: %s.%s", m->name->chars, name->chars);
    }
    if (val_is_nil(obj))
        return nil_deref(g);
    return vm_panicf(g, "%s.%s undefined (type %s has no field %s)", val_type_name(obj), name->chars,
                     val_type_name(obj), name->chars);
}

/* ---- indexing ---- */

static int index_of(G *g, Value key, int64_t *out) {
    if (val_is_int(key)) {
        *out = val_as_int(key);
        return 0;
    }
    if (val_is_float(key)) {
        double d = val_as_float(key);
        if (d == (double)(int64_t)d) {
            *out = (int64_t)d;
            return 0;
        }
    }
    return vm_panicf(g, "invalid argument: index of type %s must be integer", val_type_name(key));
}

static int out_of_range(G *g, int64_t i, int64_t len) {
    if (i < 0)
        return vm_runtime_errorf(g, "index out of range [%lld]", (long long)i);
    return vm_runtime_errorf(g, "index out of range [%lld] with length %lld", (long long)i, (long long)len);
}

/* The element slot l[key], or NULL after a panic.  len is loaded before the
 * store, which then holds items[0..len) (vm/list.c); the cap check guards. */
static Value *list_slot(G *g, ObjList *l, Value key) {
    int64_t i = 0;
    if (index_of(g, key, &i) < 0)
        return NULL;
    int64_t len = SHARED_LOAD(l->len); /* len first: the store is then as new (vm/list.c) */
    ObjArray *a = SHARED_LOAD(l->store);
    if (i < 0 || i >= len || !a || i >= a->cap) {
        out_of_range(g, i, len);
        return NULL;
    }
    return &a->items[i];
}

int op_getindex(G *g, Value obj, Value key, Value *dst, Value *ok) {
    if (val_is(obj, OBJ_LIST)) {
        Value *slot = list_slot(g, AS_LIST(obj), key);
        if (!slot)
            return -1;
        *dst = SHARED_LOAD(*slot);
        return 0;
    }
    if (val_is(obj, OBJ_MAP)) {
        Value v = VAL_NIL;
        int found = map_get(AS_MAP(obj), key, &v);
        if (found == MAP_RACE)
            map_race_fatal(g, MAP_READ);
        *dst = found ? v : AS_MAP(obj)->zero;
        if (ok)
            *ok = val_bool(found);
        return 0;
    }
    if (val_is(obj, OBJ_STRING)) {
        ObjString *s = AS_STRING(obj);
        int64_t i;
        if (index_of(g, key, &i) < 0)
            return -1;
        if (i < 0 || (uint64_t)i >= s->len)
            return out_of_range(g, i, (int64_t)s->len);
        *dst = val_smallint((unsigned char)s->chars[i]);
        return 0;
    }
    if (val_is_nil(obj)) {
        if (val_is_int(key))
            return out_of_range(g, val_as_int(key), 0);
        *dst = VAL_NIL; /* like reading a nil map */
        if (ok)
            *ok = VAL_FALSE;
        return 0;
    }
    return vm_panicf(g, "invalid operation: cannot index %s", val_type_name(obj));
}

int op_setindex(G *g, Value obj, Value key, Value v) {
    if (val_is(obj, OBJ_LIST)) {
        Value *slot = list_slot(g, AS_LIST(obj), key);
        if (!slot)
            return -1;
        SHARED_STORE(*slot, v);
        return 0;
    }
    if (val_is(obj, OBJ_MAP)) {
        if (map_set(g->vm, AS_MAP(obj), key, v) == MAP_RACE)
            map_race_fatal(g, MAP_WRITE);
        return 0;
    }
    if (val_is_nil(obj))
        return vm_panicf(g, "assignment to entry in nil map");
    if (val_is(obj, OBJ_STRING))
        return vm_panicf(g, "cannot assign to string index (strings are immutable)");
    return vm_panicf(g, "invalid operation: cannot index %s", val_type_name(obj));
}

static int slice_bounds(G *g, Value lo, Value hi, int which, int64_t len, bool is_list, int64_t *plo,
                        int64_t *phi) {
    int64_t l = 0, h = len;
    if ((which & 1) && index_of(g, lo, &l) < 0)
        return -1;
    if ((which & 2) && index_of(g, hi, &h) < 0)
        return -1;
    const char *with = is_list ? "capacity" : "length";
    if (h < 0 || h > len) {
        if (h < 0)
            return vm_runtime_errorf(g, "slice bounds out of range [:%lld]", (long long)h);
        return vm_runtime_errorf(g, "slice bounds out of range [:%lld] with %s %lld", (long long)h, with,
                                 (long long)len);
    }
    if (l < 0)
        return vm_runtime_errorf(g, "slice bounds out of range [%lld:]", (long long)l);
    if (l > h)
        return vm_runtime_errorf(g, "slice bounds out of range [%lld:%lld]", (long long)l, (long long)h);
    *plo = l;
    *phi = h;
    return 0;
}

int op_slice(G *g, Value obj, Value lo, Value hi, int which, Value *dst) {
    int64_t l, h;
    if (val_is(obj, OBJ_LIST)) {
        ObjList *list = AS_LIST(obj);
        if (slice_bounds(g, lo, hi, which, SHARED_LOAD(list->len), true, &l, &h) < 0)
            return -1;
        *dst = val_obj(list_slice(g->vm, list, l, h));
        return 0;
    }
    if (val_is(obj, OBJ_STRING)) {
        ObjString *s = AS_STRING(obj);
        if (slice_bounds(g, lo, hi, which, (int64_t)s->len, false, &l, &h) < 0)
            return -1;
        *dst = val_str(g->vm, s->chars + l, (size_t)(h - l));
        return 0;
    }
    if (val_is_nil(obj)) {
        if (slice_bounds(g, lo, hi, which, 0, true, &l, &h) < 0)
            return -1;
        *dst = VAL_NIL;
        return 0;
    }
    return vm_panicf(g, "cannot slice %s", val_type_name(obj));
}

int op_len(G *g, Value obj, Value *dst) {
    int64_t n;
    if (val_is(obj, OBJ_STRING))
        n = (int64_t)AS_STRING(obj)->len;
    else if (val_is(obj, OBJ_LIST))
        n = SHARED_LOAD(AS_LIST(obj)->len);
    else if (val_is(obj, OBJ_MAP))
        n = SHARED_LOAD(AS_MAP(obj)->count);
    else if (val_is_nil(obj))
        n = 0;
    else if (val_is(obj, OBJ_NATIVEOBJ) && g->vm->len_hook && g->vm->len_hook(g, obj, &n))
        ;
    else
        return vm_panicf(g, "invalid argument: %s for built-in len", val_type_name(obj));
    *dst = val_smallint(n);
    return 0;
}

/* ---- range ---- */

/* A map range keeps its position and the number of entries that existed when
 * it began (Go lets a loop skip entries added meanwhile; visiting them could
 * make a loop that adds entries run forever) in one int. */
static int64_t map_pos_pack(int64_t pos, int64_t limit) { return (limit << 32) | pos; }

int op_iterprep(G *g, Value obj, Value *st) {
    st[0] = obj;
    st[1] = val_smallint(0);
    if (val_is(obj, OBJ_LIST))
        st[2] = val_smallint(SHARED_LOAD(AS_LIST(obj)->len));
    else if (val_is(obj, OBJ_STRING))
        st[2] = val_smallint((int64_t)AS_STRING(obj)->len);
    else if (val_is_int(obj))
        st[2] = obj;
    else if (val_is(obj, OBJ_MAP)) {
        ObjMapStore *ms = SHARED_LOAD(AS_MAP(obj)->store);
        st[2] = val_obj(ms); /* the store the position refers to (see op_iternext) */
        st[1] = val_smallint(map_pos_pack(0, ms ? SHARED_LOAD(ms->used) : 0));
    }
    else if (val_is_nil(obj))
        st[2] = val_smallint(0);
    else if (val_is(obj, OBJ_NATIVEOBJ) && AS_NATIVEOBJ(obj)->ntype == g->vm->chan_type)
        st[2] = VAL_NIL; /* st[1]: 1 while a received value is pending (see ITERNEXT) */
    else if (val_is_float(obj))
        return vm_panicf(g, "cannot range over %s (value of type float64)", "float");
    else
        return vm_panicf(g, "cannot range over value of type %s", val_type_name(obj));
    return 0;
}

int op_iternext(G *g, Value *st) {
    Value obj = st[0];
    int64_t pos = val_as_smallint(st[1]);
    if (val_is(obj, OBJ_LIST)) {
        ObjList *l = AS_LIST(obj);
        ObjArray *a = SHARED_LOAD(l->store);
        if (pos >= val_as_smallint(st[2]) || pos >= SHARED_LOAD(l->len) || !a || pos >= a->cap)
            return 0;
        st[3] = val_smallint(pos);
        st[4] = SHARED_LOAD(a->items[pos]);
        st[1] = val_smallint(pos + 1);
        return 1;
    }
    if (val_is_int(obj)) {
        if (pos >= val_as_int(obj))
            return 0;
        st[3] = val_smallint(pos);
        st[4] = VAL_NIL;
        st[1] = val_smallint(pos + 1);
        return 1;
    }
    if (val_is(obj, OBJ_MAP)) {
        ObjMap *m = AS_MAP(obj);
        int64_t limit = pos >> 32; /* entries [0, limit) existed when the loop began */
        pos &= 0xFFFFFFFF;
        ObjMapStore *cur = SHARED_LOAD(m->store);
        if (st[2] != val_obj(cur)) {
            /* The map was rebuilt during the loop.  A rebuild keeps live
             * entries in order and drops deleted ones, so a position in the
             * new store is the number of live entries before it in the old. */
            if (val_is(st[2], OBJ_MAPSTORE)) {
                ObjMapStore *old = (ObjMapStore *)val_as_obj(st[2]);
                int64_t live_pos = 0, live_limit = 0;
                int64_t used = SHARED_LOAD(old->used);
                for (int64_t i = 0; i < limit && i < used && i < old->cap; i++) {
                    bool live = SHARED_LOAD(old->entries[i].state) == ENTRY_LIVE;
                    live_limit += live;
                    live_pos += live && i < pos;
                }
                pos = live_pos;
                limit = live_limit;
            } else {
                limit = 0; /* the map was empty when the loop began */
            }
            st[2] = val_obj(cur);
        }
        int64_t next = pos < limit ? map_iter(g, m, pos, &st[3], &st[4]) : -1;
        if (next < 0 || next > limit)
            return 0;
        st[1] = val_smallint(map_pos_pack(next, limit));
        return 1;
    }
    if (val_is(obj, OBJ_STRING)) {
        ObjString *s = AS_STRING(obj);
        if ((size_t)pos >= s->len)
            return 0;
        int32_t r;
        int w = utf8_decode(s->chars + pos, s->len - (size_t)pos, &r);
        st[3] = val_smallint(pos);
        st[4] = val_smallint(r);
        st[1] = val_smallint(pos + w);
        return 1;
    }
    if (val_is_nil(obj))
        return 0;
    /* ITERPREP let nothing else through */
    return vm_panicf(g, "cannot range over value of type %s", val_type_name(obj));
}

/* ---- types ---- */

bool op_type_matches(Value v, Value type) {
    if (val_is(type, OBJ_STRUCTTYPE))
        return (val_is(v, OBJ_STRUCT) && (Value)val_obj(AS_STRUCT(v)->type) == type) ||
               (val_named_type(v) && (Value)val_obj(val_named_type(v)) == type);
    if (val_is(type, OBJ_STRING))
        return val_has_type(v, AS_STRING(type)->chars);
    return val_is_nil(v);
}

int op_typeassert_fail(G *g, Value v, Value type) {
    const char *want = val_is(type, OBJ_STRUCTTYPE) ? ((ObjStructType *)val_as_obj(type))->name->chars
                       : val_is(type, OBJ_STRING) ? AS_STRING(type)->chars
                                                  : "nil";
    if (!strcmp(want, "error"))
        return vm_runtime_errorf(g, "interface conversion: %s is not error: missing method Error",
                                 val_type_name(v));
    return vm_panicf(g, "interface conversion: interface {} is %s, not %s", val_type_name(v), want);
}
