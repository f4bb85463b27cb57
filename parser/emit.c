/* parser/emit.c — instructions, the line table, constants, registers and
 * jump lists of the function being compiled. */
#include <stdlib.h>
#include <string.h>

#include "parser/compile_int.h"

/* ---- instructions ---- */

int emit(FuncState *fs, Instr i) {
    if (fs->ncode == fs->capcode) {
        fs->capcode = fs->capcode ? fs->capcode * 2 : 64;
        fs->code = mem_realloc(fs->code, (size_t)fs->capcode * sizeof(Instr));
        fs->lines = mem_realloc(fs->lines, (size_t)fs->capcode * sizeof(int32_t));
    }
    fs->code[fs->ncode] = i;
    fs->lines[fs->ncode] = fs->curline;
    return fs->ncode++;
}

int emit_abc(FuncState *fs, int op, int a, int b, int c) {
    return emit(fs, BC_ABC(op, a & 0xFF, b & 0xFF, c & 0xFF));
}

int emit_abx(FuncState *fs, int op, int a, int bx) {
    if (bx < 0 || bx > 0xFFFF) {
        if (!fs->too_complex) {
            fs->too_complex = 1;
            cerr(fs->ms, fs->curline, 1, "function too complex (too many constants)");
        }
        bx = 0;
    }
    return emit(fs, BC_ABX(op, a & 0xFF, bx));
}

int emit_asbx(FuncState *fs, int op, int a, int sbx) {
    if (sbx < -BC_SBX_BIAS || sbx > 0xFFFF - BC_SBX_BIAS) {
        if (!fs->too_complex) {
            fs->too_complex = 1;
            cerr(fs->ms, fs->curline, 1, "function too complex (jump too long)");
        }
        sbx = 0;
    }
    return emit(fs, BC_ASBX(op, a & 0xFF, sbx));
}

int here(FuncState *fs) {
    fs->lasttarget = fs->ncode;
    return fs->ncode;
}

void emit_move(FuncState *fs, int dst, int src) {
    if (dst != src)
        emit_abc(fs, OP_MOVE, dst, src, 0);
}

void emit_loadnil(FuncState *fs, int dst, int n) {
    /* merge with a LOADNIL just before (not across a jump target) */
    if (n <= 0)
        return;
    if (fs->ncode > 0 && fs->lasttarget < fs->ncode) {
        Instr prev = fs->code[fs->ncode - 1];
        if (BC_OP(prev) == OP_LOADNIL) {
            int pa = BC_A(prev), pb = BC_B(prev);
            if (pa + pb + 1 == dst && pb + n < 255) {
                fs->code[fs->ncode - 1] = BC_ABC(OP_LOADNIL, pa, pb + n, 0);
                return;
            }
        }
    }
    emit_abc(fs, OP_LOADNIL, dst, n - 1, 0);
}

/* ---- jumps ----
 * A pending jump's offset field links to the previous jump of its list
 * (offset -1, a jump to itself, ends the list). */

static int is_sbx_jump(Instr i) {
    return BC_OP(i) == OP_JMPT || BC_OP(i) == OP_JMPF;
}

static int jump_get(FuncState *fs, int pc) {
    Instr i = fs->code[pc];
    int off = is_sbx_jump(i) ? BC_SBX(i) : BC_SAX(i);
    return off == -1 ? NO_JUMP : pc + 1 + off;
}

static void jump_set(FuncState *fs, int pc, int dest) {
    Instr i = fs->code[pc];
    int off = dest == NO_JUMP ? -1 : dest - (pc + 1);
    if (is_sbx_jump(i)) {
        if (off < -BC_SBX_BIAS || off > 0xFFFF - BC_SBX_BIAS) {
            if (!fs->too_complex) {
                fs->too_complex = 1;
                cerr(fs->ms, fs->lines[pc], 1, "function too complex (jump too long)");
            }
            off = 0;
        }
        fs->code[pc] = BC_ASBX(BC_OP(i), BC_A(i), off);
    } else {
        fs->code[pc] = BC_SAX_(OP_JMP, off);
    }
}

int emit_jump(FuncState *fs) {
    return emit(fs, BC_SAX_(OP_JMP, -1));
}

int emit_condjump(FuncState *fs, int op, int a) {
    return emit(fs, BC_ASBX(op, a, -1));
}

void emit_loop(FuncState *fs, int target) {
    int ax = fs->ncode + 1 - target; /* pc -= Ax after the increment past the LOOP */
    emit(fs, (Instr)OP_LOOP | ((Instr)ax << 8));
}

void jump_concat(FuncState *fs, int *list, int l2) {
    if (l2 == NO_JUMP)
        return;
    if (*list == NO_JUMP) {
        *list = l2;
        return;
    }
    int pc = *list, next;
    while ((next = jump_get(fs, pc)) != NO_JUMP)
        pc = next;
    jump_set(fs, pc, l2);
}

void jump_patch_to(FuncState *fs, int list, int target) {
    while (list != NO_JUMP) {
        int next = jump_get(fs, list);
        jump_set(fs, list, target);
        list = next;
    }
}

