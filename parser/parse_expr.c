/* parser/parse_expr.c — expressions, composite literals, types, and the
 * parameter lists and bodies of functions.
 *
 * csp drops Go's static types but keeps its syntax, so types are parsed
 * wherever Go allows them (and kept in N_TYPE nodes for `var x T`, make,
 * assertions and type switches), while the places where Go code would need
 * pointers or typed parameters get errors that show the csp form.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parser/parse_int.h"

static Node *parse_unary(Parser *p);
static Node *parse_complit(Parser *p, Node *type, int line, int col);

/* Go's binary precedences; 0 for a token that is not a binary operator. */
static int binary_prec(TokenKind k) {
    switch (k) {
    case TK_LOR: return 1;
    case TK_LAND: return 2;
    case TK_EQL:
    case TK_NEQ:
    case TK_LSS:
    case TK_LEQ:
    case TK_GTR:
    case TK_GEQ: return 3;
    case TK_ADD:
    case TK_SUB:
    case TK_OR:
    case TK_XOR: return 4;
    case TK_MUL:
    case TK_QUO:
    case TK_REM:
    case TK_SHL:
    case TK_SHR:
    case TK_AND:
    case TK_AND_NOT: return 5;
    default: return 0;
    }
}

static Node *unparen(Node *x) {
    while (x && x->kind == N_PAREN)
        x = x->a;
    return x;
}

/* Precedence climbing: a chain at one level is a loop, so only nesting
 * across levels recurses (at most five deep per operand). */
static Node *parse_binary(Parser *p, int prec) {
    Node *x = parse_unary(p);
    for (;;) {
        int oprec = binary_prec(p->tok.kind);
        if (p->panicking || oprec < prec || oprec == 0)
            return x;
        Node *b = node_at_tok(p, N_BINARY); /* at the operator, where Go reports */
        b->op = p->tok.kind;
        p_next(p);
        b->a = x;
        b->b = parse_binary(p, oprec + 1);
        x = b;
    }
}

Node *parse_expr(Parser *p) {
    return parse_binary(p, 1);
}

void parse_expr_list(Parser *p, NodeList *out) {
    do {
        nodelist_push(p->arena, out, parse_expr(p));
    } while (!p->panicking && p_got(p, TK_COMMA));
}

/* ---- literals ---- */

static Node *int_literal(Parser *p) {
    Node *n = node_at_tok(p, N_INT);
    const Token *t = &p->tok;
    if (t->big || t->ival > (uint64_t)INT64_MAX) {
        if (!t->big && t->ival == (uint64_t)INT64_MAX + 1 && t->off == p->neglit_off) {
            n->ival = INT64_MIN; /* -9223372036854775808: the minus folds it below */
        } else if (!t->bad) {
            if (t->big)
                p_error_at(p, t->line, t->col, "constant %s overflows int",
                           p_text(p, t->off, t->off + t->len));
            else
                p_error_at(p, t->line, t->col, "constant %llu overflows int", (unsigned long long)t->ival);
        }
    } else {
        n->ival = (int64_t)t->ival;
    }
    if (t->off == p->neglit_off)
        p->neglit = n;
    p_next(p);
    return n;
}

static Node *basic_literal(Parser *p) {
    const Token *t = &p->tok;
    Node *n;
    switch (t->kind) {
    case TK_INT: return int_literal(p);
    case TK_FLOAT:
        n = node_at_tok(p, N_FLOAT);
        n->fval = t->fval;
        if (isinf(t->fval) && !t->bad)
            p_error_at(p, t->line, t->col, "constant %s overflows float64",
                       p_text(p, t->off, t->off + t->len));
        break;
    case TK_CHAR:
        n = node_at_tok(p, N_INT);
        n->ival = (int64_t)t->ival;
        break;
    default:
        n = node_at_tok(p, N_STRING);
        n->str = t->str;
        n->slen = t->slen;
        break;
    }
    p_next(p);
    return n;
}

/* ---- composite literals ---- */

/* The type an elided element literal `{...}` has: the element type, seen
 * through one pointer (`[]*Point{{1, 2}}`, as Go allows). */
static Node *elided_type(Node *t) {
    if (t && t->tkind == TY_POINTER)
        t = t->elem;
    return t;
}

/* An element or key: `{...}` is an elided literal of `etype` when it is
 * known, else (csp's untyped `[...]` and `{...}`) an ordinary map literal. */
static Node *parse_element(Parser *p, Node *etype) {
    etype = elided_type(etype);
    if (p->tok.kind == TK_LBRACE && etype && etype->kind == N_TYPE) {
        int line = p->tok.line, col = p->tok.col;
        if (!p_enter(p))
            return bad_expr(p);
        Node *x = parse_complit(p, etype, line, col);
        p_leave(p);
        return x;
    }
    return parse_expr(p);
}

