/* vm/gc.c — allocation and a precise, stop-the-world mark-and-sweep collector.
 *
 * The invariants are stated in vm/gc.h.  In short: allocation never collects;
 * collection happens at safepoints, where every live value is in a root, and
 * the dead part of every goroutine stack is cleared afterwards so that a stale
 * slot can never point at a freed object.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/interp.h"
#include "vm/race.h"

#define GC_MIN_HEAP (4u << 20)

static _Thread_local AllocCache *tls_cache;

#define CACHE_FLUSH_BYTES (32u << 10)

void gc_attach_thread(VM *vm, AllocCache *c) {
    pthread_mutex_lock(&vm->heap_lock);
    c->next = vm->caches;
    vm->caches = c;
    pthread_mutex_unlock(&vm->heap_lock);
    tls_cache = c;
}

/* Publish n allocated objects of `bytes` in all: the counters, and the
 * safepoint flag when a collection is due. */
static void count_alloc(VM *vm, size_t bytes, size_t n) {
    atomic_fetch_add(&vm->total_allocated, bytes);
    atomic_fetch_add(&vm->nmallocs, n);
    atomic_fetch_add(&vm->nobjects, (int64_t)n);
    size_t total = atomic_fetch_add(&vm->bytes_allocated, bytes) + bytes;
    if (vm->gc_stress || total >= vm->next_gc)
        atomic_fetch_or(&vm->safepoint, SAFEPOINT_GC);
}

void gc_set_external(VM *vm, ObjNativeObj *o, size_t bytes) {
    size_t was = o->external;
    if (bytes == was)
        return;
    o->external = bytes;
    if (bytes > was)
        count_alloc(vm, bytes - was, 0);
    else
        atomic_fetch_sub(&vm->bytes_allocated, was - bytes);
}

/* Count o (allocated by c's thread) in c. */
static inline void *cache_count(VM *vm, AllocCache *c, Obj *o, size_t size) {
    c->bytes += size;
    c->nobjects++;
    if (__builtin_expect(c->bytes >= CACHE_FLUSH_BYTES || vm->gc_stress, 0))
        gc_flush_counts(vm);
    return o;
}

/* A large object, or any from a thread without a cache: malloc's, on a list. */
static void *gc_link(VM *vm, Obj *o, size_t size, ObjType type) {
    o->type = (uint8_t)type;
    AllocCache *c = tls_cache;
    if (c) {
        o->gc_next = c->objects;
        c->objects = o;
        return cache_count(vm, c, o, size);
    }
    pthread_mutex_lock(&vm->heap_lock);
    o->gc_next = vm->objects;
    vm->objects = o;
    pthread_mutex_unlock(&vm->heap_lock);
    count_alloc(vm, size, 1);
    return o;
}

void *gc_alloc(VM *vm, size_t size, ObjType type) {
    AllocCache *c = tls_cache;
    if (c && size <= GC_SMALL_MAX) {
        Obj *o = gc_small_alloc(&c->small, size);
        memset(o, 0, size);
        o->type = (uint8_t)type;
        return cache_count(vm, c, o, GC_SMALL_SLOT(size));
    }
    return gc_link(vm, mem_calloc(1, size), size, type);
}

void *gc_alloc_header(VM *vm, size_t size, ObjType type) {
    AllocCache *c = tls_cache;
    bool small = c && size <= GC_SMALL_MAX;
    Obj *o = small ? gc_small_alloc(&c->small, size) : mem_alloc(size);
    o->marked = 0;
    o->flags = 0;
    o->aux = 0;
    if (!small)
        return gc_link(vm, o, size, type);
    o->type = (uint8_t)type;
    return cache_count(vm, c, o, GC_SMALL_SLOT(size));
}

void gc_flush_counts(VM *vm) {
    AllocCache *c = tls_cache;
    if (!c || !c->nobjects)
        return;
    size_t bytes = c->bytes, n = c->nobjects;
    c->bytes = 0;
    c->nobjects = 0;
    count_alloc(vm, bytes, n);
}