void jump_patch_here(FuncState *fs, int list) {
    if (list != NO_JUMP)
        jump_patch_to(fs, list, here(fs));
}

/* ---- registers ---- */

void reg_check(FuncState *fs, int top) {
    if (top > MAX_REGS) {
        if (!fs->too_complex) {
            fs->too_complex = 1;
            cerr(fs->ms, fs->curline, 1, "function too complex (needs more than %d registers)", MAX_REGS);
        }
        return;
    }
    if (top > fs->maxreg)
        fs->maxreg = top;
}

int reg_reserve(FuncState *fs, int n) {
    int r = fs->freereg;
    fs->freereg += n;
    reg_check(fs, fs->freereg);
    if (fs->too_complex && fs->freereg > MAX_REGS) {
        /* keep encodable register numbers; the output is discarded anyway */
        fs->freereg = MAX_REGS;
        r = MAX_REGS - n > 0 ? MAX_REGS - n : 0;
    }
    return r;
}

/* ---- constants ---- */

int bcconst_eq(const BcConst *a, const BcConst *b) {
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case BK_NIL: return 1;
    case BK_BOOL:
    case BK_INT: return a->i == b->i;
    case BK_FLOAT: return memcmp(&a->f, &b->f, sizeof(double)) == 0;
    case BK_STRING: return a->slen == b->slen && memcmp(a->s, b->s, a->slen) == 0;
    case BK_FUNC:
    case BK_STRUCT:
    case BK_MODULE: return a->index == b->index;
    case BK_STRUCTEXT:
        return a->index == b->index && a->idx2 == b->idx2 && (a->index >= 0 || !strcmp(a->s, b->s));
    case BK_STDMEMBER: return !strcmp(a->s, b->s) && !strcmp(a->s2, b->s2);
    case BK_STDMODULE: return !strcmp(a->s, b->s);
    case BK_TYPE:
        return !strcmp(a->s ? a->s : "", b->s ? b->s : "") && a->index == b->index && a->idx2 == b->idx2 &&
               !strcmp(a->s2 ? a->s2 : "", b->s2 ? b->s2 : "");
    }
    return 0;
}

void bcconst_copy(BcConst *dst, const BcConst *src) {
    *dst = *src;
    if (src->s) {
        dst->s = mem_dup(src->s, src->slen);
    }
    dst->s2 = src->s2 ? mem_strdup(src->s2) : NULL;
}

void bcconst_free(BcConst *c) {
    free(c->s);
    free(c->s2);
    c->s = c->s2 = NULL;
}

/* Add a constant (copying its strings), reusing an equal one. */
int k_add(FuncState *fs, const BcConst *c) {
    for (int i = 0; i < fs->nk; i++)
        if (bcconst_eq(&fs->k[i], c))
            return i;
    if (fs->nk == fs->capk) {
        fs->capk = fs->capk ? fs->capk * 2 : 16;
        fs->k = mem_realloc(fs->k, (size_t)fs->capk * sizeof(BcConst));
    }
    bcconst_copy(&fs->k[fs->nk], c);
    return fs->nk++;
}

static BcConst kc(BcConstKind kind) {
    BcConst c;
    memset(&c, 0, sizeof c);
    c.kind = kind;
    c.index = -1;
    c.idx2 = -1;
    return c;
}

int k_int(FuncState *fs, int64_t v) {
    BcConst c = kc(BK_INT);
    c.i = v;
    return k_add(fs, &c);
}

int k_float(FuncState *fs, double v) {
    BcConst c = kc(BK_FLOAT);
    c.f = v;
    return k_add(fs, &c);
}

int k_string(FuncState *fs, const char *s, size_t len) {
    BcConst c = kc(BK_STRING);
    c.s = (char *)(s ? s : "");
    c.slen = s ? len : 0;
    return k_add(fs, &c);
}

int k_nil(FuncState *fs) {
    BcConst c = kc(BK_NIL);
    return k_add(fs, &c);
}

int k_bool(FuncState *fs, int b) {
    BcConst c = kc(BK_BOOL);
    c.i = b != 0;
    return k_add(fs, &c);
}

int k_func(FuncState *fs, int idx) {
    BcConst c = kc(BK_FUNC);
    c.index = idx;
    return k_add(fs, &c);
}

int k_struct(FuncState *fs, ModState *owner, int sidx) {
    BcConst c;
    if (owner == fs->ms) {
        c = kc(BK_STRUCT);
        c.index = sidx;
    } else {
        c = kc(BK_STRUCTEXT);
        c.index = owner->modidx;
        c.idx2 = sidx;
        if (owner->modidx < 0) { /* a module an earlier REPL entry imported: found by path and name */
            c.s = owner->m->path;
            c.slen = strlen(c.s);
            c.s2 = owner->m->structs[sidx].name;
        }
    }
    return k_add(fs, &c);
}

int k_stdmember(FuncState *fs, const char *mod, const char *member) {
    BcConst c = kc(BK_STDMEMBER);
    c.s = (char *)mod;
    c.slen = strlen(mod);
    c.s2 = (char *)member;
    return k_add(fs, &c);
}

