/* stdlib/runtime.c — packages runtime and runtime/debug: the scheduler's and
 * the collector's knobs, as scripts see them.
 *
 * runtime: GOMAXPROCS NumCPU NumGoroutine Gosched GC Goexit Version
 * Leaks (csp's own) ReadMemStats, the type MemStats, and the constants GOOS
 * GOARCH.  runtime/debug: SetMaxStack SetMaxThreads SetGCPercent (each
 * returns the previous setting), Stack, PrintStack.
 * runtime/trace: Start Stop Log IsEnabled StartRegion WithRegion NewTask (the
 * tracer: runtime/trace.h).
 *
 * Threading: the settings are VM fields that other threads read while
 * goroutines run; they are written here with atomic stores (the readers in
 * vm/ and runtime/ must read them atomically too).
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "csp_config.h"
#include "runtime/sched.h"
#include "runtime/trace.h"
#include "stdlib/stream.h"
#include "stdlib/lib.h"
#include "vm/race.h"
#include "vm/interp.h" /* traceback(): debug.Stack is the one user outside vm/ */

#if defined(__APPLE__)
#define GOOS "darwin"
#elif defined(__FreeBSD__)
#define GOOS "freebsd"
#else
#define GOOS "linux"
#endif
#if defined(__x86_64__)
#define GOARCH "amd64"
#elif defined(__aarch64__)
#define GOARCH "arm64"
#elif defined(__i386__)
#define GOARCH "386"
#else
#define GOARCH "unknown"
#endif

static int rt_GOMAXPROCS(G *g, Value *args, int nargs) {
    int64_t n = 0;
    if (!args_check(g, "runtime.GOMAXPROCS", args, nargs, "i", &n))
        return -1;
    if (n > 1 << 20)
        n = 1 << 20;
    bool must_yield;
    args[0] = val_int(g->vm, sched_gomaxprocs(g, (int)n, &must_yield));
    return must_yield ? sched_gosched_results(g, 1) : 1;
}

static int rt_NumCPU(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.NumCPU", args, nargs, ""))
        return -1;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    args[0] = val_int(g->vm, n > 0 ? n : 1);
    return 1;
}

static int rt_NumGoroutine(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.NumGoroutine", args, nargs, ""))
        return -1;
    args[0] = val_int(g->vm, sched_num_goroutine(g->vm));
    return 1;
}

static int rt_Gosched(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.Gosched", args, nargs, ""))
        return -1;
    if (!sched_can_park(g))
        return 0; /* inside a builtin's callback: yielding is only a hint */
    return sched_gosched(g);
}

static int rt_GC(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.GC", args, nargs, ""))
        return -1;
    g->vm->rt->gc(g); /* stops the world, collects, restarts it */
    /* Hand what was freed back to the system, as Go's scavenger does in
     * the background: the stacks of exited goroutines, the swept objects. */
    malloc_trim(0);
    return 0;
}

static int rt_Goexit(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.Goexit", args, nargs, ""))
        return -1;
    return vm_goexit(g);
}

static int rt_Version(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.Version", args, nargs, ""))
        return -1;
    args[0] = val_cstr(g->vm, "csp" CSP_VERSION);
    return 1;
}

/* ---- MemStats ----
 * `var m runtime.MemStats; runtime.ReadMemStats(m)` (Go passes &m; csp's
 * objects are references already).  The figures come from the collector's
 * counters (vm/gc.c): this goroutine's thread is exact, other threads'
 * allocations show after their next cache flush (at most 32 KB each).
 * Sys is the process's resident memory, never below Alloc. */

enum { MS_ALLOC, MS_TOTALALLOC, MS_SYS, MS_MALLOCS, MS_FREES, MS_HEAPALLOC, MS_HEAPOBJECTS, MS_NEXTGC, MS_NUMGC,
       MS_NFIELDS };
static const char *const ms_names[MS_NFIELDS] = {"Alloc", "TotalAlloc", "Sys", "Mallocs", "Frees",
                                                 "HeapAlloc", "HeapObjects", "NextGC", "NumGC"};

typedef struct MemStats {
    int64_t f[MS_NFIELDS]; /* written by ReadMemStats, as Go's struct: unsynchronised */
} MemStats;

