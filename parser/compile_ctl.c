/* parser/compile_ctl.c — switch, type switch and select, break, continue
 * and labels.
 *
 * Switches test their cases first, in order (lazily: a case expression is
 * evaluated only when the earlier ones did not match), jumping to the
 * bodies that follow; bodies are laid out in source order so that
 * `fallthrough` simply does not jump. */
#include <stdlib.h>
#include <string.h>

#include "parser/compile_int.h"

Ctl *ctl_push(FuncState *fs, Ctl *c, CtlKind kind) {
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->brk = NO_JUMP;
    c->cont = NO_JUMP;
    c->cont_target = -1;
    c->nactreg = fs->nactreg;
    c->label = fs->pending_label;
    if (fs->pending_info)
        fs->pending_info->is_ctl = 1;
    fs->pending_label = NULL;
    fs->pending_info = NULL;
    c->prev = fs->ctl;
    fs->loops += kind == CTL_LOOP;
    fs->ctl = c;
    return c;
}

void ctl_pop(FuncState *fs, Ctl *c) {
    fs->ctl = c->prev;
    fs->loops -= c->kind == CTL_LOOP;
}

static LabelInfo *label_find(FuncState *fs, const char *name) {
    for (LabelInfo *l = fs->labels; l; l = l->prev)
        if (!strcmp(l->name, name))
            return l;
    return NULL;
}

void stmt_labeled(FuncState *fs, Node *n) {
    if (!n->name) {
        stmt(fs, n->body);
        return;
    }
    if (label_find(fs, n->name))
        cerrn(fs, n, "label %s already defined", n->name);
    LabelInfo li;
    memset(&li, 0, sizeof li);
    li.prev = fs->labels;
    li.name = n->name;
    li.node = n;
    fs->labels = &li;
    Node *b = n->body;
    if (b && (b->kind == N_FOR || b->kind == N_FORRANGE || b->kind == N_SWITCH || b->kind == N_TYPESWITCH ||
              b->kind == N_SELECT)) {
        fs->pending_label = n->name;
        fs->pending_info = &li;
    }
    stmt(fs, b);
    fs->pending_label = NULL;
    fs->pending_info = NULL;
    if (!li.used)
        cerrn(fs, n, "label %s defined and not used", n->name);
    fs->labels = li.prev;
}

void stmt_break_continue(FuncState *fs, Node *n) {
    int is_break = n->kind == N_BREAK;
    Ctl *c = NULL;
    if (n->name) {
        for (c = fs->ctl; c; c = c->prev)
            if (c->label && !strcmp(c->label, n->name))
                break;
        LabelInfo *li = label_find(fs, n->name);
        if (li)
            li->used = 1;
        /* Go reports these at the label */
        int lcol = src_col(fs->ms, n->line, n->col + (is_break ? 5 : 8), n->name);
        if (!c) {
            if (li)
                cerr(fs->ms, n->line, lcol, "invalid %s label %s", is_break ? "break" : "continue", n->name);
            else
                cerr(fs->ms, n->line, lcol, "%s label not defined: %s", is_break ? "break" : "continue",
                     n->name);
            return;
        }
        if (!is_break && c->kind != CTL_LOOP) {
            cerr(fs->ms, n->line, lcol, "invalid continue label %s", n->name);
            return;
        }
    } else if (is_break) {
        c = fs->ctl;
        if (!c) {
            cerrn(fs, n, "break is not in a loop, switch, or select");
            return;
        }
    } else {
        for (c = fs->ctl; c && c->kind != CTL_LOOP; c = c->prev)
            ;
        if (!c) {
            cerrn(fs, n, "continue is not in a loop");
            return;
        }
    }
    if (is_break)
        jump_concat(fs, &c->brk, emit_jump(fs));
    else if (c->cont_target >= 0)
        emit_loop(fs, c->cont_target);
    else
        jump_concat(fs, &c->cont, emit_jump(fs));
}

