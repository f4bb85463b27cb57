/* parser/bytecode.h — the compiler's output: register bytecode in plain C.
 *
 * The compiler (parser/) sits below the VM in the layering, so it does not
 * build GC objects: it produces a BcProgram (plain malloc'd data) and
 * vm/load.c turns it into ObjProtos, interning strings, creating struct
 * types and resolving standard-module members to their values.
 *
 * Instruction word (32 bits):  op:8 | A:8 | B:8 | C:8   (op in the low byte)
 *   Bx  = B<<8 | C      (unsigned 16 bits)       sBx = Bx - BC_SBX_BIAS
 *   Ax  = A<<16 | Bx    (unsigned 24 bits)       sAx = Ax - BC_SAX_BIAS
 *   sC  = C - 128
 * Registers R[0..maxregs) are the function's frame; parameters arrive in
 * R[0..nparams) (a variadic function's extra arguments as a list in
 * R[nparams]).  K[] is the constant table, Upval[] the closure's cells,
 * Globals[] the slots of the function's module.  Jumps are relative to the
 * instruction AFTER the jump.
 *
 * Every instruction reads all its operand registers before it writes any
 * result register; the compiler relies on this (`ADD 1 1 2`, `RECV 3 3 1`,
 * `NEWCELL 0 0`, `GETINDEXOK 4 4 5`: a result may coincide with an operand).
 */
#ifndef CSP_PARSER_BYTECODE_H
#define CSP_PARSER_BYTECODE_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t Instr;

#define BC_SBX_BIAS 32767
#define BC_SAX_BIAS 8388607

#define BC_OP(i) ((int)((i) & 0xFF))
#define BC_A(i) ((int)(((i) >> 8) & 0xFF))
#define BC_B(i) ((int)(((i) >> 16) & 0xFF))
#define BC_C(i) ((int)(((i) >> 24) & 0xFF))
#define BC_BX(i) ((int)((i) >> 16))
#define BC_SBX(i) (BC_BX(i) - BC_SBX_BIAS)
#define BC_AX(i) ((int)((i) >> 8))
#define BC_SAX(i) (BC_AX(i) - BC_SAX_BIAS)
#define BC_SC(i) (BC_C(i) - 128)

#define BC_ABC(op, a, b, c) ((Instr)(op) | ((Instr)(a) << 8) | ((Instr)(b) << 16) | ((Instr)(c) << 24))
#define BC_ABX(op, a, bx) ((Instr)(op) | ((Instr)(a) << 8) | ((Instr)(bx) << 16))
#define BC_ASBX(op, a, sbx) BC_ABX(op, a, (sbx) + BC_SBX_BIAS)
#define BC_SAX_(op, sax) ((Instr)(op) | ((Instr)((sax) + BC_SAX_BIAS) << 8))

/* The opcode list: OPCODE(NAME, format) with the effect in the comment.
 * Formats: ABC, AB, A, ABx, AsBx, Ax, sAx, none.
 * "panics" means a Go-style run-time panic with Go's text. */