/* Elements of `{...}` (the `{` is current) into lit->list; each `k: v`
 * becomes N_KEYVALUE. */
static void parse_elements(Parser *p, Node *lit, Node *ktype, Node *vtype) {
    int old = p->exprlev;
    p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
    p_next(p);
    while (!p->panicking && p->tok.kind != TK_RBRACE && p->tok.kind != TK_EOF) {
        Node *x = parse_element(p, ktype ? ktype : vtype);
        if (p_got(p, TK_COLON)) {
            Node *kv = node_new(p, N_KEYVALUE, x->line, x->col);
            kv->a = x;
            kv->b = parse_element(p, vtype);
            x = kv;
        }
        nodelist_push(p->arena, &lit->list, x);
        if (!p_got(p, TK_COMMA) && p->tok.kind != TK_RBRACE)
            p_syntax_error(p, "in composite literal; possibly missing comma or }");
    }
    p_want(p, TK_RBRACE);
    p->exprlev = old;
}

static void check_struct_elements(Parser *p, Node *lit) {
    int keyed = 0, plain = 0;
    for (int i = 0; i < lit->list.len; i++) {
        Node *e = lit->list.items[i];
        if (e->kind == N_KEYVALUE) {
            keyed = 1;
            if (e->a->kind != N_IDENT) {
                p_error_at(p, e->a->line, e->a->col, "invalid field name in struct literal");
                return;
            }
        } else {
            plain = 1;
        }
    }
    if (keyed && plain)
        p_error_at(p, lit->line, lit->col, "mixture of field:value and value elements in struct literal");
}

/* `T{...}` for a type T already parsed; the `{` is current. */
static Node *parse_complit(Parser *p, Node *type, int line, int col) {
    Node *lit;
    switch (type->tkind) {
    case TY_LIST:
        lit = node_new(p, N_LIST, line, col);
        lit->type = type;
        parse_elements(p, lit, NULL, type->elem);
        for (int i = 0; i < lit->list.len; i++)
            if (lit->list.items[i]->kind == N_KEYVALUE) {
                Node *e = lit->list.items[i];
                p_error_at(p, e->line, e->col, "indexed elements in list literals are not supported");
                break;
            }
        return lit;
    case TY_MAP:
        lit = node_new(p, N_MAP, line, col);
        lit->type = type;
        parse_elements(p, lit, type->tkey, type->elem);
        for (int i = 0; i < lit->list.len; i++)
            if (lit->list.items[i]->kind != N_KEYVALUE) {
                Node *e = lit->list.items[i];
                p_error_at(p, e->line, e->col, "missing key in map literal");
                break;
            }
        return lit;
    case TY_NAME:
    case TY_STRUCT:
        lit = node_new(p, N_STRUCTLIT, line, col);
        lit->type = type;
        parse_elements(p, lit, NULL, NULL);
        check_struct_elements(p, lit);
        return lit;
    default:
        p_error_at(p, line, col, "invalid composite literal type");
        lit = node_new(p, N_LIST, line, col);
        parse_elements(p, lit, NULL, NULL);
        return lit;
    }
}

/* After a list, map or struct type in an expression, `{` must follow: csp
 * has no conversions to composite types (`[]byte(s)`). */
static Node *typed_literal(Parser *p, Node *type, size_t start) {
    if (p->tok.kind == TK_LBRACE)
        return parse_complit(p, type, type->line, type->col);
    if (p->tok.kind == TK_LPAREN && !p->panicking) {
        p_error_at(p, type->line, type->col, "cannot convert to %s: csp has no typed lists or maps",
                   p_text(p, start, p->prev_end));
        p->panicking = 1;
        return bad_expr(p);
    }
    p_syntax_error(p, "expected {");
    return bad_expr(p);
}

