/* parser/compile.h — the front end's entry points: source -> BcProgram.
 *
 * The compiler follows `import "./x"` itself (reading x.csp relative to the
 * importing file), so a program's every module is compiled, and every compile
 * error reported, before anything runs.  Standard modules are not compiled:
 * the caller describes them through CompileHooks so that `fmt.Printn` is a
 * compile error (`undefined: fmt.Printn`) and members become BK_STDMEMBER.
 *
 * Errors go to `errout` as Go prints them:
 *     path.csp:12:5: syntax error: unexpected }, expected expression
 *         x := }
 *              ^
 * at most 10 of them; the result is then NULL.
 */
#ifndef CSP_PARSER_COMPILE_H
#define CSP_PARSER_COMPILE_H

#include <stdio.h>

#include "parser/bytecode.h"

typedef enum StdMemberKind { STD_NONE = 0, STD_VALUE = 1, STD_TYPE = 2 } StdMemberKind;

typedef struct CompileHooks {
    void *ctx;
    /* 1 if `name` ("fmt", "runtime/debug") is a standard module */
    int (*std_module_exists)(void *ctx, const char *name);
    /* what `module.member` is: a value (function, constant) or a type (sync.WaitGroup) */
    StdMemberKind (*std_member)(void *ctx, const char *module, const char *member);
} CompileHooks;

/* Compile the script at `path` and every user module it imports. */
BcProgram *compile_file(const char *path, const CompileHooks *hooks, FILE *errout);

/* Compile source text held in memory (`csp -e`, the REPL); `name` is used in
 * messages and for resolving relative imports (against the current directory). */
BcProgram *compile_source(const char *name, const char *src, size_t len,
                          const CompileHooks *hooks, FILE *errout);

/* An interactive session (the REPL) compiles one entry at a time into one
 * module whose names persist: an entry sees the names of earlier ones, may
 * declare one of them again (the new declaration replaces it, in the same
 * global slot), and uses a standard module without importing it.  Each
 * top-level expression statement calls print_mod.print_fn (a native the
 * caller registers) with the statement's values.  Error positions are
 * `<repl>:LINE:COL`, LINE counted within the entry. */
typedef struct CompileSession CompileSession;
CompileSession *compile_session_new(const CompileHooks *hooks, const char *print_mod, const char *print_fn);
void compile_session_free(CompileSession *s);
/* The entry's program (its last module is the entry: BcModule.repl_entry,
 * to load with vm_load_entry), or NULL after printing the errors to errout;
 * nothing of a failed entry is declared. */
BcProgram *compile_entry(CompileSession *s, const char *name, const char *src, size_t len, FILE *errout);
/* The names declared so far, in declaration order (:vars, completion): a
 * malloc'd array (the strings belong to the session). */
typedef struct SessionName {
    const char *name;
    const char *modpath; /* a standard module bound to the name: its path */
    int slot;            /* its global slot, -1 if none */
    char kind;           /* 'v' variable, 'c' constant, 'f' function, 't' type, 'm' module */
} SessionName;
int compile_session_names(CompileSession *s, SessionName **out);

#endif
