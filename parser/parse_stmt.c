/* parser/parse_stmt.c — statements and declarations.
 *
 * Follows Go's parser (simpleStmt, header, caseClause, commClause, ...), with
 * its messages.  A statement list is where panic-mode recovery ends: after a
 * broken statement the list skips to the next `;` or `}` at its own depth.
 */
#include <stdio.h>
#include <string.h>

#include "parser/parse_int.h"

static Node *parse_stmt(Parser *p);

static int ends_list(TokenKind k) {
    return k == TK_EOF || k == TK_RBRACE || k == TK_CASE || k == TK_DEFAULT;
}

void parse_stmt_list(Parser *p, NodeList *out) {
    while (!ends_list(p->tok.kind)) {
        if (p_got(p, TK_SEMICOLON))
            continue;
        long ntok0 = p->ntok;
        int nest0 = p->nest;
        parse_stmt_into(p, out);
        if (p->panicking) {
            p_sync(p, nest0);
            p->panicking = 0;
        } else if (!p_got(p, TK_SEMICOLON) && p->tok.kind != TK_RBRACE) {
            p_syntax_error(p, "at end of statement");
            p_sync(p, nest0);
            p->panicking = 0;
        }
        if (p->ntok == ntok0 && !ends_list(p->tok.kind))
            p_next(p); /* always make progress, whatever the input */
    }
}

/* Out of line so that its buffer is not in every frame of nested blocks. */
static __attribute__((noinline)) void missing_brace(Parser *p, const char *context) {
    char msg[64];
    snprintf(msg, sizeof msg, context ? "expected { after %s" : "expected {", context);
    p_syntax_error(p, msg);
}

Node *parse_block(Parser *p, const char *context) {
    Node *b = node_at_tok(p, N_BLOCK);
    if (!p_got(p, TK_LBRACE)) {
        missing_brace(p, context);
        return b;
    }
    const char *old = p->stmt_end;
    p->stmt_end = "expected }";
    parse_stmt_list(p, &b->list);
    p->stmt_end = old;
    if (p->tok.kind == TK_RBRACE)
        b->end_line = p->tok.line;
    p_want(p, TK_RBRACE);
    return b;
}

/* ---- simple statements ---- */

static Node *range_clause(Parser *p, Node *r) {
    p_next(p); /* range */
    r->a = parse_expr(p);
    return r;
}

/* Go's simpleStmt: an expression statement, send, inc/dec, assignment,
 * short variable declaration, or (range_ok, in a for header) a range clause. */
Node *parse_simple_stmt(Parser *p, int range_ok) {
    if (range_ok && p->tok.kind == TK_RANGE) { /* for range x */
        Node *r = node_at_tok(p, N_FORRANGE);
        return range_clause(p, r);
    }
    int line = p->tok.line, col = p->tok.col;
    NodeList lhs = {0};
    /* the first expression that is not a name, for "non-name ... on left side of :=" */
    size_t bad_start = 0, bad_end = 0;
    int bad = 0;
    do {
        size_t start = p->tok.off;
        Node *x = parse_expr(p);
        if (!bad && x->kind != N_IDENT) {
            bad = 1;
            bad_start = start;
            bad_end = p->prev_end;
        }
        nodelist_push(p->arena, &lhs, x);
    } while (!p->panicking && p_got(p, TK_COMMA));
    if (p->panicking)
        return NULL;

    TokenKind k = p->tok.kind;
    Node *s;
    switch (k) {
    case TK_DEFINE:
    case TK_ASSIGN: {
        int opline = p->tok.line, opcol = p->tok.col;
        p_next(p);
        if (range_ok && p->tok.kind == TK_RANGE) {
            Node *r = node_new(p, N_FORRANGE, line, col);
            r->define = k == TK_DEFINE;
            if (lhs.len > 2)
                p_error_at(p, lhs.items[2]->line, lhs.items[2]->col,
                           "range clause permits at most two iteration variables");
            r->key = lhs.items[0];
            r->value = lhs.len > 1 ? lhs.items[1] : NULL;
            if (k == TK_DEFINE && bad)
                p_error_at(p, opline, opcol, "non-name %s on left side of :=", p_text(p, bad_start, bad_end));
            return range_clause(p, r);
        }
        s = node_new(p, N_ASSIGN, line, col);
        s->op = k == TK_DEFINE ? TK_DEFINE : '=';
        s->list = lhs;
        parse_expr_list(p, &s->list2);
        if (k == TK_DEFINE && bad)
            p_error_at(p, opline, opcol, "non-name %s on left side of :=", p_text(p, bad_start, bad_end));
        return s;
    }
    case TK_ADD_ASSIGN:
    case TK_SUB_ASSIGN:
    case TK_MUL_ASSIGN:
    case TK_QUO_ASSIGN:
    case TK_REM_ASSIGN:
    case TK_AND_ASSIGN:
    case TK_OR_ASSIGN:
    case TK_XOR_ASSIGN:
    case TK_SHL_ASSIGN:
    case TK_SHR_ASSIGN:
    case TK_AND_NOT_ASSIGN:
        if (lhs.len != 1)
            break;
        s = node_new(p, N_ASSIGN, line, col);
        s->op = k;
        s->list = lhs;
        p_next(p);
        nodelist_push(p->arena, &s->list2, parse_expr(p));
        return s;
    case TK_INC:
    case TK_DEC:
        if (lhs.len != 1)
            break;
        s = node_new(p, N_INCDEC, line, col);
        s->op = k;
        s->a = lhs.items[0];
        p_next(p);
        return s;
    case TK_ARROW:
        if (lhs.len != 1)
            break;
        s = node_new(p, N_SEND, line, col);
        s->a = lhs.items[0];
        p_next(p);
        s->b = parse_expr(p);
        return s;
    default:
        if (lhs.len != 1)
            break;
        s = node_new(p, N_EXPRSTMT, line, col);
        s->a = lhs.items[0];
        return s;
    }
    p_syntax_error(p, "expected := or = or comma");
    return NULL;
}