/* csp's list literal `[1, 2]`, or Go's `[]T{...}` / `[N]T{...}`; `[` is current. */
static Node *parse_bracket_operand(Parser *p) {
    int line = p->tok.line, col = p->tok.col;
    size_t start = p->tok.off;
    p_next(p);
    if (p->tok.kind == TK_RBRACK || p->tok.kind == TK_ELLIPSIS) {
        int ellipsis = p_got(p, TK_ELLIPSIS);
        p_want(p, TK_RBRACK);
        /* `[]` then a type is a slice type; `[]` alone is an empty list */
        if (!ellipsis && !is_type_start(p->tok.kind))
            return node_new(p, N_LIST, line, col);
        Node *t = node_new(p, N_TYPE, line, col);
        t->tkind = TY_LIST;
        t->elem = parse_type(p);
        return typed_literal(p, t, start);
    }
    Node *lit = node_new(p, N_LIST, line, col);
    int old = p->exprlev;
    p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
    int trailing = 0;
    while (!p->panicking && p->tok.kind != TK_RBRACK && p->tok.kind != TK_EOF) {
        nodelist_push(p->arena, &lit->list, parse_element(p, NULL));
        trailing = p_got(p, TK_COMMA);
        if (!trailing && p->tok.kind != TK_RBRACK)
            p_syntax_error(p, "in list literal; possibly missing comma or ]");
    }
    p->exprlev = old;
    p_want(p, TK_RBRACK);
    /* `[N]T{...}`: an array type (its length is dropped: csp lists grow).
     * `[x][i]` stays an index into a list literal. */
    TokenKind k = p->tok.kind;
    if (!p->panicking && lit->list.len == 1 && !trailing &&
        (k == TK_IDENT || k == TK_MAP || k == TK_CHAN || k == TK_FUNC || k == TK_STRUCT ||
         k == TK_INTERFACE || k == TK_MUL)) {
        Node *t = node_new(p, N_TYPE, line, col);
        t->tkind = TY_LIST;
        t->elem = parse_type(p);
        return typed_literal(p, t, start);
    }
    return lit;
}

/* csp's map literal `{k: v, ...}` in expression position. */
static Node *parse_map_literal(Parser *p) {
    Node *lit = node_at_tok(p, N_MAP);
    parse_elements(p, lit, NULL, NULL);
    for (int i = 0; i < lit->list.len; i++)
        if (lit->list.items[i]->kind != N_KEYVALUE) {
            Node *e = lit->list.items[i];
            p_error_at(p, e->line, e->col, "missing key in map literal");
            break;
        }
    return lit;
}

/* make(type, sizes...): `make` and `(` are consumed. */
static Node *parse_make(Parser *p, int line, int col) {
    Node *m = node_new(p, N_MAKE, line, col);
    int old = p->exprlev;
    p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
    m->type = parse_type(p);
    while (!p->panicking && p_got(p, TK_COMMA) && p->tok.kind != TK_RPAREN)
        nodelist_push(p->arena, &m->list, parse_expr(p));
    p->exprlev = old;
    if (!p->panicking && p->tok.kind != TK_RPAREN)
        p_syntax_error(p, "in argument list; possibly missing comma or )");
    p_want(p, TK_RPAREN);
    return m;
}

static Node *parse_operand(Parser *p) {
    if (p->pending) {
        Node *x = p->pending;
        p->pending = NULL;
        return x;
    }
    int line = p->tok.line, col = p->tok.col;
    size_t start = p->tok.off;
    switch (p->tok.kind) {
    case TK_INT:
    case TK_FLOAT:
    case TK_STRING:
    case TK_CHAR: return basic_literal(p);
    case TK_IDENT: {
        char *name = tok_ident(p);
        Node *n;
        if (strcmp(name, "true") == 0)
            n = node_at_tok(p, N_TRUE);
        else if (strcmp(name, "false") == 0)
            n = node_at_tok(p, N_FALSE);
        else if (strcmp(name, "nil") == 0)
            n = node_at_tok(p, N_NIL);
        else {
            n = node_at_tok(p, N_IDENT);
            n->name = name;
        }
        p_next(p);
        if (n->kind == N_IDENT && strcmp(name, "make") == 0 && p_got(p, TK_LPAREN))
            return parse_make(p, line, col);
        return n;
    }
    case TK_LPAREN: {
        Node *n = node_at_tok(p, N_PAREN);
        int old = p->exprlev;
        p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
        p_next(p);
        n->a = parse_expr(p);
        p->exprlev = old;
        p_want(p, TK_RPAREN);
        return n;
    }
    case TK_TYPE: {
        /* type(v) is csp's builtin, though `type` is Go's keyword */
        Node *n = node_at_tok(p, N_IDENT);
        n->name = tok_ident(p);
        p_next(p);
        if (p->tok.kind != TK_LPAREN && !p->panicking) {
            p_syntax_error_at(p, line, col, "unexpected keyword type, expected expression");
            p->panicking = 1;
        }
        return n;
    }
    case TK_LBRACK: return parse_bracket_operand(p);
    case TK_LBRACE: return parse_map_literal(p);
    case TK_MAP:
    case TK_STRUCT: return typed_literal(p, parse_type(p), start);
    case TK_FUNC: {
        Node *fn = node_at_tok(p, N_FUNC);
        p_next(p);
        parse_params(p, fn);
        return parse_funclit_rest(p, fn);
    }
    default: p_syntax_error(p, "expected expression"); return bad_expr(p);
    }
}

/* Whether `x {` may open a composite literal (Go's complit_ok): x names a
 * type, and we are not in a control clause header (where `{` opens the body). */
