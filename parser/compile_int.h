/* parser/compile_int.h — the compiler's internal state, shared by its files.
 *
 *   compile.c       entry points, module loading, imports, top-level names,
 *                   struct types, the module's top-level function
 *   scope.c         local symbols, block scopes, name resolution, upvalues,
 *                   the captured-variable set, buffered errors
 *   emit.c          instructions, line table, constants, registers, jumps
 *   constfold.c     constant expressions (exact ints, iota, overflow)
 *   compile_expr.c  expressions and calls
 *   compile_stmt.c  statements: assignment, declarations, if, for, return...
 *   compile_ctl.c   switch, type switch, select, break/continue and labels
 *
 * Invariants the code relies on:
 * - Registers: R[0 .. nactreg) hold active locals (with possible dead holes),
 *   temporaries live in R[nactreg .. freereg) and are allocated stack-like.
 *   Between statements freereg == nactreg.  A register below nactreg may be
 *   read by any sub-expression, so an expression that writes its destination
 *   before it has read all of its operands (literals, calls, && ||) only
 *   targets a register >= nactreg directly.
 * - Captured locals: a local that any closure refers to and that is
 *   assigned after a closure captured it, in a loop its declaration is not
 *   in, or from a closure (or addressed with &) lives in a cell from its
 *   declaration; any other is copied into each closure (a value upvalue,
 *   read with GETUPVALV), as Go's compiler captures by value
 *   (mark_assigned, parser/scope.c).
 *   Whether it is captured and assigned is known only once the code after it
 *   is compiled, so a function whose local turns out to need a cell after its
 *   declaration was emitted is compiled again (at most once more: the sets
 *   `captured` and `assigned` of declaring nodes remember).  Errors are
 *   buffered and deduplicated, so a second pass does not repeat them.
 * - Jump lists are chained through the jumps' own offset fields (Lua's
 *   trick); NO_JUMP ends a list.
 */
#ifndef CSP_PARSER_COMPILE_INT_H
#define CSP_PARSER_COMPILE_INT_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "base/mem.h"
#include "lexer/token.h"
#include "parser/ast.h"
#include "parser/bytecode.h"
#include "parser/compile.h"
#include "parser/parse.h"

#define CSP_HIDDEN __attribute__((visibility("hidden")))

#define MAX_REGS 250 /* leave room below 256 for the VM's scratch use */
#define NO_JUMP (-1)
#define MULTRET (-1) /* all results of a call: CALL with C == 0 */

/* ---- constant values (exact integers as Go's untyped constants) ---- */
typedef enum CvKind { CV_NONE, CV_INT, CV_FLOAT, CV_STRING, CV_BOOL, CV_NIL } CvKind;

typedef struct ConstVal {
    CvKind kind;
    __int128 i;    /* CV_INT, CV_BOOL */
    double f;      /* CV_FLOAT */
    const char *s; /* CV_STRING (in the module's arena) */
    size_t slen;
} ConstVal;

/* ---- top-level names of a module ---- */
typedef enum GKind { G_VAR, G_CONST, G_FUNC, G_STRUCT, G_STDMOD, G_USERMOD } GKind;

typedef struct GSym {
    const char *name;
    GKind kind;
    Node *node;   /* the declaring node (for positions) */
    int slot;     /* global slot, -1 if none */
    int declared; /* G_VAR: its declaration has been compiled (top-level order) */
    /* G_CONST */
    Node *cexpr; /* value expression (NULL: nil / missing) */
    Node *ctype; /* its type (`Idle State = iota`), or NULL */
    int64_t iota;
    int cstate; /* 0 not evaluated, 1 evaluating, 2 done */
    int cfold;  /* 1: cv holds the folded value; 0: evaluated at run time */
    ConstVal cv;
    /* G_FUNC: 2.. if every return statement has that many values, 1 if the
       function certainly returns a single value, 0 unknown */
    int nret;
    /* a CompileSession (the REPL): the entry that declared it, and whether it
       replaces a variable of an earlier entry (whose value it sees until set) */
    int entry;
    int redef;
    /* G_STRUCT */
    int sidx;
    /* G_STDMOD / G_USERMOD */
    const char *path; /* "fmt", "runtime/debug", or the absolute file path */
    int modidx;       /* G_USERMOD: index in BcProgram.modules, -1 if it failed */
    struct ModState *mod;
} GSym;

typedef struct Err {
    int line, col, seq;
    char *msg;
} Err;

