/* base/json.c — the JSON reader (base/json.h): recursive descent with a
 * depth bound, values in an arena, array items and object members gathered
 * on two scratch stacks (a nested container pops its own before its parent
 * goes on) and copied into the arena when the container closes. */
#include "base/json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
} Chunk;

struct JsonDoc {
    Chunk *chunks;
    JsonValue root;
};

typedef struct Parser {
    const char *s, *end, *start;
    JsonDoc *doc;
    JsonValue *items; /* scratch stack of array items */
    size_t nitems, capitems;
    JsonMember *members; /* scratch stack of object members */
    size_t nmembers, capmembers;
    char *err;
    size_t errcap;
    bool failed;
} Parser;

static void *arena_alloc(JsonDoc *d, size_t n) {
    n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
    Chunk *c = d->chunks;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = mem_alloc(sizeof(Chunk) + cap);
        c->cap = cap;
        c->used = 0;
        /* A big block goes behind the current chunk, which keeps its room. */
        if (d->chunks && cap == n) {
            c->next = d->chunks->next;
            d->chunks->next = c;
        } else {
            c->next = d->chunks;
            d->chunks = c;
        }
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

/* Record the first error, at the current position. */
static void fail(Parser *p, const char *fmt, ...) {
    if (p->failed)
        return;
    p->failed = true;
    int line = 1, col = 1;
    for (const char *q = p->start; q < p->s && q < p->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)*q & 0xC0) != 0x80) {
            col++;
        }
    }
    int n = snprintf(p->err, p->errcap, "line %d, column %d: ", line, col);
    if (n < 0 || (size_t)n >= p->errcap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
    va_end(ap);
}

/* How the byte at s reads in a message. */
static const char *shown(Parser *p, char *buf, size_t cap) {
    if (p->s >= p->end)
        return "the end of the input";
    unsigned char c = (unsigned char)*p->s;
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, cap, "'%c'", c);
    else
        snprintf(buf, cap, "byte 0x%02x", c);
    return buf;
}

static void skip_space(Parser *p) {
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static bool literal(Parser *p, const char *word, JsonType type, JsonValue *out) {
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n)) {
        fail(p, "invalid literal (expected %s)", word);
        return false;
    }
    p->s += n;
    out->type = type;
    return true;
}

static bool number(Parser *p, JsonValue *out) {
    const char *b = p->s, *s = p->s, *e = p->end;
    if (s < e && *s == '-')
        s++;
    if (s < e && *s == '0')
        s++;
    else if (s < e && *s >= '1' && *s <= '9')
        while (s < e && *s >= '0' && *s <= '9')
            s++;
    else {
        p->s = s;
        fail(p, "invalid number: a digit must follow '-'");
        return false;
    }
    if (s < e && *s == '.') {
        s++;
        if (s >= e || *s < '0' || *s > '9') {
            p->s = s;
            fail(p, "invalid number: a digit must follow '.'");
            return false;
        }
        while (s < e && *s >= '0' && *s <= '9')
            s++;
    }
    if (s < e && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < e && (*s == '+' || *s == '-'))
            s++;
        if (s >= e || *s < '0' || *s > '9') {
            p->s = s;
            fail(p, "invalid number: the exponent has no digits");
            return false;
        }
        while (s < e && *s >= '0' && *s <= '9')
            s++;
    }
    /* strtod needs a terminated copy; the grammar was checked above, so it
     * reads exactly these bytes (the C locale's '.': csp never sets one). */
    char buf[64];
    size_t n = (size_t)(s - b);
    char *tmp = n < sizeof buf ? buf : mem_alloc(n + 1);
    memcpy(tmp, b, n);
    tmp[n] = 0;
    out->type = JSON_NUMBER;
    out->u.num = strtod(tmp, NULL);
    if (tmp != buf)
        mem_free(tmp);
    p->s = s;
    return true;
}