/* Compile a case body; returns 1 if it ends in `fallthrough`. */
static int case_body(FuncState *fs, Node *clause, int is_last, int in_typeswitch) {
    Node *b = clause->body;
    NodeList empty = {0};
    NodeList *l = b && b->kind == N_BLOCK ? &b->list : &empty;
    int n = l->len, ft = 0;
    if (n && l->items[n - 1] && l->items[n - 1]->kind == N_FALLTHROUGH) {
        Node *f = l->items[n - 1];
        n--;
        if (in_typeswitch)
            cerrn(fs, f, "cannot fallthrough in type switch");
        else if (is_last)
            cerrn(fs, f, "cannot fallthrough final case in switch");
        else
            ft = 1;
    }
    for (int i = 0; i < n; i++)
        stmt(fs, l->items[i]);
    if (b && b->kind != N_BLOCK)
        stmt(fs, b);
    return ft;
}

static int find_default(FuncState *fs, Node *n, const char *what) {
    int def = -1;
    for (int i = 0; i < n->list.len; i++) {
        Node *cl = n->list.items[i];
        if (cl && cl->isdefault) {
            if (def >= 0)
                cerrn(fs, cl, "multiple defaults in %s", what);
            else
                def = i;
        }
    }
    return def;
}

/* The bodies of a switch, in source order, each reached through bodyj[i]. */
static void switch_bodies(FuncState *fs, Node *n, Ctl *c, int *bodyj, int def, int jdefault, int bind_reg,
                          int typeswitch) {
    int nc = n->list.len;
    for (int i = 0; i < nc; i++) {
        Node *cl = n->list.items[i];
        if (!cl)
            continue;
        jump_patch_here(fs, bodyj[i]);
        if (i == def)
            jump_patch_here(fs, jdefault);
        ScopeMark cm = scope_open(fs);
        if (bind_reg >= 0 && n->name && strcmp(n->name, "_"))
            local_activate(fs, n->name, cl, bind_reg);
        int ft = case_body(fs, cl, i == nc - 1, typeswitch);
        scope_close(fs, cm);
        if (!ft && i != nc - 1)
            jump_concat(fs, &c->brk, emit_jump(fs));
    }
    if (def < 0)
        jump_concat(fs, &c->brk, jdefault);
}

void stmt_switch(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    Ctl c;
    ctl_push(fs, &c, CTL_SWITCH);
    if (n->init)
        stmt(fs, n->init);
    int nc = n->list.len;
    int *bodyj = mem_alloc(sizeof(int) * (size_t)(nc + 1));
    for (int i = 0; i < nc; i++)
        bodyj[i] = NO_JUMP;
    int def = find_default(fs, n, "switch");
    int tag = n->a ? expr_any(fs, n->a) : -1;
    for (int i = 0; i < nc; i++) {
        Node *cl = n->list.items[i];
        if (!cl || cl->isdefault)
            continue;
        for (int j = 0; j < cl->list.len; j++) {
            Node *e = cl->list.items[j];
            int save = fs->freereg;
            if (tag >= 0) {
                ConstVal cv;
                int t;
                if (const_eval(fs, fs->ms, e, &cv) && const_fits_int(&cv) && const_k(fs, &cv, e) < 256) {
                    t = reg_reserve(fs, 1);
                    emit_abc(fs, OP_EQK, t, tag, const_k(fs, &cv, e));
                } else {
                    int re = expr_any(fs, e);
                    t = reg_reserve(fs, 1);
                    emit_abc(fs, OP_EQ, t, tag, re);
                }
                jump_concat(fs, &bodyj[i], emit_condjump(fs, OP_JMPT, t));
            } else {
                cond_jump(fs, e, 1, &bodyj[i]);
            }
            fs->freereg = save;
        }
    }
    int jdefault = emit_jump(fs);
    fs->freereg = fs->nactreg;
    switch_bodies(fs, n, &c, bodyj, def, jdefault, -1, 0);
    jump_patch_here(fs, c.brk);
    free(bodyj);
    ctl_pop(fs, &c);
    scope_close(fs, m);
}

