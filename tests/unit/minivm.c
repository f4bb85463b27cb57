/* tests/unit/minivm.c — see minivm.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/disasm.h"
#include "tests/unit/minivm.h"

/* ---- a reference interpreter for a subset of the bytecode ----
 * Enough to run small programs (ints, strings, bools, lists, structs,
 * closures, calls, methods, range over lists and ints) and compare what
 * println prints: it checks the compiler's jumps, registers, cells and
 * multiple results independently of the real VM.  Memory is never freed. */

typedef enum {
    MV_NIL,
    MV_BOOL,
    MV_INT,
    MV_FLOAT,
    MV_STR,
    MV_LIST,
    MV_FUNC,
    MV_CELL,
    MV_BUILTIN,
    MV_STRUCT,
    MV_BOUND,
    MV_MAP
} MVT;

typedef struct MV {
    MVT t;
    union {
        int64_t i;
        double f;
        void *p;
    } u;
    size_t len; /* strings */
} MV;

typedef struct MList {
    MV *items;
    int len, cap;
} MList;
typedef struct MCell {
    MV v;
} MCell;
typedef struct MClosure {
    const BcFunc *f;
    int mod;
    MV *up; /* a cell, or the value of a variable never assigned */
} MClosure;
typedef struct MStruct {
    int mod, sidx;
    MV *fields;
} MStruct;
typedef struct MBound {
    MV fn, recv;
} MBound;
typedef struct MMap {
    MV *keys, *vals;
    int len, cap;
} MMap;

typedef struct MethodEnt {
    int mod, sidx;
    const char *name;
    MV fn;
} MethodEnt;

struct Mini {
    const BcProgram *p;
    MV **globals;
    char out[8192];
    size_t outlen;
    char err[256];
    MethodEnt methods[256];
    int nmethods;
    int depth;
    int *loaded;
};

static void **mz_all;
static size_t mz_n, mz_cap;

/* Every allocation is recorded and freed by mini_free. */
static void *mz(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    if (mz_n == mz_cap) {
        mz_cap = mz_cap ? mz_cap * 2 : 1024;
        mz_all = realloc(mz_all, sizeof(void *) * mz_cap);
        if (!mz_all)
            abort();
    }
    mz_all[mz_n++] = p;
    return p;
}

static void *mgrow(void *old, int oldn, int newn, size_t size) {
    void *p = mz(size * (size_t)newn);
    if (old && oldn)
        memcpy(p, old, size * (size_t)oldn);
    return p;
}

void mini_free(void) {
    for (size_t i = 0; i < mz_n; i++)
        free(mz_all[i]);
    free(mz_all);
    mz_all = NULL;
    mz_n = mz_cap = 0;
}

static MV mv_int(int64_t i) {
    MV v = {MV_INT, {.i = i}, 0};
    return v;
}
static MV mv_bool(int b) {
    MV v = {MV_BOOL, {.i = b != 0}, 0};
    return v;
}
static MV mv_nil(void) {
    MV v = {MV_NIL, {.i = 0}, 0};
    return v;
}
static MV mv_obj(MVT t, void *p) {
    MV v = {t, {.p = p}, 0};
    return v;
}

static int mv_eq(MV a, MV b) {
    if (a.t == MV_INT && b.t == MV_FLOAT)
        return (double)a.u.i == b.u.f;
    if (a.t == MV_FLOAT && b.t == MV_INT)
        return a.u.f == (double)b.u.i;
    if (a.t != b.t)
        return 0;
    switch (a.t) {
    case MV_NIL: return 1;
    case MV_BOOL:
    case MV_INT:
    case MV_BUILTIN: return a.u.i == b.u.i;
    case MV_FLOAT: return a.u.f == b.u.f;
    case MV_STR: return a.len == b.len && !memcmp(a.u.p, b.u.p, a.len);
    default: return a.u.p == b.u.p;
    }
}