/* ---- control clause headers ---- */

typedef struct Header {
    Node *init, *cond, *post; /* cond: the statement; the caller checks it is an expression */
    int semi;                 /* an init statement was ended by `;` ... */
    int semi_line, semi_col;
    const char *semi_lit;        /* ... written as "semicolon" or a "newline" */
    int init_guards;             /* .(type) guards seen in the init statement */
    size_t cond_start, cond_end; /* source span of cond, for messages */
} Header;

/* Go's header() for `if`, `for` and `switch`: [init ;] cond [; post].  In a
 * header `T{` is not a composite literal (exprlev < 0): its `{` is the body. */
static void parse_header(Parser *p, TokenKind kw, Header *h) {
    memset(h, 0, sizeof *h);
    if (p->tok.kind == TK_LBRACE) {
        if (kw == TK_IF)
            p_syntax_error(p, "missing condition in if statement");
        return;
    }
    int old = p->exprlev;
    p->exprlev = -1;
    if (p->tok.kind != TK_SEMICOLON) {
        if (p->tok.kind == TK_VAR) {
            char msg[64];
            snprintf(msg, sizeof msg, "var declaration not allowed in %s initializer", lex_token_name(kw));
            p_syntax_error(p, msg);
            goto done;
        }
        h->cond_start = p->tok.off;
        h->init = parse_simple_stmt(p, kw == TK_FOR);
        h->cond_end = p->prev_end;
        h->init_guards = p->guards;
        if (p->panicking || (h->init && h->init->kind == N_FORRANGE))
            goto done;
    }
    if (p->tok.kind != TK_LBRACE) {
        if (p->tok.kind == TK_SEMICOLON) {
            h->semi = 1;
            h->semi_line = p->tok.line;
            h->semi_col = p->tok.col;
            h->semi_lit = p->tok.lit;
            p_next(p);
        } else {
            p_want(p, TK_LBRACE);
            goto done;
        }
        if (kw == TK_FOR) {
            if (p->tok.kind != TK_SEMICOLON) {
                if (p->tok.kind == TK_LBRACE) {
                    p_syntax_error(p, "expected for loop condition");
                    goto done;
                }
                h->cond_start = p->tok.off;
                h->cond = parse_simple_stmt(p, 0);
                h->cond_end = p->prev_end;
            }
            if (!p->panicking)
                p_want(p, TK_SEMICOLON);
            if (!p->panicking && p->tok.kind != TK_LBRACE) {
                h->post = parse_simple_stmt(p, 0);
                if (h->post && h->post->kind == N_ASSIGN && h->post->op == TK_DEFINE)
                    p_syntax_error_at(p, h->post->line, h->post->col,
                                      "cannot declare in post statement of for loop");
            }
        } else if (p->tok.kind != TK_LBRACE) {
            h->cond_start = p->tok.off;
            h->cond = parse_simple_stmt(p, 0);
            h->cond_end = p->prev_end;
        }
    } else {
        h->cond = h->init;
        h->init = NULL;
        h->init_guards = 0;
    }
done:
    p->exprlev = old;
}

