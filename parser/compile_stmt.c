/* parser/compile_stmt.c — statements: assignment in its forms, var and
 * const declarations, if, for, range, return, go, defer, send. */
#include <stdlib.h>
#include <string.h>

#include "parser/compile_int.h"

static int file_scope(FuncState *fs) {
    return fs->is_top && fs->depth == 0;
}

static const char *plural(int n) {
    return n == 1 ? "" : "s";
}

/* Go's "assignment mismatch" with the callee's count when it is known. */
static void assign_mismatch(FuncState *fs, Node *at, int nl, NodeList *rhs) {
    if (rhs->len && rhs->items[0])
        at = rhs->items[0]; /* Go reports it at the first value */
    if (rhs->len == 1) {
        Node *r = unparen(rhs->items[0]);
        if (r && r->kind == N_CALL) {
            int k = expr_nret(fs, r);
            if (k >= 1) {
                char buf[200];
                expr_str(r->a, buf, sizeof buf);
                cerrn(fs, at, "assignment mismatch: %d variable%s but %s() returns %d value%s", nl,
                      plural(nl), buf, k, plural(k));
                return;
            }
        }
    }
    cerrn(fs, at, "assignment mismatch: %d variable%s but %d value%s", nl, plural(nl), rhs->len,
          plural(rhs->len));
}

/* Evaluate the right side of an assignment of nl values into consecutive
 * registers from freereg.  Returns the first register, or -1. */
static int eval_rhs(FuncState *fs, Node *at, int nl, NodeList *rhs) {
    int base = fs->freereg;
    if (rhs->len == nl) {
        for (int i = 0; i < nl; i++)
            expr_next(fs, rhs->items[i]);
        return base;
    }
    if (rhs->len == 1 && nl > 1) {
        Node *r = unparen(rhs->items[0]);
        int k = r && r->kind == N_CALL ? expr_nret(fs, r) : 0;
        if (k >= 1 && k != nl) {
            assign_mismatch(fs, at, nl, rhs);
            return -1;
        }
        if (expr_multi(fs, rhs->items[0], base, nl, at)) {
            fs->freereg = base + nl;
            reg_check(fs, fs->freereg);
            return base;
        }
    }
    assign_mismatch(fs, at, nl, rhs);
    return -1;
}

/* ---- targets ---- */

static int in_list(const int *l, int n, int v) {
    for (int i = 0; i < n; i++)
        if (l[i] == v)
            return 1;
    return 0;
}

/* An operand of an index or field target, copied when it is a local that
 * the same statement assigns (Go evaluates operands before assigning). */
static int target_operand(FuncState *fs, Node *n, const int *avoid, int navoid) {
    int r = expr_any(fs, n);
    if (r < fs->nactreg && in_list(avoid, navoid, r)) {
        int t = reg_reserve(fs, 1);
        emit_move(fs, t, r);
        r = t;
    }
    return r;
}

static void cannot_assign(FuncState *fs, Node *l) {
    char buf[200];
    expr_str(l, buf, sizeof buf);
    cerrn(fs, l, "cannot assign to %s (neither addressable nor a map index expression)", buf);
}

