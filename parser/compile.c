/* parser/compile.c — the compiler's entry points: a script and the user
 * modules it imports become a BcProgram.
 *
 * Per module: parse, collect the top-level names (imports, funcs, methods,
 * struct types, consts, vars and file-level `:=` names; every one but
 * imports of standard modules gets a global slot), resolve struct fields,
 * then compile the top-level function:
 *     IMPORT each user module, CLOSURE+SETMETHOD each method,
 *     CLOSURE+SETGLOBAL each func, the struct types and folded constants,
 *     the top-level statements in order,
 *     each func init() in order, and main() for the script.
 * User modules are compiled when first imported (memoised by absolute
 * path), so a module's dependencies precede it in BcProgram.modules. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "base/hash.h"
#include "parser/compile_int.h"

/* ---- top-level names ---- */

static void ghash_rebuild(ModState *ms) {
    free(ms->ghash);
    ms->ghcap = 16;
    while (ms->ghcap < ms->ng * 2 + 2)
        ms->ghcap *= 2;
    ms->ghash = mem_alloc(sizeof(int) * (size_t)ms->ghcap);
    for (int i = 0; i < ms->ghcap; i++)
        ms->ghash[i] = -1;
    for (int i = 0; i < ms->ng; i++) {
        unsigned j = hash_str(ms->g[i].name) & (unsigned)(ms->ghcap - 1);
        while (ms->ghash[j] >= 0)
            j = (j + 1) & (unsigned)(ms->ghcap - 1);
        ms->ghash[j] = i;
    }
}

GSym *mod_lookup(ModState *ms, const char *name) {
    if (!ms || !ms->ghcap || !name)
        return NULL;
    unsigned j = hash_str(name) & (unsigned)(ms->ghcap - 1);
    while (ms->ghash[j] >= 0) {
        GSym *g = &ms->g[ms->ghash[j]];
        if (!strcmp(g->name, name))
            return g;
        j = (j + 1) & (unsigned)(ms->ghcap - 1);
    }
    return NULL;
}

static int slot_add(ModState *ms, const char *name) {
    BcModule *m = ms->m;
    m->global_names = mem_realloc(m->global_names, sizeof(char *) * (size_t)(m->nglobals + 1));
    m->global_names[m->nglobals] = mem_strdup(name);
    return m->nglobals++;
}

/* A REPL entry declares a name of an earlier entry again: the new
 * declaration takes its place and its slot, so that code compiled before
 * (a goroutine running an old function) sees the new value. */
static GSym *gsym_replace(ModState *ms, GSym *g, GKind kind, Node *node, int with_slot) {
    int slot = g->slot, was_var = g->kind == G_VAR;
    const char *name = g->name;
    memset(g, 0, sizeof *g);
    g->name = name;
    g->kind = kind;
    g->node = node;
    g->slot = !with_slot ? -1 : slot >= 0 ? slot : slot_add(ms, name);
    g->modidx = -1;
    g->sidx = -1;
    g->entry = ms->entry;
    g->redef = was_var && kind == G_VAR && slot >= 0; /* `x := x + 1` reads the old x */
    return g;
}

static GSym *gsym_add(ModState *ms, const char *name, GKind kind, Node *node, int with_slot) {
    if (!name)
        return NULL;
    if (strcmp(name, "_")) {
        GSym *old = mod_lookup(ms, name);
        if (old && ms->entry > 0 && old->entry < ms->entry)
            return gsym_replace(ms, old, kind, node, with_slot);
        if (old) {
            cerr(ms, node ? node->line : 1, node ? node->col : 1, "%s redeclared in this block", name);
            return NULL;
        }
    }
    if (ms->ng == ms->capg) {
        ms->capg = ms->capg ? ms->capg * 2 : 32;
        ms->g = mem_realloc(ms->g, sizeof(GSym) * (size_t)ms->capg);
    }
    GSym *g = &ms->g[ms->ng++];
    memset(g, 0, sizeof *g);
    g->name = name;
    g->kind = kind;
    g->node = node;
    g->slot = with_slot && strcmp(name, "_") ? slot_add(ms, name) : -1;
    g->modidx = -1;
    g->sidx = -1;
    g->entry = ms->entry;
    if (ms->ng * 2 + 2 > ms->ghcap)
        ghash_rebuild(ms);
    else if (strcmp(name, "_")) {
        unsigned j = hash_str(name) & (unsigned)(ms->ghcap - 1);
        while (ms->ghash[j] >= 0)
            j = (j + 1) & (unsigned)(ms->ghcap - 1);
        ms->ghash[j] = ms->ng - 1;
    }
    return g;
}

GSym *mod_lookup_pkg(ModState *ms, const char *pkg) {
    GSym *g = mod_lookup(ms, pkg);
    return g || ms->entry <= 0 ? g : mod_auto_import(ms, pkg);
}

int is_exported(const char *name) {
    return name && isupper((unsigned char)name[0]);
}

/* ---- returns of a function: how many values it gives ---- */

typedef struct RetScan {
    int n, minv, maxv, unknown;
} RetScan;

static void scan_returns(Node *s, RetScan *r) {
    if (!s)
        return;
    switch (s->kind) {
    case N_RETURN: {
        int k = s->list.len;
        Node *e = k == 1 ? unparen(s->list.items[0]) : NULL;
        if (e && e->kind == N_CALL)
            r->unknown = 1;
        if (!r->n || k < r->minv)
            r->minv = k;
        if (!r->n || k > r->maxv)
            r->maxv = k;
        r->n++;
        break;
    }
    case N_BLOCK:
    case N_SELECT:
    case N_SWITCH:
    case N_TYPESWITCH:
        for (int i = 0; i < s->list.len; i++)
            scan_returns(s->list.items[i], r);
        break;
    case N_CASE: scan_returns(s->body, r); break;
    case N_IF:
        scan_returns(s->body, r);
        scan_returns(s->els, r);
        break;
    case N_FOR:
    case N_FORRANGE:
    case N_LABELED: scan_returns(s->body, r); break;
    default: break;
    }
}

static int func_nret(Node *fn) {
    if (fn->names.len)
        return fn->names.len; /* named results: every return gives them all */
    RetScan r = {0, 0, 0, 0};
    scan_returns(fn->body, &r);
    if (r.unknown)
        return 0;
    if (!r.n || r.maxv <= 1)
        return 1;
    return r.minv == r.maxv ? r.maxv : 0;
}

/* ---- types ---- */

static const char *const int_names[] = {"int",    "int8",   "int16",  "int32",   "int64", "uint", "uint8",
                                        "uint16", "uint32", "uint64", "uintptr", "byte",  "rune", NULL};

static int in_names(const char *const *l, const char *s) {
    for (int i = 0; l[i]; i++)
        if (!strcmp(l[i], s))
            return 1;
    return 0;
}

/* The (pkg, name) of a named type, from N_TYPE or a bare N_IDENT. */
static int type_name_of(Node *t, const char **pkg, const char **name) {
    while (t && t->kind == N_TYPE && t->tkind == TY_POINTER)
        t = t->elem;
    if (!t)
        return 0;
    if (t->kind == N_IDENT && t->name) {
        *pkg = NULL;
        *name = t->name;
        return 1;
    }
    if (t->kind == N_TYPE && t->tkind == TY_NAME && t->name) {
        *pkg = t->pkg;
        *name = t->name;
        return 1;
    }
    return 0;
}

