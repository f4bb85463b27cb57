/* parser/scope.c — local symbols and block scopes, name resolution through
 * enclosing functions (upvalues) to module globals and builtins, the set of
 * captured declarations, and the buffered error list. */
#include <stdlib.h>
#include <string.h>

#include "parser/compile_int.h"

/* ---- errors: buffered, sorted by position and deduplicated at the end of a
 * module (a function compiled twice reports its errors once) ---- */

void cerr(ModState *ms, int line, int col, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    line = line > 0 ? line : 1;
    col = col > 0 ? col : 1;
    /* Constant folding and then code generation may both see one bad
     * operand (`10 / 0`), one right after the other: report it once. */
    if (ms->nerrs > 0) {
        const Err *last = &ms->errs[ms->nerrs - 1];
        if (last->line == line && last->col == col && !strcmp(last->msg, buf))
            return;
    }
    if (ms->nerrs == ms->caperrs) {
        ms->caperrs = ms->caperrs ? ms->caperrs * 2 : 8;
        ms->errs = mem_realloc(ms->errs, (size_t)ms->caperrs * sizeof(Err));
    }
    Err *e = &ms->errs[ms->nerrs];
    e->line = line;
    e->col = col;
    e->seq = ms->nerrs++;
    e->msg = mem_strdup(buf);
}

void cerrn(FuncState *fs, Node *n, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int line = n ? n->line : fs->curline;
    int col = n ? n->col : 1;
    cerr(fs->ms, line, col, "%s", buf);
}