int target_prepare(FuncState *fs, Node *lhs, Target *t, const int *avoid, int navoid) {
    Node *l = unparen(lhs);
    memset(t, 0, sizeof *t);
    t->k = T_DISCARD;
    t->node = l;
    if (!l)
        return 0;
    switch (l->kind) {
    case N_IDENT: {
        if (!l->name || !strcmp(l->name, "_"))
            return 1;
        Ref r;
        resolve(fs, l->name, &r);
        switch (r.kind) {
        case R_LOCAL:
            if (r.readonly)
                break;
            mark_assigned(fs, r.decl);
            t->k = r.cell ? T_CELL : T_LOCAL;
            t->reg = r.reg;
            return 1;
        case R_UPVAL:
            if (r.readonly)
                break;
            mark_assigned(fs, r.decl);
            t->k = T_UPVAL;
            t->idx = r.idx;
            return 1;
        case R_GLOBAL:
            if (r.g->kind != G_VAR)
                break;
            t->k = T_GLOBAL;
            t->idx = r.g->slot;
            return 1;
        case R_NONE: cerrn(fs, l, "undefined: %s", l->name); return 0;
        default: break;
        }
        cannot_assign(fs, l);
        return 0;
    }
    case N_INDEX:
        t->k = T_INDEX;
        t->obj = target_operand(fs, l->a, avoid, navoid);
        t->key = target_operand(fs, l->b, avoid, navoid);
        return 1;
    case N_SELECTOR: {
        if (!l->name)
            return 0;
        Node *a = unparen(l->a);
        if (a && a->kind == N_IDENT && a->name) {
            Ref r;
            resolve(fs, a->name, &r);
            if (r.kind == R_STDMOD) {
                cannot_assign(fs, l);
                return 0;
            }
            if (r.kind == R_USERMOD) {
                int kind = user_member_check(fs, r.g, l->name, l);
                if (kind >= 0 && kind != G_VAR) {
                    cannot_assign(fs, l);
                    return 0;
                }
                t->k = T_FIELD;
                t->obj = reg_reserve(fs, 1);
                emit_abx(fs, OP_GETGLOBAL, t->obj, r.g->slot);
                t->idx = k_small(fs, k_string(fs, l->name, strlen(l->name)), l);
                return 1;
            }
        }
        t->k = T_FIELD;
        t->obj = target_operand(fs, l->a, avoid, navoid);
        t->idx = k_small(fs, k_string(fs, l->name, strlen(l->name)), l);
        return 1;
    }
    case N_UNARY:
        if (l->op == '*' || l->op == TK_MUL) {
            char buf[200];
            expr_str(l->a, buf, sizeof buf);
            cerrn(fs, l, "invalid operation: cannot indirect %s (csp has no pointers: assign to %s itself)",
                  buf, buf);
            return 0;
        }
        cannot_assign(fs, l);
        return 0;
    default: cannot_assign(fs, l); return 0;
    }
}

void target_store(FuncState *fs, const Target *t, int src) {
    switch (t->k) {
    case T_DISCARD: break;
    case T_LOCAL: emit_move(fs, t->reg, src); break;
    case T_CELL: emit_abc(fs, OP_SETCELL, t->reg, src, 0); break;
    case T_UPVAL: emit_abc(fs, OP_SETUPVAL, src, t->idx, 0); break;
    case T_GLOBAL: emit_abx(fs, OP_SETGLOBAL, src, t->idx); break;
    case T_INDEX: emit_abc(fs, OP_SETINDEX, t->obj, t->key, src); break;
    case T_FIELD: emit_abc(fs, OP_SETFIELD, t->obj, t->idx, src); break;
    }
}

/* Load a prepared target's current value into dst (op-assign). */
static void target_load(FuncState *fs, const Target *t, int dst) {
    switch (t->k) {
    case T_LOCAL: emit_move(fs, dst, t->reg); break;
    case T_CELL: emit_abc(fs, OP_GETCELL, dst, t->reg, 0); break;
    case T_UPVAL: emit_abc(fs, OP_GETUPVAL, dst, t->idx, 0); break;
    case T_GLOBAL: emit_abx(fs, OP_GETGLOBAL, dst, t->idx); break;
    case T_FIELD: emit_abc(fs, OP_GETFIELD, dst, t->obj, t->idx); break;
    default: emit_loadnil(fs, dst, 1); break;
    }
}

/* ---- assignment ---- */

static void assign_single(FuncState *fs, Node *lhs, Node *rhs) {
    Node *l = unparen(lhs);
    if (l && l->kind == N_IDENT && l->name && strcmp(l->name, "_")) {
        Ref r;
        resolve(fs, l->name, &r);
        if (r.kind == R_LOCAL && !r.cell && !r.readonly) {
            mark_assigned(fs, r.decl);
            expr_to(fs, rhs, r.reg);
            return;
        }
    }
    Target t;
    if (!target_prepare(fs, lhs, &t, NULL, 0)) {
        expr_any(fs, rhs);
        return;
    }
    int src = expr_any(fs, rhs);
    target_store(fs, &t, src);
}