static int hex4(const char *s) {
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* A \uXXXX escape (s after the 'u'), with its low surrogate if it is a high
 * one; the rune in *r, the bytes read returned (0: invalid). */
static size_t unicode_escape(Parser *p, const char *s, int32_t *r) {
    if (p->end - s < 4 || (*r = hex4(s)) < 0)
        return 0;
    if (*r >= 0xDC00 && *r <= 0xDFFF)
        return 0;
    if (*r < 0xD800 || *r > 0xDBFF)
        return 4;
    int lo;
    if (p->end - s < 10 || s[4] != '\\' || s[5] != 'u' || (lo = hex4(s + 6)) < 0xDC00 || lo > 0xDFFF)
        return 0;
    *r = 0x10000 + ((*r - 0xD800) << 10) + (lo - 0xDC00);
    return 10;
}

static bool string(Parser *p, const char **out, size_t *outlen) {
    const char *s = ++p->s; /* after the opening quote */
    const char *close = s;
    while (close < p->end && *close != '"') /* a bound for the decoded length */
        close += *close == '\\' && close + 1 < p->end ? 2 : 1;
    char *dst = arena_alloc(p->doc, (size_t)(close - s) + 1), *d = dst;
    for (;;) {
        if (s >= p->end) {
            p->s = s;
            fail(p, "unterminated string");
            return false;
        }
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            break;
        if (c < 0x20) {
            p->s = s;
            fail(p, "control character (byte 0x%02x) in a string: it must be escaped", c);
            return false;
        }
        if (c != '\\') {
            *d++ = (char)c;
            s++;
            continue;
        }
        char e = s + 1 < p->end ? s[1] : 0;
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *k = e ? strchr(from, e) : NULL;
        if (k) {
            *d++ = to[k - from];
            s += 2;
        } else if (e == 'u') {
            int32_t r;
            size_t n = unicode_escape(p, s + 2, &r);
            if (!n) {
                p->s = s;
                fail(p, "invalid \\u escape in a string");
                return false;
            }
            char enc[4];
            int w = utf8_encode(r, enc);
            memcpy(d, enc, (size_t)w);
            d += w;
            s += 2 + n;
        } else {
            p->s = s;
            fail(p, "invalid escape in a string");
            return false;
        }
    }
    *d = 0;
    *out = dst;
    *outlen = (size_t)(d - dst);
    p->s = s + 1;
    return true;
}

static bool value(Parser *p, JsonValue *out, int depth);

static void push_item(Parser *p, const JsonValue *v) {
    if (p->nitems == p->capitems) {
        p->capitems = p->capitems ? p->capitems * 2 : 256;
        p->items = mem_realloc(p->items, p->capitems * sizeof *p->items);
    }
    p->items[p->nitems++] = *v;
}

static bool array(Parser *p, JsonValue *out, int depth) {
    size_t base = p->nitems;
    p->s++;
    skip_space(p);
    if (p->s < p->end && *p->s == ']')
        p->s++;
    else
        for (;;) {
            JsonValue v;
            if (!value(p, &v, depth + 1))
                return false;
            push_item(p, &v);
            skip_space(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == ']') {
                p->s++;
                break;
            }
            char buf[16];
            fail(p, "expected ',' or ']' in an array, found %s", shown(p, buf, sizeof buf));
            return false;
        }
    size_t n = p->nitems - base;
    out->type = JSON_ARRAY;
    out->u.arr.n = n;
    out->u.arr.items = n ? arena_alloc(p->doc, n * sizeof(JsonValue)) : NULL;
    if (n)
        memcpy(out->u.arr.items, p->items + base, n * sizeof(JsonValue));
    p->nitems = base;
    return true;
}

static bool object(Parser *p, JsonValue *out, int depth) {
    size_t base = p->nmembers;
    p->s++;
    skip_space(p);
    if (p->s < p->end && *p->s == '}')
        p->s++;
    else
        for (;;) {
            char buf[16];
            skip_space(p);
            if (p->s >= p->end || *p->s != '"') {
                fail(p, "expected a string key in an object, found %s", shown(p, buf, sizeof buf));
                return false;
            }
            JsonMember m;
            if (!string(p, &m.key, &m.key_len))
                return false;
            skip_space(p);
            if (p->s >= p->end || *p->s != ':') {
                fail(p, "expected ':' after an object key, found %s", shown(p, buf, sizeof buf));
                return false;
            }
            p->s++;
            if (!value(p, &m.value, depth + 1))
                return false;
            if (p->nmembers == p->capmembers) {
                p->capmembers = p->capmembers ? p->capmembers * 2 : 64;
                p->members = mem_realloc(p->members, p->capmembers * sizeof *p->members);
            }
            p->members[p->nmembers++] = m;
            skip_space(p);
            if (p->s < p->end && *p->s == ',') {
                p->s++;
                continue;
            }
            if (p->s < p->end && *p->s == '}') {
                p->s++;
                break;
            }
            fail(p, "expected ',' or '}' in an object, found %s", shown(p, buf, sizeof buf));
            return false;
        }
    size_t n = p->nmembers - base;
    out->type = JSON_OBJECT;
    out->u.obj.n = n;
    out->u.obj.members = n ? arena_alloc(p->doc, n * sizeof(JsonMember)) : NULL;
    if (n)
        memcpy(out->u.obj.members, p->members + base, n * sizeof(JsonMember));
    p->nmembers = base;
    return true;
}

static bool value(Parser *p, JsonValue *out, int depth) {
    if (depth > JSON_MAX_DEPTH) {
        fail(p, "nested deeper than %d levels", JSON_MAX_DEPTH);
        return false;
    }
    skip_space(p);
    char buf[16];
    if (p->s >= p->end) {
        fail(p, "unexpected end of the input: expected a value");
        return false;
    }
    switch (*p->s) {
    case '{': return object(p, out, depth);
    case '[': return array(p, out, depth);
    case '"': out->type = JSON_STRING; return string(p, &out->u.str.s, &out->u.str.len);
    case 't': return literal(p, "true", JSON_TRUE, out);
    case 'f': return literal(p, "false", JSON_FALSE, out);
    case 'n': return literal(p, "null", JSON_NULL, out);
    default:
        if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))
            return number(p, out);
        fail(p, "expected a value, found %s", shown(p, buf, sizeof buf));
        return false;
    }
}