static Node *complit_type(Parser *p, Node *x) {
    if (p->exprlev < 0)
        return NULL;
    Node *t;
    if (x->kind == N_IDENT) {
        t = node_new(p, N_TYPE, x->line, x->col);
        t->name = x->name;
    } else if (x->kind == N_SELECTOR && x->a->kind == N_IDENT) {
        t = node_new(p, N_TYPE, x->line, x->col);
        t->pkg = x->a->name;
        t->name = x->name;
    } else {
        return NULL;
    }
    t->tkind = TY_NAME;
    return t;
}

/* Whether fn is `pkg.F` with F one of sync/atomic's function forms (AddInt64,
 * LoadUint32 ...), whose first argument may be `&v`.  The compiler checks
 * that pkg is sync/atomic. */
static int atomic_func_form(Node *fn) {
    static const char *const ops[] = {"Add", "Load", "Store", "Swap", "CompareAndSwap", NULL};
    static const char *const types[] = {"Int32", "Int64", "Uint32", "Uint64", NULL};
    if (fn->kind != N_SELECTOR || !fn->a || fn->a->kind != N_IDENT || !fn->name)
        return 0;
    for (int i = 0; ops[i]; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(fn->name, ops[i], n))
            continue;
        for (int j = 0; types[j]; j++)
            if (!strcmp(fn->name + n, types[j]))
                return 1;
    }
    return 0;
}

static Node *parse_call(Parser *p, Node *fn) {
    Node *call = node_new(p, N_CALL, fn->line, fn->col);
    call->a = fn;
    int old = p->exprlev;
    p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
    p_next(p);
    int addr_ok = atomic_func_form(fn);
    while (!p->panicking && p->tok.kind != TK_RPAREN && p->tok.kind != TK_EOF) {
        p->addr_ok = addr_ok && call->list.len == 0;
        nodelist_push(p->arena, &call->list, parse_expr(p));
        p->addr_ok = 0;
        if (p_got(p, TK_ELLIPSIS))
            call->spread = 1;
        if (!p_got(p, TK_COMMA) && p->tok.kind != TK_RPAREN)
            p_syntax_error(p, "in argument list; possibly missing comma or )");
        else if (call->spread && p->tok.kind != TK_RPAREN && !p->panicking) {
            p_error_at(p, p->tok.line, p->tok.col, "can only use ... with final argument in list");
            p->panicking = 1;
        }
    }
    p->exprlev = old;
    p_want(p, TK_RPAREN);
    return call;
}

static Node *parse_index(Parser *p, Node *x) {
    Node *n = node_new(p, N_INDEX, x->line, x->col);
    n->a = x;
    int old = p->exprlev;
    p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
    p_next(p);
    if (p->tok.kind != TK_COLON) {
        n->b = parse_expr(p);
    }
    if (p_got(p, TK_COLON)) {
        n->kind = N_SLICE;
        if (p->tok.kind != TK_RBRACK && !p->panicking)
            n->c = parse_expr(p);
        if (p->tok.kind == TK_COLON && !p->panicking) {
            p_error_at(p, p->tok.line, p->tok.col, "3-index slices are not supported");
            p->panicking = 1;
        }
    } else if (!n->b && !p->panicking) {
        p_syntax_error(p, "expected operand");
    }
    p->exprlev = old;
    p_want(p, TK_RBRACK);
    return n;
}

/* x.name, x.(T), x.(type): the `.` is current. */
static Node *parse_dot(Parser *p, Node *x) {
    p_next(p);
    if (p->tok.kind == TK_IDENT) {
        Node *n = node_new(p, N_SELECTOR, x->line, x->col);
        n->a = x;
        n->name = tok_ident(p);
        p_next(p);
        return n;
    }
    if (p->tok.kind != TK_LPAREN) {
        p_syntax_error(p, "expected name or (");
        return x;
    }
    Node *n = node_new(p, N_TYPEASSERT, x->line, x->col);
    n->a = x;
    p_next(p);
    if (p->tok.kind == TK_TYPE) {
        /* a type switch guard; parse_stmt.c checks that it is one */
        if (!p->guard_ok)
            p_error_at(p, p->tok.line, p->tok.col, "use of .(type) outside type switch");
        p->guards++;
        p->guard_line = p->tok.line;
        p->guard_col = p->tok.col;
        p_next(p);
    } else {
        n->type = parse_type(p);
    }
    p_want(p, TK_RPAREN);
    return n;
}

static Node *parse_primary(Parser *p) {
    Node *x = parse_operand(p);
    for (;;) {
        if (p->panicking)
            return x;
        switch (p->tok.kind) {
        case TK_PERIOD: x = parse_dot(p, x); break;
        case TK_LBRACK: x = parse_index(p, x); break;
        case TK_LPAREN: x = parse_call(p, x); break;
        case TK_LBRACE: {
            Node *t = complit_type(p, x);
            if (!t)
                return x;
            x = parse_complit(p, t, x->line, x->col);
            break;
        }
        default: return x;
        }
    }
}

