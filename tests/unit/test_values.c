/* tests/unit/test_values.c — the one-word value encoding (vm/value.h,
 * vm/num.c) and what vm/value.c answers about values: ==, type names, type
 * tests and errors. */
#include <float.h>
#include <math.h>

#include "vmtest.h"

static void test_int_encoding(VM *vm) {
    const int64_t two62 = (int64_t)1 << 62;
    int64_t cases[] = {0,
                       1,
                       -1,
                       42,
                       -42,
                       1000000007,
                       two62 - 1,
                       -two62,
                       two62,
                       -two62 - 1,
                       two62 + 1,
                       INT64_MAX,
                       INT64_MIN,
                       INT64_MAX - 1,
                       INT64_MIN + 1,
                       (int64_t)1 << 53,
                       -((int64_t)1 << 53) - 1};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t x = cases[i];
        Value v = val_int(vm, x);
        CHECK(val_is_int(v) && !val_is_float(v) && val_as_int(v) == x, "int %lld round trip", (long long)x);
        CHECK(val_is_smallint(v) == int_fits_inline(x), "int %lld is boxed iff it must be", (long long)x);
        CHECK(val_equal(v, val_int(vm, x)), "int %lld equals a second copy", (long long)x);
        CHECK(val_hash(v) == val_hash(val_int(vm, x)), "int %lld hashes like a second copy", (long long)x);
    }
    CHECK(int_fits_inline(two62 - 1) && !int_fits_inline(two62), "+2^62 is the first boxed int");
    CHECK(int_fits_inline(-two62) && !int_fits_inline(-two62 - 1), "-2^62-1 is the first boxed negative");
    CHECK(!val_equal(val_int(vm, INT64_MAX), val_int(vm, INT64_MIN)), "boxed ints differ by payload");
    CHECK(val_as_smallint(val_smallint(-1)) == -1 && val_smallint(0) == 1, "inline tagging");
    printf("ok ints: inline/boxed boundaries at +-2^62, INT64_MIN/MAX\n");
}

static void check_float(VM *vm, double d, const char *what) {
    Value v = val_float(vm, d);
    Value dummy;
    CHECK(val_is_float(v) && !val_is_int(v), "%s is a float", what);
    if (isnan(d)) {
        CHECK(val_is(v, OBJ_FLOAT) && f64_bits(val_as_float(v)) == 0x7FF8000000000000ull,
              "%s boxed as the canonical quiet NaN", what);
        return;
    }
    CHECK(f64_bits(val_as_float(v)) == f64_bits(d), "%s round trip bit-exact (got %a want %a)", what,
          val_as_float(v), d);
    CHECK(val_is_smallfloat(v) == float_try_inline(d, &dummy), "%s boxed iff not encodable inline", what);
}

static void test_float_encoding(VM *vm) {
    struct {
        double d;
        const char *what;
        int inl; /* 1 inline, 0 boxed, -1 do not care */
    } cases[] = {
        {0.0, "0.0", 1},
        {-0.0, "-0.0", 1},
        {1.0, "1.0", 1},
        {-2.5, "-2.5", 1},
        {0.1, "0.1", 1},
        {3.141592653589793, "pi", 1},
        {1e38, "1e38", 1},
        {1e-38, "1e-38", 1},
        {1e-300, "1e-300", 0},
        {1e300, "1e300", 0},
        {DBL_MAX, "DBL_MAX", 0},
        {DBL_MIN, "DBL_MIN", 0},
        {5e-324, "denormal min", 0},
        {INFINITY, "+Inf", 0},
        {-INFINITY, "-Inf", 0},
        {ldexp(1, -127), "2^-127 (collides with +0's code)", 0},
        {-ldexp(1, -127), "-2^-127 (collides with -0's code)", 0},
        {ldexp(1, -126), "2^-126", 1},
        {ldexp(1.5, -127), "1.5*2^-127", 1},
        {nextafter(ldexp(1, 129), 0), "just below 2^129", 1},
        {ldexp(1, 129), "2^129", 0},
        {9007199254740993.0, "2^53+1 (rounds)", 1},
        {NAN, "NaN", 0},
        {-NAN, "-NaN", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        check_float(vm, cases[i].d, cases[i].what);
        Value v = val_float(vm, cases[i].d);
        if (cases[i].inl >= 0)
            CHECK(val_is_smallfloat(v) == (cases[i].inl == 1), "%s should be %s", cases[i].what,
                  cases[i].inl ? "inline" : "boxed");
    }
    /* Every bit pattern round-trips, inline or boxed (a cheap xorshift walk). */
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int inl = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d = bits_f64(x);
        if (isnan(d))
            continue;
        Value v = val_float(vm, d);
        inl += val_is_smallfloat(v);
        if (f64_bits(val_as_float(v)) != x) {
            CHECK(0, "random double %016llx round trip", (unsigned long long)x);
            break;
        }
        /* and numbers in the inline window stay inline */
        double w = ldexp(1.0 + (double)(x >> 12) / 4503599627370496.0, (int)(x % 200) - 100);
        Value vw;
        if (!float_try_inline(w, &vw) || val_as_smallfloat(vw) != w) {
            CHECK(0, "%a should be inline", w);
            break;
        }
    }
    CHECK(inl > 0, "some random doubles were inline");
    printf("ok floats: -0.0, 1e-300, 1e300, inf, NaN, window edges, 200000 random bit patterns\n");
}