size_t gc_obj_size(Obj *o) {
    switch ((ObjType)o->type) {
    case OBJ_STRING: {
        ObjString *s = (ObjString *)o;
        return sizeof(ObjString) + (o->flags & STR_NAMED ? str_named_slot(s->len) + sizeof(void *) : s->len + 1);
    }
    case OBJ_INT: return sizeof(ObjInt);
    case OBJ_FLOAT: return sizeof(ObjFloat);
    case OBJ_ARRAY: return sizeof(ObjArray) + (size_t)((ObjArray *)o)->cap * sizeof(Value);
    case OBJ_LIST: return sizeof(ObjList);
    case OBJ_MAPSTORE: {
        ObjMapStore *s = (ObjMapStore *)o;
        return sizeof(ObjMapStore) + (size_t)s->cap * sizeof(MapEntry) + (size_t)s->nindex * sizeof(int32_t);
    }
    case OBJ_MAP: return sizeof(ObjMap);
    case OBJ_PROTO: return sizeof(ObjProto);
    case OBJ_CELL: return sizeof(ObjCell);
    case OBJ_CLOSURE: return sizeof(ObjClosure) + o->aux * sizeof(Value); /* aux: upvalue count */
    case OBJ_NATIVE: return sizeof(ObjNative);
    case OBJ_BOUND: return sizeof(ObjBound);
    case OBJ_STRUCTTYPE: return sizeof(ObjStructType);
    case OBJ_STRUCT: return sizeof(ObjStruct) + o->aux * sizeof(Value); /* aux: field count */
    case OBJ_ERROR: return sizeof(ObjError);
    case OBJ_MODULE: return sizeof(ObjModule);
    case OBJ_NATIVEOBJ: {
        ObjNativeObj *n = (ObjNativeObj *)o;
        return sizeof(ObjNativeObj) + n->ntype->payload_size + n->external;
    }
    case OBJ_TYPE_COUNT: break;
    }
    return sizeof(Obj);
}

void gc_mark_obj(VM *vm, Obj *o) {
    if (!o || o->marked)
        return;
    o->marked = 1;
    if (vm->ngray == vm->gray_cap) {
        vm->gray_cap = vm->gray_cap ? vm->gray_cap * 2 : 1024;
        vm->gray = mem_realloc(vm->gray, vm->gray_cap * sizeof(Obj *));
    }
    vm->gray[vm->ngray++] = o;
}

void gc_mark_value(VM *vm, Value v) {
    if (val_is_obj(v))
        gc_mark_obj(vm, val_as_obj(v));
}

static void mark_values(VM *vm, const Value *v, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        gc_mark_value(vm, v[i]);
}