static Node *parse_unary(Parser *p) {
    if (!p_enter(p))
        return bad_expr(p);
    Node *x;
    int line = p->tok.line, col = p->tok.col;
    TokenKind k = p->pending ? TK_EOF : p->tok.kind;
    int addr_ok = p->addr_ok; /* only the argument's first operand may be &v */
    p->addr_ok = 0;
    switch (k) {
    case TK_SUB:
    case TK_ADD:
    case TK_NOT:
    case TK_XOR:
    case TK_ARROW: {
        static const int ops[] = {
            [TK_SUB] = '-', [TK_ADD] = '+', [TK_NOT] = '!', [TK_XOR] = '^', [TK_ARROW] = TK_ARROW};
        p_next(p);
        if (k == TK_SUB && p->tok.kind == TK_INT)
            p->neglit_off = p->tok.off;
        Node *operand = parse_unary(p);
        if (k == TK_SUB && p->neglit) {
            Node *lit = p->neglit;
            p->neglit = NULL;
            p->neglit_off = SIZE_MAX;
            if (operand == lit) {
                /* fold -LIT, so that -9223372036854775808 is representable */
                if (lit->ival != INT64_MIN)
                    lit->ival = -lit->ival;
                lit->line = line;
                lit->col = col;
                x = lit;
                break;
            }
            if (lit->ival == INT64_MIN) /* the minus applies to more than the literal */
                p_error_at(p, lit->line, lit->col, "constant 9223372036854775808 overflows int");
        }
        x = node_new(p, N_UNARY, line, col);
        x->op = ops[k];
        x->a = operand;
        break;
    }
    case TK_AND: {
        /* &T{...} is T{...}: structs are references.  &v and &s.f are references
         * to a variable, only as the first argument of an atomic function form
         * (atomic.AddInt64(&n, 1)).  Anything else has no csp meaning. */
        p_next(p);
        size_t start = p->tok.off;
        x = parse_unary(p);
        Node *u = unparen(x);
        if (addr_ok && (u->kind == N_IDENT || u->kind == N_SELECTOR)) {
            x = node_new(p, N_ADDR, line, col);
            x->a = u;
            x->str = p_text(p, start, p->prev_end);
            break;
        }
        if (!p->panicking && u->kind != N_STRUCTLIT)
            p_error_at(p, line, col,
                       "cannot take the address of %s: csp has no pointers (objects are already references)",
                       p_text(p, start, p->prev_end));
        if (u->kind == N_STRUCTLIT)
            u->op = TK_AND; /* it prints as Go prints a pointer: &{1 2} */
        x = u;
        break;
    }
    case TK_MUL: {
        p_next(p);
        size_t start = p->tok.off;
        x = parse_unary(p);
        if (!p->panicking)
            p_error_at(p, line, col,
                       "invalid operation: cannot indirect %s: csp has no pointers (objects are already "
                       "references; write: %s)",
                       p_text(p, start, p->prev_end), p_text(p, start, p->prev_end));
        break;
    }
    default: x = parse_primary(p); break;
    }
    p_leave(p);
    return x;
}

/* ---- types ---- */

int is_type_start(TokenKind k) {
    switch (k) {
    case TK_IDENT:
    case TK_LBRACK:
    case TK_MUL:
    case TK_MAP:
    case TK_CHAN:
    case TK_FUNC:
    case TK_STRUCT:
    case TK_INTERFACE:
    case TK_ARROW:
    case TK_LPAREN: return 1;
    default: return 0;
    }
}

/* Skip a bracketed token run (a func type's parameters, an interface's
 * methods): their contents have no meaning in csp. */
static void skip_balanced(Parser *p) {
    int depth = 0;
    do {
        TokenKind k = p->tok.kind;
        if (k == TK_EOF) {
            p_syntax_error(p, "expected )");
            return;
        }
        if (k == TK_LPAREN || k == TK_LBRACK || k == TK_LBRACE)
            depth++;
        else if (k == TK_RPAREN || k == TK_RBRACK || k == TK_RBRACE)
            depth--;
        p_next(p);
    } while (depth > 0);
}

/* Whether a lone name in a result list is a type: Go's predeclared types,
 * and capitalised names (a struct type), so `(int, error)` and `(Point,
 * bool)` are unnamed results and `(n, err)` names them. */
static int result_is_type(const char *name) {
    static const char *const types[] = {"int",    "int8",    "int16",     "int32",      "int64", "uint",
                                        "uint8",  "uint16",  "uint32",    "uint64",     "uintptr", "byte",
                                        "rune",   "float32", "float64",   "complex64",  "complex128",
                                        "string", "bool",    "error",     "any",        "list",  "map",
                                        "chan",   "func",    NULL};
    if (name[0] >= 'A' && name[0] <= 'Z')
        return 1;
    for (int i = 0; types[i]; i++)
        if (!strcmp(types[i], name))
            return 1;
    return 0;
}

