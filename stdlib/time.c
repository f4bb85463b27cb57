/* stdlib/time.c — package time: Duration, Time, Sleep, timers and tickers.
 *
 * Duration.  A time.Duration is an int (nanoseconds) flagged INT_DURATION
 * (vm/object.h): arithmetic and comparison treat it as an int, an integer
 * operation with a Duration operand gives a Duration (vm/arith.c), fmt prints
 * it as Go's Duration.String does (vm/format.c), type() says
 * "time.Duration", int(d) gives the plain count.  So `100 * time.Millisecond`
 * prints 100ms, `float64(d) / 1e6` is a float64, and `d < time.Second` is a
 * bool.  The native type "time.Duration" only carries the methods (String,
 * Seconds, ...) and the zero value of `var d time.Duration`.
 *
 * Time.  A time.Time is an immutable native object: wall-clock seconds since
 * January 1, year 1 UTC (Go's internal epoch, so the zero value is Go's zero
 * Time), nanoseconds, whether it prints in the local zone, and, for times
 * from Now, a monotonic clock reading.  As in Go, Sub, Since, Until, Before,
 * After and Equal use the monotonic readings when both times have one, so
 * elapsed times are immune to wall-clock jumps.
 *
 * Timers.  A *time.Timer or *time.Ticker owns a scheduler timer
 * (runtime/sched.h) whose callback runs on a scheduler thread, outside any
 * goroutine, and delivers the current time with chan_try_send on the timer's
 * channel C of capacity 1, as Go does: a tick nobody has room for is
 * dropped, never queued.  The payload's mutex `mu` orders the callback with
 * Stop and Reset: a firing that Stop or Reset overtook (its deadline moved,
 * or the timer is no longer pending) delivers nothing, so after Stop returns
 * nothing more is sent and a timer never fires early.  A value already in C
 * stays there (Go before 1.23).  Lock order: mu, then the scheduler's timer
 * lock, then the channel's lock.  C keeps its Timer alive (chan_set_owner)
 * but an armed scheduler timer does not: a timer that no one holds and
 * whose C no one can receive from is collected, armed or not, as in Go
 * 1.23, so `select { case <-ch: case <-time.After(time.Hour): }` in a loop
 * runs in bounded memory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/chan.h"
#include "runtime/sched.h"
#include "stdlib/lib.h"

#define NS_PER_SEC 1000000000LL
#define UNIX_TO_INTERNAL 62135596800LL /* seconds from year 1 to 1970 */

static const NativeType duration_type, time_type, timer_type, ticker_type;

static int64_t sat_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* Go's two's-complement wrap-around, where Go's time package overflows
 * silently (Unix(1<<63-1, 0).Unix() gives the seconds back, UnixNano wraps). */
static int64_t wrap_add(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a + (uint64_t)b);
}
static int64_t wrap_mul(int64_t a, int64_t b) {
    return (int64_t)((uint64_t)a * (uint64_t)b);
}

/* ---- Duration ---- */

static Value duration_zero(VM *vm) {
    return val_duration(vm, 0);
}

/* The receiver of a Duration method: any int (a Duration usually). */
static bool dur_recv(G *g, const char *fn, Value *args, int nargs, const char *spec, int64_t *d,
                     int64_t *arg) {
    if (nargs < 1 || !val_is_int(args[0])) {
        vm_panicf(g, "%s: receiver must be time.Duration, got %s", fn,
                  nargs < 1 ? "nothing" : val_type_name(args[0]));
        return false;
    }
    *d = val_as_int(args[0]);
    return args_check(g, fn, args + 1, nargs - 1, spec, arg);
}