static const NativeType memstats_type;

static Value ms_getfield(G *g, ObjNativeObj *o, ObjString *name, int *found) {
    for (int i = 0; i < MS_NFIELDS; i++)
        if (!strcmp(name->chars, ms_names[i])) {
            *found = 1;
            return val_int(g->vm, ((MemStats *)o->payload)->f[i]);
        }
    *found = 0;
    return VAL_NIL;
}

static int64_t resident_bytes(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    if (resident > 0)
        return (int64_t)resident * sysconf(_SC_PAGESIZE);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)ru.ru_maxrss * 1024; /* peak, in KB on Linux */
}

static int rt_ReadMemStats(G *g, Value *args, int nargs) {
    Value mv;
    if (!args_check(g, "runtime.ReadMemStats", args, nargs, "v", &mv))
        return -1;
    if (!val_is(mv, OBJ_NATIVEOBJ) || AS_NATIVEOBJ(mv)->ntype != &memstats_type)
        return args_type_error(g, "runtime.ReadMemStats", 1, "runtime.MemStats", mv);
    VM *vm = g->vm;
    gc_flush_counts(vm);
    int64_t *f = ((MemStats *)AS_NATIVEOBJ(mv)->payload)->f;
    f[MS_ALLOC] = f[MS_HEAPALLOC] = (int64_t)atomic_load(&vm->bytes_allocated);
    f[MS_TOTALALLOC] = (int64_t)atomic_load(&vm->total_allocated);
    f[MS_MALLOCS] = (int64_t)atomic_load(&vm->nmallocs);
    f[MS_HEAPOBJECTS] = atomic_load(&vm->nobjects);
    f[MS_FREES] = f[MS_MALLOCS] - f[MS_HEAPOBJECTS];
    f[MS_NEXTGC] = (int64_t)vm->next_gc;
    f[MS_NUMGC] = (int64_t)vm->ncollections;
    int64_t sys = resident_bytes();
    f[MS_SYS] = sys > f[MS_ALLOC] ? sys : f[MS_ALLOC];
    return 0;
}

static const NativeType memstats_type = {
    .name = "runtime.MemStats",
    .payload_size = sizeof(MemStats),
    .getfield = ms_getfield,
};

/* Go's goroutine header and the trace of the calling goroutine. */
static void stack_text(G *g, StrBuf *b);

/* runtime.Stack(buf, all) int, Go's form: the calling goroutine's trace
 * (and with all, every other goroutine's after it, as a SIGQUIT prints
 * them) written as bytes into the list buf, cut at len(buf); returns how
 * many bytes were written, so `string(buf[:n])` is the text.  csp's form
 * runtime.Stack(all) returns the text as a string. */
static int rt_Stack(G *g, Value *args, int nargs) {
    bool to_list = nargs == 2;
    Value all_v = to_list ? args[1] : args[0];
    if (nargs < 1 || nargs > 2 || (to_list && !val_is(args[0], OBJ_LIST)) || !val_is_bool(all_v))
        return vm_panicf(g, "runtime.Stack: want Stack(buf, all) or Stack(all), with all a bool");
    StrBuf b;
    sb_init(&b);
    stack_text(g, &b);
    if (val_as_bool(all_v)) {
        char *others = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&others, &n);
        if (!f)
            mem_oom();
        sched_dump_others(g, f);
        fclose(f);
        sb_put(&b, others, n);
        free(others);
    }
    if (to_list) {
        ObjList *l = AS_LIST(args[0]);
        int64_t len = list_len(l), n = (int64_t)b.len < len ? (int64_t)b.len : len;
        race_native_range(g, l, 0, n, true);
        Value *items = list_items(l);
        for (int64_t i = 0; i < n; i++)
            SHARED_STORE(items[i], val_smallint((unsigned char)b.p[i]));
        args[0] = val_int(g->vm, n);
    } else {
        args[0] = val_str(g->vm, b.p, b.len);
    }
    sb_free(&b);
    return 1;
}

/* runtime.Leaks() string, csp's own: the goroutines blocked forever on a
 * channel or a sync object that nothing able to run can reach, in the form
 * `csp -leaks` prints when main returns ("" if none; runtime/leaks.c). */