/* A function's results, after its parameters.  Result types are accepted and
 * ignored so that Go code ports (`func f(a, b) int {`, `func g() (int,
 * error) {`); named results (Go's `(n int, err error)`, csp's `(n, err)`)
 * go to fn->names as N_PARAM entries (their type kept for the zero value). */
void parse_results(Parser *p, Node *fn) {
    if (p->panicking)
        return;
    if (p->tok.kind != TK_LPAREN) {
        if (is_type_start(p->tok.kind))
            parse_type(p);
        return;
    }
    NodeList ents = {0};
    parse_param_entries(p, &ents);
    int typed = 0, types = 0;
    for (int i = 0; i < ents.len; i++) {
        Node *e = ents.items[i];
        typed |= e->name && e->type;
        types |= !e->name || (!e->type && result_is_type(e->name));
    }
    if (!typed && types)
        return; /* (int, error), (Point, bool): unnamed */
    for (int i = 0; i < ents.len; i++) {
        Node *e = ents.items[i];
        if (!e->name || (i == ents.len - 1 && !e->type && typed)) {
            p_error_at(p, e->line, e->col, "syntax error: mixed named and unnamed parameters");
            return;
        }
        if (e->op == TK_ELLIPSIS) {
            p_error_at(p, e->line, e->col, "cannot use ... in receiver or result parameter list");
            return;
        }
    }
    /* Go's grouping: in (a, b int, err error) a shares b's type */
    for (int i = ents.len - 1; i > 0; i--)
        if (!ents.items[i - 1]->type)
            ents.items[i - 1]->type = ents.items[i]->type;
    fn->names = ents;
}

/* struct { a, b; mu sync.Mutex; next *Node }: the `{` is current.  Each name
 * gets its own N_FIELD sharing the declared type. */
static void parse_struct_fields(Parser *p, Node *t) {
    p_want(p, TK_LBRACE);
    while (!p->panicking && p->tok.kind != TK_RBRACE && p->tok.kind != TK_EOF) {
        if (p->tok.kind == TK_MUL) {
            p_error_at(p, p->tok.line, p->tok.col, "embedded fields are not supported");
            p->panicking = 1;
            break;
        }
        if (p->tok.kind != TK_IDENT) {
            p_syntax_error(p, "expected field name or embedded type");
            break;
        }
        int first = t->list.len;
        do {
            if (p->tok.kind != TK_IDENT) {
                p_syntax_error(p, "expected name");
                break;
            }
            Node *f = node_at_tok(p, N_FIELD);
            f->name = tok_ident(p);
            p_next(p);
            nodelist_push(p->arena, &t->list, f);
        } while (p_got(p, TK_COMMA));
        if (p->tok.kind == TK_PERIOD && !p->panicking) {
            p_error_at(p, p->tok.line, p->tok.col, "embedded fields are not supported");
            p->panicking = 1;
        }
        if (p->panicking)
            break;
        if (p->tok.kind != TK_SEMICOLON && p->tok.kind != TK_RBRACE && p->tok.kind != TK_STRING) {
            Node *ft = parse_type(p);
            for (int i = first; i < t->list.len; i++)
                t->list.items[i]->type = ft;
        }
        p_got(p, TK_STRING); /* a tag (`json:"x"`) means nothing here */
        if (!p_got(p, TK_SEMICOLON) && p->tok.kind != TK_RBRACE)
            p_syntax_error(p, "in struct type; possibly missing semicolon or newline or }");
    }
    p_want(p, TK_RBRACE);
}