void json_free(JsonDoc *doc) {
    if (!doc)
        return;
    for (Chunk *c = doc->chunks, *next; c; c = next) {
        next = c->next;
        mem_free(c);
    }
    mem_free(doc);
}

const JsonValue *json_parse(const char *text, size_t len, JsonDoc **doc, char *err, size_t errcap) {
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    Parser p = {.s = text, .end = text + len, .start = text, .err = err, .errcap = errcap};
    p.doc = mem_calloc(1, sizeof(JsonDoc));
    if (errcap)
        err[0] = 0;
    bool ok = value(&p, &p.doc->root, 0);
    if (ok) {
        skip_space(&p);
        if (p.s < p.end) {
            char buf[16];
            fail(&p, "unexpected %s after the top-level value", shown(&p, buf, sizeof buf));
            ok = false;
        }
    }
    mem_free(p.items);
    mem_free(p.members);
    if (!ok) {
        json_free(p.doc);
        *doc = NULL;
        return NULL;
    }
    *doc = p.doc;
    return &p.doc->root;
}

const JsonValue *json_get(const JsonValue *v, const char *key) {
    if (!v || v->type != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < v->u.obj.n; i++)
        if (v->u.obj.members[i].key_len == n && !memcmp(v->u.obj.members[i].key, key, n))
            return &v->u.obj.members[i].value;
    return NULL;
}

const char *json_str(const JsonValue *v) {
    return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

bool json_num(const JsonValue *v, double *out) {
    if (!v || v->type != JSON_NUMBER)
        return false;
    *out = v->u.num;
    return true;
}
