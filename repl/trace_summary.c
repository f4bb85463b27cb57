/* repl/trace_summary.c — `csp trace FILE`: what a trace says, in the
 * terminal, in three parts.
 *
 *   Goroutines: one row each: who created it and where (its first state
 *     says; else the "go" arrow: the slice on the P where the arrow starts
 *     is the parent's, the one where it ends the child's), then the time it
 *     spent running, runnable (waiting for a P) and in C, and blocked, by
 *     reason (its track's states).
 *   Processors: each P's busy time over the length of the trace.
 *   Timeline: one row per P, one column per stretch of time (at most 100):
 *     the goroutine that ran longest there, by a mark the legend explains;
 *     '.' is idle.
 *
 * Everything fits the width it is given: long names are cut, the blocked
 * reasons wrap under their column.  Names come from the file: control
 * characters print as '?', so a trace cannot drive the terminal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "repl/trace.h"

typedef struct Reason {
    const char *what;
    double us;
} Reason;

typedef struct GInfo {
    int64_t id;
    const char *name; /* "main.worker" */
    int64_t parent;   /* 0: unknown */
    const char *file; /* where the go statement is (NULL: not said) */
    int line;
    double running, runnable, inc;
    Reason *reasons;
    size_t nreasons;
    char mark;      /* on the timeline; 0: none */
    size_t columns; /* timeline columns it holds */
} GInfo;

/* 1.25ms, 830µs, 12.3s: three significant digits, as a learner reads them. */
static void fmt_dur(double us, char *buf, size_t cap) {
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1e-3, "ns"}, {1, "µs"}, {1e3, "ms"}, {1e6, "s"}};
    if (us <= 0) {
        snprintf(buf, cap, "-");
        return;
    }
    int u = 0;
    while (u < 3 && us >= units[u + 1].scale * 0.9995)
        u++;
    double v = us / units[u].scale;
    snprintf(buf, cap, v >= 99.95 ? "%.0f%s" : v >= 9.995 ? "%.1f%s" : "%.2f%s", v, units[u].unit);
}

/* Columns a UTF-8 string takes (every rune one column: names are ASCII, the
 * units have a µ). */
static int cols(const char *s) {
    return (int)utf8_count(s, strlen(s));
}

/* n bytes of s, control characters as '?'. */
static void put_clean(StrBuf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        sb_putc(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7F ? '?' : s[i]);
}

/* s in w columns: cut (with an ellipsis) when longer, padded when shorter,
 * on the left when right-aligned. */
static void put_cell(StrBuf *b, const char *s, int w, bool right) {
    int n = cols(s);
    if (n > w) { /* keep the first w-1 runes and mark the cut */
        const char *p = s;
        for (int i = 0; i < w - 1; i++) {
            int32_t r;
            p += utf8_decode(p, strlen(p), &r);
        }
        put_clean(b, s, (size_t)(p - s));
        if (w > 0)
            sb_puts(b, "…");
        return;
    }
    if (right)
        for (int i = n; i < w; i++)
            sb_putc(b, ' ');
    put_clean(b, s, strlen(s));
    if (!right)
        for (int i = n; i < w; i++)
            sb_putc(b, ' ');
}