static void mv_print(Mini *vm, MV v) {
    char buf[64];
    const char *s = buf;
    size_t n;
    switch (v.t) {
    case MV_NIL: s = "<nil>"; break;
    case MV_BOOL: s = v.u.i ? "true" : "false"; break;
    case MV_INT: snprintf(buf, sizeof buf, "%lld", (long long)v.u.i); break;
    case MV_FLOAT: snprintf(buf, sizeof buf, "%g", v.u.f); break;
    case MV_STR:
        n = v.len < sizeof vm->out - vm->outlen - 1 ? v.len : 0;
        memcpy(vm->out + vm->outlen, v.u.p, n);
        vm->outlen += n;
        vm->out[vm->outlen] = 0;
        return;
    case MV_LIST: {
        MList *l = v.u.p;
        mv_print(vm, (MV){MV_STR, {.p = "["}, 1});
        for (int i = 0; i < l->len; i++) {
            if (i)
                mv_print(vm, (MV){MV_STR, {.p = " "}, 1});
            mv_print(vm, l->items[i]);
        }
        mv_print(vm, (MV){MV_STR, {.p = "]"}, 1});
        return;
    }
    case MV_STRUCT: {
        MStruct *st = v.u.p;
        const BcStruct *bs = &vm->p->modules[st->mod]->structs[st->sidx];
        mv_print(vm, (MV){MV_STR, {.p = "{"}, 1});
        for (int i = 0; i < bs->nfields; i++) {
            if (i)
                mv_print(vm, (MV){MV_STR, {.p = " "}, 1});
            mv_print(vm, st->fields[i]);
        }
        mv_print(vm, (MV){MV_STR, {.p = "}"}, 1});
        return;
    }
    default: s = "<obj>"; break;
    }
    mv_print(vm, (MV){MV_STR, {.p = (void *)s}, strlen(s)});
}

enum { B_PRINTLN = 1, B_APPEND, B_LEN, B_PRINT, B_MAKELIST, B_STR };

static MV load_k(Mini *vm, int mod, const BcConst *c) {
    switch (c->kind) {
    case BK_NIL: return mv_nil();
    case BK_BOOL: return mv_bool((int)c->i);
    case BK_INT: return mv_int(c->i);
    case BK_FLOAT: {
        MV v = {MV_FLOAT, {.f = c->f}, 0};
        return v;
    }
    case BK_STRING: {
        MV v = {MV_STR, {.p = c->s}, c->slen};
        return v;
    }
    case BK_STDMEMBER: {
        MV v = {MV_BUILTIN, {.i = 0}, 0};
        if (!strcmp(c->s, "builtin")) {
            if (!strcmp(c->s2, "println"))
                v.u.i = B_PRINTLN;
            else if (!strcmp(c->s2, "print"))
                v.u.i = B_PRINT;
            else if (!strcmp(c->s2, "append"))
                v.u.i = B_APPEND;
            else if (!strcmp(c->s2, "len"))
                v.u.i = B_LEN;
            else if (!strcmp(c->s2, "makelist"))
                v.u.i = B_MAKELIST;
            else if (!strcmp(c->s2, "string"))
                v.u.i = B_STR;
        } else if (!strcmp(c->s, "fmt") && !strcmp(c->s2, "Println")) {
            v.u.i = B_PRINTLN;
        }
        return v;
    }
    default: {
        MV v = {MV_NIL, {.i = 0}, 0};
        (void)vm;
        (void)mod;
        v.t = MV_NIL;
        return v;
    }
    }
}

static int mini_call(Mini *vm, MV fn, MV *args, int nargs, MV *out, int maxout);

static int builtin(Mini *vm, int id, MV *args, int nargs, MV *out) {
    switch (id) {
    case B_PRINTLN:
    case B_PRINT:
        for (int i = 0; i < nargs; i++) {
            if (i && id == B_PRINTLN)
                mv_print(vm, (MV){MV_STR, {.p = " "}, 1});
            mv_print(vm, args[i]);
        }
        if (id == B_PRINTLN)
            mv_print(vm, (MV){MV_STR, {.p = "\n"}, 1});
        return 0;
    case B_APPEND: {
        MList *l = nargs && args[0].t == MV_LIST ? args[0].u.p : mz(sizeof(MList));
        for (int i = 1; i < nargs; i++) {
            if (l->len == l->cap) {
                int nc = l->cap ? l->cap * 2 : 4;
                l->items = mgrow(l->items, l->len, nc, sizeof(MV));
                l->cap = nc;
            }
            l->items[l->len++] = args[i];
        }
        out[0] = mv_obj(MV_LIST, l);
        return 1;
    }
    case B_MAKELIST: {
        MList *l = mz(sizeof(MList));
        l->len = l->cap = nargs ? (int)args[0].u.i : 0;
        l->items = mz(sizeof(MV) * (size_t)(l->cap + 1));
        out[0] = mv_obj(MV_LIST, l);
        return 1;
    }
    default: snprintf(vm->err, sizeof vm->err, "unsupported builtin %d", id); return -1;
    }
}

