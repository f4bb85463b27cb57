/* repl/tour.c — `csp tour`: list the lessons, show one in the terminal, copy
 * its program out.  (Running it is the command line's job: repl/cli.c.)
 *
 * A lesson is the small Markdown subset docs/tour uses: headings, paragraphs
 * hard-wrapped in the source, "- " and "N. " list items, fenced code blocks,
 * `code`, **bold**, *emphasis* and [links](...), and a "---" line before the
 * navigation links, which only make sense on the web.  Paragraphs are joined
 * and re-wrapped to the terminal's width; Chinese has no spaces between
 * words, so a line may break between any two wide characters (but not before
 * closing punctuation), and joining two source lines adds a space only
 * between two narrow characters. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/utf8.h"
#include "repl/tour.h"

#define BOLD "\033[1m"
#define CODE "\033[36m"
#define RESET "\033[0m"

TourLang tour_env_lang(void) {
    const char *v = getenv("LC_ALL");
    if (!v || !*v)
        v = getenv("LANG");
    return v && !strncmp(v, "zh", 2) ? TOUR_ZH : TOUR_EN;
}

/* East Asian wide and fullwidth characters: two columns. */
static bool wide(int32_t r) {
    return (r >= 0x1100 && r <= 0x115F) || (r >= 0x2E80 && r <= 0xA4CF) || (r >= 0xAC00 && r <= 0xD7A3) ||
           (r >= 0xF900 && r <= 0xFAFF) || (r >= 0xFE30 && r <= 0xFE4F) || (r >= 0xFF00 && r <= 0xFF60) ||
           (r >= 0xFFE0 && r <= 0xFFE6);
}

/* Punctuation that must not begin a line. */
static bool closing(int32_t r) {
    static const int32_t marks[] = {0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF1F,
                                    0xFF01, 0xFF09, 0x300D, 0x300F, 0x300B, 0x201D};
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if (r == marks[i])
            return true;
    return false;
}

/* Columns s[0..n) takes on the screen; escape sequences take none. */
static int columns(const char *s, size_t n) {
    int w = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\033') {
            while (i < n && s[i] != 'm')
                i++;
            i++;
            continue;
        }
        int32_t r;
        i += (size_t)utf8_decode(s + i, n - i, &r);
        w += wide(r) ? 2 : 1;
    }
    return w;
}

int tour_term_width(void) {
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *c = getenv("COLUMNS");
    int w = c ? atoi(c) : 0;
    return w >= 20 ? w : 80;
}

/* The inline markup of a paragraph: `code` kept (coloured on a terminal,
 * with its backticks otherwise), bold and emphasis marks dropped (bold on a
 * terminal), [text](target) reduced to its text. */
static void inline_markup(const char *s, size_t n, bool tty, StrBuf *out) {
    bool in_code = false, in_bold = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '`') {
            in_code = !in_code;
            if (tty)
                sb_puts(out, in_code ? CODE : RESET);
            else
                sb_putc(out, c);
        } else if (in_code) {
            sb_putc(out, c);
        } else if (c == '*') {
            if (i + 1 < n && s[i + 1] == '*') {
                i++;
                in_bold = !in_bold;
                if (tty)
                    sb_puts(out, in_bold ? BOLD : RESET);
            }
        } else if (c == '[' && memchr(s + i, ']', n - i)) {
            const char *close = memchr(s + i, ']', n - i);
            size_t j = (size_t)(close - s);
            if (j + 1 < n && s[j + 1] == '(' && memchr(s + j, ')', n - j)) {
                inline_markup(s + i + 1, j - i - 1, tty, out);
                i = (size_t)((const char *)memchr(s + j, ')', n - j) - s);
            } else {
                sb_putc(out, c);
            }
        } else {
            sb_putc(out, c);
        }
    }
    if (tty && (in_code || in_bold))
        sb_puts(out, RESET);
}

/* Print text wrapped to width: the first line after `first`, the others
 * after `indent` spaces. */