static int dur_String(G *g, Value *args, int nargs) {
    int64_t d, unused;
    if (!dur_recv(g, "time.Duration.String", args, nargs, "", &d, &unused))
        return -1;
    StrBuf b;
    sb_init(&b);
    fmt_duration(&b, d);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

/* Nanoseconds, Microseconds, Milliseconds: the count in a unit, truncated. */
static int dur_count(G *g, Value *args, int nargs, const char *fn, int64_t unit) {
    int64_t d, unused;
    if (!dur_recv(g, fn, args, nargs, "", &d, &unused))
        return -1;
    args[0] = val_int(g->vm, d / unit);
    return 1;
}
static int dur_Nanoseconds(G *g, Value *a, int n) {
    return dur_count(g, a, n, "time.Duration.Nanoseconds", 1);
}
static int dur_Microseconds(G *g, Value *a, int n) {
    return dur_count(g, a, n, "time.Duration.Microseconds", 1000);
}
static int dur_Milliseconds(G *g, Value *a, int n) {
    return dur_count(g, a, n, "time.Duration.Milliseconds", 1000000);
}

/* Seconds, Minutes, Hours: a float64, whole units plus the exact remainder. */
static int dur_float(G *g, Value *args, int nargs, const char *fn, int64_t unit) {
    int64_t d, unused;
    if (!dur_recv(g, fn, args, nargs, "", &d, &unused))
        return -1;
    args[0] = val_float(g->vm, (double)(d / unit) + (double)(d % unit) / (double)unit);
    return 1;
}
static int dur_Seconds(G *g, Value *a, int n) {
    return dur_float(g, a, n, "time.Duration.Seconds", NS_PER_SEC);
}
static int dur_Minutes(G *g, Value *a, int n) {
    return dur_float(g, a, n, "time.Duration.Minutes", 60 * NS_PER_SEC);
}
static int dur_Hours(G *g, Value *a, int n) {
    return dur_float(g, a, n, "time.Duration.Hours", 3600 * NS_PER_SEC);
}

static int dur_Truncate(G *g, Value *args, int nargs) {
    int64_t d, m;
    if (!dur_recv(g, "time.Duration.Truncate", args, nargs, "i", &d, &m))
        return -1;
    args[0] = val_duration(g->vm, m <= 0 ? d : d - d % m);
    return 1;
}

/* Go's Duration.Round: halfway values round away from zero; saturates. */
static int dur_Round(G *g, Value *args, int nargs) {
    int64_t d, m;
    if (!dur_recv(g, "time.Duration.Round", args, nargs, "i", &d, &m))
        return -1;
    int64_t res = d;
    if (m > 0) {
        int64_t r = d % m;
        if (d < 0)
            r = -r;
        bool less_than_half = (uint64_t)r + (uint64_t)r < (uint64_t)m;
        if (d < 0)
            res = less_than_half ? d + r : (d - m + r < d ? d - m + r : INT64_MIN);
        else
            res = less_than_half ? d - r : sat_add(d, m - r);
    }
    args[0] = val_duration(g->vm, res);
    return 1;
}

static int dur_Abs(G *g, Value *args, int nargs) {
    int64_t d, unused;
    if (!dur_recv(g, "time.Duration.Abs", args, nargs, "", &d, &unused))
        return -1;
    args[0] = val_duration(g->vm, d >= 0 ? d : d == INT64_MIN ? INT64_MAX : -d);
    return 1;
}

static const NativeMethod duration_methods[] = {
    {"String", dur_String, "String() string — the duration as Go prints it: 1h2m3.5s, 1.5ms"},
    {"Nanoseconds", dur_Nanoseconds, "Nanoseconds() int — the duration as a count of nanoseconds"},
    {"Microseconds", dur_Microseconds, "Microseconds() int — whole microseconds"},
    {"Milliseconds", dur_Milliseconds, "Milliseconds() int — whole milliseconds"},
    {"Seconds", dur_Seconds, "Seconds() float64 — the duration in seconds"},
    {"Minutes", dur_Minutes, "Minutes() float64 — the duration in minutes"},
    {"Hours", dur_Hours, "Hours() float64 — the duration in hours"},
    {"Truncate", dur_Truncate, "Truncate(m) Duration — rounded toward zero to a multiple of m"},
    {"Round", dur_Round, "Round(m) Duration — rounded to the nearest multiple of m (halves away from zero)"},
    {"Abs", dur_Abs, "Abs() Duration — the absolute value"},
    {NULL, NULL, NULL},
};

static const NativeType duration_type = {
    .name = "time.Duration",
    .methods = duration_methods,
    .zero = duration_zero,
};

/* time.Duration(x): an int or float64 (truncated) as a Duration. */
static int time_Duration(G *g, Value *args, int nargs) {
    Value v;
    if (!args_check(g, "time.Duration", args, nargs, "n", &v))
        return -1;
    int64_t ns;
    if (val_is_int(v)) {
        ns = val_as_int(v);
    } else {
        double d = val_as_float(v);
        ns = d >= -9223372036854775808.0 && d < 9223372036854775808.0 ? (int64_t)d : INT64_MIN;
    }
    args[0] = val_duration(g->vm, ns);
    return 1;
}

/* ---- ParseDuration (Go's algorithm and messages) ---- */

static const struct {
    const char *name;
    uint64_t ns;
} duration_units[] = {
    {"ns", 1},       {"us", 1000},      {"\xc2\xb5s", 1000},    {"\xce\xbcs", 1000},
    {"ms", 1000000}, {"s", NS_PER_SEC}, {"m", 60 * NS_PER_SEC}, {"h", 3600 * NS_PER_SEC},
};

#define DUR_LIMIT ((uint64_t)1 << 63)

/* Leading digits of s[*i..n); false on overflow. */
static bool leading_int(const char *s, size_t n, size_t *i, uint64_t *x) {
    *x = 0;
    for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
        if (*x > DUR_LIMIT / 10)
            return false;
        *x = *x * 10 + (uint64_t)(s[*i] - '0');
        if (*x > DUR_LIMIT)
            return false;
    }
    return true;
}

/* Digits after the point: the value and its scale; extra digits are dropped. */
static void leading_fraction(const char *s, size_t n, size_t *i, uint64_t *x, double *scale) {
    bool overflow = false;
    *x = 0;
    *scale = 1;
    for (; *i < n && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
        if (overflow || *x > DUR_LIMIT / 10) {
            overflow = true;
            continue;
        }
        uint64_t y = *x * 10 + (uint64_t)(s[*i] - '0');
        if (y > DUR_LIMIT) {
            overflow = true;
            continue;
        }
        *x = y;
        *scale *= 10;
    }
}

static Value duration_error(VM *vm, const char *what, const char *unit, size_t unitlen, ObjString *orig) {
    StrBuf b;
    sb_init(&b);
    sb_printf(&b, "time: %s ", what);
    if (unit) {
        strconv_quote(&b, unit, unitlen, false);
        sb_puts(&b, " in duration ");
    }
    strconv_quote(&b, orig->chars, orig->len, false);
    Value e = err_new(vm, str_new(vm, b.p, b.len), VAL_NIL);
    sb_free(&b);
    return e;
}

