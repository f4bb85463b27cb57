/* vm/load.c — from the compiler's BcProgram to live objects, and the
 * catalogue of standard modules the compiler consults.
 *
 * Every string constant is interned, so field and method names compare by
 * pointer in the dispatch loop.  Protos are created before constants are
 * filled in, because constants refer to sibling functions. */
#include <stdlib.h>
#include <string.h>

#include "vm/interp.h"
#include "vm/race.h"

/* "internal/..." modules hold the natives that the library's csp preludes
 * call (stdlib/prelude.c): like Go's internal packages, not for scripts. */
static int hook_module_exists(void *ctx, const char *name) {
    return strcmp(name, "builtin") != 0 && strncmp(name, "internal/", 9) != 0 &&
           vm_find_native_module((VM *)ctx, name) != NULL;
}

static int hook_module_exists_internal(void *ctx, const char *name) {
    return strcmp(name, "builtin") != 0 && vm_find_native_module((VM *)ctx, name) != NULL;
}

static StdMemberKind hook_member(void *ctx, const char *module, const char *member) {
    VM *vm = ctx;
    ObjModule *m = vm_find_native_module(vm, module);
    if (!m)
        return STD_NONE;
    /* A type first: time.Duration is both a type (var d time.Duration) and
     * a member (the conversion time.Duration(n)); calls and values load the
     * member whichever kind is reported. */
    char buf[256];
    snprintf(buf, sizeof buf, "%s.%s", m->name->chars, member);
    if (vm_find_type(vm, buf))
        return STD_TYPE;
    Value v;
    return vm_module_get(m, str_intern_c(vm, member), &v) ? STD_VALUE : STD_NONE;
}

CompileHooks vm_compile_hooks(VM *vm) {
    CompileHooks h = {vm, hook_module_exists, hook_member};
    return h;
}

typedef struct Loader {
    VM *vm;
    BcProgram *prog;
    VmSession *sess; /* loading a REPL entry (its last module), else NULL */
    ObjModule **mods;
    ObjStructType ***structs; /* per module */
    ObjProto ***protos;       /* per module */
} Loader;

static Value std_member(VM *vm, const char *module, const char *member) {
    ObjModule *m = vm_find_native_module(vm, module);
    Value v = VAL_NIL;
    if (m)
        vm_module_get(m, str_intern_c(vm, member), &v);
    return v;
}

/* A struct type of a user module an earlier REPL entry loaded: the global
 * its module's top level set to it. */
static Value loaded_struct(VM *vm, const char *path, const char *name) {
    for (int i = 0; i < vm->nusermods; i++) {
        ObjModule *m = vm->usermods[i];
        if (!m->path || strcmp(m->path->chars, path))
            continue;
        for (int j = m->nglobals - 1; j >= 0; j--)
            if (!strcmp(m->names[j]->chars, name) && val_is(m->globals[j], OBJ_STRUCTTYPE))
                return m->globals[j];
    }
    return VAL_NIL;
}

static Value load_const(Loader *L, int mod, const BcConst *c) {
    VM *vm = L->vm;
    switch (c->kind) {
    case BK_NIL: return VAL_NIL;
    case BK_BOOL: return val_bool(c->i != 0);
    case BK_INT: return val_int(vm, c->i);
    case BK_FLOAT: return val_float(vm, c->f);
    case BK_STRING: return val_obj(str_intern(vm, c->s ? c->s : "", c->slen));
    case BK_FUNC: return val_obj(L->protos[mod][c->index]);
    case BK_STRUCT: return val_obj(L->structs[mod][c->index]);
    case BK_STRUCTEXT:
        return c->index >= 0 ? val_obj(L->structs[c->index][c->idx2]) : loaded_struct(vm, c->s, c->s2);
    case BK_STDMEMBER: return std_member(vm, c->s, c->s2);
    case BK_STDMODULE: return val_obj(vm_find_native_module(vm, c->s));
    case BK_MODULE: return val_obj(L->mods[c->index]);
    case BK_TYPE:
        if (c->index == -2) /* a struct of a module an earlier REPL entry loaded */
            return loaded_struct(vm, c->s2, c->s);
        if (c->index >= 0)
            return val_obj(c->idx2 < 0 ? L->structs[mod][c->index] : L->structs[c->index][c->idx2]);
        return val_obj(str_intern_c(vm, c->s));
    }
    return VAL_NIL;
}