void stmt_typeswitch(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    Ctl c;
    ctl_push(fs, &c, CTL_SWITCH);
    if (n->init)
        stmt(fs, n->init);
    Node *x = unparen(n->a);
    if (x && x->kind == N_TYPEASSERT && !x->type)
        x = x->a;
    int nc = n->list.len;
    int *bodyj = mem_alloc(sizeof(int) * (size_t)(nc + 1));
    for (int i = 0; i < nc; i++)
        bodyj[i] = NO_JUMP;
    int def = find_default(fs, n, "switch");
    /* x in the first free register: each clause's variable takes it over */
    int xr = reg_reserve(fs, 1);
    expr_to(fs, x, xr);
    for (int i = 0; i < nc; i++) {
        Node *cl = n->list.items[i];
        if (!cl || cl->isdefault)
            continue;
        for (int j = 0; j < cl->list.len; j++) {
            Node *te = cl->list.items[j];
            BcConst tc;
            int ok;
            if (te && (te->kind == N_NIL || (te->kind == N_IDENT && te->name && !strcmp(te->name, "nil")))) {
                memset(&tc, 0, sizeof tc);
                tc.kind = BK_TYPE;
                tc.s = mem_strdup("nil");
                tc.slen = 3;
                tc.index = tc.idx2 = -1;
                ok = 1;
            } else {
                ok = mod_type_const(fs->ms, fs, te, &tc);
            }
            if (ok) {
                int t = reg_reserve(fs, 1);
                emit_abc(fs, OP_TYPEIS, t, xr, k_small(fs, k_add(fs, &tc), te));
                jump_concat(fs, &bodyj[i], emit_condjump(fs, OP_JMPT, t));
                fs->freereg = xr + 1;
            }
            bcconst_free(&tc);
        }
    }
    int jdefault = emit_jump(fs);
    fs->freereg = fs->nactreg;
    switch_bodies(fs, n, &c, bodyj, def, jdefault, xr, 1);
    jump_patch_here(fs, c.brk);
    free(bodyj);
    ctl_pop(fs, &c);
    scope_close(fs, m);
}

/* ---- select ---- */

enum { SC_DEFAULT, SC_SEND, SC_RECV, SC_BAD };

typedef struct SelCase {
    int kind;
    Node *ch;     /* channel expression */
    Node *val;    /* value to send */
    Node *assign; /* N_ASSIGN of a receive, or NULL */
    int desc;     /* descriptor index */
} SelCase;

static int is_recv(Node *e) {
    e = unparen(e);
    return e && e->kind == N_UNARY && e->op == TK_ARROW;
}

static void classify(FuncState *fs, Node *cl, SelCase *sc) {
    memset(sc, 0, sizeof *sc);
    sc->desc = -1;
    Node *comm = cl->a;
    if (!comm) {
        sc->kind = SC_DEFAULT;
        return;
    }
    if (comm->kind == N_SEND) {
        sc->kind = SC_SEND;
        sc->ch = comm->a;
        sc->val = comm->b;
        return;
    }
    if (comm->kind == N_EXPRSTMT && is_recv(comm->a)) {
        sc->kind = SC_RECV;
        sc->ch = unparen(comm->a)->a;
        return;
    }
    if (is_recv(comm)) {
        sc->kind = SC_RECV;
        sc->ch = unparen(comm)->a;
        return;
    }
    if (comm->kind == N_ASSIGN && comm->list2.len == 1 && is_recv(comm->list2.items[0]) &&
        (comm->op == TK_DEFINE || comm->op == TK_ASSIGN || comm->op == '=') && comm->list.len >= 1 &&
        comm->list.len <= 2) {
        sc->kind = SC_RECV;
        sc->ch = unparen(comm->list2.items[0])->a;
        sc->assign = comm;
        return;
    }
    sc->kind = SC_BAD;
    cerrn(fs, comm, "select case must be receive, send or assign recv");
}

/* The received value (R[a+1]) and ok (R[a+2]) go to the case's names. */
static void select_bind(FuncState *fs, SelCase *sc, int a) {
    Node *as = sc->assign;
    if (!as)
        return;
    if (as->op == TK_DEFINE) {
        for (int i = 0; i < as->list.len; i++) {
            Node *id = as->list.items[i];
            if (!id || id->kind != N_IDENT || !id->name) {
                cerrn(fs, id ? id : as, "non-name on left side of :=");
                continue;
            }
            local_activate(fs, id->name, id, a + 1 + i);
        }
        return;
    }
    fs->freereg = a + 3;
    reg_check(fs, fs->freereg);
    Target t[2];
    for (int i = 0; i < as->list.len; i++)
        target_prepare(fs, as->list.items[i], &t[i], NULL, 0);
    for (int i = 0; i < as->list.len; i++)
        target_store(fs, &t[i], a + 1 + i);
    fs->freereg = fs->nactreg;
}

