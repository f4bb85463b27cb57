/* parser/disasm.c — bytecode listings, generated from the opcode list. */
#include <string.h>

#include "parser/disasm.h"

typedef enum Fmt { F_ABC, F_AB, F_A, F_ABx, F_AsBx, F_Ax, F_sAx, F_none } Fmt;

static const char *const op_names[] = {
#define CSP_OP_NAME(name, fmt) #name,
    CSP_OPCODES(CSP_OP_NAME)
#undef CSP_OP_NAME
};

static const Fmt op_fmts[] = {
#define CSP_OP_FMT(name, fmt) F_##fmt,
    CSP_OPCODES(CSP_OP_FMT)
#undef CSP_OP_FMT
};

const char *bc_op_name(int op) {
    return op >= 0 && op < OP_COUNT ? op_names[op] : "?";
}

static void const_str(FILE *out, const BcConst *c) {
    switch (c->kind) {
    case BK_NIL: fputs("nil", out); break;
    case BK_BOOL: fputs(c->i ? "true" : "false", out); break;
    case BK_INT: fprintf(out, "%lld", (long long)c->i); break;
    case BK_FLOAT: {
        char buf[40];
        snprintf(buf, sizeof buf, "%.17g", c->f);
        fputs(buf, out);
        if (!strpbrk(buf, ".eEn")) /* show 1.0 as a float, not as the int 1 */
            fputs(".0", out);
        break;
    }
    case BK_STRING:
        fputc('"', out);
        for (size_t i = 0; i < c->slen && i < 40; i++) {
            unsigned char ch = (unsigned char)c->s[i];
            if (ch == '"' || ch == '\\')
                fprintf(out, "\\%c", ch);
            else if (ch < 32 || ch == 127)
                fprintf(out, "\\x%02x", ch);
            else
                fputc(ch, out);
        }
        fputs(c->slen > 40 ? "\"..." : "\"", out);
        break;
    case BK_FUNC: fprintf(out, "func#%d", c->index); break;
    case BK_STRUCT: fprintf(out, "struct#%d", c->index); break;
    case BK_STRUCTEXT: fprintf(out, "struct#%d of module#%d", c->idx2, c->index); break;
    case BK_STDMEMBER: fprintf(out, "%s.%s", c->s, c->s2); break;
    case BK_STDMODULE: fprintf(out, "module %s", c->s); break;
    case BK_MODULE: fprintf(out, "module#%d", c->index); break;
    case BK_TYPE:
        fprintf(out, "type %s", c->s ? c->s : "?");
        if (c->index >= 0)
            fprintf(out, c->idx2 >= 0 ? " (struct#%d of module#%d)" : " (struct#%d)",
                    c->idx2 >= 0 ? c->idx2 : c->index, c->index);
        break;
    }
}

static void kcomment(FILE *out, const BcFunc *f, int k) {
    fputs(" ; ", out);
    if (k >= 0 && k < f->nk)
        const_str(out, &f->k[k]);
    else
        fprintf(out, "K[%d]?", k);
}

/* Which operands name constants, for the comment column. */
static void comment(FILE *out, const BcFunc *f, int pc, Instr i) {
    int op = BC_OP(i);
    switch (op) {
    case OP_LOADK:
    case OP_CLOSURE:
    case OP_NEWSTRUCT:
    case OP_ZEROVAL:
    case OP_IMPORT: kcomment(out, f, BC_BX(i)); break;
    case OP_ADDK:
    case OP_SUBK:
    case OP_MULK:
    case OP_DIVK:
    case OP_MODK:
    case OP_EQK:
    case OP_SELF:
    case OP_SELFU:
    case OP_SELFC:
    case OP_SELFUC:
    case OP_GETFIELD:
    case OP_REFFIELD:
    case OP_TYPEASSERT:
    case OP_TYPEASSERTOK:
    case OP_TYPEIS:
    case OP_TOFLOAT: kcomment(out, f, BC_C(i)); break;
    case OP_SETFIELD: kcomment(out, f, BC_B(i)); break;
    case OP_SETMETHOD:
        kcomment(out, f, BC_B(i));
        fputs(" .", out);
        if (BC_C(i) < f->nk)
            const_str(out, &f->k[BC_C(i)]);
        break;
    case OP_ADDI:
    case OP_JLTI:
    case OP_JLEI:
    case OP_JGTI:
    case OP_JGEI:
    case OP_FORLT:
    case OP_FORLE:
    case OP_FORLTU:
    case OP_FORLEU:
    case OP_FORLTUV:
    case OP_FORLEUV: fprintf(out, " ; %d", BC_SC(i)); break;
    case OP_JMP: fprintf(out, " ; to %d", pc + 1 + BC_SAX(i)); break;
    case OP_JMPT:
    case OP_JMPF: fprintf(out, " ; to %d", pc + 1 + BC_SBX(i)); break;
    case OP_LOOP: fprintf(out, " ; to %d", pc + 1 - BC_AX(i)); break;
    default: break;
    }
}

