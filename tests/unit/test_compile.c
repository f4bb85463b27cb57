/* tests/unit/test_compile.c — the compiler: sample sources compile, their
 * bytecode passes a structural verifier (registers within maxregs, jumps in
 * range, constants of the right kind, fused compares followed by a jump),
 * selected functions compile to the expected instruction sequence, and bad
 * programs give Go's error messages at the right positions.
 *
 *   test_compile                 run the tests
 *   test_compile FILE.csp        compile FILE and dump its bytecode
 *   test_compile -e 'SOURCE'     compile SOURCE and dump its bytecode
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parser/bytecode.h"
#include "parser/compile.h"
#include "parser/disasm.h"
#include "tests/unit/minivm.h"

static int failures, passes;

/* ---- a standard library catalogue for the tests ---- */

static const char *const std_modules[] = {
    "fmt",           "os",      "strconv",     "math",      "sync", "time", "errors", "runtime",
    "runtime/debug", "strings", "sync/atomic", "math/rand", "log",  "io",   "bufio",  "net",
    "sort",          "ffi",     "os/signal",   "syscall",   NULL};
static const char *const std_types[] = {
    "sync.WaitGroup",   "sync.Mutex",        "sync.RWMutex", "sync.Once",     "sync/atomic.Int64",
    "sync/atomic.Bool", "sync/atomic.Value", "sync.Cond",    "time.Duration", NULL};
static const char *const std_values[] = {
    "fmt.Println",   "fmt.Printf",     "fmt.Sprintf", "fmt.Sprint",         "fmt.Print",
    "fmt.Errorf",    "os.Args",        "os.Exit",     "strconv.Atoi",       "strconv.Itoa",
    "math.Sqrt",     "math.Pi",        "time.Sleep",  "time.Second",        "time.Millisecond",
    "time.After",    "time.Now",       "errors.New",  "runtime.GOMAXPROCS", "runtime/debug.SetMaxStack",
    "strings.Split", "math/rand.Intn", "sync/atomic.AddInt64", "sync/atomic.AddInt32",
    "sync/atomic.StoreInt64", "sync/atomic.LoadUint64", NULL};

static int in_list(const char *const *l, const char *s) {
    for (int i = 0; l[i]; i++)
        if (!strcmp(l[i], s))
            return 1;
    return 0;
}

static int hook_exists(void *ctx, const char *name) {
    (void)ctx;
    return in_list(std_modules, name);
}

static int permissive; /* dump mode: every member of a known module is a value */

static StdMemberKind hook_member(void *ctx, const char *module, const char *member) {
    (void)ctx;
    char buf[256];
    snprintf(buf, sizeof buf, "%s.%s", module, member);
    if (in_list(std_types, buf))
        return STD_TYPE;
    if (in_list(std_values, buf) || (permissive && in_list(std_modules, module)))
        return STD_VALUE;
    return STD_NONE;
}

static const CompileHooks hooks = {NULL, hook_exists, hook_member};

/* ---- verifier ---- */

typedef struct V {
    const BcModule *m;
    const BcFunc *f;
    int pc, bad;
    const char *name;
} V;

static void vfail(V *v, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "  verify %s: %s pc %d (%s): ", v->name, v->f->name, v->pc,
            bc_op_name(BC_OP(v->f->code[v->pc])));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    v->bad = 1;
}

static void reg(V *v, int r) {
    if (r < 0 || r >= v->f->maxregs)
        vfail(v, "register %d outside 0..%d", r, v->f->maxregs - 1);
}

static void kk(V *v, int k, int want) {
    if (k < 0 || k >= v->f->nk) {
        vfail(v, "constant %d outside 0..%d", k, v->f->nk - 1);
        return;
    }
    if (want >= 0 && (int)v->f->k[k].kind != want)
        vfail(v, "constant %d has kind %d, want %d", k, v->f->k[k].kind, want);
}

static void upval(V *v, int b) {
    if (b >= v->f->nupvals)
        vfail(v, "upvalue %d outside 0..%d", b, v->f->nupvals - 1);
}

static void target(V *v, int t) {
    if (t < 0 || t > v->f->ncode)
        vfail(v, "jump target %d outside 0..%d", t, v->f->ncode);
}