/* The condition expression of a header statement, or an error. */
static Node *header_cond(Parser *p, TokenKind kw, Header *h) {
    Node *s = h->cond;
    if (!s) {
        if (kw == TK_IF && h->semi && !p->panicking) {
            if (h->semi_lit && strcmp(h->semi_lit, "semicolon") != 0) {
                char msg[64];
                snprintf(msg, sizeof msg, "unexpected %s, expected { after if clause", h->semi_lit);
                p_syntax_error_at(p, h->semi_line, h->semi_col, msg);
            } else {
                p_syntax_error_at(p, h->semi_line, h->semi_col, "missing condition in if statement");
            }
        }
        return NULL;
    }
    if (s->kind == N_EXPRSTMT)
        return s->a;
    char msg[160];
    snprintf(msg, sizeof msg, "cannot use %s%s as value",
             s->kind == N_ASSIGN && s->op == '=' ? "assignment " : "", p_text(p, h->cond_start, h->cond_end));
    p_syntax_error_at(p, s->line, s->col, msg);
    return NULL;
}

/* ---- if, for, switch, select ---- */

static Node *parse_if(Parser *p) {
    Node *n = node_at_tok(p, N_IF);
    if (!p_enter(p)) /* else-if chains recurse */
        return n;
    p_next(p);
    Header h;
    parse_header(p, TK_IF, &h);
    n->init = h.init;
    n->a = header_cond(p, TK_IF, &h);
    if (!p->panicking)
        n->body = parse_block(p, "if clause");
    if (!p->panicking && p_got(p, TK_ELSE)) {
        if (p->tok.kind == TK_IF)
            n->els = parse_if(p);
        else if (p->tok.kind == TK_LBRACE)
            n->els = parse_block(p, NULL);
        else
            p_syntax_error(p, "else must be followed by if or statement block");
    }
    p_leave(p);
    return n;
}

static Node *parse_for(Parser *p) {
    Node *n = node_at_tok(p, N_FOR);
    p_next(p);
    Header h;
    parse_header(p, TK_FOR, &h);
    if (h.init && h.init->kind == N_FORRANGE) {
        Node *r = h.init;
        r->line = n->line;
        r->col = n->col;
        n = r;
    } else {
        n->init = h.init;
        n->post = h.post;
        if (h.cond)
            n->a = header_cond(p, TK_FOR, &h);
    }
    if (!p->panicking)
        n->body = parse_block(p, "for clause");
    return n;
}

static int is_guard(const Node *x) {
    return x && x->kind == N_TYPEASSERT && x->type == NULL;
}

static void parse_case_list(Parser *p, Node *c, int typeswitch) {
    do {
        nodelist_push(p->arena, &c->list, typeswitch ? parse_type_or_nil(p) : parse_expr(p));
    } while (!p->panicking && p_got(p, TK_COMMA));
}

/* Clauses of a switch or select; `{` has been consumed. */
static void parse_clauses(Parser *p, Node *sw, int typeswitch, int isselect) {
    int seen_default = 0;
    while (p->tok.kind != TK_EOF && p->tok.kind != TK_RBRACE) {
        long ntok0 = p->ntok;
        int nest0 = p->nest;
        Node *c = node_at_tok(p, N_CASE);
        if (p_got(p, TK_CASE)) {
            if (isselect) {
                Node *comm = parse_simple_stmt(p, 0);
                c->a = comm;
                if (comm && !p->panicking) {
                    Node *rhs = comm->kind == N_EXPRSTMT ? comm->a
                                : comm->kind == N_ASSIGN && comm->list2.len == 1 && comm->list.len <= 2 &&
                                        (comm->op == '=' || comm->op == TK_DEFINE)
                                    ? comm->list2.items[0]
                                    : NULL;
                    while (rhs && rhs->kind == N_PAREN)
                        rhs = rhs->a;
                    if (comm->kind != N_SEND && !(rhs && rhs->kind == N_UNARY && rhs->op == TK_ARROW))
                        p_error_at(p, comm->line, comm->col,
                                   "select case must be receive, send or assign recv");
                }
            } else {
                parse_case_list(p, c, typeswitch);
            }
        } else if (p_got(p, TK_DEFAULT)) {
            c->isdefault = 1;
            if (seen_default)
                p_error_at(p, c->line, c->col, "multiple defaults in %s", isselect ? "select" : "switch");
            seen_default = 1;
        } else {
            p_syntax_error(p, "expected case or default or }");
        }
        if (!p->panicking)
            p_want(p, TK_COLON);
        c->body = node_new(p, N_BLOCK, p->tok.line, p->tok.col);
        if (p->panicking) {
            p_sync(p, nest0);
            p->panicking = 0;
        }
        const char *old = p->stmt_end;
        p->stmt_end = "expected case or default or }";
        parse_stmt_list(p, &c->body->list);
        p->stmt_end = old;
        nodelist_push(p->arena, &sw->list, c);
        if (p->ntok == ntok0 && p->tok.kind != TK_EOF && p->tok.kind != TK_RBRACE)
            p_next(p);
    }
    p_want(p, TK_RBRACE);
}

