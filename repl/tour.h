/* repl/tour.h — `csp tour`: the concurrency tour (docs/tour, samples/tour),
 * compiled into the binary (repl/tour_gen.py writes tour_data.c). */
#ifndef CSP_REPL_TOUR_H
#define CSP_REPL_TOUR_H

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
/* `csp tour`: the list of lessons, titles in lang. */
void tour_list(TourLang lang);
/* `csp tour N`: lesson n (1-based) wrapped to the terminal, code highlighted
 * when stdout is a terminal. */
void tour_show(int n, TourLang lang);
/* `csp tour N --edit`: write NAME.csp in the current directory, never over
 * an existing file; returns the exit status. */
int tour_edit(int n);
/* `csp tour check N FILE`: run FILE against lesson n's exercise checks and
 * print the verdict in one sentence; 0 pass, 1 fail, 2 trouble. */
int tour_check(int n, const char *file, TourLang lang);

#endif