static int verify_func(const BcModule *m, const BcFunc *f, const char *name) {
    V v = {m, f, 0, 0, name};
    if (f->maxregs > 250)
        vfail(&v, "maxregs %d > 250", f->maxregs);
    for (v.pc = 0; v.pc < f->ncode; v.pc++) {
        Instr i = f->code[v.pc];
        int op = BC_OP(i), a = BC_A(i), b = BC_B(i), c = BC_C(i), pc = v.pc;
        /* line 0 marks only the runtime's implicit calls of init() and main(),
         * made by the module's top level */
        if (f->lines[pc] < 0 || (f->lines[pc] == 0 && f != m->funcs[m->top]))
            vfail(&v, "no source line");
        switch (op) {
        case OP_MOVE:
        case OP_NEWCELL:
        case OP_GETCELL:
        case OP_SETCELL:
        case OP_UNM:
        case OP_NOT:
        case OP_BNOT:
        case OP_LEN:
        case OP_SEND:
        case OP_MAPZERO:
            reg(&v, a);
            reg(&v, b);
            break;
        case OP_REFCELL:
            reg(&v, a);
            if (c)
                upval(&v, b);
            else
                reg(&v, b);
            break;
        case OP_REFGLOBAL:
            reg(&v, a);
            if (BC_BX(i) >= m->nglobals)
                vfail(&v, "global %d outside 0..%d", BC_BX(i), m->nglobals - 1);
            break;
        case OP_REFFIELD:
            reg(&v, a);
            reg(&v, b);
            kk(&v, c, BK_STRING);
            break;
        case OP_LOADK:
            reg(&v, a);
            kk(&v, BC_BX(i), -1);
            break;
        case OP_LOADI:
        case OP_LOADBOOL:
        case OP_STRUCTPTR:
        case OP_TESTBOOL:
        case OP_NEWLIST:
        case OP_NEWMAP: reg(&v, a); break;
        case OP_LOADNIL:
            reg(&v, a);
            reg(&v, a + b);
            break;
        case OP_GETGLOBAL:
        case OP_SETGLOBAL:
            reg(&v, a);
            if (BC_BX(i) >= m->nglobals)
                vfail(&v, "global %d outside 0..%d", BC_BX(i), m->nglobals - 1);
            break;
        case OP_GETUPVALA: {
            /* the VM skips the ADDI and SETUPVAL after it: they must be there */
            Instr add = pc + 1 < f->ncode ? f->code[pc + 1] : 0,
                  set = pc + 2 < f->ncode ? f->code[pc + 2] : 0;
            if (BC_OP(add) != OP_ADDI || BC_A(add) != a || BC_B(add) != a || BC_OP(set) != OP_SETUPVAL ||
                BC_A(set) != a || BC_B(set) != b)
                vfail(&v, "GETUPVALA not followed by ADDI and SETUPVAL of its register and upvalue");
        }
            /* fall through */
        case OP_GETUPVAL:
        case OP_GETUPVALV:
        case OP_SETUPVAL:
            reg(&v, a);
            upval(&v, b);
            break;
        case OP_CLOSURE:
            reg(&v, a);
            kk(&v, BC_BX(i), BK_FUNC);
            if (BC_BX(i) < f->nk && f->k[BC_BX(i)].index >= m->nfuncs)
                vfail(&v, "function %d outside the module", f->k[BC_BX(i)].index);
            break;
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        case OP_BAND:
        case OP_BOR:
        case OP_BXOR:
        case OP_SHL:
        case OP_SHR:
        case OP_BANDNOT:
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GETINDEX:
        case OP_SETINDEX:
            reg(&v, a);
            reg(&v, b);
            reg(&v, c);
            break;
        case OP_MULT: {
            reg(&v, a);
            reg(&v, b);
            reg(&v, c);
            Instr n = pc + 1 < f->ncode ? f->code[pc + 1] : 0;
            if ((BC_OP(n) != OP_ADD && BC_OP(n) != OP_SUB && BC_OP(n) != OP_DIV) || BC_C(n) != a || BC_B(n) == a)
                vfail(&v, "MULT not followed by ADD, SUB or DIV X Y A");
            break;
        }
        case OP_ADDI:
            reg(&v, a);
            reg(&v, b);
            break;
        case OP_TOFLOAT:
            reg(&v, a);
            reg(&v, b);
            kk(&v, c, -1);
            break;
        case OP_ADDK:
        case OP_SUBK:
        case OP_MULK:
        case OP_DIVK:
        case OP_MODK:
        case OP_EQK:
            reg(&v, a);
            reg(&v, b);
            kk(&v, c, -1);
            break;
        case OP_JMP: target(&v, pc + 1 + BC_SAX(i)); break;
        case OP_LOOP:
            target(&v, pc + 1 - BC_AX(i));
            if (BC_AX(i) <= 0)
                vfail(&v, "LOOP forward");
            break;
        case OP_JMPT:
        case OP_JMPF:
            reg(&v, a);
            target(&v, pc + 1 + BC_SBX(i));
            break;
        case OP_JLT:
        case OP_JLE:
        case OP_JLTI:
        case OP_JLEI:
        case OP_JGTI:
        case OP_JGEI:
            if (a > 1)
                vfail(&v, "A must be 0 or 1");
            reg(&v, b);
            if (op == OP_JLT || op == OP_JLE)
                reg(&v, c);
            if (pc + 1 >= f->ncode || (BC_OP(f->code[pc + 1]) != OP_JMP && BC_OP(f->code[pc + 1]) != OP_LOOP))
                vfail(&v, "fused compare not followed by JMP/LOOP");
            break;
        case OP_FORLT:
        case OP_FORLE: {
            reg(&v, a);
            reg(&v, b);
            int top = pc + 2 - (pc + 1 < f->ncode ? BC_AX(f->code[pc + 1]) : 0) - 2;
            if (pc + 1 >= f->ncode || BC_OP(f->code[pc + 1]) != OP_LOOP)
                vfail(&v, "FORLT not followed by LOOP");
            else if (top < 0 || BC_OP(f->code[top]) != (op == OP_FORLT ? OP_JLT : OP_JLE) ||
                     BC_A(f->code[top]) != 0 || BC_B(f->code[top]) != a || BC_C(f->code[top]) != b)
                vfail(&v, "FORLT's LOOP does not jump past its JLT/JLE");
            break;
        }
        case OP_FORLTU:
        case OP_FORLEU:
        case OP_FORLTUV:
        case OP_FORLEUV: {
            reg(&v, a);
            if (b >= f->nupvals)
                vfail(&v, "FORLTU's upvalue out of range");
            int top = pc + 2 - (pc + 1 < f->ncode ? BC_AX(f->code[pc + 1]) : 0) - 3;
            int lt = op == OP_FORLTU || op == OP_FORLTUV, cell = op == OP_FORLTU || op == OP_FORLEU;
            if (pc + 1 >= f->ncode || BC_OP(f->code[pc + 1]) != OP_LOOP)
                vfail(&v, "FORLTU not followed by LOOP");
            else if (top < 0 || BC_OP(f->code[top]) != (cell ? OP_GETUPVAL : OP_GETUPVALV) ||
                     BC_B(f->code[top]) != b || BC_OP(f->code[top + 1]) != (lt ? OP_JLT : OP_JLE) ||
                     BC_A(f->code[top + 1]) != 0 || BC_B(f->code[top + 1]) != a ||
                     BC_C(f->code[top + 1]) != BC_A(f->code[top]))
                vfail(&v, "FORLTU's LOOP does not jump past its GETUPVAL and JLT/JLE");
            break;
        }
        case OP_CALL:
        case OP_CALLV:
        case OP_CALLM:
        case OP_CALLMV:
        case OP_GO:
        case OP_DEFER:
            reg(&v, a);
            if (b)
                reg(&v, a + b - 1);
            if (c > 1 && op != OP_GO && op != OP_DEFER)
                reg(&v, a + c - 2);
            if ((op == OP_CALLM || op == OP_CALLMV) && (pc == 0 || BC_OP(f->code[pc - 1]) == OP_JMP))
                vfail(&v, "CALLM without SELF");
            break;
        case OP_SELFC:
        case OP_SELFUC: {
            /* the VM skips the CALLM after it: it must be there, of fixed
               arity, right after it or after the LOADI of its only argument */
            Instr nx = pc + 1 < f->ncode ? f->code[pc + 1] : 0;
            if (BC_OP(nx) == OP_LOADI && BC_A(nx) == a + 2) {
                nx = pc + 2 < f->ncode ? f->code[pc + 2] : 0;
                if (BC_B(nx) != 3)
                    vfail(&v, "SELFC's LOADI not its CALLM's only argument");
            }
            if (BC_OP(nx) != OP_CALLM || BC_A(nx) != a || BC_B(nx) == 0 || BC_C(nx) == 0)
                vfail(&v, "SELFC not followed by its CALLM with fixed arguments and results");
        }
            /* fall through */
        case OP_SELF:
        case OP_SELFU:
            reg(&v, a + 1);
            if (op == OP_SELF || op == OP_SELFC)
                reg(&v, b);
            else if (b >= f->nupvals)
                vfail(&v, "SELFU's upvalue out of range");
            kk(&v, c, BK_STRING);
            break;
        case OP_RETURN:
            if (b > 1)
                reg(&v, a + b - 2);
            break;
        case OP_LISTAPPEND:
            reg(&v, a);
            if (c)
                reg(&v, b + c - 1);
            break;
        case OP_NEWSTRUCT:
            reg(&v, a);
            kk(&v, BC_BX(i), -1);
            break;
        case OP_SETFIELDI:
            reg(&v, a);
            reg(&v, c);
            break;
        case OP_GETFIELD:
            reg(&v, a);
            reg(&v, b);
            kk(&v, c, BK_STRING);
            break;
        case OP_SETFIELD:
            reg(&v, a);
            reg(&v, c);
            kk(&v, b, BK_STRING);
            break;
        case OP_GETINDEXOK:
            reg(&v, a + 1);
            reg(&v, b);
            reg(&v, c);
            break;
        case OP_GETINDEXZ:
            reg(&v, a);
            reg(&v, b + 1);
            reg(&v, c);
            break;
        case OP_SLICE:
            reg(&v, a);
            reg(&v, b + 2);
            break;
        case OP_ITERPREP:
            reg(&v, a + 4);
            reg(&v, b);
            break;
        case OP_ITERNEXT:
            reg(&v, a + 4);
            if (pc + 1 >= f->ncode || BC_OP(f->code[pc + 1]) != OP_JMP)
                vfail(&v, "ITERNEXT not followed by JMP");
            break;
        case OP_TYPEASSERT:
        case OP_TYPEIS:
            reg(&v, a);
            reg(&v, b);
            kk(&v, c, BK_TYPE);
            break;
        case OP_TYPEASSERTOK:
            reg(&v, a + 1);
            reg(&v, b);
            kk(&v, c, BK_TYPE);
            break;
        case OP_SETMETHOD:
            reg(&v, a);
            kk(&v, b, BK_STRUCT);
            kk(&v, c, BK_STRING);
            break;
        case OP_ZEROVAL:
            reg(&v, a);
            kk(&v, BC_BX(i), BK_TYPE);
            break;
        case OP_IMPORT:
            reg(&v, a);
            kk(&v, BC_BX(i), BK_MODULE);
            break;
        case OP_RECV:
            reg(&v, a + (c ? 1 : 0));
            reg(&v, b);
            break;
        case OP_SELECT: reg(&v, a + (1 + 2 * b < 4 ? 3 : 2 * b)); break;
        case OP_NOP: break;
        default: vfail(&v, "unknown opcode %d", op); break;
        }
    }
    if (f->ncode == 0 || BC_OP(f->code[f->ncode - 1]) != OP_RETURN)
        vfail(&v, "does not end in RETURN");
    for (int k = 0; k < f->nk; k++)
        if (f->k[k].kind == BK_TYPE && !f->k[k].s)
            vfail(&v, "BK_TYPE without a name");
    return !v.bad;
}