static void assign_multi(FuncState *fs, Node *n) {
    NodeList *lhs = &n->list, *rhs = &n->list2;
    int nl = lhs->len;
    int *avoid = mem_alloc(sizeof(int) * (size_t)(nl + 1));
    Target *ts = mem_alloc(sizeof(Target) * (size_t)(nl + 1));
    int navoid = 0;
    for (int i = 0; i < nl; i++) {
        Node *l = unparen(lhs->items[i]);
        Ref r;
        if (l && l->kind == N_IDENT && l->name && strcmp(l->name, "_") && resolve(fs, l->name, &r) &&
            r.kind == R_LOCAL && !r.cell)
            avoid[navoid++] = r.reg;
    }
    for (int i = 0; i < nl; i++)
        target_prepare(fs, lhs->items[i], &ts[i], avoid, navoid);
    int base = eval_rhs(fs, n, nl, rhs);
    if (base >= 0)
        for (int i = 0; i < nl; i++)
            target_store(fs, &ts[i], base + i);
    free(avoid);
    free(ts);
}

/* x op= rhs  (and x++ / x--) */
static void assign_op(FuncState *fs, Node *lhs, int tok, Node *rhs) {
    Node *l = unparen(lhs);
    if (!l)
        return;
    if (l->kind == N_IDENT && l->name) {
        if (!strcmp(l->name, "_")) {
            cerrn(fs, l, "cannot use _ as value");
            return;
        }
        Ref r;
        resolve(fs, l->name, &r);
        if (r.kind == R_LOCAL && !r.cell && !r.readonly) {
            mark_assigned(fs, r.decl);
            arith_emit(fs, tok, r.reg, r.reg, rhs);
            return;
        }
    }
    if (l->kind == N_INDEX) {
        /* GETINDEXZ wants the container and key in consecutive registers */
        int base = reg_reserve(fs, 2);
        expr_to(fs, l->a, base);
        expr_to(fs, l->b, base + 1);
        int rv = expr_any(fs, rhs);
        int t = reg_reserve(fs, 1);
        emit_abc(fs, OP_GETINDEXZ, t, base, rv);
        arith_emit_rr(fs, tok, t, t, rv);
        emit_abc(fs, OP_SETINDEX, base, base + 1, t);
        return;
    }
    Target tg;
    if (!target_prepare(fs, lhs, &tg, NULL, 0) || tg.k == T_DISCARD)
        return;
    int t = reg_reserve(fs, 1);
    int load_pc = fs->ncode;
    target_load(fs, &tg, t);
    arith_emit(fs, tok, t, t, rhs);
    target_store(fs, &tg, t);
    /* x += constant on a captured variable: the VM does all three at once */
    if (tg.k == T_UPVAL && fs->ncode == load_pc + 3 && BC_OP(fs->code[load_pc]) == OP_GETUPVAL &&
        BC_OP(fs->code[load_pc + 1]) == OP_ADDI && BC_A(fs->code[load_pc + 1]) == t &&
        BC_B(fs->code[load_pc + 1]) == t)
        fs->code[load_pc] = (fs->code[load_pc] & ~(Instr)0xFF) | (Instr)OP_GETUPVALA;
}

