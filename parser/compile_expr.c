/* parser/compile_expr.c — expressions: operators, conditions, names,
 * literals, selectors, indexing, closures and calls.
 *
 * expr_to(n, dst) leaves n's value in dst and never changes freereg.
 * When dst is the topmost temporary its operands may reuse it (an
 * instruction reads its operands before writing its result), so `a + b`
 * needs no extra register and a call's result lands in place. */
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "parser/compile_int.h"

Node *unparen(Node *n) {
    while (n && n->kind == N_PAREN)
        n = n->a;
    return n;
}

/* ---- printing expressions for messages (Go's ExprString, abridged) ---- */

static const char *const tok_text[] = {
#define CSP_TOK_TEXT(name, text) text,
    CSP_TOKENS(CSP_TOK_TEXT)
#undef CSP_TOK_TEXT
};

static const char *op_text(int op) {
    if (op >= 0 && op < TK_COUNT)
        return tok_text[op];
    return "?";
}

static void expr_str_rec(Node *n, StrBuf *b, int depth) {
    char tmp[64];
    if (!n) {
        sb_puts(b, "?");
        return;
    }
    if (depth > 8) {
        sb_puts(b, "…");
        return;
    }
    switch (n->kind) {
    case N_IDENT: sb_puts(b, n->name ? n->name : "?"); break;
    case N_INT:
        snprintf(tmp, sizeof tmp, "%lld", (long long)n->ival);
        sb_puts(b, tmp);
        break;
    case N_FLOAT:
        snprintf(tmp, sizeof tmp, "%g", n->fval);
        sb_puts(b, tmp);
        break;
    case N_STRING:
        sb_puts(b, "\"");
        if (n->str && strlen(n->str) < 24)
            sb_puts(b, n->str);
        else
            sb_puts(b, "…");
        sb_puts(b, "\"");
        break;
    case N_TRUE: sb_puts(b, "true"); break;
    case N_FALSE: sb_puts(b, "false"); break;
    case N_NIL: sb_puts(b, "nil"); break;
    case N_PAREN:
        sb_puts(b, "(");
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, ")");
        break;
    case N_SELECTOR:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, ".");
        sb_puts(b, n->name ? n->name : "?");
        break;
    case N_CALL:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, "(");
        for (int i = 0; i < n->list.len; i++) {
            if (i)
                sb_puts(b, ", ");
            expr_str_rec(n->list.items[i], b, depth + 1);
        }
        if (n->spread)
            sb_puts(b, "...");
        sb_puts(b, ")");
        break;
    case N_INDEX:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, "[");
        expr_str_rec(n->b, b, depth + 1);
        sb_puts(b, "]");
        break;
    case N_SLICE:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, "[");
        if (n->b)
            expr_str_rec(n->b, b, depth + 1);
        sb_puts(b, ":");
        if (n->c)
            expr_str_rec(n->c, b, depth + 1);
        sb_puts(b, "]");
        break;
    case N_BINARY:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, " ");
        sb_puts(b, op_text(n->op));
        sb_puts(b, " ");
        expr_str_rec(n->b, b, depth + 1);
        break;
    case N_UNARY:
        /* unary operators are characters ('-' '!' ...) except TK_ARROW */
        if (n->op == TK_ARROW) {
            sb_puts(b, "<-");
        } else if (n->op > 32 && n->op < 127) {
            sb_putc(b, (char)n->op);
        }
        expr_str_rec(n->a, b, depth + 1);
        break;
    case N_TYPEASSERT:
        expr_str_rec(n->a, b, depth + 1);
        sb_puts(b, ".(");
        if (n->type)
            expr_str_rec(n->type, b, depth + 1);
        else
            sb_puts(b, "type");
        sb_puts(b, ")");
        break;
    case N_TYPE:
        switch (n->tkind) {
        case TY_NAME:
            if (n->pkg) {
                sb_puts(b, n->pkg);
                sb_puts(b, ".");
            }
            sb_puts(b, n->name ? n->name : "?");
            break;
        case TY_LIST:
            sb_puts(b, "[]");
            expr_str_rec(n->elem, b, depth + 1);
            break;
        case TY_MAP:
            sb_puts(b, "map[");
            expr_str_rec(n->tkey, b, depth + 1);
            sb_puts(b, "]");
            expr_str_rec(n->elem, b, depth + 1);
            break;
        case TY_CHAN: sb_puts(b, "chan"); break;
        case TY_POINTER:
            sb_puts(b, "*");
            expr_str_rec(n->elem, b, depth + 1);
            break;
        case TY_FUNC: sb_puts(b, "func"); break;
        case TY_STRUCT: sb_puts(b, "struct{...}"); break;
        default: sb_puts(b, "interface{}"); break;
        }
        break;
    case N_FUNCLIT: sb_puts(b, "func literal"); break;
    case N_LIST: sb_puts(b, "[...]"); break;
    case N_MAP: sb_puts(b, "{...}"); break;
    case N_STRUCTLIT:
        expr_str_rec(n->type, b, depth + 1);
        sb_puts(b, "{...}");
        break;
    case N_MAKE: sb_puts(b, "make(...)"); break;
    default: sb_puts(b, "expression"); break;
    }
}

/* n as Go's messages show it, cut to cap bytes. */
void expr_str(Node *n, char *buf, size_t cap) {
    StrBuf b = {0};
    expr_str_rec(n, &b, 0);
    if (cap)
        snprintf(buf, cap, "%s", b.p ? b.p : "");
    sb_free(&b);
}

/* ---- helpers ---- */

static int unop(int op) {
    if (op == '-' || op == TK_SUB)
        return '-';
    if (op == '+' || op == TK_ADD)
        return '+';
    if (op == '!' || op == TK_NOT)
        return '!';
    if (op == '^' || op == TK_XOR)
        return '^';
    if (op == TK_ARROW)
        return TK_ARROW;
    if (op == '&' || op == TK_AND)
        return '&';
    if (op == '*' || op == TK_MUL)
        return '*';
    return op;
}

static int is_compare(int op) {
    return op == TK_EQL || op == TK_NEQ || op == TK_LSS || op == TK_GTR || op == TK_LEQ || op == TK_GEQ;
}

/* dst is the topmost temporary: let the operands reuse it */
static int top_begin(FuncState *fs, int dst) {
    int save = fs->freereg;
    if (dst == save - 1 && dst >= fs->nactreg)
        fs->freereg = dst;
    return save;
}

static void top_end(FuncState *fs, int save) {
    fs->freereg = save;
}

/* Writing dst before all operands are read is only safe on a temporary. */
static int needs_temp(FuncState *fs, int dst) {
    return dst < fs->nactreg;
}

static int is_bool_expr(Node *n) {
    n = unparen(n);
    if (!n)
        return 0;
    if (n->kind == N_TRUE || n->kind == N_FALSE)
        return 1;
    if (n->kind == N_BINARY)
        return is_compare(n->op) || n->op == TK_LAND || n->op == TK_LOR;
    if (n->kind == N_UNARY)
        return unop(n->op) == '!';
    return 0;
}

int std_member_check(FuncState *fs, GSym *g, const char *member, Node *at) {
    const CompileHooks *h = fs->ms->c->hooks;
    if (!h || !h->std_member)
        return STD_VALUE;
    if (!is_exported(member)) { /* a module's own state (log's, signal's) stays its own */
        cerrn(fs, at, "name %s not exported by package %s", member, g->name);
        return STD_NONE;
    }
    StdMemberKind k = h->std_member(h->ctx, g->path, member);
    if (k == STD_NONE)
        cerrn(fs, at, "undefined: %s.%s", g->name, member);
    return k;
}

