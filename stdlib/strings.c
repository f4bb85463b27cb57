/* stdlib/strings.c — package strings, with Go's semantics: byte indexes,
 * UTF-8 runes where Go uses runes (Split with "" explodes into UTF-8
 * sequences, Fields splits on Unicode white space, ToUpper maps runes).
 * strings.Builder and strings.Reader are in strings_io.c.
 */
#include <string.h>

#include "stdlib/lib.h"
#include "stdlib/utf8.h"
#include "vm/race.h"

static Value sub(VM *vm, const ObjString *s, size_t from, size_t to) {
    return val_str(vm, s->chars + from, to - from);
}

static int64_t str_index(const ObjString *s, const ObjString *t) {
    if (t->len == 0)
        return 0;
    const char *p = memmem(s->chars, s->len, t->chars, t->len);
    return p ? p - s->chars : -1;
}

static int64_t str_last_index(const ObjString *s, const ObjString *t) {
    if (t->len > s->len)
        return -1;
    for (size_t i = s->len - t->len + 1; i-- > 0;)
        if (!memcmp(s->chars + i, t->chars, t->len))
            return (int64_t)i;
    return -1;
}

static bool has_prefix(const ObjString *s, const ObjString *t) {
    return s->len >= t->len && !memcmp(s->chars, t->chars, t->len);
}

static bool has_suffix(const ObjString *s, const ObjString *t) {
    return s->len >= t->len && !memcmp(s->chars + s->len - t->len, t->chars, t->len);
}

static bool rune_in(const ObjString *set, int32_t r) {
    for (size_t i = 0; i < set->len;) {
        int32_t c;
        i += (size_t)utf8_decode(set->chars + i, set->len - i, &c);
        if (c == r)
            return true;
    }
    return false;
}

static int64_t index_rune(const ObjString *s, int64_t r) {
    for (size_t i = 0; i < s->len;) {
        int32_t c;
        int w = utf8_decode(s->chars + i, s->len - i, &c);
        if (c == r)
            return (int64_t)i;
        i += (size_t)w;
    }
    return -1;
}

static int64_t index_any(const ObjString *s, const ObjString *chars) {
    for (size_t i = 0; i < s->len;) {
        int32_t c;
        int w = utf8_decode(s->chars + i, s->len - i, &c);
        if (rune_in(chars, c))
            return (int64_t)i;
        i += (size_t)w;
    }
    return -1;
}

static int64_t count(const ObjString *s, const ObjString *t) {
    if (t->len == 0)
        return (int64_t)utf8_count(s->chars, s->len) + 1;
    int64_t n = 0;
    for (const char *p = s->chars, *end = s->chars + s->len;
         (p = memmem(p, (size_t)(end - p), t->chars, t->len)) != NULL; p += t->len)
        n++;
    return n;
}

static int compare(const ObjString *a, const ObjString *b) {
    int c = memcmp(a->chars, b->chars, a->len < b->len ? a->len : b->len);
    return c ? (c > 0) - (c < 0) : (a->len > b->len) - (a->len < b->len);
}

static bool equal_fold(const ObjString *a, const ObjString *b) {
    size_t i = 0, j = 0;
    while (i < a->len && j < b->len) {
        int32_t r, t;
        i += (size_t)utf8_decode(a->chars + i, a->len - i, &r);
        j += (size_t)utf8_decode(b->chars + j, b->len - j, &t);
        if (r != t && utf8_lower(utf8_upper(r)) != utf8_lower(utf8_upper(t)))
            return false;
    }
    return i == a->len && j == b->len;
}

/* Go's genSplit: at most n pieces (n < 0: all), keeping keep bytes of each
 * separator (SplitAfter); an empty separator splits after each rune. */
static Value split(VM *vm, const ObjString *s, const ObjString *sep, size_t keep, int64_t n) {
    ObjList *l = list_new(vm, 0);
    if (n == 0)
        return val_obj(l);
    size_t start = 0;
    if (sep->len == 0) {
        while (start < s->len && (n < 0 || l->len < n - 1)) {
            int32_t r;
            size_t w = (size_t)utf8_decode(s->chars + start, s->len - start, &r);
            list_append(vm, l, sub(vm, s, start, start + w));
            start += w;
        }
        if (start < s->len)
            list_append(vm, l, sub(vm, s, start, s->len));
        return val_obj(l);
    }
    while (n < 0 || l->len < n - 1) {
        const char *p = memmem(s->chars + start, s->len - start, sep->chars, sep->len);
        if (!p)
            break;
        size_t m = (size_t)(p - s->chars);
        list_append(vm, l, sub(vm, s, start, m + keep));
        start = m + sep->len;
    }
    list_append(vm, l, sub(vm, s, start, s->len));
    return val_obj(l);
}