/* Parse s into *out; nil, or the error value. */
static Value parse_duration(VM *vm, ObjString *str, int64_t *out) {
    const char *s = str->chars;
    size_t n = str->len, i = 0;
    uint64_t d = 0;
    bool neg = false;
    *out = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i++;
    }
    if (n - i == 1 && s[i] == '0')
        return VAL_NIL;
    if (i == n)
        return duration_error(vm, "invalid duration", NULL, 0, str);
    while (i < n) {
        if (!(s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
            return duration_error(vm, "invalid duration", NULL, 0, str);
        size_t start = i;
        uint64_t v, f = 0;
        double scale = 1;
        if (!leading_int(s, n, &i, &v))
            return duration_error(vm, "invalid duration", NULL, 0, str);
        bool pre = i != start, post = false;
        if (i < n && s[i] == '.') {
            size_t fstart = ++i;
            leading_fraction(s, n, &i, &f, &scale);
            post = i != fstart;
        }
        if (!pre && !post)
            return duration_error(vm, "invalid duration", NULL, 0, str);
        size_t ustart = i;
        while (i < n && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'))
            i++;
        if (i == ustart)
            return duration_error(vm, "missing unit in duration", NULL, 0, str);
        uint64_t unit = 0;
        for (size_t u = 0; u < sizeof duration_units / sizeof duration_units[0]; u++)
            if (strlen(duration_units[u].name) == i - ustart &&
                !memcmp(duration_units[u].name, s + ustart, i - ustart))
                unit = duration_units[u].ns;
        if (!unit)
            return duration_error(vm, "unknown unit", s + ustart, i - ustart, str);
        if (v > DUR_LIMIT / unit)
            return duration_error(vm, "invalid duration", NULL, 0, str);
        v *= unit;
        if (f > 0) {
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > DUR_LIMIT)
                return duration_error(vm, "invalid duration", NULL, 0, str);
        }
        d += v;
        if (d > DUR_LIMIT)
            return duration_error(vm, "invalid duration", NULL, 0, str);
    }
    if (!neg && d > DUR_LIMIT - 1)
        return duration_error(vm, "invalid duration", NULL, 0, str);
    *out = neg ? (int64_t)(0 - d) : (int64_t)d;
    return VAL_NIL;
}

static int time_ParseDuration(G *g, Value *args, int nargs) {
    ObjString *s;
    if (!args_check(g, "time.ParseDuration", args, nargs, "s", &s))
        return -1;
    int64_t d;
    Value err = parse_duration(g->vm, s, &d);
    args[0] = val_duration(g->vm, d);
    args[1] = err;
    return 2;
}

/* ---- Time ---- */

typedef struct TimeVal {
    int64_t sec;  /* seconds since January 1, year 1, 00:00:00 UTC */
    int64_t nsec; /* [0, 1e9) */
    int64_t mono; /* sched_nanotime() reading, when has_mono */
    bool has_mono;
    bool local; /* shown in the local zone; false: UTC (the zero Time) */
} TimeVal;

static Value time_new(VM *vm, const TimeVal *tv) {
    ObjNativeObj *o = vm_new_nativeobj(vm, &time_type);
    memcpy(o->payload, tv, sizeof *tv);
    return val_obj(o);
}

static TimeVal time_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    TimeVal tv = {(int64_t)ts.tv_sec + UNIX_TO_INTERNAL, ts.tv_nsec, sched_nanotime(), true, true};
    return tv;
}

static TimeVal time_from_unix(int64_t sec, int64_t nsec) {
    sec = wrap_add(sec, nsec / NS_PER_SEC);
    nsec %= NS_PER_SEC;
    if (nsec < 0) {
        nsec += NS_PER_SEC;
        sec = wrap_add(sec, -1);
    }
    TimeVal tv = {wrap_add(sec, UNIX_TO_INTERNAL), nsec, 0, false, true};
    return tv;
}

/* t - u in nanoseconds, saturating at Go's minDuration and maxDuration;
 * monotonic when both have a reading.  Exact in 128 bits, so a difference
 * that fits is never saturated. */
static int64_t time_sub(const TimeVal *t, const TimeVal *u) {
    __int128 r;
    if (t->has_mono && u->has_mono)
        r = (__int128)t->mono - u->mono;
    else
        r = ((__int128)t->sec - u->sec) * NS_PER_SEC + (t->nsec - u->nsec);
    return r > INT64_MAX ? INT64_MAX : r < INT64_MIN ? INT64_MIN : (int64_t)r;
}

bool time_deadline(Value v, int64_t *deadline) {
    if (!val_is(v, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(v)->ntype != &time_type)
        return false;
    const TimeVal *t = (const TimeVal *)AS_NATIVEOBJ(v)->payload;
    if (t->sec == 0 && t->nsec == 0) {
        *deadline = 0; /* the zero Time: no deadline */
        return true;
    }
    if (t->has_mono) {
        *deadline = sched_deadline_at(t->mono); /* Now().Add(math.MinInt64): long passed, not negative */
        return true;
    }
    TimeVal now = time_now();
    *deadline = sched_deadline(time_sub(t, &now)); /* both saturate */
    return true;
}

static int time_cmp(const TimeVal *t, const TimeVal *u) {
    if (t->has_mono && u->has_mono)
        return (t->mono > u->mono) - (t->mono < u->mono);
    if (t->sec != u->sec)
        return t->sec < u->sec ? -1 : 1;
    return (t->nsec > u->nsec) - (t->nsec < u->nsec);
}

/* Go's Time.Add: the seconds saturate; a monotonic reading that would
 * overflow is dropped, so the result compares by the wall clock. */
static TimeVal time_add(const TimeVal *t, int64_t d) {
    TimeVal r = *t;
    int64_t dsec = d / NS_PER_SEC;
    r.nsec += d % NS_PER_SEC;
    if (r.nsec >= NS_PER_SEC) {
        dsec++;
        r.nsec -= NS_PER_SEC;
    } else if (r.nsec < 0) {
        dsec--;
        r.nsec += NS_PER_SEC;
    }
    if (__builtin_add_overflow(r.sec, dsec, &r.sec))
        r.sec = dsec > 0 ? INT64_MAX : -INT64_MAX;
    if (r.has_mono && __builtin_add_overflow(r.mono, d, &r.mono)) {
        r.mono = 0;
        r.has_mono = false;
    }
    return r;
}

/* The receiver and the other arguments of a Time method. */
#define TIME_RECV(fn, spec, ...) ARGS_RECV(t, TimeVal, time_type, "time.Time." fn, spec, ##__VA_ARGS__)

static TimeVal *time_arg(G *g, const char *fn, Value v, int argno) {
    if (!val_is(v, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(v)->ntype != &time_type) {
        args_type_error(g, fn, argno, "time.Time", v);
        return NULL;
    }
    return (TimeVal *)AS_NATIVEOBJ(v)->payload;
}

/* ---- calendar fields and Format ---- */

typedef struct Civil {
    struct tm tm;
    long offset;      /* seconds east of UTC */
    const char *zone; /* abbreviation */
} Civil;

static void civil(const TimeVal *t, Civil *c) {
    time_t u = (time_t)wrap_add(t->sec, -UNIX_TO_INTERNAL);
    memset(c, 0, sizeof *c);
    if (t->local && localtime_r(&u, &c->tm)) {
        c->offset = c->tm.tm_gmtoff;
        c->zone = c->tm.tm_zone ? c->tm.tm_zone : "";
    } else {
        gmtime_r(&u, &c->tm);
        c->zone = "UTC";
    }
}

static const char *const month_names[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
static const char *const day_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};

/* n zero-padded (pad '0') or space-padded (' ') to width digits. */
static void put_num(StrBuf *b, int64_t n, int width, char pad) {
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)(n < 0 ? -n : n));
    if (n < 0)
        sb_putc(b, '-');
    for (int i = len; i < width; i++)
        sb_putc(b, pad);
    sb_put(b, buf, (size_t)len);
}