int user_member_check(FuncState *fs, GSym *g, const char *member, Node *at) {
    ModState *m = g->mod;
    if (!m)
        return -1;
    GSym *t = mod_lookup(m, member);
    if (!t || t->kind == G_STDMOD || t->kind == G_USERMOD) {
        cerrn(fs, at, "undefined: %s.%s", g->name, member);
        return -1;
    }
    if (!is_exported(member)) {
        cerrn(fs, at, "name %s not exported by package %s", member, g->name);
        return -1;
    }
    return (int)t->kind;
}

/* The module GSym when n is a (non-shadowed) module name. */
static GSym *module_of(FuncState *fs, Node *n) {
    n = unparen(n);
    if (!n || n->kind != N_IDENT || !n->name)
        return NULL;
    Ref r;
    resolve(fs, n->name, &r);
    if (r.kind == R_STDMOD || r.kind == R_USERMOD)
        return r.g;
    return NULL;
}

/* ---- names ---- */

static void ident_to(FuncState *fs, Node *n, int dst) {
    if (!n->name) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    if (!strcmp(n->name, "_")) {
        cerrn(fs, n, "cannot use _ as value");
        return;
    }
    Ref r;
    resolve(fs, n->name, &r);
    switch (r.kind) {
    case R_LOCAL:
        if (r.cell)
            emit_abc(fs, OP_GETCELL, dst, r.reg, 0);
        else
            emit_move(fs, dst, r.reg);
        return;
    case R_UPVAL: emit_abc(fs, r.byval ? OP_GETUPVALV : OP_GETUPVAL, dst, r.idx, 0); return;
    case R_CONST:
    case R_IOTA: const_load(fs, &r.cv, dst, n); return;
    case R_GLOBAL:
    case R_USERMOD: emit_abx(fs, OP_GETGLOBAL, dst, r.g->slot); return;
    case R_STDMOD: emit_loadk(fs, dst, k_stdmodule(fs, r.g->path)); return;
    case R_STRUCT: cerrn(fs, n, "%s (type) is not an expression", n->name); return;
    case R_BUILTIN:
        if (!strcmp(n->name, "make") || !strcmp(n->name, "new")) {
            cerrn(fs, n, "%s (built-in function %s) must be called", n->name, n->name);
            return;
        }
        emit_loadk(fs, dst, k_stdmember(fs, "builtin", n->name));
        return;
    case R_NONE: cerrn(fs, n, "undefined: %s", n->name); return;
    }
}

/* ---- arithmetic ---- */

static int arith_op(int tok) {
    switch (tok) {
    case TK_ADD: return OP_ADD;
    case TK_SUB: return OP_SUB;
    case TK_MUL: return OP_MUL;
    case TK_QUO: return OP_DIV;
    case TK_REM: return OP_MOD;
    case TK_AND: return OP_BAND;
    case TK_OR: return OP_BOR;
    case TK_XOR: return OP_BXOR;
    case TK_SHL: return OP_SHL;
    case TK_SHR: return OP_SHR;
    case TK_AND_NOT: return OP_BANDNOT;
    }
    return -1;
}

int binop_for_assign(int tok) {
    switch (tok) {
    case TK_ADD_ASSIGN: return TK_ADD;
    case TK_SUB_ASSIGN: return TK_SUB;
    case TK_MUL_ASSIGN: return TK_MUL;
    case TK_QUO_ASSIGN: return TK_QUO;
    case TK_REM_ASSIGN: return TK_REM;
    case TK_AND_ASSIGN: return TK_AND;
    case TK_OR_ASSIGN: return TK_OR;
    case TK_XOR_ASSIGN: return TK_XOR;
    case TK_SHL_ASSIGN: return TK_SHL;
    case TK_SHR_ASSIGN: return TK_SHR;
    case TK_AND_NOT_ASSIGN: return TK_AND_NOT;
    case TK_INC: return TK_ADD;
    case TK_DEC: return TK_SUB;
    }
    return -1;
}

void arith_emit_rr(FuncState *fs, int tok, int dst, int rb, int rc) {
    int op = arith_op(tok);
    if (op < 0) {
        cerr(fs->ms, fs->curline, 1, "invalid operator %s", op_text(tok));
        return;
    }
    emit_abc(fs, op, dst, rb, rc);
}

static int is_int_zero(const ConstVal *cv) {
    return cv->kind == CV_INT && cv->i == 0;
}

/* dst := R[rb] tok right, with ADDI / ADDK ... when right is a constant. */
void arith_emit(FuncState *fs, int tok, int dst, int rb, Node *right) {
    ConstVal cv;
    if (const_eval(fs, fs->ms, right, &cv) && (cv.kind == CV_INT || cv.kind == CV_FLOAT)) {
        if ((tok == TK_QUO || tok == TK_REM) && is_int_zero(&cv)) {
            cerrn(fs, right, "invalid operation: division by zero");
            return;
        }
        if ((tok == TK_ADD || tok == TK_SUB) && cv.kind == CV_INT) {
            __int128 v = tok == TK_ADD ? cv.i : -cv.i;
            if (v >= -128 && v <= 127) {
                emit_abc(fs, OP_ADDI, dst, rb, (int)v + 128);
                return;
            }
        }
        int kop = tok == TK_ADD   ? OP_ADDK
                  : tok == TK_SUB ? OP_SUBK
                  : tok == TK_MUL ? OP_MULK
                  : tok == TK_QUO ? OP_DIVK
                  : tok == TK_REM ? OP_MODK
                                  : -1;
        if (kop >= 0 && const_fits_int(&cv)) {
            int k = const_k(fs, &cv, right);
            if (k < 256) {
                emit_abc(fs, kop, dst, rb, k);
                return;
            }
        }
    }
    int rc = expr_any(fs, right);
    /* y + b*c, y - b*c, y / (b*c): the product's temporary is read by the
     * ADD, SUB or DIV alone, so the VM may do both at once (MULT) */
    Node *r = unparen(right);
    Instr *last = fs->ncode > 0 ? &fs->code[fs->ncode - 1] : NULL;
    if ((tok == TK_ADD || tok == TK_SUB || tok == TK_QUO) && r && r->kind == N_BINARY && r->op == TK_MUL &&
        rc >= fs->nactreg && rc != rb && last && BC_OP(*last) == OP_MUL && BC_A(*last) == rc)
        *last = (*last & ~(Instr)0xFF) | (Instr)OP_MULT;
    arith_emit_rr(fs, tok, dst, rb, rc);
}

static void compare_to(FuncState *fs, Node *n, int dst) {
    int op = n->op;
    int save = top_begin(fs, dst);
    if (op == TK_EQL || op == TK_NEQ) {
        ConstVal ca, cb;
        int ka = const_eval(fs, fs->ms, n->a, &ca) && const_fits_int(&ca);
        int kb = !ka && const_eval(fs, fs->ms, n->b, &cb) && const_fits_int(&cb);
        Node *other = ka ? n->b : n->a;
        int k = ka ? const_k(fs, &ca, n->a) : kb ? const_k(fs, &cb, n->b) : 256;
        if ((ka || kb) && k < 256) {
            int r = expr_any(fs, other);
            emit_abc(fs, OP_EQK, dst, r, k);
            if (op == TK_NEQ)
                emit_abc(fs, OP_NOT, dst, dst, 0);
            top_end(fs, save);
            return;
        }
        int ra = expr_any(fs, n->a);
        int rb = expr_any(fs, n->b);
        emit_abc(fs, op == TK_EQL ? OP_EQ : OP_NE, dst, ra, rb);
        top_end(fs, save);
        return;
    }
    int ra = expr_any(fs, n->a);
    int rb = expr_any(fs, n->b);
    switch (op) {
    case TK_LSS: emit_abc(fs, OP_LT, dst, ra, rb); break;
    case TK_GTR: emit_abc(fs, OP_LT, dst, rb, ra); break;
    case TK_LEQ: emit_abc(fs, OP_LE, dst, ra, rb); break;
    default: emit_abc(fs, OP_LE, dst, rb, ra); break;
    }
    top_end(fs, save);
}