/* Inlined into both drain loops: the collection's must not pay a call per object. */
static inline __attribute__((always_inline)) void trace_obj(VM *vm, Obj *o) {
    switch ((ObjType)o->type) {
    case OBJ_STRING: gc_mark_obj(vm, (Obj *)str_named_type((ObjString *)o)); break;
    case OBJ_INT: gc_mark_obj(vm, (Obj *)((ObjInt *)o)->ntype); break;
    case OBJ_FLOAT: gc_mark_obj(vm, (Obj *)((ObjFloat *)o)->ntype); break;
    case OBJ_NATIVE: gc_mark_obj(vm, (Obj *)((ObjNative *)o)->method); break;
    case OBJ_ARRAY: mark_values(vm, ((ObjArray *)o)->items, ((ObjArray *)o)->cap); break;
    case OBJ_LIST: gc_mark_obj(vm, (Obj *)((ObjList *)o)->store); break;
    case OBJ_MAPSTORE: {
        ObjMapStore *s = (ObjMapStore *)o;
        for (int64_t i = 0; i < s->used; i++) {
            gc_mark_value(vm, s->entries[i].key);
            gc_mark_value(vm, s->entries[i].value);
        }
        break;
    }
    case OBJ_MAP:
        gc_mark_obj(vm, (Obj *)((ObjMap *)o)->store);
        gc_mark_value(vm, ((ObjMap *)o)->zero);
        break;
    case OBJ_PROTO: {
        ObjProto *p = (ObjProto *)o;
        mark_values(vm, p->k, p->nk);
        gc_mark_obj(vm, (Obj *)p->name);
        gc_mark_obj(vm, (Obj *)p->module);
        break;
    }
    case OBJ_CELL: gc_mark_value(vm, ((ObjCell *)o)->v); break;
    case OBJ_CLOSURE: {
        ObjClosure *c = (ObjClosure *)o;
        gc_mark_obj(vm, (Obj *)c->proto);
        for (uint32_t i = 0; i < o->aux; i++) /* cells and values alike */
            gc_mark_value(vm, c->up[i]);
        break;
    }
    case OBJ_BOUND:
        gc_mark_value(vm, ((ObjBound *)o)->receiver);
        gc_mark_value(vm, ((ObjBound *)o)->method);
        break;
    case OBJ_STRUCTTYPE: {
        ObjStructType *t = (ObjStructType *)o;
        gc_mark_obj(vm, (Obj *)t->name);
        gc_mark_obj(vm, (Obj *)t->module);
        for (int i = 0; i < t->nfields; i++) {
            gc_mark_obj(vm, (Obj *)t->fields[i].name);
            gc_mark_value(vm, t->fields[i].zero);
        }
        for (int i = 0; i < t->nmethods; i++) {
            gc_mark_obj(vm, (Obj *)t->methods[i].name);
            gc_mark_value(vm, t->methods[i].fn);
        }
        break;
    }
    case OBJ_STRUCT: {
        ObjStruct *s = (ObjStruct *)o;
        gc_mark_obj(vm, (Obj *)s->type);
        mark_values(vm, s->fields, o->aux);
        break;
    }
    case OBJ_ERROR:
        gc_mark_obj(vm, (Obj *)((ObjError *)o)->msg);
        gc_mark_value(vm, ((ObjError *)o)->wrapped);
        break;
    case OBJ_MODULE: {
        ObjModule *m = (ObjModule *)o;
        gc_mark_obj(vm, (Obj *)m->name);
        gc_mark_obj(vm, (Obj *)m->path);
        mark_values(vm, m->globals, m->nglobals);
        for (int i = 0; i < m->nglobals; i++)
            gc_mark_obj(vm, (Obj *)m->names[i]);
        gc_mark_value(vm, m->init);
        break;
    }
    case OBJ_NATIVEOBJ: {
        ObjNativeObj *n = (ObjNativeObj *)o;
        if (n->ntype->mark)
            n->ntype->mark(vm, n);
        break;
    }
    case OBJ_TYPE_COUNT: break;
    }
}

uint32_t g_live_top(G *g) {
    uint32_t top = g->top;
    if (g->nframes > 0) {
        Frame *f = &g->frames[g->nframes - 1];
        uint32_t t = f->base + f->cl->proto->maxregs;
        if (t > top)
            top = t;
    }
    if (g->native_top > top)
        top = g->native_top;
    if (g->resume_nres >= 0 || g->nframes == 0) {
        /* a parked native's results, or a new goroutine's function and arguments */
        uint32_t t = g->nframes ? g->resume_at + 1 + CSP_NATIVE_MAX_RESULTS : g->top;
        if (t > top)
            top = t;
    }
    if (g->resume_fn && g->resume_at + 1 + CSP_NATIVE_MAX_RESULTS > top)
        top = g->resume_at + 1 + CSP_NATIVE_MAX_RESULTS; /* a continuation's args[0..8) */
    return top > g->stack_cap ? g->stack_cap : top;
}