static int rt_Leaks(G *g, Value *args, int nargs) {
    if (!args_check(g, "runtime.Leaks", args, nargs, ""))
        return -1;
    StrBuf b;
    sb_init(&b);
    sched_leaks(g, &b);
    args[0] = val_str(g->vm, b.p ? b.p : "", b.len);
    sb_free(&b);
    return 1;
}

static const NativeReg runtime_fns[] = {
    {"Stack", rt_Stack,
     "Stack(buf, all) int — writes the calling goroutine's trace (all: every goroutine's) into buf; "
     "Stack(all) string returns it"},
    {"GOMAXPROCS", rt_GOMAXPROCS,
     "GOMAXPROCS(n) int — sets the number of processors (n >= 1); returns the old value"},
    {"NumCPU", rt_NumCPU, "NumCPU() int — the number of CPUs usable by this process"},
    {"NumGoroutine", rt_NumGoroutine, "NumGoroutine() int — the number of goroutines that exist"},
    {"Gosched", rt_Gosched, "Gosched() — yields the processor so other goroutines run"},
    {"GC", rt_GC, "GC() — runs a garbage collection now"},
    {"Goexit", rt_Goexit,
     "Goexit() — ends the calling goroutine after running its deferred calls"},
    {"Version", rt_Version, "Version() string — the csp version"},
    {"Leaks", rt_Leaks,
     "Leaks() string — csp's own: the goroutines blocked forever (on a channel, select or sync object "
     "that no goroutine able to run can reach), each with its trace, then \"N goroutine(s) leaked\"; "
     "\"\" if none"},
    {"ReadMemStats", rt_ReadMemStats,
     "ReadMemStats(m) — fills the runtime.MemStats m: Alloc TotalAlloc Sys Mallocs Frees HeapAlloc HeapObjects "
     "NextGC NumGC"},
    {NULL, NULL, NULL},
};

/* ---- runtime/debug ---- */

static int dbg_SetMaxStack(G *g, Value *args, int nargs) {
    int64_t n;
    if (!args_check(g, "debug.SetMaxStack", args, nargs, "i", &n))
        return -1;
    size_t old = __atomic_exchange_n(&g->vm->max_stack_bytes, n > 0 ? (size_t)n : 0, __ATOMIC_RELAXED);
    args[0] = val_int(g->vm, (int64_t)old);
    return 1;
}

static int dbg_SetGCPercent(G *g, Value *args, int nargs) {
    int64_t n;
    if (!args_check(g, "debug.SetGCPercent", args, nargs, "i", &n))
        return -1;
    if (n < -1)
        n = -1; /* Go: any negative value turns the collector off */
    if (n > 1 << 30)
        n = 1 << 30;
    int old = __atomic_exchange_n(&g->vm->gc_percent, (int)n, __ATOMIC_RELAXED);
    args[0] = val_int(g->vm, old);
    return 1;
}

static int dbg_SetMaxThreads(G *g, Value *args, int nargs) {
    int64_t n;
    if (!args_check(g, "debug.SetMaxThreads", args, nargs, "i", &n))
        return -1;
    if (n > 1 << 30)
        n = 1 << 30;
    int old = atomic_exchange(&g->vm->max_threads, n > 0 ? (int)n : 1);
    args[0] = val_int(g->vm, old > 0 ? old : VM_DEFAULT_MAX_THREADS);
    return 1;
}

static void stack_text(G *g, StrBuf *b) {
    char *tb = traceback(g);
    sb_printf(b, "goroutine %lld [running]:\n%s", (long long)g->id, tb ? tb : "");
    free(tb);
}

static int dbg_Stack(G *g, Value *args, int nargs) {
    if (!args_check(g, "debug.Stack", args, nargs, ""))
        return -1;
    StrBuf b;
    sb_init(&b);
    stack_text(g, &b);
    args[0] = val_str(g->vm, b.p, b.len);
    sb_free(&b);
    return 1;
}

static int dbg_PrintStack(G *g, Value *args, int nargs) {
    if (!args_check(g, "debug.PrintStack", args, nargs, ""))
        return -1;
    StrBuf b;
    sb_init(&b);
    stack_text(g, &b);
    fwrite(b.p, 1, b.len, g->vm->err);
    fflush(g->vm->err);
    sb_free(&b);
    return 0;
}