static void logic_to(FuncState *fs, Node *n, int dst) {
    if (needs_temp(fs, dst)) {
        int t = reg_reserve(fs, 1);
        logic_to(fs, n, t);
        emit_move(fs, dst, t);
        fs->freereg = t;
        return;
    }
    expr_to(fs, n->a, dst);
    int j = emit_condjump(fs, n->op == TK_LAND ? OP_JMPF : OP_JMPT, dst);
    expr_to(fs, n->b, dst);
    if (!is_bool_expr(n->b))
        emit_abc(fs, OP_TESTBOOL, dst, 0, 0);
    jump_patch_here(fs, j);
}

static void binary_to(FuncState *fs, Node *n, int dst) {
    ConstVal cv;
    if (const_eval(fs, fs->ms, n, &cv)) {
        const_load(fs, &cv, dst, n);
        return;
    }
    if (n->op == TK_LAND || n->op == TK_LOR) {
        logic_to(fs, n, dst);
        return;
    }
    if (is_compare(n->op)) {
        compare_to(fs, n, dst);
        return;
    }
    if (arith_op(n->op) < 0) {
        cerrn(fs, n, "invalid binary operator %s", op_text(n->op));
        return;
    }
    int save = top_begin(fs, dst);
    int rb = expr_any(fs, n->a);
    arith_emit(fs, n->op, dst, rb, n->b);
    top_end(fs, save);
}

static void unary_to(FuncState *fs, Node *n, int dst) {
    int op = unop(n->op);
    char buf[160];
    if (op == '&') {
        Node *a = unparen(n->a);
        if (a && (a->kind == N_STRUCTLIT || a->kind == N_LIST || a->kind == N_MAP)) {
            expr_to(fs, a, dst);
            return;
        }
        expr_str(n->a, buf, sizeof buf);
        cerrn(fs, n, "invalid operation: cannot take address of %s (csp has no pointers: use %s itself)", buf,
              buf);
        return;
    }
    if (op == '*') {
        expr_str(n->a, buf, sizeof buf);
        cerrn(fs, n, "invalid operation: cannot indirect %s (csp has no pointers: use %s itself)", buf, buf);
        return;
    }
    ConstVal cv;
    if (op != TK_ARROW && const_eval(fs, fs->ms, n, &cv)) {
        const_load(fs, &cv, dst, n);
        return;
    }
    if (op == '+') {
        expr_to(fs, n->a, dst);
        return;
    }
    int save = top_begin(fs, dst);
    int r = expr_any(fs, n->a);
    switch (op) {
    case '-': emit_abc(fs, OP_UNM, dst, r, 0); break;
    case '!': emit_abc(fs, OP_NOT, dst, r, 0); break;
    case '^': emit_abc(fs, OP_BNOT, dst, r, 0); break;
    case TK_ARROW: emit_abc(fs, OP_RECV, dst, r, 0); break;
    default: cerrn(fs, n, "invalid unary operator"); break;
    }
    top_end(fs, save);
}

/* ---- conditions ---- */

static int small_int(FuncState *fs, Node *n, int *v) {
    ConstVal cv;
    if (!const_eval(fs, fs->ms, n, &cv) || cv.kind != CV_INT || cv.i < -128 || cv.i > 127)
        return 0;
    *v = (int)cv.i;
    return 1;
}

/* Emit code that jumps (adding the jump to *list) when n's truth equals
 * sense, and falls through otherwise. */
void cond_jump(FuncState *fs, Node *n, int sense, int *list) {
    Node *u = unparen(n);
    if (!u) {
        return;
    }
    int saveline = fs->curline;
    fs->curline = u->line ? u->line : saveline;
    ConstVal cv;
    if (const_eval(fs, fs->ms, u, &cv)) {
        if (cv.kind != CV_BOOL) {
            char buf[160];
            expr_str(u, buf, sizeof buf);
            cerrn(fs, u, "non-boolean condition %s used as condition", buf);
        } else if ((cv.i != 0) == (sense != 0)) {
            jump_concat(fs, list, emit_jump(fs));
        }
        fs->curline = saveline;
        return;
    }
    if (u->kind == N_UNARY && unop(u->op) == '!') {
        cond_jump(fs, u->a, !sense, list);
        fs->curline = saveline;
        return;
    }
    if (u->kind == N_BINARY && (u->op == TK_LAND || u->op == TK_LOR)) {
        int is_and = u->op == TK_LAND;
        if (is_and != sense) {
            /* &&, jump when false: either false.  ||, jump when true: either true */
            cond_jump(fs, u->a, sense, list);
            cond_jump(fs, u->b, sense, list);
        } else {
            int skip = NO_JUMP;
            cond_jump(fs, u->a, !sense, &skip);
            cond_jump(fs, u->b, sense, list);
            jump_patch_here(fs, skip);
        }
        fs->curline = saveline;
        return;
    }
    int save = fs->freereg;
    if (u->kind == N_BINARY && (u->op == TK_LSS || u->op == TK_GTR || u->op == TK_LEQ || u->op == TK_GEQ)) {
        int v, op = u->op;
        ConstVal ca;
        int a_const = const_eval(fs, fs->ms, u->a, &ca);
        if (!a_const && small_int(fs, u->b, &v)) {
            int r = expr_any(fs, u->a);
            int jop = op == TK_LSS ? OP_JLTI : op == TK_LEQ ? OP_JLEI : op == TK_GTR ? OP_JGTI : OP_JGEI;
            emit_abc(fs, jop, sense != 0, r, v + 128);
        } else if (a_const && small_int(fs, u->a, &v) && !const_eval(fs, fs->ms, u->b, &ca)) {
            int r = expr_any(fs, u->b);
            /* c < x  is  x > c */
            int jop = op == TK_LSS ? OP_JGTI : op == TK_LEQ ? OP_JGEI : op == TK_GTR ? OP_JLTI : OP_JLEI;
            emit_abc(fs, jop, sense != 0, r, v + 128);
        } else {
            int ra = expr_any(fs, u->a);
            int rb = expr_any(fs, u->b);
            switch (op) {
            case TK_LSS: emit_abc(fs, OP_JLT, sense != 0, ra, rb); break;
            case TK_GTR: emit_abc(fs, OP_JLT, sense != 0, rb, ra); break;
            case TK_LEQ: emit_abc(fs, OP_JLE, sense != 0, ra, rb); break;
            default: emit_abc(fs, OP_JLE, sense != 0, rb, ra); break;
            }
        }
        fs->freereg = save;
        jump_concat(fs, list, emit_jump(fs));
        fs->curline = saveline;
        return;
    }
    if (u->kind == N_BINARY && (u->op == TK_EQL || u->op == TK_NEQ)) {
        /* compute ==, then jump on it (for != on its negation) */
        int t = reg_reserve(fs, 1);
        int op = u->op;
        u->op = TK_EQL;
        compare_to(fs, u, t);
        u->op = op;
        int eff = op == TK_EQL ? sense : !sense;
        fs->freereg = save;
        jump_concat(fs, list, emit_condjump(fs, eff ? OP_JMPT : OP_JMPF, t));
        fs->curline = saveline;
        return;
    }
    int r = expr_any(fs, u);
    fs->freereg = save;
    jump_concat(fs, list, emit_condjump(fs, sense ? OP_JMPT : OP_JMPF, r));
    fs->curline = saveline;
}