static Node *parse_type_inner(Parser *p, Node *t) {
    switch (p->tok.kind) {
    case TK_IDENT:
        t->name = tok_ident(p);
        p_next(p);
        if (p_got(p, TK_PERIOD)) {
            if (p->tok.kind != TK_IDENT) {
                p_syntax_error(p, "expected name");
                break;
            }
            t->pkg = t->name;
            t->name = tok_ident(p);
            p_next(p);
        }
        t->tkind = (!t->pkg && strcmp(t->name, "any") == 0) ? TY_INTERFACE : TY_NAME;
        break;
    case TK_LBRACK:
        t->tkind = TY_LIST;
        p_next(p);
        if (!p_got(p, TK_RBRACK)) {
            /* [N]T: the length does not matter to csp's growable lists */
            if (!p_got(p, TK_ELLIPSIS)) {
                int old = p->exprlev;
                p->exprlev = p->exprlev < 0 ? 0 : p->exprlev + 1;
                parse_expr(p);
                p->exprlev = old;
            }
            p_want(p, TK_RBRACK);
        }
        t->elem = parse_type(p);
        break;
    case TK_MAP:
        t->tkind = TY_MAP; /* a bare `map` (make(map), var m map) has no key or elem */
        p_next(p);
        if (p_got(p, TK_LBRACK)) {
            t->tkey = parse_type(p);
            p_want(p, TK_RBRACK);
            t->elem = parse_type(p);
        }
        break;
    case TK_CHAN:
        t->tkind = TY_CHAN; /* a bare `chan` (make(chan), var c chan) has no elem */
        p_next(p);
        if (p_got(p, TK_ARROW) || is_type_start(p->tok.kind))
            t->elem = parse_type(p);
        break;
    case TK_ARROW:
        t->tkind = TY_CHAN;
        p_next(p);
        p_want(p, TK_CHAN);
        t->elem = parse_type(p);
        break;
    case TK_MUL:
        t->tkind = TY_POINTER;
        p_next(p);
        t->elem = parse_type(p);
        break;
    case TK_FUNC:
        t->tkind = TY_FUNC;
        p_next(p);
        if (p->tok.kind == TK_LPAREN) {
            skip_balanced(p);
            parse_results(p, t);
        }
        break;
    case TK_STRUCT:
        t->tkind = TY_STRUCT;
        p_next(p);
        parse_struct_fields(p, t);
        break;
    case TK_INTERFACE:
        t->tkind = TY_INTERFACE;
        p_next(p);
        if (p->tok.kind == TK_LBRACE)
            skip_balanced(p);
        else
            p_syntax_error(p, "expected {");
        break;
    case TK_LPAREN:
        p_next(p);
        t = parse_type(p);
        p_want(p, TK_RPAREN);
        break;
    default: p_syntax_error(p, "expected type"); break;
    }
    return t;
}

Node *parse_type(Parser *p) {
    Node *t = node_at_tok(p, N_TYPE);
    if (!p_enter(p))
        return t;
    t = parse_type_inner(p, t);
    p_leave(p);
    return t;
}

/* A type-switch case item: a type, or nil. */
Node *parse_type_or_nil(Parser *p) {
    if (p->tok.kind == TK_IDENT && p->tok.len == 3 && memcmp(p->src + p->tok.off, "nil", 3) == 0) {
        Node *n = node_at_tok(p, N_NIL);
        p_next(p);
        return n;
    }
    return parse_type(p);
}

/* ---- functions ---- */

/* `(` entries `)`.  An entry is N_PARAM with name (NULL for a bare type),
 * type (NULL for a bare name), op = TK_ELLIPSIS for `x...`, and in str the
 * type's source text, for messages.  Types are kept here; check_params and
 * set_receiver decide what is allowed. */
void parse_param_entries(Parser *p, NodeList *out) {
    if (!p_want(p, TK_LPAREN))
        return;
    while (!p->panicking && p->tok.kind != TK_RPAREN && p->tok.kind != TK_EOF) {
        Node *e = node_at_tok(p, N_PARAM);
        if (p->tok.kind == TK_IDENT) {
            e->name = tok_ident(p);
            p_next(p);
            if (p->tok.kind == TK_PERIOD) { /* a bare qualified type: (sync.Mutex) */
                p_next(p);
                Node *t = node_new(p, N_TYPE, e->line, e->col);
                t->tkind = TY_NAME;
                t->pkg = e->name;
                e->name = NULL;
                if (p->tok.kind == TK_IDENT) {
                    t->name = tok_ident(p);
                    p_next(p);
                } else {
                    p_syntax_error(p, "expected name");
                }
                e->type = t;
            }
        }
        if (e->name && p_got(p, TK_ELLIPSIS))
            e->op = TK_ELLIPSIS;
        if (!e->type && (is_type_start(p->tok.kind) || p->tok.kind == TK_ELLIPSIS) && !p->panicking) {
            size_t start = p->tok.off;
            if (p_got(p, TK_ELLIPSIS))
                e->op = TK_ELLIPSIS;
            e->type = parse_type(p);
            e->str = p_text(p, start, p->prev_end);
        }
        if (!e->name && !e->type && !p->panicking)
            p_syntax_error(p, "expected )");
        nodelist_push(p->arena, out, e);
        if (!p_got(p, TK_COMMA) && p->tok.kind != TK_RPAREN)
            p_syntax_error(p, "in parameter list; possibly missing comma or )");
    }
    p_want(p, TK_RPAREN);
}

/* "a, b" for the names of entries [from, to]. */
static char *group_names(Parser *p, NodeList *ents, int from, int to, int dots) {
    char buf[200];
    size_t n = 0;
    buf[0] = 0;
    for (int i = from; i <= to && n < sizeof buf - 40; i++) {
        const char *name = ents->items[i]->name;
        int w = snprintf(buf + n, sizeof buf - n, "%s%s%s", i > from ? ", " : "", name,
                         dots && i == to && ents->items[i]->op == TK_ELLIPSIS ? "..." : "");
        if (w > 0)
            n += (size_t)w;
    }
    return arena_strndup(p->arena, buf, n < sizeof buf ? n : sizeof buf - 1);
}

