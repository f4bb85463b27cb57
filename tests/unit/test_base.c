/* tests/unit/test_base.c — the floor, linked with base/ alone (which shows
 * it needs nothing above it): the allocator and its out-of-memory report,
 * the UTF-8 codec against Go's unicode/utf8, the string buffer, the hash,
 * the JSON reader, the runtime lock (RtLock). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/hash.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/rtlock.h"
#include "base/spin.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "tests/unit/check.h"

/* Under ASan (build-asan), a request the allocator cannot meet returns NULL
 * as libc's does, instead of ASan's own report: the OOM tests need that. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "allocator_may_return_null=1";
}

static void test_mem(void) {
    char *z = mem_alloc(0), *c = mem_calloc(0, 8), *r = mem_realloc(NULL, 0);
    CHECK(z && c && r, "zero-size requests get memory, never NULL");
    r = mem_realloc(r, 0);
    CHECK(r != NULL, "realloc to 0 keeps a block (libc's would free it)");
    mem_free(z);
    mem_free(c);
    mem_free(r);
    int *q = mem_calloc(100, sizeof(int));
    int zero = 1;
    for (int i = 0; i < 100; i++)
        zero &= q[i] == 0;
    CHECK(zero, "mem_calloc zeroes");
    mem_free(q);
    char *d = mem_dup("a\0b", 3);
    CHECK(d[0] == 'a' && d[1] == '\0' && d[2] == 'b' && d[3] == '\0', "mem_dup copies NULs and adds one");
    mem_free(d);
    char *s = mem_strndup("hello", 3), *t = mem_strndup("hi", 10), *u = mem_strdup("x");
    CHECK(!strcmp(s, "hel") && !strcmp(t, "hi") && !strcmp(u, "x"), "strndup stops at n or the NUL");
    CHECK(mem_strdup(NULL) == NULL, "mem_strdup(NULL) is NULL");
    mem_free(s);
    mem_free(t);
    mem_free(u);
    printf("ok mem: zero sizes, calloc zeroes, copies\n");
}

static void hook(void) {
    fputs("\ngoroutine 7 [running]:\n", stderr);
}

/* Run f in a child with stderr in a pipe; returns the exit status and the
 * child's stderr in buf. */