/* ---- calls ---- */

/* How many values a call returns when known: 1 for builtins and for
 * top-level functions that always return one value, >= 2 for those whose
 * every return has that many; 0 unknown. */
int expr_nret(FuncState *fs, Node *n) {
    n = unparen(n);
    if (!n || n->kind != N_CALL)
        return 1;
    Node *fn = unparen(n->a);
    if (fn && fn->kind == N_IDENT && fn->name) {
        Ref r;
        resolve(fs, fn->name, &r);
        if (r.kind == R_BUILTIN || r.kind == R_STRUCT) /* R_STRUCT: a conversion, State(2) */
            return 1;
        if (r.kind == R_GLOBAL && r.g && r.g->kind == G_FUNC)
            return r.g->nret;
    }
    return 0;
}

int expr_can_multi(FuncState *fs, Node *n) {
    n = unparen(n);
    return n && n->kind == N_CALL && expr_nret(fs, n) != 1;
}

static GSym *known_func(FuncState *fs, Node *fn) {
    fn = unparen(fn);
    if (!fn || fn->kind != N_IDENT || !fn->name)
        return NULL;
    Ref r;
    resolve(fs, fn->name, &r);
    if (r.kind == R_GLOBAL && r.g && r.g->kind == G_FUNC)
        return r.g;
    return NULL;
}

static void check_arg_count(FuncState *fs, Node *call, GSym *g, int nargs, int multi_arg) {
    Node *fd = g->node;
    if (!fd || fd->kind != N_FUNC || call->spread || multi_arg)
        return;
    int np = fd->params.len;
    if (fd->variadic) {
        if (nargs < np - 1)
            cerrn(fs, call, "not enough arguments in call to %s", g->name);
        return;
    }
    if (nargs < np)
        cerrn(fs, call, "not enough arguments in call to %s", g->name);
    else if (nargs > np)
        cerrn(fs, call->list.items[np] ? call->list.items[np] : call, "too many arguments in call to %s",
              g->name);
}

/* Put the callee of a call in R[base] (and for a method call the receiver
 * in R[base+1], returning 1).  bound: a method becomes a bound method value
 * (go, defer), never SELF. */
static int callee_to(FuncState *fs, Node *fnode, int base, int bound) {
    Node *fn = unparen(fnode);
    if (fn && fn->kind == N_SELECTOR && fn->name) {
        GSym *g = module_of(fs, fn->a);
        if (g && g->kind == G_STDMOD) {
            fs->freereg = base + 1;
            reg_check(fs, fs->freereg);
            std_member_check(fs, g, fn->name, fn);
            emit_loadk(fs, base, k_stdmember(fs, g->path, fn->name));
            return 0;
        }
        if (g && g->kind == G_USERMOD) {
            fs->freereg = base + 1;
            reg_check(fs, fs->freereg);
            user_member_check(fs, g, fn->name, fn);
            emit_abx(fs, OP_GETGLOBAL, base, g->slot);
            emit_abc(fs, OP_GETFIELD, base, base, k_small(fs, k_string(fs, fn->name, strlen(fn->name)), fn));
            return 0;
        }
        if (bound) {
            fs->freereg = base;
            int save = top_begin(fs, reg_reserve(fs, 1));
            int ro = expr_any(fs, fn->a);
            emit_abc(fs, OP_GETFIELD, base, ro, k_small(fs, k_string(fs, fn->name, strlen(fn->name)), fn));
            top_end(fs, save);
            return 0;
        }
        fs->freereg = base;
        reg_reserve(fs, 2);
        int ro = base + 1;
        Node *obj = unparen(fn->a);
        Ref r;
        int op = OP_SELF;
        if (obj && obj->kind == N_IDENT && obj->name && resolve(fs, obj->name, &r) && r.kind == R_LOCAL &&
            !r.cell)
            ro = r.reg;
        else if (obj && obj->kind == N_IDENT && obj->name && strcmp(obj->name, "_") && resolve(fs, obj->name, &r) &&
                 r.kind == R_UPVAL && r.byval && r.idx < 256) {
            op = OP_SELFU; /* the receiver straight from the closure, no GETUPVALV */
            ro = r.idx;
        } else
            expr_to(fs, fn->a, base + 1);
        emit_abc(fs, op, base, ro, k_small(fs, k_string(fs, fn->name, strlen(fn->name)), fn));
        return 1;
    }
    fs->freereg = base;
    reg_reserve(fs, 1);
    if (fn && fn->kind == N_IDENT && fn->name) {
        Ref r;
        resolve(fs, fn->name, &r);
        if (r.kind == R_BUILTIN) {
            if (!strcmp(fn->name, "new")) {
                cerrn(fs, fn, "new is not supported (structs are references: write T{})");
                return 0;
            }
            emit_loadk(fs, base, k_stdmember(fs, "builtin", fn->name));
            return 0;
        }
    }
    if (fn && fn->kind == N_TYPE) {
        char buf[160];
        expr_str(fn, buf, sizeof buf);
        cerrn(fs, fn, "conversion to %s is not supported", buf);
        return 0;
    }
    expr_to(fs, fnode, base);
    return 0;
}

/* &v as the first argument of a sync/atomic function form: a reference to
 * the variable v (a local goes in a cell, like a captured one), a global, or
 * a field (&s.hits) into the next register. */
static void addr_next(FuncState *fs, Node *n) {
    int r = reg_reserve(fs, 1);
    Node *x = n->a;
    if (x->kind == N_SELECTOR) {
        if (module_of(fs, x->a) && module_of(fs, x->a)->kind == G_STDMOD) {
            cerrn(fs, n, "cannot take the address of %s", n->str);
        } else {
            int save = top_begin(fs, r);
            int ro = expr_any(fs, x->a);
            emit_abc(fs, OP_REFFIELD, r, ro, k_small(fs, k_string(fs, x->name, strlen(x->name)), x));
            top_end(fs, save);
        }
        fs->freereg = r + 1;
        return;
    }
    Ref ref;
    resolve(fs, x->name, &ref);
    switch (ref.readonly ? R_CONST : ref.kind) { /* a constant made at run time is no variable */
    case R_LOCAL: {
        int cell = local_to_cell(fs, x->name);
        if (cell > 0)
            emit_abc(fs, OP_REFCELL, r, ref.reg, 0);
        else if (cell == 0)
            emit_loadnil(fs, r, 1); /* this pass is thrown away */
        else
            cerrn(fs, n, "invalid operation: cannot take address of %s", n->str);
        break;
    }
    case R_UPVAL:
        mark_assigned(fs, ref.decl); /* a value upvalue: this pass is thrown away */
        emit_abc(fs, OP_REFCELL, r, ref.idx, 1);
        break;
    case R_GLOBAL:
        if (ref.g->kind == G_VAR && !ref.readonly) {
            emit_abx(fs, OP_REFGLOBAL, r, ref.g->slot);
            break;
        }
        /* fall through */
    default:
        if (ref.kind == R_NONE)
            cerrn(fs, x, "undefined: %s", x->name);
        else
            cerrn(fs, n, "invalid operation: cannot take address of %s", n->str);
        break;
    }
    fs->freereg = r + 1;
}