static Value fields(VM *vm, const ObjString *s) {
    ObjList *l = list_new(vm, 0);
    size_t i = 0;
    while (i < s->len) {
        int32_t r;
        int w = utf8_decode(s->chars + i, s->len - i, &r);
        if (utf8_is_space(r)) {
            i += (size_t)w;
            continue;
        }
        size_t start = i;
        while (i < s->len) {
            w = utf8_decode(s->chars + i, s->len - i, &r);
            if (utf8_is_space(r))
                break;
            i += (size_t)w;
        }
        list_append(vm, l, sub(vm, s, start, i));
    }
    return val_obj(l);
}

/* Trim the runes of cutset (or white space when cutset is NULL). */
static Value trim(VM *vm, ObjString *s, const ObjString *cutset, bool left, bool right) {
    size_t lo = 0, hi = s->len;
    while (left && lo < hi) {
        int32_t r;
        int w = utf8_decode(s->chars + lo, hi - lo, &r);
        if (cutset ? !rune_in(cutset, r) : !utf8_is_space(r))
            break;
        lo += (size_t)w;
    }
    while (right && lo < hi) {
        int32_t r;
        int w = utf8_decode_last(s->chars + lo, hi - lo, &r);
        if (cutset ? !rune_in(cutset, r) : !utf8_is_space(r))
            break;
        hi -= (size_t)w;
    }
    return lo == 0 && hi == s->len ? val_obj(s) : sub(vm, s, lo, hi);
}

static Value map_case(VM *vm, const ObjString *s, int32_t (*f)(int32_t)) {
    StrBuf b = {0};
    sb_reserve(&b, s->len);
    for (size_t i = 0; i < s->len;) {
        int32_t r;
        i += (size_t)utf8_decode(s->chars + i, s->len - i, &r);
        sb_put_rune(&b, f(r));
    }
    Value v = val_str(vm, b.p, b.len);
    sb_free(&b);
    return v;
}

/* ---- the natives of shape f(s) and f(s, t) ---- */

typedef Value (*Str1Fn)(VM *vm, ObjString *s);
typedef Value (*Str2Fn)(VM *vm, ObjString *s, ObjString *t);

static int call_str1(G *g, Value *args, int nargs, const char *fn, Str1Fn f) {
    ObjString *s;
    if (!args_check(g, fn, args, nargs, "s", &s))
        return -1;
    args[0] = f(g->vm, s);
    return 1;
}

static int call_str2(G *g, Value *args, int nargs, const char *fn, Str2Fn f) {
    ObjString *s, *t;
    if (!args_check(g, fn, args, nargs, "ss", &s, &t))
        return -1;
    args[0] = f(g->vm, s, t);
    return 1;
}

#define STR1(Name, expr)                                                                                     \
    static Value Name##_1(VM *vm, ObjString *s) {                                                            \
        (void)vm;                                                                                            \
        return expr;                                                                                         \
    }                                                                                                        \
    static int strings_##Name(G *g, Value *args, int nargs) {                                                \
        return call_str1(g, args, nargs, "strings." #Name, Name##_1);                                        \
    }
#define STR2(Name, expr)                                                                                     \
    static Value Name##_2(VM *vm, ObjString *s, ObjString *t) {                                              \
        (void)vm;                                                                                            \
        return expr;                                                                                         \
    }                                                                                                        \
    static int strings_##Name(G *g, Value *args, int nargs) {                                                \
        return call_str2(g, args, nargs, "strings." #Name, Name##_2);                                        \
    }

