/* parser/constfold.c — constant expressions.
 *
 * Integer constants are exact (as Go's untyped constants) within ±2^126 and
 * are checked against int64 only when they become values (`1 << 63` is
 * fine inside `1<<63 - 1`); floats are doubles; strings are folded into
 * the module's arena. */
#include <stdlib.h>
#include <string.h>

#include "parser/compile_int.h"

#define BIG_LIMIT (((__int128)1) << 126)

static void i128_str(__int128 v, char *buf, size_t cap) {
    char tmp[64];
    int n = 0, neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u && n < 60);
    size_t j = 0;
    if (neg && j + 1 < cap)
        buf[j++] = '-';
    while (n > 0 && j + 1 < cap)
        buf[j++] = tmp[--n];
    buf[j] = 0;
}

int const_fits_int(const ConstVal *cv) {
    return cv->kind != CV_INT || (cv->i >= INT64_MIN && cv->i <= INT64_MAX);
}

static int report_overflow(ModState *ms, const ConstVal *cv, Node *at, int line) {
    char num[64];
    i128_str(cv->i, num, sizeof num);
    cerr(ms, at ? at->line : line, at ? at->col : 1, "constant %s overflows int", num);
    return 0;
}

int const_to_bc(FuncState *fs, ModState *ms, const ConstVal *cv, Node *at, BcConst *out) {
    memset(out, 0, sizeof *out);
    out->index = out->idx2 = -1;
    switch (cv->kind) {
    case CV_INT:
        if (!const_fits_int(cv))
            return report_overflow(ms, cv, at, fs ? fs->curline : 1);
        out->kind = BK_INT;
        out->i = (int64_t)cv->i;
        return 1;
    case CV_FLOAT:
        out->kind = BK_FLOAT;
        out->f = cv->f;
        return 1;
    case CV_STRING:
        out->kind = BK_STRING;
        out->s = (char *)(cv->s ? cv->s : "");
        out->slen = cv->s ? cv->slen : 0;
        return 1;
    case CV_BOOL:
        out->kind = BK_BOOL;
        out->i = cv->i != 0;
        return 1;
    case CV_NIL: out->kind = BK_NIL; return 1;
    case CV_NONE: break;
    }
    out->kind = BK_NIL;
    return 0;
}

int const_k(FuncState *fs, const ConstVal *cv, Node *at) {
    BcConst c;
    const_to_bc(fs, fs->ms, cv, at, &c);
    return k_add(fs, &c);
}

void const_load(FuncState *fs, const ConstVal *cv, int dst, Node *at) {
    switch (cv->kind) {
    case CV_INT:
        if (!const_fits_int(cv)) {
            report_overflow(fs->ms, cv, at, fs->curline);
            emit_loadint(fs, dst, 0);
            return;
        }
        emit_loadint(fs, dst, (int64_t)cv->i);
        return;
    case CV_BOOL: emit_abc(fs, OP_LOADBOOL, dst, cv->i != 0, 0); return;
    case CV_NIL:
    case CV_NONE: emit_loadnil(fs, dst, 1); return;
    default: emit_loadk(fs, dst, const_k(fs, cv, at)); return;
    }
}

/* ---- evaluation ---- */

static int lookup_const(FuncState *fs, ModState *ms, const char *name, ConstVal *out, int *runtime) {
    *runtime = 0;
    if (fs) {
        Ref r;
        resolve(fs, name, &r);
        if (r.kind == R_CONST || r.kind == R_IOTA) {
            *out = r.cv;
            return 1;
        }
        if ((r.kind == R_GLOBAL || r.kind == R_LOCAL || r.kind == R_UPVAL) && r.readonly)
            *runtime = 1;
        return 0;
    }
    GSym *g = mod_lookup(ms, name);
    if (g && g->kind == G_CONST) {
        const_global_eval(ms, g);
        if (g->cfold) {
            *out = g->cv;
            return 1;
        }
        *runtime = 1;
        return 0;
    }
    if (!g && ms->cur_iota >= 0 && !strcmp(name, "iota")) {
        out->kind = CV_INT;
        out->i = ms->cur_iota;
        return 1;
    }
    return 0;
}