/* -0700, -07:00, -07, -070000, -07:00:00; `z`: Z for UTC. */
static void put_zone(StrBuf *b, long off, bool z, bool colon, bool mins, bool secs) {
    if (z && off == 0) {
        sb_putc(b, 'Z');
        return;
    }
    sb_putc(b, off < 0 ? '-' : '+');
    long a = off < 0 ? -off : off;
    put_num(b, a / 3600, 2, '0');
    if (mins) {
        if (colon)
            sb_putc(b, ':');
        put_num(b, a / 60 % 60, 2, '0');
    }
    if (secs) {
        if (colon)
            sb_putc(b, ':');
        put_num(b, a % 60, 2, '0');
    }
}

/* Fractional seconds: `digits` places; `trim`: drop trailing zeros (.999). */
static void put_frac(StrBuf *b, int64_t nsec, int digits, bool trim, char sep) {
    char d[10];
    snprintf(d, sizeof d, "%09lld", (long long)nsec);
    int n = digits > 9 ? 9 : digits;
    if (trim)
        while (n > 0 && d[n - 1] == '0')
            n--;
    if (n == 0 && trim)
        return;
    sb_putc(b, sep);
    sb_put(b, d, (size_t)n);
}

static bool has(const char *s, size_t rest, const char *lit) {
    size_t n = strlen(lit);
    return rest >= n && !memcmp(s, lit, n);
}

/* The zone chunks of a layout (-0700, Z07:00 ...) at s; 0 if none. */
static size_t zone_chunk(StrBuf *b, const Civil *c, const char *s, size_t rest) {
    static const struct {
        const char *pat;
        bool colon, mins, secs;
    } zones[] = {{"070000", false, true, true},
                 {"07:00:00", true, true, true},
                 {"0700", false, true, false},
                 {"07:00", true, true, false},
                 {"07", false, false, false}};
    if (s[0] != '-' && s[0] != 'Z')
        return 0;
    for (size_t k = 0; k < sizeof zones / sizeof zones[0]; k++)
        if (has(s + 1, rest - 1, zones[k].pat)) {
            put_zone(b, c->offset, s[0] == 'Z', zones[k].colon, zones[k].mins, zones[k].secs);
            return 1 + strlen(zones[k].pat);
        }
    return 0;
}

/* The chunks of Go's reference time (Mon Jan 2 15:04:05 MST 2006) other
 * than zones and fractions, a chunk before any chunk it starts with. */
enum {
    CH_LONG_MONTH,
    CH_MONTH,
    CH_LONG_WEEKDAY,
    CH_WEEKDAY,
    CH_ZONE_NAME,
    CH_LONG_YEAR,
    CH_ZERO_YDAY,
    CH_UNDER_YDAY,
    CH_UNDER_DAY,
    CH_ZERO_MONTH,
    CH_ZERO_DAY,
    CH_ZERO_HOUR12,
    CH_ZERO_MINUTE,
    CH_ZERO_SECOND,
    CH_YEAR,
    CH_HOUR,
    CH_PM_UPPER,
    CH_PM_LOWER,
    CH_NUM_MONTH,
    CH_DAY,
    CH_HOUR12,
    CH_MINUTE,
    CH_SECOND,
};
static const struct {
    const char *text;
    int code;
} layout_chunks[] = {
    {"January", CH_LONG_MONTH},
    {"Jan", CH_MONTH},
    {"Monday", CH_LONG_WEEKDAY},
    {"Mon", CH_WEEKDAY},
    {"MST", CH_ZONE_NAME},
    {"2006", CH_LONG_YEAR},
    {"002", CH_ZERO_YDAY},
    {"__2", CH_UNDER_YDAY},
    {"_2", CH_UNDER_DAY},
    {"01", CH_ZERO_MONTH},
    {"02", CH_ZERO_DAY},
    {"03", CH_ZERO_HOUR12},
    {"04", CH_ZERO_MINUTE},
    {"05", CH_ZERO_SECOND},
    {"06", CH_YEAR},
    {"15", CH_HOUR},
    {"PM", CH_PM_UPPER},
    {"pm", CH_PM_LOWER},
    {"1", CH_NUM_MONTH},
    {"2", CH_DAY},
    {"3", CH_HOUR12},
    {"4", CH_MINUTE},
    {"5", CH_SECOND},
};

static void put_chunk(StrBuf *b, int code, const Civil *c) {
    const struct tm *tm = &c->tm;
    int hour12 = tm->tm_hour % 12 == 0 ? 12 : tm->tm_hour % 12;
    int64_t year = (int64_t)tm->tm_year + 1900;
    switch (code) {
    case CH_LONG_MONTH: sb_puts(b, month_names[tm->tm_mon]); break;
    case CH_MONTH: sb_put(b, month_names[tm->tm_mon], 3); break;
    case CH_LONG_WEEKDAY: sb_puts(b, day_names[tm->tm_wday]); break;
    case CH_WEEKDAY: sb_put(b, day_names[tm->tm_wday], 3); break;
    case CH_ZONE_NAME:
        if (c->zone[0])
            sb_puts(b, c->zone);
        else
            put_zone(b, c->offset, false, false, true, false);
        break;
    case CH_LONG_YEAR: put_num(b, year, 4, '0'); break;
    case CH_ZERO_YDAY: put_num(b, tm->tm_yday + 1, 3, '0'); break;
    case CH_UNDER_YDAY: put_num(b, tm->tm_yday + 1, 3, ' '); break;
    case CH_UNDER_DAY: put_num(b, tm->tm_mday, 2, ' '); break;
    case CH_ZERO_MONTH: put_num(b, tm->tm_mon + 1, 2, '0'); break;
    case CH_ZERO_DAY: put_num(b, tm->tm_mday, 2, '0'); break;
    case CH_ZERO_HOUR12: put_num(b, hour12, 2, '0'); break;
    case CH_ZERO_MINUTE: put_num(b, tm->tm_min, 2, '0'); break;
    case CH_ZERO_SECOND: put_num(b, tm->tm_sec, 2, '0'); break;
    case CH_YEAR: put_num(b, (year % 100 + 100) % 100, 2, '0'); break;
    case CH_HOUR: put_num(b, tm->tm_hour, 2, '0'); break;
    case CH_PM_UPPER: sb_puts(b, tm->tm_hour >= 12 ? "PM" : "AM"); break;
    case CH_PM_LOWER: sb_puts(b, tm->tm_hour >= 12 ? "pm" : "am"); break;
    case CH_NUM_MONTH: put_num(b, tm->tm_mon + 1, 0, '0'); break;
    case CH_DAY: put_num(b, tm->tm_mday, 0, '0'); break;
    case CH_HOUR12: put_num(b, hour12, 0, '0'); break;
    case CH_MINUTE: put_num(b, tm->tm_min, 0, '0'); break;
    default: put_num(b, tm->tm_sec, 0, '0'); break;
    }
}

