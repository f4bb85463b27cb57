/* stdlib/math.c — package math: float64 functions (an int argument
 * converts) and the constants, with Go's special cases where C differs
 * (Max/Min with NaN and signed zeros).
 */
#include <float.h>
#include <math.h>

#include "stdlib/lib.h"

typedef double (*F1)(double);
typedef double (*F2)(double, double);

/* A float result; an inline one without a call. */
static inline void put_float(G *g, Value *out, double d) {
    if (!float_try_inline(d, out))
        *out = val_float(g->vm, d);
}

/* The common call, on inline floats, skips args_check. */
static int call_f1(G *g, Value *args, int nargs, const char *fn, F1 f) {
    double x;
    if (nargs == 1 && val_is_smallfloat(args[0]))
        x = val_as_smallfloat(args[0]);
    else if (!args_check(g, fn, args, nargs, "f", &x))
        return -1;
    put_float(g, &args[0], f(x));
    return 1;
}

static int call_f2(G *g, Value *args, int nargs, const char *fn, F2 f) {
    double x, y;
    if (nargs == 2 && val_is_smallfloat(args[0]) && val_is_smallfloat(args[1])) {
        x = val_as_smallfloat(args[0]);
        y = val_as_smallfloat(args[1]);
    } else if (!args_check(g, fn, args, nargs, "ff", &x, &y))
        return -1;
    put_float(g, &args[0], f(x, y));
    return 1;
}

#define MATH1(Name, cfn)                                                                                     \
    static int math_##Name(G *g, Value *args, int nargs) {                                                   \
        return call_f1(g, args, nargs, "math." #Name, cfn);                                                  \
    }
#define MATH2(Name, cfn)                                                                                     \
    static int math_##Name(G *g, Value *args, int nargs) {                                                   \
        return call_f2(g, args, nargs, "math." #Name, cfn);                                                  \
    }

static double go_max(double x, double y) {
    if (isinf(x) && x > 0)
        return x;
    if (isinf(y) && y > 0)
        return y;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? y : x;
    return x > y ? x : y;
}

static double go_min(double x, double y) {
    if (isinf(x) && x < 0)
        return x;
    if (isinf(y) && y < 0)
        return y;
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == 0 && x == y)
        return signbit(x) ? x : y;
    return x < y ? x : y;
}

/* Go computes Log2 and Log10 from Frexp and Log, with its constants
 * rounded once (Ln2/Ln10 is exact arithmetic in Go); C's log2/log10 may
 * differ in the last bit. */
#define LOG10_2 0.30102999566398119521373889472449302676818988146211
static double go_log2(double x) {
    int exp;
    double frac = frexp(x, &exp);
    if (frac == 0.5)
        return (double)(exp - 1);
    return log(frac) * M_LOG2E + (double)exp;
}

static double go_log10(double x) {
    return go_log2(x) * LOG10_2;
}

/* Go's Cbrt (from FreeBSD's s_cbrt.c): exact on perfect cubes, where
 * glibc's cbrt(27) is 3.0000000000000004. */
static double go_cbrt(double x) {
    const uint64_t B1 = 715094163, B2 = 696219795;
    const double C = 5.42857142857142815906e-01, D = -7.05306122448979611050e-01,
                 E = 1.41428571428571436819e+00, F = 1.60714285714285720630e+00,
                 G = 3.57142857142857150787e-01;
    if (x == 0 || isnan(x) || isinf(x))
        return x;
    bool neg = x < 0;
    if (neg)
        x = -x;
    double t = bits_f64(f64_bits(x) / 3 + (B1 << 32)); /* rough cbrt to 5 bits */
    if (x < DBL_MIN) {                                 /* subnormal */
        t = (double)((uint64_t)1 << 54) * x;
        t = bits_f64(f64_bits(t) / 3 + (B2 << 32));
    }
    double r = t * t / x, s = C + r * t; /* to 23 bits */
    t *= G + F / (s + E + D / s);
    t = bits_f64((f64_bits(t) & (0xFFFFFFFFCull << 28)) +
                 ((uint64_t)1 << 30)); /* chop to 22 bits, round up */
    s = t * t;                         /* one Newton step to 53 bits */
    r = x / s;
    double w = t + t;
    r = (r - t) / (w + r);
    t = t + t * r;
    return neg ? -t : t;
}

static double go_dim(double x, double y) {
    double v = x - y;
    return v <= 0 ? 0 : v;
}