/* x := ...  (at file scope the new names are module globals) */
void stmt_define(FuncState *fs, Node *n, int toplevel) {
    NodeList *lhs = &n->list, *rhs = &n->list2;
    int nl = lhs->len;
    int ok = 1, anynew = 0;
    char *isnew = mem_calloc((size_t)nl + 1, 1);
    for (int i = 0; i < nl; i++) {
        Node *l = lhs->items[i];
        if (!l || l->kind != N_IDENT || !l->name) {
            char buf[200];
            expr_str(l, buf, sizeof buf);
            cerrn(fs, l ? l : n, "non-name %s on left side of :=", buf);
            ok = 0;
            continue;
        }
        if (!strcmp(l->name, "_"))
            continue;
        for (int j = 0; j < i; j++) {
            Node *p = lhs->items[j];
            if (p && p->kind == N_IDENT && p->name && !strcmp(p->name, l->name)) {
                cerrn(fs, l, "%s repeated on left side of :=", l->name);
                ok = 0;
            }
        }
        if (toplevel) {
            GSym *g = mod_lookup(fs->ms, l->name);
            isnew[i] = g && g->kind == G_VAR && (!g->declared || g->redef);
        } else {
            isnew[i] = scope_find_current(fs, l->name) == NULL;
        }
        anynew |= isnew[i];
    }
    if (ok && !anynew) {
        int col = src_col(fs->ms, n->line, n->col, ":=");
        cerr(fs->ms, n->line, col, "no new variables on left side of :=");
    }
    int base = eval_rhs(fs, n, nl, rhs);
    if (!ok) {
        free(isnew);
        return;
    }
    if (base < 0) { /* declare the names anyway: no cascade of "undefined" */
        fs->freereg = fs->nactreg;
        base = reg_reserve(fs, nl);
        emit_loadnil(fs, base, nl);
    }
    if (toplevel) {
        for (int i = 0; i < nl; i++) {
            Node *l = lhs->items[i];
            if (!strcmp(l->name, "_"))
                continue;
            GSym *g = mod_lookup(fs->ms, l->name);
            if (g && g->kind == G_VAR) {
                g->declared = 1;
                emit_abx(fs, OP_SETGLOBAL, base + i, g->slot);
            } else {
                cannot_assign(fs, l);
            }
        }
        free(isnew);
        return;
    }
    /* assign the existing names first (their targets resolve before any new
       name shadows nothing: names are distinct), then activate the new ones */
    for (int i = 0; i < nl; i++) {
        Node *l = lhs->items[i];
        if (isnew[i] || !strcmp(l->name, "_"))
            continue;
        Target t;
        if (target_prepare(fs, l, &t, NULL, 0))
            target_store(fs, &t, base + i);
    }
    for (int i = 0; i < nl; i++)
        if (isnew[i])
            local_activate(fs, lhs->items[i]->name, lhs->items[i], base + i);
    free(isnew);
}

static void stmt_assign(FuncState *fs, Node *n) {
    if (n->op == TK_DEFINE) {
        stmt_define(fs, n, file_scope(fs));
        return;
    }
    if (n->op == TK_ASSIGN || n->op == '=') {
        if (n->list.len == 1 && n->list2.len == 1)
            assign_single(fs, n->list.items[0], n->list2.items[0]);
        else
            assign_multi(fs, n);
        return;
    }
    int tok = binop_for_assign(n->op);
    if (tok < 0 || n->list.len != 1 || n->list2.len != 1) {
        cerrn(fs, n, "invalid assignment");
        return;
    }
    assign_op(fs, n->list.items[0], tok, n->list2.items[0]);
}

static void stmt_incdec(FuncState *fs, Node *n) {
    Node one;
    memset(&one, 0, sizeof one);
    one.kind = N_INT;
    one.ival = 1;
    one.line = n->line;
    one.col = n->col;
    assign_op(fs, n->a, n->op == TK_DEC ? TK_SUB : TK_ADD, &one);
}

/* ---- declarations ---- */

void zero_to(FuncState *fs, Node *type, int dst) {
    if (!type) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    FieldZero kind;
    BcConst zero;
    if (!mod_type_zero(fs->ms, fs, type, &kind, &zero)) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    switch (kind) {
    case ZERO_NIL: emit_loadnil(fs, dst, 1); break;
    case ZERO_VALUE:
        if (zero.kind == BK_INT)
            emit_loadint(fs, dst, zero.i);
        else if (zero.kind == BK_BOOL)
            emit_abc(fs, OP_LOADBOOL, dst, zero.i != 0, 0);
        else
            emit_loadk(fs, dst, k_add(fs, &zero));
        break;
    case ZERO_LIST: emit_abx(fs, OP_NEWLIST, dst, 0); break;
    case ZERO_MAP: emit_abx(fs, OP_NEWMAP, dst, 0); break;
    case ZERO_STRUCT:
    case ZERO_NATIVE: emit_abx(fs, OP_ZEROVAL, dst, k_add(fs, &zero)); break;
    }
    bcconst_free(&zero);
}

