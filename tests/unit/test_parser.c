/* tests/unit/test_parser.c — the parser: trees (through a small S-expression
 * dumper kept here, not in the parser), positions, and Go's error messages.
 *
 * Build and run by hand (the lead registers it in meson):
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I. -g -fsanitize=address,undefined \
 *       lexer/lex.c parser/arena.c parser/diag.c parser/parse.c parser/parse_expr.c \
 *       parser/parse_stmt.c tests/unit/test_parser.c -o /tmp/test_parser && /tmp/test_parser
 * Prints "N passed, M failed" and exits 1 on a failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lexer/token.h"
#include "parser/parse.h"

static int passed, failed;

/* ---- the dumper ---- */

static void dump(FILE *f, const Node *n);

static void dump_list(FILE *f, const NodeList *l) {
    for (int i = 0; i < l->len; i++) {
        fputc(' ', f);
        dump(f, l->items[i]);
    }
}

static void dump_opt(FILE *f, const Node *n) {
    fputc(' ', f);
    if (n)
        dump(f, n);
    else
        fputc('_', f);
}

/* N_UNARY and N_ASSIGN `=` use characters, N_BINARY tokens (ast.h); they overlap ('!' == TK_EQL). */
static const char *unary_name(int op) {
    switch (op) {
    case '-': return "-";
    case '+': return "+";
    case '!': return "!";
    case '^': return "^";
    case TK_ARROW: return "<-";
    default: return "?";
    }
}

static const char *op_name(int op) {
    if (op == '=')
        return "=";
    static const char *names[] = {
#define T(name, text) [TK_##name] = text,
        CSP_TOKENS(T)
#undef T
    };
    return op >= 0 && op < TK_COUNT ? names[op] : "?";
}

static void dump_type(FILE *f, const Node *t) {
    switch (t->tkind) {
    case TY_NAME:
        if (t->pkg)
            fprintf(f, "%s.", t->pkg);
        fprintf(f, "%s", t->name ? t->name : "?");
        break;
    case TY_LIST:
        fputs("[]", f);
        t->elem ? dump_type(f, t->elem) : (void)0;
        break;
    case TY_MAP:
        fputs("map", f);
        if (t->tkey) {
            fputc('[', f);
            dump_type(f, t->tkey);
            fputc(']', f);
            dump_type(f, t->elem);
        }
        break;
    case TY_CHAN:
        fputs("chan", f);
        if (t->elem) {
            fputc(' ', f);
            dump_type(f, t->elem);
        }
        break;
    case TY_POINTER:
        fputc('*', f);
        dump_type(f, t->elem);
        break;
    case TY_FUNC: fputs("func", f); break;
    case TY_INTERFACE: fputs("interface", f); break;
    case TY_STRUCT:
        fputs("struct{", f);
        for (int i = 0; i < t->list.len; i++) {
            const Node *fl = t->list.items[i];
            fprintf(f, "%s%s", i ? " " : "", fl->name);
            if (fl->type) {
                fputc(':', f);
                dump_type(f, fl->type);
            }
        }
        fputc('}', f);
        break;
    }
}