#define CSP_OPCODES(OPCODE) \
    /* R[A] := R[B] */ \
    OPCODE(MOVE, AB) \
    /* R[A] := K[Bx] */ \
    OPCODE(LOADK, ABx) \
    /* R[A] := int(sBx) */ \
    OPCODE(LOADI, AsBx) \
    /* R[A], ..., R[A+B] := nil */ \
    OPCODE(LOADNIL, AB) \
    /* R[A] := (B != 0) */ \
    OPCODE(LOADBOOL, AB) \
    /* R[A] := Globals[Bx] */ \
    OPCODE(GETGLOBAL, ABx) \
    /* Globals[Bx] := R[A] */ \
    OPCODE(SETGLOBAL, ABx) \
    /* R[A] := new cell holding R[B]   (a local that a closure captures lives in a cell) */ \
    OPCODE(NEWCELL, AB) \
    /* R[A] := R[B].cell */ \
    OPCODE(GETCELL, AB) \
    /* R[A].cell := R[B] */ \
    OPCODE(SETCELL, AB) \
    /* R[A] := Upval[B].cell */ \
    OPCODE(GETUPVAL, AB) \
    /* R[A] := Upval[B], a value upvalue: a captured variable never assigned, copied in */ \
    OPCODE(GETUPVALV, AB) \
    /* Upval[B].cell := R[A] */ \
    OPCODE(SETUPVAL, AB) \
    /* (added by the compiler) as GETUPVAL, followed by ADDI R[A] R[A] sC and SETUPVAL R[A] B \
       (x++, x += 2 on a captured variable): with an int that does not overflow it does all \
       three and skips the other two, leaving R[A] (a temporary of the statement) as it was.  Under -race and -seed it is GETUPVAL's twin */ \
    OPCODE(GETUPVALA, AB) \
    /* R[A] := closure of function K[Bx], copying per its upvalue list each parent register \
       or upvalue (a cell, or the value of a variable never assigned) */ \
    OPCODE(CLOSURE, ABx) \
    /* references to a variable, for the `&v` argument of a sync/atomic function (vm/ref.h): \
       R[A] := a reference to the cell in R[B] (C == 0) or to Upval[B] (C == 1) */ \
    OPCODE(REFCELL, ABC) \
    /* R[A] := a reference to Globals[Bx] */ \
    OPCODE(REFGLOBAL, ABx) \
    /* R[A] := a reference to the field K[C] of the struct R[B], or to the exported global K[C] \
       of the user module R[B]; else panics */ \
    OPCODE(REFFIELD, ABC) \
    /* R[A] := R[B] op R[C]: + on numbers and strings; int/int truncates, int%int Go's sign; \
       /,% by int zero panics; mixed int/float64 gives float64; mismatched types panic */ \
    OPCODE(ADD, ABC) \
    OPCODE(SUB, ABC) \
    OPCODE(MUL, ABC) \
    /* MUL into a temporary that the next instruction alone reads, ADD, SUB or DIV R[X] R[Y] R[A] \
       (the compiler's y + b*c, y -= b*c, y / (b*c)): with inline floats throughout (or inline \
       ints, but for DIV) both are done at once, the product kept in the FPU, not encoded into \
       R[A], and the next instruction skipped; else this is a MUL */ \
    OPCODE(MULT, ABC) \
    OPCODE(DIV, ABC) \
    OPCODE(MOD, ABC) \
    /* bitwise ops on ints: & | ^ << >> &^ (shift: negative count panics, >= 64 gives 0 or -1) */ \
    OPCODE(BAND, ABC) \
    OPCODE(BOR, ABC) \
    OPCODE(BXOR, ABC) \
    OPCODE(SHL, ABC) \
    OPCODE(SHR, ABC) \
    OPCODE(BANDNOT, ABC) \
    /* R[A] := R[B] + sC   (sC = C - 128; ints fast, else as ADD) */ \
    OPCODE(ADDI, ABC) \
    /* R[A] := R[B] op K[C]   (constant right operand, C < 256) */ \
    OPCODE(ADDK, ABC) \
    OPCODE(SUBK, ABC) \
    OPCODE(MULK, ABC) \
    OPCODE(DIVK, ABC) \
    OPCODE(MODK, ABC) \
    /* R[A] := -R[B] */ \
    OPCODE(UNM, AB) \
    /* R[A] := !R[B]  (R[B] must be bool, else panics "non-bool used as condition") */ \
    OPCODE(NOT, AB) \
    /* R[A] := ^R[B] */ \
    OPCODE(BNOT, AB) \
    /* R[A] := bool(R[B] op R[C]); == compares nil/bool/numbers/strings by value, others by identity; \
       < <= on numbers or strings, else panics mismatched types */ \
    OPCODE(EQ, ABC) \
    OPCODE(NE, ABC) \
    OPCODE(LT, ABC) \
    OPCODE(LE, ABC) \
    /* R[A] := bool(R[B] == K[C]) */ \
    OPCODE(EQK, ABC) \
    /* panics "non-bool used as condition" unless R[A] is a bool */ \
    OPCODE(TESTBOOL, A) \
    /* pc += sAx (forward jumps and jumps without a safepoint) */ \
    OPCODE(JMP, sAx) \
    /* pc -= Ax; a safepoint (preemption, GC) — every backward jump is a LOOP */ \
    OPCODE(LOOP, Ax) \
    /* if R[A] then pc += sBx   (R[A] must be bool) */ \
    OPCODE(JMPT, AsBx) \
    /* if not R[A] then pc += sBx   (R[A] must be bool) */ \
    OPCODE(JMPF, AsBx) \
    /* fused compare: if (R[B] < R[C]) != (A != 0) then skip the next instruction (a JMP); \
       so `JLT 1 B C; JMP L` jumps to L when R[B] < R[C]. Panics as LT */ \
    OPCODE(JLT, ABC) \
    OPCODE(JLE, ABC) \
    /* (added by the compiler) fused compare with an immediate sC = C - 128 (-128..127): \
       if (R[B] < sC) != (A != 0) then skip the next instruction (a JMP or LOOP); JLEI tests \
       R[B] <= sC, JGTI R[B] > sC, JGEI R[B] >= sC.  R[B] an int or float64, else panics as LT \
       (mismatched types T and int) */ \
    OPCODE(JLTI, ABC) \
    OPCODE(JLEI, ABC) \
    OPCODE(JGTI, ABC) \
    OPCODE(JGEI, ABC) \
    /* (added by the compiler) a counted loop's step and test, followed by the loop's LOOP: \
       R[A] += sC, then if R[A] < R[B] (FORLE: <=) jump as that LOOP, else skip it.  Stands \
       for `ADDI A A C; LOOP top` where the loop starts at `top: JLT 0 A B; JMP exit`: the jump \
       goes past that pair to the body; off the int fast path it adds as ADDI and jumps to \
       the JLT itself */ \
    OPCODE(FORLT, ABC) \
    OPCODE(FORLE, ABC) \
    /* (added by the compiler) as FORLT/FORLE with a captured bound: R[A] += sC, then if \
       R[A] < Upval[B] (FORLEU: <=; the U forms read the cell, the UV forms a value upvalue) \
       jump as the LOOP after this, else skip it.  Stands for `ADDI A A C; LOOP top` where the \
       loop starts at `top: GETUPVAL(V) t B; JLT 0 A t; JMP exit`: the jump goes past those \
       three; off the int fast path it adds as ADDI and jumps to the GETUPVAL itself */ \
    OPCODE(FORLTU, ABC) \
    OPCODE(FORLEU, ABC) \
    OPCODE(FORLTUV, ABC) \
    OPCODE(FORLEUV, ABC) \
    /* R[A], ..., R[A+C-2] := R[A](R[A+1], ..., R[A+B-1]) \
       B == 0: arguments run up to top (set by a previous multi-result CALL);  \
       C == 0: keep all results, top := A + count.  Missing results are nil; a safepoint */ \
    OPCODE(CALL, ABC) \
    /* (added by the compiler) R[A] := float64(R[B]), K[C] being the builtin float64: \
       numbers convert inline, anything else goes to K[C] as CALL would */ \
    OPCODE(TOFLOAT, ABC) \
    /* as CALL, but the last argument is a list spread into the arguments: f(xs...) */ \
    OPCODE(CALLV, ABC) \
    /* R[A+1] := R[B]; R[A] := R[B].K[C] as a method (receiver in R[A+1]); \
       if K[C] names a field or module member instead, R[A] := it and the receiver slot is marked \
       absent; must be followed by CALLM or CALLMV with the same A */ \
    OPCODE(SELF, ABC) \
    /* (added by the compiler) as SELF with the receiver the value upvalue Upval[B] (a captured \
       variable never assigned: `mu.Lock()` in a goroutine), which SELF would read from a register \
       loaded by GETUPVALV */ \
    OPCODE(SELFU, ABC) \
    /* (added by the compiler) as SELF and SELFU, when the instruction after is a CALLM of the same A \
       with fixed arguments and results (B, C != 0), or a LOADI of R[A+2] and then such a CALLM of \
       that one argument: a native method's fast path runs here (with the LOADI's int), \
       and the CALLM (and LOADI) are skipped when it succeeds */ \
    OPCODE(SELFC, ABC) \
    OPCODE(SELFUC, ABC) \
    /* as CALL/CALLV, after SELF: drops R[A+1] when SELF marked it absent */ \
    OPCODE(CALLM, ABC) \
    OPCODE(CALLMV, ABC) \
    /* return R[A], ..., R[A+B-2]; B == 0: up to top.  Runs deferred calls first */ \
    OPCODE(RETURN, AB) \
    /* defer R[A](R[A+1], ..., R[A+B-1]) — function and arguments are evaluated now; \
       C == 1: the last argument is a list to spread */ \
    OPCODE(DEFER, ABC) \
    /* R[A] := new list with capacity hint Bx */ \
    OPCODE(NEWLIST, ABx) \
    /* append R[B], ..., R[B+C-1] to the list R[A]; C == 0: up to top */ \
    OPCODE(LISTAPPEND, ABC) \
    /* R[A] := new empty map (Bx: size hint) */ \
    OPCODE(NEWMAP, ABx) \
    /* the new map R[A] gives R[B] for a missing key (Go's typed zero: map[string]int gives 0) */ \
    OPCODE(MAPZERO, AB) \
    /* R[A] := new instance of the struct type K[Bx], every field at its zero value */ \
    OPCODE(NEWSTRUCT, ABx) \
    /* R[A], a struct just made by &T{...}, prints as Go prints a pointer to a struct (&{1 2}) */ \
    OPCODE(STRUCTPTR, A) \
    /* R[A].fields[B] := R[C]   (positional or keyed literal; index known at compile time) */ \
    OPCODE(SETFIELDI, ABC) \
    /* R[A] := R[B].K[C]: struct field, else method bound to R[B] (ObjBound), \
       module export, or native object property; else panics */ \
    OPCODE(GETFIELD, ABC) \
    /* R[A].K[B] := R[C] */ \
    OPCODE(SETFIELD, ABC) \
    /* R[A] := R[B][R[C]]: list (index panics out of range), string (byte as int), \
       map (missing key: nil; nil map reads as empty) */ \
    OPCODE(GETINDEX, ABC) \
    /* R[A] := R[B][R[C]]; R[A+1] := key present   (v, ok := m[k]) */ \
    OPCODE(GETINDEXOK, ABC) \
    /* R[A] := R[B][R[B+1]], or if the key is missing the zero value of the type of R[C]: \
       int 0, float64 0.0, string "", else nil  (m[k] op= v, m[k]++) */ \
    OPCODE(GETINDEXZ, ABC) \
    /* R[A][R[B]] := R[C]  (list: index panics; map: set; nil map panics \
       "assignment to entry in nil map") */ \
    OPCODE(SETINDEX, ABC) \
    /* R[A] := R[B][lo:hi] with lo = R[B+1] if C&1, hi = R[B+2] if C&2 (a copy) */ \
    OPCODE(SLICE, ABC) \
    /* R[A] := len(R[B]) */ \
    OPCODE(LEN, AB) \
    /* R[A] := iteration state over R[B] for `range`; uses R[A], R[A+1], R[A+2] as hidden state. \
       Ranges over list, map (insertion order), string (byte index, rune), int n (0..n-1), \
       nil (no iterations), and chan (the compiler cannot tell a channel statically: \
       `for v := range ch` is ITERPREP/ITERNEXT too); else panics "cannot range over \
       value of type T" (a native object other than a channel included) */ \
    OPCODE(ITERPREP, AB) \
    /* advance the iteration in R[A..A+2]: when done, fall through to the next instruction \
       (a JMP out of the loop); otherwise R[A+3] := key/index, R[A+4] := value, and skip it \
       (R[A+3], R[A+4] are outputs only: the loop body may overwrite them, e.g. with a cell). \
       On a chan: receives (parking like RECV, a safepoint); done once the channel is closed \
       and drained; else R[A+3] := the received value (R[A+4] untouched) */ \
    OPCODE(ITERNEXT, A) \
    /* R[A] := R[B].(K[C])  — K[C] is a type name constant (BK_TYPE); panics \
       "interface conversion: interface {} is string, not int" */ \
    OPCODE(TYPEASSERT, ABC) \
    /* R[A] := R[B] if its type is K[C] else nil; R[A+1] := ok */ \
    OPCODE(TYPEASSERTOK, ABC) \
    /* R[A] := bool(R[B] has type K[C])   (type switch cases; `nil` case: K[C] names nil) */ \
    OPCODE(TYPEIS, ABC) \
    /* the struct type K[B] gets method K[C] := R[A] */ \
    OPCODE(SETMETHOD, ABC) \
    /* R[A] := zero value of the type K[Bx] (BK_TYPE): var x T */ \
    OPCODE(ZEROVAL, ABx) \
    /* R[A] := the user module K[Bx] (BK_MODULE), running its top level the first time */ \
    OPCODE(IMPORT, ABx) \
    /* The next four are carried out by the runtime (vm->rt: runtime/sched.c, chan.c, \
       select.c); each may park the goroutine, which resumes after the instruction. \
       go R[A](R[A+1], ..., R[A+B-1]); C == 1: last argument is spread */ \
    OPCODE(GO, ABC) \
    /* R[A] <- R[B] */ \
    OPCODE(SEND, AB) \
    /* R[A] := <-R[B]; with C == 1 also R[A+1] := ok */ \
    OPCODE(RECV, ABC) \
    /* select.  B = number of cases with a channel (0..124), \
       C & 127 = how many of them are receives, C & 128 = there is a default case. \
       On entry case descriptor k (0 <= k < B) is R[A+1+2k] = its channel and, for a send, \
       R[A+2+2k] = the value to send (unused for a receive); descriptors 0..(C&127)-1 are \
       the receives and the rest the sends, each group in source order (the compiler has \
       evaluated every channel and value, in source order, before SELECT; a nil channel is \
       never ready).  Among the ready cases one is chosen uniformly at random; with none \
       ready, the default (if any) is taken at once, else the goroutine parks until one is \
       ready (B == 0 and no default: blocks forever).  On exit R[A] := the chosen \
       descriptor's k as an int, or -1 for the default; for a receive also R[A+1] := the \
       value (nil if the channel is closed) and R[A+2] := ok.  The compiler reserves at \
       least max(1+2B, 4) registers from A and dispatches on R[A] with EQK/JMPT. */ \
    OPCODE(SELECT, ABC) \
    OPCODE(NOP, none)