static int native_error(G *g, Value *args, int nargs) {
    (void)nargs;
    args[0] = val_cstr(g->vm, "custom failure");
    return 1;
}

static int wg_wait(G *g, Value *args, int nargs) {
    (void)g, (void)args, (void)nargs;
    return 0;
}

static const NativeMethod wg_methods[] = {{"Wait", wg_wait, ""}, {NULL, NULL, NULL}};
static const NativeType wg_type = {.name = "sync.WaitGroup", .methods = wg_methods};
static const NativeType file_type = {.name = "*os.File"};

static Value nativeobj(VM *vm, const NativeType *t) {
    ObjNativeObj *o = gc_alloc(vm, sizeof(ObjNativeObj) + t->payload_size, OBJ_NATIVEOBJ);
    o->ntype = t;
    return val_obj(o);
}

static void test_equality(VM *vm) {
    Value i1 = val_int(vm, 1), f1 = val_float(vm, 1.0);
    Value two62i = val_int(vm, (int64_t)1 << 62), two62f = val_float(vm, ldexp(1, 62));
    Value nan = val_float(vm, NAN);
    CHECK(val_equal(i1, f1) && val_equal(f1, i1), "1 == 1.0");
    CHECK(val_equal(two62i, two62f), "boxed 2^62 == 2^62 as a float");
    CHECK(!val_equal(val_int(vm, ((int64_t)1 << 53) + 1), val_float(vm, ldexp(1, 53))),
          "2^53+1 != 2^53 (no rounding of the int through double)");
    CHECK(!val_equal(val_int(vm, INT64_MAX), val_float(vm, ldexp(1, 63))), "INT64_MAX != 2^63");
    CHECK(val_equal(val_int(vm, INT64_MIN), val_float(vm, -ldexp(1, 63))), "INT64_MIN == -2^63");
    CHECK(!val_equal(val_int(vm, 1), val_float(vm, 1.5)), "1 != 1.5");
    CHECK(val_equal(val_float(vm, 0.0), val_float(vm, -0.0)), "0.0 == -0.0");
    CHECK(val_equal(val_int(vm, 0), val_float(vm, -0.0)), "0 == -0.0");
    CHECK(!val_equal(nan, nan) && !val_equal(nan, val_float(vm, NAN)), "NaN != NaN, even the same box");
    CHECK(val_equal(val_float(vm, INFINITY), val_float(vm, INFINITY)), "+Inf == +Inf (two boxes)");
    CHECK(val_equal(val_float(vm, 1e300), val_float(vm, 1e300)), "boxed floats compare by value");
    CHECK(val_equal(val_duration(vm, 5), val_int(vm, 5)), "a Duration of 5ns == 5");
    CHECK(val_equal(VAL_NIL, VAL_NIL) && !val_equal(VAL_NIL, VAL_FALSE), "nil == nil, nil != false");
    CHECK(!val_equal(VAL_FALSE, val_int(vm, 0)) && val_equal(VAL_TRUE, VAL_TRUE), "bools");
    CHECK(val_equal(val_cstr(vm, "ab"), val_str(vm, "abc", 2)), "strings by content");
    CHECK(!val_equal(val_cstr(vm, "ab"), val_cstr(vm, "ba")) &&
              !val_equal(val_cstr(vm, "ab"), val_cstr(vm, "abc")),
          "different strings");
    CHECK(!val_equal(val_str(vm, "a\0b", 3), val_str(vm, "a\0c", 3)) &&
              val_equal(val_str(vm, "a\0b", 3), val_str(vm, "a\0b", 3)),
          "strings with NUL bytes compare all their bytes");
    CHECK(val_equal(val_obj(str_intern_c(vm, "k")), val_cstr(vm, "k")), "interned == plain");
    CHECK(!val_equal(val_cstr(vm, "1"), i1), "\"1\" != 1");
    Value l1 = val_obj(list_new(vm, 0)), l2 = val_obj(list_new(vm, 0));
    CHECK(val_equal(l1, l1) && !val_equal(l1, l2), "lists by identity");
    Value m1 = val_obj(map_new(vm, 0));
    CHECK(val_equal(m1, m1) && !val_equal(m1, val_obj(map_new(vm, 0))), "maps by identity");
    printf("ok equality: int/float exact, NaN, -0.0, strings, identity\n");
}