static int verify(const BcProgram *p, const char *name) {
    int ok = 1;
    for (int mi = 0; mi < p->nmodules; mi++) {
        const BcModule *m = p->modules[mi];
        if (m->top < 0 || m->top >= m->nfuncs)
            ok = 0;
        for (int fi = 0; fi < m->nfuncs; fi++)
            ok &= verify_func(m, m->funcs[fi], name);
    }
    return ok;
}

/* ---- helpers ---- */

static BcProgram *compile_str(const char *src, char **errs) {
    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    BcProgram *p = compile_source("t.csp", src, strlen(src), &hooks, err);
    fclose(err);
    if (errs)
        *errs = buf;
    else
        free(buf);
    return p;
}

static const BcFunc *find_func(const BcProgram *p, const char *name) {
    const BcModule *m = p->modules[p->nmodules - 1];
    for (int i = 0; i < m->nfuncs; i++)
        if (!strcmp(m->funcs[i]->name, name))
            return m->funcs[i];
    return NULL;
}

/* The opcode names of a function, space separated. */
static void op_seq(const BcFunc *f, char *buf, size_t cap) {
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < f->ncode && n + 16 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? " " : "", bc_op_name(BC_OP(f->code[i])));
}

static void check(int ok, const char *what, const char *detail) {
    if (ok) {
        passes++;
    } else {
        failures++;
        fprintf(stderr, "FAIL %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    }
}

/* A program that must compile (and verify). */
static void ok_prog(const char *name, const char *src) {
    char *errs;
    BcProgram *p = compile_str(src, &errs);
    check(p != NULL, name, errs);
    if (p)
        check(verify(p, name), name, "verifier");
    bc_program_free(p);
    free(errs);
}

/* A function of a program compiles to exactly this opcode sequence. */
static void ops_prog(const char *name, const char *src, const char *fname, const char *want) {
    char *errs, got[4096];
    BcProgram *p = compile_str(src, &errs);
    check(p != NULL, name, errs);
    if (p) {
        check(verify(p, name), name, "verifier");
        const BcFunc *f = find_func(p, fname);
        check(f != NULL, name, "function not found");
        if (f) {
            op_seq(f, got, sizeof got);
            if (strcmp(got, want)) {
                char msg[9000];
                snprintf(msg, sizeof msg, "\n  want %s\n  got  %s", want, got);
                check(0, name, msg);
                bc_dump_func(stderr, f);
            } else {
                check(1, name, NULL);
            }
        }
    }
    bc_program_free(p);
    free(errs);
}

/* A program that must fail with `want` (a substring of stderr, which names
 * t.csp:LINE:COL when pos is given). */
static void err_prog(const char *name, const char *src, const char *pos, const char *want) {
    char *errs;
    BcProgram *p = compile_str(src, &errs);
    check(p == NULL, name, "compiled but should not");
    char full[512];
    if (pos)
        snprintf(full, sizeof full, "t.csp:%s: %s", pos, want);
    else
        snprintf(full, sizeof full, "%s", want);
    if (!strstr(errs ? errs : "", full)) {
        char msg[2048];
        snprintf(msg, sizeof msg, "want \"%s\" in:\n%s", full, errs ? errs : "");
        check(0, name, msg);
    } else {
        check(1, name, NULL);
    }
    bc_program_free(p);
    free(errs);
}

/* A program run by the reference interpreter prints exactly `want`. */
static void run_prog(const char *name, const char *src, const char *want) {
    char *errs;
    BcProgram *p = compile_str(src, &errs);
    check(p != NULL, name, errs);
    if (p) {
        check(verify(p, name), name, "verifier");
        const char *out, *err;
        if (mini_run(p, &out, &err) < 0) {
            char msg[9000];
            snprintf(msg, sizeof msg, "run: %.250s (output so far: %.8000s)", err, out);
            check(0, name, msg);
        } else if (strcmp(out, want)) {
            char msg[20000];
            snprintf(msg, sizeof msg, "\n  want %.8000s\n  got  %.8000s", want, out);
            check(0, name, msg);
        } else {
            check(1, name, NULL);
        }
        mini_free();
    }
    bc_program_free(p);
    free(errs);
}

static void test_run(void) {
    run_prog("run fib",
             "func fib(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nprintln(fib(15))\n",
             "610\n");
    run_prog("run intloop", "s := 0\nfor i := 0; i < 100; i++ { s += (i * i) % 7 }\nprintln(s)\n", "197\n");
    run_prog("run counted loops (FORLT, FORLE, continue)",
             "func f(n) {\n s := 0\n for i := 0; i < n; i++ {\n  if i == 3 { continue }\n  s += i\n }\n"
             " for i := 1; i <= n; i += 4 { s += 100 * i }\n return s\n}\nprintln(f(10))\n",
             "1542\n");
    run_prog("run closures per iteration",
             "fs := []\nfor i := 0; i < 3; i++ { fs = append(fs, func() { return i }) }\n"
             "for _, f := range fs { print(f(), \" \") }\nprintln()\n",
             "0 1 2 \n");
    run_prog(
        "run closure sees post increment",
        "var f\nfor i := 0; i < 3; i++ { if i == 0 { f = func() { return i } }; i += 0 }\nprintln(f())\n",
        "0\n");
    run_prog("run loop var modified in body",
             "for i := 0; i < 6; i++ { g := func() { i++ }; g(); print(i, \" \") }\nprintln()\n", "1 3 5 \n");
    run_prog("run range closures",
             "fs := []\nfor i, v := range [10, 20] { fs = append(fs, func() { return i + v }) "
             "}\nprintln(fs[0](), fs[1]())\n",
             "10 21\n");
    run_prog("run counter",
             "func counter() { c := 0; return func() { c++; return c } }\nf := "
             "counter()\nf()\nf()\nprintln(f())\n",
             "3\n");
    run_prog("run nested closures",
             "func f() {\n a := 1\n g := func() {\n  b := 10\n  h := func() { a++; b++; return a + b }\n  "
             "h()\n  return h()\n }\n return g(), a\n}\nprintln(f())\n",
             "15 3\n");
    run_prog("run swap", "a, b := 1, 2\na, b = b, a\nprintln(a, b)\n", "2 1\n");
    run_prog("run two phases", "l := [10, 20, 30]\ni := 0\ni, l[i] = 2, 99\nprintln(i, l)\n",
             "2 [99 20 30]\n");
    run_prog("run list swap", "l := [1, 2, 3]\nl[0], l[2] = l[2], l[0]\nprintln(l)\n", "[3 2 1]\n");
    run_prog("run shadowing",
             "x := 1\n{\n x := x + 10\n println(x)\n}\nif x := 5; x > 3 { println(x) }\nprintln(x)\n",
             "11\n5\n1\n");
    run_prog("run multi results",
             "func divmod(a, b) { return a / b, a % b }\nq, r := divmod(17, 5)\nprintln(q, r)\n"
             "println(divmod(7, 2))\nfunc fwd() { return divmod(9, 4) }\nprintln(fwd())\n",
             "3 2\n3 1\n2 1\n");
    run_prog("run short circuit",
             "func t(n) { print(\"t\", n, \" \"); return true }\nfunc f(n) { print(\"f\", n, \" \"); return "
             "false }\n"
             "println(f(1) && t(2))\nprintln(t(3) || f(4))\nx := t(5) && f(6)\nprintln(x)\nif f(7) || t(8) "
             "&& f(9) { println(\"no\") } else { println(\"yes\") }\n",
             "f1 false\nt3 true\nt5 f6 false\nf7 t8 f9 yes\n");
    run_prog(
        "run switch",
        "func s(x) {\n switch x {\n case 1, 2:\n  print(\"a\")\n  fallthrough\n case 3:\n  print(\"b\")\n "
        "case 4:\n  print(\"c\")\n  break\n  print(\"x\")\n default:\n  print(\"d\")\n }\n println()\n}\n"
        "s(1)\ns(3)\ns(4)\ns(9)\n",
        "ab\nb\nc\nd\n");
    run_prog("run tagless switch",
             "x := 5\nswitch {\ncase x < 0:\n println(\"neg\")\ncase x < 10:\n "
             "println(\"small\")\ndefault:\n println(\"big\")\n}\n",
             "small\n");
    run_prog("run labels",
             "Outer:\nfor i := 0; i < 3; i++ {\n for j := 0; j < 3; j++ {\n  if j == 2 { continue Outer }\n  "
             "if i == 2 { break Outer }\n  print(i, j, \" \")\n }\n}\nprintln()\n",
             "00 01 10 11 \n");
    run_prog("run while and range int",
             "n := 0\nfor n < 5 { n++ }\nfor i := range 3 { n += i }\nfor range 2 { n++ }\nprintln(n)\n",
             "10\n");
    run_prog("run continue in range",
             "s := 0\nfor _, v := range [1, 2, 3, 4] { if v % 2 == 0 { continue }; s += v }\nprintln(s)\n",
             "4\n");
    run_prog("run structs and methods",
             "type P struct { x, y }\nfunc (p P) Sum() { return p.x + p.y }\nfunc (p *P) Move(d) { p.x += d; "
             "p.y += d }\n"
             "p := &P{1, 2}\np.Move(10)\nq := P{y: 5}\nprintln(p.Sum(), q, p)\nm := p.Sum\nprintln(m())\n",
             "23 {<nil> 5} {11 12}\n23\n");
    run_prog(
        "run method before type",
        "func (p Point) N() { return p.x * p.y }\ntype Point struct { x, y }\nprintln(Point{3, 4}.N())\n",
        "12\n");
    run_prog("run typed fields",
             "type T struct { n int; l list; s string; f float64; b bool; in Inner }\ntype Inner struct { k "
             "int }\n"
             "var t T\nt.n++\nt.l = append(t.l, 1)\nprintln(t.n, t.l, t.s == \"\", t.b, t.in.k)\n",
             "1 [1] true false 0\n");
    run_prog("run toplevel order",
             "println(\"top\", later())\nfunc later() { return 1 }\nfunc init() { println(\"init\") }\n"
             "func main() { println(\"main\") }\nprintln(\"top2\")\n",
             "top 1\ntop2\ninit\nmain\n");
    run_prog("run globals from funcs", "count := 0\nfunc inc() { count++ }\ninc()\ninc()\nprintln(count)\n",
             "2\n");
    run_prog("run consts",
             "const (\n A = iota\n B\n C\n)\nconst K = 1 << 10\nfunc f() { const L = 7; return L * 2 "
             "}\nprintln(A, B, C, K, f(), 7 / 2, -7 % 3)\n",
             "0 1 2 1024 14 3 -1\n");
    run_prog("run variadic",
             "func sum(nums...) { t := 0; for _, n := range nums { t += n }; return t }\n"
             "func f(a, rest...) { return sum(rest...) * a }\nprintln(sum(), sum(1, 2, 3), f(2, 1, 2), "
             "sum([4, 5]...))\n",
             "0 6 6 9\n");
    run_prog("run maps",
             "m := {}\nm[\"a\"]++\nm[\"a\"] += 2\nm[\"b\"] = 7\nv, ok := m[\"a\"]\nw, ok2 := "
             "m[\"z\"]\nprintln(v, ok, w, ok2, len(m))\n",
             "3 true <nil> false 2\n");
    run_prog("run op assign targets",
             "type P struct { x }\np := P{1}\np.x *= 5\nl := [1, 2]\nl[1] <<= 3\nx := 10\nf := func() { x -= "
             "3 }\nf()\nvar g = 4\ng %= 3\nprintln(p.x, l, x, g)\n",
             "5 [1 16] 7 1\n");
    run_prog(
        "run recursion via var",
        "var fib\nfib = func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nprintln(fib(10))\n",
        "55\n");
    run_prog("run local recursive closure",
             "func f() {\n var g\n g = func(n) { if n == 0 { return 0 }; return n + g(n - 1) }\n return "
             "g(4)\n}\nprintln(f())\n",
             "10\n");
    run_prog("run compare forms",
             "a, b := 1, 2\nprintln(a < b, a > b, a <= b, a >= b, a == b, a != b, 1 < a, 2 >= b, a != nil)\n"
             "if 3 > a && b <= 2 && a >= 1 && !(a > 1) { println(\"ok\") }\n",
             "true false true false false true false true true\nok\n");
    run_prog("run make list", "l := make(list, 3)\nl[1] = 5\nprintln(l, len(l))\n", "[<nil> 5 <nil>] 3\n");
    run_prog(
        "run string concat",
        "s := \"a\"\nfor i := 0; i < 3; i++ { s += \"b\" }\nprintln(s + \"!\", \"x\" + \"y\" == \"xy\")\n",
        "abbb! true\n");
    run_prog("run return in loop",
             "func f(l) { for _, v := range l { if v > 2 { return v } }; return -1 }\nprintln(f([1, 5, 3]), "
             "f([1]))\n",
             "5 -1\n");
    run_prog("run many args",
             "func f(a, b, c, d, e, f, g, h) { return a + b + c + d + e + f + g + h }\nprintln(f(1, 2, 3, 4, "
             "5, 6, 7, 8))\n",
             "36\n");
    run_prog("run deep expression",
             "a, b, c := 1, 2, 3\nprintln((a + b) * (b + c) - (c - a) * (a + (b * (c + a))))\n", "-3\n");
    run_prog("run redeclare", "func f(n) { return n, n * 2 }\na, e := f(1)\nb, e := f(2)\nprintln(a, b, e)\n",
             "1 2 4\n");
    run_prog("run continue with captured var",
             "fs := []\nfor i := 0; i < 4; i++ {\n if i % 2 == 1 { continue }\n fs = append(fs, func() { "
             "return i })\n}\nprintln(fs[0](), fs[1]())\n",
             "0 2\n");
    run_prog("run break in switch in loop",
             "n := 0\nfor i := 0; i < 5; i++ {\n switch {\n case i == 3:\n  break\n default:\n  n += i\n "
             "}\n}\nprintln(n)\n",
             "7\n");
    run_prog(
        "run labeled break from switch",
        "n := 0\nL:\nfor i := 0; i < 5; i++ {\n switch i {\n case 3:\n  break L\n }\n n++\n}\nprintln(n)\n",
        "3\n");
    run_prog("run shadow in function",
             "func f(x) {\n {\n  x := x * 2\n  x++\n  return x\n }\n}\nprintln(f(5))\n", "11\n");
    run_prog("run closure in nested loops",
             "fs := []\nfor i := 0; i < 2; i++ {\n for j := 0; j < 2; j++ {\n  fs = append(fs, func() { "
             "return i * 10 + j })\n }\n}\nfor _, f := range fs { print(f(), \" \") }\nprintln()\n",
             "0 1 10 11 \n");
    run_prog("run for without init",
             "i := 0\nfor ; i < 3; {\n i++\n}\nfor ; ; {\n i++\n if i > 5 { break }\n}\nprintln(i)\n", "6\n");
    run_prog("run range assign form", "var k, v\nfor k, v = range [7, 8] {}\nprintln(k, v)\n", "1 8\n");
    run_prog("run else if",
             "func f(x) {\n if x < 0 {\n  return \"neg\"\n } else if x == 0 {\n  return \"zero\"\n } else "
             "{\n  return \"pos\"\n }\n}\nprintln(f(-1), f(0), f(3))\n",
             "neg zero pos\n");
    run_prog("run param captured", "func f(x) { g := func() { x++ }; g(); g(); return x }\nprintln(f(1))\n",
             "3\n");
}

/* ---- the tests ---- */

static void test_tight_code(void) {
    ops_prog("fib", "func fib(n) {\n if n < 2 {\n  return n\n }\n return fib(n-1) + fib(n-2)\n}\n", "fib",
             "JLTI JMP RETURN GETGLOBAL ADDI CALL GETGLOBAL ADDI CALL ADD RETURN RETURN");
    ops_prog("intloop",
             "func f(n) {\n s := 0\n for i := 0; i < n; i++ {\n  s += (i * i) % 7\n }\n return s\n}\n", "f",
             "LOADI LOADI JLT JMP MUL MODK ADD FORLT LOOP RETURN RETURN");
    ops_prog("counted loop, <= and step", "func f(n) {\n s := 0\n for i := 1; i <= n; i += 2 {\n  s += i\n }\n return s\n}\n", "f",
             "LOADI LOADI JLE JMP ADD FORLE LOOP RETURN RETURN");
    /* a bound that is a captured variable: FORLTU reads its cell, FORLEUV a
       value upvalue, each time round */
    ops_prog("counted loop, captured bound",
             "func f(n) {\n g := func() {\n  s := 0\n  for i := 0; i < n; i++ {\n   s += i\n  }\n"
             "  return s\n }\n n = n + 0\n return g\n}\n",
             "f.func1", "LOADI LOADI GETUPVAL JLT JMP ADD FORLTU LOOP RETURN RETURN");
    ops_prog("counted loop, captured value bound",
             "func f(n) {\n return func() {\n  s := 0\n  for i := 0; i <= n; i++ {\n   s += i\n  }\n"
             "  return s\n }\n}\n",
             "f.func1", "LOADI LOADI GETUPVALV JLE JMP ADD FORLEUV LOOP RETURN RETURN");
    /* assigned only before any closure captures it, in no loop its
       declaration is not in: captured by value */
    ops_prog("assigned before the capture", "func f(n) {\n if n < 0 {\n  n = 0\n }\n return func() { return n }\n}\n",
             "f.func1", "GETUPVALV RETURN RETURN");
    ops_prog("assigned in a loop before the capture",
             "func f(n) {\n for i := 0; i < 2; i++ {\n  n++\n }\n return func() { return n }\n}\n", "f.func1",
             "GETUPVAL RETURN RETURN");
    ops_prog("assigned after the capture", "func f(n) {\n g := func() { return n }\n n = 1\n return g\n}\n",
             "f.func1", "GETUPVAL RETURN RETURN");
    ops_prog("assigned a closure that captures it",
             "func f() {\n var g\n g = func() { return g }\n return g\n}\n", "f.func1",
             "GETUPVAL RETURN RETURN");
    ops_prog("declared and assigned in a loop body before the capture",
             "func f() {\n for i := 0; i < 2; i++ {\n  v := i\n  v *= 2\n  return func() { return v }\n }\n}\n",
             "f.func1", "GETUPVALV RETURN RETURN");
    /* a method call's SELF moves after arguments that are literals or
       variables, right before its CALLM; not after a call; a lone int
       literal's LOADI stays after the SELFC, which reads it */
    ops_prog("SELF after plain arguments",
             "func f(c, d) {\n c.Add(1)\n c.Add(d)\n c.Add(g())\n c.Add(2, 3)\n c.Add(1.5)\n}\n"
             "func g() { return 1 }\n",
             "f",
             "SELFC LOADI CALLM MOVE SELFC CALLM SELF GETGLOBAL CALL CALLM LOADI LOADI SELFC CALLM "
             "LOADK SELFC CALLM RETURN");
    /* a receiver that is a value upvalue: SELFU reads it from the closure */
    ops_prog("SELFU", "func f(mu, c) {\n return func() {\n  mu.Lock()\n  c.Add(2)\n }\n}\n", "f.func1",
             "SELFUC CALLM SELFUC LOADI CALLM RETURN");
    /* SELFC only before a CALLM of fixed results: not one whose results
       run up to top (the last argument of a call) */
    ops_prog("SELF before a CALLM of all results", "func f(c) {\n g(c.Load())\n}\nfunc g(x) {}\n", "f",
             "GETGLOBAL SELF CALLM CALL RETURN");
    ops_prog("loop not counted", "func f(n) {\n s := 0\n for i := 0; i < n; i = s + 1 {\n  s += i\n }\n return s\n}\n", "f",
             "LOADI LOADI JLT JMP ADD ADDI LOOP RETURN RETURN");
    ops_prog("float64 conversion", "func f(i, j) {\n return 1.0 / float64(i+j)\n}\n", "f",
             "LOADK ADD TOFLOAT DIV RETURN RETURN");
    ops_prog("while", "func f(n) {\n for n > 0 {\n  n--\n }\n}\n", "f", "JGTI JMP ADDI LOOP RETURN");
    ops_prog("closure counter", "func counter() {\n c := 0\n return func() { c++; return c }\n}\n", "counter",
             "LOADI NEWCELL CLOSURE RETURN RETURN");
    ops_prog("closure body", "func counter() {\n c := 0\n return func() { c++; return c }\n}\n",
             "counter.func1", "GETUPVALA ADDI SETUPVAL GETUPVAL RETURN RETURN");
    /* capture by value: n is never assigned after its declaration (no cell,
       the closure reads its copy); m is assigned after the closure captured
       it, d in a closure two levels down: both compiled again with a cell */
    ops_prog("value capture", "func f(n) {\n return func() { return n + 1 }\n}\n", "f", "CLOSURE RETURN RETURN");
    ops_prog("value capture body", "func f(n) {\n return func() { return n + 1 }\n}\n", "f.func1",
             "GETUPVALV ADDI RETURN RETURN");
    ops_prog("assigned after capture", "func f() {\n m := 1\n g := func() { return m }\n m = 2\n return g\n}\n",
             "f", "LOADI NEWCELL CLOSURE LOADI SETCELL RETURN RETURN");
    ops_prog("assigned two levels down", "func f(d) {\n return func() { return func() { d-- } }\n}\n",
             "f.func1.1", "GETUPVALA ADDI SETUPVAL RETURN");
    /* GETUPVALA only before an ADDI: not before an add of a variable */
    ops_prog("captured add of a variable", "func f(d, k) {\n return func() { d += k }\n}\n", "f.func1",
             "GETUPVAL GETUPVALV ADD SETUPVAL RETURN");
    ops_prog("read two levels down", "func f(d) {\n return func() { return func() { return d } }\n}\n",
             "f.func1.1", "GETUPVALV RETURN RETURN");
    ops_prog("method call",
             "type P struct { x }\nfunc (p P) Get() { return p.x }\nfunc f(p) { return p.Get() + 1 }\n", "f",
             "SELFC CALLM ADDI RETURN RETURN");
    ops_prog("std call", "import \"fmt\"\nfunc f(x) { fmt.Println(x, 1) }\n", "f",
             "LOADK MOVE LOADI CALL RETURN");
    ops_prog("eqk cond", "func f(x) {\n if x == nil {\n  return 1\n }\n return 2\n}\n", "f",
             "EQK JMPF LOADI RETURN LOADI RETURN RETURN");
    ops_prog("range", "func f(l) {\n s := 0\n for _, v := range l {\n  s += v\n }\n return s\n}\n", "f",
             "LOADI ITERPREP ITERNEXT JMP ADD LOOP RETURN RETURN");
    ops_prog("len", "func f(l) { return len(l) }\n", "f", "LEN RETURN RETURN");
    ops_prog("multi return forward", "func g() { return 1, 2 }\nfunc f() { return g() }\n", "f",
             "GETGLOBAL CALL RETURN RETURN");
    ops_prog("spread args", "import \"fmt\"\nfunc g() { return 1, 2 }\nfunc f() { fmt.Println(g()) }\n", "f",
             "LOADK GETGLOBAL CALL CALL RETURN");
    ops_prog("swap", "func f(a, b) {\n a, b = b, a\n return a, b\n}\n", "f",
             "MOVE MOVE MOVE MOVE RETURN RETURN");
    ops_prog("map incr", "func f(m, k) { m[k]++ }\n", "f", "MOVE MOVE LOADI GETINDEXZ ADD SETINDEX RETURN");
    ops_prog("short circuit", "func f(a, b) { return a && b }\n", "f",
             "MOVE JMPF MOVE TESTBOOL RETURN RETURN");
    ops_prog("and cond", "func f(a, b) {\n if a < b && b < 10 {\n  return 1\n }\n}\n", "f",
             "JLT JMP JLTI JMP LOADI RETURN RETURN");
    ops_prog("const fold", "const K = 1 << 10\nfunc f() { return K*2 + 1 }\n", "f", "LOADI RETURN RETURN");
}

static void test_programs(void) {
    ok_prog("hello", "import \"fmt\"\nfunc main() {\n fmt.Println(\"hello\")\n}\n");
    ok_prog("toplevel order",
            "println(\"top\", later())\nfunc later() { return 1 }\nfunc init() {}\nfunc main() {}\n");
    ok_prog(
        "scopes",
        "x := 1\n{\n x := 2\n println(x)\n}\nif x := 5; x > 3 { println(x) }\n{ x := x + 10; println(x) }\n");
    ok_prog("short var redeclare",
            "import \"errors\"\nfunc f(n) { if n < 0 { return 0, errors.New(\"neg\") }; return n, nil }\n"
            "a, err := f(1)\nb, err := f(-1)\nprintln(a, b, err)\n");
    ok_prog("consts iota", "const (\n A = iota\n B\n C\n)\nconst (\n _ = iota\n KB = 1 << (10 * iota)\n "
                           "MB\n)\nprintln(A, B, C, KB, MB)\n");
    ok_prog("min literal", "x := -9223372036854775808\nprintln(x)\n");
    ok_prog("vars", "var a = 1\nvar b, c = 2, \"three\"\nvar (\n d = 4\n e\n)\nvar f, g int\nprintln(a, b, "
                    "c, d, e, f, g)\n");
    ok_prog("zero values",
            "import \"sync\"\ntype Point struct { x, y }\nvar i int\nvar f float64\nvar s string\n"
            "var b bool\nvar l list\nvar m map\nvar p Point\nvar wg sync.WaitGroup\nvar "
            "x\nprintln(i, f, s, b, l, m, p, x)\n");
    ok_prog("structs", "import \"sync\"\ntype Pool struct { mu sync.Mutex; resources; closed bool; n int; p "
                       "*Pool; q Inner }\n"
                       "type Inner struct { a list; b map }\nfunc (p *Pool) Close() { p.mu.Lock(); defer "
                       "p.mu.Unlock(); p.closed = true }\n"
                       "p := &Pool{closed: false}\np.Close()\nq := Inner{[1], {}}\nprintln(q.a)\n");
    ok_prog("closures loop", "fs := []\nfor i := 0; i < 3; i++ {\n fs = append(fs, func() { return i })\n}\n"
                             "for _, f := range fs { println(f()) }\n");
    ok_prog("range forms",
            "for i := range 10 { println(i) }\nfor range [1] {}\nm := {\"a\": 1}\nfor k, v := range m { "
            "println(k, v) }\n"
            "for i, r := range \"hé\" { println(i, r) }\nvar k\nfor k = range m {}\nprintln(k)\n");
    ok_prog("switch", "x := 2\nswitch x {\ncase 1, 2:\n println(\"a\")\n fallthrough\ncase 3:\n "
                      "println(\"b\")\ndefault:\n println(\"c\")\n}\n"
                      "switch {\ncase x < 0:\n break\ncase x > 0:\n}\nswitch y := x * 2; y {\ndefault:\n}\n");
    ok_prog("type switch", "type P struct{}\nfunc f(x) {\n switch v := x.(type) {\n case int, float64:\n  "
                           "return v\n case P:\n  return 1\n case nil:\n  return 2\n case string:\n  return "
                           "func() { return v }\n default:\n  return v\n }\n}\n"
                           "println(f(1))\ns, ok := f(1).(string)\nprintln(s, ok, f(\"a\").(func))\n");
    ok_prog("labels", "Outer:\nfor i := 0; i < 3; i++ {\n for j := 0; j < 3; j++ {\n  if j == 1 { continue "
                      "Outer }\n  if i == 2 { break Outer }\n }\n}\n");
    ok_prog("select",
            "import \"time\"\nfunc f(a, b, out) {\n for {\n  select {\n  case v := <-a:\n   println(v)\n  "
            "case v, ok := <-b:\n   println(v, ok)\n   break\n  case out <- 1:\n  case "
            "<-time.After(time.Second):\n   return\n  default:\n  }\n }\n}\n"
            "func g(c) { var x; m := {}; select { case x = <-c: case m[\"k\"] = <-c: }; select {} }\n");
    ok_prog("go defer", "import \"sync\"\nvar wg sync.WaitGroup\nvar mu sync.Mutex\nfunc w(i, ch) { defer "
                        "wg.Done(); mu.Lock(); defer mu.Unlock(); ch <- i }\n"
                        "ch := make(chan, 10)\nfor i := 0; i < 3; i++ { wg.Add(1); go w(i, ch) }\ngo func() "
                        "{ wg.Wait(); close(ch) }()\nfor v := range ch { println(v) }\n"
                        "defer println(\"x\")\nv, ok := <-ch\nprintln(v, ok)\n");
    ok_prog("make", "l := make(list, 3)\nm := make(map)\nc := make(chan)\nd := make(chan, 3)\ne := "
                    "make([]int, 2, 4)\nf := make(map[string]int)\nprintln(l, m, c, d, e, f)\n");
    ok_prog("atomic address", "import \"sync/atomic\"\nvar g\ntype S struct { n }\nfunc f(p) {\n x := 0\n "
                              "s := S{}\n c := func() { atomic.AddInt64(&x, 1) }\n c()\n atomic.AddInt32(&p, 1)\n "
                              "atomic.StoreInt64(&g, 1)\n return atomic.LoadUint64(&s.n)\n}\n");
    ops_prog("address makes a cell", "import \"sync/atomic\"\nfunc f() {\n x := 0\n atomic.AddInt64(&x, 1)\n}\n",
             "f", "LOADI NEWCELL LOADK REFCELL LOADI CALL RETURN");
    ok_prog("anonymous struct", "p := struct{ x, y int }{1, 2}\nvar e struct{}\nch := make(chan struct{})\n"
                                "println(p, e, ch, struct{}{})\n");
    ok_prog("named results", "func f(a) (q, r int) {\n defer func() { q++ }()\n if a { return 1, 2 }\n return\n}\n"
                             "func g() (x) { h := func() { x = 1 }; h(); return }\na, b := f(true)\nprintln(a, b, g())\n");
    ok_prog("local type", "func f() {\n type P struct { x int; next *P }\n var p P\n q := P{x: 1}\n "
                          "g := func() { println(P{}) }\n g()\n println(p, q)\n}\n");
    ok_prog("named types", "type State int\nconst (\n Idle State = iota\n Busy\n)\n"
                           "func (s State) String() { return \"s\" }\ntype C float64\n"
                           "func f() { type L int; const x L = 2; println(x, C(1.5), State(3)) }\n");
    ok_prog("multi assign", "l := [10, 20, 30]\ni := 0\ni, l[i] = 2, 99\nprintln(i, l)\nm := {}\nv, ok := "
                            "m[1]\nv, ok = m[2]\nprintln(v, ok)\n");
    ok_prog("op assign", "type P struct { x }\np := P{1}\np.x += 2\nm := {}\nm[\"a\"] += 1.5\nx := 1\nf := "
                         "func() { x <<= 2 }\nf()\nvar g = 3\ng *= 2\nprintln(p.x, m, x, g)\n");
    ok_prog("variadic",
            "func sum(nums...) { t := 0; for _, n := range nums { t += n }; return t }\nfunc f(a, rest...) { "
            "return sum(rest...) + a }\nprintln(sum(1, 2), f(1, 2, 3), sum([1]...))\n");
    ok_prog("slices", "s := \"hello\"\nl := [1, 2, 3]\nprintln(s[1:3], l[:2], l[1:], l[:], s[0])\n");
    ok_prog("nested closures", "func f() {\n a := 1\n g := func() {\n  b := 2\n  h := func() { a++; b++; "
                               "return a + b }\n  return h()\n }\n return g()\n}\nprintln(f())\n");
    ok_prog(
        "recursive closure",
        "var fib\nfib = func(n) { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nprintln(fib(10))\n");
    ok_prog(
        "local recursive closure",
        "func f() {\n var g\n g = func(n) { if n == 0 { return 0 }; return g(n - 1) }\n return g(3)\n}\n");
    ok_prog("many locals", "func f() {\n a, b, c, d, e := 1, 2, 3, 4, 5\n return a + b + c + d + e\n}\n");
    ok_prog("const local",
            "import \"time\"\nfunc f() { const local = 7; const d = 5 * time.Second; return local, d }\n");
    ok_prog("unused ok", "import \"fmt\"\nfunc f() { x := 1 }\n");
    ok_prog("string const fold",
            "const s = \"a\" + \"b\"\nprintln(s == \"ab\", 1 == 1.0, 7 / 2, 7.0 / 2, -7 % 3)\n");
    ok_prog("long list", "l := "
                         "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
                         "31,32,33,34,35,36,37,38,39,40]\nprintln(len(l))\n");
    ok_prog("if else chain",
            "x := 3\nif x < 0 { println(1) } else if x == 0 { println(2) } else { println(3) }\n");
    ok_prog("not cond", "x := true\nif !x || x != false { println(1) }\nfor !x { }\n");
    ok_prog("std value", "import \"time\"\nimport \"os\"\nd := 100 * time.Millisecond\nprintln(d, "
                         "os.Args[0], len(os.Args) > 1)\n");
    ok_prog("runtime/debug", "import \"runtime/debug\"\ndebug.SetMaxStack(1000)\n");
    ok_prog("atomic", "import \"sync/atomic\"\nvar n atomic.Int64\nn.Add(1)\n");
    ok_prog("builtins", "l := []\nl = append(l, 1, 2)\nm := {1: 2}\ndelete(m, 1)\nprintln(cap(l), type(l), int(1.5), "
                        "float64(1), string(65), error(\"e\"), min(1, 2), max(1, 2))\nclear(m)\n");
    ok_prog("panic recover",
            "func f() {\n defer func() {\n  r := recover()\n  println(r)\n }()\n panic(\"x\")\n}\nf()\n");
    ok_prog("for post closure",
            "for i := 0; i < 3; i++ {\n defer func() { println(i) }()\n if i == 1 { continue }\n}\n");
    ok_prog("range closure", "for i, v := range [1, 2] {\n go func() { println(i, v) }()\n}\n");
    ok_prog("global closure capture", "count := 0\nfunc inc() { count++ }\ninc()\nprintln(count)\n");
    ok_prog("return in loop", "func f(l) { for _, v := range l { if v > 2 { return v } }; return -1 }\n");
    ok_prog("method value",
            "type P struct { x }\nfunc (p P) Get() { return p.x }\np := P{1}\ng := p.Get\nprintln(g())\n");
    ok_prog("struct method before type", "func (p Point) Norm() { return p.x*p.x + p.y*p.y }\ntype Point "
                                         "struct { x, y }\nprintln(Point{3, 4}.Norm())\n");
    ok_prog("compare chain",
            "a := 1\nb := 2\nprintln(a < b, a > b, a <= b, a >= b, a == b, a != b, 1 < a, a < 2.5)\n");
    ok_prog("bitwise", "x := 6\nprintln(x & 3, x | 1, x ^ 2, x &^ 4, x << 2, x >> 1, ^x, -x, +x)\n");
    ok_prog("paren assign", "x := 0\n(x) = 2\nprintln(x)\n");
    ok_prog("empty func", "func f() {}\nf()\n");
    ok_prog("blank", "func two() { return 1, 2 }\n_, b := two()\na, _ := two()\n_ = a\nfor _, v := range [7] "
                     "{ println(v, b) }\n");
}

/* More than 256 constants before a field name: the field's constant is
 * pinned below 256 by a second pass. */
static void test_many_constants(void) {
    static char src[40000];
    int n = snprintf(src, sizeof src, "type P struct { x }\nfunc (p P) M() { return p.x }\n");
    for (int i = 0; i < 400; i++)
        n += snprintf(src + n, sizeof src - (size_t)n, "println(\"s%d\", %d.5)\n", i, i);
    snprintf(src + n, sizeof src - (size_t)n, "p := P{1}\np.x = p.x + 1\nprintln(p.M(), p.(P))\n");
    ok_prog("many constants", src);
}

static void test_errors(void) {
    err_prog("undefined", "println(y)\n", "1:9", "undefined: y");
    err_prog("assign undefined", "x = 1\n", "1:1", "undefined: x");
    err_prog("no new vars", "x := 1\nx := 2\n", "2:3", "no new variables on left side of :=");
    err_prog("no new vars local", "func f() {\n x := 1\n x := 2\n}\n", NULL,
             "no new variables on left side of :=");
    err_prog("overflow", "x := 1 << 63\n", NULL, "overflows int");
    err_prog("overflow literal", "x := 9223372036854775808\n", NULL, "overflows int");
    err_prog("division by zero", "x := 1 / 0\n", NULL, "invalid operation: division by zero");
    err_prog("division by zero var", "y := 3\nx := y % 0\n", NULL, "invalid operation: division by zero");
    err_prog("break outside", "break\n", "1:1", "break is not in a loop, switch, or select");
    err_prog("continue outside", "switch { default: continue }\n", NULL, "continue is not in a loop");
    err_prog("unused label", "L:\nfor {}\n", "1:1", "label L defined and not used");
    err_prog("fallthrough misplaced", "func f() { fallthrough }\n", NULL,
             "fallthrough statement out of place");
    err_prog("fallthrough final", "switch { case true: fallthrough }\n", NULL,
             "cannot fallthrough final case in switch");
    err_prog("assign to call", "func f() {}\nf() = 1\n", NULL,
             "cannot assign to f() (neither addressable nor a map index expression)");
    err_prog("unknown field", "type Point struct { x, y }\np := Point{x: 1, z: 2}\n", NULL,
             "unknown field z in struct literal of type Point");
    err_prog("too few values", "type Point struct { x, y }\np := Point{1}\n", NULL,
             "too few values in struct literal of type Point");
    err_prog("too many values", "type Point struct { x, y }\np := Point{1, 2, 3}\n", NULL,
             "too many values in struct literal of type Point");
    err_prog("multi value", "func f() { return 1, 2 }\nx := f() + 1\n", NULL,
             "multiple-value f() in single-value context");
    err_prog("assignment mismatch", "func f() { return 1, 2 }\na, b, c := f()\n", NULL,
             "assignment mismatch: 3 variables but f() returns 2 values");
    err_prog("assignment mismatch 2", "a, b := 1, 2, 3\n", NULL,
             "assignment mismatch: 2 variables but 3 values");
    err_prog("not in std", "import \"foo\"\n", "1:8", "package foo is not in std");
    err_prog("std member", "import \"fmt\"\nfmt.Printn(1)\n", NULL, "undefined: fmt.Printn");
    err_prog("new", "x := new(int)\n", NULL, "new is not supported");
    err_prog("missing module", "import \"./nope_xyz\"\n", NULL, "could not import ./nope_xyz (open ");
    err_prog("redeclared", "func f() {}\nfunc f() {}\n", NULL, "f redeclared in this block");
    err_prog("const assign", "const c = 1\nc = 2\n", NULL, "cannot assign to c");
    err_prog("address", "x := 1\np := &x\n", NULL, "csp has no pointers");
    err_prog("label not defined", "for { break L }\n", NULL, "break label not defined: L");
    err_prog("invalid continue label", "L:\nswitch { default: for { continue L } }\n", NULL,
             "invalid continue label L");
    err_prog("undefined in func", "func f() { return zz }\n", "1:19", "undefined: zz");
    err_prog("top before decl", "println(y)\ny := 1\n", NULL, "undefined: y");
    err_prog("recursive type", "type T struct { t T }\n", NULL, "invalid recursive type T");
    err_prog("repeated", "a, a := 1, 2\n", NULL, "a repeated on left side of :=");
    err_prog("non-name", "func f(l) { l[0] := 1 }\n", NULL, "non-name l[0] on left side of :=");
    err_prog("not enough args", "func f(a, b) {}\nf(1)\n", NULL, "not enough arguments in call to f");
    err_prog("too many args", "func f(a) {}\nf(1, 2)\n", NULL, "too many arguments in call to f");
    err_prog("type not expr", "type P struct {}\nx := P\n", NULL, "P (type) is not an expression");
    err_prog("blank value", "x := _\n", NULL, "cannot use _ as value");
    char big[4096];
    int n = snprintf(big, sizeof big, "func g(a...) {}\nfunc f() {\n g(");
    for (int i = 0; i < 300; i++)
        n += snprintf(big + n, sizeof big - (size_t)n, "%s%d", i ? "," : "", i);
    snprintf(big + n, sizeof big - (size_t)n, ")\n}\n");
    err_prog("too many regs", big, NULL, "function too complex");
}

/* Modules: a user module in a temporary directory. */
static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void test_modules(void) {
    char dir[] = "/tmp/csp_test_compileXXXXXX";
    if (!mkdtemp(dir)) {
        check(0, "mkdtemp", NULL);
        return;
    }
    char p1[256], p2[256], p3[256], p4[256], p5[256], main1[256];
    snprintf(p1, sizeof p1, "%s/pool.csp", dir);
    snprintf(p2, sizeof p2, "%s/main.csp", dir);
    snprintf(p3, sizeof p3, "%s/a.csp", dir);
    snprintf(p4, sizeof p4, "%s/b.csp", dir);
    snprintf(p5, sizeof p5, "%s/bad.csp", dir);
    snprintf(main1, sizeof main1, "%s/main2.csp", dir);
    write_file(p1,
               "import \"sync\"\ntype Pool struct { mu sync.Mutex; Items }\nconst Max = 10\nvar Count = 0\n"
               "func New() { Count++; return &Pool{} }\nfunc helper() {}\nfunc (p *Pool) Put(x) { p.Items = "
               "append(p.Items, x) }\n");
    write_file(
        p2, "import \"./pool\"\nimport p2 \"./pool\"\nx := pool.New()\nx.Put(1)\ny := pool.Pool{Items: [1]}\n"
            "println(pool.Max, pool.Count, p2.Max, y)\npool.Count = 3\n");
    write_file(p3, "import \"./b\"\nfunc A() {}\n");
    write_file(p4, "import \"./a\"\nfunc B() {}\n");
    write_file(p5, "import \"./pool\"\npool.helper()\n");
    write_file(main1, "import \"./pool\"\nz := pool.Pool{mu: 1}\n");

    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    BcProgram *p = compile_file(p2, &hooks, err);
    fclose(err);
    check(p != NULL, "modules compile", buf);
    if (p) {
        check(p->nmodules == 2, "modules: pool compiled once, before main", NULL);
        check(verify(p, "modules"), "modules verify", NULL);
        check(!strcmp(p->modules[0]->name, "pool") && !strcmp(p->modules[1]->name, "main"), "module names",
              NULL);
    }
    bc_program_free(p);
    free(buf);

    buf = NULL;
    err = open_memstream(&buf, &len);
    p = compile_file(p3, &hooks, err);
    fclose(err);
    check(p == NULL && buf && strstr(buf, "import cycle not allowed"), "import cycle", buf);
    bc_program_free(p);
    free(buf);

    buf = NULL;
    err = open_memstream(&buf, &len);
    p = compile_file(p5, &hooks, err);
    fclose(err);
    check(p == NULL && buf && strstr(buf, "name helper not exported by package pool"), "unexported", buf);
    bc_program_free(p);
    free(buf);

    buf = NULL;
    err = open_memstream(&buf, &len);
    p = compile_file(main1, &hooks, err);
    fclose(err);
    check(p == NULL && buf && strstr(buf, "cannot refer to unexported field mu"), "unexported field", buf);
    bc_program_free(p);
    free(buf);

    unlink(p1);
    unlink(p2);
    unlink(p3);
    unlink(p4);
    unlink(p5);
    unlink(main1);
    rmdir(dir);
}

/* Odd inputs must never crash the compiler. */
static void test_robustness(void) {
    static const char *const srcs[] = {
        "",
        "x",
        "func",
        "func f(",
        "if {",
        "for x := range {",
        "switch x.(type) {}",
        "select { case: }",
        "x := [",
        "type T struct { a b c }",
        "func (p) m() {}",
        "func (p *int) m() {}",
        "import",
        "import \"\"",
        "var x, y = f()",
        "const x",
        "go 1",
        "defer x",
        "x.(int) = 1",
        "<-",
        "a, b = 1",
        "L: L: for {}",
        "func f() { return 1, }",
        "m[1]++",
        "x := 1; x.y.z = 3",
        "for i := 0; i < 10; { break }",
        "switch { case 1: }",
        "var x int = \"s\"",
        "const c = nil",
        "type T struct{}; T{}.x = 1",
    };
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
        BcProgram *p = compile_str(srcs[i], NULL);
        if (p)
            verify(p, srcs[i]);
        bc_program_free(p);
    }
    check(1, "robustness", NULL);
}

static int dump(const char *name, const char *src, int is_file) {
    permissive = 1;
    BcProgram *p =
        is_file ? compile_file(name, &hooks, stderr) : compile_source(name, src, strlen(src), &hooks, stderr);
    if (!p)
        return 1;
    bc_dump_program(stdout, p);
    int ok = verify(p, name);
    bc_program_free(p);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "-e"))
        return dump("-e", argv[2], 0);
    if (argc == 2)
        return dump(argv[1], NULL, 1);
    test_tight_code();
    test_programs();
    test_many_constants();
    test_run();
    test_errors();
    test_modules();
    test_robustness();
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