typedef enum Opcode {
#define CSP_OP_ENUM(name, fmt) OP_##name,
    CSP_OPCODES(CSP_OP_ENUM)
#undef CSP_OP_ENUM
    OP_COUNT
} Opcode;

/* ---- constants ---- */
typedef enum BcConstKind {
    BK_NIL,
    BK_BOOL,      /* i: 0/1 */
    BK_INT,       /* i */
    BK_FLOAT,     /* f */
    BK_STRING,    /* s, slen (may contain NUL) */
    BK_FUNC,      /* index: function of this module (BcModule.funcs) */
    BK_STRUCT,    /* index: struct type of this module (BcModule.structs) */
    BK_STRUCTEXT, /* index: struct number idx2 of module `index` (a user module's exported type);
                     index -1: of the module an earlier REPL entry loaded from path s, named s2 */
    BK_STDMEMBER, /* s: module name ("fmt"), s2: member ("Println") — resolved by the loader */
    BK_STDMODULE, /* s: module name ("math") as a value */
    BK_MODULE,    /* index: user module in BcProgram.modules */
    BK_TYPE,      /* a type name for assertions, switches and var zero values: s is one of
                     "nil" "bool" "int" "float64" "string" "list" "map" "func" "chan" "error"
                     "module", a native type "sync.WaitGroup" (then index == -1), or a struct
                     (s = its name): index >= 0 and either idx2 == -1 (struct `index` of this
                     module) or idx2 >= 0 (struct `idx2` of user module `index`); index -2:
                     struct s of the module an earlier REPL entry loaded from path s2 */
} BcConstKind;