static MV *spread(MV *args, int *nargs) {
    MV last = args[*nargs - 1];
    MList *l = last.t == MV_LIST ? last.u.p : NULL;
    int n = l ? l->len : 0;
    MV *na = mz(sizeof(MV) * (size_t)(*nargs + n + 1));
    memcpy(na, args, sizeof(MV) * (size_t)(*nargs - 1));
    for (int i = 0; i < n; i++)
        na[*nargs - 1 + i] = l->items[i];
    *nargs = *nargs - 1 + n;
    return na;
}

#define MERR(...)                                                                                            \
    do {                                                                                                     \
        snprintf(vm->err, sizeof vm->err, __VA_ARGS__);                                                      \
        return -1;                                                                                           \
    } while (0)

static int num_op(Mini *vm, int op, MV a, MV b, MV *r) {
    if (a.t == MV_STR && b.t == MV_STR && op == OP_ADD) {
        char *s = mz(a.len + b.len + 1);
        memcpy(s, a.u.p, a.len);
        memcpy(s + a.len, b.u.p, b.len);
        *r = (MV){MV_STR, {.p = s}, a.len + b.len};
        return 0;
    }
    if (a.t == MV_INT && b.t == MV_INT) {
        int64_t x = a.u.i, y = b.u.i, z;
        switch (op) {
        case OP_ADD: z = (int64_t)((uint64_t)x + (uint64_t)y); break;
        case OP_SUB: z = (int64_t)((uint64_t)x - (uint64_t)y); break;
        case OP_MUL: z = (int64_t)((uint64_t)x * (uint64_t)y); break;
        case OP_DIV:
            if (!y)
                MERR("integer divide by zero");
            z = x / y;
            break;
        case OP_MOD:
            if (!y)
                MERR("integer divide by zero");
            z = x % y;
            break;
        case OP_BAND: z = x & y; break;
        case OP_BOR: z = x | y; break;
        case OP_BXOR: z = x ^ y; break;
        case OP_BANDNOT: z = x & ~y; break;
        case OP_SHL: z = y >= 64 ? 0 : (int64_t)((uint64_t)x << y); break;
        case OP_SHR: z = y >= 64 ? (x < 0 ? -1 : 0) : x >> y; break;
        default: MERR("bad int op");
        }
        *r = mv_int(z);
        return 0;
    }
    if ((a.t == MV_INT || a.t == MV_FLOAT) && (b.t == MV_INT || b.t == MV_FLOAT)) {
        double x = a.t == MV_INT ? (double)a.u.i : a.u.f, y = b.t == MV_INT ? (double)b.u.i : b.u.f, z;
        switch (op) {
        case OP_ADD: z = x + y; break;
        case OP_SUB: z = x - y; break;
        case OP_MUL: z = x * y; break;
        case OP_DIV: z = x / y; break;
        default: MERR("bad float op");
        }
        *r = (MV){MV_FLOAT, {.f = z}, 0};
        return 0;
    }
    MERR("mismatched types %d and %d (op %s)", a.t, b.t, bc_op_name(op));
}