static void test_types_and_errors(VM *vm) {
    G *g = vm_new_g(vm);
    const char *pf[] = {"x", "y"};
    ObjStructType *point = test_struct_type(vm, "Point", 2, pf, 0, NULL, NULL);
    const char *en[] = {"Error"};
    NativeFn ef[] = {native_error};
    ObjStructType *myerr = test_struct_type(vm, "MyErr", 0, NULL, 1, en, ef);
    ObjModule *geom = gc_alloc(vm, sizeof(ObjModule), OBJ_MODULE);
    geom->name = str_intern_c(vm, "geom");
    point->module = geom;
    Value p = test_struct(vm, point, NULL), e = test_struct(vm, myerr, NULL);
    vm_register_type(vm, &wg_type);
    vm_register_type(vm, &file_type);
    Value wg = nativeobj(vm, &wg_type), file = nativeobj(vm, &file_type);
    Value err = err_newf(vm, "open %s: %s", "x", "no such file or directory");
    Value fn = vm_new_native(vm, "f", native_error, "");

    struct {
        Value v;
        const char *name;
    } names[] = {{VAL_NIL, "nil"},
                 {VAL_TRUE, "bool"},
                 {val_int(vm, 1), "int"},
                 {val_int(vm, INT64_MAX), "int"},
                 {val_float(vm, 1.5), "float64"},
                 {val_float(vm, 1e300), "float64"},
                 {val_cstr(vm, "s"), "string"},
                 {val_obj(list_new(vm, 0)), "list"},
                 {val_obj(map_new(vm, 0)), "map"},
                 {fn, "func"},
                 {err, "error"},
                 {val_obj(geom), "module"},
                 {p, "Point"},
                 {wg, "sync.WaitGroup"},
                 {val_duration(vm, 1), "time.Duration"}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        CHECK(!strcmp(val_type_name(names[i].v), names[i].name), "type name %s (got %s)", names[i].name,
              val_type_name(names[i].v));

    CHECK(val_has_type(val_int(vm, 3), "int") && !val_has_type(val_int(vm, 3), "float64"), "int");
    CHECK(val_has_type(val_float(vm, 3), "float64") && !val_has_type(val_float(vm, 3), "int"),
          "float");
    CHECK(val_has_type(VAL_NIL, "nil") && !val_has_type(VAL_NIL, "any") &&
              !val_has_type(VAL_NIL, "interface{}"),
          "nil matches nil, not interface{}");
    CHECK(val_has_type(VAL_FALSE, "any") && val_has_type(p, "interface{}"), "any matches non-nil");
    CHECK(val_has_type(p, "Point") && val_has_type(p, "geom.Point") &&
              !val_has_type(p, "main.Point") && !val_has_type(p, "MyErr"),
          "struct names, bare and qualified");
    CHECK(val_has_type(err, "error") && val_has_type(e, "error") && val_has_type(e, "MyErr") &&
              !val_has_type(p, "error"),
          "error matches ObjError and structs with Error()");
    CHECK(val_has_type(fn, "func") && val_has_type(val_obj(geom), "module"), "func, module");
    CHECK(val_has_type(wg, "sync.WaitGroup") && val_has_type(file, "os.File") &&
              val_has_type(file, "*os.File") && val_has_type(wg, "*sync.WaitGroup"),
          "native types with or without the star");

    CHECK(val_is_error(err) && val_is_error(e) && !val_is_error(p) && !val_is_error(VAL_NIL) &&
              !val_is_error(val_cstr(vm, "x")),
          "val_is_error");
    Value text = VAL_NIL;
    CHECK(val_error_text(g, err, &text) && val_is(text, OBJ_STRING) &&
              !strcmp(AS_STRING(text)->chars, "open x: no such file or directory"),
          "ObjError text");
    text = VAL_NIL;
    CHECK(val_error_text(g, e, &text) && val_is(text, OBJ_STRING) &&
              !strcmp(AS_STRING(text)->chars, "custom failure"),
          "Error() method text");
    CHECK(!val_error_text(g, p, &text), "not an error");
    Value wrapped = err_new(vm, str_intern_c(vm, "outer"), err);
    CHECK(AS_ERROR(wrapped)->wrapped == err, "err_new keeps the wrapped error");
    Value fnv;
    CHECK(val_find_method(vm, wg, "Wait", &fnv) && val_is(fnv, OBJ_NATIVE) &&
              !val_find_method(vm, wg, "Done", &fnv),
          "native methods by name");
    printf("ok types: type names, x.(T) names, errors and Error() methods\n");
}

int main(void) {
    VM *vm = vm_new(0, NULL);
    test_int_encoding(vm);
    test_float_encoding(vm);
    test_equality(vm);
    test_types_and_errors(vm);
    vm_free(vm);
    return test_finish("values");
}