static Node *parse_switch(Parser *p) {
    Node *n = node_at_tok(p, N_SWITCH);
    p_next(p);
    int old_ok = p->guard_ok, old_guards = p->guards;
    p->guard_ok = 1; /* x.(type) is allowed here, and counted */
    p->guards = 0;
    Header h;
    parse_header(p, TK_SWITCH, &h);
    int guards = p->guards;
    p->guard_ok = old_ok;
    p->guards = old_guards;
    if (h.init_guards > 0)
        p_error_at(p, p->guard_line, p->guard_col, "use of .(type) outside type switch");
    n->init = h.init;
    Node *s = h.cond;
    int typeswitch = 0;
    if (s && s->kind == N_EXPRSTMT && is_guard(s->a)) {
        typeswitch = 1;
        n->a = s->a->a;
    } else if (s && s->kind == N_ASSIGN && s->op == TK_DEFINE && s->list.len == 1 && s->list2.len == 1 &&
               is_guard(s->list2.items[0])) {
        typeswitch = 1;
        n->name = s->list.items[0]->name;
        n->a = s->list2.items[0]->a;
    } else if (s) {
        if (guards > h.init_guards)
            p_error_at(p, p->guard_line, p->guard_col, "use of .(type) outside type switch");
        n->a = header_cond(p, TK_SWITCH, &h);
    }
    if (typeswitch) {
        n->kind = N_TYPESWITCH;
        if (guards - h.init_guards > 1)
            p_error_at(p, p->guard_line, p->guard_col, "use of .(type) outside type switch");
    }
    if (p->panicking)
        return n;
    if (!p_got(p, TK_LBRACE)) {
        p_syntax_error(p, "missing { after switch clause");
        return n;
    }
    parse_clauses(p, n, typeswitch, 0);
    return n;
}

static Node *parse_select(Parser *p) {
    Node *n = node_at_tok(p, N_SELECT);
    p_next(p);
    if (!p_got(p, TK_LBRACE)) {
        p_syntax_error(p, "missing { after select clause");
        return n;
    }
    parse_clauses(p, n, 0, 1);
    return n;
}

/* ---- other statements ---- */

static Node *parse_go_defer(Parser *p) {
    TokenKind k = p->tok.kind;
    Node *n = node_at_tok(p, k == TK_GO ? N_GO : N_DEFER);
    p_next(p);
    int errors = p->d->count;
    n->a = parse_expr(p);
    if (!p->panicking && p->d->count == errors) { /* not after an error inside: a cascade */
        const char *what = lex_token_name(k);
        if (n->a->kind == N_PAREN)
            p_error_at(p, n->a->line, n->a->col, "expression in %s must not be parenthesized", what);
        else if (n->a->kind != N_CALL)
            p_error_at(p, n->a->line, n->a->col, "expression in %s must be function call", what);
    }
    return n;
}

static Node *parse_labeled(Parser *p, Node *s) {
    Node *l = node_new(p, N_LABELED, s->line, s->col);
    l->name = s->a->name;
    p_next(p); /* : */
    if (p->tok.kind == TK_RBRACE) {
        l->body = node_at_tok(p, N_EMPTY);
        return l;
    }
    if (p->tok.kind == TK_EOF) {
        p_syntax_error_at(p, s->line, s->col, "missing statement after label");
        return l;
    }
    NodeList body = {0};
    parse_stmt_into(p, &body);
    if (body.len == 1) {
        l->body = body.items[0];
    } else if (body.len == 0) {
        l->body = node_new(p, N_EMPTY, s->line, s->col);
    } else { /* a group declaration after a label */
        l->body = node_new(p, N_BLOCK, s->line, s->col);
        l->body->list = body;
    }
    return l;
}

