/* repl/repl_int.h — what the REPL's files share:
 *
 *   repl.c   the session: reading entries, running them as goroutine 1,
 *            printing their values, the :commands
 *   term.c   the terminal: libedit's line editor, history, completion, and
 *            the output of goroutines printed above the line being typed
 *
 * Threads: the REPL's own thread (main) reads lines and never touches the
 * heap; everything that does (compiling, loading, printing values, :vars)
 * runs in an entry's goroutine on an M (the "<repl>" natives).  The two hand
 * over through sched_repl_run, which orders the Repl fields they share. */
#ifndef CSP_REPL_REPL_INT_H
#define CSP_REPL_REPL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "parser/compile.h"
#include "vm/interp.h"

typedef struct FuncDoc {
    char *name; /* "f", or "P.M" for a method */
    char *doc;  /* the comment lines above its declaration */
} FuncDoc;

/* What tab completion offers after `name.`: a struct value's fields and
 * methods, collected after each entry by a goroutine (the REPL thread does
 * not read the heap). */
typedef struct Members {
    char *name;
    char **members;
    int n;
} Members;

typedef struct Repl {
    VM *vm;
    CompileHooks hooks;
    CompileSession *cs;
    VmSession vs;
    Value run_fn, members_fn, vars_fn, goroutines_fn; /* the "<repl>" natives */
    /* the entry handed to its goroutine (REPL thread -> goroutine) */
    const char *name, *src;
    size_t len;
    bool compiled; /* goroutine -> REPL thread: the entry compiled */
    FuncDoc *docs;
    int ndocs;
    char *pending_doc; /* an entry of comment lines only: the doc of a func entered next */
    Members *members;  /* written by the members goroutine, read at the prompt */
    int nmembers;
    struct Term *term; /* NULL when standard input is not a terminal */
} Repl;

/* term.c */
typedef struct Term Term;
/* Open the line editor (history from CSP_HISTORY or ~/.csp_history) and
 * route stdout and stderr through it, so that output redraws the line. */
Term *term_open(Repl *r);
/* A line typed after `prompt` (malloc'd, no newline); NULL at Ctrl-D on an
 * empty line; *interrupted set (and "" returned) for Ctrl-C. */
char *term_read(Term *t, const char *prompt, bool *interrupted);
void term_history_add(Term *t, const char *entry);
/* The terminal's width in columns (80 if it does not say). */
int term_columns(Term *t);
/* Wait until what the REPL thread wrote to stdout has reached the terminal,
 * so that a command's long output is not split around the next prompt. */
void term_sync(Term *t);
/* Output still in the pipe goes to the terminal (before the next prompt,
 * and before exiting). */
void term_flush_output(Term *t);
void term_close(Term *t);

/* repl.c, for completion: the session's names and what follows `name.` */
int repl_complete(Repl *r, const char *word, size_t len, char ***out);

#endif
