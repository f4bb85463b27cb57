/* repl/trace.c — the `csp trace` command: the summary (repl/trace_summary.c)
 * or the page: repl/trace_page.html, compiled in (repl/page_gen.py writes
 * trace_page.c), with the trace's JSON inside it, so that the one file
 * works offline. */
#include <errno.h>
#include <string.h>

#include "base/mem.h"
#include "repl/tour.h"
#include "repl/trace.h"

extern const char trace_page_html[];

/* The trace inside <script type="application/json">: only "</script" could
 * end that element early, and in checked JSON a '<' can only be inside a
 * string, where \u003c means the same. */
static void put_json(const Trace *t, FILE *out) {
    const char *s = t->text, *end = t->text + t->len;
    if (t->len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    while (s < end) {
        const char *lt = memchr(s, '<', (size_t)(end - s));
        size_t n = lt ? (size_t)(lt - s) : (size_t)(end - s);
        fwrite(s, 1, n, out);
        if (!lt)
            break;
        fputs("\\u003c", out);
        s = lt + 1;
    }
}

static void put_html_text(const char *s, FILE *out) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
    }
}

void trace_html(const Trace *t, const char *title, FILE *out) {
    static const char *const holes[] = {"__TRACE_TITLE__", "__TRACE_JSON__"};
    const char *s = trace_page_html;
    for (;;) {
        const char *next = NULL;
        int which = -1;
        for (int i = 0; i < 2; i++) {
            const char *h = strstr(s, holes[i]);
            if (h && (!next || h < next)) {
                next = h;
                which = i;
            }
        }
        if (!next) {
            fputs(s, out);
            return;
        }
        fwrite(s, 1, (size_t)(next - s), out);
        if (which == 0)
            put_html_text(title, out);
        else
            put_json(t, out);
        s = next + strlen(holes[which]);
    }
}

static const char trace_usage[] =
    "usage: csp trace FILE                    a summary of the trace FILE (csp -trace FILE prog.csp)\n"
    "       csp trace -html FILE -o PAGE.html  the trace as a page to open in a browser (docs/trace.md)\n";

static int usage_error(const char *msg, const char *arg) {
    fprintf(stderr, "csp trace: ");
    fprintf(stderr, msg, arg);
    fputc('\n', stderr);
    fputs(trace_usage, stderr);
    return 2;
}

/* FILE.json -> FILE.html */
static char *default_page(const char *file) {
    size_t n = strlen(file);
    if (n > 5 && !strcmp(file + n - 5, ".json"))
        n -= 5;
    char *page = mem_alloc(n + 6);
    memcpy(page, file, n);
    memcpy(page + n, ".html", 6);
    return page;
}

int trace_main(int argc, char **argv) {
    bool html = false;
    const char *file = NULL, *page = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2] ? argv[i] + 1 : argv[i];
        if (!strcmp(a, "-help") || !strcmp(a, "-h")) {
            fputs(trace_usage, stdout);
            return 0;
        } else if (!strcmp(a, "-html"))
            html = true;
        else if (!strcmp(a, "-o")) {
            if (i + 1 >= argc)
                return usage_error("-o needs a file name%s", "");
            page = argv[++i];
        } else if (a[0] == '-' && a[1])
            return usage_error("unknown flag %s", argv[i]);
        else if (file)
            return usage_error("unexpected argument %s", argv[i]);
        else
            file = argv[i];
    }
    if (!file)
        return usage_error("no trace file given%s", "");
    if (page && !html)
        return usage_error("-o goes with -html%s", "");
    Trace t;
    char err[512];
    if (trace_load(file, &t, err, sizeof err) < 0) {
        fprintf(stderr, "csp trace: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (!html) {
        trace_summary(&t, stdout, tour_term_width());
    } else {
        char *def = page ? NULL : default_page(file);
        const char *path = page ? page : def;
        FILE *out = fopen(path, "wb");
        if (!out) {
            fprintf(stderr, "csp trace: create %s: %s\n", path, strerror(errno));
            rc = 1;
        } else {
            const char *base = strrchr(file, '/');
            trace_html(&t, base ? base + 1 : file, out);
            if (fclose(out) != 0) {
                fprintf(stderr, "csp trace: write %s: %s\n", path, strerror(errno));
                rc = 1;
            } else
                fprintf(stderr, "csp trace: wrote %s (%zu slices); open it in a browser\n", path, t.nx);
        }
        mem_free(def);
    }
    trace_free(&t);
    return rc;
}