static int is_atomic_call(FuncState *fs, Node *call) {
    Node *fn = unparen(call->a);
    if (!fn || fn->kind != N_SELECTOR)
        return 0;
    GSym *g = module_of(fs, fn->a);
    return g && g->kind == G_STDMOD && !strcmp(g->path, "sync/atomic");
}

void arg_next(FuncState *fs, Node *call, int i) {
    Node *a = call->list.items[i];
    if (a && a->kind == N_ADDR && i == 0 && is_atomic_call(fs, call))
        addr_next(fs, a);
    else
        expr_next(fs, a);
}

void callee_for_go_defer(FuncState *fs, Node *callee, int base) {
    callee_to(fs, callee, base, 1);
}

/* errors.As(err, T), csp's form of Go's errors.As(err, &target): T is a
 * struct type written as in a type switch (`MyErr`, `geom.PathErr`), passed
 * as the type switch's constant.  True if arg is such a type, compiled into
 * the next register. */
static int errors_as_type_next(FuncState *fs, Node *call, Node *arg) {
    Node *fn = unparen(call->a);
    if (!fn || fn->kind != N_SELECTOR || !fn->name || strcmp(fn->name, "As"))
        return 0;
    GSym *m = module_of(fs, fn->a);
    if (!m || m->kind != G_STDMOD || strcmp(m->path, "errors"))
        return 0;
    Node *t = unparen(arg), sel;
    Ref r;
    if (t && t->kind == N_SELECTOR && t->name) { /* a user module's struct: as the type node pkg.Name */
        GSym *um = module_of(fs, t->a);
        ModState *owner;
        int sidx;
        memset(&sel, 0, sizeof sel);
        sel.kind = N_TYPE;
        sel.tkind = TY_NAME;
        sel.pkg = um ? unparen(t->a)->name : NULL;
        sel.name = t->name;
        sel.line = t->line;
        sel.col = t->col;
        if (!um || um->kind != G_USERMOD || !mod_struct_ref(fs->ms, fs, &sel, &owner, &sidx, 0))
            return 0;
        t = &sel;
    } else if (!t || t->kind != N_IDENT || !t->name || !resolve(fs, t->name, &r) || r.kind != R_STRUCT) {
        return 0;
    }
    BcConst tc;
    if (!mod_type_const(fs->ms, fs, t, &tc))
        return 0;
    emit_loadk(fs, reg_reserve(fs, 1), k_add(fs, &tc));
    bcconst_free(&tc);
    return 1;
}

/* Compile the call n with its callee in R[base] (freereg is set to base
 * first); nres >= 0 results land in R[base..], MULTRET keeps them all (up
 * to top).  freereg ends at base + max(nres, 0). */
/* T(x) for a named int or float64 type T (`State(2)`), in R[base]; 0 if
 * n is no such conversion. */
static int conversion_at(FuncState *fs, Node *n, int base, int nres) {
    Node *fn = unparen(n->a);
    if (!fn || fn->kind != N_IDENT || !fn->name)
        return 0;
    Node t = {.kind = N_TYPE, .tkind = TY_NAME, .name = fn->name};
    int sidx = mod_named_basic(fs->ms, fs, &t);
    if (sidx < 0)
        return 0;
    if (n->list.len != 1 || n->spread) {
        cerrn(fs, n, "%s arguments in conversion to %s", n->list.len ? "too many" : "missing", fn->name);
        return 1;
    }
    conv_to(fs, sidx, n->list.items[0], base); /* one result: expr_nret says so, so nres is never MULTRET */
    fs->freereg = base + (nres > 0 ? nres : 0);
    reg_check(fs, fs->freereg);
    return 1;
}

void conv_to(FuncState *fs, int sidx, Node *arg, int dst) {
    int save = fs->freereg;
    int base = reg_reserve(fs, 3);
    emit_loadk(fs, base, k_stdmember(fs, "builtin", "convert"));
    emit_loadk(fs, base + 1, k_struct(fs, fs->ms, sidx));
    expr_to(fs, arg, base + 2);
    emit_abc(fs, OP_CALL, base, 3, 2);
    emit_move(fs, dst, base);
    fs->freereg = save;
}

/* An argument whose evaluation can neither panic nor change anything, nor
 * see anything a method lookup does: a literal or a variable. */
static int arg_is_plain(FuncState *fs, Node *a) {
    a = unparen(a);
    if (!a)
        return 0;
    switch (a->kind) {
    case N_INT:
    case N_FLOAT:
    case N_STRING:
    case N_TRUE:
    case N_FALSE:
    case N_NIL: return 1;
    case N_IDENT: {
        Ref r;
        if (!a->name || !resolve(fs, a->name, &r))
            return 0;
        return r.kind == R_LOCAL || r.kind == R_UPVAL || r.kind == R_CONST ||
               (r.kind == R_GLOBAL && r.g->kind == G_VAR);
    }
    default: return 0;
    }
}

/* A method call x.m(args) whose arguments are all plain (arg_is_plain) has
 * its SELF or SELFU (at self_pc, the arguments' code after it) moved after them, so
 * that it comes right before its CALLM (self_fuse): the VM then runs a native
 * method's fast path from SELF, one dispatch fewer.  Nobody can tell: the receiver
 * is still evaluated first, and the arguments' code neither jumps nor
 * panics nor sees the lookup. */
static void self_after_args(FuncState *fs, int self_pc) {
    Instr self = fs->code[self_pc];
    int32_t line = fs->lines[self_pc];
    memmove(&fs->code[self_pc], &fs->code[self_pc + 1], (size_t)(fs->ncode - self_pc - 1) * sizeof(Instr));
    memmove(&fs->lines[self_pc], &fs->lines[self_pc + 1], (size_t)(fs->ncode - self_pc - 1) * sizeof(int32_t));
    fs->code[fs->ncode - 1] = self;
    fs->lines[fs->ncode - 1] = line;
}

/* Whether a method call's only argument was compiled, after its SELF or
 * SELFU at self_pc, to one LOADI (`c.Add(1)`): then the SELF stays before
 * it, and SELFC reads the int from that LOADI (self_fuse). */
static int self_literal_arg(FuncState *fs, int self_pc) {
    Instr ld = fs->code[fs->ncode - 1];
    return fs->ncode == self_pc + 2 && BC_OP(ld) == OP_LOADI && BC_A(ld) == BC_A(fs->code[self_pc]) + 2;
}

/* The CALLM just emitted, with fixed arguments and results, right after its
 * SELF or SELFU, or after its SELF and the LOADI of its only argument: that
 * becomes SELFC or SELFUC, so that the VM runs a native method's fast path
 * from it (with that LOADI's int) and skips the CALLM without looking at
 * what follows at run time. */
static void self_fuse(FuncState *fs) {
    Instr call = fs->code[fs->ncode - 1];
    if (fs->ncode < 2 || BC_B(call) == 0 || BC_C(call) == 0)
        return;
    int at = fs->ncode - 2;
    Instr ld = fs->code[at];
    if (at >= 1 && BC_OP(ld) == OP_LOADI && BC_A(ld) == BC_A(call) + 2 && BC_B(call) == 3)
        at--;
    Instr self = fs->code[at];
    if (BC_A(self) != BC_A(call) || (BC_OP(self) != OP_SELF && BC_OP(self) != OP_SELFU))
        return;
    int op = BC_OP(self) == OP_SELF ? OP_SELFC : OP_SELFUC;
    fs->code[at] = (self & ~(Instr)0xFF) | (Instr)op;
}