void bc_dump_func(FILE *out, const BcFunc *f) {
    if (!f)
        return;
    fprintf(out,
            "function %s (line %d): %d params%s, %d registers, %d upvalues, %d instructions, %d constants\n",
            f->name ? f->name : "?", f->line, f->nparams, f->variadic ? " + variadic" : "", f->maxregs,
            f->nupvals, f->ncode, f->nk);
    for (int pc = 0; pc < f->ncode; pc++) {
        Instr i = f->code[pc];
        int op = BC_OP(i);
        fprintf(out, "  %4d [%4d] %-12s", pc, f->lines ? f->lines[pc] : 0, bc_op_name(op));
        Fmt fmt = op < OP_COUNT ? op_fmts[op] : F_none;
        switch (fmt) {
        case F_ABC: fprintf(out, "%4d %4d %4d", BC_A(i), BC_B(i), BC_C(i)); break;
        case F_AB: fprintf(out, "%4d %4d     ", BC_A(i), BC_B(i)); break;
        case F_A: fprintf(out, "%4d          ", BC_A(i)); break;
        case F_ABx: fprintf(out, "%4d %4d     ", BC_A(i), BC_BX(i)); break;
        case F_AsBx: fprintf(out, "%4d %4d     ", BC_A(i), BC_SBX(i)); break;
        case F_Ax: fprintf(out, "%4d          ", BC_AX(i)); break;
        case F_sAx: fprintf(out, "%4d          ", BC_SAX(i)); break;
        case F_none: fprintf(out, "              "); break;
        }
        comment(out, f, pc, i);
        fputc('\n', out);
    }
    if (f->nk) {
        fputs("  constants:\n", out);
        for (int k = 0; k < f->nk; k++) {
            fprintf(out, "    K[%d] = ", k);
            const_str(out, &f->k[k]);
            fputc('\n', out);
        }
    }
    if (f->nupvals) {
        fputs("  upvalues:\n", out);
        for (int u = 0; u < f->nupvals; u++)
            fprintf(out, "    U[%d] = %s %d\n", u,
                    f->upvals[u].from_parent_reg ? "parent register" : "parent upvalue", f->upvals[u].index);
    }
}

static const char *const zero_names[] = {"nil", "value", "list", "map", "struct", "native"};

void bc_dump_program(FILE *out, const BcProgram *p) {
    if (!p)
        return;
    for (int mi = 0; mi < p->nmodules; mi++) {
        const BcModule *m = p->modules[mi];
        fprintf(out, "module#%d %s (%s), top-level function #%d\n", mi, m->name, m->path ? m->path : "?",
                m->top);
        for (int g = 0; g < m->nglobals; g++)
            fprintf(out, "  global %d: %s\n", g, m->global_names[g]);
        for (int s = 0; s < m->nstructs; s++) {
            const BcStruct *st = &m->structs[s];
            fprintf(out, "  struct#%d %s {", s, st->name);
            for (int f = 0; f < st->nfields; f++) {
                fprintf(out, "%s %s:%s", f ? "," : "", st->fields[f].name,
                        zero_names[st->fields[f].kind <= ZERO_NATIVE ? st->fields[f].kind : 0]);
                if (st->fields[f].kind == ZERO_VALUE || st->fields[f].kind >= ZERO_STRUCT) {
                    fputc('(', out);
                    const_str(out, &st->fields[f].zero);
                    fputc(')', out);
                }
            }
            fputs(" }\n", out);
        }
        for (int fi = 0; fi < m->nfuncs; fi++) {
            fprintf(out, "func#%d ", fi);
            bc_dump_func(out, m->funcs[fi]);
        }
    }
}