typedef struct BcConst {
    BcConstKind kind;
    int64_t i;
    double f;
    char *s;
    size_t slen;
    char *s2;
    int32_t index;
    int32_t idx2;
} BcConst;

typedef struct BcUpval {
    /* 1: parent's register `index` (a Cell, or the value of a variable never
       assigned); 0: parent's upvalue `index` */
    uint8_t from_parent_reg;
    uint8_t index;
} BcUpval;

typedef struct BcFunc {
    char *name;   /* "f", "Point.Norm", "main.func1"; the top level: "main" in the main script, else "init" */
    int32_t line;
    uint8_t nparams, variadic, maxregs, nupvals;
    uint8_t named_a, named_n; /* named results: R[named_a .. named_a + named_n), which may hold cells */
    BcUpval *upvals;
    Instr *code;
    int32_t *lines; /* source line per instruction */
    int32_t ncode;
    BcConst *k;
    int32_t nk;
} BcFunc;

/* How a struct field or a `var x T` starts out. */
typedef enum FieldZero {
    ZERO_NIL,    /* bare field or *T: nil */
    ZERO_VALUE,  /* the constant `zero`: int 0, float64 0.0, string "", bool false */
    ZERO_LIST,   /* a fresh empty list */
    ZERO_MAP,    /* a fresh empty map */
    ZERO_STRUCT, /* a fresh instance of the struct type `zero` (BK_TYPE) */
    ZERO_NATIVE, /* a fresh native object of the type `zero` (BK_TYPE, e.g. "sync.Mutex") */
} FieldZero;

typedef struct BcField {
    char *name;
    FieldZero kind;
    BcConst zero;
} BcField;

typedef struct BcStruct {
    char *name;
    int32_t nfields;
    BcField *fields;
    uint8_t basic; /* a named non-struct type (no fields): 'i' for `type State int`, 'f' for float64 */
} BcStruct;

typedef struct BcModule {
    char *name;         /* "main" for the script, else the import's base name */
    char *path;         /* absolute path of the source file */
    int32_t nglobals;
    char **global_names;
    int32_t nfuncs;
    BcFunc **funcs;
    int32_t top;        /* index in funcs of the module's top-level function */
    int32_t nstructs;
    BcStruct *structs;
    /* A REPL entry (compile_entry): globals and structs below these indices
     * were loaded by earlier entries, into the session's module. */
    int32_t first_global, first_struct;
    uint8_t repl_entry;
    uint8_t borrowed; /* global_names and structs belong to a CompileSession */
} BcModule;

typedef struct BcProgram {
    int32_t nmodules;
    BcModule **modules; /* dependencies before dependents; the script itself is last */
} BcProgram;

void bc_program_free(BcProgram *p);

#endif