STR1(ToUpper, map_case(vm, s, utf8_upper))
STR1(ToLower, map_case(vm, s, utf8_lower))
STR1(TrimSpace, trim(vm, s, NULL, true, true))
STR1(Fields, fields(vm, s))
STR2(Contains, val_bool(str_index(s, t) >= 0))
STR2(ContainsAny, val_bool(index_any(s, t) >= 0))
STR2(HasPrefix, val_bool(has_prefix(s, t)))
STR2(HasSuffix, val_bool(has_suffix(s, t)))
STR2(Index, val_int(vm, str_index(s, t)))
STR2(IndexAny, val_int(vm, index_any(s, t)))
STR2(LastIndex, val_int(vm, str_last_index(s, t)))
STR2(Count, val_int(vm, count(s, t)))
STR2(Compare, val_int(vm, compare(s, t)))
STR2(EqualFold, val_bool(equal_fold(s, t)))
STR2(Split, split(vm, s, t, 0, -1))
STR2(SplitAfter, split(vm, s, t, t->len, -1))
STR2(Trim, trim(vm, s, t, true, true))
STR2(TrimLeft, trim(vm, s, t, true, false))
STR2(TrimRight, trim(vm, s, t, false, true))
STR2(TrimPrefix, has_prefix(s, t) ? sub(vm, s, t->len, s->len) : val_obj(s))
STR2(TrimSuffix, has_suffix(s, t) ? sub(vm, s, 0, s->len - t->len) : val_obj(s))

/* ---- the others ---- */

static int strings_ContainsRune(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t r;
    if (!args_check(g, "strings.ContainsRune", args, nargs, "si", &s, &r))
        return -1;
    args[0] = val_bool(index_rune(s, r) >= 0);
    return 1;
}

static int strings_IndexRune(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t r;
    if (!args_check(g, "strings.IndexRune", args, nargs, "si", &s, &r))
        return -1;
    args[0] = val_int(g->vm, index_rune(s, r));
    return 1;
}

static int byte_index(G *g, Value *args, int nargs, const char *fn, bool last) {
    ObjString *s;
    int64_t c;
    if (!args_check(g, fn, args, nargs, "si", &s, &c))
        return -1;
    const char *p = NULL;
    if (c >= 0 && c <= 255)
        p = last ? memrchr(s->chars, (int)c, s->len) : memchr(s->chars, (int)c, s->len);
    args[0] = val_int(g->vm, p ? p - s->chars : -1);
    return 1;
}

static int strings_IndexByte(G *g, Value *args, int nargs) {
    return byte_index(g, args, nargs, "strings.IndexByte", false);
}

static int strings_LastIndexByte(G *g, Value *args, int nargs) {
    return byte_index(g, args, nargs, "strings.LastIndexByte", true);
}

static int strings_SplitN(G *g, Value *args, int nargs) {
    ObjString *s, *sep;
    int64_t n;
    if (!args_check(g, "strings.SplitN", args, nargs, "ssi", &s, &sep, &n))
        return -1;
    args[0] = split(g->vm, s, sep, 0, n);
    return 1;
}

static int strings_Join(G *g, Value *args, int nargs) {
    ObjList *l;
    ObjString *sep;
    if (!args_check(g, "strings.Join", args, nargs, "ls", &l, &sep))
        return -1;
    int64_t n = list_len(l);
    race_native_len(g, l, false);
    race_native_range(g, l, 0, n, false);
    StrBuf b = {0};
    for (int64_t i = 0; i < n; i++) {
        Value v = list_get(l, i);
        if (!val_is(v, OBJ_STRING)) {
            sb_free(&b);
            return vm_panicf(g, "strings.Join: element %" PRId64 " must be string, got %s", i,
                             val_type_name(v));
        }
        if (i > 0)
            sb_put(&b, sep->chars, sep->len);
        sb_put(&b, AS_STRING(v)->chars, AS_STRING(v)->len);
    }
    args[0] = val_str(g->vm, b.p ? b.p : "", b.len);
    sb_free(&b);
    return 1;
}

#define REPEAT_STEP ((size_t)8 << 20) /* bytes copied between polls for a collection */

static int strings_Repeat(G *g, Value *args, int nargs) {
    ObjString *s;
    int64_t n;
    if (!args_check(g, "strings.Repeat", args, nargs, "si", &s, &n))
        return -1;
    if (n < 0)
        return vm_panicf(g, "strings: negative Repeat count");
    if (s->len == 0 || n == 0) { /* at once, however large n is (Go's too) */
        args[0] = val_str(g->vm, "", 0);
        return 1;
    }
    if ((uint64_t)n > ((uint64_t)1 << 40) / s->len)
        return vm_panicf(g, "strings: Repeat output length overflow");
    size_t len = s->len * (size_t)n, done = s->len;
    ObjString *r = str_alloc(g->vm, len);
    memcpy(r->chars, s->chars, s->len);
    args[0] = val_obj(r); /* rooted (s is no longer needed): the copy polls */
    while (done < len) {  /* doubling, as Go's: log2(n) copies, not n */
        size_t k = done < len - done ? done : len - done;
        if (k > REPEAT_STEP)
            k = REPEAT_STEP;
        memcpy(r->chars + done, r->chars, k);
        done += k;
        vm_native_poll(g);
    }
    return 1;
}