typedef struct PtrSet {
    const void **keys;
    int n, cap;
} PtrSet;

typedef struct Compiler Compiler;

typedef struct ModState {
    Compiler *c;
    BcModule *m;
    int modidx;          /* index in BcProgram.modules once done, else -1 */
    const char *path;    /* as given (messages) */
    char *abspath;       /* absolute path, NULL for sources without a file */
    char *dir;           /* directory for relative imports */
    const char *pkgname; /* "main" or the import's base name */
    int is_main;
    Arena *arena;
    Diag diag;
    char *src;
    size_t srclen;
    Node *file;
    GSym *g;
    int ng, capg;
    int *ghash; /* open addressing over g, size ghcap (power of 2), -1 empty */
    int ghcap;
    Err *errs;
    int nerrs, caperrs;
    PtrSet captured; /* declaring nodes of locals some closure captures */
    PtrSet assigned; /* declaring nodes of locals assigned after their declaration or addressed */
    Node **inits;    /* func init() declarations in order */
    int ninits;
    Node **methods; /* method declarations */
    int nmethods;
    int64_t cur_iota; /* >= 0 while evaluating a const spec */
    /* > 0 in a CompileSession: the entry being compiled.  Names of earlier
       entries may be declared again (replaced, keeping their slot), standard
       modules are imported on first use, and top-level expression
       statements pass their values to the session's print function. */
    int entry;
    const char *print_mod, *print_fn;
} ModState;

typedef struct ModMemo {
    char *abspath;
    int state; /* 1 compiling, 2 done, 3 failed */
    ModState *ms;
} ModMemo;

struct Compiler {
    const CompileHooks *hooks;
    FILE *errout;
    BcProgram *prog;
    ModMemo *memo;
    int nmemo, capmemo;
    int failed;
};

/* ---- functions ---- */
typedef enum SymKind { SYM_VAR, SYM_CONST, SYM_TYPE } SymKind;

typedef struct Sym {
    const char *name;
    Node *decl;
    uint8_t kind;
    uint8_t cell;     /* the register holds a Cell */
    uint8_t readonly; /* a constant evaluated at run time */
    uint8_t captured_now; /* a closure compiled so far in this pass captures it */
    int loops;   /* SYM_VAR: the loops open around its declaration (FuncState.loops) */
    int early;   /* the statement of its last assignment before any capture (0: none) */
    int reg;     /* SYM_VAR; SYM_TYPE: the struct's index in the module */
    ConstVal cv; /* SYM_CONST */
} Sym;

typedef struct Upval {
    const char *name;
    Node *decl;
    uint8_t from_parent_reg, index, readonly;
    uint8_t byval; /* the slot holds the variable's value, not its cell */
} Upval;

typedef enum CtlKind { CTL_LOOP, CTL_SWITCH, CTL_SELECT } CtlKind;

/* A statement `break` and `continue` can leave. */
typedef struct Ctl {
    struct Ctl *prev;
    CtlKind kind;
    const char *label; /* NULL if not labeled */
    int brk;           /* jump list to the end */
    int cont;          /* jump list to the continue point (forward) */
    int cont_target;   /* >= 0: continue is a LOOP back to this pc */
    int nactreg;       /* registers active at the statement (for holes) */
} Ctl;

/* A label seen by N_LABELED, for "defined and not used" and break/continue. */
typedef struct LabelInfo {
    struct LabelInfo *prev;
    const char *name;
    Node *node;
    int used;
    int is_ctl; /* labels a for/switch/select */
} LabelInfo;

typedef struct FuncState {
    ModState *ms;
    struct FuncState *parent;
    const char *name;
    int line;
    int is_top;     /* the module's top-level function */
    int is_closure; /* a func literal (names of nested literals) */
    Instr *code;
    int32_t *lines;
    int ncode, capcode;
    int lasttarget; /* pc of the last jump target */
    BcConst *k;
    int nk, capk;
    Upval up[256];
    int nup;
    Sym *syms;
    int nsyms, capsyms;
    int scope_base; /* nsyms at the start of the innermost block */
    int depth;      /* block depth; 0 = the function's own block */
    int nactreg, freereg, maxreg;
    int nparams, variadic;
    Node *named;  /* a function with named results: its N_FUNC (results in fn->names) */
    int named_a;  /* the named results' registers: R[named_a .. named_a + named->names.len) */
    Ctl *ctl;
    int loops; /* CTL_LOOP entries in ctl */
    int stmts; /* statements begun so far: the number of the innermost one */
    LabelInfo *labels;
    const char *pending_label; /* label for the next for/switch/select */
    LabelInfo *pending_info;
    int redo;
    /* constants some instruction needs below 256 (field names, types):
       requested ones, and those pinned at the front by an earlier pass */
    int *smallreq;
    int nsmallreq, capsmallreq;
    int kovf; /* one of them landed at 256 or above */
    const BcConst *pins;
    int npins;
    int nanon;
    int curline;
    int too_complex; /* reported once */
} FuncState;