void stmt_var(FuncState *fs, Node *n, int toplevel) {
    NodeList *names = &n->names, *vals = &n->list2;
    int nl = names->len;
    if (!toplevel) {
        for (int i = 0; i < nl; i++) {
            Node *id = names->items[i];
            if (id && id->name && strcmp(id->name, "_") && scope_find_current(fs, id->name))
                cerrn(fs, id, "%s redeclared in this block", id->name);
        }
    }
    int base = fs->freereg;
    if (vals->len == 0) {
        for (int i = 0; i < nl; i++)
            zero_to(fs, n->type, reg_reserve(fs, 1));
    } else {
        base = eval_rhs(fs, n, nl, vals);
        if (base < 0)
            return;
    }
    for (int i = 0; i < nl; i++) {
        Node *id = names->items[i];
        if (!id || !id->name)
            continue;
        if (toplevel) {
            if (!strcmp(id->name, "_"))
                continue;
            GSym *g = mod_lookup(fs->ms, id->name);
            if (g && g->kind == G_VAR) {
                g->declared = 1;
                emit_abx(fs, OP_SETGLOBAL, base + i, g->slot);
            }
        } else {
            local_activate(fs, id->name, id, base + i);
        }
    }
}

void stmt_const(FuncState *fs, Node *n, int toplevel) {
    NodeList *names = &n->names, *vals = &n->list2;
    ModState *ms = fs->ms;
    int64_t saved = ms->cur_iota;
    if (vals->len > names->len && vals->items[names->len])
        cerrn(fs, vals->items[names->len], "extra init expr");
    for (int i = 0; i < names->len; i++) {
        Node *id = names->items[i];
        if (!id || !id->name)
            continue;
        if (toplevel) {
            GSym *g = mod_lookup(ms, id->name);
            if (!g || g->kind != G_CONST || g->node != id)
                continue;
            const_global_eval(ms, g);
            if (g->cfold || !g->cexpr)
                continue; /* set in the prologue */
            ms->cur_iota = g->iota;
            int sidx = mod_named_basic(ms, NULL, g->ctype), r;
            if (sidx >= 0) {
                r = reg_reserve(fs, 1);
                conv_to(fs, sidx, g->cexpr, r);
            } else {
                r = expr_next(fs, g->cexpr);
            }
            ms->cur_iota = saved;
            emit_abx(fs, OP_SETGLOBAL, r, g->slot);
            fs->freereg = fs->nactreg;
            continue;
        }
        if (strcmp(id->name, "_") && scope_find_current(fs, id->name))
            cerrn(fs, id, "%s redeclared in this block", id->name);
        Node *e = i < vals->len ? vals->items[i] : NULL;
        if (!e) {
            cerrn(fs, id, "missing init expr for const declaration");
            continue;
        }
        ms->cur_iota = n->iotav;
        ConstVal cv;
        int sidx = mod_named_basic(ms, fs, n->type);
        if (sidx >= 0 && const_is_constexpr(fs, ms, e)) { /* a value of a named type, made at run time */
            int r = reg_reserve(fs, 1);
            conv_to(fs, sidx, e, r);
            Sym *s = local_activate(fs, id->name, id, r);
            if (s)
                s->readonly = 1;
        } else if (const_eval(fs, ms, e, &cv) && cv.kind != CV_NIL) {
            local_const(fs, id->name, id, &cv);
        } else if (const_is_constexpr(fs, ms, e)) {
            int r = expr_next(fs, e);
            Sym *s = local_activate(fs, id->name, id, r);
            if (s)
                s->readonly = 1;
        } else {
            char buf[200];
            expr_str(e, buf, sizeof buf);
            cerrn(fs, e, "%s is not constant", buf);
        }
        ms->cur_iota = saved;
    }
}

/* ---- control flow ---- */

static int block_terminates(Node *b) {
    if (!b)
        return 0;
    if (b->kind == N_BLOCK) {
        if (!b->list.len)
            return 0;
        return block_terminates(b->list.items[b->list.len - 1]);
    }
    return b->kind == N_RETURN || b->kind == N_BREAK || b->kind == N_CONTINUE;
}