MATH1(Sqrt, sqrt)
MATH1(Abs, fabs)
MATH1(Floor, floor)
MATH1(Ceil, ceil)
MATH1(Trunc, trunc)
MATH1(Round, round)
MATH1(RoundToEven, rint)
MATH1(Log, log)
MATH1(Log2, go_log2)
MATH1(Log10, go_log10)
MATH1(Log1p, log1p)
MATH1(Exp, exp)
MATH1(Exp2, exp2)
MATH1(Expm1, expm1)
MATH1(Sin, sin)
MATH1(Cos, cos)
MATH1(Tan, tan)
MATH1(Asin, asin)
MATH1(Acos, acos)
MATH1(Atan, atan)
MATH1(Sinh, sinh)
MATH1(Cosh, cosh)
MATH1(Tanh, tanh)
MATH1(Asinh, asinh)
MATH1(Acosh, acosh)
MATH1(Atanh, atanh)
MATH1(Cbrt, go_cbrt)
MATH1(Gamma, tgamma)
MATH1(Erf, erf)
MATH2(Pow, pow)
MATH2(Atan2, atan2)
MATH2(Hypot, hypot)
MATH2(Mod, fmod)
MATH2(Remainder, remainder)
MATH2(Copysign, copysign)
MATH2(Max, go_max)
MATH2(Min, go_min)
MATH2(Dim, go_dim)

static int math_Inf(G *g, Value *args, int nargs) {
    int64_t sign;
    if (!args_check(g, "math.Inf", args, nargs, "i", &sign))
        return -1;
    args[0] = val_float(g->vm, sign >= 0 ? INFINITY : -INFINITY);
    return 1;
}

static int math_NaN(G *g, Value *args, int nargs) {
    if (!args_check(g, "math.NaN", args, nargs, ""))
        return -1;
    args[0] = val_float(g->vm, NAN);
    return 1;
}

static int math_IsInf(G *g, Value *args, int nargs) {
    double f;
    int64_t sign;
    if (!args_check(g, "math.IsInf", args, nargs, "fi", &f, &sign))
        return -1;
    args[0] = val_bool((sign >= 0 && f == INFINITY) || (sign <= 0 && f == -INFINITY));
    return 1;
}

static int math_IsNaN(G *g, Value *args, int nargs) {
    double f;
    if (!args_check(g, "math.IsNaN", args, nargs, "f", &f))
        return -1;
    args[0] = val_bool(isnan(f));
    return 1;
}

static int math_Signbit(G *g, Value *args, int nargs) {
    double f;
    if (!args_check(g, "math.Signbit", args, nargs, "f", &f))
        return -1;
    args[0] = val_bool(signbit(f) != 0);
    return 1;
}

static int math_Modf(G *g, Value *args, int nargs) {
    double f, ip;
    if (!args_check(g, "math.Modf", args, nargs, "f", &f))
        return -1;
    double frac = modf(f, &ip);
    args[0] = val_float(g->vm, ip);
    args[1] = val_float(g->vm, frac);
    return 2;
}

/* The bits of a float64 as an int (Go's uint64, wrapped to int64). */
static int math_Float64bits(G *g, Value *args, int nargs) {
    double f;
    if (!args_check(g, "math.Float64bits", args, nargs, "f", &f))
        return -1;
    args[0] = val_int(g->vm, (int64_t)f64_bits(f));
    return 1;
}

static int math_Float64frombits(G *g, Value *args, int nargs) {
    int64_t b;
    if (!args_check(g, "math.Float64frombits", args, nargs, "i", &b))
        return -1;
    args[0] = val_float(g->vm, bits_f64((uint64_t)b));
    return 1;
}