static void dump_str(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void dump_func(FILE *f, const Node *fn) {
    fputs("(func", f);
    if (fn->name)
        fprintf(f, " %s", fn->name);
    if (fn->recv) {
        fprintf(f, " (recv %s ", fn->recv->name ? fn->recv->name : "_");
        dump_type(f, fn->recv->type);
        fputc(')', f);
    }
    fputs(" (", f);
    for (int i = 0; i < fn->params.len; i++)
        fprintf(f, "%s%s%s", i ? " " : "", fn->params.items[i]->name,
                fn->variadic && i == fn->params.len - 1 ? "..." : "");
    fputc(')', f);
    dump_opt(f, fn->body);
    fputc(')', f);
}

static void dump(FILE *f, const Node *n) {
    if (!n) {
        fputc('_', f);
        return;
    }
    switch (n->kind) {
    case N_IDENT: fputs(n->name, f); break;
    case N_INT: fprintf(f, "%lld", (long long)n->ival); break;
    case N_FLOAT: fprintf(f, "%gf", n->fval); break;
    case N_STRING: dump_str(f, n->str, n->slen); break;
    case N_TRUE: fputs("true", f); break;
    case N_FALSE: fputs("false", f); break;
    case N_NIL: fputs("nil", f); break;
    case N_LIST:
        fputs("[", f);
        if (n->type) {
            dump_type(f, n->type);
            fputc(':', f);
        }
        dump_list(f, &n->list);
        fputs(" ]", f);
        break;
    case N_MAP:
        fputs("{", f);
        if (n->type) {
            dump_type(f, n->type);
            fputc(':', f);
        }
        dump_list(f, &n->list);
        fputs(" }", f);
        break;
    case N_KEYVALUE:
        dump(f, n->a);
        fputc(':', f);
        dump(f, n->b);
        break;
    case N_STRUCTLIT:
        fputs("(new ", f);
        dump_type(f, n->type);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_FUNCLIT: dump_func(f, n->func); break;
    case N_UNARY:
        fprintf(f, "(%s ", unary_name(n->op));
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_BINARY:
        fprintf(f, "(%s ", op_name(n->op));
        dump(f, n->a);
        fputc(' ', f);
        dump(f, n->b);
        fputc(')', f);
        break;
    case N_CALL:
        fputs("(call ", f);
        dump(f, n->a);
        dump_list(f, &n->list);
        if (n->spread)
            fputs(" ...", f);
        fputc(')', f);
        break;
    case N_INDEX:
        fputs("(index ", f);
        dump(f, n->a);
        fputc(' ', f);
        dump(f, n->b);
        fputc(')', f);
        break;
    case N_SLICE:
        fputs("(slice ", f);
        dump(f, n->a);
        dump_opt(f, n->b);
        dump_opt(f, n->c);
        fputc(')', f);
        break;
    case N_SELECTOR:
        fputs("(. ", f);
        dump(f, n->a);
        fprintf(f, " %s)", n->name);
        break;
    case N_TYPEASSERT:
        fputs("(assert ", f);
        dump(f, n->a);
        fputc(' ', f);
        n->type ? dump_type(f, n->type) : (void)fputs("type", f);
        fputc(')', f);
        break;
    case N_PAREN:
        fputs("(paren ", f);
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_MAKE:
        fputs("(make ", f);
        dump_type(f, n->type);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_TYPE: dump_type(f, n); break;
    case N_ADDR:
        fputs("(& ", f);
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_EXPRSTMT:
        fputs("(expr ", f);
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_ASSIGN:
        fprintf(f, "(%s (", op_name(n->op));
        for (int i = 0; i < n->list.len; i++) {
            if (i)
                fputc(' ', f);
            dump(f, n->list.items[i]);
        }
        fputs(")", f);
        dump_list(f, &n->list2);
        fputc(')', f);
        break;
    case N_INCDEC:
        fprintf(f, "(%s ", op_name(n->op));
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_VAR:
    case N_CONST:
        fputs(n->kind == N_VAR ? "(var" : "(const", f);
        dump_list(f, &n->names);
        if (n->type) {
            fputs(" :", f);
            dump_type(f, n->type);
        }
        if (n->kind == N_CONST)
            fprintf(f, " iota=%lld", (long long)n->iotav);
        if (n->list2.len) {
            fputs(" =", f);
            dump_list(f, &n->list2);
        }
        fputc(')', f);
        break;
    case N_BLOCK:
        fputs("(block", f);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_IF:
        fputs("(if", f);
        dump_opt(f, n->init);
        dump_opt(f, n->a);
        dump_opt(f, n->body);
        if (n->els)
            dump_opt(f, n->els);
        fputc(')', f);
        break;
    case N_FOR:
        fputs("(for", f);
        dump_opt(f, n->init);
        dump_opt(f, n->a);
        dump_opt(f, n->post);
        dump_opt(f, n->body);
        fputc(')', f);
        break;
    case N_FORRANGE:
        fputs("(range", f);
        dump_opt(f, n->key);
        dump_opt(f, n->value);
        fputs(n->define ? " :=" : " =", f);
        dump_opt(f, n->a);
        dump_opt(f, n->body);
        fputc(')', f);
        break;
    case N_SWITCH:
    case N_TYPESWITCH:
        fputs(n->kind == N_SWITCH ? "(switch" : "(typeswitch", f);
        dump_opt(f, n->init);
        if (n->kind == N_TYPESWITCH)
            fprintf(f, " %s", n->name ? n->name : "_");
        dump_opt(f, n->a);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_CASE:
        fputs(n->isdefault ? "(default" : "(case", f);
        if (n->a)
            dump_opt(f, n->a);
        dump_list(f, &n->list);
        fputs(" :", f);
        dump_list(f, &n->body->list);
        fputc(')', f);
        break;
    case N_SELECT:
        fputs("(select", f);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_RETURN:
        fputs("(return", f);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    case N_BREAK:
    case N_CONTINUE:
        fputs(n->kind == N_BREAK ? "(break" : "(continue", f);
        if (n->name)
            fprintf(f, " %s", n->name);
        fputc(')', f);
        break;
    case N_FALLTHROUGH: fputs("(fallthrough)", f); break;
    case N_GO:
    case N_DEFER:
        fputs(n->kind == N_GO ? "(go " : "(defer ", f);
        dump(f, n->a);
        fputc(')', f);
        break;
    case N_SEND:
        fputs("(send ", f);
        dump(f, n->a);
        fputc(' ', f);
        dump(f, n->b);
        fputc(')', f);
        break;
    case N_LABELED:
        fprintf(f, "(label %s ", n->name);
        dump(f, n->body);
        fputc(')', f);
        break;
    case N_EMPTY: fputs("(empty)", f); break;
    case N_FUNC: dump_func(f, n); break;
    case N_PARAM: fputs(n->name ? n->name : "_", f); break;
    case N_TYPEDECL:
        fprintf(f, "(type %s ", n->name);
        dump_type(f, n->type);
        fputc(')', f);
        break;
    case N_FIELD: fputs(n->name, f); break;
    case N_IMPORT:
        fputs("(import ", f);
        if (n->name)
            fprintf(f, "%s ", n->name);
        dump_str(f, n->str ? n->str : "", n->slen);
        fputc(')', f);
        break;
    case N_FILE:
        fputs("(file", f);
        dump_list(f, &n->list);
        fputc(')', f);
        break;
    }
}

/* ---- running ---- */

typedef struct Result {
    char *tree;   /* the top-level list, dumped */
    char *errors; /* what diag printed */
    int count;
} Result;

static Node *last_file;
static Arena *last_arena;

static Result parse(const char *src) {
    Result r;
    size_t elen = 0, tlen = 0;
    FILE *ef = open_memstream(&r.errors, &elen);
    Diag d = {ef, "t.csp", src, strlen(src), 0};
    Arena *a = arena_new();
    Node *file = parse_file(a, &d, src, strlen(src));
    fclose(ef);
    FILE *tf = open_memstream(&r.tree, &tlen);
    for (int i = 0; i < file->list.len; i++) {
        if (i)
            fputc(' ', tf);
        dump(tf, file->list.items[i]);
    }
    fclose(tf);
    r.count = d.count;
    if (last_arena)
        arena_free(last_arena);
    last_arena = a;
    last_file = file;
    return r;
}

static void check_tree(const char *src, const char *want, int line) {
    Result r = parse(src);
    if (r.count == 0 && strcmp(r.tree, want) == 0) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n  want: %s\n  got:  %s\n%s", line, src, want, r.tree, r.errors);
    }
    free(r.tree);
    free(r.errors);
}