static void stmt_if(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    if (n->init)
        stmt(fs, n->init);
    int jf = NO_JUMP;
    if (!n->a)
        cerrn(fs, n, "missing condition in if statement");
    else
        cond_jump(fs, n->a, 0, &jf);
    stmt(fs, n->body);
    if (n->els) {
        int jend = block_terminates(n->body) ? NO_JUMP : emit_jump(fs);
        jump_patch_here(fs, jf);
        stmt(fs, n->els);
        jump_patch_here(fs, jend);
    } else {
        jump_patch_here(fs, jf);
    }
    scope_close(fs, m);
}

/* A counted loop `for ...; i < n; i += k` whose condition compiled to
 * `top: JLT 0 i n; JMP exit` (or JLE) and whose post statement to one
 * `ADDI i i k`: the ADDI becomes FORLT (FORLE), which steps, tests and jumps
 * back past the condition in one dispatch, and the LOOP it takes follows it.
 * A bound that is a captured variable (a goroutine's or closure's loop up to
 * an outer n) compiled to `top: GETUPVAL(V) t n; JLT 0 i t; JMP exit`, and
 * the ADDI becomes FORLTU (FORLEU; FORLTUV, FORLEUV for a value upvalue),
 * which reads the bound itself each time round.
 * Returns 0, changing nothing, for any other shape. */
static int fuse_counted_loop(FuncState *fs, int top, int exitj, int post_pc) {
    int up = -1, upop = 0; /* the bound's upvalue, and GETUPVAL or GETUPVALV */
    if (fs->ncode == post_pc + 1 && post_pc >= top + 3 && exitj == top + 2 &&
        (BC_OP(fs->code[top]) == OP_GETUPVAL || BC_OP(fs->code[top]) == OP_GETUPVALV) &&
        BC_C(fs->code[top + 1]) == BC_A(fs->code[top])) {
        upop = BC_OP(fs->code[top]);
        up = BC_B(fs->code[top]);
        top++;
    }
    if (fs->ncode != post_pc + 1 || post_pc < top + 2 || exitj != top + 1)
        return 0;
    Instr c = fs->code[top], j = fs->code[top + 1], p = fs->code[post_pc];
    int op = BC_OP(c);
    if ((op != OP_JLT && op != OP_JLE) || BC_A(c) != 0 || BC_OP(j) != OP_JMP || BC_SAX(j) != -1 ||
        BC_OP(p) != OP_ADDI || BC_A(p) != BC_B(p) || BC_A(p) != BC_B(c))
        return 0; /* (an exit JMP still unpatched has offset -1: it is the only exit) */
    if (up < 0)
        fs->code[post_pc] = BC_ABC(op == OP_JLT ? OP_FORLT : OP_FORLE, BC_A(p), BC_C(c), BC_C(p));
    else if (upop == OP_GETUPVAL)
        fs->code[post_pc] = BC_ABC(op == OP_JLT ? OP_FORLTU : OP_FORLEU, BC_A(p), up, BC_C(p));
    else
        fs->code[post_pc] = BC_ABC(op == OP_JLT ? OP_FORLTUV : OP_FORLEUV, BC_A(p), up, BC_C(p));
    emit_loop(fs, top + 2);
    return 1;
}

static void stmt_for(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    Ctl c;
    ctl_push(fs, &c, CTL_LOOP);
    if (n->init)
        stmt(fs, n->init);
    int loopvars_end = fs->nsyms;
    int has_cells = 0;
    for (int i = m.nsyms; i < loopvars_end; i++)
        has_cells |= fs->syms[i].kind == SYM_VAR && fs->syms[i].cell;
    int top = here(fs);
    int exitj = NO_JUMP;
    if (n->a)
        cond_jump(fs, n->a, 0, &exitj);
    c.cont_target = (n->post || has_cells) ? -1 : top;
    stmt(fs, n->body);
    jump_patch_here(fs, c.cont);
    /* Go 1.22: each iteration has its own loop variables; the next one
       starts as a copy of this one's value, made before the post statement */
    for (int i = m.nsyms; i < loopvars_end; i++) {
        Sym *s = &fs->syms[i];
        if (s->kind != SYM_VAR || !s->cell)
            continue;
        int t = reg_reserve(fs, 1);
        emit_abc(fs, OP_GETCELL, t, s->reg, 0);
        emit_abc(fs, OP_NEWCELL, s->reg, t, 0);
        fs->freereg = t;
    }
    int post_pc = fs->ncode;
    if (n->post)
        stmt(fs, n->post);
    if (!fuse_counted_loop(fs, top, exitj, post_pc))
        emit_loop(fs, top);
    jump_patch_here(fs, exitj);
    jump_patch_here(fs, c.brk);
    ctl_pop(fs, &c);
    scope_close(fs, m);
}