/* Go's Replace: the first n (n < 0: all) non-overlapping old by new; an
 * empty old matches at the start and after each rune. */
static Value replace(VM *vm, ObjString *s, const ObjString *old, const ObjString *new, int64_t n) {
    int64_t m = count(s, old);
    if (n == 0 || m == 0 || (old->len == new->len && !memcmp(old->chars, new->chars, old->len)))
        return val_obj(s);
    if (n < 0 || m < n)
        n = m;
    StrBuf b = {0};
    size_t start = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t j = start;
        if (old->len == 0) {
            int32_t r;
            if (i > 0)
                j += (size_t)utf8_decode(s->chars + start, s->len - start, &r);
        } else {
            j = (size_t)((const char *)memmem(s->chars + start, s->len - start, old->chars, old->len) -
                         s->chars);
        }
        sb_put(&b, s->chars + start, j - start);
        sb_put(&b, new->chars, new->len);
        start = j + old->len;
    }
    sb_put(&b, s->chars + start, s->len - start);
    Value v = val_str(vm, b.p, b.len);
    sb_free(&b);
    return v;
}

static int strings_Replace(G *g, Value *args, int nargs) {
    ObjString *s, *old, *new;
    int64_t n;
    if (!args_check(g, "strings.Replace", args, nargs, "sssi", &s, &old, &new, &n))
        return -1;
    args[0] = replace(g->vm, s, old, new, n);
    return 1;
}

static int strings_ReplaceAll(G *g, Value *args, int nargs) {
    ObjString *s, *old, *new;
    if (!args_check(g, "strings.ReplaceAll", args, nargs, "sss", &s, &old, &new))
        return -1;
    args[0] = replace(g->vm, s, old, new, -1);
    return 1;
}

static int strings_Cut(G *g, Value *args, int nargs) {
    ObjString *s, *sep;
    if (!args_check(g, "strings.Cut", args, nargs, "ss", &s, &sep))
        return -1;
    int64_t i = str_index(s, sep);
    VM *vm = g->vm;
    if (i < 0) {
        args[1] = val_cstr(vm, "");
        args[2] = VAL_FALSE;
        return 3; /* args[0] is s already */
    }
    args[0] = sub(vm, s, 0, (size_t)i);
    args[1] = sub(vm, s, (size_t)i + sep->len, s->len);
    args[2] = VAL_TRUE;
    return 3;
}

static int cut_affix(G *g, Value *args, int nargs, const char *fn, bool prefix) {
    ObjString *s, *t;
    if (!args_check(g, fn, args, nargs, "ss", &s, &t))
        return -1;
    bool found = prefix ? has_prefix(s, t) : has_suffix(s, t);
    if (found)
        args[0] = prefix ? sub(g->vm, s, t->len, s->len) : sub(g->vm, s, 0, s->len - t->len);
    args[1] = val_bool(found);
    return 2;
}

static int strings_CutPrefix(G *g, Value *args, int nargs) {
    return cut_affix(g, args, nargs, "strings.CutPrefix", true);
}

static int strings_CutSuffix(G *g, Value *args, int nargs) {
    return cut_affix(g, args, nargs, "strings.CutSuffix", false);
}

/* Map(mapping, s): each rune through the script's mapping; a negative
 * result drops the rune.  s stays rooted in its argument slot. */
static int strings_Map(G *g, Value *args, int nargs) {
    Value fn;
    ObjString *s;
    if (!args_check(g, "strings.Map", args, nargs, "Fs", &fn, &s))
        return -1;
    StrBuf b = {0};
    for (size_t i = 0; i < s->len;) {
        int32_t r;
        i += (size_t)utf8_decode(s->chars + i, s->len - i, &r);
        Value arg = val_smallint(r), res;
        if (vm_call(g, fn, 1, &arg, 1, &res) < 0) {
            sb_free(&b);
            return -1;
        }
        if (!val_is_int(res)) {
            sb_free(&b);
            return vm_panicf(g, "strings.Map: mapping must return a rune (int), got %s", val_type_name(res));
        }
        if (val_as_int(res) >= 0)
            sb_put_rune(&b, utf8_valid_rune(val_as_int(res)) ? (int32_t)val_as_int(res) : UTF8_RUNE_ERROR);
    }
    Value out = val_str(g->vm, b.p ? b.p : "", b.len);
    sb_free(&b);
    vm_native_args(g)[0] = out;
    return 1;
}