static void wrap(const char *text, size_t n, const char *first, int indent, int width) {
    fputs(first, stdout);
    int col = columns(first, strlen(first)), avail = width > indent + 10 ? width : indent + 10;
    bool line_empty = true;
    size_t i = 0;
    while (i < n) {
        bool space = false;
        while (i < n && text[i] == ' ') {
            space = true;
            i++;
        }
        if (i >= n)
            break;
        /* One unit: a wide character (with any closing punctuation after
         * it), or a run of narrow ones up to a space or a wide character. */
        size_t start = i;
        int32_t r;
        int w = utf8_decode(text + i, n - i, &r);
        if (wide(r)) {
            i += (size_t)w;
        } else {
            while (i < n && text[i] != ' ') {
                w = utf8_decode(text + i, n - i, &r);
                if (wide(r) && !closing(r))
                    break;
                i += (size_t)w;
            }
        }
        while (i < n) {
            w = utf8_decode(text + i, n - i, &r);
            if (!closing(r))
                break;
            i += (size_t)w;
        }
        int uw = columns(text + start, i - start);
        int need = uw + (space && !line_empty ? 1 : 0);
        if (!line_empty && col + need > avail) {
            printf("\n%*s", indent, "");
            col = indent;
            need = uw;
        } else if (space && !line_empty) {
            putchar(' ');
        }
        fwrite(text + start, 1, i - start, stdout);
        col += need;
        line_empty = false;
    }
    putchar('\n');
}

static bool is_keyword(const char *s, size_t n) {
    static const char *const kw[] = {"break",  "case",   "chan",   "const", "continue", "default", "defer",
                                     "else",   "for",    "func",   "go",    "goto",     "if",      "import",
                                     "range",  "return", "select", "struct", "switch",  "type",    "var",
                                     "nil",    "true",   "false",  "make",  "close",    "append",  "len",
                                     "cap",    "panic",  "recover"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (strlen(kw[i]) == n && !memcmp(kw[i], s, n))
            return true;
    return false;
}

/* One line of csp, coloured: keywords and builtins, strings, comments. */
static void highlight(const char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        char c = s[i];
        if (c == '/' && i + 1 < n && s[i + 1] == '/') {
            printf("\033[90m%.*s" RESET, (int)(n - i), s + i);
            return;
        }
        if (c == '"' || c == '\'' || c == '`') {
            size_t j = i + 1;
            while (j < n && s[j] != c)
                j += s[j] == '\\' && c != '`' && j + 1 < n ? 2 : 1;
            j = j < n ? j + 1 : n;
            printf("\033[32m%.*s" RESET, (int)(j - i), s + i);
            i = j;
        } else if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            size_t j = i;
            while (j < n && (s[j] == '_' || (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                             (s[j] >= '0' && s[j] <= '9')))
                j++;
            if (is_keyword(s + i, j - i))
                printf("\033[35m%.*s" RESET, (int)(j - i), s + i);
            else
                fwrite(s + i, 1, j - i, stdout);
            i = j;
        } else {
            putchar(c);
            i++;
        }
    }
}

/* The title of a lesson: its first line, "# N. Title", without "# N. ". */
static const char *title_of(const TourLesson *l, TourLang lang, size_t *len) {
    const char *t = l->text[lang];
    t += strspn(t, "# ");
    t += strspn(t, "0123456789");
    t += strspn(t, ". ");
    *len = strcspn(t, "\n");
    return t;
}

void tour_list(TourLang lang, bool in_repl) {
    puts(lang == TOUR_ZH ? "csp 并发之旅" : "A tour of concurrency in csp");
    putchar('\n');
    for (int i = 0; i < tour_count; i++) {
        size_t len;
        const char *t = title_of(&tour_lessons[i], lang, &len);
        printf("  %2d  %.*s\n", i + 1, (int)len, t);
    }
    putchar('\n');
    if (in_repl)
        fputs(lang == TOUR_ZH ? ":tour N [en|zh]    阅读第 N 课，并把它的程序载入会话（main() 运行它）\n"
                              : ":tour N [en|zh]    read lesson N and load its program into the session (main() runs it)\n",
              stdout);
    else
        tour_usage(lang, false);
}