static int mv_less(Mini *vm, MV a, MV b, int le, int *res) {
    if (a.t == MV_INT && b.t == MV_INT) {
        *res = le ? a.u.i <= b.u.i : a.u.i < b.u.i;
        return 0;
    }
    if ((a.t == MV_INT || a.t == MV_FLOAT) && (b.t == MV_INT || b.t == MV_FLOAT)) {
        double x = a.t == MV_INT ? (double)a.u.i : a.u.f, y = b.t == MV_INT ? (double)b.u.i : b.u.f;
        *res = le ? x <= y : x < y;
        return 0;
    }
    if (a.t == MV_STR && b.t == MV_STR) {
        size_t m = a.len < b.len ? a.len : b.len;
        int c = memcmp(a.u.p, b.u.p, m);
        if (!c)
            c = a.len < b.len ? -1 : a.len > b.len;
        *res = le ? c <= 0 : c < 0;
        return 0;
    }
    MERR("mismatched compare");
}

static MV find_method(Mini *vm, MStruct *s, const char *name) {
    for (int i = 0; i < vm->nmethods; i++)
        if (vm->methods[i].mod == s->mod && vm->methods[i].sidx == s->sidx &&
            !strcmp(vm->methods[i].name, name))
            return vm->methods[i].fn;
    return mv_nil();
}

static int field_index(Mini *vm, MStruct *s, const char *name) {
    const BcStruct *bs = &vm->p->modules[s->mod]->structs[s->sidx];
    for (int i = 0; i < bs->nfields; i++)
        if (!strcmp(bs->fields[i].name, name))
            return i;
    return -1;
}

static MV new_struct(Mini *vm, int mod, int sidx) {
    MStruct *s = mz(sizeof(MStruct));
    const BcStruct *bs = &vm->p->modules[mod]->structs[sidx];
    s->mod = mod;
    s->sidx = sidx;
    s->fields = mz(sizeof(MV) * (size_t)(bs->nfields + 1));
    for (int i = 0; i < bs->nfields; i++) {
        const BcField *f = &bs->fields[i];
        if (f->kind == ZERO_VALUE)
            s->fields[i] = load_k(vm, mod, &f->zero);
        else if (f->kind == ZERO_LIST)
            s->fields[i] = mv_obj(MV_LIST, mz(sizeof(MList)));
        else if (f->kind == ZERO_STRUCT)
            s->fields[i] = new_struct(vm, f->zero.idx2 < 0 ? mod : f->zero.index,
                                      f->zero.idx2 < 0 ? f->zero.index : f->zero.idx2);
    }
    return mv_obj(MV_STRUCT, s);
}