static const NativeReg strings_fns[] = {
    {"Contains", strings_Contains, "Contains(s, substr) bool — whether substr is within s"},
    {"ContainsAny", strings_ContainsAny,
     "ContainsAny(s, chars) bool — whether any rune of chars is within s"},
    {"ContainsRune", strings_ContainsRune, "ContainsRune(s, r) bool — whether the rune r is within s"},
    {"HasPrefix", strings_HasPrefix, "HasPrefix(s, prefix) bool — whether s begins with prefix"},
    {"HasSuffix", strings_HasSuffix, "HasSuffix(s, suffix) bool — whether s ends with suffix"},
    {"Index", strings_Index, "Index(s, substr) int — the byte index of the first substr in s, or -1"},
    {"IndexAny", strings_IndexAny,
     "IndexAny(s, chars) int — the index of the first rune of chars in s, or -1"},
    {"IndexByte", strings_IndexByte, "IndexByte(s, c) int — the index of the first byte c in s, or -1"},
    {"IndexRune", strings_IndexRune, "IndexRune(s, r) int — the index of the first rune r in s, or -1"},
    {"LastIndex", strings_LastIndex, "LastIndex(s, substr) int — the index of the last substr in s, or -1"},
    {"LastIndexByte", strings_LastIndexByte,
     "LastIndexByte(s, c) int — the index of the last byte c in s, or -1"},
    {"Split", strings_Split, "Split(s, sep) list — the substrings between each sep; \"\" splits into runes"},
    {"SplitN", strings_SplitN, "SplitN(s, sep, n) list — Split into at most n pieces (n < 0: all)"},
    {"SplitAfter", strings_SplitAfter,
     "SplitAfter(s, sep) list — Split keeping each sep at the end of its piece"},
    {"Fields", strings_Fields, "Fields(s) list — the words of s, split around runs of white space"},
    {"Join", strings_Join, "Join(elems, sep) string — the strings of elems with sep between them"},
    {"Repeat", strings_Repeat, "Repeat(s, count) string — count copies of s"},
    {"Replace", strings_Replace,
     "Replace(s, old, new, n) string — s with the first n old replaced by new (n < 0: all)"},
    {"ReplaceAll", strings_ReplaceAll, "ReplaceAll(s, old, new) string — s with every old replaced by new"},
    {"ToUpper", strings_ToUpper, "ToUpper(s) string — s with every letter in upper case"},
    {"ToLower", strings_ToLower, "ToLower(s) string — s with every letter in lower case"},
    {"TrimSpace", strings_TrimSpace, "TrimSpace(s) string — s without leading and trailing white space"},
    {"Trim", strings_Trim, "Trim(s, cutset) string — s without leading and trailing runes of cutset"},
    {"TrimLeft", strings_TrimLeft, "TrimLeft(s, cutset) string — s without leading runes of cutset"},
    {"TrimRight", strings_TrimRight, "TrimRight(s, cutset) string — s without trailing runes of cutset"},
    {"TrimPrefix", strings_TrimPrefix,
     "TrimPrefix(s, prefix) string — s without prefix, if it starts with it"},
    {"TrimSuffix", strings_TrimSuffix, "TrimSuffix(s, suffix) string — s without suffix, if it ends with it"},
    {"Count", strings_Count, "Count(s, substr) int — the non-overlapping instances of substr in s"},
    {"Compare", strings_Compare, "Compare(a, b) int — -1, 0 or 1 as a < b, a == b, a > b"},
    {"EqualFold", strings_EqualFold, "EqualFold(s, t) bool — whether s and t are equal ignoring case"},
    {"Cut", strings_Cut, "Cut(s, sep) (before, after, found) — s split around the first sep"},
    {"CutPrefix", strings_CutPrefix,
     "CutPrefix(s, prefix) (after, found) — s without prefix, and whether it had it"},
    {"CutSuffix", strings_CutSuffix,
     "CutSuffix(s, suffix) (before, found) — s without suffix, and whether it had it"},
    {"Map", strings_Map,
     "Map(mapping, s) string — s with each rune replaced by mapping(r); negative drops it"},
    {NULL, NULL, NULL},
};

void stdlib_open_strings(VM *vm) {
    vm_native_module(vm, "strings", strings_fns);
    strings_open_io(vm);
}