static Node *parse_stmt(Parser *p) {
    Node *n;
    switch (p->tok.kind) {
    case TK_LBRACE: return parse_block(p, NULL);
    case TK_IF: return parse_if(p);
    case TK_FOR: return parse_for(p);
    case TK_SWITCH: return parse_switch(p);
    case TK_SELECT: return parse_select(p);
    case TK_GO:
    case TK_DEFER: return parse_go_defer(p);
    case TK_RETURN:
        n = node_at_tok(p, N_RETURN);
        p_next(p);
        if (p->tok.kind != TK_SEMICOLON && p->tok.kind != TK_RBRACE)
            parse_expr_list(p, &n->list);
        return n;
    case TK_BREAK:
    case TK_CONTINUE:
        n = node_at_tok(p, p->tok.kind == TK_BREAK ? N_BREAK : N_CONTINUE);
        p_next(p);
        if (p->tok.kind == TK_IDENT) {
            n->name = tok_ident(p);
            p_next(p);
        }
        return n;
    case TK_FALLTHROUGH:
        n = node_at_tok(p, N_FALLTHROUGH);
        p_next(p);
        return n;
    case TK_GOTO:
        p_error_at(p, p->tok.line, p->tok.col, "goto is not supported");
        p_next(p);
        if (p->tok.kind == TK_IDENT)
            p_next(p);
        return NULL;
    case TK_SEMICOLON: return NULL; /* an empty statement */
    case TK_IMPORT: p_syntax_error(p, "imports must appear at top level"); return NULL;
    case TK_IDENT:
    case TK_INT:
    case TK_FLOAT:
    case TK_STRING:
    case TK_CHAR:
    case TK_FUNC:
    case TK_LPAREN:
    case TK_LBRACK:
    case TK_STRUCT:
    case TK_MAP:
    case TK_CHAN:
    case TK_INTERFACE:
    case TK_ARROW:
    case TK_ADD:
    case TK_SUB:
    case TK_MUL:
    case TK_AND:
    case TK_XOR:
    case TK_NOT: break;
    default:
        /* Go's stmtOrNil finds no statement here, and the enclosing block or
         * clause then reports the token it did not expect. */
        if (p->stmt_end) {
            p_syntax_error(p, p->stmt_end);
            return NULL;
        }
        break;
    }
    Node *s = parse_simple_stmt(p, 0);
    if (s && s->kind == N_EXPRSTMT && s->a->kind == N_IDENT && p->tok.kind == TK_COLON)
        return parse_labeled(p, s);
    return s;
}

void parse_stmt_into(Parser *p, NodeList *out) {
    if (!p_enter(p))
        return;
    switch (p->tok.kind) {
    case TK_VAR:
    case TK_CONST:
    case TK_TYPE: parse_decl(p, out); break;
    default: {
        Node *s = parse_stmt(p);
        if (s)
            nodelist_push(p->arena, out, s);
        break;
    }
    }
    p_leave(p);
}

/* ---- declarations ---- */

static void parse_names(Parser *p, NodeList *names) {
    do {
        if (p->tok.kind != TK_IDENT) {
            p_syntax_error(p, "expected name");
            return;
        }
        Node *id = node_at_tok(p, N_IDENT);
        id->name = tok_ident(p);
        p_next(p);
        nodelist_push(p->arena, names, id);
    } while (p_got(p, TK_COMMA));
}

static Node *var_spec(Parser *p) {
    Node *v = node_at_tok(p, N_VAR);
    parse_names(p, &v->names);
    if (p->panicking)
        return v;
    if (p->tok.kind != TK_ASSIGN && p->tok.kind != TK_SEMICOLON && p->tok.kind != TK_RPAREN &&
        p->tok.kind != TK_EOF)
        v->type = parse_type(p);
    if (!p->panicking && p_got(p, TK_ASSIGN))
        parse_expr_list(p, &v->list2);
    return v;
}

/* Per const group: the previous spec's values, which an empty spec repeats. */
typedef struct ConstGroup {
    Node *prev;
    int64_t iota;
} ConstGroup;