/* A run of 0s or 9s after '.' or ',' not followed by a digit: fractional
 * seconds (.000 fixed, .999 without trailing zeros).  Its length, or 0. */
static size_t frac_chunk(StrBuf *b, const TimeVal *t, const char *s, size_t rest) {
    if ((s[0] != '.' && s[0] != ',') || rest < 2 || (s[1] != '0' && s[1] != '9'))
        return 0;
    size_t j = 1;
    while (j < rest && s[j] == s[1])
        j++;
    if (j < rest && s[j] >= '0' && s[j] <= '9')
        return 0;
    put_frac(b, t->nsec, (int)(j - 1), s[1] == '9', s[0]);
    return j;
}

/* Format the layout chunk at s into b; returns its length, 0 if s starts
 * with no chunk (a literal byte). */
static size_t format_chunk(StrBuf *b, const TimeVal *t, const Civil *c, const char *s, size_t rest) {
    size_t n = frac_chunk(b, t, s, rest);
    if (n == 0)
        n = zone_chunk(b, c, s, rest);
    for (size_t k = 0; n == 0 && k < sizeof layout_chunks / sizeof layout_chunks[0]; k++) {
        int code = layout_chunks[k].code;
        size_t len = strlen(layout_chunks[k].text);
        if (!has(s, rest, layout_chunks[k].text))
            continue;
        /* Go: "Janet" and "Month" are words, not chunks; "_2006" is "_" and a year */
        if ((code == CH_MONTH || code == CH_WEEKDAY) && rest > 3 && s[3] >= 'a' && s[3] <= 'z')
            continue;
        if (code == CH_UNDER_DAY && has(s, rest, "_2006"))
            return 0;
        put_chunk(b, code, c);
        n = len;
    }
    return n;
}

static void time_format(StrBuf *b, const TimeVal *t, const char *layout, size_t n) {
    Civil c;
    civil(t, &c);
    for (size_t i = 0; i < n;) {
        size_t k = format_chunk(b, t, &c, layout + i, n - i);
        if (k == 0)
            sb_putc(b, layout[i++]);
        else
            i += k;
    }
}

static int ret_string(G *g, Value *args, StrBuf *b) {
    args[0] = val_str(g->vm, b->p ? b->p : "", b->len);
    sb_free(b);
    return 1;
}

/* Go's Time.String: "2006-01-02 15:04:05.999999999 -0700 MST m=+0.000000001". */
static int Time_String(G *g, Value *args, int nargs) {
    TIME_RECV("String", "")
    StrBuf b;
    sb_init(&b);
    static const char layout[] = "2006-01-02 15:04:05.999999999 -0700 MST";
    time_format(&b, t, layout, sizeof layout - 1);
    if (t->has_mono) {
        uint64_t m = t->mono < 0 ? 0 - (uint64_t)t->mono : (uint64_t)t->mono;
        sb_printf(&b, " m=%c%llu.%09llu", t->mono < 0 ? '-' : '+', (unsigned long long)(m / NS_PER_SEC),
                  (unsigned long long)(m % NS_PER_SEC));
    }
    return ret_string(g, args, &b);
}

static int Time_Format(G *g, Value *args, int nargs) {
    ObjString *layout;
    TIME_RECV("Format", "s", &layout)
    StrBuf b;
    sb_init(&b);
    time_format(&b, t, layout->chars, layout->len);
    return ret_string(g, args, &b);
}

static int Time_Sub(G *g, Value *args, int nargs) {
    Value uv;
    TIME_RECV("Sub", "v", &uv)
    TimeVal *u = time_arg(g, "time.Time.Sub", uv, 1);
    if (!u)
        return -1;
    args[0] = val_duration(g->vm, time_sub(t, u));
    return 1;
}

static int Time_Add(G *g, Value *args, int nargs) {
    int64_t d;
    TIME_RECV("Add", "i", &d)
    TimeVal r = time_add(t, d);
    args[0] = time_new(g->vm, &r);
    return 1;
}

/* Before, After, Equal, Compare */
static int time_compare(G *g, Value *args, int nargs, const char *fn, int want) {
    Value uv;
    ARGS_RECV(t, TimeVal, time_type, fn, "v", &uv)
    TimeVal *u = time_arg(g, fn, uv, 1);
    if (!u)
        return -1;
    int c = time_cmp(t, u);
    args[0] = want == 2 ? val_int(g->vm, c) : val_bool(c == want);
    return 1;
}
static int Time_Before(G *g, Value *a, int n) {
    return time_compare(g, a, n, "time.Time.Before", -1);
}
static int Time_After(G *g, Value *a, int n) {
    return time_compare(g, a, n, "time.Time.After", 1);
}
static int Time_Equal(G *g, Value *a, int n) {
    return time_compare(g, a, n, "time.Time.Equal", 0);
}
static int Time_Compare(G *g, Value *a, int n) {
    return time_compare(g, a, n, "time.Time.Compare", 2);
}