static const NativeReg debug_fns[] = {
    {"SetMaxStack", dbg_SetMaxStack,
     "SetMaxStack(bytes) int — the most stack one goroutine may use; returns the old limit"},
    {"SetMaxThreads", dbg_SetMaxThreads,
     "SetMaxThreads(n) int — the most OS threads the program may use (default 10000); returns the old limit"},
    {"SetGCPercent", dbg_SetGCPercent,
     "SetGCPercent(p) int — collect when the heap grows by p% (negative: never); returns the old value"},
    {"Stack", dbg_Stack, "Stack() string — the calling goroutine's stack trace"},
    {"PrintStack", dbg_PrintStack, "PrintStack() — writes the calling goroutine's stack trace to stderr"},
    {NULL, NULL, NULL},
};

/* ---- runtime/trace ----
 * Start(w) records until Stop, which writes the JSON (docs/trace.md) to w:
 * the JSON is kept in memory meanwhile, so w may be any writer.  The
 * writer waits in the module's slot WRITER_SLOT (a name no script can
 * spell), which keeps it alive. */

#define WRITER_SLOT " writer"

static int tr_Start(G *g, Value *args, int nargs) {
    Value w;
    if (!args_check(g, "trace.Start", args, nargs, "v", &w))
        return -1;
    Value write;
    if (!stream_of(w, true) && !args_method(g->vm, w, "Write", &write))
        return args_type_error(g, "trace.Start", 1, "an io.Writer", w);
    VM *vm = g->vm;
    if (!trace_start(g, 256, os_file_dup(w))) {
        args[0] = err_newf(vm, "tracing is already enabled");
        return 1;
    }
    vm_module_set(vm, vm_find_native_module(vm, "runtime/trace"), WRITER_SLOT, w);
    args[0] = VAL_NIL;
    return 1;
}

static int tr_Stop(G *g, Value *args, int nargs) {
    if (!args_check(g, "trace.Stop", args, nargs, ""))
        return -1;
    VM *vm = g->vm;
    ObjModule *m = vm_find_native_module(vm, "runtime/trace");
    Value w = VAL_NIL;
    if (!vm_module_get(m, str_intern_c(vm, WRITER_SLOT), &w) || val_is_nil(w))
        return 0; /* not started here (or -trace FILE is recording): Go's Stop does nothing */
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    if (!f)
        return vm_panicf(g, "trace.Stop: out of memory");
    bool stopped = trace_stop(vm, f);
    fclose(f);
    vm_module_set(vm, m, WRITER_SLOT, VAL_NIL);
    int r = 0;
    if (stopped && stream_of(w, true)) {
        r = stream_write(g, "trace.Stop", 1, w, json, len, args);
    } else if (stopped) {
        Value res[2];
        r = fmtlib_write(g, "trace.Stop", w, json, len, res) ? 0 : -1;
    }
    free(json);
    return r;
}

static int tr_Log(G *g, Value *args, int nargs) {
    Value ctx;
    ObjString *category, *message;
    if (!args_check(g, "trace.Log", args, nargs, "vss", &ctx, &category, &message))
        return -1;
    trace_user_log(g, category->chars, message->chars);
    return 0;
}

/* A region (Go's *trace.Region): the id the tracer gave it, 0 once ended
 * or when nothing recorded its start. */
typedef struct Region {
    _Atomic int64_t id;
} Region;

static const NativeType region_type;

static int tr_StartRegion(G *g, Value *args, int nargs) {
    Value ctx;
    ObjString *name;
    if (!args_check(g, "trace.StartRegion", args, nargs, "vs", &ctx, &name))
        return -1;
    ObjNativeObj *r = vm_new_nativeobj(g->vm, &region_type);
    atomic_store(&((Region *)r->payload)->id, trace_region_begin(g, name->chars));
    args[0] = val_obj(r);
    return 1;
}

static int region_End(G *g, Value *args, int nargs) {
    ARGS_RECV(r, Region, region_type, "trace.Region.End", "")
    trace_region_end(g, atomic_exchange(&r->id, 0)); /* a second End records nothing */
    return 0;
}