/* Every line of `want` must appear in the error output, in order. */
static void check_errors(const char *src, const char *want, int line) {
    Result r = parse(src);
    const char *at = r.errors;
    int ok = r.count > 0;
    char buf[512];
    for (const char *w = want; ok && *w;) {
        const char *nl = strchr(w, '\n');
        size_t n = nl ? (size_t)(nl - w) : strlen(w);
        snprintf(buf, sizeof buf, "%.*s", (int)n, w);
        const char *hit = strstr(at, buf);
        if (!hit)
            ok = 0;
        else
            at = hit + n;
        w += n + (nl ? 1 : 0);
    }
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n  want errors:\n%s\n  got (%d):\n%s\n", line, src, want, r.count, r.errors);
    }
    free(r.tree);
    free(r.errors);
}

/* The exact error output, source lines and carets included. */
static void check_output(const char *src, const char *want, int line) {
    Result r = parse(src);
    if (strcmp(r.errors, want) == 0) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n  want:\n%s  got:\n%s", line, src, want, r.errors);
    }
    free(r.tree);
    free(r.errors);
}

#define TREE(src, want) check_tree(src, want, __LINE__)
#define ERRS(src, want) check_errors(src, want, __LINE__)
#define OUTPUT(src, want) check_output(src, want, __LINE__)

static void expect_pos(const Node *n, int line, int col, const char *what) {
    if (n && n->line == line && n->col == col) {
        passed++;
    } else {
        failed++;
        printf("FAIL position of %s: want %d:%d, got %d:%d\n", what, line, col, n ? n->line : 0,
               n ? n->col : 0);
    }
}

static void positions(void) {
    Result r = parse("x := 1 +\n\t2 * y\nfunc f(a) {\n\treturn -a\n}\n");
    Node *assign = last_file->list.items[0];
    expect_pos(assign, 1, 1, "assignment");
    Node *plus = assign->list2.items[0];
    expect_pos(plus, 1, 8, "binary + (at its operator)");
    expect_pos(plus->a, 1, 6, "left operand");
    expect_pos(plus->b, 2, 4, "binary *");
    expect_pos(plus->b->a, 2, 2, "literal 2");
    Node *fn = last_file->list.items[1];
    expect_pos(fn, 3, 1, "func");
    expect_pos(fn->params.items[0], 3, 8, "param");
    expect_pos(fn->body->list.items[0]->list.items[0], 4, 9, "unary -");
    free(r.tree);
    free(r.errors);
}

