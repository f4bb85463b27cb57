/* parser/parse_int.h — state shared by parse.c (core, errors, top level),
 * parse_expr.c (expressions, types, functions) and parse_stmt.c (statements
 * and declarations).  Not a public header.
 *
 * Error recovery is panic mode: the first syntax error of a statement sets
 * `panicking`; from then on every parse function returns at once with a
 * placeholder node (never NULL for expressions) and consumes nothing, and
 * every loop stops.  The statement loop that owns the broken statement then
 * skips tokens to the next `;` or `}` at its own bracket depth (`nest`, kept
 * by p_next) and clears the flag.  Hence one error per statement, no cascades,
 * and every loop either consumes a token or ends: no input can hang the parser.
 *
 * Recursion is bounded: every recursive entry point goes through p_enter, which
 * fails with "too deeply nested" beyond PARSE_MAX_DEPTH, so 100k `(` cannot
 * overflow the C stack.
 */
#ifndef CSP_PARSER_PARSE_INT_H
#define CSP_PARSER_PARSE_INT_H

#include "lexer/lex.h"
#include "parser/parse.h"

#define HIDDEN __attribute__((visibility("hidden")))

enum { PARSE_MAX_DEPTH = 1000 };

typedef struct Parser {
    Lexer lx;
    Token tok; /* the current, not yet consumed, token */
    Arena *arena;
    Diag *d;
    const char *src;
    size_t len;
    size_t prev_end; /* end offset of the last consumed token (source spans) */
    int prev_line;   /* line of the last consumed token */
    TokenKind prev_kind;
    long ntok;            /* tokens consumed: loops check it to guarantee progress */
    int exprlev;          /* Go's xnest: < 0 in control clause headers, where `T{` is not a literal */
    int depth;            /* recursion depth (p_enter/p_leave) */
    int nest;             /* ( [ { minus ) ] } among consumed tokens, for resynchronising */
    int panicking;        /* a syntax error in the current statement: unwind to its loop */
    int stopped;          /* too many errors: the token stream is cut to EOF */
    int syntax_line;      /* line of the last syntax error: Go reports one per line */
    Node *pending;        /* an operand parsed before the expression parser was entered */
    size_t neglit_off;    /* offset of an int literal right after unary '-' ... */
    Node *neglit;         /* ... and its node: the minus folds it and checks its range */
    const char *stmt_end; /* what Go expects where a statement cannot start: "expected }" in a
                             block, "expected case or default or }" in a clause, NULL at top level */
    /* `.(type)` is only valid as a switch guard: count them in a switch header */
    int guard_ok, guards, guard_line, guard_col;
    int addr_ok; /* the next operand is the first argument of an atomic function form: &v allowed */
} Parser;

/* ---- parse.c: tokens, errors, nodes ---- */
HIDDEN void p_next(Parser *p);
HIDDEN int p_got(Parser *p, TokenKind k);
HIDDEN int p_want(Parser *p, TokenKind k);
HIDDEN int p_enter(Parser *p);
HIDDEN void p_leave(Parser *p);
HIDDEN void p_syntax_error(Parser *p, const char *msg);
HIDDEN void p_syntax_error_at(Parser *p, int line, int col, const char *msg);
HIDDEN void p_error_at(Parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
HIDDEN void p_sync(Parser *p, int nest0);
HIDDEN const char *tok_string(TokenKind k);
HIDDEN Node *node_new(Parser *p, NodeKind k, int line, int col);
HIDDEN Node *node_at_tok(Parser *p, NodeKind k);
HIDDEN Node *bad_expr(Parser *p);
HIDDEN char *p_text(Parser *p, size_t start, size_t end);
HIDDEN char *tok_ident(Parser *p);

/* ---- parse_expr.c ---- */
HIDDEN Node *parse_expr(Parser *p);
HIDDEN void parse_expr_list(Parser *p, NodeList *out);
HIDDEN Node *parse_type(Parser *p);
HIDDEN Node *parse_type_or_nil(Parser *p);
HIDDEN int is_type_start(TokenKind k);
HIDDEN void parse_results(Parser *p, Node *fn);
HIDDEN void parse_param_entries(Parser *p, NodeList *out);     /* `(...)`, types kept */
HIDDEN void check_params(Parser *p, Node *fn, NodeList *ents); /* -> fn->params */
HIDDEN void set_receiver(Parser *p, Node *fn, NodeList *ents); /* -> fn->recv */
HIDDEN void parse_params(Parser *p, Node *fn);
HIDDEN void parse_func_decl_body(Parser *p, Node *fn);
HIDDEN Node *parse_funclit_rest(Parser *p, Node *fn); /* after the parameters: N_FUNCLIT */

/* ---- parse_stmt.c ---- */
HIDDEN Node *parse_block(Parser *p, const char *context); /* context: "if clause" or NULL */
HIDDEN void parse_stmt_list(Parser *p, NodeList *out);
HIDDEN void parse_stmt_into(Parser *p, NodeList *out); /* a group decl gives several */
HIDDEN Node *parse_simple_stmt(Parser *p, int range_ok);
HIDDEN void parse_decl(Parser *p, NodeList *out); /* var const type import */

#endif