static int mini_exec(Mini *vm, MClosure *cl, MV *args, int nargs, MV *out, int maxout) {
    const BcFunc *f = cl->f;
    const BcModule *m = vm->p->modules[cl->mod];
    MV *globals = vm->globals[cl->mod];
    MV *R = mz(sizeof(MV) * 600);
    int top = 0;
    if (++vm->depth > 200)
        MERR("too deep");
    for (int i = 0; i < f->nparams && i < nargs; i++)
        R[i] = args[i];
    if (f->variadic) {
        MList *l = mz(sizeof(MList));
        MV tmp;
        for (int i = f->nparams; i < nargs; i++)
            builtin(vm, B_APPEND, (MV[]){mv_obj(MV_LIST, l), args[i]}, 2, &tmp);
        R[f->nparams] = mv_obj(MV_LIST, l);
    }
    int pc = 0;
    long steps = 0;
    for (;;) {
        if (pc < 0 || pc >= f->ncode)
            MERR("pc out of range");
        if (++steps > 5000000)
            MERR("too many steps");
        Instr i = f->code[pc++];
        int a = BC_A(i), b = BC_B(i), c = BC_C(i);
        MV *K = NULL;
        (void)K;
#define KV(x) load_k(vm, cl->mod, &f->k[(x)])
        switch (BC_OP(i)) {
        case OP_MOVE: R[a] = R[b]; break;
        case OP_LOADK: R[a] = KV(BC_BX(i)); break;
        case OP_LOADI: R[a] = mv_int(BC_SBX(i)); break;
        case OP_LOADNIL:
            for (int j = 0; j <= b; j++)
                R[a + j] = mv_nil();
            break;
        case OP_LOADBOOL: R[a] = mv_bool(b); break;
        case OP_GETGLOBAL: R[a] = globals[BC_BX(i)]; break;
        case OP_SETGLOBAL: globals[BC_BX(i)] = R[a]; break;
        case OP_NEWCELL: {
            MCell *ce = mz(sizeof(MCell));
            ce->v = R[b];
            R[a] = mv_obj(MV_CELL, ce);
            break;
        }
        case OP_GETCELL:
            if (R[b].t != MV_CELL)
                MERR("not a cell");
            R[a] = ((MCell *)R[b].u.p)->v;
            break;
        case OP_SETCELL:
            if (R[a].t != MV_CELL)
                MERR("not a cell");
            ((MCell *)R[a].u.p)->v = R[b];
            break;
        case OP_GETUPVAL:
        case OP_GETUPVALA: /* its ADDI and SETUPVAL follow: run them as they are */
        case OP_SETUPVAL:
            if (cl->up[b].t != MV_CELL)
                MERR("upvalue %d is not a cell", b);
            if (BC_OP(i) != OP_SETUPVAL)
                R[a] = ((MCell *)cl->up[b].u.p)->v;
            else
                ((MCell *)cl->up[b].u.p)->v = R[a];
            break;
        case OP_GETUPVALV:
            if (cl->up[b].t == MV_CELL)
                MERR("value upvalue %d is a cell", b);
            R[a] = cl->up[b];
            break;
        case OP_CLOSURE: {
            const BcFunc *g = m->funcs[f->k[BC_BX(i)].index];
            MClosure *nc = mz(sizeof(MClosure));
            nc->f = g;
            nc->mod = cl->mod;
            nc->up = mz(sizeof(MV) * (size_t)(g->nupvals + 1));
            for (int u = 0; u < g->nupvals; u++)
                nc->up[u] = g->upvals[u].from_parent_reg ? R[g->upvals[u].index] : cl->up[g->upvals[u].index];
            R[a] = mv_obj(MV_FUNC, nc);
            break;
        }
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        case OP_BAND:
        case OP_BOR:
        case OP_BXOR:
        case OP_SHL:
        case OP_SHR:
        case OP_BANDNOT:
            if (num_op(vm, BC_OP(i), R[b], R[c], &R[a]) < 0)
                return -1;
            break;
        case OP_MULT: /* the reference: a MUL, then the ADD, SUB or DIV that follows */
            if (num_op(vm, OP_MUL, R[b], R[c], &R[a]) < 0)
                return -1;
            break;
        case OP_ADDI:
            if (num_op(vm, OP_ADD, R[b], mv_int(BC_SC(i)), &R[a]) < 0)
                return -1;
            break;
        case OP_ADDK:
        case OP_SUBK:
        case OP_MULK:
        case OP_DIVK:
        case OP_MODK: {
            static const int map[] = {OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD};
            if (num_op(vm, map[BC_OP(i) - OP_ADDK], R[b], KV(c), &R[a]) < 0)
                return -1;
            break;
        }
        case OP_UNM:
            if (R[b].t == MV_INT)
                R[a] = mv_int(-R[b].u.i);
            else if (R[b].t == MV_FLOAT) {
                R[a] = R[b];
                R[a].u.f = -R[a].u.f;
            } else
                MERR("bad unm");
            break;
        case OP_NOT:
            if (R[b].t != MV_BOOL)
                MERR("non-bool used as condition");
            R[a] = mv_bool(!R[b].u.i);
            break;
        case OP_BNOT: R[a] = mv_int(~R[b].u.i); break;
        case OP_EQ: R[a] = mv_bool(mv_eq(R[b], R[c])); break;
        case OP_NE: R[a] = mv_bool(!mv_eq(R[b], R[c])); break;
        case OP_EQK: R[a] = mv_bool(mv_eq(R[b], KV(c))); break;
        case OP_LT:
        case OP_LE: {
            int r;
            if (mv_less(vm, R[b], R[c], BC_OP(i) == OP_LE, &r) < 0)
                return -1;
            R[a] = mv_bool(r);
            break;
        }
        case OP_TESTBOOL:
            if (R[a].t != MV_BOOL)
                MERR("non-bool used as condition");
            break;
        case OP_JMP: pc += BC_SAX(i); break;
        case OP_LOOP: pc -= BC_AX(i); break;
        case OP_FORLT:
        case OP_FORLE: { /* R[A] += sC; the LOOP that follows is taken while R[A] < R[B] (<=) */
            int r;
            if (num_op(vm, OP_ADD, R[a], mv_int(BC_SC(i)), &R[a]) < 0 ||
                mv_less(vm, R[a], R[b], BC_OP(i) == OP_FORLE, &r) < 0)
                return -1;
            pc = r ? pc + 1 - BC_AX(f->code[pc]) : pc + 1;
            break;
        }
        case OP_FORLTU:
        case OP_FORLEU:
        case OP_FORLTUV:
        case OP_FORLEUV: { /* as FORLT with the bound Upval[B] (a cell for the U forms) */
            int cell = BC_OP(i) == OP_FORLTU || BC_OP(i) == OP_FORLEU;
            if ((cl->up[b].t == MV_CELL) != cell)
                MERR("upvalue %d of FORLTU is the wrong kind", b);
            MV bound = cell ? ((MCell *)cl->up[b].u.p)->v : cl->up[b];
            int r;
            if (num_op(vm, OP_ADD, R[a], mv_int(BC_SC(i)), &R[a]) < 0 ||
                mv_less(vm, R[a], bound, BC_OP(i) == OP_FORLEU || BC_OP(i) == OP_FORLEUV, &r) < 0)
                return -1;
            pc = r ? pc + 1 - BC_AX(f->code[pc]) : pc + 1;
            break;
        }
        case OP_JMPT:
        case OP_JMPF:
            if (R[a].t != MV_BOOL)
                MERR("non-bool used as condition");
            if ((R[a].u.i != 0) == (BC_OP(i) == OP_JMPT))
                pc += BC_SBX(i);
            break;
        case OP_JLT:
        case OP_JLE: {
            int r;
            if (mv_less(vm, R[b], R[c], BC_OP(i) == OP_JLE, &r) < 0)
                return -1;
            if (r != (a != 0))
                pc++;
            break;
        }
        case OP_JLTI:
        case OP_JLEI:
        case OP_JGTI:
        case OP_JGEI: {
            int r, op = BC_OP(i);
            MV imm = mv_int(BC_SC(i));
            if (op == OP_JLTI || op == OP_JLEI) {
                if (mv_less(vm, R[b], imm, op == OP_JLEI, &r) < 0)
                    return -1;
            } else {
                if (mv_less(vm, imm, R[b], op == OP_JGEI, &r) < 0)
                    return -1;
            }
            if (r != (a != 0))
                pc++;
            break;
        }
        case OP_SELF:
        case OP_SELFU:
        case OP_SELFC:
        case OP_SELFUC: {
            int up = BC_OP(i) == OP_SELFU || BC_OP(i) == OP_SELFUC;
            if (up && cl->up[b].t == MV_CELL)
                MERR("SELFU's upvalue %d is a cell", b);
            MV obj = up ? cl->up[b] : R[b];
            const char *name = f->k[c].s;
            R[a + 1] = obj;
            if (obj.t != MV_STRUCT)
                MERR("SELF on non-struct");
            int fi = field_index(vm, obj.u.p, name);
            if (fi >= 0) {
                R[a] = ((MStruct *)obj.u.p)->fields[fi];
                R[a + 1].t = MV_BUILTIN;
                R[a + 1].u.i = -99;
            } else
                R[a] = find_method(vm, obj.u.p, name);
            break;
        }
        case OP_CALL:
        case OP_CALLV:
        case OP_CALLM:
        case OP_CALLMV: {
            int n = b ? b - 1 : top - a - 1;
            MV *argv = &R[a + 1];
            if ((BC_OP(i) == OP_CALLM || BC_OP(i) == OP_CALLMV) && R[a + 1].t == MV_BUILTIN &&
                R[a + 1].u.i == -99) {
                argv++;
                n--;
            }
            if (BC_OP(i) == OP_CALLV || BC_OP(i) == OP_CALLMV)
                argv = spread(argv, &n);
            MV res[64];
            int nr = mini_call(vm, R[a], argv, n, res, 64);
            if (nr < 0)
                return -1;
            int want = c ? c - 1 : nr;
            for (int j = 0; j < want; j++)
                R[a + j] = j < nr ? res[j] : mv_nil();
            if (!c)
                top = a + nr;
            break;
        }
        case OP_RETURN: {
            int n = b ? b - 1 : top - a;
            for (int j = 0; j < n && j < maxout; j++)
                out[j] = R[a + j];
            vm->depth--;
            return n;
        }
        case OP_NEWLIST: R[a] = mv_obj(MV_LIST, mz(sizeof(MList))); break;
        case OP_LISTAPPEND: {
            int n = c ? c : top - b;
            for (int j = 0; j < n; j++)
                builtin(vm, B_APPEND, (MV[]){R[a], R[b + j]}, 2, &R[a]);
            break;
        }
        case OP_NEWMAP: R[a] = mv_obj(MV_MAP, mz(sizeof(MMap))); break;
        case OP_GETINDEX:
        case OP_GETINDEXZ:
        case OP_GETINDEXOK: {
            MV o = R[b], k = BC_OP(i) == OP_GETINDEXZ ? R[b + 1] : R[c];
            if (o.t == MV_LIST) {
                MList *l = o.u.p;
                if (k.t != MV_INT || k.u.i < 0 || k.u.i >= l->len)
                    MERR("index out of range");
                R[a] = l->items[k.u.i];
                if (BC_OP(i) == OP_GETINDEXOK)
                    R[a + 1] = mv_bool(1);
            } else if (o.t == MV_MAP) {
                MMap *mp = o.u.p;
                int found = 0;
                for (int j = 0; j < mp->len; j++)
                    if (mv_eq(mp->keys[j], k)) {
                        R[a] = mp->vals[j];
                        found = 1;
                        break;
                    }
                if (!found)
                    R[a] = BC_OP(i) == OP_GETINDEXZ && R[c].t == MV_INT ? mv_int(0) : mv_nil();
                if (BC_OP(i) == OP_GETINDEXOK)
                    R[a + 1] = mv_bool(found);
            } else
                MERR("index of non-list");
            break;
        }
        case OP_SETINDEX: {
            MV o = R[a];
            if (o.t == MV_LIST) {
                MList *l = o.u.p;
                if (R[b].t != MV_INT || R[b].u.i < 0 || R[b].u.i >= l->len)
                    MERR("index out of range");
                l->items[R[b].u.i] = R[c];
            } else if (o.t == MV_MAP) {
                MMap *mp = o.u.p;
                int j;
                for (j = 0; j < mp->len; j++)
                    if (mv_eq(mp->keys[j], R[b]))
                        break;
                if (j == mp->len) {
                    if (mp->len == mp->cap) {
                        int nc = mp->cap ? mp->cap * 2 : 4;
                        mp->keys = mgrow(mp->keys, mp->len, nc, sizeof(MV));
                        mp->vals = mgrow(mp->vals, mp->len, nc, sizeof(MV));
                        mp->cap = nc;
                    }
                    mp->keys[mp->len++] = R[b];
                }
                mp->vals[j] = R[c];
            } else
                MERR("setindex of non-list");
            break;
        }
        case OP_LEN:
            if (R[b].t == MV_LIST)
                R[a] = mv_int(((MList *)R[b].u.p)->len);
            else if (R[b].t == MV_STR)
                R[a] = mv_int((int64_t)R[b].len);
            else if (R[b].t == MV_MAP)
                R[a] = mv_int(((MMap *)R[b].u.p)->len);
            else
                R[a] = mv_int(0);
            break;
        case OP_ITERPREP:
            R[a] = R[b];
            R[a + 1] = mv_int(0);
            R[a + 2] = mv_int(R[b].t == MV_INT ? R[b].u.i : R[b].t == MV_LIST ? ((MList *)R[b].u.p)->len : 0);
            break;
        case OP_ITERNEXT: {
            int64_t pos = R[a + 1].u.i;
            if (pos < R[a + 2].u.i) {
                R[a + 3] = mv_int(pos);
                R[a + 4] = R[a].t == MV_LIST ? ((MList *)R[a].u.p)->items[pos] : mv_nil();
                R[a + 1] = mv_int(pos + 1);
                pc++;
            }
            break;
        }
        case OP_NEWSTRUCT: {
            const BcConst *k = &f->k[BC_BX(i)];
            R[a] =
                k->kind == BK_STRUCT ? new_struct(vm, cl->mod, k->index) : new_struct(vm, k->index, k->idx2);
            break;
        }
        case OP_STRUCTPTR: break; /* printing only */
        case OP_ZEROVAL: {
            const BcConst *k = &f->k[BC_BX(i)];
            if (k->index < 0)
                MERR("native zero value");
            R[a] = k->idx2 < 0 ? new_struct(vm, cl->mod, k->index) : new_struct(vm, k->index, k->idx2);
            break;
        }
        case OP_SETFIELDI: ((MStruct *)R[a].u.p)->fields[b] = R[c]; break;
        case OP_GETFIELD:
        case OP_SETFIELD: {
            MV o = BC_OP(i) == OP_GETFIELD ? R[b] : R[a];
            const char *name = f->k[BC_OP(i) == OP_GETFIELD ? c : b].s;
            if (o.t != MV_STRUCT)
                MERR("field of non-struct");
            int fi = field_index(vm, o.u.p, name);
            if (BC_OP(i) == OP_SETFIELD) {
                if (fi < 0)
                    MERR("no field %s", name);
                ((MStruct *)o.u.p)->fields[fi] = R[c];
            } else if (fi >= 0) {
                R[a] = ((MStruct *)o.u.p)->fields[fi];
            } else {
                MBound *bd = mz(sizeof(MBound));
                bd->fn = find_method(vm, o.u.p, name);
                bd->recv = o;
                R[a] = mv_obj(MV_BOUND, bd);
            }
            break;
        }
        case OP_SETMETHOD: {
            MethodEnt *e = &vm->methods[vm->nmethods++];
            e->mod = cl->mod;
            e->sidx = f->k[b].index;
            e->name = f->k[c].s;
            e->fn = R[a];
            break;
        }
        case OP_IMPORT: {
            int mi = f->k[BC_BX(i)].index;
            if (!vm->loaded[mi]) {
                vm->loaded[mi] = 1;
                MClosure *tc = mz(sizeof(MClosure));
                tc->f = vm->p->modules[mi]->funcs[vm->p->modules[mi]->top];
                tc->mod = mi;
                MV r[1];
                if (mini_exec(vm, tc, NULL, 0, r, 1) < 0)
                    return -1;
            }
            R[a] = mv_nil();
            break;
        }
        default: MERR("unsupported op %s", bc_op_name(BC_OP(i)));
        }
    }
}