/* Unix, UnixMilli, UnixMicro, UnixNano: the time since 1970 in a unit. */
static int time_unix(G *g, Value *args, int nargs, const char *fn, int64_t unit) {
    ARGS_RECV(t, TimeVal, time_type, fn, "")
    int64_t sec = wrap_add(t->sec, -UNIX_TO_INTERNAL);
    args[0] = val_int(g->vm, wrap_add(wrap_mul(sec, NS_PER_SEC / unit), t->nsec / unit));
    return 1;
}
static int Time_Unix(G *g, Value *a, int n) {
    return time_unix(g, a, n, "time.Time.Unix", NS_PER_SEC);
}
static int Time_UnixMilli(G *g, Value *a, int n) {
    return time_unix(g, a, n, "time.Time.UnixMilli", 1000000);
}
static int Time_UnixMicro(G *g, Value *a, int n) {
    return time_unix(g, a, n, "time.Time.UnixMicro", 1000);
}
static int Time_UnixNano(G *g, Value *a, int n) {
    return time_unix(g, a, n, "time.Time.UnixNano", 1);
}

/* Year, Day, Hour, Minute, Second, YearDay: a calendar field in t's zone. */
enum { F_YEAR, F_DAY, F_HOUR, F_MINUTE, F_SECOND, F_YEARDAY };
static int time_field(G *g, Value *args, int nargs, const char *fn, int field) {
    ARGS_RECV(t, TimeVal, time_type, fn, "")
    Civil c;
    civil(t, &c);
    int64_t v = field == F_YEAR     ? (int64_t)c.tm.tm_year + 1900
                : field == F_DAY    ? c.tm.tm_mday
                : field == F_HOUR   ? c.tm.tm_hour
                : field == F_MINUTE ? c.tm.tm_min
                : field == F_SECOND ? c.tm.tm_sec
                                    : c.tm.tm_yday + 1;
    args[0] = val_int(g->vm, v);
    return 1;
}
static int Time_Year(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.Year", F_YEAR);
}
static int Time_Day(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.Day", F_DAY);
}
static int Time_Hour(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.Hour", F_HOUR);
}
static int Time_Minute(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.Minute", F_MINUTE);
}
static int Time_Second(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.Second", F_SECOND);
}
static int Time_YearDay(G *g, Value *a, int n) {
    return time_field(g, a, n, "time.Time.YearDay", F_YEARDAY);
}

static int Time_Nanosecond(G *g, Value *args, int nargs) {
    TIME_RECV("Nanosecond", "")
    args[0] = val_int(g->vm, t->nsec);
    return 1;
}

static int Time_IsZero(G *g, Value *args, int nargs) {
    TIME_RECV("IsZero", "")
    args[0] = val_bool(t->sec == 0 && t->nsec == 0);
    return 1;
}

/* UTC, Local: the same instant shown in another zone. */
static int time_zone(G *g, Value *args, int nargs, const char *fn, bool local) {
    ARGS_RECV(t, TimeVal, time_type, fn, "")
    TimeVal r = *t;
    r.local = local;
    args[0] = time_new(g->vm, &r);
    return 1;
}
static int Time_UTC(G *g, Value *a, int n) {
    return time_zone(g, a, n, "time.Time.UTC", false);
}
static int Time_Local(G *g, Value *a, int n) {
    return time_zone(g, a, n, "time.Time.Local", true);
}

static const NativeMethod time_methods[] = {
    {"String", Time_String, "String() string — as Go prints a Time: 2006-01-02 15:04:05.999999999 -0700 MST"},
    {"Format", Time_Format,
     "Format(layout) string — formatted by Go's reference-time layout (2006-01-02 15:04:05)"},
    {"Sub", Time_Sub, "Sub(u) Duration — t - u (by the monotonic clock when both have it)"},
    {"Add", Time_Add, "Add(d) Time — t + d"},
    {"Before", Time_Before, "Before(u) bool — t is before u"},
    {"After", Time_After, "After(u) bool — t is after u"},
    {"Equal", Time_Equal, "Equal(u) bool — t and u are the same instant"},
    {"Compare", Time_Compare, "Compare(u) int — -1, 0 or +1"},
    {"Unix", Time_Unix, "Unix() int — seconds since January 1, 1970 UTC"},
    {"UnixMilli", Time_UnixMilli, "UnixMilli() int — milliseconds since 1970"},
    {"UnixMicro", Time_UnixMicro, "UnixMicro() int — microseconds since 1970"},
    {"UnixNano", Time_UnixNano, "UnixNano() int — nanoseconds since 1970"},
    {"Year", Time_Year, "Year() int — the year"},
    {"Day", Time_Day, "Day() int — the day of the month"},
    {"Hour", Time_Hour, "Hour() int — the hour, 0-23"},
    {"Minute", Time_Minute, "Minute() int — the minute, 0-59"},
    {"Second", Time_Second, "Second() int — the second, 0-59"},
    {"Nanosecond", Time_Nanosecond, "Nanosecond() int — the nanoseconds within the second"},
    {"YearDay", Time_YearDay, "YearDay() int — the day of the year, 1-366"},
    {"IsZero", Time_IsZero, "IsZero() bool — t is the zero Time (January 1, year 1, UTC)"},
    {"UTC", Time_UTC, "UTC() Time — t shown in UTC"},
    {"Local", Time_Local, "Local() Time — t shown in the local zone"},
    {NULL, NULL, NULL},
};

static const NativeType time_type = {
    .name = "time.Time",
    .methods = time_methods,
    .payload_size = sizeof(TimeVal),
};

static int time_Now(G *g, Value *args, int nargs) {
    if (!args_check(g, "time.Now", args, nargs, ""))
        return -1;
    TimeVal tv = time_now();
    args[0] = time_new(g->vm, &tv);
    return 1;
}

/* Since(t) = Now().Sub(t); Until(t) = t.Sub(Now()) */
static int time_since_until(G *g, Value *args, int nargs, const char *fn, bool since) {
    Value tv;
    if (!args_check(g, fn, args, nargs, "v", &tv))
        return -1;
    TimeVal *t = time_arg(g, fn, tv, 1);
    if (!t)
        return -1;
    TimeVal now = time_now();
    args[0] = val_duration(g->vm, since ? time_sub(&now, t) : time_sub(t, &now));
    return 1;
}
static int time_Since(G *g, Value *a, int n) {
    return time_since_until(g, a, n, "time.Since", true);
}
static int time_Until(G *g, Value *a, int n) {
    return time_since_until(g, a, n, "time.Until", false);
}