static Node *const_spec(Parser *p, ConstGroup *g) {
    Node *c = node_at_tok(p, N_CONST);
    c->iotav = g->iota++;
    parse_names(p, &c->names);
    if (p->panicking)
        return c;
    if (p->tok.kind != TK_ASSIGN && p->tok.kind != TK_SEMICOLON && p->tok.kind != TK_RPAREN &&
        p->tok.kind != TK_EOF)
        c->type = parse_type(p);
    if (p->panicking)
        return c;
    if (p_got(p, TK_ASSIGN)) {
        parse_expr_list(p, &c->list2);
        g->prev = c;
    } else if (c->type) {
        p_error_at(p, c->line, c->col, "const declaration cannot have type without expression");
    } else if (g->prev) {
        /* Go's implicit repetition: the same expressions, evaluated with this
         * spec's iota.  Shared, not copied: a copy per spec would let a short
         * input build a huge tree (the compiler does not modify nodes). */
        c->list2 = g->prev->list2;
        c->type = g->prev->type;
    }
    if (p->panicking)
        return c;
    if (c->names.len > c->list2.len && !c->type)
        p_error_at(p, c->line, c->col, "missing init expr for const declaration");
    else if (c->names.len < c->list2.len)
        p_error_at(p, c->line, c->col, "extra init expr");
    return c;
}

/* A named type csp has besides structs: `type State int`, `type Celsius
 * float64`, `type Color string`. */
static int is_basic_type(const Node *t) {
    static const char *const names[] = {"int",   "int8",    "int16",   "int32",  "int64",   "uint",
                                        "uint8", "uint16",  "uint32",  "uint64", "uintptr", "byte",
                                        "rune",  "float32", "float64", "string", NULL};
    if (t->tkind != TY_NAME || t->pkg || !t->name)
        return 0;
    for (int i = 0; names[i]; i++)
        if (!strcmp(names[i], t->name))
            return 1;
    return 0;
}

static Node *type_spec(Parser *p) {
    Node *t = node_at_tok(p, N_TYPEDECL);
    if (p->tok.kind != TK_IDENT) {
        p_syntax_error(p, "expected name");
        return t;
    }
    t->name = tok_ident(p);
    p_next(p);
    p_got(p, TK_ASSIGN); /* an alias means the same here */
    if (p->tok.kind == TK_SEMICOLON || p->tok.kind == TK_EOF || p->tok.kind == TK_RPAREN) {
        p_syntax_error(p, "in type declaration");
        return t;
    }
    size_t start = p->tok.off;
    t->type = parse_type(p);
    if (!p->panicking && t->type->tkind != TY_STRUCT && t->type->tkind != TY_INTERFACE &&
        !is_basic_type(t->type))
        p_error_at(p, t->type->line, t->type->col,
                   "type %s %s: csp types are structs, ints, float64s and strings (write: type %s struct { ... })",
                   t->name, p_text(p, start, p->prev_end), t->name);
    return t;
}

static Node *import_spec(Parser *p) {
    Node *im = node_at_tok(p, N_IMPORT);
    if (p->tok.kind == TK_IDENT) {
        im->name = tok_ident(p);
        p_next(p);
    } else if (p->tok.kind == TK_PERIOD) {
        im->name = arena_strndup(p->arena, ".", 1);
        p_next(p);
    }
    if (p->tok.kind != TK_STRING) {
        p_syntax_error(p, "missing import path; require quoted string");
        return im;
    }
    if (p->src[p->tok.off] == '"' || p->src[p->tok.off] == '`') {
        im->str = p->tok.str;
        im->slen = p->tok.slen;
    }
    if (im->slen == 0 && !p->tok.bad)
        p_error_at(p, p->tok.line, p->tok.col, "invalid import path: \"\"");
    p_next(p);
    return im;
}

/* var / const / type / import, single or grouped: `var ( a = 1; b )`.  A group
 * gives one node per spec. */
void parse_decl(Parser *p, NodeList *out) {
    TokenKind k = p->tok.kind;
    p_next(p);
    ConstGroup g = {NULL, 0};
    int grouped = p_got(p, TK_LPAREN);
    do {
        if (grouped && (p->tok.kind == TK_RPAREN || p->tok.kind == TK_EOF))
            break;
        Node *spec;
        switch (k) {
        case TK_VAR: spec = var_spec(p); break;
        case TK_CONST: spec = const_spec(p, &g); break;
        case TK_TYPE: spec = type_spec(p); break;
        default: spec = import_spec(p); break;
        }
        nodelist_push(p->arena, out, spec);
        if (p->panicking || !grouped)
            break;
        if (!p_got(p, TK_SEMICOLON) && p->tok.kind != TK_RPAREN)
            p_syntax_error(p, "in grouped declaration; possibly missing semicolon or newline or )");
    } while (!p->panicking);
    if (grouped && !p->panicking)
        p_want(p, TK_RPAREN);
}