static void stmt_range(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    Ctl c;
    ctl_push(fs, &c, CTL_LOOP);
    /* R[base..base+2]: iteration state; R[base+3], R[base+4]: key, value */
    int base = reg_reserve(fs, 5);
    int rx = expr_any(fs, n->a);
    emit_abc(fs, OP_ITERPREP, base, rx, 0);
    fs->nactreg = base + 5;
    fs->freereg = base + 5;
    int top = here(fs);
    c.cont_target = top;
    emit_abc(fs, OP_ITERNEXT, base, 0, 0);
    int exitj = emit_jump(fs);
    ScopeMark inner = scope_open(fs);
    if (n->define) {
        Node *k = n->key, *v = n->value;
        if (k && (k->kind != N_IDENT || !k->name))
            cerrn(fs, k, "non-name on left side of :=");
        else if (k)
            local_activate(fs, k->name, k, base + 3);
        if (v && (v->kind != N_IDENT || !v->name))
            cerrn(fs, v, "non-name on left side of :=");
        else if (v)
            local_activate(fs, v->name, v, base + 4);
        if (k && v && k->kind == N_IDENT && v->kind == N_IDENT && k->name && v->name &&
            strcmp(k->name, "_") && !strcmp(k->name, v->name))
            cerrn(fs, v, "%s repeated on left side of :=", v->name);
    } else {
        Target t;
        if (n->key && target_prepare(fs, n->key, &t, NULL, 0))
            target_store(fs, &t, base + 3);
        fs->freereg = fs->nactreg;
        if (n->value && target_prepare(fs, n->value, &t, NULL, 0))
            target_store(fs, &t, base + 4);
        fs->freereg = fs->nactreg;
    }
    stmt(fs, n->body);
    scope_close(fs, inner);
    emit_loop(fs, top);
    jump_patch_here(fs, exitj);
    jump_patch_here(fs, c.brk);
    ctl_pop(fs, &c);
    scope_close(fs, m);
}

/* `return a, b` in a function with named results: the values go into the
 * results (all evaluated first, as Go's), which are then returned. */
static void return_named(FuncState *fs, Node *n) {
    int nres = n->list.len, want = fs->named->names.len;
    if (nres > 0) {
        int base = fs->freereg;
        Node *e = n->list.items[0];
        int got = nres;
        if (nres == 1 && want != 1 && expr_can_multi(fs, e)) {
            got = expr_nret(fs, e);
            call_at(fs, unparen(e), base, want);
            if (got < 0)
                got = want;
        } else {
            for (int i = 0; i < nres; i++)
                expr_next(fs, n->list.items[i]);
        }
        if (got != want) {
            cerrn(fs, n, "%s return values\n\thave %d\n\twant %d", got < want ? "not enough" : "too many",
                  got, want);
            return;
        }
        for (int i = 0; i < want; i++) {
            Node *r = fs->named->names.items[i];
            if (is_cell(fs, r))
                emit_abc(fs, OP_SETCELL, fs->named_a + i, base + i, 0);
            else
                emit_move(fs, fs->named_a + i, base + i);
        }
        fs->freereg = base;
    }
    named_return(fs);
}