/* Unix(sec, nsec), UnixMilli(ms), UnixMicro(us): a local Time. */
Value time_unix_value(VM *vm, int64_t sec, int64_t nsec) {
    TimeVal tv = time_from_unix(sec, nsec);
    return time_new(vm, &tv);
}

static int time_Unix(G *g, Value *args, int nargs) {
    int64_t sec, nsec;
    if (!args_check(g, "time.Unix", args, nargs, "ii", &sec, &nsec))
        return -1;
    args[0] = time_unix_value(g->vm, sec, nsec);
    return 1;
}

static int time_UnixMilli(G *g, Value *args, int nargs) {
    int64_t ms;
    if (!args_check(g, "time.UnixMilli", args, nargs, "i", &ms))
        return -1;
    args[0] = time_unix_value(g->vm, ms / 1000, ms % 1000 * 1000000);
    return 1;
}

/* ---- Sleep ---- */

static int time_Sleep(G *g, Value *args, int nargs) {
    int64_t d;
    if (!args_check(g, "time.Sleep", args, nargs, "i", &d))
        return -1;
    if (d <= 0)
        return 0;
    if (!sched_can_park(g))
        return vm_cannot_park(g);
    return sched_sleep(g, d);
}

/* ---- Timer and Ticker ---- */

typedef struct TimerObj {
    pthread_mutex_t mu;
    VM *vm;         /* set at creation */
    Value ch;       /* C: set at creation, then only read */
    SchedTimer *st; /* mu; NULL for the zero value (`var t time.Timer`) */
    int64_t when;   /* mu: the deadline armed last (monotonic ns) */
    int64_t period; /* mu: a Ticker's interval; 0 for a Timer */
    bool pending;   /* mu: armed and not yet delivered (a Ticker: not stopped) */
} TimerObj;

static void timer_init(VM *vm, ObjNativeObj *o) {
    (void)vm;
    pthread_mutex_init(&((TimerObj *)o->payload)->mu, NULL);
}

static void timer_mark(VM *vm, ObjNativeObj *o) {
    gc_mark_value(vm, ((TimerObj *)o->payload)->ch);
}

/* No one holds the Timer or can receive from C (Go 1.23: an unreferenced
 * timer is collectable, armed or not): take it off its heap and free it.
 * The world is stopped, so its callback is not running. */
static void timer_finalize(ObjNativeObj *o) {
    TimerObj *t = (TimerObj *)o->payload;
    if (t->st) {
        sched_timer_stop(t->st);
        sched_timer_free(t->st);
    }
    pthread_mutex_destroy(&t->mu);
}

/* The scheduler timer fired (on a scheduler thread, no goroutine). */
static void timer_fire(void *arg, int64_t now) {
    TimerObj *t = arg;
    pthread_mutex_lock(&t->mu);
    if (!t->pending || now < t->when) { /* Stop or Reset overtook this firing */
        pthread_mutex_unlock(&t->mu);
        return;
    }
    if (t->period > 0) {
        /* the next tick on the original grid, skipping ticks already missed */
        int64_t step;
        if (__builtin_mul_overflow(t->period, 1 + (now - t->when) / t->period, &step))
            step = INT64_MAX;
        t->when = sched_deadline_at(sat_add(t->when, step));
        sched_timer_reset(t->vm, t->st, t->when);
    } else {
        t->pending = false;
    }
    TimeVal tv = time_now();
    chan_try_send(t->ch, time_new(t->vm, &tv));
    pthread_mutex_unlock(&t->mu);
}

static Value timer_new(G *g, const NativeType *type, int64_t d, int64_t period) {
    VM *vm = g->vm;
    ObjNativeObj *o = vm_new_nativeobj(vm, type);
    TimerObj *t = (TimerObj *)o->payload;
    t->vm = vm;
    t->ch = chan_make(vm, 1);
    pthread_mutex_lock(&t->mu);
    t->period = period;
    t->when = sched_deadline(d);
    t->pending = true;
    t->st = sched_timer_start(g, t->when, timer_fire, t);
    chan_set_owner(t->ch, val_obj(o));
    pthread_mutex_unlock(&t->mu);
    return val_obj(o);
}

static Value timer_getfield(G *g, ObjNativeObj *o, ObjString *name, int *found) {
    (void)g;
    *found = !strcmp(name->chars, "C");
    return *found ? ((TimerObj *)o->payload)->ch : VAL_NIL;
}

/* Stop: true if it prevented a delivery (the timer was pending). */
static bool timer_stop(TimerObj *t) {
    pthread_mutex_lock(&t->mu);
    bool was = t->pending;
    t->pending = false;
    sched_timer_stop(t->st);
    pthread_mutex_unlock(&t->mu);
    return was;
}

/* Reset: re-arm for d from now (and, for a Ticker, a new period). */
static bool timer_reset(TimerObj *t, int64_t d, int64_t period) {
    pthread_mutex_lock(&t->mu);
    bool was = t->pending;
    t->pending = true;
    t->period = period;
    t->when = sched_deadline(d);
    sched_timer_reset(t->vm, t->st, t->when);
    pthread_mutex_unlock(&t->mu);
    return was;
}

static int Timer_Stop(G *g, Value *args, int nargs) {
    ARGS_RECV(t, TimerObj, timer_type, "time.Timer.Stop", "")
    if (!t->st)
        return vm_panicf(g, "time: Stop called on uninitialized Timer");
    args[0] = val_bool(timer_stop(t));
    return 1;
}

static int Timer_Reset(G *g, Value *args, int nargs) {
    int64_t d;
    ARGS_RECV(t, TimerObj, timer_type, "time.Timer.Reset", "i", &d)
    if (!t->st)
        return vm_panicf(g, "time: Reset called on uninitialized Timer");
    args[0] = val_bool(timer_reset(t, d, 0));
    return 1;
}

static int Ticker_Stop(G *g, Value *args, int nargs) {
    ARGS_RECV(t, TimerObj, ticker_type, "time.Ticker.Stop", "")
    if (t->st) /* Go: stopping the zero Ticker does nothing */
        timer_stop(t);
    return 0;
}