void call_at(FuncState *fs, Node *n, int base, int nres) {
    int saveline = fs->curline;
    fs->curline = n->line ? n->line : saveline;
    fs->freereg = base;
    if (conversion_at(fs, n, base, nres)) {
        fs->curline = saveline;
        return;
    }
    int method = callee_to(fs, n->a, base, 0);
    int nargs = n->list.len, B;
    int multi_arg = nargs == 1 && !n->spread && expr_can_multi(fs, n->list.items[0]);
    GSym *g = known_func(fs, n->a);
    if (g)
        check_arg_count(fs, n, g, nargs, multi_arg && expr_nret(fs, n->list.items[0]) != 1);
    if (multi_arg) {
        Node *arg = unparen(n->list.items[0]);
        int nr = expr_nret(fs, arg);
        if (nr >= 2 && g && g->node && g->node->kind == N_FUNC && !g->node->variadic &&
            g->node->params.len != nr)
            cerrn(fs, n, "%s arguments in call to %s", nr > g->node->params.len ? "too many" : "not enough",
                  g->name);
        call_at(fs, arg, fs->freereg, MULTRET);
        B = 0;
    } else {
        int self_pc = -1;
        if (method && !n->spread && nargs > 0 && fs->ncode > 0 &&
            (BC_OP(fs->code[fs->ncode - 1]) == OP_SELF || BC_OP(fs->code[fs->ncode - 1]) == OP_SELFU)) {
            self_pc = fs->ncode - 1;
            for (int i = 0; i < nargs && self_pc >= 0; i++)
                if (!arg_is_plain(fs, n->list.items[i]))
                    self_pc = -1;
        }
        for (int i = 0; i < nargs; i++)
            if (i != 1 || !errors_as_type_next(fs, n, n->list.items[i]))
                arg_next(fs, n, i);
        if (self_pc >= 0 && !(nargs == 1 && self_literal_arg(fs, self_pc)))
            self_after_args(fs, self_pc);
        B = nargs + 1 + method;
    }
    int op = method ? (n->spread ? OP_CALLMV : OP_CALLM) : (n->spread ? OP_CALLV : OP_CALL);
    fs->curline = n->line ? n->line : saveline;
    emit_abc(fs, op, base, B > 255 ? 255 : B, nres == MULTRET ? 0 : nres + 1);
    if (op == OP_CALLM)
        self_fuse(fs);
    fs->freereg = base + (nres > 0 ? nres : 0);
    reg_check(fs, fs->freereg);
    fs->curline = saveline;
}

static int is_builtin_call(FuncState *fs, Node *n, const char *name) {
    Node *fn = unparen(n->a);
    if (!fn || fn->kind != N_IDENT || !fn->name || strcmp(fn->name, name))
        return 0;
    Ref r;
    resolve(fs, fn->name, &r);
    return r.kind == R_BUILTIN;
}

static void callexpr_to(FuncState *fs, Node *n, int dst) {
    if (n->list.len == 1 && !n->spread && is_builtin_call(fs, n, "len")) {
        int save = top_begin(fs, dst);
        int r = expr_any(fs, n->list.items[0]);
        emit_abc(fs, OP_LEN, dst, r, 0);
        top_end(fs, save);
        return;
    }
    if (n->list.len == 1 && !n->spread && is_builtin_call(fs, n, "float64")) {
        int kc = k_stdmember(fs, "builtin", "float64");
        if (kc < 256) {
            int save = top_begin(fs, dst);
            int r = expr_any(fs, n->list.items[0]);
            emit_abc(fs, OP_TOFLOAT, dst, r, kc);
            top_end(fs, save);
            return;
        }
    }
    if (expr_nret(fs, n) >= 2) {
        char buf[200];
        expr_str(n, buf, sizeof buf);
        cerrn(fs, n, "multiple-value %s in single-value context", buf);
    }
    int save = fs->freereg;
    if (dst == save - 1 && dst >= fs->nactreg) {
        call_at(fs, n, dst, 1);
    } else {
        int t = save;
        call_at(fs, n, t, 1);
        emit_move(fs, dst, t);
    }
    fs->freereg = save;
}

/* Several values from one expression into R[base..base+nres) (freereg is
 * base): a call, m[k] with ok, x.(T) with ok, <-ch with ok.  0 if n cannot
 * give several values. */
int expr_multi(FuncState *fs, Node *n, int base, int nres, Node *at) {
    Node *u = unparen(n);
    (void)at;
    if (!u)
        return 0;
    fs->freereg = base;
    switch (u->kind) {
    case N_CALL:
        if (u->list.len == 1 && !u->spread && is_builtin_call(fs, u, "len"))
            return 0;
        call_at(fs, u, base, nres);
        return 1;
    case N_INDEX:
    case N_TYPEASSERT: {
        if (nres != 2)
            return 0;
        if (u->kind == N_TYPEASSERT && !u->type)
            return 0;
        int ra = expr_any(fs, u->a);
        if (u->kind == N_INDEX) {
            int rb = expr_any(fs, u->b);
            emit_abc(fs, OP_GETINDEXOK, base, ra, rb);
        } else {
            BcConst tc;
            if (mod_type_const(fs->ms, fs, u->type, &tc)) {
                int k = k_small(fs, k_add(fs, &tc), u);
                emit_abc(fs, OP_TYPEASSERTOK, base, ra, k);
            }
            bcconst_free(&tc);
        }
        fs->freereg = base + 2;
        reg_check(fs, fs->freereg);
        return 1;
    }
    case N_UNARY:
        if (nres != 2 || unop(u->op) != TK_ARROW)
            return 0;
        {
            int r = expr_any(fs, u->a);
            emit_abc(fs, OP_RECV, base, r, 1);
        }
        fs->freereg = base + 2;
        reg_check(fs, fs->freereg);
        return 1;
    default: return 0;
    }
}

/* ---- other expressions ---- */

static void index_to(FuncState *fs, Node *n, int dst) {
    int save = top_begin(fs, dst);
    int ra = expr_any(fs, n->a);
    int rb = expr_any(fs, n->b);
    emit_abc(fs, OP_GETINDEX, dst, ra, rb);
    top_end(fs, save);
}

static void slice_to(FuncState *fs, Node *n, int dst) {
    int save = top_begin(fs, dst);
    int base = reg_reserve(fs, 3);
    int c = 0;
    expr_to(fs, n->a, base);
    if (n->b) {
        expr_to(fs, n->b, base + 1);
        c |= 1;
    }
    if (n->c) {
        expr_to(fs, n->c, base + 2);
        c |= 2;
    }
    emit_abc(fs, OP_SLICE, dst, base, c);
    top_end(fs, save);
}

static void selector_to(FuncState *fs, Node *n, int dst) {
    if (!n->name) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    GSym *g = module_of(fs, n->a);
    if (g && g->kind == G_STDMOD) {
        std_member_check(fs, g, n->name, n);
        emit_loadk(fs, dst, k_stdmember(fs, g->path, n->name));
        return;
    }
    if (g && g->kind == G_USERMOD) {
        int kind = user_member_check(fs, g, n->name, n);
        if (kind == G_STRUCT) {
            cerrn(fs, n, "%s.%s (type) is not an expression", g->name, n->name);
            return;
        }
        if (kind == G_CONST && g->mod) {
            GSym *c = mod_lookup(g->mod, n->name);
            if (c && c->cfold) {
                const_load(fs, &c->cv, dst, n);
                return;
            }
        }
        emit_abx(fs, OP_GETGLOBAL, dst, g->slot);
        emit_abc(fs, OP_GETFIELD, dst, dst, k_small(fs, k_string(fs, n->name, strlen(n->name)), n));
        return;
    }
    Node *a = unparen(n->a);
    if (a && a->kind == N_IDENT && a->name) {
        Ref r;
        resolve(fs, a->name, &r);
        if (r.kind == R_STRUCT) {
            cerrn(fs, n, "method expressions are not supported: %s.%s", a->name, n->name);
            return;
        }
    }
    int save = top_begin(fs, dst);
    int ra = expr_any(fs, n->a);
    emit_abc(fs, OP_GETFIELD, dst, ra, k_small(fs, k_string(fs, n->name, strlen(n->name)), n));
    top_end(fs, save);
}