static void load_structs(Loader *L, int mi) {
    BcModule *bm = L->prog->modules[mi];
    L->structs[mi] = mem_calloc((size_t)bm->nstructs + 1, sizeof(ObjStructType *));
    if (bm->repl_entry && bm->first_struct) /* a REPL entry: the session's earlier struct types */
        memcpy(L->structs[mi], L->sess->structs, (size_t)bm->first_struct * sizeof(ObjStructType *));
    for (int s = bm->first_struct; s < bm->nstructs; s++) {
        ObjStructType *t = gc_alloc(L->vm, sizeof(ObjStructType), OBJ_STRUCTTYPE);
        t->name = str_intern_c(L->vm, bm->structs[s].name);
        t->module = L->mods[mi];
        L->structs[mi][s] = t;
    }
}

/* Field zero values may name struct types of any module: after all exist. */
static void load_fields(Loader *L, int mi) {
    BcModule *bm = L->prog->modules[mi];
    for (int s = bm->first_struct; s < bm->nstructs; s++) {
        BcStruct *bs = &bm->structs[s];
        ObjStructType *t = L->structs[mi][s];
        t->fields = mem_calloc((size_t)bs->nfields + 1, sizeof(FieldSpec));
        for (int f = 0; f < bs->nfields; f++) {
            t->fields[f].name = str_intern_c(L->vm, bs->fields[f].name);
            t->fields[f].kind = (uint8_t)bs->fields[f].kind;
            t->fields[f].zero = bs->fields[f].kind == ZERO_NIL ? VAL_NIL : load_const(L, mi, &bs->fields[f].zero);
            if (bs->fields[f].kind == ZERO_LIST)
                t->fields[f].zero = val_obj(str_intern_c(L->vm, "list"));
            if (bs->fields[f].kind == ZERO_MAP)
                t->fields[f].zero = val_obj(str_intern_c(L->vm, "map"));
        }
        t->nfields = bs->nfields;
        t->basic = bs->basic;
    }
}

void vm_proto_ic_init(ObjProto *p, size_t ncode) {
    p->field_ic = mem_calloc(ncode, sizeof(uint64_t));
    /* slot k = pc - 1 - code, at field_ic + 8k bytes = 2 * pc + field_ic - 2 * (code + 1) */
    _Static_assert(sizeof(Instr) * 2 == sizeof(uint64_t), "an inline cache word is two instructions wide");
    p->ic_bias = (uintptr_t)p->field_ic - 2 * (uintptr_t)(p->code + 1);
}

static void load_protos(Loader *L, int mi) {
    BcModule *bm = L->prog->modules[mi];
    L->protos[mi] = mem_calloc((size_t)bm->nfuncs + 1, sizeof(ObjProto *));
    for (int fi = 0; fi < bm->nfuncs; fi++) {
        BcFunc *bf = bm->funcs[fi];
        ObjProto *p = gc_alloc(L->vm, sizeof(ObjProto), OBJ_PROTO);
        p->ncode = bf->ncode;
        p->code = mem_alloc(((size_t)bf->ncode + 1) * sizeof(Instr));
        memcpy(p->code, bf->code, (size_t)bf->ncode * sizeof(Instr));
        p->code[bf->ncode] = BC_ABX(OP_RETURN, 0, 1); /* a safety net: never run off the end */
        p->lines = mem_alloc(((size_t)bf->ncode + 1) * sizeof(int32_t));
        if (bf->ncode)
            memcpy(p->lines, bf->lines, (size_t)bf->ncode * sizeof(int32_t));
        p->lines[bf->ncode] = bf->ncode ? bf->lines[bf->ncode - 1] : bf->line;
        p->nupvals = bf->nupvals;
        p->upvals = mem_alloc(((size_t)bf->nupvals + 1) * sizeof(UpvalDesc));
        for (int u = 0; u < bf->nupvals; u++)
            p->upvals[u] = (UpvalDesc){bf->upvals[u].from_parent_reg, bf->upvals[u].index};
        vm_proto_ic_init(p, (size_t)bf->ncode + 1);
        p->nparams = bf->nparams;
        p->variadic = bf->variadic;
        p->maxregs = bf->maxregs;
        p->named_a = bf->named_a;
        p->named_n = bf->named_n;
        p->name = str_intern_c(L->vm, bf->name ? bf->name : "func");
        p->module = L->mods[mi];
        p->line = bf->line;
        if (RACE_ON(L->vm) || L->vm->seed)
            race_rewrite_proto(p); /* the instrumented opcodes: accesses, scheduling points */
        L->protos[mi][fi] = p;
    }
}