/* ---- bytecode.c ---- */
CSP_HIDDEN void bc_module_free(BcModule *m);

/* ---- compile.c ---- */
CSP_HIDDEN GSym *mod_lookup(ModState *ms, const char *name);
CSP_HIDDEN int mod_type_zero(ModState *ms, FuncState *fs, Node *type, FieldZero *kind, BcConst *zero);
CSP_HIDDEN int mod_type_const(ModState *ms, FuncState *fs, Node *type, BcConst *out);
/* A bare return, or the end of a function with named results (fs->named). */
CSP_HIDDEN void named_return(FuncState *fs);
CSP_HIDDEN int mod_elem_zero(ModState *ms, FuncState *fs, Node *type, int scalar, BcConst *out);
CSP_HIDDEN int mod_func_compile(ModState *ms, FuncState *parent, Node *fn, const char *name, int is_method);
CSP_HIDDEN int mod_struct_ref(ModState *ms, FuncState *fs, Node *type, ModState **owner, int *sidx, int report);
/* The struct index of the named int or float64 type `type` names (`State`
 * of `type State int`), or -1. */
CSP_HIDDEN int mod_named_basic(ModState *ms, FuncState *fs, Node *type);
/* R[dst] := T(arg) for the named int or float64 type struct sidx. */
CSP_HIDDEN void conv_to(FuncState *fs, int sidx, Node *arg, int dst);
/* `type T struct {...}` inside a function (fs). */
CSP_HIDDEN void mod_local_type(FuncState *fs, Node *n);
CSP_HIDDEN int is_exported(const char *name);
/* A CompileSession's implicit `import "name"` of a standard module used
 * without one; NULL if `name` is no standard module. */
CSP_HIDDEN GSym *mod_auto_import(ModState *ms, const char *name);
/* The name before the dot of a qualified type (sync.Mutex): mod_lookup, and
 * in a REPL entry the implicit import. */
CSP_HIDDEN GSym *mod_lookup_pkg(ModState *ms, const char *pkg);