void tour_usage(TourLang lang, bool full) {
    if (full)
        printf("usage: csp tour [N] [--run | --edit] [--lang en|zh]\n"
               "       csp tour check N FILE.csp [--lang en|zh]\n\n"
               "csp tour            %s\n",
               lang == TOUR_ZH ? "列出所有课程" : "the list of lessons");
    if (lang == TOUR_ZH)
        fputs("csp tour N          阅读第 N 课\n"
              "csp tour N --run    运行第 N 课的程序\n"
              "csp tour N --edit   把程序复制到当前目录，方便修改\n"
              "csp tour check N FILE.csp\n"
              "                    检查第 N 课练习的答案\n",
              stdout);
    else
        fputs("csp tour N          read lesson N\n"
              "csp tour N --run    run lesson N's program\n"
              "csp tour N --edit   copy the program to the current directory to change it\n"
              "csp tour check N FILE.csp\n"
              "                    check your answer to lesson N's exercise\n",
              stdout);
    if (full && lang == TOUR_ZH)
        fputs("                    FILE.csp 会按练习的要求运行（涉及竞争或泄漏的课，还会在 -race、\n"
              "                    -leaks 和 csp explore 的 50 种调度下运行），检查输出的行、退出状态、\n"
              "                    有没有数据竞争、死锁、泄漏的协程和运行时间；第一个不满足的地方用\n"
              "                    一句话说明。通过时退出状态为 0，否则为 1。\n",
              stdout);
    else if (full)
        fputs("                    FILE.csp is run (also under -race, -leaks and the 50\n"
              "                    schedules of csp explore where the lesson is about races or\n"
              "                    leaks, each outcome replayed by its seed) against\n"
              "                    what the exercise asks: lines of output, the exit status, no\n"
              "                    data race, no deadlock, no leaked goroutine, the time taken;\n"
              "                    the first thing wrong is said in one sentence.  The exit\n"
              "                    status is 0 if the answer passes, 1 if not.\n",
              stdout);
    fputs(lang == TOUR_ZH ? "--lang en|zh        选择语言（默认按 LC_ALL / LANG）\n"
                          : "--lang en|zh        the language (default: from LC_ALL / LANG)\n",
          stdout);
    if (full)
        fputs(lang == TOUR_ZH ? "\n在 REPL 里，:tour N 阅读第 N 课并载入它的程序（main() 运行它）。\n"
                              : "\nIn the REPL, :tour N reads lesson N and loads its program (main() runs it).\n",
              stdout);
}

/* Print the paragraph gathered so far, if any. */
static void flush(StrBuf *para, const char *marker, bool tty, int width) {
    if (!para->len)
        return;
    StrBuf text = {0};
    inline_markup(para->p, para->len, tty, &text);
    wrap(text.p, text.len, marker, columns(marker, strlen(marker)), width);
    sb_free(&text);
    para->len = 0;
}

/* Append a source line to a paragraph: a space between two narrow
 * characters, none next to a wide one. */
static void join(StrBuf *para, const char *s, size_t n) {
    if (para->len && n) {
        int32_t last, next;
        utf8_decode_last(para->p, para->len, &last);
        utf8_decode(s, n, &next);
        if (!wide(last) && !wide(next))
            sb_putc(para, ' ');
    }
    sb_put(para, s, n);
}

static size_t list_marker(const char *s, size_t n) {
    if (n >= 2 && s[0] == '-' && s[1] == ' ')
        return 2;
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9')
        d++;
    return d && d + 1 < n && s[d] == '.' && s[d + 1] == ' ' ? d + 2 : 0;
}