static void load_constants(Loader *L, int mi) {
    BcModule *bm = L->prog->modules[mi];
    for (int fi = 0; fi < bm->nfuncs; fi++) {
        BcFunc *bf = bm->funcs[fi];
        ObjProto *p = L->protos[mi][fi];
        p->k = mem_calloc((size_t)bf->nk + 1, sizeof(Value));
        for (int c = 0; c < bf->nk; c++)
            p->k[c] = load_const(L, mi, &bf->k[c]);
        p->nk = bf->nk;
    }
}

static ObjModule *module_shell(VM *vm, BcModule *bm) {
    ObjModule *m = gc_alloc(vm, sizeof(ObjModule), OBJ_MODULE);
    m->name = str_intern_c(vm, bm->name ? bm->name : "main");
    m->path = str_new(vm, bm->path ? bm->path : "?", bm->path ? strlen(bm->path) : 1);
    m->nglobals = bm->nglobals;
    m->globals = mem_calloc((size_t)bm->nglobals + 1, sizeof(Value));
    m->names = mem_calloc((size_t)bm->nglobals + 1, sizeof(ObjString *));
    for (int i = 0; i < bm->nglobals; i++)
        m->names[i] = str_intern_c(vm, bm->global_names[i]);
    m->state = MOD_UNLOADED;
    return m;
}

ObjClosure *vm_hidden_closure(VM *vm, const char *name, const Instr *code, int ncode, int nparams, int maxregs) {
    ObjProto *p = gc_alloc(vm, sizeof(ObjProto), OBJ_PROTO);
    p->ncode = ncode;
    p->code = mem_alloc((size_t)ncode * sizeof(Instr));
    memcpy(p->code, code, (size_t)ncode * sizeof(Instr));
    vm_proto_ic_init(p, (size_t)ncode);
    p->nparams = (uint8_t)nparams;
    p->maxregs = (uint8_t)maxregs;
    p->hidden = 1;
    p->module = vm_native_module(vm, "builtin", NULL); /* for its frame's globals: it uses none */
    p->name = str_intern_c(vm, name);
    ObjClosure *c = gc_alloc(vm, sizeof(ObjClosure), OBJ_CLOSURE);
    c->proto = p;
    return c;
}

/* The session's module, the first time with room for every slot an entry
 * can address (Bx): goroutines running older entries' code hold its globals
 * pointer, so the array never moves. */
static ObjModule *session_module(VM *vm, VmSession *sess, BcModule *bm) {
    ObjModule *m = sess->mod;
    if (!m) {
        m = gc_alloc(vm, sizeof(ObjModule), OBJ_MODULE);
        m->name = str_intern_c(vm, "main");
        m->path = str_new(vm, "<repl>", 6);
        m->globals = mem_calloc(VM_SESSION_MAX_GLOBALS, sizeof(Value));
        m->names = mem_calloc(VM_SESSION_MAX_GLOBALS, sizeof(ObjString *));
        sess->mod = m;
        vm->usermods = mem_realloc(vm->usermods, (size_t)(vm->nusermods + 1) * sizeof(ObjModule *));
        vm->usermods[vm->nusermods++] = m;
    }
    for (int i = m->nglobals; i < bm->nglobals && i < VM_SESSION_MAX_GLOBALS; i++)
        m->names[i] = str_intern_c(vm, bm->global_names[i]);
    m->nglobals = bm->nglobals < VM_SESSION_MAX_GLOBALS ? bm->nglobals : VM_SESSION_MAX_GLOBALS;
    m->state = MOD_LOADED;
    return m;
}

/* A library (vm_load_prelude) is not one of the program's modules: it is
 * not added to vm->usermods, which a REPL entry's load may be growing on
 * another thread meanwhile. */
