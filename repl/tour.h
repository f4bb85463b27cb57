/* repl/tour.h — `csp tour`: the concurrency tour (docs/tour, samples/tour),
 * compiled into the binary (repl/tour_gen.py writes tour_data.c). */
#ifndef CSP_REPL_TOUR_H
#define CSP_REPL_TOUR_H

#include <stdbool.h>

#include "base/strbuf.h"

typedef enum { TOUR_EN, TOUR_ZH } TourLang;

typedef struct {
    const char *name;     /* "01-concurrency": the program is NAME.csp */
    const char *text[2];  /* the lesson's Markdown, by TourLang */
    const char *code;     /* its program */
    const char *check;    /* its exercise's expectations (repl/tour_check.c) */
} TourLesson;

extern const TourLesson tour_lessons[];
extern const int tour_count;

/* The language of the environment: LC_ALL, else LANG; zh_* is Chinese. */
TourLang tour_env_lang(void);
/* The terminal's width in columns: stdout's window size, else $COLUMNS,
 * else 80 (`csp trace` shares it). */
int tour_term_width(void);
/* `csp tour` (`:tour` in the REPL): the list of lessons, titles in lang. */
void tour_list(TourLang lang, bool in_repl);
/* The commands of `csp tour`; full: `csp tour --help`, with the usage
 * lines and what `csp tour check` does. */
void tour_usage(TourLang lang, bool full);
/* `csp tour N` (`:tour N`): lesson n (1-based) wrapped to width columns,
 * code highlighted on a terminal (tty). */
void tour_show(int n, TourLang lang, int width, bool tty, bool in_repl);
/* `:tour N`: lesson n's program as a REPL entry: its declarations (import,
 * func, type, const, var: a tour program writes them at column 0) where
 * they are, so their line numbers stay the file's, and its top-level
 * statements as the body of a func main() at the end.  funcs gets the
 * names of its functions, ", "-separated. */
void tour_session_source(int n, StrBuf *out, StrBuf *funcs);
/* `csp tour N --edit`: write NAME.csp in the current directory, never over
 * an existing file; returns the exit status. */
int tour_edit(int n);
/* `csp tour check N FILE`: run FILE against lesson n's exercise checks and
 * print the verdict in one sentence; 0 pass, 1 fail, 2 trouble. */
int tour_check(int n, const char *file, TourLang lang);

#endif