void gc_mark_g(VM *vm, G *g) {
    mark_values(vm, g->stack, g_live_top(g));
    for (int i = 0; i < g->nframes; i++) {
        Frame *f = &g->frames[i];
        gc_mark_obj(vm, (Obj *)f->cl);
        for (Defer *d = f->defers; d; d = d->next) {
            gc_mark_value(vm, d->fn);
            mark_values(vm, d->args, d->nargs);
        }
    }
    for (Panic *p = g->panic; p; p = p->link)
        gc_mark_value(vm, p->value);
    mark_values(vm, g->roots, g->nroots);
}

/* Clear the dead part of g's stack, so that no stale slot survives a
 * collection to point at a freed object. */
static void clear_dead_stack(G *g) {
    for (uint32_t i = g_live_top(g); i < g->stack_cap; i++)
        g->stack[i] = VAL_NIL;
}

static void mark_roots(VM *vm) {
    for (int i = 0; i < vm->ngs; i++) {
        gc_mark_g(vm, vm->gs[i]);
        gc_mark_obj(vm, (Obj *)vm->gs[i]->created_fn); /* for its trace */
        clear_dead_stack(vm->gs[i]);
    }
    gc_mark_globals(vm, true);
}

void gc_mark_globals(VM *vm, bool program_modules) {
    for (int i = 0; i < vm->nnatmods; i++)
        gc_mark_obj(vm, (Obj *)vm->natmods[i].module);
    gc_mark_obj(vm, (Obj *)vm->builtins);
    gc_mark_obj(vm, (Obj *)vm->defer_wrap);
    for (size_t i = 0; i < sizeof vm->preludes / sizeof vm->preludes[0]; i++)
        if (vm->preludes[i])
            gc_mark_obj(vm, (Obj *)vm->preludes[i]);
    for (int i = 0; program_modules && i < vm->nusermods; i++)
        gc_mark_obj(vm, (Obj *)vm->usermods[i]);
    vm_mark_types(vm);
    gc_mark_obj(vm, (Obj *)vm->name_Error);
    gc_mark_value(vm, vm->error_method);
    if (vm->rt) /* not in the C unit tests that collect a VM without a runtime */
        vm->rt->mark_roots(vm);
}

size_t gc_finalize(Obj *o) {
    switch ((ObjType)o->type) {
    case OBJ_PROTO: {
        ObjProto *p = (ObjProto *)o;
        free(p->code);
        free(p->k);
        free(p->lines);
        free(p->upvals);
        free((void *)p->field_ic);
        break;
    }
    case OBJ_STRUCTTYPE:
        free(((ObjStructType *)o)->fields);
        free(((ObjStructType *)o)->methods);
        break;
    case OBJ_MODULE:
        free(((ObjModule *)o)->globals);
        free(((ObjModule *)o)->names);
        break;
    case OBJ_NATIVEOBJ: {
        ObjNativeObj *n = (ObjNativeObj *)o;
        size_t external = n->external;
        if (n->ntype->finalize)
            n->ntype->finalize(n);
        return external;
    }
    default: break; /* a type added here must be added to GC_FINALIZED too */
    }
    return 0;
}

static void free_obj(VM *vm, Obj *o, GcFreed *f) {
    f->bytes += gc_obj_size(o);
    f->n++;
    if (GC_FINALIZED(o->type))
        gc_finalize(o);
    free(o);
}

/* The heap's counters once per sweep: an atomic per object is too dear. */
static void count_freed(VM *vm, const GcFreed *f) {
    atomic_fetch_sub(&vm->bytes_allocated, f->bytes);
    atomic_fetch_sub(&vm->nobjects, f->n);
}

static void sweep_list(VM *vm, Obj **link, GcFreed *f) {
    while (*link) {
        Obj *o = *link;
        if (o->marked) {
            o->marked = 0;
            link = &o->gc_next;
        } else {
            *link = o->gc_next;
            free_obj(vm, o, f);
        }
    }
}