int k_stdmodule(FuncState *fs, const char *mod) {
    BcConst c = kc(BK_STDMODULE);
    c.s = (char *)mod;
    c.slen = strlen(mod);
    return k_add(fs, &c);
}

int k_module(FuncState *fs, int modidx) {
    BcConst c = kc(BK_MODULE);
    c.index = modidx;
    return k_add(fs, &c);
}

/* A constant an instruction addresses in 8 bits.  If it lands at 256 or
 * above, the function is compiled again with every such constant pinned at
 * the front of its table (fs_repin). */
int k_small(FuncState *fs, int k, Node *at) {
    (void)at;
    if (fs->nsmallreq == fs->capsmallreq) {
        fs->capsmallreq = fs->capsmallreq ? fs->capsmallreq * 2 : 16;
        fs->smallreq = mem_realloc(fs->smallreq, sizeof(int) * (size_t)fs->capsmallreq);
    }
    fs->smallreq[fs->nsmallreq++] = k;
    if (k < 256)
        return k;
    fs->kovf = 1;
    return 0;
}

/* After a pass whose small constants overflowed: the constants to pin next
 * time (the old pins plus every requested one).  0 if they cannot fit. */
int fs_repin(FuncState *fs, BcConst **pins, int *npins) {
    BcConst *np = mem_alloc(sizeof(BcConst) * (size_t)(*npins + fs->nsmallreq + 1));
    int n = 0;
    for (int i = 0; i < *npins; i++)
        bcconst_copy(&np[n++], &(*pins)[i]);
    for (int i = 0; i < fs->nsmallreq; i++) {
        const BcConst *c = &fs->k[fs->smallreq[i]];
        int dup = 0;
        for (int j = 0; j < n && !dup; j++)
            dup = bcconst_eq(&np[j], c);
        if (!dup)
            bcconst_copy(&np[n++], c);
    }
    pins_free(*pins, *npins);
    *pins = np;
    *npins = n;
    return n < 256;
}

void pins_free(BcConst *pins, int npins) {
    for (int i = 0; i < npins; i++)
        bcconst_free(&pins[i]);
    free(pins);
}

void emit_loadk(FuncState *fs, int dst, int k) {
    emit_abx(fs, OP_LOADK, dst, k);
}

void emit_loadint(FuncState *fs, int dst, int64_t v) {
    if (v >= -BC_SBX_BIAS && v <= 0xFFFF - BC_SBX_BIAS)
        emit_asbx(fs, OP_LOADI, dst, (int)v);
    else
        emit_loadk(fs, dst, k_int(fs, v));
}

/* ---- function state ---- */

void fs_init(FuncState *fs, ModState *ms, FuncState *parent, const char *name, int line) {
    memset(fs, 0, sizeof *fs);
    fs->ms = ms;
    fs->parent = parent;
    fs->name = name;
    fs->line = line;
    fs->curline = line;
    fs->lasttarget = -1;
}

/* Put the pinned constants first (call after setting fs->pins). */
void fs_pin(FuncState *fs) {
    for (int i = 0; i < fs->npins; i++)
        k_add(fs, &fs->pins[i]);
}

void fs_discard(FuncState *fs) {
    free(fs->code);
    free(fs->lines);
    for (int i = 0; i < fs->nk; i++)
        bcconst_free(&fs->k[i]);
    free(fs->k);
    free(fs->syms);
    free(fs->smallreq);
    fs->code = NULL;
    fs->lines = NULL;
    fs->k = NULL;
    fs->syms = NULL;
    fs->smallreq = NULL;
    fs->ncode = fs->nk = fs->nsyms = fs->nsmallreq = 0;
}

BcFunc *fs_finish(FuncState *fs) {
    BcFunc *f = mem_alloc(sizeof *f);
    memset(f, 0, sizeof *f);
    f->name = mem_strdup(fs->name ? fs->name : "func");
    f->line = fs->line;
    f->nparams = (uint8_t)fs->nparams;
    if (fs->named) {
        f->named_a = (uint8_t)fs->named_a;
        f->named_n = (uint8_t)fs->named->names.len;
    }
    f->variadic = (uint8_t)fs->variadic;
    int mr = fs->maxreg;
    if (mr < fs->nparams + fs->variadic)
        mr = fs->nparams + fs->variadic;
    if (mr < 1)
        mr = 1;
    f->maxregs = (uint8_t)(mr > 255 ? 255 : mr);
    f->nupvals = (uint8_t)fs->nup;
    f->upvals = mem_alloc((size_t)(fs->nup ? fs->nup : 1) * sizeof(BcUpval));
    for (int i = 0; i < fs->nup; i++) {
        f->upvals[i].from_parent_reg = fs->up[i].from_parent_reg;
        f->upvals[i].index = fs->up[i].index;
    }
    f->code = fs->code;
    f->lines = fs->lines;
    f->ncode = fs->ncode;
    f->k = fs->k;
    f->nk = fs->nk;
    fs->code = NULL;
    fs->lines = NULL;
    fs->k = NULL;
    fs->ncode = fs->nk = 0;
    free(fs->syms);
    free(fs->smallreq);
    fs->syms = NULL;
    fs->smallreq = NULL;
    return f;
}