/* ---- scope.c ---- */
CSP_HIDDEN void cerr(ModState *ms, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
CSP_HIDDEN void cerrn(FuncState *fs, Node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
CSP_HIDDEN void errs_flush(ModState *ms);
CSP_HIDDEN int src_col(ModState *ms, int line, int col, const char *needle);
CSP_HIDDEN void errs_free(ModState *ms);
CSP_HIDDEN int ptrset_has(const PtrSet *s, const void *p);
CSP_HIDDEN void ptrset_add(PtrSet *s, const void *p);
CSP_HIDDEN void ptrset_free(PtrSet *s);

typedef enum RefKind {
    R_NONE,    /* undefined */
    R_LOCAL,   /* reg; cell */
    R_UPVAL,   /* idx */
    R_CONST,   /* cv (local or global constant, folded) */
    R_GLOBAL,  /* g (G_VAR, G_FUNC, G_CONST evaluated at run time) */
    R_STRUCT,  /* g (G_STRUCT) */
    R_STDMOD,  /* g */
    R_USERMOD, /* g */
    R_BUILTIN, /* name */
    R_IOTA,    /* cv */
} RefKind;

typedef struct Ref {
    RefKind kind;
    int reg, idx;
    int cell, readonly;
    int byval; /* R_UPVAL: the upvalue is the value itself (never assigned) */
    ConstVal cv;
    GSym *g;
    const char *name;
    Node *decl; /* R_LOCAL, R_UPVAL: the declaring node */
} Ref;

CSP_HIDDEN int resolve(FuncState *fs, const char *name, Ref *out);
CSP_HIDDEN int is_builtin_name(const char *name);
typedef struct ScopeMark {
    int nsyms, scope_base, nactreg;
} ScopeMark;
CSP_HIDDEN ScopeMark scope_open(FuncState *fs);
CSP_HIDDEN void scope_close(FuncState *fs, ScopeMark m);
CSP_HIDDEN Sym *scope_find_current(FuncState *fs, const char *name);
CSP_HIDDEN Sym *local_activate(FuncState *fs, const char *name, Node *decl, int reg);
CSP_HIDDEN void local_const(FuncState *fs, const char *name, Node *decl, const ConstVal *cv);
CSP_HIDDEN int is_cell(FuncState *fs, Node *decl);
/* The local declared by `decl` is assigned (not by its declaration): a
 * closure must share it through a cell. */
CSP_HIDDEN void mark_assigned(FuncState *fs, Node *decl);
/* A type declared inside a function: the local `name` is struct sidx. */
CSP_HIDDEN void local_type(FuncState *fs, const char *name, Node *decl, int sidx);
/* The struct index of the local type `name` seen from fs (enclosing
 * functions included), or -1. */
CSP_HIDDEN int scope_find_type(FuncState *fs, const char *name);
/* &name of a local: 1 if it is in a cell; else it is marked captured and
 * the function is compiled again (0), or -1 if it cannot be (a hidden local). */
CSP_HIDDEN int local_to_cell(FuncState *fs, const char *name);

/* ---- emit.c ---- */
CSP_HIDDEN int emit(FuncState *fs, Instr i);
CSP_HIDDEN int emit_abc(FuncState *fs, int op, int a, int b, int c);
CSP_HIDDEN int emit_abx(FuncState *fs, int op, int a, int bx);
CSP_HIDDEN int emit_asbx(FuncState *fs, int op, int a, int sbx);
CSP_HIDDEN int emit_jump(FuncState *fs);                    /* JMP to be patched */
CSP_HIDDEN int emit_condjump(FuncState *fs, int op, int a); /* JMPT/JMPF R[a] to be patched */
CSP_HIDDEN void emit_loop(FuncState *fs, int target);       /* LOOP back to target */
CSP_HIDDEN void emit_move(FuncState *fs, int dst, int src);
CSP_HIDDEN void emit_loadnil(FuncState *fs, int dst, int n);
CSP_HIDDEN int here(FuncState *fs);
CSP_HIDDEN void jump_concat(FuncState *fs, int *list, int l2);
CSP_HIDDEN void jump_patch_here(FuncState *fs, int list);
CSP_HIDDEN void jump_patch_to(FuncState *fs, int list, int target);
CSP_HIDDEN int reg_reserve(FuncState *fs, int n);
CSP_HIDDEN void reg_check(FuncState *fs, int top);
CSP_HIDDEN int k_add(FuncState *fs, const BcConst *c);
CSP_HIDDEN int k_int(FuncState *fs, int64_t v);
CSP_HIDDEN int k_float(FuncState *fs, double v);
CSP_HIDDEN int k_string(FuncState *fs, const char *s, size_t len);
CSP_HIDDEN int k_nil(FuncState *fs);
CSP_HIDDEN int k_bool(FuncState *fs, int b);
CSP_HIDDEN int k_func(FuncState *fs, int idx);
CSP_HIDDEN int k_struct(FuncState *fs, ModState *owner, int sidx);
CSP_HIDDEN int k_stdmember(FuncState *fs, const char *mod, const char *member);
CSP_HIDDEN int k_stdmodule(FuncState *fs, const char *mod);
CSP_HIDDEN int k_module(FuncState *fs, int modidx);
CSP_HIDDEN int k_small(FuncState *fs, int k, Node *at); /* k < 256 or an error */
CSP_HIDDEN void emit_loadk(FuncState *fs, int dst, int k);
CSP_HIDDEN void emit_loadint(FuncState *fs, int dst, int64_t v);
CSP_HIDDEN void bcconst_free(BcConst *c);
CSP_HIDDEN void bcconst_copy(BcConst *dst, const BcConst *src);
CSP_HIDDEN void fs_init(FuncState *fs, ModState *ms, FuncState *parent, const char *name, int line);
CSP_HIDDEN BcFunc *fs_finish(FuncState *fs);
CSP_HIDDEN int fs_repin(FuncState *fs, BcConst **pins, int *npins);
CSP_HIDDEN void pins_free(BcConst *pins, int npins);
CSP_HIDDEN void fs_pin(FuncState *fs);
CSP_HIDDEN int bcconst_eq(const BcConst *a, const BcConst *b);
CSP_HIDDEN void fs_discard(FuncState *fs);

/* ---- constfold.c ---- */
CSP_HIDDEN int const_eval(FuncState *fs, ModState *ms, Node *n, ConstVal *out);
CSP_HIDDEN int const_is_constexpr(FuncState *fs, ModState *ms, Node *n);
CSP_HIDDEN int const_to_bc(FuncState *fs, ModState *ms, const ConstVal *cv, Node *at, BcConst *out);
CSP_HIDDEN int const_fits_int(const ConstVal *cv);
CSP_HIDDEN void const_global_eval(ModState *ms, GSym *g);
CSP_HIDDEN int const_k(FuncState *fs, const ConstVal *cv, Node *at);
CSP_HIDDEN void const_load(FuncState *fs, const ConstVal *cv, int dst, Node *at);

/* ---- compile_expr.c ---- */
CSP_HIDDEN void expr_to(FuncState *fs, Node *n, int dst);
CSP_HIDDEN int expr_any(FuncState *fs, Node *n);
CSP_HIDDEN int expr_next(FuncState *fs, Node *n);
/* Argument i of call into the next register (&v where a sync/atomic function allows it). */
CSP_HIDDEN void arg_next(FuncState *fs, Node *call, int i);
CSP_HIDDEN void expr_discard(FuncState *fs, Node *n);
CSP_HIDDEN void cond_jump(FuncState *fs, Node *n, int sense, int *list);
CSP_HIDDEN void call_at(FuncState *fs, Node *n, int base, int nres);
CSP_HIDDEN int expr_multi(FuncState *fs, Node *n, int base, int nres, Node *at);
CSP_HIDDEN int expr_can_multi(FuncState *fs, Node *n);
CSP_HIDDEN int expr_nret(FuncState *fs, Node *n);
CSP_HIDDEN void arith_emit(FuncState *fs, int tok, int dst, int rb, Node *right);
CSP_HIDDEN void arith_emit_rr(FuncState *fs, int tok, int dst, int rb, int rc);
CSP_HIDDEN int binop_for_assign(int tok);
CSP_HIDDEN void expr_str(Node *n, char *buf, size_t cap);
CSP_HIDDEN Node *unparen(Node *n);
CSP_HIDDEN int std_member_check(FuncState *fs, GSym *g, const char *member, Node *at);
CSP_HIDDEN int user_member_check(FuncState *fs, GSym *g, const char *member, Node *at);
CSP_HIDDEN void callee_for_go_defer(FuncState *fs, Node *callee, int base);
CSP_HIDDEN void funclit_to(FuncState *fs, Node *n, int dst);

/* ---- compile_stmt.c ---- */
CSP_HIDDEN void stmt(FuncState *fs, Node *n);
CSP_HIDDEN void block_stmts(FuncState *fs, Node *block);
CSP_HIDDEN void stmt_list(FuncState *fs, NodeList *l);
CSP_HIDDEN void stmt_var(FuncState *fs, Node *n, int toplevel);
CSP_HIDDEN void stmt_const(FuncState *fs, Node *n, int toplevel);
CSP_HIDDEN void stmt_define(FuncState *fs, Node *n, int toplevel);

typedef enum TKind { T_DISCARD, T_LOCAL, T_CELL, T_UPVAL, T_GLOBAL, T_INDEX, T_FIELD } TKind;
typedef struct Target {
    TKind k;
    int reg, idx, obj, key;
    Node *node;
} Target;
CSP_HIDDEN int target_prepare(FuncState *fs, Node *lhs, Target *t, const int *avoid, int navoid);
CSP_HIDDEN void zero_to(FuncState *fs, Node *type, int dst);
CSP_HIDDEN void target_store(FuncState *fs, const Target *t, int src);

/* ---- compile_ctl.c ---- */
CSP_HIDDEN void stmt_switch(FuncState *fs, Node *n);
CSP_HIDDEN void stmt_typeswitch(FuncState *fs, Node *n);
CSP_HIDDEN void stmt_select(FuncState *fs, Node *n);
CSP_HIDDEN void stmt_break_continue(FuncState *fs, Node *n);
CSP_HIDDEN void stmt_labeled(FuncState *fs, Node *n);
CSP_HIDDEN Ctl *ctl_push(FuncState *fs, Ctl *c, CtlKind kind);
CSP_HIDDEN void ctl_pop(FuncState *fs, Ctl *c);

#endif