static void typeassert_to(FuncState *fs, Node *n, int dst) {
    if (!n->type) {
        cerrn(fs, n, "invalid syntax tree: use of .(type) outside type switch");
        return;
    }
    BcConst tc;
    if (!mod_type_const(fs->ms, fs, n->type, &tc))
        return;
    int save = top_begin(fs, dst);
    int ra = expr_any(fs, n->a);
    emit_abc(fs, OP_TYPEASSERT, dst, ra, k_small(fs, k_add(fs, &tc), n));
    bcconst_free(&tc);
    top_end(fs, save);
}

void funclit_to(FuncState *fs, Node *n, int dst) {
    Node *fn = n->kind == N_FUNCLIT ? n->func : n;
    if (!fn) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    char name[256];
    fs->nanon++;
    if (fs->is_closure)
        snprintf(name, sizeof name, "%s.%d", fs->name ? fs->name : "func", fs->nanon);
    else
        snprintf(name, sizeof name, "%s.func%d",
                 fs->is_top ? (fs->ms->is_main ? "main" : "init")
                 : fs->name ? fs->name
                            : "func",
                 fs->nanon);
    int idx = mod_func_compile(fs->ms, fs, fn, name, 0);
    emit_abx(fs, OP_CLOSURE, dst, k_func(fs, idx));
}

#define APPEND_BATCH 32

static void list_to(FuncState *fs, Node *n, int dst) {
    int len = n->list.len;
    emit_abx(fs, OP_NEWLIST, dst, len > 0xFFFF ? 0xFFFF : len);
    for (int i = 0; i < len; i += APPEND_BATCH) {
        int base = fs->freereg, cnt = 0;
        for (int j = i; j < len && j < i + APPEND_BATCH; j++) {
            Node *e = n->list.items[j];
            if (e && e->kind == N_KEYVALUE) {
                cerrn(fs, e, "index keys in list literals are not supported");
                e = e->b;
            }
            expr_next(fs, e);
            cnt++;
        }
        emit_abc(fs, OP_LISTAPPEND, dst, base, cnt);
        fs->freereg = base;
    }
}

/* R[dst] := the zero value of an element of the Go type `type`, when it
 * has one that is not nil (see mod_elem_zero); 0 if it has none. */
static int elem_zero_to(FuncState *fs, Node *type, int scalar, int dst) {
    BcConst c;
    if (!mod_elem_zero(fs->ms, fs, type, scalar, &c))
        return 0;
    emit_abx(fs, OP_ZEROVAL, dst, k_add(fs, &c));
    bcconst_free(&c);
    return 1;
}

/* A Go-typed map (map[string]int{} or make(map[string]int)) gives its
 * element type's zero for a missing key. */
static void map_zero(FuncState *fs, Node *type, int dst) {
    if (!type || type->kind != N_TYPE || type->tkind != TY_MAP)
        return;
    int save = fs->freereg;
    int t = reg_reserve(fs, 1);
    if (elem_zero_to(fs, type->elem, 1, t))
        emit_abc(fs, OP_MAPZERO, dst, t, 0);
    fs->freereg = save;
}

static void map_to(FuncState *fs, Node *n, int dst) {
    int len = n->list.len;
    emit_abx(fs, OP_NEWMAP, dst, len > 0xFFFF ? 0xFFFF : len);
    map_zero(fs, n->type, dst);
    for (int i = 0; i < len; i++) {
        Node *e = n->list.items[i];
        int save = fs->freereg;
        if (!e || e->kind != N_KEYVALUE) {
            cerrn(fs, e ? e : n, "missing key in map literal");
            continue;
        }
        int rk = expr_any(fs, e->a);
        int rv = expr_any(fs, e->b);
        emit_abc(fs, OP_SETINDEX, dst, rk, rv);
        fs->freereg = save;
    }
}

static void structlit_to(FuncState *fs, Node *n, int dst) {
    Node *t = n->type;
    int ptr = n->op == TK_AND; /* &T{...}, or an elided one in []*T{{...}} */
    while (t && t->kind == N_TYPE && t->tkind == TY_POINTER) {
        t = t->elem;
        ptr = 1;
    }
    char tname[200];
    expr_str(t, tname, sizeof tname);
    /* a native type literal: sync.WaitGroup{} */
    if (t && t->kind == N_TYPE && t->tkind == TY_NAME && t->pkg) {
        GSym *g = mod_lookup_pkg(fs->ms, t->pkg);
        if (g && g->kind == G_STDMOD) {
            if (n->list.len)
                cerrn(fs, n, "too many values in struct literal of type %s", tname);
            BcConst tc;
            if (mod_type_const(fs->ms, fs, t, &tc))
                emit_abx(fs, OP_ZEROVAL, dst, k_add(fs, &tc));
            bcconst_free(&tc);
            return;
        }
    }
    ModState *owner;
    int sidx;
    if (!mod_struct_ref(fs->ms, fs, t, &owner, &sidx, 1))
        return;
    BcStruct *st = &owner->m->structs[sidx];
    if (st->basic) {
        cerrn(fs, n, "invalid composite literal type %s", tname);
        return;
    }
    emit_abx(fs, OP_NEWSTRUCT, dst, k_struct(fs, owner, sidx));
    if (ptr)
        emit_abc(fs, OP_STRUCTPTR, dst, 0, 0);
    int nkeyed = 0, npos = 0;
    for (int i = 0; i < n->list.len; i++) {
        Node *e = n->list.items[i];
        if (e && e->kind == N_KEYVALUE)
            nkeyed++;
        else
            npos++;
    }
    if (nkeyed && npos) {
        cerrn(fs, n, "mixture of field:value and value elements in struct literal");
        return;
    }
    if (npos && npos < st->nfields) {
        cerrn(fs, n->list.items[npos - 1] ? n->list.items[npos - 1] : n,
              "too few values in struct literal of type %s", tname);
    } else if (npos > st->nfields) {
        cerrn(fs, n->list.items[st->nfields] ? n->list.items[st->nfields] : n,
              "too many values in struct literal of type %s", tname);
        return;
    }
    uint8_t *seen = mem_calloc((size_t)st->nfields + 1, 1);
    for (int i = 0; i < n->list.len; i++) {
        Node *e = n->list.items[i];
        Node *val = e;
        int idx = i;
        if (nkeyed) {
            Node *key = unparen(e->a);
            if (!key || key->kind != N_IDENT || !key->name) {
                cerrn(fs, e, "invalid field name in struct literal");
                continue;
            }
            idx = -1;
            for (int f = 0; f < st->nfields; f++)
                if (!strcmp(st->fields[f].name, key->name))
                    idx = f;
            if (idx < 0) {
                cerrn(fs, key, "unknown field %s in struct literal of type %s", key->name, tname);
                continue;
            }
            if (owner != fs->ms && !is_exported(key->name)) {
                cerrn(fs, key, "cannot refer to unexported field %s in struct literal of type %s", key->name,
                      tname);
                continue;
            }
            if (seen[idx]) {
                cerrn(fs, key, "duplicate field name %s in struct literal", key->name);
                continue;
            }
            seen[idx] = 1;
            val = e->b;
        } else if (owner != fs->ms && !is_exported(st->fields[i].name)) {
            cerrn(fs, e, "implicit assignment to unexported field %s in struct literal of type %s",
                  st->fields[i].name, tname);
        }
        if (idx > 255) {
            cerrn(fs, e, "struct type %s has too many fields", tname);
            continue;
        }
        int save = fs->freereg;
        int rv = expr_any(fs, val);
        emit_abc(fs, OP_SETFIELDI, dst, idx, rv);
        fs->freereg = save;
    }
    free(seen);
}