static int mini_call(Mini *vm, MV fn, MV *args, int nargs, MV *out, int maxout) {
    if (fn.t == MV_BUILTIN)
        return builtin(vm, (int)fn.u.i, args, nargs, out);
    if (fn.t == MV_BOUND) {
        MBound *bd = fn.u.p;
        MV *na = mz(sizeof(MV) * (size_t)(nargs + 2));
        na[0] = bd->recv;
        memcpy(na + 1, args, sizeof(MV) * (size_t)nargs);
        return mini_call(vm, bd->fn, na, nargs + 1, out, maxout);
    }
    if (fn.t != MV_FUNC)
        MERR("call of non-function (type %d)", fn.t);
    return mini_exec(vm, fn.u.p, args, nargs, out, maxout);
}

int mini_run(const BcProgram *p, const char **out, const char **err) {
    Mini *vm = mz(sizeof(Mini));
    vm->p = p;
    vm->globals = mz(sizeof(MV *) * (size_t)p->nmodules);
    vm->loaded = mz(sizeof(int) * (size_t)p->nmodules);
    for (int i = 0; i < p->nmodules; i++)
        vm->globals[i] = mz(sizeof(MV) * (size_t)(p->modules[i]->nglobals + 1));
    int mi = p->nmodules - 1;
    vm->loaded[mi] = 1;
    MClosure *tc = mz(sizeof(MClosure));
    tc->f = p->modules[mi]->funcs[p->modules[mi]->top];
    tc->mod = mi;
    MV r[1];
    int rc = mini_exec(vm, tc, NULL, 0, r, 1) < 0 ? -1 : 0;
    *out = vm->out;
    *err = vm->err;
    return rc;
}