static int Ticker_Reset(G *g, Value *args, int nargs) {
    int64_t d;
    ARGS_RECV(t, TimerObj, ticker_type, "time.Ticker.Reset", "i", &d)
    if (d <= 0)
        return vm_panicf(g, "non-positive interval for Ticker.Reset");
    if (!t->st)
        return vm_panicf(g, "time: Reset called on uninitialized Ticker");
    timer_reset(t, d, d);
    return 0;
}

static const NativeMethod timer_methods[] = {
    {"Stop", Timer_Stop, "Stop() bool — stops the timer; false if it had already fired or been stopped"},
    {"Reset", Timer_Reset, "Reset(d) bool — re-arms the timer to fire after d; true if it was pending"},
    {NULL, NULL, NULL},
};

static const NativeMethod ticker_methods[] = {
    {"Stop", Ticker_Stop, "Stop() — no more ticks are sent (a tick already in C stays there)"},
    {"Reset", Ticker_Reset, "Reset(d) — stops the ticker and restarts it with the period d"},
    {NULL, NULL, NULL},
};

static const NativeType timer_type = {
    .name = "*time.Timer",
    .methods = timer_methods,
    .payload_size = sizeof(TimerObj),
    .init = timer_init,
    .mark = timer_mark,
    .finalize = timer_finalize,
    .getfield = timer_getfield,
};

static const NativeType ticker_type = {
    .name = "*time.Ticker",
    .methods = ticker_methods,
    .payload_size = sizeof(TimerObj),
    .init = timer_init,
    .mark = timer_mark,
    .finalize = timer_finalize,
    .getfield = timer_getfield,
};

static int time_NewTimer(G *g, Value *args, int nargs) {
    int64_t d;
    if (!args_check(g, "time.NewTimer", args, nargs, "i", &d))
        return -1;
    args[0] = timer_new(g, &timer_type, d, 0);
    return 1;
}

static int time_After(G *g, Value *args, int nargs) {
    int64_t d;
    if (!args_check(g, "time.After", args, nargs, "i", &d))
        return -1;
    args[0] = ((TimerObj *)AS_NATIVEOBJ(timer_new(g, &timer_type, d, 0))->payload)->ch;
    return 1;
}

static int time_NewTicker(G *g, Value *args, int nargs) {
    int64_t d;
    if (!args_check(g, "time.NewTicker", args, nargs, "i", &d))
        return -1;
    if (d <= 0)
        return vm_panicf(g, "non-positive interval for NewTicker");
    args[0] = timer_new(g, &ticker_type, d, d);
    return 1;
}

/* Tick(d): a ticker's channel (nil when d <= 0, as Go). */
static int time_Tick(G *g, Value *args, int nargs) {
    int64_t d;
    if (!args_check(g, "time.Tick", args, nargs, "i", &d))
        return -1;
    args[0] = d <= 0 ? VAL_NIL : ((TimerObj *)AS_NATIVEOBJ(timer_new(g, &ticker_type, d, d))->payload)->ch;
    return 1;
}

/* ---- the module ---- */

static const NativeReg time_fns[] = {
    {"Sleep", time_Sleep, "Sleep(d) — pauses the goroutine for at least d"},
    {"After", time_After, "After(d) chan — a channel that receives the time once d has passed"},
    {"Tick", time_Tick, "Tick(d) chan — a channel that receives the time every d (nil if d <= 0)"},
    {"NewTimer", time_NewTimer,
     "NewTimer(d) *time.Timer — a timer whose channel C receives the time after d"},
    {"NewTicker", time_NewTicker,
     "NewTicker(d) *time.Ticker — a ticker whose channel C receives the time every d"},
    {"Now", time_Now, "Now() Time — the current local time, with a monotonic clock reading"},
    {"Since", time_Since, "Since(t) Duration — the time elapsed since t"},
    {"Until", time_Until, "Until(t) Duration — the duration until t"},
    {"Unix", time_Unix, "Unix(sec, nsec) Time — the local time of a Unix time"},
    {"UnixMilli", time_UnixMilli, "UnixMilli(ms) Time — the local time of a Unix time in milliseconds"},
    {"Duration", time_Duration, "Duration(n) Duration — n nanoseconds as a Duration (a float64 truncates)"},
    {"ParseDuration", time_ParseDuration,
     "ParseDuration(s) (Duration, error) — parses \"1h30m\", \"1.5s\", \"-2ms\""},
    {NULL, NULL, NULL},
};

static const struct {
    const char *name, *layout;
} time_layouts[] = {
    {"Layout", "01/02 03:04:05PM '06 -0700"},
    {"ANSIC", "Mon Jan _2 15:04:05 2006"},
    {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
    {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
    {"RFC822", "02 Jan 06 15:04 MST"},
    {"RFC822Z", "02 Jan 06 15:04 -0700"},
    {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
    {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
    {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
    {"RFC3339", "2006-01-02T15:04:05Z07:00"},
    {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
    {"Kitchen", "3:04PM"},
    {"Stamp", "Jan _2 15:04:05"},
    {"StampMilli", "Jan _2 15:04:05.000"},
    {"StampMicro", "Jan _2 15:04:05.000000"},
    {"StampNano", "Jan _2 15:04:05.000000000"},
    {"DateTime", "2006-01-02 15:04:05"},
    {"DateOnly", "2006-01-02"},
    {"TimeOnly", "15:04:05"},
};

void stdlib_open_time(VM *vm) {
    ObjModule *m = vm_native_module(vm, "time", time_fns);
    static const struct {
        const char *name;
        int64_t ns;
    } units[] = {{"Nanosecond", 1},      {"Microsecond", 1000},       {"Millisecond", 1000000},
                 {"Second", NS_PER_SEC}, {"Minute", 60 * NS_PER_SEC}, {"Hour", 3600 * NS_PER_SEC}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        vm_module_set(vm, m, units[i].name, val_duration(vm, units[i].ns));
    for (size_t i = 0; i < sizeof time_layouts / sizeof time_layouts[0]; i++)
        vm_module_set(vm, m, time_layouts[i].name, val_cstr(vm, time_layouts[i].layout));
    vm_register_type(vm, &duration_type);
    vm_register_type(vm, &time_type);
    vm_register_type(vm, &timer_type);
    vm_register_type(vm, &ticker_type);
}