void tour_show(int n, TourLang lang, int width, bool tty, bool in_repl) {
    const char *md = tour_lessons[n - 1].text[lang];
    StrBuf para = {0};
    char marker[16] = "";
    bool in_code = false, csp_code = false;
    for (const char *line = md; *line;) {
        size_t len = strcspn(line, "\n");
        const char *next = line[len] ? line + len + 1 : line + len;
        if (!strncmp(line, "```", 3)) {
            flush(&para, marker, tty, width);
            marker[0] = 0; /* a block ends a list item */
            in_code = !in_code;
            csp_code = in_code && len > 3 && !strncmp(line + 3, "csp", 3);
        } else if (in_code) {
            fputs("    ", stdout);
            if (tty && csp_code)
                highlight(line, len);
            else
                fwrite(line, 1, len, stdout);
            putchar('\n');
        } else if (len == 3 && !strncmp(line, "---", 3)) {
            break; /* the web page's navigation links */
        } else if (len == 0) {
            flush(&para, marker, tty, width);
            marker[0] = 0;
            putchar('\n');
        } else if (line[0] == '#') {
            flush(&para, marker, tty, width);
            size_t h = strspn(line, "#");
            const char *t = line + h + strspn(line + h, " ");
            int tl = (int)(len - (size_t)(t - line));
            printf(tty ? BOLD "%.*s" RESET "\n" : "%.*s\n", tl, t);
            int cols = columns(t, (size_t)tl);
            for (int i = 0; i < cols; i++)
                putchar(h == 1 ? '=' : '-');
            putchar('\n');
        } else if (list_marker(line, len)) {
            flush(&para, marker, tty, width);
            size_t m = list_marker(line, len);
            snprintf(marker, sizeof marker, "%.*s", (int)m, line);
            join(&para, line + m, len - m);
        } else {
            size_t sp = strspn(line, " ");
            join(&para, line + sp, len - sp);
        }
        line = next;
    }
    flush(&para, marker, tty, width);
    sb_free(&para);
    if (in_repl) { /* the REPL says what it loaded */
    } else if (lang == TOUR_ZH) {
        printf("\n运行程序：csp tour %d --run    修改程序：csp tour %d --edit", n, n);
        if (n < tour_count)
            printf("    下一课：csp tour %d", n + 1);
        putchar('\n');
    } else {
        printf("\nRun it: csp tour %d --run    Change it: csp tour %d --edit", n, n);
        if (n < tour_count)
            printf("    Next: csp tour %d", n + 1);
        putchar('\n');
    }
}

/* Whether a top-level chunk starting with this line is a declaration. */
static bool declaration(const char *line) {
    static const char *const words[] = {"import", "func", "type", "const", "var"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (!strncmp(line, words[i], n) && (line[n] == ' ' || line[n] == '(' || line[n] == '\t'))
            return true;
    }
    return false;
}

void tour_session_source(int n, StrBuf *out, StrBuf *funcs) {
    const char *code = tour_lessons[n - 1].code;
    StrBuf body = {0};
    /* Each line goes to the declarations or to main's body: a chunk is a
     * line at column 0 with the indented and closing lines after it, and
     * the comment lines before it. */
    bool decl = false;
    const char *comments = NULL; /* the comment lines waiting for their chunk */
    int pending = 0;             /* how many */
    for (const char *line = code; *line;) {
        size_t len = strcspn(line, "\n");
        const char *next = line[len] ? line + len + 1 : line + len;
        bool top = len && line[0] != ' ' && line[0] != '\t' && line[0] != '}' && line[0] != ')';
        if (top && !strncmp(line, "//", 2)) {
            if (!pending++)
                comments = line;
            line = next;
            continue;
        }
        if (top) {
            decl = declaration(line);
            if (decl && !strncmp(line, "func ", 5) && line[5] != '(') /* a method's name is its type's business */
                sb_printf(funcs, "%s%.*s", funcs->len ? ", " : "", (int)strcspn(line + 5, "("), line + 5);
        }
        if (pending) { /* the comments go with the chunk they precede */
            for (int i = 0; i < pending; i++) {
                size_t cl = strcspn(comments, "\n");
                sb_put(decl ? out : &body, comments, cl);
                sb_putc(decl ? out : &body, '\n');
                if (!decl)
                    sb_putc(out, '\n'); /* declarations keep their lines */
                comments += cl + 1;
            }
            pending = 0;
        }
        if (decl) {
            sb_put(out, line, len);
        } else if (len) {
            sb_putc(&body, '\t');
            sb_put(&body, line, len);
        }
        sb_putc(out, '\n');
        if (!decl)
            sb_putc(&body, '\n');
        line = next;
    }
    sb_puts(out, "func main() {\n");
    sb_put(out, body.p ? body.p : "", body.len);
    sb_puts(out, "}\n");
    sb_free(&body);
}

int tour_edit(int n) {
    const TourLesson *l = &tour_lessons[n - 1];
    char path[256];
    snprintf(path, sizeof path, "%s.csp", l->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            fprintf(stderr, "csp tour: %s already exists; not overwriting it\n", path);
        else
            fprintf(stderr, "csp tour: %s: %s\n", path, strerror(errno));
        return 1;
    }
    size_t len = strlen(l->code);
    bool ok = write(fd, l->code, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "csp tour: writing %s: %s\n", path, strerror(errno));
        return 1;
    }
    printf("wrote %s; run it with: csp %s\n", path, path);
    return 0;
}