static void deep_nesting(void) {
    size_t n = 100000;
    char *src = malloc(2 * n + 8);
    memcpy(src, "x := ", 5);
    memset(src + 5, '(', n);
    src[5 + n] = 0;
    Result r = parse(src);
    if (strstr(r.errors, "syntax error: too deeply nested") && r.count < 11)
        passed++;
    else
        failed++, printf("FAIL deep nesting: %s\n", r.errors);
    free(r.tree);
    free(r.errors);
    /* deep but legal nesting parses */
    memset(src, 0, 2 * n + 8);
    strcpy(src, "x := ");
    for (int i = 0; i < 500; i++)
        strcat(src, "(");
    strcat(src, "1");
    for (int i = 0; i < 500; i++)
        strcat(src, ")");
    r = parse(src);
    r.count == 0 ? passed++ : (failed++, printf("FAIL 500 parens: %s\n", r.errors));
    free(r.tree);
    free(r.errors);
    /* the same depth of blocks, unary operators and else-ifs */
    const char *units[] = {"{", "- ", "if x {} else "};
    for (int u = 0; u < 3; u++) {
        size_t ul = strlen(units[u]);
        char *s = malloc(ul * n + 16);
        for (size_t i = 0; i < n; i++)
            memcpy(s + i * ul, units[u], ul);
        s[ul * n] = 0;
        r = parse(s);
        strstr(r.errors, "too deeply nested") ? passed++ : (failed++, printf("FAIL deep %s\n", units[u]));
        free(r.tree);
        free(r.errors);
        free(s);
    }
    free(src);
}