static int err_cmp(const void *a, const void *b) {
    const Err *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void errs_flush(ModState *ms) {
    if (!ms->nerrs)
        return;
    qsort(ms->errs, (size_t)ms->nerrs, sizeof(Err), err_cmp);
    for (int i = 0; i < ms->nerrs; i++) {
        int dup = 0;
        for (int j = 0; j < i && !dup; j++)
            dup = ms->errs[j].line == ms->errs[i].line && ms->errs[j].col == ms->errs[i].col &&
                  !strcmp(ms->errs[j].msg, ms->errs[i].msg);
        if (!dup && ms->diag.count < 10)
            diag_error(&ms->diag, ms->errs[i].line, ms->errs[i].col, "%s", ms->errs[i].msg);
    }
    ms->c->failed = 1;
    errs_free(ms);
}

void errs_free(ModState *ms) {
    for (int i = 0; i < ms->nerrs; i++)
        free(ms->errs[i].msg);
    free(ms->errs);
    ms->errs = NULL;
    ms->nerrs = ms->caperrs = 0;
}

/* The column of `needle` on source line `line` at or after `col` (Go
 * reports some errors at an operator or a label the tree has no position
 * for); `col` itself if it is not found. */
int src_col(ModState *ms, int line, int col, const char *needle) {
    const char *s = ms->src, *end = ms->src + ms->srclen;
    if (!s || line < 1)
        return col;
    for (int l = 1; s < end && l < line; s++)
        if (*s == '\n')
            l++;
    size_t n = strlen(needle);
    for (const char *q = s + (col > 0 ? col - 1 : 0); q < end && q + n <= end && *q != '\n'; q++)
        if (!memcmp(q, needle, n))
            return (int)(q - s) + 1;
    return col;
}

/* ---- pointer set (open addressing) ---- */

static size_t ptr_hash(const void *p) {
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= (uintptr_t)0xed5ad4bbU;
    x ^= x >> 11;
    return (size_t)x;
}

int ptrset_has(const PtrSet *s, const void *p) {
    if (!s->cap || !p)
        return 0;
    size_t m = (size_t)s->cap - 1;
    for (size_t i = ptr_hash(p) & m;; i = (i + 1) & m) {
        if (s->keys[i] == p)
            return 1;
        if (!s->keys[i])
            return 0;
    }
}

void ptrset_add(PtrSet *s, const void *p) {
    if (!p || ptrset_has(s, p))
        return;
    if ((s->n + 1) * 2 > s->cap) {
        int ncap = s->cap ? s->cap * 2 : 16;
        const void **nk = mem_alloc((size_t)ncap * sizeof(void *));
        memset(nk, 0, (size_t)ncap * sizeof(void *));
        for (int i = 0; i < s->cap; i++) {
            if (!s->keys[i])
                continue;
            size_t m = (size_t)ncap - 1, j = ptr_hash(s->keys[i]) & m;
            while (nk[j])
                j = (j + 1) & m;
            nk[j] = s->keys[i];
        }
        free(s->keys);
        s->keys = nk;
        s->cap = ncap;
    }
    size_t m = (size_t)s->cap - 1, j = ptr_hash(p) & m;
    while (s->keys[j])
        j = (j + 1) & m;
    s->keys[j] = p;
    s->n++;
}

void ptrset_free(PtrSet *s) {
    free(s->keys);
    s->keys = NULL;
    s->n = s->cap = 0;
}

/* ---- scopes ---- */

ScopeMark scope_open(FuncState *fs) {
    ScopeMark m = {fs->nsyms, fs->scope_base, fs->nactreg};
    fs->scope_base = fs->nsyms;
    fs->depth++;
    return m;
}

void scope_close(FuncState *fs, ScopeMark m) {
    fs->nsyms = m.nsyms;
    fs->scope_base = m.scope_base;
    fs->nactreg = m.nactreg;
    fs->freereg = m.nactreg;
    fs->depth--;
}

Sym *scope_find_current(FuncState *fs, const char *name) {
    for (int i = fs->nsyms - 1; i >= fs->scope_base; i--)
        if (fs->syms[i].name && !strcmp(fs->syms[i].name, name))
            return &fs->syms[i];
    return NULL;
}

static Sym *sym_push(FuncState *fs) {
    if (fs->nsyms == fs->capsyms) {
        fs->capsyms = fs->capsyms ? fs->capsyms * 2 : 16;
        fs->syms = mem_realloc(fs->syms, (size_t)fs->capsyms * sizeof(Sym));
    }
    Sym *s = &fs->syms[fs->nsyms++];
    memset(s, 0, sizeof *s);
    return s;
}

/* A local lives in a cell when a closure captures it and it is assigned
 * after its declaration (or its address is taken); a captured local that
 * never changes is copied into the closures instead (Go's capture by value). */
int is_cell(FuncState *fs, Node *decl) {
    return decl && ptrset_has(&fs->ms->captured, decl) && ptrset_has(&fs->ms->assigned, decl);
}

/* The function declaring `decl`, fs or one enclosing it, and its symbol. */
static Sym *decl_owner(FuncState *fs, Node *decl, FuncState **owner) {
    for (; fs; fs = fs->parent)
        for (int i = fs->nsyms - 1; i >= 0; i--)
            if (fs->syms[i].decl == decl && fs->syms[i].kind == SYM_VAR) {
                *owner = fs;
                return &fs->syms[i];
            }
    return NULL;
}

void mark_assigned(FuncState *fs, Node *decl) {
    ModState *ms = fs->ms;
    if (!decl || ptrset_has(&ms->assigned, decl))
        return;
    FuncState *owner;
    Sym *s = decl_owner(fs, decl, &owner);
    /* By the declaring function itself, before any closure captures it,
     * and in no loop its declaration is not in: this assignment runs once
     * for each instance of the variable, before every capture of that
     * instance (csp has no goto), so a closure that copies the variable's
     * value sees its last one (Go's compiler, which looks at no order,
     * would give it a cell).  `n := 100; if len(os.Args) > 1 { n = ... }`
     * then `go func() { for i := 0; i < n; i++ {...} }()`: the goroutine
     * reads n from its closure, with no cell and nothing for -race to check
     * (writes before the closure was made happen before any read of it). */
    if (s && owner == fs && !s->captured_now && fs->loops == s->loops) {
        s->early = fs->stmts; /* unless a closure in this statement captures it (below) */
        return;
    }
    ptrset_add(&ms->assigned, decl);
    /* captured by value already: compile the owner again with a cell */
    if (s && !s->cell && ptrset_has(&ms->captured, decl))
        owner->redo = 1;
}

/* Make the value in `reg` the local `name` (reg >= nactreg: locals may leave
 * dead holes below them).  A local captured by reference is moved into a cell. */
Sym *local_activate(FuncState *fs, const char *name, Node *decl, int reg) {
    if (reg + 1 > fs->nactreg)
        fs->nactreg = reg + 1;
    if (fs->freereg < fs->nactreg)
        fs->freereg = fs->nactreg;
    reg_check(fs, fs->nactreg);
    if (!name || !strcmp(name, "_"))
        return NULL;
    Sym *s = sym_push(fs);
    s->name = name;
    s->decl = decl;
    s->kind = SYM_VAR;
    s->reg = reg;
    s->loops = fs->loops;
    if (is_cell(fs, decl)) {
        emit_abc(fs, OP_NEWCELL, reg, reg, 0);
        s->cell = 1;
    }
    return s;
}

void local_const(FuncState *fs, const char *name, Node *decl, const ConstVal *cv) {
    if (!name || !strcmp(name, "_"))
        return;
    Sym *s = sym_push(fs);
    s->name = name;
    s->decl = decl;
    s->kind = SYM_CONST;
    s->cv = *cv;
}

static Sym *find_local(FuncState *fs, const char *name);

int local_to_cell(FuncState *fs, const char *name) {
    Sym *s = find_local(fs, name);
    if (!s || s->cell)
        return s != NULL;
    if (!s->decl)
        return -1;
    ptrset_add(&fs->ms->captured, s->decl);
    ptrset_add(&fs->ms->assigned, s->decl);
    fs->redo = 1;
    return 0;
}

void local_type(FuncState *fs, const char *name, Node *decl, int sidx) {
    Sym *s = sym_push(fs);
    s->name = name;
    s->decl = decl;
    s->kind = SYM_TYPE;
    s->reg = sidx;
}

int scope_find_type(FuncState *fs, const char *name) {
    for (; fs; fs = fs->parent) {
        Sym *s = find_local(fs, name);
        if (s)
            return s->kind == SYM_TYPE ? s->reg : -1;
    }
    return -1;
}

/* ---- resolution ---- */

static const char *const builtin_names[] = {
    "print", "println", "len",    "cap",   "append", "delete", "make",  "close", "panic", "recover", "type",
    "int",   "float64", "string", "error", "min",    "max",    "clear", "copy",  "new",   NULL,
};

int is_builtin_name(const char *name) {
    for (int i = 0; builtin_names[i]; i++)
        if (!strcmp(builtin_names[i], name))
            return 1;
    return 0;
}

static Sym *find_local(FuncState *fs, const char *name) {
    for (int i = fs->nsyms - 1; i >= 0; i--)
        if (fs->syms[i].name && !strcmp(fs->syms[i].name, name))
            return &fs->syms[i];
    return NULL;
}

static int upval_add(FuncState *fs, const char *name, Node *decl, int from_parent_reg, int index,
                     int readonly, int byval) {
    for (int i = 0; i < fs->nup; i++)
        if (!strcmp(fs->up[i].name, name))
            return i;
    if (fs->nup >= 255) {
        if (!fs->too_complex) {
            fs->too_complex = 1;
            cerr(fs->ms, fs->curline, 1, "function too complex (too many captured variables)");
        }
        return 0;
    }
    Upval *u = &fs->up[fs->nup];
    u->name = name;
    u->decl = decl;
    u->from_parent_reg = (uint8_t)from_parent_reg;
    u->index = (uint8_t)index;
    u->readonly = (uint8_t)readonly;
    u->byval = (uint8_t)byval;
    return fs->nup++;
}

/* Find `name` in the functions enclosing fs; an outer local becomes
 * captured, and an upvalue of every function in between: its value when it
 * is never assigned after its declaration, else its cell. */
static int resolve_outer(FuncState *fs, const char *name, Ref *out) {
    for (int i = 0; i < fs->nup; i++)
        if (!strcmp(fs->up[i].name, name)) {
            out->kind = R_UPVAL;
            out->idx = i;
            out->readonly = fs->up[i].readonly;
            out->byval = fs->up[i].byval;
            out->decl = fs->up[i].decl;
            return 1;
        }
    FuncState *p = fs->parent;
    if (!p)
        return 0;
    Sym *s = find_local(p, name);
    if (s) {
        if (s->kind == SYM_CONST) {
            out->kind = R_CONST;
            out->cv = s->cv;
            return 1;
        }
        if (s->kind == SYM_TYPE) {
            out->kind = R_STRUCT;
            return 1;
        }
        ptrset_add(&fs->ms->captured, s->decl);
        s->captured_now = 1;
        /* captured by the statement that assigns it (`f = func() { f() }`):
           the closure is made before the store */
        if (s->early == p->stmts)
            ptrset_add(&fs->ms->assigned, s->decl);
        /* captured after its declaration was compiled without a cell, and
           assigned: compile the owner again with this declaration in a cell */
        if (!s->cell && ptrset_has(&fs->ms->assigned, s->decl))
            p->redo = 1;
        out->kind = R_UPVAL;
        out->idx = upval_add(fs, name, s->decl, 1, s->reg, s->readonly, !s->cell);
        out->readonly = s->readonly;
        out->byval = !s->cell;
        out->decl = s->decl;
        return 1;
    }
    Ref pr;
    memset(&pr, 0, sizeof pr);
    if (!resolve_outer(p, name, &pr))
        return 0;
    if (pr.kind == R_CONST) {
        *out = pr;
        return 1;
    }
    out->kind = R_UPVAL;
    out->idx = upval_add(fs, name, p->up[pr.idx].decl, 0, pr.idx, pr.readonly, pr.byval);
    out->readonly = pr.readonly;
    out->byval = pr.byval;
    out->decl = pr.decl;
    return 1;
}

int resolve(FuncState *fs, const char *name, Ref *out) {
    memset(out, 0, sizeof *out);
    out->name = name;
    if (!name)
        return 0;
    Sym *s = find_local(fs, name);
    if (s) {
        if (s->kind == SYM_CONST) {
            out->kind = R_CONST;
            out->cv = s->cv;
        } else if (s->kind == SYM_TYPE) {
            out->kind = R_STRUCT;
        } else {
            out->kind = R_LOCAL;
            out->reg = s->reg;
            out->cell = s->cell;
            out->readonly = s->readonly;
            out->decl = s->decl;
        }
        return 1;
    }
    if (resolve_outer(fs, name, out))
        return 1;
    ModState *ms = fs->ms;
    GSym *g = mod_lookup(ms, name);
    if (g) {
        out->g = g;
        switch (g->kind) {
        case G_VAR:
            /* top-level statements see a variable only after its declaration */
            if (fs->is_top && !g->declared)
                break;
            out->kind = R_GLOBAL;
            return 1;
        case G_FUNC: out->kind = R_GLOBAL; return 1;
        case G_CONST:
            const_global_eval(ms, g);
            if (g->cfold) {
                out->kind = R_CONST;
                out->cv = g->cv;
            } else {
                out->kind = R_GLOBAL;
                out->readonly = 1;
            }
            return 1;
        case G_STRUCT: out->kind = R_STRUCT; return 1;
        case G_STDMOD: out->kind = R_STDMOD; return 1;
        case G_USERMOD: out->kind = R_USERMOD; return 1;
        }
    }
    if (ms->cur_iota >= 0 && !strcmp(name, "iota")) {
        out->kind = R_IOTA;
        out->cv.kind = CV_INT;
        out->cv.i = ms->cur_iota;
        return 1;
    }
    if (is_builtin_name(name)) {
        out->kind = R_BUILTIN;
        return 1;
    }
    if (ms->entry > 0 && (g = mod_auto_import(ms, name))) {
        out->g = g;
        out->kind = R_STDMOD;
        return 1;
    }
    out->kind = R_NONE;
    return 0;
}
