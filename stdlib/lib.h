/* stdlib/lib.h — what the files of stdlib/ share with each other (not public:
 * the rest of csp sees only stdlib/stdlib.h).
 *
 * Each module file has one stdlib_open_X function, run once per VM the
 * first time one of its modules is looked up (the openers table of
 * stdlib/stdlib.c); natives keep no C globals, so several VMs can coexist.
 */
#ifndef CSP_STDLIB_LIB_H
#define CSP_STDLIB_LIB_H

#include "stdlib/args.h"

void stdlib_open_builtins(VM *vm);
void stdlib_open_fmt(VM *vm);
void stdlib_open_strings(VM *vm);
void strings_open_io(VM *vm); /* strings_io.c: Builder, Reader */
void stdlib_open_strconv(VM *vm);
void stdlib_open_math(VM *vm);
void stdlib_open_rand(VM *vm);
void stdlib_open_errors(VM *vm);
void stdlib_open_sort(VM *vm);
void stdlib_open_slices(VM *vm);
void stdlib_open_maps(VM *vm);
void stdlib_open_os(VM *vm);
void stdlib_open_osfile(VM *vm);
void stdlib_open_oserror(VM *vm);
void stdlib_open_osstat(VM *vm);
void stdlib_open_osdir(VM *vm);
void stdlib_open_filepath(VM *vm);
void stdlib_open_io(VM *vm);
void stdlib_open_bufio(VM *vm);
void stdlib_open_net(VM *vm);
void stdlib_open_signal(VM *vm);
void stdlib_open_log(VM *vm);
void stdlib_open_sync(VM *vm);
void sync_open_map(VM *vm); /* syncmap.c: sync.Map */
/* In a native, in its place (a tail call): `defer done(o); f()`, the
 * onceDo of stdlib/sync.csp (trace.WithRegion).  args needs 4 slots. */
int sync_call_then(G *g, Value *args, Value f, Value done, Value o);
/* osfile.c: a copy (dup) of v's descriptor if v is an open *os.File, else -1. */
int os_file_dup(Value v);
void stdlib_open_context(VM *vm);
void stdlib_open_atomic(VM *vm);
void stdlib_open_time(VM *vm);
void stdlib_open_runtime(VM *vm);
void stdlib_open_ffi(VM *vm);


/* time.c: a time.Time as a deadline on the monotonic clock
 * (sched_nanotime); 0 for the zero Time (no deadline).  False if v is not
 * a time.Time. */
bool time_deadline(Value v, int64_t *deadline);
/* time.c: the local time.Time of a Unix time, as time.Unix(sec, nsec). */
Value time_unix_value(VM *vm, int64_t sec, int64_t nsec);

/* fmt.c: format args into b as fmt.Sprint (how 'p'), Sprintln ('l') or
 * Sprintf ('f': args[0] is the format); false after a panic. */
bool fmtlib_format(G *g, StrBuf *b, char how, const char *fn, const Value *args, int nargs);

/* fmt.c: w.Write(p) (or WriteString) on a value that is not a stream (a
 * strings.Builder, a struct with a Write method), results (n, err) into res;
 * panics "FN: argument 1 must be a writer" if w has neither; false after a
 * panic. */
bool fmtlib_write(G *g, const char *fn, Value w, const char *p, size_t n, Value res[2]);

/* fmt.c: the builtins print and println (fmt.Print/Println to stdout,
 * without results). */
int fmtlib_print(G *g, Value *args, int nargs);
int fmtlib_println(G *g, Value *args, int nargs);

/* strconv.c: Go's strconv.FormatFloat for every format byte ('b' 'e' 'E'
 * 'f' 'g' 'G' 'x' 'X'; another byte gives "%" and that byte) and bit size
 * 32 or 64. */
void strconv_format_float(StrBuf *b, double f, int fmtc, int prec, int bitsize);
/* Go's strconv.Quote (quote '"') and QuoteToASCII (ascii true). */
void strconv_quote(StrBuf *b, const char *s, size_t n, bool ascii);
/* Go's strconv.QuoteRune / QuoteRuneToASCII. */
void strconv_quote_rune(StrBuf *b, int64_t r, bool ascii);
bool strconv_can_backquote(const char *s, size_t n);

/* sort.c: sort the list l in place, stably, by lt (which runs no script
 * code).  slices.Sort, maps.Keys. */
void sort_values(G *g, ObjList *l, bool (*lt)(Value a, Value b));
/* sort.c: sort l in place, stably, by the script's cmp(a, b), an int
 * (negative: a goes first), as slices.SortFunc; fn names it in messages.
 * 0, or -1 if cmp panicked. */
int sort_by_cmp(G *g, const char *fn, ObjList *l, Value cmp);
/* slices.c: a < b in Go's cmp.Compare order, extended to every value for
 * maps.Keys: nil, then bools (false first), numbers (NaN first), strings
 * (bytewise), then the rest (all equal, so a stable sort keeps their
 * order). */
bool slices_less(Value a, Value b);

#endif