static void stmt_return(FuncState *fs, Node *n) {
    int nres = n->list.len;
    if (fs->named) {
        return_named(fs, n);
        return;
    }
    if (nres == 0) {
        emit_abc(fs, OP_RETURN, 0, 1, 0);
        return;
    }
    if (nres == 1) {
        Node *e = n->list.items[0];
        if (expr_can_multi(fs, e)) {
            int base = fs->freereg;
            call_at(fs, unparen(e), base, MULTRET);
            emit_abc(fs, OP_RETURN, base, 0, 0);
            return;
        }
        int r = expr_any(fs, e);
        emit_abc(fs, OP_RETURN, r, 2, 0);
        return;
    }
    /* locals already in consecutive registers return in place */
    int first = -1, inplace = 1;
    for (int i = 0; i < nres && inplace; i++) {
        Node *e = unparen(n->list.items[i]);
        Ref r;
        inplace = e && e->kind == N_IDENT && e->name && strcmp(e->name, "_") && resolve(fs, e->name, &r) &&
                  r.kind == R_LOCAL && !r.cell && (i == 0 ? (first = r.reg, 1) : r.reg == first + i);
    }
    if (inplace) {
        emit_abc(fs, OP_RETURN, first, nres + 1, 0);
        return;
    }
    int base = fs->freereg;
    for (int i = 0; i < nres; i++)
        expr_next(fs, n->list.items[i]);
    emit_abc(fs, OP_RETURN, base, nres + 1, 0);
}

static void stmt_go_defer(FuncState *fs, Node *n) {
    const char *what = n->kind == N_GO ? "go" : "defer";
    Node *call = unparen(n->a);
    if (!call || call->kind != N_CALL) {
        cerrn(fs, n, "expression in %s must be function call", what);
        return;
    }
    int base = fs->freereg;
    callee_for_go_defer(fs, call->a, base);
    fs->freereg = base + 1;
    for (int i = 0; i < call->list.len; i++)
        arg_next(fs, call, i);
    fs->curline = n->line ? n->line : fs->curline;
    emit_abc(fs, n->kind == N_GO ? OP_GO : OP_DEFER, base, call->list.len + 1, call->spread ? 1 : 0);
}

static void stmt_send(FuncState *fs, Node *n) {
    int rc = expr_any(fs, n->a);
    int rv = expr_any(fs, n->b);
    emit_abc(fs, OP_SEND, rc, rv, 0);
}

void stmt_list(FuncState *fs, NodeList *l) {
    for (int i = 0; i < l->len; i++)
        stmt(fs, l->items[i]);
}

void block_stmts(FuncState *fs, Node *block) {
    if (block && block->kind == N_BLOCK)
        stmt_list(fs, &block->list);
    else
        stmt(fs, block);
}

void stmt(FuncState *fs, Node *n) {
    if (!n)
        return;
    fs->stmts++;
    int saveline = fs->curline;
    if (n->line)
        fs->curline = n->line;
    switch (n->kind) {
    case N_EXPRSTMT: expr_discard(fs, n->a); break;
    case N_ASSIGN: stmt_assign(fs, n); break;
    case N_INCDEC: stmt_incdec(fs, n); break;
    case N_VAR: stmt_var(fs, n, file_scope(fs)); break;
    case N_CONST: stmt_const(fs, n, file_scope(fs)); break;
    case N_BLOCK: {
        ScopeMark m = scope_open(fs);
        stmt_list(fs, &n->list);
        scope_close(fs, m);
        break;
    }
    case N_IF: stmt_if(fs, n); break;
    case N_FOR: stmt_for(fs, n); break;
    case N_FORRANGE: stmt_range(fs, n); break;
    case N_SWITCH: stmt_switch(fs, n); break;
    case N_TYPESWITCH: stmt_typeswitch(fs, n); break;
    case N_SELECT: stmt_select(fs, n); break;
    case N_RETURN: stmt_return(fs, n); break;
    case N_BREAK:
    case N_CONTINUE: stmt_break_continue(fs, n); break;
    case N_FALLTHROUGH: cerrn(fs, n, "fallthrough statement out of place"); break;
    case N_GO:
    case N_DEFER: stmt_go_defer(fs, n); break;
    case N_SEND: stmt_send(fs, n); break;
    case N_LABELED: stmt_labeled(fs, n); break;
    case N_EMPTY: break;
    case N_TYPEDECL: mod_local_type(fs, n); break;
    case N_FUNC: cerrn(fs, n, "function declarations must be at top level"); break;
    case N_IMPORT: cerrn(fs, n, "imports must appear before other declarations"); break;
    default: expr_discard(fs, n); break;
    }
    fs->freereg = fs->nactreg;
    fs->curline = saveline;
}