static int make_kind(Node *t) {
    if (!t || t->kind != N_TYPE)
        return 0;
    if (t->tkind == TY_LIST)
        return 'l';
    if (t->tkind == TY_MAP)
        return 'm';
    if (t->tkind == TY_CHAN)
        return 'c';
    if (t->tkind == TY_NAME && !t->pkg && t->name) {
        if (!strcmp(t->name, "list"))
            return 'l';
        if (!strcmp(t->name, "map"))
            return 'm';
        if (!strcmp(t->name, "chan"))
            return 'c';
    }
    return 0;
}

static void make_to(FuncState *fs, Node *n, int dst) {
    int kind = make_kind(n->type);
    if (!kind) {
        char buf[160];
        expr_str(n->type, buf, sizeof buf);
        cerrn(fs, n, "invalid argument: cannot make %s; type must be list, map or chan", buf);
        return;
    }
    if (kind == 'm') {
        int hint = 0;
        ConstVal cv;
        if (n->list.len > 1)
            cerrn(fs, n, "invalid operation: too many arguments for make(map)");
        if (n->list.len >= 1) {
            if (const_eval(fs, fs->ms, n->list.items[0], &cv) && cv.kind == CV_INT && cv.i >= 0)
                hint = cv.i > 0xFFFF ? 0xFFFF : (int)cv.i;
            else
                expr_discard(fs, n->list.items[0]);
        }
        emit_abx(fs, OP_NEWMAP, dst, hint);
        map_zero(fs, n->type, dst);
        return;
    }
    if (kind == 'c' && n->list.len > 1)
        cerrn(fs, n, "invalid operation: too many arguments for make(chan)");
    if (kind == 'l' && n->list.len > 2)
        cerrn(fs, n, "invalid operation: too many arguments for make(list)");
    int save = fs->freereg;
    int base = (dst == save - 1 && dst >= fs->nactreg) ? dst : save;
    fs->freereg = base;
    reg_reserve(fs, 1);
    /* Go's element type gives the elements' (or a closed channel's) zero:
     * makelistz(type, n[, cap]), makechan(n, zero) */
    Node *elem = n->type->elem;
    BcConst etype;
    int typed = kind == 'l' && mod_elem_zero(fs->ms, fs, elem, 0, &etype);
    emit_loadk(fs, base, k_stdmember(fs, "builtin", kind == 'c' ? "makechan" : typed ? "makelistz" : "makelist"));
    if (typed) {
        emit_loadk(fs, reg_reserve(fs, 1), k_add(fs, &etype));
        bcconst_free(&etype);
    }
    int nargs = n->list.len;
    for (int i = 0; i < nargs; i++)
        expr_next(fs, n->list.items[i]);
    if (kind == 'c') {
        if (nargs == 0) {
            emit_loadint(fs, reg_reserve(fs, 1), 0);
            nargs = 1;
        }
        int t = reg_reserve(fs, 1);
        if (elem_zero_to(fs, elem, 1, t))
            nargs++;
        else
            fs->freereg = t;
    }
    emit_abc(fs, OP_CALL, base, nargs + typed + 1, 2);
    emit_move(fs, dst, base);
    fs->freereg = save;
}

void expr_to(FuncState *fs, Node *n, int dst) {
    if (!n) {
        emit_loadnil(fs, dst, 1);
        return;
    }
    int savefree = fs->freereg;
    int saveline = fs->curline;
    if (n->line)
        fs->curline = n->line;
    switch (n->kind) {
    case N_PAREN: expr_to(fs, n->a, dst); break;
    case N_INT:
    case N_FLOAT:
    case N_STRING:
    case N_TRUE:
    case N_FALSE:
    case N_NIL: {
        ConstVal cv;
        const_eval(fs, fs->ms, n, &cv);
        const_load(fs, &cv, dst, n);
        break;
    }
    case N_IDENT: ident_to(fs, n, dst); break;
    case N_UNARY: unary_to(fs, n, dst); break;
    case N_BINARY: binary_to(fs, n, dst); break;
    case N_CALL: callexpr_to(fs, n, dst); break;
    case N_INDEX: index_to(fs, n, dst); break;
    case N_SLICE: slice_to(fs, n, dst); break;
    case N_SELECTOR: selector_to(fs, n, dst); break;
    case N_TYPEASSERT: typeassert_to(fs, n, dst); break;
    case N_FUNCLIT: funclit_to(fs, n, dst); break;
    case N_LIST:
    case N_MAP:
    case N_STRUCTLIT:
    case N_MAKE:
        if (needs_temp(fs, dst)) {
            int t = reg_reserve(fs, 1);
            expr_to(fs, n, t);
            emit_move(fs, dst, t);
            break;
        }
        if (n->kind == N_LIST)
            list_to(fs, n, dst);
        else if (n->kind == N_MAP)
            map_to(fs, n, dst);
        else if (n->kind == N_STRUCTLIT)
            structlit_to(fs, n, dst);
        else
            make_to(fs, n, dst);
        break;
    case N_TYPE: {
        char buf[160];
        expr_str(n, buf, sizeof buf);
        cerrn(fs, n, "%s (type) is not an expression", buf);
        break;
    }
    case N_KEYVALUE: cerrn(fs, n, "unexpected key:value expression"); break;
    case N_ADDR:
        cerrn(fs, n, "cannot take the address of %s: csp has no pointers (objects are already references)",
              n->str);
        break;
    default: cerrn(fs, n, "unexpected statement in expression position"); break;
    }
    fs->freereg = savefree;
    fs->curline = saveline;
}

int expr_any(FuncState *fs, Node *n) {
    Node *u = unparen(n);
    if (u && u->kind == N_IDENT && u->name && strcmp(u->name, "_")) {
        Ref r;
        resolve(fs, u->name, &r);
        if (r.kind == R_LOCAL && !r.cell)
            return r.reg;
    }
    int r = reg_reserve(fs, 1);
    expr_to(fs, n, r);
    return r;
}

int expr_next(FuncState *fs, Node *n) {
    int r = reg_reserve(fs, 1);
    expr_to(fs, n, r);
    fs->freereg = r + 1;
    return r;
}

/* An expression statement: calls and receives only. */
void expr_discard(FuncState *fs, Node *n) {
    Node *u = unparen(n);
    if (!u)
        return;
    int save = fs->freereg;
    int saveline = fs->curline;
    if (u->line)
        fs->curline = u->line;
    if (u->kind == N_CALL) {
        call_at(fs, u, save, 0);
    } else if (u->kind == N_MAKE) {
        /* make(list, n) may panic: as a statement it is kept for its effect */
        expr_to(fs, u, reg_reserve(fs, 1));
    } else if (u->kind == N_UNARY && unop(u->op) == TK_ARROW) {
        int r = expr_any(fs, u->a);
        emit_abc(fs, OP_RECV, reg_reserve(fs, 1), r, 0);
    } else {
        char buf[200];
        expr_str(u, buf, sizeof buf);
        cerrn(fs, u, "%s (value) is not used", buf);
    }
    fs->freereg = save;
    fs->curline = saveline;
}