/* csp parameters are bare names (`func f(a, b)`, `func sum(nums...)`).  A
 * typed group `a, b int` gets one error that shows the csp spelling. */
void check_params(Parser *p, Node *fn, NodeList *ents) {
    int group = 0;
    for (int i = 0; i < ents->len; i++) {
        Node *e = ents->items[i];
        if (!e->name) {
            p_error_at(p, e->line, e->col, "missing parameter name: csp parameters are names (write: name)");
            group = i + 1;
            continue;
        }
        if (e->op == TK_ELLIPSIS && i != ents->len - 1)
            p_error_at(p, e->line, e->col, "can only use ... with final parameter in list");
        if (e->type) {
            Node *g = ents->items[group];
            p_error_at(
                p, g->line, g->col, "typed parameter%s %s %s%s: csp parameters have no types (write: %s)",
                i > group ? "s" : "", group_names(p, ents, group, i, 0), e->op == TK_ELLIPSIS ? "..." : "",
                e->str ? e->str : "", group_names(p, ents, group, i, 1));
            group = i + 1;
        }
    }
    for (int i = 0; i < ents->len; i++) {
        Node *e = ents->items[i];
        if (!e->name)
            continue;
        if (i == ents->len - 1 && e->op == TK_ELLIPSIS)
            fn->variadic = 1;
        e->op = 0;
        e->type = NULL; /* the contract: only a receiver has a type */
        e->str = NULL;
        nodelist_push(p->arena, &fn->params, e);
    }
}

/* The receiver of a method: `(p Point)`, `(p *Point)`, or unnamed `(Point)`. */
void set_receiver(Parser *p, Node *fn, NodeList *ents) {
    if (ents->len != 1) {
        p_error_at(p, fn->line, fn->col,
                   ents->len ? "method has multiple receivers" : "method has no receiver");
        return;
    }
    Node *r = ents->items[0];
    if (r->op == TK_ELLIPSIS) {
        p_error_at(p, r->line, r->col, "invalid use of ... in receiver");
        return;
    }
    if (!r->type) { /* Go: a lone name is the receiver's type */
        Node *t = node_new(p, N_TYPE, r->line, r->col);
        t->tkind = TY_NAME;
        t->name = r->name;
        r->type = t;
        r->name = NULL;
    }
    Node *base = r->type->tkind == TY_POINTER ? r->type->elem : r->type;
    if (!base || base->kind != N_TYPE || base->tkind != TY_NAME || base->pkg)
        p_error_at(p, r->type->line, r->type->col, "invalid receiver type %s", r->str ? r->str : "");
    r->str = NULL;
    fn->recv = r;
}

void parse_params(Parser *p, Node *fn) {
    NodeList ents = {0};
    parse_param_entries(p, &ents);
    check_params(p, fn, &ents);
}

/* A function body starts a fresh expression level and closes any switch
 * header it is nested in. */
static Node *parse_func_body(Parser *p) {
    int old_lev = p->exprlev, old_guard = p->guard_ok;
    p->exprlev = 0;
    p->guard_ok = 0;
    Node *body = parse_block(p, NULL);
    p->exprlev = old_lev;
    p->guard_ok = old_guard;
    return body;
}

/* After a declaration's parameters: results, then the body. */
void parse_func_decl_body(Parser *p, Node *fn) {
    parse_results(p, fn);
    if (p->panicking)
        return;
    if (p->tok.kind == TK_LBRACE) {
        fn->body = parse_func_body(p);
        return;
    }
    if (p->tok.kind == TK_SEMICOLON) {
        p_next(p);
        if (p->tok.kind == TK_LBRACE) {
            /* Go's message for the brace on the next line; parse it anyway */
            p_syntax_error_at(p, p->tok.line, p->tok.col, "unexpected semicolon or newline before {");
            fn->body = parse_func_body(p);
            return;
        }
    }
    p_error_at(p, fn->line, fn->col, "missing function body");
    fn->body = node_new(p, N_BLOCK, fn->line, fn->col);
}

Node *parse_funclit_rest(Parser *p, Node *fn) {
    Node *lit = node_new(p, N_FUNCLIT, fn->line, fn->col);
    lit->func = fn;
    parse_results(p, fn);
    if (p->panicking || p->tok.kind != TK_LBRACE) {
        p_syntax_error(p, "expected {");
        fn->body = node_new(p, N_BLOCK, fn->line, fn->col);
        return lit;
    }
    fn->body = parse_func_body(p);
    return lit;
}