static int unop_norm(int op) {
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

static double as_float(const ConstVal *v) {
    return v->kind == CV_FLOAT ? v->f : (double)v->i;
}

static const char *untyped_name(const ConstVal *v) {
    switch (v->kind) {
    case CV_INT: return "untyped int";
    case CV_FLOAT: return "untyped float";
    case CV_STRING: return "untyped string";
    case CV_BOOL: return "untyped bool";
    case CV_NIL: return "untyped nil";
    default: return "?";
    }
}

static int big_ok(ModState *ms, Node *n, __int128 v, int ovf) {
    if (ovf || v > BIG_LIMIT || v < -BIG_LIMIT) {
        cerr(ms, n->line, n->col, "constant overflow");
        return 0;
    }
    return 1;
}

static int fold_binary(ModState *ms, Node *n, int op, ConstVal *x, ConstVal *y, ConstVal *out) {
    memset(out, 0, sizeof *out);
    int xnum = x->kind == CV_INT || x->kind == CV_FLOAT;
    int ynum = y->kind == CV_INT || y->kind == CV_FLOAT;
    /* logical */
    if (op == TK_LAND || op == TK_LOR) {
        if (x->kind != CV_BOOL || y->kind != CV_BOOL)
            return 0;
        out->kind = CV_BOOL;
        out->i = op == TK_LAND ? (x->i && y->i) : (x->i || y->i);
        return 1;
    }
    /* comparisons */
    if (op == TK_EQL || op == TK_NEQ || op == TK_LSS || op == TK_GTR || op == TK_LEQ || op == TK_GEQ) {
        int c; /* -1, 0, 1; 2 = unordered (NaN) */
        if (xnum && ynum) {
            if (x->kind == CV_INT && y->kind == CV_INT)
                c = x->i < y->i ? -1 : x->i > y->i;
            else {
                double a = as_float(x), b = as_float(y);
                c = a < b ? -1 : a > b ? 1 : a == b ? 0 : 2;
            }
        } else if (x->kind == CV_STRING && y->kind == CV_STRING) {
            size_t m = x->slen < y->slen ? x->slen : y->slen;
            int r = m ? memcmp(x->s, y->s, m) : 0;
            c = r < 0 ? -1 : r > 0 ? 1 : x->slen < y->slen ? -1 : x->slen > y->slen;
        } else if (x->kind == y->kind && (x->kind == CV_BOOL || x->kind == CV_NIL)) {
            if (op != TK_EQL && op != TK_NEQ)
                return 0;
            c = x->kind == CV_NIL ? 0 : (x->i != y->i);
        } else {
            return 0; /* mixed kinds: decided at run time */
        }
        int r;
        switch (op) {
        case TK_EQL: r = c == 0; break;
        case TK_NEQ: r = c != 0; break;
        case TK_LSS: r = c == -1; break;
        case TK_GTR: r = c == 1; break;
        case TK_LEQ: r = c == -1 || c == 0; break;
        default: r = c == 1 || c == 0; break;
        }
        out->kind = CV_BOOL;
        out->i = r;
        return 1;
    }
    if (x->kind == CV_STRING && y->kind == CV_STRING && op == TK_ADD) {
        char *s = arena_alloc(ms->arena, x->slen + y->slen + 1);
        if (x->slen)
            memcpy(s, x->s, x->slen);
        if (y->slen)
            memcpy(s + x->slen, y->s, y->slen);
        s[x->slen + y->slen] = 0;
        out->kind = CV_STRING;
        out->s = s;
        out->slen = x->slen + y->slen;
        return 1;
    }
    if (!xnum || !ynum) {
        if (x->kind == CV_NIL || y->kind == CV_NIL || x->kind == y->kind)
            return 0;
        char buf[200];
        expr_str(n, buf, sizeof buf);
        cerr(ms, n->line, n->col, "invalid operation: %s (mismatched types %s and %s)", buf, untyped_name(x),
             untyped_name(y));
        return 0;
    }
    if ((op == TK_QUO || op == TK_REM) &&
        ((y->kind == CV_INT && y->i == 0) || (y->kind == CV_FLOAT && y->f == 0))) {
        cerr(ms, n->b->line, n->b->col, "invalid operation: division by zero"); /* at the divisor, as Go */
        return 0;
    }
    if (x->kind == CV_INT && y->kind == CV_INT) {
        __int128 a = x->i, b = y->i, r = 0;
        int ovf = 0;
        switch (op) {
        case TK_ADD: ovf = __builtin_add_overflow(a, b, &r); break;
        case TK_SUB: ovf = __builtin_sub_overflow(a, b, &r); break;
        case TK_MUL: ovf = __builtin_mul_overflow(a, b, &r); break;
        case TK_QUO: r = a / b; break;
        case TK_REM: r = a % b; break;
        case TK_AND: r = a & b; break;
        case TK_OR: r = a | b; break;
        case TK_XOR: r = a ^ b; break;
        case TK_AND_NOT: r = a & ~b; break;
        case TK_SHL:
        case TK_SHR:
            if (b < 0) {
                char buf[64];
                i128_str(b, buf, sizeof buf);
                cerr(ms, n->line, n->col, "invalid shift count %s (negative)", buf);
                return 0;
            }
            if (op == TK_SHR) {
                r = b >= 127 ? (a < 0 ? -1 : 0) : a >> (int)b;
            } else if (a == 0) {
                r = 0;
            } else if (b >= 126) {
                ovf = 1;
            } else {
                r = a * (((__int128)1) << (int)b);
                if (r / (((__int128)1) << (int)b) != a)
                    ovf = 1;
            }
            break;
        default: return 0;
        }
        if (!big_ok(ms, n, r, ovf))
            return 0;
        out->kind = CV_INT;
        out->i = r;
        return 1;
    }
    double a = as_float(x), b = as_float(y), r;
    switch (op) {
    case TK_ADD: r = a + b; break;
    case TK_SUB: r = a - b; break;
    case TK_MUL: r = a * b; break;
    case TK_QUO: r = a / b; break;
    default: {
        char buf[200];
        expr_str(n, buf, sizeof buf);
        cerr(ms, n->line, n->col, "invalid operation: operator %s not defined on %s (untyped float constant)",
             op == TK_REM   ? "%"
             : op == TK_SHL ? "<<"
             : op == TK_SHR ? ">>"
                            : "bitwise",
             buf);
        return 0;
    }
    }
    out->kind = CV_FLOAT;
    out->f = r;
    return 1;
}

int const_eval(FuncState *fs, ModState *ms, Node *n, ConstVal *out) {
    memset(out, 0, sizeof *out);
    if (!n)
        return 0;
    switch (n->kind) {
    case N_INT:
        out->kind = CV_INT;
        /* the parser folds -LIT into the literal, and reports literals beyond int64 */
        out->i = n->ival;
        return 1;
    case N_FLOAT:
        out->kind = CV_FLOAT;
        out->f = n->fval;
        return 1;
    case N_STRING:
        out->kind = CV_STRING;
        out->s = n->str ? n->str : "";
        out->slen = n->str ? n->slen : 0;
        return 1;
    case N_TRUE:
        out->kind = CV_BOOL;
        out->i = 1;
        return 1;
    case N_FALSE:
        out->kind = CV_BOOL;
        out->i = 0;
        return 1;
    case N_NIL: out->kind = CV_NIL; return 1;
    case N_PAREN: return const_eval(fs, ms, n->a, out);
    case N_IDENT: {
        int rt;
        if (!n->name)
            return 0;
        return lookup_const(fs, ms, n->name, out, &rt);
    }
    case N_UNARY: {
        ConstVal x;
        int op = unop_norm(n->op);
        if (op == TK_ARROW || op == '&' || op == '*' || !const_eval(fs, ms, n->a, &x))
            return 0;
        *out = x;
        switch (op) {
        case '-':
            if (x.kind == CV_INT)
                out->i = -x.i;
            else if (x.kind == CV_FLOAT)
                out->f = -x.f;
            else
                return 0;
            return 1;
        case '+': return x.kind == CV_INT || x.kind == CV_FLOAT;
        case '!':
            if (x.kind != CV_BOOL)
                return 0;
            out->i = !x.i;
            return 1;
        case '^':
            if (x.kind != CV_INT)
                return 0;
            out->i = ~x.i;
            return 1;
        }
        return 0;
    }
    case N_BINARY: {
        ConstVal x, y;
        if (!const_eval(fs, ms, n->a, &x))
            return 0;
        if (!const_eval(fs, ms, n->b, &y))
            return 0;
        return fold_binary(ms, n, n->op, &x, &y, out);
    }
    default: return 0;
    }
}

/* A constant expression Go accepts in a const declaration whose value we
 * only know at run time (time.Second * 5, math.Pi / 2). */
int const_is_constexpr(FuncState *fs, ModState *ms, Node *n) {
    if (!n)
        return 0;
    switch (n->kind) {
    case N_INT:
    case N_FLOAT:
    case N_STRING:
    case N_TRUE:
    case N_FALSE: return 1;
    case N_PAREN: return const_is_constexpr(fs, ms, n->a);
    case N_IDENT: {
        ConstVal cv;
        int rt;
        if (!n->name)
            return 0;
        return lookup_const(fs, ms, n->name, &cv, &rt) || rt;
    }
    case N_SELECTOR: {
        Node *a = unparen(n->a);
        if (!a || a->kind != N_IDENT || !a->name)
            return 0;
        GSym *g = NULL;
        if (fs) {
            Ref r;
            resolve(fs, a->name, &r);
            if (r.kind == R_STDMOD || r.kind == R_USERMOD)
                g = r.g;
        } else {
            g = mod_lookup(ms, a->name);
        }
        return g && (g->kind == G_STDMOD || g->kind == G_USERMOD);
    }
    case N_UNARY: {
        int op = unop_norm(n->op);
        return op != TK_ARROW && op != '&' && op != '*' && const_is_constexpr(fs, ms, n->a);
    }
    case N_BINARY: return const_is_constexpr(fs, ms, n->a) && const_is_constexpr(fs, ms, n->b);
    default: return 0;
    }
}

void const_global_eval(ModState *ms, GSym *g) {
    if (g->cstate == 2)
        return;
    if (g->cstate == 1) {
        cerr(ms, g->node ? g->node->line : 1, g->node ? g->node->col : 1,
             "initialization cycle: %s refers to itself", g->name);
        g->cfold = 1;
        g->cv.kind = CV_INT;
        g->cv.i = 0;
        return;
    }
    g->cstate = 1;
    int64_t saved = ms->cur_iota;
    ms->cur_iota = g->iota;
    ConstVal cv;
    Node *e = g->cexpr;
    if (!e) {
        cerr(ms, g->node ? g->node->line : 1, g->node ? g->node->col : 1,
             "missing init expr for const declaration");
        g->cfold = 1;
        g->cv.kind = CV_INT;
    } else if (mod_named_basic(ms, NULL, g->ctype) >= 0 && const_is_constexpr(NULL, ms, e)) {
        g->cfold = 0; /* a value of a named type (Idle State = iota) is made at run time */
    } else if (const_eval(NULL, ms, e, &cv) && cv.kind != CV_NIL) {
        g->cfold = 1;
        g->cv = cv;
    } else if (unparen(e) && unparen(e)->kind == N_NIL) {
        cerr(ms, e->line, e->col, "nil is not constant");
        g->cfold = 1;
        g->cv.kind = CV_INT;
    } else if (const_is_constexpr(NULL, ms, e)) {
        g->cfold = 0;
    } else {
        char buf[200];
        expr_str(e, buf, sizeof buf);
        cerr(ms, e->line, e->col, "%s is not constant", buf);
        g->cfold = 1;
        g->cv.kind = CV_INT;
    }
    ms->cur_iota = saved;
    g->cstate = 2;
}