static const char *last_component(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static BcConst bk_type(const char *s) {
    BcConst c;
    memset(&c, 0, sizeof c);
    c.kind = BK_TYPE;
    c.s = mem_strdup(s);
    c.slen = strlen(s);
    c.index = c.idx2 = -1;
    return c;
}

static int anon_struct(ModState *ms, Node *t);
static int struct_add(ModState *ms, const char *name, Node *t, Node *at);

/* A struct type named by `type`: this module's, an exported one of a user
 * module, or an anonymous one (registered in this module). */
int mod_struct_ref(ModState *ms, FuncState *fs, Node *type, ModState **owner, int *sidx, int report) {
    const char *pkg, *name;
    if (type && type->kind == N_TYPE && type->tkind == TY_STRUCT) {
        *owner = ms;
        *sidx = anon_struct(ms, type);
        return 1;
    }
    if (!type_name_of(type, &pkg, &name)) {
        if (report)
            cerr(ms, type ? type->line : 1, type ? type->col : 1, "invalid composite literal type");
        return 0;
    }
    if (!pkg) {
        int local = fs ? scope_find_type(fs, name) : -1;
        if (local >= 0) {
            *owner = ms;
            *sidx = local;
            return 1;
        }
        GSym *g = mod_lookup(ms, name);
        if (g && g->kind == G_STRUCT) {
            *owner = ms;
            *sidx = g->sidx;
            return 1;
        }
        if (report)
            cerr(ms, type->line, type->col, g ? "%s is not a struct type" : "undefined: %s", name);
        return 0;
    }
    GSym *m = mod_lookup_pkg(ms, pkg);
    if (!m || (m->kind != G_USERMOD && m->kind != G_STDMOD)) {
        if (report)
            cerr(ms, type->line, type->col, "undefined: %s", pkg);
        return 0;
    }
    if (m->kind == G_STDMOD || !m->mod) {
        if (report && m->kind == G_STDMOD)
            cerr(ms, type->line, type->col, "%s.%s is not a struct type", pkg, name);
        return 0;
    }
    GSym *g = mod_lookup(m->mod, name);
    if (!g || g->kind != G_STRUCT) {
        if (report)
            cerr(ms, type->line, type->col, "undefined: %s.%s", pkg, name);
        return 0;
    }
    if (!is_exported(name)) {
        if (report)
            cerr(ms, type->line, type->col, "name %s not exported by package %s", name, pkg);
        return 0;
    }
    *owner = m->mod;
    *sidx = g->sidx;
    return 1;
}

/* A native type of a standard module (sync.WaitGroup): its BK_TYPE name is
 * "<last path element>.<member>", as the VM names native types. */
static int std_type(ModState *ms, GSym *m, const char *name, Node *at, BcConst *out) {
    const CompileHooks *h = ms->c->hooks;
    StdMemberKind k = h && h->std_member ? h->std_member(h->ctx, m->path, name) : STD_TYPE;
    if (k == STD_NONE) {
        cerr(ms, at->line, at->col, "undefined: %s.%s", m->name, name);
        return 0;
    }
    if (k != STD_TYPE) {
        cerr(ms, at->line, at->col, "%s.%s is not a type", m->name, name);
        return 0;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s.%s", last_component(m->path), name);
    *out = bk_type(buf);
    return 1;
}

static int struct_type_const(ModState *ms, FuncState *fs, Node *type, BcConst *out) {
    ModState *owner;
    int sidx;
    if (!mod_struct_ref(ms, fs, type, &owner, &sidx, 1))
        return 0;
    *out = bk_type(owner->m->structs[sidx].name);
    if (owner == ms) {
        out->index = sidx;
    } else if (owner->modidx >= 0) {
        out->index = owner->modidx;
        out->idx2 = sidx;
    } else { /* a module an earlier REPL entry imported: found by path */
        out->index = -2;
        out->s2 = mem_strdup(owner->m->path);
    }
    return 1;
}

/* The BK_TYPE constant for a type in an assertion or a type switch. */
int mod_type_const(ModState *ms, FuncState *fs, Node *type, BcConst *out) {
    (void)fs;
    memset(out, 0, sizeof *out);
    out->kind = BK_NIL;
    if (!type)
        return 0;
    if (type->kind == N_NIL) {
        *out = bk_type("nil");
        return 1;
    }
    if (type->kind == N_TYPE) {
        switch (type->tkind) {
        case TY_LIST: *out = bk_type("list"); return 1;
        case TY_MAP: *out = bk_type("map"); return 1;
        case TY_CHAN: *out = bk_type("chan"); return 1;
        case TY_FUNC: *out = bk_type("func"); return 1;
        case TY_POINTER: return mod_type_const(ms, fs, type->elem, out);
        case TY_INTERFACE:
            cerr(ms, type->line, type->col,
                 "interface types are not supported here (csp is dynamically typed)");
            return 0;
        case TY_STRUCT: return struct_type_const(ms, fs, type, out);
        default: break;
        }
    }
    const char *pkg, *name;
    if (!type_name_of(type, &pkg, &name)) {
        cerr(ms, type->line, type->col, "invalid type");
        return 0;
    }
    if (!pkg) {
        GSym *g = mod_lookup(ms, name);
        if (!g) {
            if (in_names(int_names, name)) {
                *out = bk_type("int");
                return 1;
            }
            static const char *const plain[] = {"float64", "string", "bool",   "list", "map", "chan",
                                                "func",    "error",  "module", "nil",  NULL};
            if (!strcmp(name, "float32")) {
                *out = bk_type("float64");
                return 1;
            }
            if (in_names(plain, name)) {
                *out = bk_type(name);
                return 1;
            }
            if (!strcmp(name, "any")) {
                cerr(ms, type->line, type->col,
                     "interface types are not supported here (csp is dynamically typed)");
                return 0;
            }
        }
        return struct_type_const(ms, fs, type, out);
    }
    GSym *m = mod_lookup_pkg(ms, pkg);
    if (m && m->kind == G_STDMOD)
        return std_type(ms, m, name, type, out);
    return struct_type_const(ms, fs, type, out);
}

/* How a struct field or `var x T` of the given type starts out. */
int mod_type_zero(ModState *ms, FuncState *fs, Node *type, FieldZero *kind, BcConst *zero) {
    (void)fs;
    memset(zero, 0, sizeof *zero);
    zero->kind = BK_NIL;
    zero->index = zero->idx2 = -1;
    *kind = ZERO_NIL;
    if (!type)
        return 1;
    if (type->kind == N_TYPE) {
        switch (type->tkind) {
        case TY_LIST: *kind = ZERO_LIST; return 1;
        case TY_MAP: *kind = ZERO_MAP; return 1;
        case TY_CHAN:
        case TY_FUNC:
        case TY_INTERFACE:
        case TY_POINTER: return 1;
        case TY_STRUCT: {
            BcConst c;
            if (!struct_type_const(ms, fs, type, &c))
                return 0;
            *kind = ZERO_STRUCT;
            *zero = c;
            return 1;
        }
        default: break;
        }
    }
    const char *pkg, *name;
    if (!type_name_of(type, &pkg, &name)) {
        cerr(ms, type->line, type->col, "invalid type");
        return 0;
    }
    if (!pkg) {
        GSym *g = mod_lookup(ms, name);
        if (!g || g->kind != G_STRUCT) {
            if (in_names(int_names, name)) {
                *kind = ZERO_VALUE;
                zero->kind = BK_INT;
                return 1;
            }
            if (!strcmp(name, "float64") || !strcmp(name, "float32")) {
                *kind = ZERO_VALUE;
                zero->kind = BK_FLOAT;
                return 1;
            }
            if (!strcmp(name, "string")) {
                *kind = ZERO_VALUE;
                zero->kind = BK_STRING;
                zero->s = mem_strdup("");
                return 1;
            }
            if (!strcmp(name, "bool")) {
                *kind = ZERO_VALUE;
                zero->kind = BK_BOOL;
                return 1;
            }
            if (!strcmp(name, "list")) {
                *kind = ZERO_LIST;
                return 1;
            }
            if (!strcmp(name, "map")) {
                *kind = ZERO_MAP;
                return 1;
            }
            if (!strcmp(name, "chan") || !strcmp(name, "func") || !strcmp(name, "error") ||
                !strcmp(name, "any"))
                return 1;
        }
        BcConst c;
        if (!struct_type_const(ms, fs, type, &c))
            return 0;
        *kind = ZERO_STRUCT;
        *zero = c;
        return 1;
    }
    GSym *m = mod_lookup_pkg(ms, pkg);
    if (m && m->kind == G_STDMOD) {
        BcConst c;
        if (!std_type(ms, m, name, type, &c))
            return 0;
        *kind = ZERO_NATIVE;
        *zero = c;
        return 1;
    }
    BcConst c;
    if (!struct_type_const(ms, fs, type, &c))
        return 0;
    *kind = ZERO_STRUCT;
    *zero = c;
    return 1;
}

/* The BK_TYPE constant of the zero value (vm zero_value) that an element
 * of the Go type `type` starts as, when Go code writes it (make([]int, 3)):
 * 1 and *out set, or 0 when that zero is nil (no type, pointers, interfaces,
 * channels, funcs).  scalar: only int, float64, string and bool count (map
 * and channel zeros are shared, so they must be immutable). */
int mod_elem_zero(ModState *ms, FuncState *fs, Node *type, int scalar, BcConst *out) {
    FieldZero kind;
    BcConst zero;
    if (!type)
        return 0;
    /* An element type csp does not know (chan os.Signal) only means no
     * typed zero: its errors are dropped. */
    int nerrs = ms->nerrs;
    int ok = mod_type_zero(ms, fs, type, &kind, &zero);
    while (ms->nerrs > nerrs)
        free(ms->errs[--ms->nerrs].msg);
    if (!ok)
        return 0;
    if (kind == ZERO_VALUE) {
        static const char *const names[] = {[BK_INT] = "int", [BK_FLOAT] = "float64", [BK_BOOL] = "bool",
                                            [BK_STRING] = "string"};
        *out = bk_type(names[zero.kind]);
        bcconst_free(&zero);
        return 1;
    }
    if (scalar || kind == ZERO_NIL) {
        bcconst_free(&zero);
        return 0;
    }
    if (kind == ZERO_LIST || kind == ZERO_MAP) {
        bcconst_free(&zero);
        *out = bk_type(kind == ZERO_LIST ? "list" : "map");
        return 1;
    }
    *out = zero; /* ZERO_STRUCT, ZERO_NATIVE: the type itself */
    return 1;
}

/* ---- functions ---- */

static int mod_add_func(ModState *ms, BcFunc *f) {
    BcModule *m = ms->m;
    m->funcs = mem_realloc(m->funcs, sizeof(BcFunc *) * (size_t)(m->nfuncs + 1));
    m->funcs[m->nfuncs] = f;
    return m->nfuncs++;
}

static void bcfunc_free(BcFunc *f) {
    if (!f)
        return;
    free(f->name);
    free(f->upvals);
    free(f->code);
    free(f->lines);
    for (int i = 0; i < f->nk; i++)
        bcconst_free(&f->k[i]);
    free(f->k);
    free(f);
}

static void funcs_truncate(ModState *ms, int mark) {
    while (ms->m->nfuncs > mark)
        bcfunc_free(ms->m->funcs[--ms->m->nfuncs]);
}

/* Named results are locals after the parameters, starting at their zero
 * values (Go's `(n int, err error)` gives 0 and nil; csp's `(n, err)` nils). */
static void results_activate(FuncState *fs, Node *fn, int reg) {
    if (!fn->names.len)
        return;
    if (fn->names.len > 200) {
        cerrn(fs, fn, "function too complex (too many results)");
        return;
    }
    fs->named = fn;
    fs->named_a = reg;
    for (int i = 0; i < fn->names.len; i++, reg++) {
        Node *r = fn->names.items[i];
        if (strcmp(r->name, "_") && scope_find_current(fs, r->name))
            cerrn(fs, r, "duplicate argument %s", r->name);
        reg_check(fs, reg + 1);
        BcConst c;
        if (mod_elem_zero(fs->ms, fs, r->type, 0, &c)) {
            emit_abx(fs, OP_ZEROVAL, reg, k_add(fs, &c));
            bcconst_free(&c);
        } else {
            emit_loadnil(fs, reg, 1);
        }
        /* a return statement assigns them */
        ptrset_add(&fs->ms->assigned, r);
        /* `_` names no variable but keeps its register */
        local_activate(fs, strcmp(r->name, "_") ? r->name : NULL, r, reg);
        if (!strcmp(r->name, "_") && reg + 1 > fs->nactreg)
            fs->nactreg = reg + 1;
    }
}

/* Return the named results' values (a cell's content: deferred closures may
 * still change them, and the VM reads them again after the deferred calls). */
void named_return(FuncState *fs) {
    int n = fs->named->names.len;
    int base = reg_reserve(fs, n);
    for (int i = 0; i < n; i++) {
        Node *r = fs->named->names.items[i];
        if (is_cell(fs, r))
            emit_abc(fs, OP_GETCELL, base + i, fs->named_a + i, 0);
        else
            emit_move(fs, base + i, fs->named_a + i);
    }
    emit_abc(fs, OP_RETURN, base, n + 1, 0);
    fs->freereg = base;
}

static void params_activate(FuncState *fs, Node *fn, int is_method) {
    int reg = 0;
    if (is_method && fn->recv) {
        Node *r = fn->recv;
        local_activate(fs, r->name, r, reg++);
    }
    for (int i = 0; i < fn->params.len; i++) {
        Node *p = fn->params.items[i];
        const char *name = p && p->name ? p->name : NULL;
        if (p && p->type) {
            char buf[160];
            expr_str(p->type, buf, sizeof buf);
            cerrn(fs, p, "typed parameter %s %s: csp has no type annotations (write %s)", name ? name : "_",
                  buf, name ? name : "_");
        }
        if (name && strcmp(name, "_") && scope_find_current(fs, name))
            cerrn(fs, p, "duplicate argument %s", name);
        local_activate(fs, name, p, reg++);
    }
    fs->variadic = fn->variadic && fn->params.len > 0;
    fs->nparams = reg - fs->variadic;
    results_activate(fs, fn, reg);
}

/* Compile a function (declaration, method or literal) and add it to the
 * module; returns its index.  Compiled again if one of its locals turned out
 * to be captured after its declaration was emitted. */
/* After a pass: 1 if the function must be compiled again (a local turned
 * out captured, or a constant addressed in 8 bits landed too far). */
static int pass_again(FuncState *fs, int pass, BcConst **pins, int *npins) {
    if (pass >= 6)
        return 0;
    if (fs->kovf) {
        if (fs_repin(fs, pins, npins))
            return 1;
        cerr(fs->ms, fs->line, 1, "function too complex (too many constants)");
        return 0;
    }
    return fs->redo;
}

int mod_func_compile(ModState *ms, FuncState *parent, Node *fn, const char *name, int is_method) {
    int mark = ms->m->nfuncs;
    BcConst *pins = NULL;
    int npins = 0;
    for (int pass = 0;; pass++) {
        FuncState fs;
        fs_init(&fs, ms, parent, name, fn->line);
        fs.pins = pins;
        fs.npins = npins;
        fs_pin(&fs);
        fs.is_closure = fn->name == NULL && !is_method;
        params_activate(&fs, fn, is_method);
        if (fn->body)
            block_stmts(&fs, fn->body);
        fs.freereg = fs.nactreg;
        if (fn->body && fn->body->end_line)
            fs.curline = fn->body->end_line; /* a trace of the deferred calls points at the closing brace, as Go's */
        if (fs.named)
            named_return(&fs);
        else
            emit_abc(&fs, OP_RETURN, 0, 1, 0);
        if (pass_again(&fs, pass, &pins, &npins)) {
            fs_discard(&fs);
            funcs_truncate(ms, mark);
            continue;
        }
        pins_free(pins, npins);
        return mod_add_func(ms, fs_finish(&fs));
    }
}

/* ---- the module's top level ---- */

static void top_prologue(FuncState *fs) {
    ModState *ms = fs->ms;
    for (int i = 0; i < ms->ng; i++) {
        GSym *g = &ms->g[i];
        if (g->entry != ms->entry)
            continue; /* set up by an earlier REPL entry */
        if (g->kind == G_USERMOD && g->modidx >= 0) {
            fs->curline = g->node ? g->node->line : 1;
            emit_abx(fs, OP_IMPORT, 0, k_module(fs, g->modidx));
            if (g->slot >= 0)
                emit_abx(fs, OP_SETGLOBAL, 0, g->slot);
        }
    }
    for (int i = 0; i < ms->nmethods; i++) { /* SETMETHOD's constants first: they must be < 256 */
        Node *fn = ms->methods[i];
        ModState *owner;
        int sidx;
        if (mod_struct_ref(ms, NULL, fn->recv->type, &owner, &sidx, 0) && owner == ms) {
            k_struct(fs, ms, sidx);
            k_string(fs, fn->name, strlen(fn->name));
        }
    }
    for (int i = 0; i < ms->nmethods; i++) {
        Node *fn = ms->methods[i];
        ModState *owner;
        int sidx;
        if (!mod_struct_ref(ms, NULL, fn->recv->type, &owner, &sidx, 0) || owner != ms)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%s.%s", ms->m->structs[sidx].name, fn->name);
        fs->curline = fn->line;
        int idx = mod_func_compile(ms, fs, fn, name, 1);
        int kst = k_small(fs, k_struct(fs, ms, sidx), fn);
        int kname = k_small(fs, k_string(fs, fn->name, strlen(fn->name)), fn);
        emit_abx(fs, OP_CLOSURE, 0, k_func(fs, idx));
        emit_abc(fs, OP_SETMETHOD, 0, kst, kname);
    }
    for (int i = 0; i < ms->ng; i++) {
        GSym *g = &ms->g[i];
        if (g->entry != ms->entry)
            continue;
        fs->curline = g->node ? g->node->line : 1;
        if (g->kind == G_FUNC) {
            int idx = mod_func_compile(ms, fs, g->node, g->name, 0);
            if (g->slot >= 0) {
                emit_abx(fs, OP_CLOSURE, 0, k_func(fs, idx));
                emit_abx(fs, OP_SETGLOBAL, 0, g->slot);
            }
        } else if (g->kind == G_STRUCT && g->slot >= 0) {
            emit_loadk(fs, 0, k_struct(fs, ms, g->sidx));
            emit_abx(fs, OP_SETGLOBAL, 0, g->slot);
        } else if (g->kind == G_CONST && g->slot >= 0) {
            const_global_eval(ms, g);
            if (g->cfold && const_fits_int(&g->cv)) {
                const_load(fs, &g->cv, 0, g->node);
                emit_abx(fs, OP_SETGLOBAL, 0, g->slot);
            }
        }
    }
    reg_check(fs, 1);
}

/* The implicit calls of init() and main() carry line 0: they are the
 * runtime's doing, and tracebacks leave such frames out, as Go's do. */
static void top_epilogue(FuncState *fs) {
    ModState *ms = fs->ms;
    for (int i = 0; i < ms->ninits; i++) {
        char name[32];
        snprintf(name, sizeof name, "init.%d", i);
        Node *fn = ms->inits[i];
        fs->curline = fn->line;
        int idx = mod_func_compile(ms, fs, fn, name, 0);
        fs->curline = 0;
        emit_abx(fs, OP_CLOSURE, 0, k_func(fs, idx));
        emit_abc(fs, OP_CALL, 0, 1, 1);
    }
    if (ms->is_main && !ms->entry) { /* a REPL runs func main only when asked to */
        GSym *g = mod_lookup(ms, "main");
        if (g && g->kind == G_FUNC) {
            fs->curline = 0;
            emit_abx(fs, OP_GETGLOBAL, 0, g->slot);
            emit_abc(fs, OP_CALL, 0, 1, 1);
        }
    }
    emit_abc(fs, OP_RETURN, 0, 1, 0);
}

/* fmt.Println(...) and the other printing calls of fmt. */
static int is_fmt_print(FuncState *fs, Node *call) {
    Node *callee = call->kind == N_CALL ? unparen(call->a) : NULL;
    Node *mod = callee && callee->kind == N_SELECTOR ? unparen(callee->a) : NULL;
    if (!mod || mod->kind != N_IDENT || !mod->name || !callee->name)
        return 0;
    Ref r;
    if (!resolve(fs, mod->name, &r) || r.kind != R_STDMOD || !r.g || strcmp(r.g->path, "fmt"))
        return 0;
    return !strncmp(callee->name, "Print", 5) || !strncmp(callee->name, "Fprint", 6);
}

/* A REPL entry's expression statement: its values go to the session's print
 * function (a call that returns nothing passes none). */
static void print_stmt(FuncState *fs, Node *n) {
    Node *e = unparen(n->a);
    if (!e)
        return;
    if (is_fmt_print(fs, e)) { /* its byte count and nil error would only be noise */
        stmt(fs, n);
        return;
    }
    int base = fs->freereg;
    fs->curline = e->line ? e->line : fs->curline;
    reg_reserve(fs, 1);
    emit_loadk(fs, base, k_stdmember(fs, fs->ms->print_mod, fs->ms->print_fn));
    if (e->kind == N_CALL) {
        call_at(fs, e, base + 1, MULTRET);
        emit_abc(fs, OP_CALL, base, 0, 1);
    } else {
        expr_to(fs, e, reg_reserve(fs, 1));
        emit_abc(fs, OP_CALL, base, 2, 1);
    }
    fs->freereg = base;
}

static void compile_top(ModState *ms) {
    int mark = ms->m->nfuncs;
    BcConst *pins = NULL;
    int npins = 0;
    for (int pass = 0;; pass++) {
        FuncState fs;
        /* The main script's top level is Go's main.main (what a learner
         * wrote as the program); an imported module's is its init. */
        fs_init(&fs, ms, NULL, ms->is_main ? "main" : "init", 1);
        fs.pins = pins;
        fs.npins = npins;
        fs_pin(&fs);
        fs.is_top = 1;
        for (int i = 0; i < ms->ng; i++) /* earlier REPL entries' variables exist already */
            ms->g[i].declared = ms->g[i].entry < ms->entry || ms->g[i].redef;
        top_prologue(&fs);
        NodeList *l = &ms->file->list;
        for (int i = 0; i < l->len; i++) {
            Node *n = l->items[i];
            if (!n || n->kind == N_IMPORT || n->kind == N_FUNC || n->kind == N_TYPEDECL)
                continue;
            if (ms->print_fn && n->kind == N_EXPRSTMT)
                print_stmt(&fs, n);
            else
                stmt(&fs, n);
        }
        fs.freereg = fs.nactreg = 0;
        top_epilogue(&fs);
        if (pass_again(&fs, pass, &pins, &npins)) {
            fs_discard(&fs);
            funcs_truncate(ms, mark);
            continue;
        }
        pins_free(pins, npins);
        ms->m->top = mod_add_func(ms, fs_finish(&fs));
        return;
    }
}

/* ---- declarations pass ---- */

/* `type State int` / `type Celsius float64` / `type Color string`: 'i', 'f'
 * or 's'; 0 for another type. */
static int basic_kind(Node *t) {
    if (!t || t->kind != N_TYPE || t->tkind != TY_NAME || t->pkg || !t->name)
        return 0;
    if (in_names(int_names, t->name))
        return 'i';
    if (!strcmp(t->name, "string"))
        return 's';
    return !strcmp(t->name, "float64") || !strcmp(t->name, "float32") ? 'f' : 0;
}

/* A declared type: a struct, or a named int, float64 or string type (a
 * struct type without fields whose values are boxed numbers, or strings,
 * carrying it). */
static int type_declare(ModState *ms, Node *n) {
    Node *t = n->type;
    int basic = basic_kind(t);
    if (!basic && (!t || t->kind != N_TYPE || t->tkind != TY_STRUCT)) {
        cerr(ms, n->line, n->col,
             "type %s: only struct types and named int, float64 or string types can be declared (csp is dynamically "
             "typed)",
             n->name ? n->name : "_");
        return -1;
    }
    Node nofields = {.kind = N_TYPE};
    int sidx = struct_add(ms, n->name, basic ? &nofields : t, n);
    ms->m->structs[sidx].basic = (uint8_t)basic;
    return sidx;
}

static void struct_register(ModState *ms, Node *n) {
    Node *t = n->type;
    if (!basic_kind(t) && (!t || t->kind != N_TYPE || t->tkind != TY_STRUCT)) {
        type_declare(ms, n); /* reports it */
        return;
    }
    GSym *g = gsym_add(ms, n->name, G_STRUCT, n, 1);
    if (!g)
        return;
    g->sidx = type_declare(ms, n);
}

int mod_named_basic(ModState *ms, FuncState *fs, Node *type) {
    if (!type || type->kind != N_TYPE || type->tkind != TY_NAME || type->pkg || !type->name)
        return -1;
    int sidx = fs ? scope_find_type(fs, type->name) : -1;
    if (sidx < 0) {
        GSym *g = mod_lookup(ms, type->name);
        if (!g || g->kind != G_STRUCT)
            return -1;
        sidx = g->sidx;
    }
    return ms->m->structs[sidx].basic ? sidx : -1;
}

/* Add the struct type `name` with the fields of t (each starting nil until
 * struct_fields_resolve) to the module; returns its index. */
static int struct_add(ModState *ms, const char *name, Node *t, Node *at) {
    BcModule *m = ms->m;
    m->structs = mem_realloc(m->structs, sizeof(BcStruct) * (size_t)(m->nstructs + 1));
    BcStruct *st = &m->structs[m->nstructs];
    memset(st, 0, sizeof *st);
    st->name = mem_strdup(name);
    st->fields = mem_alloc(sizeof(BcField) * (size_t)(t->list.len + 1));
    for (int i = 0; i < t->list.len; i++) {
        Node *f = t->list.items[i];
        if (!f || !f->name) {
            cerr(ms, f ? f->line : at->line, f ? f->col : at->col, "embedded fields are not supported");
            continue;
        }
        int dup = 0;
        for (int j = 0; j < st->nfields; j++)
            dup |= !strcmp(st->fields[j].name, f->name);
        if (dup) {
            cerr(ms, f->line, f->col, "%s redeclared", f->name);
            continue;
        }
        BcField *bf = &st->fields[st->nfields++];
        memset(bf, 0, sizeof *bf);
        bf->name = mem_strdup(f->name);
        bf->kind = ZERO_NIL;
        bf->zero.kind = BK_NIL;
        bf->zero.index = bf->zero.idx2 = -1;
    }
    return m->nstructs++;
}

/* The fields of struct sidx, declared by the struct type t, start at the
 * zero values of their types. */
static void struct_zeros(ModState *ms, FuncState *fs, int sidx, Node *t) {
    BcStruct *st = &ms->m->structs[sidx];
    int fi = 0;
    for (int j = 0; j < t->list.len && fi < st->nfields; j++) {
        Node *f = t->list.items[j];
        if (!f || !f->name || strcmp(f->name, st->fields[fi].name))
            continue;
        FieldZero kind;
        BcConst zero;
        if (mod_type_zero(ms, fs, f->type, &kind, &zero)) {
            st = &ms->m->structs[sidx]; /* a field's own anonymous struct type may have moved the table */
            st->fields[fi].kind = kind;
            st->fields[fi].zero = zero;
        }
        fi++;
    }
}

/* Append to name[*n] as snprintf would; *n counts on past cap when it does
 * not fit, so the caller can tell a cut name. */
static void name_put(char *name, size_t cap, size_t *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = *n < cap ? vsnprintf(name + *n, cap - *n, fmt, ap) : 0;
    va_end(ap);
    *n += k > 0 ? (size_t)k : 0;
}

/* Go's spelling of an anonymous struct type t: struct { x int; in struct { b int } }. */
static void anon_name(Node *t, char *name, size_t cap, size_t *n, int depth) {
    name_put(name, cap, n, "struct {");
    for (int i = 0; i < t->list.len; i++) {
        Node *f = t->list.items[i];
        if (!f || !f->name)
            continue;
        name_put(name, cap, n, "%s %s", i ? ";" : "", f->name);
        if (f->type && f->type->kind == N_TYPE && f->type->tkind == TY_STRUCT && depth < 8) {
            name_put(name, cap, n, " ");
            anon_name(f->type, name, cap, n, depth + 1);
        } else if (f->type) {
            char ft[128];
            expr_str(f->type, ft, sizeof ft);
            name_put(name, cap, n, " %s", ft);
        }
    }
    name_put(name, cap, n, "%s}", t->list.len ? " " : "");
}

/* An anonymous struct type (`struct{}`, `struct{ x, y int }`): a struct of
 * the module named as Go's %T spells it, one per spelling (Go's types are
 * identical when their fields are); a spelling too long to keep whole gets
 * its own. */
static int anon_struct(ModState *ms, Node *t) {
    char name[1024];
    size_t n = 0;
    name[0] = 0;
    anon_name(t, name, sizeof name, &n, 0);
    for (int i = 0; n < sizeof name && i < ms->m->nstructs; i++)
        if (!strcmp(ms->m->structs[i].name, name))
            return i;
    int sidx = struct_add(ms, name, t, t);
    struct_zeros(ms, NULL, sidx, t);
    return sidx;
}

static void struct_fields_resolve(ModState *ms) {
    NodeList *l = &ms->file->list;
    for (int i = 0; i < l->len; i++) {
        Node *n = l->items[i];
        if (!n || n->kind != N_TYPEDECL || !n->name)
            continue;
        GSym *g = mod_lookup(ms, n->name);
        if (!g || g->kind != G_STRUCT || g->node != n)
            continue;
        if (!ms->m->structs[g->sidx].basic)
            struct_zeros(ms, NULL, g->sidx, n->type);
    }
}

/* A struct containing itself by value would need an infinite zero value. */
static int struct_cycle(ModState *ms, int s, char *state) {
    if (state[s] == 1)
        return 1;
    if (state[s] == 2)
        return 0;
    state[s] = 1;
    BcStruct *st = &ms->m->structs[s];
    for (int i = 0; i < st->nfields; i++) {
        BcField *f = &st->fields[i];
        if (f->kind == ZERO_STRUCT && f->zero.idx2 < 0 && f->zero.index >= 0 &&
            f->zero.index < ms->m->nstructs && struct_cycle(ms, f->zero.index, state))
            return 1;
    }
    state[s] = 2;
    return 0;
}

void mod_local_type(FuncState *fs, Node *n) {
    ModState *ms = fs->ms;
    Node *t = n->type;
    if (!basic_kind(t) && (!t || t->kind != N_TYPE || t->tkind != TY_STRUCT)) {
        type_declare(ms, n); /* reports it */
        return;
    }
    if (!n->name || !strcmp(n->name, "_"))
        return;
    if (scope_find_current(fs, n->name)) {
        cerr(ms, n->line, n->col, "%s redeclared in this block", n->name);
        return;
    }
    /* one struct per declaration, however often its function is compiled */
    int fresh = n->ival == 0;
    if (fresh)
        n->ival = type_declare(ms, n) + 1;
    int sidx = (int)n->ival - 1;
    local_type(fs, n->name, n, sidx); /* before the fields: `next *T` names it */
    if (!fresh || ms->m->structs[sidx].basic)
        return;
    struct_zeros(ms, fs, sidx, t);
    char *state = mem_calloc((size_t)ms->m->nstructs + 1, 1);
    if (struct_cycle(ms, sidx, state))
        cerr(ms, n->line, n->col, "invalid recursive type %s", n->name);
    free(state);
}

static void struct_check_cycles(ModState *ms) {
    int n = ms->m->nstructs;
    for (int s = 0; s < n; s++) {
        char *state = mem_calloc((size_t)n + 1, 1);
        if (struct_cycle(ms, s, state)) {
            GSym *g = mod_lookup(ms, ms->m->structs[s].name);
            Node *at = g ? g->node : NULL;
            cerr(ms, at ? at->line : 1, at ? at->col : 1, "invalid recursive type %s",
                 ms->m->structs[s].name);
        }
        free(state);
    }
}

static void import_decl(ModState *ms, Node *n);

static void declare_names(ModState *ms) {
    NodeList *l = &ms->file->list;
    for (int i = 0; i < l->len; i++) {
        Node *n = l->items[i];
        if (n && n->kind == N_IMPORT)
            import_decl(ms, n);
    }
    for (int i = 0; i < l->len; i++) {
        Node *n = l->items[i];
        if (n && n->kind == N_TYPEDECL && n->name)
            struct_register(ms, n);
    }
    for (int i = 0; i < l->len; i++) {
        Node *n = l->items[i];
        if (!n)
            continue;
        switch (n->kind) {
        case N_FUNC:
            if (n->recv) {
                ms->methods = mem_realloc(ms->methods, sizeof(Node *) * (size_t)(ms->nmethods + 1));
                ms->methods[ms->nmethods++] = n;
            } else if (n->name && !strcmp(n->name, "init")) {
                if (n->params.len)
                    cerr(ms, n->line, n->col, "func init must have no arguments and no return values");
                ms->inits = mem_realloc(ms->inits, sizeof(Node *) * (size_t)(ms->ninits + 1));
                ms->inits[ms->ninits++] = n;
            } else if (n->name) {
                GSym *g = gsym_add(ms, n->name, G_FUNC, n, 1);
                if (g)
                    g->nret = func_nret(n);
                if (!strcmp(n->name, "main") && ms->is_main && n->params.len)
                    cerr(ms, n->line, n->col, "func main must have no arguments and no return values");
            }
            break;
        case N_CONST:
            for (int j = 0; j < n->names.len; j++) {
                Node *id = n->names.items[j];
                if (!id || !id->name)
                    continue;
                GSym *g = gsym_add(ms, id->name, G_CONST, id, 1);
                if (!g)
                    continue;
                g->cexpr = j < n->list2.len ? n->list2.items[j] : NULL;
                g->ctype = n->type;
                g->iota = n->iotav;
            }
            break;
        case N_VAR:
            for (int j = 0; j < n->names.len; j++) {
                Node *id = n->names.items[j];
                if (id && id->name && strcmp(id->name, "_"))
                    gsym_add(ms, id->name, G_VAR, id, 1);
            }
            break;
        case N_ASSIGN:
            if (n->op != TK_DEFINE)
                break;
            for (int j = 0; j < n->list.len; j++) {
                Node *id = n->list.items[j];
                GSym *old = id && id->kind == N_IDENT && id->name ? mod_lookup(ms, id->name) : NULL;
                if (id && id->kind == N_IDENT && id->name && strcmp(id->name, "_") &&
                    (!old || (ms->entry > 0 && old->entry < ms->entry)))
                    gsym_add(ms, id->name, G_VAR, id, 1);
            }
            break;
        default: break;
        }
    }
    /* methods: a struct of this module, no clash with a field or method */
    for (int i = 0; i < ms->nmethods; i++) {
        Node *fn = ms->methods[i];
        const char *pkg, *tname;
        if (!fn->name || !type_name_of(fn->recv->type, &pkg, &tname)) {
            cerr(ms, fn->line, fn->col, "invalid receiver type");
            continue;
        }
        GSym *g = pkg ? NULL : mod_lookup(ms, tname);
        if (!g || g->kind != G_STRUCT) {
            if (pkg || (!g && !is_builtin_name(tname) && !in_names(int_names, tname)))
                cerr(ms, fn->recv->line, fn->recv->col,
                     pkg ? "cannot define new methods on non-local type %s.%s" : "undefined: %s%s",
                     pkg ? pkg : "", tname);
            else
                cerr(ms, fn->recv->line, fn->recv->col, "cannot define new methods on non-local type %s",
                     tname);
            continue;
        }
        BcStruct *st = &ms->m->structs[g->sidx];
        for (int j = 0; j < st->nfields; j++)
            if (!strcmp(st->fields[j].name, fn->name))
                cerr(ms, fn->line, fn->col, "field and method with the same name %s", fn->name);
        for (int j = 0; j < i; j++) {
            Node *o = ms->methods[j];
            const char *p2, *t2;
            if (o->name && !strcmp(o->name, fn->name) && type_name_of(o->recv->type, &p2, &t2) && !p2 &&
                !strcmp(t2, tname))
                cerr(ms, fn->line, fn->col, "method %s.%s already declared", tname, fn->name);
        }
    }
    struct_fields_resolve(ms);
    struct_check_cycles(ms);
}

/* ---- modules ---- */

static char *read_file(const char *path, size_t *len, int *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = errno;
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = mem_alloc(cap + 1);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = mem_realloc(buf, cap + 1);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        *err = EIO;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static char *dir_of(const char *path) {
    const char *s = strrchr(path, '/');
    if (!s)
        return mem_strdup(".");
    if (s == path)
        return mem_strdup("/");
    return mem_dup(path, (size_t)(s - path));
}

static char *join_path(const char *dir, const char *rel) {
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = mem_alloc(n);
    if (rel[0] == '/')
        snprintf(p, n, "%s", rel);
    else
        snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static ModState *module_compile(Compiler *c, const char *path, char *abspath, char *dir, char *src,
                                size_t len, const char *pkgname, int is_main);

/* Drop "." components and fold "x/.." in a path (messages show the path a
 * person would write: tests/m/_modules/geom.csp). */
static void path_clean(char *p) {
    char *out = p, *s = p;
    int abs = *p == '/';
    char *starts[256];
    int n = 0;
    if (abs)
        *out++ = *s++;
    while (*s) {
        char *e = strchr(s, '/');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || (len == 1 && s[0] == '.')) {
            /* skip */
        } else if (len == 2 && s[0] == '.' && s[1] == '.' && n > 0 &&
                   !(out - starts[n - 1] == 2 && starts[n - 1][0] == '.' && starts[n - 1][1] == '.')) {
            out = starts[--n];
        } else {
            if (n < 256)
                starts[n++] = out;
            bool more = s[len] == '/'; /* read before the move may overwrite it */
            memmove(out, s, len);
            out += len;
            if (more)
                *out++ = '/';
        }
        s += len;
        if (*s == '/')
            s++;
    }
    if (out > p + abs && out[-1] == '/')
        out--;
    if (out == p)
        *out++ = '.';
    *out = 0;
}

static int memo_find(Compiler *c, const char *abspath) {
    for (int i = 0; i < c->nmemo; i++)
        if (!strcmp(c->memo[i].abspath, abspath))
            return i;
    return -1;
}

static int memo_add(Compiler *c, const char *abspath) {
    if (c->nmemo == c->capmemo) {
        c->capmemo = c->capmemo ? c->capmemo * 2 : 8;
        c->memo = mem_realloc(c->memo, sizeof(ModMemo) * (size_t)c->capmemo);
    }
    c->memo[c->nmemo].abspath = mem_strdup(abspath);
    c->memo[c->nmemo].state = 1;
    c->memo[c->nmemo].ms = NULL;
    return c->nmemo++;
}

static const char *err_text(int e, char *buf, size_t cap) {
    snprintf(buf, cap, "%s", strerror(e));
    if (buf[0])
        buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}

static ModState *load_user_module(ModState *ms, Node *at, const char *ipath) {
    Compiler *c = ms->c;
    char *file = join_path(ms->dir, ipath);
    size_t fl = strlen(file);
    if (fl < 4 || strcmp(file + fl - 4, ".csp")) {
        file = mem_realloc(file, fl + 5);
        memcpy(file + fl, ".csp", 5);
    }
    path_clean(file);
    char *real = realpath(file, NULL);
    if (!real) {
        char eb[128];
        int e = errno;
        cerr(ms, at->line, at->col, "could not import %s (open %s: %s)", ipath, file,
             err_text(e, eb, sizeof eb));
        free(file);
        return NULL;
    }
    int mi = memo_find(c, real);
    if (mi >= 0) {
        free(file);
        free(real);
        if (c->memo[mi].state == 1) {
            cerr(ms, at->line, at->col, "import cycle not allowed");
            return NULL;
        }
        return c->memo[mi].state == 2 ? c->memo[mi].ms : NULL;
    }
    size_t len = 0;
    int e = 0;
    char *src = read_file(real, &len, &e);
    if (!src) {
        char eb[128];
        cerr(ms, at->line, at->col, "could not import %s (open %s: %s)", ipath, real,
             err_text(e, eb, sizeof eb));
        free(file);
        free(real);
        return NULL;
    }
    mi = memo_add(c, real);
    const char *base = last_component(ipath);
    char *pkg = mem_strdup(base);
    size_t pl = strlen(pkg);
    if (pl > 4 && !strcmp(pkg + pl - 4, ".csp"))
        pkg[pl - 4] = 0;
    /* shown as the importer's path joined with the import path */
    char *shown_dir = dir_of(ms->path);
    char *shown = join_path(shown_dir, ipath);
    free(shown_dir);
    size_t sl = strlen(shown);
    if (sl < 4 || strcmp(shown + sl - 4, ".csp")) {
        shown = mem_realloc(shown, sl + 5);
        memcpy(shown + sl, ".csp", 5);
    }
    path_clean(shown);
    ModState *child = module_compile(c, shown, real, dir_of(real), src, len, pkg, 0);
    free(shown);
    free(pkg);
    free(file);
    c->memo[mi].ms = child;
    c->memo[mi].state = child && child->modidx >= 0 ? 2 : 3;
    return c->memo[mi].state == 2 ? child : NULL;
}

static void import_decl(ModState *ms, Node *n) {
    const char *path = n->str;
    if (!path || !path[0]) {
        cerr(ms, n->line, n->col, "invalid import path: \"\"");
        return;
    }
    if (n->name && !strcmp(n->name, ".")) {
        cerr(ms, n->line, n->col, "dot imports are not supported");
        return;
    }
    int user = path[0] == '.' || path[0] == '/';
    if (!user) {
        const CompileHooks *h = ms->c->hooks;
        if (h && h->std_module_exists && !h->std_module_exists(h->ctx, path)) {
            cerr(ms, n->line, n->col, "package %s is not in std", path);
            return;
        }
        const char *bind = n->name ? n->name : last_component(path);
        GSym *g = gsym_add(ms, arena_strndup(ms->arena, bind, strlen(bind)), G_STDMOD, n, 0);
        if (g)
            g->path = path;
        return;
    }
    ModState *child = load_user_module(ms, n, path);
    char base[256];
    snprintf(base, sizeof base, "%s", last_component(path));
    size_t bl = strlen(base);
    if (bl > 4 && !strcmp(base + bl - 4, ".csp"))
        base[bl - 4] = 0;
    const char *bind = n->name ? n->name : base;
    GSym *g = gsym_add(ms, arena_strndup(ms->arena, bind, strlen(bind)), G_USERMOD, n, 1);
    if (!g)
        return;
    g->path = path;
    g->mod = child;
    g->modidx = child ? child->modidx : -1;
}

static void module_free(ModState *ms, int free_bcmodule);

static ModState *module_compile(Compiler *c, const char *path, char *abspath, char *dir, char *src,
                                size_t len, const char *pkgname, int is_main) {
    ModState *ms = mem_alloc(sizeof *ms);
    memset(ms, 0, sizeof *ms);
    ms->c = c;
    ms->modidx = -1;
    ms->abspath = abspath;
    ms->dir = dir;
    ms->src = src;
    ms->srclen = len;
    ms->is_main = is_main;
    ms->cur_iota = -1;
    ms->arena = arena_new();
    ms->path = arena_strndup(ms->arena, path, strlen(path));
    ms->pkgname = arena_strndup(ms->arena, pkgname, strlen(pkgname));
    ms->diag.out = c->errout;
    ms->diag.path = ms->path;
    ms->diag.src = src;
    ms->diag.srclen = len;
    ms->m = mem_alloc(sizeof(BcModule));
    memset(ms->m, 0, sizeof(BcModule));
    ms->m->name = mem_strdup(pkgname);
    ms->m->path = mem_strdup(abspath ? abspath : path);
    ms->file = parse_file(ms->arena, &ms->diag, src, len);
    if (ms->diag.count > 0 || !ms->file) {
        c->failed = 1;
        return ms;
    }
    declare_names(ms);
    compile_top(ms);
    if (ms->nerrs) {
        errs_flush(ms);
        return ms;
    }
    BcProgram *p = c->prog;
    p->modules = mem_realloc(p->modules, sizeof(BcModule *) * (size_t)(p->nmodules + 1));
    p->modules[p->nmodules] = ms->m;
    ms->modidx = p->nmodules++;
    return ms;
}

static void module_free(ModState *ms, int free_bcmodule) {
    if (!ms)
        return;
    if (free_bcmodule && ms->modidx < 0 && ms->m)
        bc_module_free(ms->m);
    errs_free(ms);
    ptrset_free(&ms->captured);
    ptrset_free(&ms->assigned);
    free(ms->g);
    free(ms->ghash);
    free(ms->inits);
    free(ms->methods);
    free(ms->src);
    free(ms->abspath);
    free(ms->dir);
    arena_free(ms->arena);
    free(ms);
}

static BcProgram *compile_finish(Compiler *c, ModState *main_ms) {
    int failed = c->failed || !main_ms || main_ms->modidx < 0;
    for (int i = 0; i < c->nmemo; i++) {
        if (c->memo[i].ms != main_ms)
            module_free(c->memo[i].ms, 1);
        free(c->memo[i].abspath);
    }
    free(c->memo);
    module_free(main_ms, 1);
    if (failed) {
        bc_program_free(c->prog);
        return NULL;
    }
    return c->prog;
}

static void compiler_init(Compiler *c, const CompileHooks *hooks, FILE *errout) {
    memset(c, 0, sizeof *c);
    c->hooks = hooks;
    c->errout = errout ? errout : stderr;
    c->prog = mem_alloc(sizeof(BcProgram));
    memset(c->prog, 0, sizeof(BcProgram));
}

BcProgram *compile_file(const char *path, const CompileHooks *hooks, FILE *errout) {
    Compiler c;
    compiler_init(&c, hooks, errout);
    size_t len = 0;
    int e = 0;
    char *src = read_file(path, &len, &e);
    if (!src) {
        char eb[128];
        fprintf(c.errout, "open %s: %s\n", path, err_text(e, eb, sizeof eb));
        c.failed = 1;
        return compile_finish(&c, NULL);
    }
    char *real = realpath(path, NULL);
    if (!real)
        real = mem_strdup(path);
    int mi = memo_add(&c, real);
    ModState *ms = module_compile(&c, path, real, dir_of(real), src, len, "main", 1);
    c.memo[mi].ms = ms;
    c.memo[mi].state = ms->modidx >= 0 ? 2 : 3;
    return compile_finish(&c, ms);
}

BcProgram *compile_source(const char *name, const char *src, size_t len, const CompileHooks *hooks,
                          FILE *errout) {
    Compiler c;
    compiler_init(&c, hooks, errout);
    char cwd[PATH_MAX];
    char *dir = mem_strdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
    ModState *ms = module_compile(&c, name ? name : "<input>", NULL, dir,
                                  mem_dup(src ? src : "", src ? len : 0), src ? len : 0, "main", 1);
    return compile_finish(&c, ms);
}

/* ---- a REPL session: one module compiled an entry at a time ---- */

struct CompileSession {
    Compiler c;  /* hooks and the user modules imported so far */
    ModState *ms; /* the session's module: its names, slots and struct types persist */
    ModState **kept; /* user modules of earlier entries (their names are still checked) */
    int nkept;
    char *print_mod, *print_fn;
};

/* Standard modules whose name is not their path, for the implicit import. */
static const char *const nested_std[] = {"math/rand", "runtime/debug", "os/signal", "sync/atomic",
                                         "unicode/utf8", "runtime/trace", NULL};

/* Room for implicit imports while GSym pointers are held (no realloc of ms->g). */
#define AUTO_IMPORT_ROOM 64

GSym *mod_auto_import(ModState *ms, const char *name) {
    const CompileHooks *h = ms->c->hooks;
    if (!h || !h->std_module_exists || ms->ng >= ms->capg || !strcmp(name, "builtin"))
        return NULL;
    const char *path = h->std_module_exists(h->ctx, name) ? name : NULL;
    for (int i = 0; !path && nested_std[i]; i++)
        if (!strcmp(last_component(nested_std[i]), name) && h->std_module_exists(h->ctx, nested_std[i]))
            path = nested_std[i];
    if (!path)
        return NULL;
    GSym *g = gsym_add(ms, arena_strndup(ms->arena, name, strlen(name)), G_STDMOD, NULL, 0);
    if (g)
        g->path = arena_strndup(ms->arena, path, strlen(path));
    return g;
}

static void auto_import_room(ModState *ms) {
    if (ms->capg < ms->ng + AUTO_IMPORT_ROOM) {
        ms->capg = ms->ng + 2 * AUTO_IMPORT_ROOM;
        ms->g = mem_realloc(ms->g, sizeof(GSym) * (size_t)ms->capg);
    }
}

CompileSession *compile_session_new(const CompileHooks *hooks, const char *print_mod, const char *print_fn) {
    CompileSession *s = mem_alloc(sizeof *s);
    memset(s, 0, sizeof *s);
    compiler_init(&s->c, hooks, stderr);
    free(s->c.prog);
    s->c.prog = NULL;
    s->print_mod = mem_strdup(print_mod);
    s->print_fn = mem_strdup(print_fn);
    ModState *ms = mem_alloc(sizeof *ms);
    memset(ms, 0, sizeof *ms);
    char cwd[PATH_MAX];
    ms->c = &s->c;
    ms->modidx = -1;
    ms->dir = mem_strdup(getcwd(cwd, sizeof cwd) ? cwd : ".");
    ms->is_main = 1;
    ms->cur_iota = -1;
    ms->arena = arena_new();
    ms->path = "<repl>";
    ms->pkgname = "main";
    ms->diag.path = ms->path;
    ms->m = mem_alloc(sizeof(BcModule));
    memset(ms->m, 0, sizeof(BcModule));
    ms->m->name = mem_strdup("main");
    ms->m->path = mem_strdup("<repl>");
    ms->print_mod = s->print_mod;
    ms->print_fn = s->print_fn;
    s->ms = ms;
    return s;
}

void compile_session_free(CompileSession *s) {
    if (!s)
        return;
    for (int i = 0; i < s->nkept; i++)
        module_free(s->kept[i], 1);
    free(s->kept);
    free(s->c.memo);
    s->ms->src = NULL; /* the caller's */
    bc_module_free(s->ms->m);
    module_free(s->ms, 0);
    free(s->print_mod);
    free(s->print_fn);
    free(s);
}

/* What an entry changes, to undo it when it does not compile. */
typedef struct EntryMark {
    int ng, nglobals, nstructs;
    GSym *g; /* copy of the names before the entry (replacements happen in place) */
} EntryMark;

static void entry_undo(ModState *ms, EntryMark *mk) {
    memcpy(ms->g, mk->g, sizeof(GSym) * (size_t)mk->ng);
    ms->ng = mk->ng;
    ghash_rebuild(ms);
    BcModule *m = ms->m;
    while (m->nglobals > mk->nglobals)
        free(m->global_names[--m->nglobals]);
    while (m->nstructs > mk->nstructs) {
        BcStruct *st = &m->structs[--m->nstructs];
        for (int f = 0; f < st->nfields; f++) {
            free(st->fields[f].name);
            bcconst_free(&st->fields[f].zero);
        }
        free(st->fields);
        free(st->name);
    }
    funcs_truncate(ms, 0);
}

/* What a program needs of a module the session keeps: its functions (moved
 * out: no later entry refers to them by index), and its names and structs
 * (borrowed: later entries are checked against them). */
static BcModule *module_view(BcModule *m) {
    BcModule *bm = mem_alloc(sizeof(BcModule));
    *bm = *m;
    bm->name = mem_strdup(m->name);
    bm->path = mem_strdup(m->path);
    bm->borrowed = 1;
    m->funcs = NULL;
    m->nfuncs = 0;
    return bm;
}

/* The user modules this entry imported stay known to later entries. */
static void entry_keep_modules(CompileSession *s) {
    Compiler *c = &s->c;
    for (int i = 0; i < c->nmemo; i++) {
        if (c->memo[i].ms) {
            s->kept = mem_realloc(s->kept, sizeof(ModState *) * (size_t)(s->nkept + 1));
            s->kept[s->nkept++] = c->memo[i].ms;
            c->memo[i].ms->modidx = -1; /* its BcModule went to the entry's program */
        }
        free(c->memo[i].abspath);
    }
    c->nmemo = 0;
}

BcProgram *compile_entry(CompileSession *s, const char *name, const char *src, size_t len, FILE *errout) {
    ModState *ms = s->ms;
    Compiler *c = &s->c;
    c->errout = errout ? errout : stderr;
    c->failed = 0;
    c->prog = mem_alloc(sizeof(BcProgram));
    memset(c->prog, 0, sizeof(BcProgram));
    ms->entry++;
    ms->src = (char *)src;
    ms->srclen = len;
    ms->path = arena_strndup(ms->arena, name, strlen(name));
    ms->diag = (Diag){c->errout, ms->path, src, len, 0};
    ms->nmethods = ms->ninits = 0;
    auto_import_room(ms);
    EntryMark mk = {ms->ng, ms->m->nglobals, ms->m->nstructs, mem_alloc(sizeof(GSym) * (size_t)(ms->ng + 1))};
    memcpy(mk.g, ms->g, sizeof(GSym) * (size_t)ms->ng);
    ms->file = parse_file(ms->arena, &ms->diag, src, len);
    if (ms->diag.count == 0 && ms->file) {
        declare_names(ms);
        auto_import_room(ms);
        if (ms->nerrs)
            errs_flush(ms);
        else
            compile_top(ms);
        if (ms->nerrs)
            errs_flush(ms);
    }
    ms->src = NULL;
    entry_keep_modules(s);
    BcProgram *p = c->prog;
    c->prog = NULL;
    for (int i = 0; i < p->nmodules; i++) /* user modules: the session keeps their declarations */
        p->modules[i] = module_view(p->modules[i]);
    if (ms->diag.count > 0 || c->failed || !ms->file) {
        entry_undo(ms, &mk);
        free(mk.g);
        bc_program_free(p);
        ms->entry--;
        return NULL;
    }
    free(mk.g);
    /* The entry's module: the loader creates the globals and structs from
     * first_* on and loads them into the session's module. */
    BcModule *bm = module_view(ms->m);
    bm->first_global = mk.nglobals;
    bm->first_struct = mk.nstructs;
    bm->repl_entry = 1;
    p->modules = mem_realloc(p->modules, sizeof(BcModule *) * (size_t)(p->nmodules + 1));
    p->modules[p->nmodules++] = bm;
    return p;
}

int compile_session_names(CompileSession *s, SessionName **out) {
    static const char kinds[] = {[G_VAR] = 'v', [G_CONST] = 'c', [G_FUNC] = 'f',
                                 [G_STRUCT] = 't', [G_STDMOD] = 'm', [G_USERMOD] = 'm'};
    ModState *ms = s->ms;
    *out = mem_alloc(sizeof(SessionName) * (size_t)(ms->ng + 1));
    int n = 0;
    for (int i = 0; i < ms->ng; i++) {
        GSym *g = &ms->g[i];
        if (!strcmp(g->name, "_"))
            continue;
        (*out)[n++] = (SessionName){g->name, g->kind == G_STDMOD ? g->path : NULL, g->slot, kinds[g->kind]};
    }
    return n;
}