/* WithRegion(ctx, name, fn): StartRegion, then `defer r.End(); fn()` in
 * this call's place, so fn may block like any code. */
static int tr_WithRegion(G *g, Value *args, int nargs) {
    Value ctx, fn;
    ObjString *name;
    if (!args_check(g, "trace.WithRegion", args, nargs, "vsF", &ctx, &name, &fn))
        return -1;
    if (tr_StartRegion(g, args, 2) < 0)
        return -1;
    Value region = args[0], end;
    vm_native_method(g->vm, &region_type, str_intern_c(g->vm, "End"), &end);
    return sync_call_then(g, args, fn, end, region);
}

/* NewTask(ctx, name) (ctx, task): a task may end on another goroutine, so
 * its start and end are trace.Log events of category "task" on the
 * goroutines that start and end it; ctx comes back as it was. */
typedef struct Task {
    _Atomic bool ended;
    char name[200];
} Task;

static const NativeType task_type;

static int tr_NewTask(G *g, Value *args, int nargs) {
    Value ctx;
    ObjString *name;
    if (!args_check(g, "trace.NewTask", args, nargs, "vs", &ctx, &name))
        return -1;
    ObjNativeObj *t = vm_new_nativeobj(g->vm, &task_type);
    snprintf(((Task *)t->payload)->name, sizeof ((Task *)t->payload)->name, "%s", name->chars);
    trace_user_log(g, "task", name->chars);
    args[0] = ctx;
    args[1] = val_obj(t);
    return 2;
}

static int task_End(G *g, Value *args, int nargs) {
    ARGS_RECV(t, Task, task_type, "trace.Task.End", "")
    if (!atomic_exchange(&t->ended, true)) {
        char text[256];
        snprintf(text, sizeof text, "%s ended", t->name);
        trace_user_log(g, "task", text);
    }
    return 0;
}

static const NativeMethod region_methods[] = {
    {"End", region_End, "End() — ends the region (a second End does nothing)"},
    {NULL, NULL, NULL},
};

static const NativeType region_type = {
    .name = "trace.Region",
    .methods = region_methods,
    .payload_size = sizeof(Region),
};

static const NativeMethod task_methods[] = {
    {"End", task_End, "End() — ends the task"},
    {NULL, NULL, NULL},
};

static const NativeType task_type = {
    .name = "trace.Task",
    .methods = task_methods,
    .payload_size = sizeof(Task),
};

static int tr_IsEnabled(G *g, Value *args, int nargs) {
    if (!args_check(g, "trace.IsEnabled", args, nargs, ""))
        return -1;
    args[0] = val_bool(trace_enabled(g->vm));
    return 1;
}

static const NativeReg trace_fns[] = {
    {"Start", tr_Start,
     "Start(w) error — record what the scheduler does until Stop, which writes it to w as Chrome Trace Event "
     "JSON (docs/trace.md)"},
    {"Stop", tr_Stop, "Stop() — stop recording and write the trace to Start's writer"},
    {"Log", tr_Log, "Log(ctx, category, message) — a user event on the calling goroutine's track"},
    {"IsEnabled", tr_IsEnabled, "IsEnabled() bool — whether the trace is recording"},
    {"StartRegion", tr_StartRegion,
     "StartRegion(ctx, name) *Region — a region of the calling goroutine's time, until its End (a slice on the "
     "goroutine's regions lane)"},
    {"WithRegion", tr_WithRegion, "WithRegion(ctx, name, fn) — runs fn inside a region named name"},
    {"NewTask", tr_NewTask, "NewTask(ctx, name) (ctx, *Task) — a task, logged when it starts and when it Ends"},
    {NULL, NULL, NULL},
};

void stdlib_open_runtime(VM *vm) {
    ObjModule *m = vm_native_module(vm, "runtime", runtime_fns);
    vm_module_set(vm, m, "GOOS", val_cstr(vm, GOOS));
    vm_module_set(vm, m, "GOARCH", val_cstr(vm, GOARCH));
    vm_register_type(vm, &memstats_type);
    vm_native_module(vm, "runtime/debug", debug_fns);
    vm_native_module(vm, "runtime/trace", trace_fns);
    vm_register_type(vm, &region_type);
    vm_register_type(vm, &task_type);
}