static void sweep(VM *vm) {
    /* A thread starting now may be registering its cache: hold the list.
     * The freed objects are subtracted from bytes_allocated: first count
     * what caches hold. */
    pthread_mutex_lock(&vm->heap_lock);
    for (AllocCache *c = vm->caches; c; c = c->next) {
        vm->bytes_allocated += c->bytes;
        vm->total_allocated += c->bytes;
        vm->nmallocs += c->nobjects;
        vm->nobjects += (int64_t)c->nobjects;
        c->bytes = 0;
        c->nobjects = 0;
    }
    GcFreed f = {0, 0};
    sweep_list(vm, &vm->objects, &f);
    for (AllocCache *c = vm->caches; c; c = c->next) {
        sweep_list(vm, &c->objects, &f);
        gc_small_sweep(&c->small, &f);
    }
    count_freed(vm, &f);
    pthread_mutex_unlock(&vm->heap_lock);
}

void gc_trace_each(VM *vm, void (*visit)(VM *vm, Obj *o, void *ctx), void *ctx) {
    while (vm->ngray > 0) {
        Obj *o = vm->gray[--vm->ngray];
        trace_obj(vm, o);
        visit(vm, o, ctx);
    }
}

static void each_in_list(Obj *o, void (*fn)(Obj *o, void *ctx), void *ctx) {
    for (; o; o = o->gc_next)
        fn(o, ctx);
}

void gc_each_object(VM *vm, void (*fn)(Obj *o, void *ctx), void *ctx) {
    pthread_mutex_lock(&vm->heap_lock); /* as sweep: a starting thread may be registering its cache */
    each_in_list(vm->objects, fn, ctx);
    for (AllocCache *c = vm->caches; c; c = c->next) {
        each_in_list(c->objects, fn, ctx);
        gc_small_each(&c->small, fn, ctx);
    }
    pthread_mutex_unlock(&vm->heap_lock);
}

void gc_collect(VM *vm) {
    if (vm->gc_running)
        return;
    vm->gc_running = true;
    mark_roots(vm);
    while (vm->ngray > 0) {
        Obj *o = vm->gray[--vm->ngray];
        trace_obj(vm, o);
    }
    str_sweep_interned(vm);
    if (RACE_ON(vm))
        race_gc(vm); /* before the sweep: it reads the mark bits of the objects it forgets */
    sweep(vm);
    vm->ncollections++;
    size_t goal = vm->bytes_allocated + vm->bytes_allocated / 100 * (size_t)(vm->gc_percent < 0 ? 0 : vm->gc_percent);
    if (vm->gc_percent < 0)
        goal = SIZE_MAX; /* SetGCPercent(-1) disables the collector */
    vm->next_gc = goal < GC_MIN_HEAP ? GC_MIN_HEAP : goal;
    atomic_fetch_and(&vm->safepoint, ~SAFEPOINT_GC);
    vm->gc_running = false;
}

/* The dispatch loop saw the safepoint flag. */
void gc_safepoint(G *g) {
    VM *vm = g->vm;
    if (!(atomic_load(&vm->safepoint) & SAFEPOINT_GC))
        return; /* only a preemption request: the caller handles it */
    /* the runtime stops the world (or stops this thread while another one
     * collects) */
    vm->rt->gc(g);
}

bool vm_native_poll(G *g) {
    if (!(atomic_load_explicit(&g->vm->safepoint, memory_order_relaxed) & SAFEPOINT_GC))
        return false;
    gc_safepoint(g);
    return true;
}

static void free_list(VM *vm, Obj **list, GcFreed *f) {
    while (*list) {
        Obj *o = *list;
        *list = o->gc_next;
        free_obj(vm, o, f);
    }
}

void gc_free_all(VM *vm) {
    GcFreed f = {0, 0};
    free_list(vm, &vm->objects, &f);
    for (AllocCache *c = vm->caches; c; c = c->next) {
        free_list(vm, &c->objects, &f);
        gc_small_free_all(&c->small, &f);
    }
    count_freed(vm, &f);
    free(vm->gray);
    vm->gray = NULL;
    vm->ngray = vm->gray_cap = 0;
}