void stmt_select(FuncState *fs, Node *n) {
    ScopeMark m = scope_open(fs);
    Ctl c;
    ctl_push(fs, &c, CTL_SELECT);
    int nc = n->list.len;
    SelCase *cs = mem_alloc(sizeof(SelCase) * (size_t)(nc + 1));
    int nrecv = 0, nsend = 0, def = -1;
    for (int i = 0; i < nc; i++) {
        Node *cl = n->list.items[i];
        if (!cl) {
            cs[i].kind = SC_BAD;
            continue;
        }
        classify(fs, cl, &cs[i]);
        if (cs[i].kind == SC_DEFAULT) {
            if (def >= 0)
                cerrn(fs, cl, "multiple defaults in select");
            def = i;
        }
        nrecv += cs[i].kind == SC_RECV;
        nsend += cs[i].kind == SC_SEND;
    }
    int k = nrecv + nsend;
    if (nrecv > 127 || 1 + 2 * k > MAX_REGS - 8) {
        cerrn(fs, n, "select has too many cases");
        free(cs);
        ctl_pop(fs, &c);
        scope_close(fs, m);
        return;
    }
    /* descriptors: the receives first, then the sends, each in source order */
    int *order = mem_alloc(sizeof(int) * (size_t)(k + 1));
    int dr = 0, ds = nrecv;
    for (int i = 0; i < nc; i++) {
        if (cs[i].kind == SC_RECV)
            cs[i].desc = dr++;
        else if (cs[i].kind == SC_SEND)
            cs[i].desc = ds++;
        if (cs[i].desc >= 0)
            order[cs[i].desc] = i;
    }
    int a = reg_reserve(fs, 1 + 2 * k < 4 ? 4 : 1 + 2 * k);
    for (int i = 0; i < nc; i++) { /* evaluated once, in source order */
        if (cs[i].desc < 0)
            continue;
        expr_to(fs, cs[i].ch, a + 1 + 2 * cs[i].desc);
        if (cs[i].kind == SC_SEND)
            expr_to(fs, cs[i].val, a + 2 + 2 * cs[i].desc);
    }
    fs->curline = n->line ? n->line : fs->curline;
    emit_abc(fs, OP_SELECT, a, k, nrecv | (def >= 0 ? 128 : 0));
    int *bodyj = mem_alloc(sizeof(int) * (size_t)(nc + 1));
    for (int i = 0; i < nc; i++)
        bodyj[i] = NO_JUMP;
    for (int d = 0; d < k; d++) {
        int ci = order[d];
        if (d == k - 1 && def < 0) {
            jump_concat(fs, &bodyj[ci], emit_jump(fs));
        } else {
            emit_abc(fs, OP_EQK, a + 3, a, k_small(fs, k_int(fs, d), n));
            jump_concat(fs, &bodyj[ci], emit_condjump(fs, OP_JMPT, a + 3));
        }
    }
    if (def >= 0)
        jump_concat(fs, &bodyj[def], emit_jump(fs));
    fs->freereg = fs->nactreg;
    for (int i = 0; i < nc; i++) {
        Node *cl = n->list.items[i];
        if (!cl || cs[i].kind == SC_BAD)
            continue;
        jump_patch_here(fs, bodyj[i]);
        ScopeMark cm = scope_open(fs);
        if (cs[i].kind == SC_RECV)
            select_bind(fs, &cs[i], a);
        Node *b = cl->body;
        if (b && b->kind == N_BLOCK)
            stmt_list(fs, &b->list);
        else
            stmt(fs, b);
        scope_close(fs, cm);
        if (i != nc - 1)
            jump_concat(fs, &c.brk, emit_jump(fs));
    }
    jump_patch_here(fs, c.brk);
    free(bodyj);
    free(order);
    free(cs);
    ctl_pop(fs, &c);
    scope_close(fs, m);
}