static const NativeReg math_fns[] = {
    {"Sqrt", math_Sqrt, "Sqrt(x) float64 — the square root of x"},
    {"Abs", math_Abs, "Abs(x) float64 — the absolute value of x"},
    {"Floor", math_Floor, "Floor(x) float64 — the greatest integer value <= x"},
    {"Ceil", math_Ceil, "Ceil(x) float64 — the least integer value >= x"},
    {"Trunc", math_Trunc, "Trunc(x) float64 — the integer value of x, toward zero"},
    {"Round", math_Round, "Round(x) float64 — the nearest integer, halves away from zero"},
    {"RoundToEven", math_RoundToEven, "RoundToEven(x) float64 — the nearest integer, halves to even"},
    {"Log", math_Log, "Log(x) float64 — the natural logarithm of x"},
    {"Log2", math_Log2, "Log2(x) float64 — the binary logarithm of x"},
    {"Log10", math_Log10, "Log10(x) float64 — the decimal logarithm of x"},
    {"Log1p", math_Log1p, "Log1p(x) float64 — the natural logarithm of 1+x"},
    {"Exp", math_Exp, "Exp(x) float64 — e**x"},
    {"Exp2", math_Exp2, "Exp2(x) float64 — 2**x"},
    {"Expm1", math_Expm1, "Expm1(x) float64 — e**x - 1"},
    {"Sin", math_Sin, "Sin(x) float64 — the sine of x radians"},
    {"Cos", math_Cos, "Cos(x) float64 — the cosine of x radians"},
    {"Tan", math_Tan, "Tan(x) float64 — the tangent of x radians"},
    {"Asin", math_Asin, "Asin(x) float64 — the arcsine of x, in radians"},
    {"Acos", math_Acos, "Acos(x) float64 — the arccosine of x, in radians"},
    {"Atan", math_Atan, "Atan(x) float64 — the arctangent of x, in radians"},
    {"Atan2", math_Atan2, "Atan2(y, x) float64 — the arctangent of y/x, using the signs for the quadrant"},
    {"Sinh", math_Sinh, "Sinh(x) float64 — the hyperbolic sine of x"},
    {"Cosh", math_Cosh, "Cosh(x) float64 — the hyperbolic cosine of x"},
    {"Tanh", math_Tanh, "Tanh(x) float64 — the hyperbolic tangent of x"},
    {"Asinh", math_Asinh, "Asinh(x) float64 — the inverse hyperbolic sine of x"},
    {"Acosh", math_Acosh, "Acosh(x) float64 — the inverse hyperbolic cosine of x"},
    {"Atanh", math_Atanh, "Atanh(x) float64 — the inverse hyperbolic tangent of x"},
    {"Cbrt", math_Cbrt, "Cbrt(x) float64 — the cube root of x"},
    {"Gamma", math_Gamma, "Gamma(x) float64 — the Gamma function of x"},
    {"Erf", math_Erf, "Erf(x) float64 — the error function of x"},
    {"Pow", math_Pow, "Pow(x, y) float64 — x**y"},
    {"Hypot", math_Hypot, "Hypot(p, q) float64 — Sqrt(p*p + q*q) without overflow"},
    {"Mod", math_Mod, "Mod(x, y) float64 — the remainder of x/y, with x's sign"},
    {"Remainder", math_Remainder, "Remainder(x, y) float64 — the IEEE 754 remainder of x/y"},
    {"Copysign", math_Copysign, "Copysign(f, sign) float64 — |f| with the sign of sign"},
    {"Max", math_Max, "Max(x, y) float64 — the larger of x and y (NaN if either is)"},
    {"Min", math_Min, "Min(x, y) float64 — the smaller of x and y (NaN if either is)"},
    {"Dim", math_Dim, "Dim(x, y) float64 — the maximum of x-y and 0"},
    {"Inf", math_Inf, "Inf(sign) float64 — +Inf if sign >= 0, else -Inf"},
    {"NaN", math_NaN, "NaN() float64 — an IEEE 754 not-a-number"},
    {"IsInf", math_IsInf,
     "IsInf(f, sign) bool — whether f is +Inf (sign > 0), -Inf (sign < 0) or either (0)"},
    {"IsNaN", math_IsNaN, "IsNaN(f) bool — whether f is a not-a-number"},
    {"Signbit", math_Signbit, "Signbit(x) bool — whether x is negative or negative zero"},
    {"Modf", math_Modf, "Modf(f) (int, frac float64) — the integer and fractional parts of f"},
    {"Float64bits", math_Float64bits, "Float64bits(f) int — the IEEE 754 bits of f"},
    {"Float64frombits", math_Float64frombits,
     "Float64frombits(b) float64 — the float64 with IEEE 754 bits b"},
    {NULL, NULL, NULL},
};

void stdlib_open_math(VM *vm) {
    ObjModule *m = vm_native_module(vm, "math", math_fns);
    static const struct {
        const char *name;
        double v;
    } floats[] = {
        {"Pi", M_PI},
        {"E", M_E},
        {"Sqrt2", M_SQRT2},
        {"SqrtE", 1.64872127070012814684865078831058010},
        {"SqrtPi", 1.77245385090551602729816748334114518},
        {"SqrtPhi", 1.27201964951406896425242246173749149},
        {"Phi", 1.61803398874989484820458683436563811},
        {"Ln2", M_LN2},
        {"Log2E", M_LOG2E},
        {"Ln10", M_LN10},
        {"Log10E", M_LOG10E},
        {"MaxFloat64", DBL_MAX},
        {"SmallestNonzeroFloat64", 4.9406564584124654417656879286822137236505980e-324},
        {"MaxFloat32", FLT_MAX},
        {"SmallestNonzeroFloat32", 1.401298464324817070923729583289916131280e-45},
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        vm_module_set(vm, m, floats[i].name, val_float(vm, floats[i].v));
    static const struct {
        const char *name;
        int64_t v;
    } ints[] = {
        {"MaxInt", INT64_MAX},     {"MinInt", INT64_MIN},   {"MaxInt64", INT64_MAX},
        {"MinInt64", INT64_MIN},   {"MaxInt32", INT32_MAX}, {"MinInt32", INT32_MIN},
        {"MaxInt16", INT16_MAX},   {"MinInt16", INT16_MIN}, {"MaxInt8", INT8_MAX},
        {"MinInt8", INT8_MIN},     {"MaxUint8", UINT8_MAX}, {"MaxUint16", UINT16_MAX},
        {"MaxUint32", UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        vm_module_set(vm, m, ints[i].name, val_int(vm, ints[i].v));
}