static int by_id(const void *a, const void *b) {
    const GInfo *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static GInfo *ginfo(GInfo *gs, size_t n, int64_t id) {
    GInfo key = {.id = id};
    return bsearch(&key, gs, n, sizeof *gs, by_id);
}

static int64_t *add_id(int64_t *ids, size_t *n, size_t *cap, int64_t id) {
    if (*n == *cap)
        ids = mem_realloc(ids, (*cap = *cap ? *cap * 2 : 64) * sizeof *ids);
    ids[(*n)++] = id;
    return ids;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* "G7 main.worker" -> "main.worker" */
static const char *strip_gid(const char *name) {
    if (name && name[0] == 'G') {
        const char *sp = strchr(name, ' ');
        if (sp && (size_t)(sp - name) == 1 + strspn(name + 1, "0123456789"))
            return sp + 1;
    }
    return name;
}

static int cmp_flow(const void *a, const void *b) {
    const TraceFlow *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->ph == 'f') - (y->ph == 'f');
}

/* The goroutine whose slice on the P track tid covers ts (-1: none). */
static int64_t g_on_p(const Trace *t, int64_t tid, double ts) {
    const TraceSlice *s = trace_slice_at(trace_lane(t, TRACE_PID_P, tid), ts);
    return s ? s->g : -1;
}

/* Parents of the goroutines whose first state did not say (a trace that
 * started while they ran): from the "go" arrows, or the arrow's args (g,
 * parent, file, line) where a producer puts them there. */
static void find_parents(const Trace *t, GInfo *gs, size_t ng) {
    TraceFlow *f = mem_alloc_n(t->nflows ? t->nflows : 1, sizeof *f);
    size_t n = 0;
    for (size_t i = 0; i < t->nflows; i++)
        if (t->flows[i].go && t->flows[i].pid == TRACE_PID_P)
            f[n++] = t->flows[i];
    qsort(f, n, sizeof *f, cmp_flow);
    for (size_t i = 0; i < n; i++) {
        if (f[i].ph != 's')
            continue;
        int64_t child = -1, parent = g_on_p(t, f[i].tid, f[i].ts);
        if (i + 1 < n && f[i + 1].id == f[i].id && f[i + 1].ph == 'f')
            child = g_on_p(t, f[i + 1].tid, f[i + 1].ts);
        const JsonValue *a = f[i].args;
        double d;
        if (json_num(json_get(a, "g"), &d) && d == floor(d))
            child = (int64_t)d;
        if (json_num(json_get(a, "parent"), &d) && d == floor(d))
            parent = (int64_t)d;
        GInfo *c = child > 0 ? ginfo(gs, ng, child) : NULL;
        if (!c || parent <= 0 || c->parent)
            continue;
        c->parent = parent;
        c->file = json_str(json_get(a, "file"));
        c->line = c->file && json_num(json_get(a, "line"), &d) && d > 0 && d < 1e9 ? (int)d : 0;
    }
    mem_free(f);
}

/* Go has 15 wait reasons; past 32 distinct names (a file not from csp), the
 * rest are "other", which keeps this loop short. */
static void add_reason(GInfo *g, const char *what, double us) {
    if (g->nreasons >= 32)
        what = "other";
    for (size_t i = 0; i < g->nreasons; i++)
        if (!strcmp(g->reasons[i].what, what)) {
            g->reasons[i].us += us;
            return;
        }
    g->reasons = mem_realloc(g->reasons, (g->nreasons + 1) * sizeof *g->reasons);
    g->reasons[g->nreasons++] = (Reason){what, us};
}

/* Every goroutine the trace names: its own track's, and any that ran on a P. */
static GInfo *gather(const Trace *t, size_t *out_n) {
    size_t n = 0, cap = 0;
    int64_t *ids = NULL;
    for (size_t i = 0; i < t->nlanes[TRACE_PID_G]; i++)
        ids = add_id(ids, &n, &cap, t->lanes[TRACE_PID_G][i].tid);
    for (size_t l = 0; l < t->nlanes[TRACE_PID_P]; l++)
        for (size_t i = 0; i < t->lanes[TRACE_PID_P][l].n; i++)
            if (t->lanes[TRACE_PID_P][l].s[i].g > 0)
                ids = add_id(ids, &n, &cap, t->lanes[TRACE_PID_P][l].s[i].g);
    if (n > 1) /* ids is NULL when there are none */
        qsort(ids, n, sizeof *ids, cmp_i64);
    GInfo *gs = mem_calloc(n ? n : 1, sizeof *gs);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (!ng || gs[ng - 1].id != ids[i])
            gs[ng++].id = ids[i];
    mem_free(ids);
    for (size_t i = 0; i < t->nlanes[TRACE_PID_G]; i++) {
        const TraceLane *lane = &t->lanes[TRACE_PID_G][i];
        GInfo *g = ginfo(gs, ng, lane->tid);
        g->name = strip_gid(lane->name);
        for (size_t k = 0; k < lane->n; k++) {
            const TraceSlice *s = &lane->s[k];
            if (s->parent && !g->parent) { /* its first state says who created it, and where */
                g->parent = s->parent;
                g->file = s->file;
                g->line = s->line;
            }
            if (!strcmp(s->name, "running"))
                g->running += s->dur;
            else if (!strcmp(s->name, "runnable"))
                g->runnable += s->dur;
            else if (!strncmp(s->name, "in C", 4))
                g->inc += s->dur;
            else
                add_reason(g, !strncmp(s->name, "blocked: ", 9) ? s->name + 9 : s->name, s->dur);
        }
    }
    for (size_t l = 0; l < t->nlanes[TRACE_PID_P]; l++)
        for (size_t i = 0; i < t->lanes[TRACE_PID_P][l].n; i++) {
            const TraceSlice *s = &t->lanes[TRACE_PID_P][l].s[i];
            GInfo *g = s->g > 0 ? ginfo(gs, ng, s->g) : NULL;
            if (g && !g->name)
                g->name = strip_gid(s->name);
        }
    find_parents(t, gs, ng);
    *out_n = ng;
    return gs;
}

static int by_time_spent(const void *a, const void *b) {
    const Reason *x = a, *y = b;
    return (x->us < y->us) - (x->us > y->us);
}

/* Traces name files by absolute path; the table shows the last part. */
static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* A goroutine's first six cells. */
static void row_cells(const GInfo *g, char cell[][160]) {
    snprintf(cell[0], 160, "%lld", (long long)g->id);
    snprintf(cell[1], 160, "%s", g->name ? g->name : "?");
    if (g->parent && g->file)
        snprintf(cell[2], 160, "G%lld at %s:%d", (long long)g->parent, base_name(g->file), g->line);
    else if (g->parent)
        snprintf(cell[2], 160, "G%lld", (long long)g->parent);
    else
        snprintf(cell[2], 160, "-");
    fmt_dur(g->running, cell[3], 160);
    fmt_dur(g->runnable, cell[4], 160);
    fmt_dur(g->inc, cell[5], 160);
}

/* Put one unit (an item, or a word of one too long for a line) at *col,
 * starting a new line first when it does not fit. */
static void put_unit(StrBuf *b, const char *u, size_t n, const char *sep, int w, int indent, int *col) {
    char unit[200];
    snprintf(unit, sizeof unit, "%.*s", (int)(n < sizeof unit ? n : sizeof unit - 1), u);
    int uc = cols(unit), sc = *col ? cols(sep) : 0;
    if (*col && *col + sc + uc > w) {
        sb_puts(b, sep[0] == ',' ? ",\n" : "\n");
        for (int i = 0; i < indent; i++)
            sb_putc(b, ' ');
        *col = 0;
    } else if (*col) {
        sb_puts(b, sep);
        *col += sc;
    }
    put_cell(b, unit, uc > w ? w : uc, false);
    *col += uc > w ? w : uc;
}

/* The ", "-separated items of text, at most w columns a line, later lines
 * after indent spaces; an item wider than a line breaks between words. */
static void put_wrapped(StrBuf *b, const char *text, int w, int indent) {
    int col = 0;
    for (const char *p = text; *p;) {
        const char *comma = strstr(p, ", ");
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if ((int)utf8_count(p, n) <= w) {
            put_unit(b, p, n, ", ", w, indent, &col);
        } else {
            bool first = true;
            for (const char *q = p; q < p + n;) {
                size_t k = strcspn(q, " ");
                if (q + k > p + n)
                    k = (size_t)(p + n - q);
                put_unit(b, q, k, first ? ", " : " ", w, indent, &col);
                first = false;
                q += k;
                while (q < p + n && *q == ' ')
                    q++;
            }
        }
        p += n;
        if (comma)
            p += 2;
    }
}

static void goroutine_table(GInfo *gs, size_t ng, FILE *out, int width) {
    enum { NCOL = 7 };
    static const char *head[NCOL] = {"G", "function", "created by", "running", "runnable", "in C", "blocked"};
    int w[NCOL];
    for (int c = 0; c < NCOL; c++)
        w[c] = cols(head[c]);
    char cell[NCOL][160];
    /* Widths from the contents first. */
    for (size_t i = 0; i < ng; i++) {
        GInfo *g = &gs[i];
        row_cells(g, cell);
        for (int c = 0; c < 6; c++)
            if (cols(cell[c]) > w[c])
                w[c] = cols(cell[c]);
    }
    /* The blocked column keeps at least 24; the name and creator columns give
     * way first. */
    int fixed = 2 + w[0] + 2 + w[3] + 2 + w[4] + 2 + w[5] + 2;
    int room = width - fixed - 24 - 4;
    while (w[1] + w[2] > room && (w[1] > 12 || w[2] > 10)) {
        if (w[1] >= w[2] && w[1] > 12)
            w[1]--;
        else if (w[2] > 10)
            w[2]--;
        else
            break;
    }
    int wb = width - (fixed + w[1] + 2 + w[2] + 2);
    if (wb < 16)
        wb = 16;
    w[6] = wb;
    StrBuf b = {0};
    sb_puts(&b, "  ");
    for (int c = 0; c < NCOL; c++) {
        put_cell(&b, head[c], c == NCOL - 1 ? 0 : w[c], c == 0 || (c >= 3 && c <= 5));
        if (c == NCOL - 1)
            sb_puts(&b, head[c]);
        else
            sb_puts(&b, "  ");
    }
    fprintf(out, "%s\n", b.p);
    int indent = fixed + w[1] + 2 + w[2] + 2;
    for (size_t i = 0; i < ng; i++) {
        GInfo *g = &gs[i];
        b.len = 0;
        row_cells(g, cell);
        sb_puts(&b, "  ");
        for (int c = 0; c < 6; c++) {
            put_cell(&b, cell[c], w[c], c == 0 || c >= 3);
            sb_puts(&b, "  ");
        }
        /* The reasons, longest first, word-wrapped under their column. */
        if (g->nreasons > 1) /* reasons is NULL when there are none */
            qsort(g->reasons, g->nreasons, sizeof *g->reasons, by_time_spent);
        StrBuf text = {0};
        for (size_t k = 0; k < g->nreasons; k++) {
            char d[32];
            fmt_dur(g->reasons[k].us, d, sizeof d);
            sb_printf(&text, "%s%s %s", k ? ", " : "", g->reasons[k].what, d);
        }
        put_wrapped(&b, g->nreasons ? text.p : "-", wb, indent);
        sb_free(&text);
        while (b.len && b.p[b.len - 1] == ' ')
            b.p[--b.len] = 0;
        fprintf(out, "%s\n", b.p);
    }
    sb_free(&b);
}

static void processors(const Trace *t, FILE *out, int width) {
    double span = t->t1 - t->t0;
    int bar = width - 40;
    if (bar > 50)
        bar = 50;
    if (bar < 10)
        bar = 10;
    for (size_t l = 0; l < t->nlanes[TRACE_PID_P]; l++) {
        const TraceLane *lane = &t->lanes[TRACE_PID_P][l];
        double busy = 0;
        for (size_t i = 0; i < lane->n; i++)
            busy += lane->s[i].dur;
        double frac = span > 0 ? busy / span : 0;
        if (frac > 1)
            frac = 1;
        char d[32], s[32];
        fmt_dur(busy, d, sizeof d);
        fmt_dur(span, s, sizeof s);
        int full = (int)lround(frac * bar);
        fprintf(out, "  P%-3lld [", (long long)lane->tid);
        for (int i = 0; i < bar; i++)
            fputc(i < full ? '#' : '.', out);
        fprintf(out, "] %5.1f%%  busy %s of %s\n", frac * 100, d, s);
    }
}

/* The mark of goroutine id: its digit for G1-G9, then letters in order. */
static char next_mark(int64_t id, int *letters) {
    static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if (id >= 1 && id <= 9)
        return (char)('0' + id);
    return *letters < (int)sizeof abc - 1 ? abc[(*letters)++] : '+';
}

static const GInfo *rank_gs; /* for by_columns: qsort has no context */

static int by_columns(const void *a, const void *b) {
    const GInfo *x = &rank_gs[*(const size_t *)a], *y = &rank_gs[*(const size_t *)b];
    if (x->columns != y->columns)
        return x->columns > y->columns ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

typedef struct Cell {
    int64_t g[8];
    double us[8];
    int n;
} Cell;

static void timeline(const Trace *t, GInfo *gs, size_t ng, FILE *out, int width) {
    int ncol = width - 8;
    if (ncol > 100)
        ncol = 100;
    if (ncol < 10)
        ncol = 10;
    double span = t->t1 - t->t0, step = span / ncol;
    char d0[32], dstep[32];
    fmt_dur(span, d0, sizeof d0);
    fmt_dur(step, dstep, sizeof dstep);
    fprintf(out, "Timeline (%s, %s a column; '.' idle)\n", d0, dstep);
    size_t np = t->nlanes[TRACE_PID_P];
    int64_t *best = mem_calloc((np ? np : 1) * (size_t)ncol, sizeof *best);
    int letters = 0;
    bool other = false;
    Cell *cells = mem_alloc_n((size_t)ncol, sizeof *cells);
    for (size_t l = 0; l < np; l++) {
        const TraceLane *lane = &t->lanes[TRACE_PID_P][l];
        memset(cells, 0, (size_t)ncol * sizeof *cells);
        for (size_t i = 0; i < lane->n && step > 0; i++) {
            const TraceSlice *s = &lane->s[i];
            double a = s->ts - t->t0, z = a + s->dur;
            int c0 = (int)(a / step), c1 = (int)(z / step);
            for (int c = c0 < 0 ? 0 : c0; c <= c1 && c < ncol; c++) {
                double lo = fmax(a, c * step), hi = fmin(z, (c + 1) * step);
                if (hi <= lo && !(s->dur == 0 && c == c0))
                    continue;
                Cell *cell = &cells[c];
                int k = 0;
                while (k < cell->n && cell->g[k] != s->g)
                    k++;
                if (k == cell->n) {
                    if (cell->n == 8) /* the first eight met: enough to find the longest */
                        continue;
                    cell->g[cell->n] = s->g;
                    cell->us[cell->n++] = 0;
                }
                cell->us[k] += hi - lo > 0 ? hi - lo : 1e-9;
            }
        }
        for (int c = 0; c < ncol; c++) {
            int64_t g = 0;
            double most = 0;
            for (int k = 0; k < cells[c].n; k++)
                if (cells[c].us[k] > most) {
                    most = cells[c].us[k];
                    g = cells[c].g[k];
                }
            best[l * (size_t)ncol + (size_t)c] = g;
        }
    }
    mem_free(cells);
    /* Marks go to the goroutines that hold the most columns (G1-G9 have
     * their digits); the rest share '+'. */
    size_t *rank = mem_alloc_n(ng ? ng : 1, sizeof *rank), nrank = 0;
    for (size_t k = 0; k < np * (size_t)ncol; k++) {
        GInfo *g = best[k] > 0 ? ginfo(gs, ng, best[k]) : NULL;
        if (g)
            g->columns++;
    }
    for (size_t i = 0; i < ng; i++)
        if (gs[i].columns)
            rank[nrank++] = i;
    rank_gs = gs;
    qsort(rank, nrank, sizeof *rank, by_columns);
    for (size_t i = 0; i < nrank; i++) {
        GInfo *g = &gs[rank[i]];
        g->mark = next_mark(g->id, &letters);
        other |= g->mark == '+';
    }
    mem_free(rank);
    for (size_t l = 0; l < np; l++) {
        fprintf(out, "  P%-3lld|", (long long)t->lanes[TRACE_PID_P][l].tid);
        for (int c = 0; c < ncol; c++) {
            int64_t g = best[l * (size_t)ncol + (size_t)c];
            GInfo *gi = g > 0 ? ginfo(gs, ng, g) : NULL;
            fputc(!g ? '.' : gi && gi->mark ? gi->mark : '+', out);
        }
        fputs("|\n", out);
    }
    mem_free(best);
    /* The legend, wrapped to the width. */
    StrBuf b = {0};
    int col = 2;
    sb_puts(&b, "  ");
    for (size_t i = 0; i <= ng; i++) { /* i == ng: the '+' item */
        char item[200];
        if (i == ng && other)
            snprintf(item, sizeof item, "+ other goroutines");
        else if (i < ng && gs[i].mark && gs[i].mark != '+')
            snprintf(item, sizeof item, "%c G%lld %s", gs[i].mark, (long long)gs[i].id,
                     gs[i].name ? gs[i].name : "?");
        else
            continue;
        int n = cols(item);
        if (col > 2 && col + 3 + n > width) {
            sb_puts(&b, "\n  ");
            col = 2;
        } else if (col > 2) {
            sb_puts(&b, "   ");
            col += 3;
        }
        put_cell(&b, item, n, false);
        col += n;
    }
    fprintf(out, "%s\n", b.p ? b.p : "");
    sb_free(&b);
}

/* User regions (trace.StartRegion, WithRegion), by name in order of first
 * appearance: how many, their total and longest time, on how many
 * goroutines.  Nothing when the trace has none. */
typedef struct RegionSum {
    const char *name;
    size_t n, ngs;
    double total, longest;
    int64_t last_g; /* goroutines are counted as lanes come, in tid (so goroutine) order */
} RegionSum;

static void regions(const Trace *t, FILE *out, int width) {
    RegionSum *rs = NULL;
    size_t nr = 0;
    for (size_t l = 0; l < t->nlanes[TRACE_PID_R]; l++) {
        const TraceLane *lane = &t->lanes[TRACE_PID_R][l];
        for (size_t i = 0; i < lane->n; i++) {
            const TraceSlice *s = &lane->s[i];
            size_t k = 0;
            while (k < nr && strcmp(rs[k].name, s->name))
                k++;
            if (k == nr) {
                rs = mem_realloc(rs, (nr + 1) * sizeof *rs);
                rs[nr++] = (RegionSum){s->name, 0, 0, 0, 0, -1};
            }
            rs[k].n++;
            rs[k].total += s->dur;
            if (s->dur > rs[k].longest)
                rs[k].longest = s->dur;
            if (s->g != rs[k].last_g) {
                rs[k].ngs++;
                rs[k].last_g = s->g;
            }
        }
    }
    if (!nr)
        return;
    int wname = 6;
    for (size_t k = 0; k < nr; k++)
        if (cols(rs[k].name) > wname)
            wname = cols(rs[k].name);
    if (wname > width - 50)
        wname = width - 50;
    StrBuf b = {0};
    sb_puts(&b, "Regions (trace.StartRegion, WithRegion)\n  ");
    put_cell(&b, "region", wname, false);
    sb_puts(&b, "  count       total     longest  goroutines\n");
    for (size_t k = 0; k < nr; k++) {
        char tot[32], lon[32], line[96];
        fmt_dur(rs[k].total, tot, sizeof tot);
        fmt_dur(rs[k].longest, lon, sizeof lon);
        sb_puts(&b, "  ");
        put_cell(&b, rs[k].name, wname, false);
        snprintf(line, sizeof line, "  %5zu  %10s  %10s  %10zu\n", rs[k].n, tot, lon, rs[k].ngs);
        sb_puts(&b, line);
    }
    fprintf(out, "%s\n", b.p);
    sb_free(&b);
    mem_free(rs);
}

/* Steals, GOMAXPROCS changes, collections, P hand-offs and trace.Log
 * messages, counted. */
static void marks(const Trace *t, FILE *out) {
    size_t steals = 0, procs = 0, gcs = 0, handoffs = 0, logs = 0;
    double stopped = 0, since = -1;
    for (size_t i = 0; i < t->nmarks; i++) {
        const char *n = t->marks[i].name;
        if (t->marks[i].pid == TRACE_PID_G)
            logs++;
        else if (!strncmp(n, "steal ", 6))
            steals++;
        else if (!strncmp(n, "GOMAXPROCS=", 11))
            procs++;
        else if (strstr(n, " handed off"))
            handoffs++;
        else if (!strcmp(n, "GC: stop the world")) {
            gcs++;
            since = t->marks[i].ts;
        } else if (!strcmp(n, "GC: start the world") && since >= 0) {
            stopped += t->marks[i].ts - since;
            since = -1;
        }
    }
    char d[32];
    fmt_dur(stopped, d, sizeof d);
    fprintf(out, "Events: %zu steal%s, %zu GOMAXPROCS change%s, %zu collection%s (world stopped %s)", steals,
            steals == 1 ? "" : "s", procs, procs == 1 ? "" : "s", gcs, gcs == 1 ? "" : "s", d);
    if (handoffs)
        fprintf(out, ",\n        %zu P%s handed off by a thread in C", handoffs, handoffs == 1 ? "" : "s");
    if (logs)
        fprintf(out, ",\n        %zu trace.Log message%s", logs, logs == 1 ? "" : "s");
    fputc('\n', out);
}

void trace_summary(const Trace *t, FILE *out, int width) {
    if (width < 72) /* the narrowest the table and the timeline read well */
        width = 72;
    size_t ng;
    GInfo *gs = gather(t, &ng);
    char span[32];
    fmt_dur(t->t1 - t->t0, span, sizeof span);
    fprintf(out, "Goroutines (%zu, in a trace of %s; times are totals)\n", ng, span);
    goroutine_table(gs, ng, out, width);
    fprintf(out, "\nProcessors (busy: running a goroutine)\n");
    processors(t, out, width);
    fputc('\n', out);
    timeline(t, gs, ng, out, width);
    fputc('\n', out);
    regions(t, out, width);
    marks(t, out);
    if (t->truncated) {
        StrBuf note = {0};
        put_cell(&note, t->truncated, cols(t->truncated), false);
        fprintf(out, "Note: %s\n", note.p ? note.p : "");
        sb_free(&note);
    }
    for (size_t i = 0; i < ng; i++)
        mem_free(gs[i].reasons);
    mem_free(gs);
}
