/* parser/ast.h — the syntax tree the parser builds and the compiler reads.
 *
 * Every node carries the position of its first token (line and byte column,
 * both from 1, as Go reports them).  Nodes are allocated from an Arena owned
 * by the parse of one file and freed all at once.  Strings in the tree are
 * NUL-terminated copies in the arena (string literals are already unescaped;
 * `slen` holds their length since they may contain NUL bytes).
 */
#ifndef CSP_PARSER_AST_H
#define CSP_PARSER_AST_H

#include <stddef.h>
#include <stdint.h>

typedef struct Node Node;

typedef struct NodeList {
    Node **items;
    int len, cap;
} NodeList;

typedef enum NodeKind {
    /* ---- expressions ---- */
    N_IDENT,      /* name */
    N_INT,        /* ival (also rune literals) */
    N_FLOAT,      /* fval */
    N_STRING,     /* str, slen */
    N_TRUE, N_FALSE, N_NIL,
    N_LIST,       /* list: elements `[1, 2, 3]` (also Go's `[]int{1, 2}`) */
    N_MAP,        /* list: N_KEYVALUE pairs `{"a": 1}` (also Go's `map[string]int{...}`) */
    N_KEYVALUE,   /* a: key, b: value */
    N_STRUCTLIT,  /* type: struct type (N_TYPE), list: N_KEYVALUE with a = N_IDENT field, or plain
                     positional values; `&T{}` parses to the same node with op = TK_AND */
    N_FUNCLIT,    /* func: the function (N_FUNC) */
    N_UNARY,      /* op: one of '-' '+' '!' '^' TK_ARROW (receive <-x); a: operand */
    N_BINARY,     /* op: token of the operator; a, b */
    N_CALL,       /* a: callee; list: arguments; spread: last argument ends in `...` */
    N_INDEX,      /* a[b] */
    N_SLICE,      /* a[b:c]; b and/or c may be NULL */
    N_SELECTOR,   /* a.name */
    N_TYPEASSERT, /* a.(type): type (N_TYPE); a.(type) in a type switch has type == NULL */
    N_PAREN,      /* (a) */
    N_MAKE,       /* make(type, args...): type (N_TYPE: list/map/chan), list: size arguments */
    N_TYPE,       /* a type: tkind; name/pkg for TY_NAME; elem/key for composites */
    N_ADDR,       /* &v or &s.f as the first argument of a sync/atomic function form:
                     a: N_IDENT or N_SELECTOR, str: its source text */

    /* ---- statements ---- */
    N_EXPRSTMT,   /* a */
    N_ASSIGN,     /* lhs := rhs / lhs = rhs / lhs op= rhs: list (lhs), list2 (rhs), op: '=' or
                     TK_DEFINE or the compound operator's token (TK_ADD_ASSIGN ...) */
    N_INCDEC,     /* a++ / a--: a, op: TK_INC / TK_DEC */
    N_VAR,        /* var names [type] [= values]: names (list of N_IDENT), type (may be NULL),
                     list2: values (may be empty) */
    N_CONST,      /* const names = values (a `const (...)` group gives several N_CONST;
                     iota is supported: an omitted value list repeats the previous one
                     with iota advanced; `iotav` holds this spec's iota) */
    N_BLOCK,      /* list: statements */
    N_IF,         /* init (may be NULL), a: cond, body: then-block, els: N_IF / N_BLOCK / NULL */
    N_FOR,        /* init, a: cond, post (each may be NULL), body */
    N_FORRANGE,   /* key, value (N_IDENT or assignable expr; may be NULL), define: 1 for :=,
                     a: the ranged expression, body */
    N_SWITCH,     /* init, a: tag (NULL for `switch {`), list: N_CASE clauses */
    N_TYPESWITCH, /* init, name: bound variable or NULL (switch v := x.(type)), a: x,
                     list: N_CASE clauses whose list holds N_TYPE (or N_NIL) entries */
    N_CASE,       /* list: expressions (empty for default), body: N_BLOCK, isdefault;
                     in a select: a = the comm statement (N_SEND, N_EXPRSTMT of a receive,
                     N_ASSIGN with a receive on the right) or NULL for default */
    N_SELECT,     /* list: N_CASE clauses */
    N_RETURN,     /* list: results */
    N_BREAK,      /* name: label or NULL */
    N_CONTINUE,   /* name: label or NULL */
    N_FALLTHROUGH,
    N_GO,         /* a: the call (N_CALL) */
    N_DEFER,      /* a: the call (N_CALL) */
    N_SEND,       /* a <- b */
    N_LABELED,    /* name, body: the labeled statement */
    N_EMPTY,

    /* ---- declarations (top level) ---- */
    N_FUNC,       /* name (NULL for literals), recv: N_PARAM or NULL, params: N_PARAM list,
                     variadic: last parameter is `name...`, body: N_BLOCK, names: named
                     results (N_PARAM with name and maybe type), empty if unnamed */
    N_PARAM,      /* name; type must be NULL except for a receiver (`p Point`, `p *Point`) */
    N_TYPEDECL,   /* name, type: N_TYPE with tkind TY_STRUCT whose fields are N_FIELD */
    N_FIELD,      /* name, type (NULL for a bare field) */
    N_IMPORT,     /* str: path, name: alias or NULL */
    N_FILE,       /* list: top-level declarations and statements in source order;
                     name: the `package` name or NULL */
} NodeKind;

typedef enum TypeKind {
    TY_NAME,    /* name, pkg (NULL or "sync"): int float64 string bool list map chan error func,
                   a struct name, or a qualified native type (sync.WaitGroup) */
    TY_LIST,    /* []elem or [N]elem */
    TY_MAP,     /* map[key]elem */
    TY_CHAN,    /* chan elem / chan<- elem / <-chan elem (elem may be NULL: `chan`) */
    TY_POINTER, /* *elem */
    TY_FUNC,    /* func(...) ... (parameters are not kept) */
    TY_STRUCT,  /* struct { fields } : list holds N_FIELD */
    TY_INTERFACE, /* interface{} / any */
} TypeKind;

struct Node {
    NodeKind kind;
    int line, col;
    int op;         /* a token kind (lexer/token.h) */
    int define;     /* N_FORRANGE: 1 when := */
    int spread;     /* N_CALL: f(xs...) */
    int variadic;   /* N_FUNC */
    int isdefault;  /* N_CASE */
    int tkind;      /* N_TYPE: TypeKind */
    int end_line;   /* N_BLOCK: line of the closing brace (0 if missing) */
    int64_t ival;   /* N_INT */
    int64_t iotav;  /* N_CONST */
    double fval;    /* N_FLOAT */
    char *str;      /* N_STRING, N_IMPORT */
    size_t slen;
    char *name;     /* identifiers, labels, declared names */
    char *pkg;      /* N_TYPE qualified name */
    Node *a, *b, *c;
    Node *init, *post, *body, *els;
    Node *key, *value;
    Node *type, *elem, *tkey;   /* N_TYPE: elem/tkey for composites */
    Node *recv;
    Node *func;
    NodeList list, list2, names, params;
};

#endif