static Value load(VM *vm, BcProgram *prog, VmSession *sess, bool library) {
    Loader L = {vm, prog, sess, NULL, NULL, NULL};
    int n = prog->nmodules;
    defer_wrap_init(vm);
    L.mods = mem_calloc((size_t)n + 1, sizeof(ObjModule *));
    L.structs = mem_calloc((size_t)n + 1, sizeof(ObjStructType **));
    L.protos = mem_calloc((size_t)n + 1, sizeof(ObjProto **));
    for (int mi = 0; mi < n; mi++)
        L.mods[mi] = prog->modules[mi]->repl_entry ? session_module(vm, sess, prog->modules[mi])
                                                 : module_shell(vm, prog->modules[mi]);
    for (int mi = 0; mi < n; mi++) {
        load_structs(&L, mi);
        load_protos(&L, mi);
    }
    for (int mi = 0; mi < n; mi++) {
        load_fields(&L, mi);
        load_constants(&L, mi);
    }
    if (!library)
        vm->usermods = mem_realloc(vm->usermods, (size_t)(vm->nusermods + n) * sizeof(ObjModule *));
    Value main_init = VAL_NIL;
    for (int mi = 0; mi < n; mi++) {
        ObjProto *top = L.protos[mi][prog->modules[mi]->top];
        ObjClosure *c = gc_alloc(vm, sizeof(ObjClosure), OBJ_CLOSURE);
        c->proto = top;
        if (prog->modules[mi]->repl_entry) { /* the entry: run once, by the REPL */
            main_init = val_obj(c);
            continue;
        }
        L.mods[mi]->init = val_obj(c);
        if (!library)
            vm->usermods[vm->nusermods++] = L.mods[mi];
        if (mi == n - 1) {
            main_init = L.mods[mi]->init;
            L.mods[mi]->state = MOD_LOADED;
        }
    }
    if (sess && n) { /* the session keeps every struct type for the next entries */
        BcModule *bm = prog->modules[n - 1];
        sess->structs = mem_realloc(sess->structs, ((size_t)bm->nstructs + 1) * sizeof(ObjStructType *));
        memcpy(sess->structs, L.structs[n - 1], (size_t)bm->nstructs * sizeof(ObjStructType *));
        sess->nstructs = bm->nstructs;
    }
    for (int mi = 0; mi < n; mi++) {
        free(L.structs[mi]);
        free(L.protos[mi]);
    }
    free(L.mods);
    free(L.structs);
    free(L.protos);
    return main_init;
}

Value vm_load_program(VM *vm, BcProgram *prog) { return load(vm, prog, NULL, false); }

Value vm_load_entry(VM *vm, BcProgram *prog, VmSession *sess) { return load(vm, prog, sess, false); }

/* p and the functions it creates, hidden from traces as the runtime's own. */
static void hide_protos(ObjProto *p) {
    p->hidden = 1;
    for (int c = 0; c < p->nk; c++)
        if (val_is(p->k[c], OBJ_PROTO) && !((ObjProto *)val_as_obj(p->k[c]))->hidden)
            hide_protos((ObjProto *)val_as_obj(p->k[c]));
}

ObjModule *vm_load_prelude(VM *vm, const char *name, const char *src, size_t len) {
    CompileHooks hooks = {vm, hook_module_exists_internal, hook_member};
    BcProgram *prog = compile_source(name, src, len, &hooks, stderr);
    if (!prog || prog->nmodules != 1) {
        fprintf(stderr, "fatal error: the standard library's %s does not compile\n", name);
        abort(); /* a bug of the interpreter's own source, not of the script */
    }
    Value top = load(vm, prog, NULL, true);
    bc_program_free(prog);
    ObjProto *tp = AS_CLOSURE(top)->proto;
    ObjModule *m = tp->module;
    hide_protos(tp);
    /* Its top level declares functions only: bind them as running it would. */
    for (int i = 0; i < m->nglobals; i++)
        for (int c = 0; c < tp->nk; c++) {
            ObjProto *fp = val_is(tp->k[c], OBJ_PROTO) ? (ObjProto *)val_as_obj(tp->k[c]) : NULL;
            if (fp && fp->nupvals == 0 && fp->name == m->names[i]) {
                ObjClosure *cl = gc_alloc(vm, sizeof(ObjClosure), OBJ_CLOSURE);
                cl->proto = fp;
                m->globals[i] = val_obj(cl);
            }
        }
    m->state = MOD_LOADED;
    return m;
}