int main(void) {
    /* ---- expressions ---- */
    TREE("x := 1 + 2*3 - 4", "(:= (x) (- (+ 1 (* 2 3)) 4))");
    TREE("_ = a || b && c == d + e * f", "(= (_) (|| a (&& b (== c (+ d (* e f))))))");
    TREE("_ = 1<<2 + 1", "(= (_) (+ (<< 1 2) 1))");
    TREE("_ = 6 &^ 3 | 8 ^ 1 % 2 >> 1 & 7", "(= (_) (^ (| (&^ 6 3) 8) (& (>> (% 1 2) 1) 7)))");
    TREE("_ = -x + !y + ^z + +w", "(= (_) (+ (+ (+ (- x) (! y)) (^ z)) (+ w)))");
    TREE("_ = 10 - 4 - 3", "(= (_) (- (- 10 4) 3))");
    TREE("x := -9223372036854775808", "(:= (x) -9223372036854775808)");
    TREE("x := -5 * 2", "(:= (x) (* -5 2))");
    TREE("x := 9223372036854775807", "(:= (x) 9223372036854775807)");
    TREE("x := 'a' + '\\n'", "(:= (x) (+ 97 10))");
    TREE("s := \"a\\x00b\"", "(:= (s) \"a\\x00b\")");
    TREE("x := 1.5 + .5 + 1e3", "(:= (x) (+ (+ 1.5f 0.5f) 1000f))");
    TREE("v := <-ch", "(:= (v) (<- ch))");
    TREE("v, ok := <-ch", "(:= (v ok) (<- ch))");
    TREE("f(a, b...)", "(expr (call f a b ...))");
    TREE("f(\n\t1,\n\t2,\n)", "(expr (call f 1 2))");
    TREE("x := a.b.c(1)[2][1:][:3][:]",
         "(:= (x) (slice (slice (slice (index (call (. (. a b) c) 1) 2) 1 _) _ 3) _ _))");
    TREE("s := x.(string)", "(:= (s) (assert x string))");
    TREE("s, ok := x.(*Point)", "(:= (s ok) (assert x *Point))");
    TREE("_ = (a + b) * c", "(= (_) (* (paren (+ a b)) c))");
    TREE("t, f, n := true, false, nil", "(:= (t f n) true false nil)");
    /* literals */
    TREE("l := [1, 2, 3]", "(:= (l) [ 1 2 3 ])");
    TREE("l := []", "(:= (l) [ ])");
    TREE("l := [\n\t1,\n\t2,\n]", "(:= (l) [ 1 2 ])");
    TREE("l := []int{1, 2}", "(:= (l) [[]int: 1 2 ])");
    TREE("l := []string{}", "(:= (l) [[]string: ])");
    TREE("l := [3]int{1, 2, 3}", "(:= (l) [[]int: 1 2 3 ])");
    TREE("l := [...]int{1}", "(:= (l) [[]int: 1 ])");
    TREE("x := [1, 2][0]", "(:= (x) (index [ 1 2 ] 0))");
    TREE("l := [][]int{{1}, {2, 3}}", "(:= (l) [[][]int: [[]int: 1 ] [[]int: 2 3 ] ])");
    TREE("l := []Point{{1, 2}, {x: 3}}", "(:= (l) [[]Point: (new Point 1 2) (new Point x:3) ])");
    TREE("l := []*Point{{1, 2}}", "(:= (l) [[]*Point: (new Point 1 2) ])");
    TREE("m := {\"a\": 1, \"b\": {\"c\": 2}}", "(:= (m) { \"a\":1 \"b\":{ \"c\":2 } })");
    TREE("m := {}", "(:= (m) { })");
    TREE("m := map[string]int{\"a\": 1}", "(:= (m) {map[string]int: \"a\":1 })");
    TREE("m := map[string]Point{\"a\": {1, 2}}", "(:= (m) {map[string]Point: \"a\":(new Point 1 2) })");
    TREE("l := [{\"a\": 1}, [2]]", "(:= (l) [ { \"a\":1 } [ 2 ] ])");
    TREE("p := Point{x: 3, y: 4}", "(:= (p) (new Point x:3 y:4))");
    TREE("p := Point{3, 4}", "(:= (p) (new Point 3 4))");
    TREE("p := &Point{3, 4}", "(:= (p) (new Point 3 4))");
    TREE("p := &(Point{})", "(:= (p) (new Point))");
    TREE("wg := sync.WaitGroup{}", "(:= (wg) (new sync.WaitGroup))");
    TREE("done <- struct{}{}", "(send done (new struct{}))");
    TREE("return Point{1, 2}", "(return (new Point 1 2))");
    TREE("f := func(x) { return x + 1 }", "(:= (f) (func (x) (block (return (+ x 1)))))");
    TREE("f := func(a, b) int { return a }", "(:= (f) (func (a b) (block (return a))))");
    TREE("func() { println(1) }()", "(expr (call (func () (block (expr (call println 1))))))");
    TREE("go func(x) {}(1)", "(go (call (func (x) (block)) 1))");
    /* make */
    TREE("a := make(chan)", "(:= (a) (make chan))");
    TREE("a := make(chan, 10)", "(:= (a) (make chan 10))");
    TREE("a := make(chan int, n)", "(:= (a) (make chan int n))");
    TREE("a := make(chan struct{})", "(:= (a) (make chan struct{}))");
    TREE("a := make([]int, n, 10)", "(:= (a) (make []int n 10))");
    TREE("a := make(list, n)", "(:= (a) (make list n))");
    TREE("a := make(map)", "(:= (a) (make map))");
    TREE("a := make(map[string][]int)", "(:= (a) (make map[string][]int))");
    TREE("a := make(<-chan int)", "(:= (a) (make chan int))");
    /* ---- statements ---- */
    TREE("x = 2; x += 3; x++; x--; x &^= 1", "(= (x) 2) (+= (x) 3) (++ x) (-- x) (&^= (x) 1)");
    TREE("a, b = b, a", "(= (a b) b a)");
    TREE("l[i], m[k] = 1, 2", "(= ((index l i) (index m k)) 1 2)");
    TREE("ch <- v + 1", "(send ch (+ v 1))");
    TREE("{ x := 1 }", "(block (:= (x) 1))");
    TREE("if x { a() } else if y { b() } else { c() }",
         "(if _ x (block (expr (call a))) (if _ y (block (expr (call b))) (block (expr (call c)))))");
    TREE("if v, ok := m[\"k\"]; ok {}", "(if (:= (v ok) (index m \"k\")) ok (block))");
    TREE("if p == (Point{1, 2}) {}", "(if _ (== p (paren (new Point 1 2))) (block))");
    TREE("if x := f(Point{1}); x {}", "(if (:= (x) (call f (new Point 1))) x (block))");
    TREE("for {}", "(for _ _ _ (block))");
    TREE("for x < 3 {}", "(for _ (< x 3) _ (block))");
    TREE("for i := 0; i < n; i++ {}", "(for (:= (i) 0) (< i n) (++ i) (block))");
    TREE("for ;; {}", "(for _ _ _ (block))");
    TREE("for i := range 10 {}", "(range i _ := 10 (block))");
    TREE("for range ch {}", "(range _ _ = ch (block))");
    TREE("for k, v := range m {}", "(range k v := m (block))");
    TREE("for i, v = range l {}", "(range i v = l (block))");
    TREE("for _, p := range points {}", "(range _ p := points (block))");
    TREE("for _, v := range []int{1, 2} {}", "(range _ v := [[]int: 1 2 ] (block))");
    TREE("for _, v := range [7, 8] {}", "(range _ v := [ 7 8 ] (block))");
    TREE("Outer:\nfor { for { break Outer; continue Outer } }",
         "(label Outer (for _ _ _ (block (for _ _ _ (block (break Outer) (continue Outer))))))");
    TREE("for { break; continue }", "(for _ _ _ (block (break) (continue)))");
    TREE("switch x { case 1, 2: a()\nfallthrough\ncase 3:\ndefault: b() }",
         "(switch _ x (case 1 2 : (expr (call a)) (fallthrough)) (case 3 :) (default : (expr (call b))))");
    TREE("switch { case x < 0: }", "(switch _ _ (case (< x 0) :))");
    TREE("switch x := f(); x { }", "(switch (:= (x) (call f)) x)");
    TREE("switch x := f(); { }", "(switch (:= (x) (call f)) _)");
    TREE("switch v := x.(type) { case int, string: case nil: case Point: case *Point, []int: default: }",
         "(typeswitch _ v x (case int string :) (case nil :) (case Point :) (case *Point []int :) (default "
         ":))");
    TREE("switch x.(type) {}", "(typeswitch _ _ x)");
    TREE("switch y := g(); v := y.(type) {}", "(typeswitch (:= (y) (call g)) v y)");
    TREE("select {\ncase v := <-a:\ncase v, ok := <-b:\ncase x = <-c:\ncase s.f = <-c:\n"
         "case out <- x:\ncase <-time.After(d):\ndefault:\n}",
         "(select (case (:= (v) (<- a)) :) (case (:= (v ok) (<- b)) :) (case (= (x) (<- c)) :)"
         " (case (= ((. s f)) (<- c)) :) (case (send out x) :) (case (expr (<- (call (. time After) d))) :)"
         " (default :))");
    TREE("select {}", "(select)");
    TREE("go worker(i, ch)", "(go (call worker i ch))");
    TREE("defer mu.Unlock()", "(defer (call (. mu Unlock)))");
    TREE("return", "(return)");
    TREE("return a, b", "(return a b)");
    TREE("func f() {\n\treturn\n}", "(func f () (block (return)))");
    TREE("func f() { L: }", "(func f () (block (label L (empty))))");
    /* ---- declarations ---- */
    TREE("package main\nx := 1", "(:= (x) 1)");
    TREE("import \"fmt\"\nimport (\n\t\"sync\"\n\t\"runtime/debug\"\n)\nimport g \"./lib/geom\"",
         "(import \"fmt\") (import \"sync\") (import \"runtime/debug\") (import g \"./lib/geom\")");
    TREE("func divmod(a, b) { return a / b, a % b }", "(func divmod (a b) (block (return (/ a b) (% a b))))");
    TREE("func sum(nums...) {}", "(func sum (nums...) (block))");
    TREE("func f(a, rest...) {}", "(func f (a rest...) (block))");
    TREE("func (p Point) Norm() {}", "(func Norm (recv p Point) () (block))");
    TREE("func (r *Runner) Start() {}", "(func Start (recv r *Runner) () (block))");
    TREE("func (Point) Name() {}", "(func Name (recv _ Point) () (block))");
    TREE("func f(a, b) int { return 0 }", "(func f (a b) (block (return 0)))");
    TREE("func f() (int, error) {}", "(func f () (block))");
    TREE("func f() (n int, err error) {}", "(func f () (block))");
    TREE("func f(cb) func(int) bool {}", "(func f (cb) (block))");
    TREE("func f() []map[string]int {}", "(func f () (block))");
    TREE("func f() interface{} {}", "(func f () (block))");
    TREE("type Point struct { x, y }", "(type Point struct{x y})");
    TREE("type T struct { a, b; mu sync.Mutex; items []int; m map[string]int; next *Node }",
         "(type T struct{a b mu:sync.Mutex items:[]int m:map[string]int next:*Node})");
    TREE("type T struct {\n\ta int `json:\"a\"`\n\tf func(int) bool\n\tc chan<- int\n}",
         "(type T struct{a:int f:func c:chan int})");
    TREE("type Shape interface { Area() float64 }", "(type Shape interface)");
    TREE("type (\n\tA struct{}\n\tB struct{ x }\n)", "(type A struct{}) (type B struct{x})");
    TREE("var y = 2", "(var y = 2)");
    TREE("var x int = 3", "(var x :int = 3)");
    TREE("var f, g int", "(var f g :int)");
    TREE("var wg sync.WaitGroup", "(var wg :sync.WaitGroup)");
    TREE("var c chan", "(var c :chan)");
    TREE("var m map", "(var m :map)");
    TREE("var m map\nvar c chan\nvar f func\nz := 1", "(var m :map) (var c :chan) (var f :func) (:= (z) 1)");
    TREE("type T struct {\n\tmeta map\n\tc chan\n\textra\n}", "(type T struct{meta:map c:chan extra})");
    TREE("t := type(x) == \"int\"", "(:= (t) (== (call type x) \"int\"))");
    TREE("var x interface{}; var y any", "(var x :interface) (var y :interface)");
    TREE("var x", "(var x)");
    TREE("var (\n\ta = 1\n\tb\n\tc, d = 3, 4\n)", "(var a = 1) (var b) (var c d = 3 4)");
    TREE("var (a = 1; b)", "(var a = 1) (var b)");
    TREE("const N = 10", "(const N iota=0 = 10)");
    TREE("const (\n\tA = iota\n\tB\n\tC\n)",
         "(const A iota=0 = iota) (const B iota=1 = iota) (const C iota=2 = iota)");
    TREE("const (\n\t_ = iota\n\tKB = 1 << (10 * iota)\n\tMB\n)",
         "(const _ iota=0 = iota) (const KB iota=1 = (<< 1 (paren (* 10 iota)))) (const MB iota=2 = (<< 1 "
         "(paren (* 10 "
         "iota))))");
    TREE("const (a, b = iota, iota * 2; c, d)",
         "(const a b iota=0 = iota (* iota 2)) (const c d iota=1 = iota (* iota 2))");
    TREE("func f() { const local = 7; var v = 1; type P struct{} }",
         "(func f () (block (const local iota=0 = 7) (var v = 1) (type P struct{})))");
    /* statement and declaration order is kept */
    TREE("println(later())\nfunc later() { return 1 }\nprintln(2)",
         "(expr (call println (call later))) (func later () (block (return 1))) (expr (call println 2))");
    /* ---- errors ---- */
    ERRS("x := }", "t.csp:1:6: syntax error: unexpected }, expected expression");
    ERRS("x := 9223372036854775808", "t.csp:1:6: constant 9223372036854775808 overflows int");
    ERRS("x := 18446744073709551616", "t.csp:1:6: constant 18446744073709551616 overflows int");
    ERRS("x := -9223372036854775809", "constant 9223372036854775809 overflows int");
    ERRS("x := 1e400", "constant 1e400 overflows float64");
    ERRS("if x\n{\n}", "t.csp:1:5: syntax error: unexpected newline, expected { after if clause");
    ERRS("if {}", "t.csp:1:4: syntax error: missing condition in if statement");
    ERRS("if x := 1 {}", "t.csp:1:4: syntax error: cannot use x := 1 as value");
    ERRS("if x = 1 {}", "t.csp:1:4: syntax error: cannot use assignment x = 1 as value");
    ERRS("for i := 0; i < 3; j := 1 {}", "syntax error: cannot declare in post statement of for loop");
    ERRS("x := 1 +", "t.csp:1:9: syntax error: unexpected EOF, expected expression");
    ERRS("f(1 2)",
         "t.csp:1:5: syntax error: unexpected literal 2 in argument list; possibly missing comma or )");
    ERRS("x y", "t.csp:1:3: syntax error: unexpected name y at end of statement");
    ERRS("a, b", "t.csp:1:5: syntax error: unexpected EOF, expected := or = or comma");
    ERRS("if x {} \nelse {}", "t.csp:2:1: syntax error: unexpected keyword else, expected expression");
    ERRS("func f() {\n\tif x {}\n\telse {}\n}",
         "t.csp:3:2: syntax error: unexpected keyword else, expected }");
    ERRS("switch x { case 1: ) }", "t.csp:1:20: syntax error: unexpected ), expected case or default or }");
    ERRS("f(x..., y)", "t.csp:1:9: can only use ... with final argument in list");
    ERRS("func main() {\n\tgo func() {\n\t\tfor {\n\t}()\n}",
         "t.csp:4:3: syntax error: unexpected ( at end of statement\n"
         "t.csp:5:2: syntax error: unexpected EOF, expected }");
    ERRS("if x {} else for {}", "t.csp:1:14: syntax error: else must be followed by if or statement block");
    ERRS("func f(x int) {}", "t.csp:1:8: typed parameter x int: csp parameters have no types (write: x)");
    ERRS("func f(a, b int, c []string) {}",
         "typed parameters a, b int: csp parameters have no types (write: a, b)\n"
         "typed parameter c []string: csp parameters have no types (write: c)");
    ERRS("func f(nums ...int) {}",
         "typed parameter nums ...int: csp parameters have no types (write: nums...)");
    ERRS("f := func(s string) {}", "typed parameter s string: csp parameters have no types (write: s)");
    ERRS("p := &x",
         "t.csp:1:6: cannot take the address of x: csp has no pointers (objects are already references)");
    ERRS("p := &a[1]", "cannot take the address of a[1]: csp has no pointers");
    ERRS("y := *p", "t.csp:1:6: invalid operation: cannot indirect p: csp has no pointers");
    ERRS("goto L", "t.csp:1:1: goto is not supported");
    ERRS("x := 1 @ 2", "t.csp:1:8: invalid character U+0040 '@'");
    ERRS("s := \"abc", "t.csp:1:6: string literal not terminated");
    ERRS("s := \"a\\qc\"", "t.csp:1:9: unknown escape sequence");
    ERRS("x := (1", "t.csp:1:8: syntax error: unexpected EOF, expected )");
    ERRS("go f", "t.csp:1:4: expression in go must be function call");
    ERRS("defer (f())", "expression in defer must not be parenthesized");
    ERRS("switch x := v.(type); y {}", "use of .(type) outside type switch");
    ERRS("y := x.(type)", "t.csp:1:9: use of .(type) outside type switch");
    ERRS("select { case f(): }", "select case must be receive, send or assign recv");
    ERRS("switch x { default: default: }", "multiple defaults in switch");
    ERRS("x.y := 1", "non-name x.y on left side of :=");
    ERRS("package main\npackage foo", "t.csp:2:1: syntax error: package statement must be first");
    ERRS("func main()\n{\n}", "t.csp:2:1: syntax error: unexpected semicolon or newline before {");
    ERRS("type T struct { sync.Mutex }", "embedded fields are not supported");
    ERRS("type C []string", "type C []string: csp types are structs, ints, float64s and strings (write: type C struct { ... })");
    ERRS("const (a = 1; b, c)", "missing init expr for const declaration");
    ERRS("const x", "missing init expr for const declaration");
    ERRS("x := []byte(s)", "cannot convert to []byte: csp has no typed lists or maps");
    ERRS("m := {1, 2}", "t.csp:1:7: missing key in map literal");
    ERRS("p := Point{x: 1, 2}", "mixture of field:value and value elements in struct literal");
    ERRS("switch x {\ncase 1\n}", "t.csp:2:7: syntax error: unexpected newline, expected :");
    ERRS("func f(a int\nb int) {}",
         "t.csp:1:13: syntax error: unexpected newline in parameter list; possibly missing comma or )");
    ERRS("x := [1, 2", "syntax error: unexpected EOF in list literal; possibly missing comma or ]");
    ERRS("m := {\n\"a\": 1\n}",
         "t.csp:2:7: syntax error: unexpected newline in composite literal; possibly missing comma or }");
    ERRS("func f() {\n\tx := }\n\ty := )\n}\nz := ]",
         "t.csp:2:7: syntax error: unexpected }, expected expression\n"
         "t.csp:3:7: syntax error: unexpected ), expected expression\n"
         "t.csp:5:6: syntax error: unexpected ], expected expression");
    /* one error per line, recovery at the next statement */
    ERRS("x := (1 +\nif y {\nz := }", "t.csp:2:1: syntax error: unexpected keyword if, expected expression\n"
                                      "t.csp:3:6: syntax error: unexpected }, expected expression");
    ERRS("x := 1 @ }",
         "t.csp:1:8: invalid character U+0040 '@'\n"); /* the syntax error on that line is not shown */
    /* exact output: source line and caret, tabs kept */
    OUTPUT("x := 1\n\ty := }\n",
           "t.csp:2:7: syntax error: unexpected }, expected expression\n\ty := }\n\t     ^\n");
    OUTPUT("s := \"\xc3\xa9\" + @",
           "t.csp:1:13: invalid character U+0040 '@'\ns := \"\xc3\xa9\" + @\n           ^\n");
    {
        /* ten errors, then "too many errors" */
        char src[2000] = "";
        for (int i = 0; i < 15; i++)
            strcat(src, "x := )\n");
        Result r = parse(src);
        int lines = 0;
        for (const char *c = r.errors; *c; c++)
            lines += *c == '\n';
        if (strstr(r.errors, "t.csp:10:6: too many errors\n") && !strstr(r.errors, "t.csp:11:") &&
            lines == 31)
            passed++;
        else
            failed++, printf("FAIL too many errors:\n%s", r.errors);
        free(r.tree);
        free(r.errors);
    }
    positions();
    deep_nesting();
    if (last_arena)
        arena_free(last_arena);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