static int in_child(void (*f)(void), char *buf, size_t cap) {
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 2);
        close(fd[0]);
        f();
        _exit(0);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(fd[0], buf + n, cap - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = '\0';
    close(fd[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void overflow_alloc(void) {
    volatile size_t n = SIZE_MAX / 4;
    mem_alloc_n(n, 8); /* the product overflows */
}

static void huge_calloc(void) {
    volatile size_t n = SIZE_MAX / 2;
    mem_calloc(n, 4);
}

static void oom_with_hook(void) {
    mem_set_oom_hook(hook);
    volatile size_t n = SIZE_MAX - 4096;
    mem_alloc(n);
}

/* The report is the end of the child's stderr (ASan may warn before it). */
static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

static void test_oom(void) {
    const char *msg = "fatal error: runtime: out of memory\n";
    char out[512];
    int st = in_child(overflow_alloc, out, sizeof out);
    CHECK(st == 2 && !strcmp(out, msg), "overflowing n*size: exit %d, %s", st, out);
    st = in_child(huge_calloc, out, sizeof out);
    CHECK(st == 2 && ends_with(out, msg), "huge calloc: exit %d, %s", st, out);
    st = in_child(oom_with_hook, out, sizeof out);
    CHECK(st == 2 && ends_with(out, "fatal error: runtime: out of memory\n\ngoroutine 7 [running]:\n"),
          "the hook's dump follows the message: exit %d, %s", st, out);
    printf("ok oom: Go's message, the hook, exit 2\n");
}

static void test_utf8(void) {
    /* Go: utf8.DecodeRuneInString on each input (rune, size) */
    static const struct {
        const char *s;
        size_t n;
        int32_t r;
        int w;
    } dec[] = {
        {"a", 1, 'a', 1},
        {"\xC3\xA9", 2, 0xE9, 2},
        {"\xE2\x82\xAC", 3, 0x20AC, 3},
        {"\xF0\x9F\x98\x80", 4, 0x1F600, 4},
        {"\xEF\xBF\xBD", 3, 0xFFFD, 3},       /* a real U+FFFD is 3 bytes */
        {"\xFF", 1, 0xFFFD, 1},               /* never a first byte */
        {"\x80", 1, 0xFFFD, 1},               /* a lone continuation */
        {"\xC0\x80", 2, 0xFFFD, 1},           /* overlong NUL */
        {"\xE0\x80\xAF", 3, 0xFFFD, 1},       /* overlong '/' */
        {"\xED\xA0\x80", 3, 0xFFFD, 1},       /* surrogate U+D800 */
        {"\xF4\x90\x80\x80", 4, 0xFFFD, 1},   /* U+110000 */
        {"\xE2\x82", 2, 0xFFFD, 1},           /* truncated */
        {"\xF0\x9F\x98\x80", 3, 0xFFFD, 1},   /* cut by n */
        {"\xC3(", 2, 0xFFFD, 1},              /* bad continuation */
        {"\xF4\x8F\xBF\xBF", 4, 0x10FFFF, 4}, /* the largest rune */
    };
    for (size_t i = 0; i < sizeof dec / sizeof dec[0]; i++) {
        int32_t r;
        int w = utf8_decode(dec[i].s, dec[i].n, &r);
        CHECK(r == dec[i].r && w == dec[i].w, "decode #%zu: got U+%04X/%d, want U+%04X/%d", i, (unsigned)r, w,
              (unsigned)dec[i].r, dec[i].w);
    }
    int32_t r;
    int w = utf8_decode_last("a\xE2\x82\xAC", 4, &r);
    CHECK(r == 0x20AC && w == 3, "decode_last of a 3-byte rune");
    w = utf8_decode_last("a\x82\xAC", 3, &r);
    CHECK(r == 0xFFFD && w == 1, "decode_last of stray continuations");
    CHECK(utf8_count("a\xC3\xA9\xFF\xE2\x82\xAC", 7) == 4, "count: a, é, invalid byte, €");
    char buf[UTF8_MAX_BYTES];
    CHECK(utf8_encode(0x1F600, buf) == 4 && !memcmp(buf, "\xF0\x9F\x98\x80", 4), "encode 4 bytes");
    CHECK(utf8_encode(0xD800, buf) == 3 && !memcmp(buf, "\xEF\xBF\xBD", 3), "a surrogate encodes U+FFFD");
    CHECK(utf8_encode(-1, buf) == 3 && utf8_encode(0x110000, buf) == 3, "out of range encodes U+FFFD");
    /* every valid rune round-trips */
    int bad = 0;
    for (int32_t c = 0; c <= UTF8_MAX_RUNE; c++) {
        if (!utf8_valid_rune(c))
            continue;
        int n = utf8_encode(c, buf);
        bad += utf8_decode(buf, (size_t)n, &r) != n || r != c;
    }
    CHECK(bad == 0, "%d runes do not round-trip", bad);
    printf("ok utf8: Go's decoding of invalid input, encoding, round trip\n");
}

static void test_strbuf(void) {
    StrBuf b;
    sb_init(&b);
    sb_put(&b, "", 0);
    CHECK(b.p && b.len == 0 && b.p[0] == '\0', "an empty put leaves a valid C string");
    sb_putc(&b, 'a');
    sb_puts(&b, "bc");
    sb_printf(&b, "%d-%s", 42, "x");
    CHECK_SB(&b, "abc42-x", "putc/puts/printf");
    /* a printf longer than the free space takes the second pass */
    char big[1000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sb_printf(&b, "[%s]", big);
    CHECK(b.len == 7 + 1001 && b.p[b.len] == '\0' && b.p[b.len - 1] == ']' && b.p[8] == 'z', "long printf");
    sb_free(&b);
    CHECK(b.p == NULL && b.len == 0 && b.cap == 0, "sb_free resets");

    StrBuf r = {0}; /* zeroed is valid too */
    sb_put_rune(&r, 'A');
    sb_put_rune(&r, 0xE9);    /* é */
    sb_put_rune(&r, 0x20AC);  /* € */
    sb_put_rune(&r, 0x1F600); /* 😀 */
    CHECK_SB(&r, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", "UTF-8 encoding of 1-4 byte runes");
    r.len = 0;
    sb_put_rune(&r, -1);
    sb_put_rune(&r, 0xD800);
    sb_put_rune(&r, 0x110000);
    CHECK_SB(&r, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "invalid runes become U+FFFD");
    sb_free(&r);

    StrBuf g = {0};
    for (int i = 0; i < 100000; i++)
        sb_putc(&g, (char)('a' + i % 26));
    CHECK(g.len == 100000 && g.p[g.len] == '\0' && g.p[99999] == 'a' + 99999 % 26, "growth by putc");
    sb_free(&g);
    printf("ok strbuf: put, printf growth, runes\n");
}

static void test_hash(void) {
    CHECK(hash_bytes("", 0) != 0 && hash_str("hello") == hash_bytes("hello", 5), "never 0; str = bytes");
    CHECK(hash_bytes("hello", 5) != hash_bytes("hellp", 5), "a one-byte change changes the hash");
    CHECK(hash_bytes("a\0b", 3) != hash_bytes("a\0c", 3), "bytes after a NUL count");
    CHECK(hash_bytes("abcdefgh1", 9) != hash_bytes("abcdefgh2", 9), "the tail after whole words counts");
    /* spread: 4096 keys into 1024 buckets leave few empty (a random hash: ~18) */
    int buckets[1024] = {0}, empty = 0;
    char key[32];
    for (int i = 0; i < 4096; i++) {
        int n = snprintf(key, sizeof key, "name%d", i);
        buckets[hash_bytes(key, (size_t)n) & 1023]++;
    }
    for (int i = 0; i < 1024; i++)
        empty += buckets[i] == 0;
    CHECK(empty < 60, "%d of 1024 buckets empty", empty);
    spin_pause_n(4); /* compiles to the CPU's hint and returns */
    printf("ok hash: deterministic, spread; spin\n");
}

/* Parse text; NULL (and the message in err) when refused. */
static const JsonValue *parse(const char *text, JsonDoc **doc, char *err) {
    return json_parse(text, strlen(text), doc, err, 200);
}

static void test_json(void) {
    JsonDoc *doc;
    char err[200];
    const JsonValue *v = parse(" {\"a\": [1, -2.5e1, true, false, null, \"x\"], \"b\": {}, \"a\": 0} ", &doc, err);
    CHECK(v && v->type == JSON_OBJECT && v->u.obj.n == 3, "an object of three members: %s", err);
    const JsonValue *a = json_get(v, "a");
    double d = 0;
    CHECK(a && a->type == JSON_ARRAY && a->u.arr.n == 6, "the first of two \"a\" members");
    CHECK(a && json_num(&a->u.arr.items[1], &d) && d == -25, "-2.5e1 is -25");
    CHECK(a && a->u.arr.items[2].type == JSON_TRUE && a->u.arr.items[4].type == JSON_NULL, "literals");
    CHECK(a && !strcmp(json_str(&a->u.arr.items[5]), "x") && !json_str(&a->u.arr.items[0]), "strings");
    CHECK(json_get(v, "b")->u.obj.n == 0 && !json_get(v, "c") && !json_get(a, "a"), "missing members");
    json_free(doc);
    /* Escapes decode to UTF-8; a pair of surrogates is one rune; \u0000 stays. */
    v = parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u4e2d\\ud83d\\ude00\\u0000z\"", &doc, err);
    CHECK(v && v->u.str.len == 19 && !memcmp(v->u.str.s, "\"\\/\b\f\n\r\t\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\0z", 20),
          "escapes: %s", v ? v->u.str.s : err);
    json_free(doc);
    v = parse("\xEF\xBB\xBF[]", &doc, err);
    CHECK(v && v->type == JSON_ARRAY && v->u.arr.n == 0, "a byte-order mark is skipped");
    json_free(doc);
    /* Refusals say where and why. */
    static const struct { const char *text, *want; } bad[] = {
        {"", "line 1, column 1: unexpected end of the input: expected a value"},
        {"[1,\n 2,\n ]", "line 3, column 2: expected a value, found ']'"},
        {"{\"k\" 1}", "line 1, column 6: expected ':' after an object key, found '1'"},
        {"\"\\ud800\\u0041\"", "line 1, column 2: invalid \\u escape in a string"},
        {"\"\\udc00\"", "invalid \\u escape"},
        {"\"\t\"", "control character (byte 0x09) in a string"},
        {"1.", "a digit must follow '.'"},
        {"-01", "unexpected '1' after the top-level value"},
        {"[] []", "line 1, column 4: unexpected '[' after the top-level value"},
        {"nul", "invalid literal (expected null)"},
        {"\"\xC3\xA9\" x", "line 1, column 5: unexpected 'x'"}, /* columns count runes */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = parse(bad[i].text, &doc, err);
        CHECK(!v && !doc && strstr(err, bad[i].want), "%s: got \"%s\", want \"%s\"", bad[i].text, err, bad[i].want);
    }
    /* Nesting is bounded: deep input is refused, not a stack overflow. */
    char deep[100001];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = 0;
    v = parse(deep, &doc, err);
    CHECK(!v && strstr(err, "nested deeper than 200 levels"), "deep: %s", err);
    memset(deep, '[', JSON_MAX_DEPTH + 1);
    memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
    deep[2 * (JSON_MAX_DEPTH + 1)] = 0;
    v = parse(deep, &doc, err);
    CHECK(v != NULL, "%d levels are allowed: %s", JSON_MAX_DEPTH + 1, err);
    json_free(doc);
    /* A large array: items gathered on the scratch stack, then moved. */
    StrBuf big = {0};
    sb_putc(&big, '[');
    for (int i = 0; i < 100000; i++)
        sb_printf(&big, "%s{\"i\":%d,\"s\":\"%d\"}", i ? "," : "", i, i);
    sb_putc(&big, ']');
    v = json_parse(big.p, big.len, &doc, err, sizeof err);
    CHECK(v && v->u.arr.n == 100000 && json_num(json_get(&v->u.arr.items[99999], "i"), &d) && d == 99999 &&
              !strcmp(json_str(json_get(&v->u.arr.items[5], "s")), "5"),
          "100,000 objects: %s", err);
    json_free(doc);
    sb_free(&big);
    printf("ok json: values, escapes, errors with line and column, depth bound, large arrays\n");
}

/* RtLock: threads adding to a plain counter under it lose no update; a
 * holder that keeps it for a while finds waiters asleep (RTLOCK_SLEEPERS),
 * and its unlock wakes them (else the test hangs). */
enum { LOCK_THREADS = 3, LOCK_ROUNDS = 100000, LOCK_LONG_EVERY = 5000 };
static RtLock test_lock;
static int64_t locked_counter;
static _Atomic int saw_sleepers;

static void *lock_worker(void *arg) {
    (void)arg;
    for (int i = 0; i < LOCK_ROUNDS; i++) {
        rtlock_lock(&test_lock);
        locked_counter++;
        if (i % LOCK_LONG_EVERY == 0) {
            usleep(2000); /* longer than any spin: the others go to sleep */
            if (atomic_load(&test_lock.v) == RTLOCK_SLEEPERS)
                atomic_fetch_add(&saw_sleepers, 1);
        }
        rtlock_unlock(&test_lock);
    }
    return NULL;
}

static void test_rtlock(void) {
    rtlock_init(&test_lock);
    pthread_t t[LOCK_THREADS];
    for (int i = 0; i < LOCK_THREADS; i++)
        pthread_create(&t[i], NULL, lock_worker, NULL);
    for (int i = 0; i < LOCK_THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK(locked_counter == (int64_t)LOCK_THREADS * LOCK_ROUNDS, "rtlock: counter %lld, want %lld",
          (long long)locked_counter, (long long)LOCK_THREADS * LOCK_ROUNDS);
    CHECK(atomic_load(&saw_sleepers) > 0, "rtlock: no waiter ever slept");
    CHECK(atomic_load(&test_lock.v) == RTLOCK_FREE, "rtlock: left held (%u)", atomic_load(&test_lock.v));
    printf("ok rtlock: %d threads x %d, waiters slept and were woken %d times\n", LOCK_THREADS, LOCK_ROUNDS,
           atomic_load(&saw_sleepers));
}

int main(void) {
    test_mem();
    test_oom();
    test_utf8();
    test_strbuf();
    test_hash();
    test_json();
    test_rtlock();
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    return 0;
}
