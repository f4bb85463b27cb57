/* parser/disasm.h — a human-readable listing of compiled bytecode
 * (tests/unit: the compiler tests print it when a check fails). */
#ifndef CSP_PARSER_DISASM_H
#define CSP_PARSER_DISASM_H

#include <stdio.h>

#include "parser/bytecode.h"

/* The name of an opcode ("ADD"), or "?" */
const char *bc_op_name(int op);

/* One function: header, instructions with source lines and constant
 * comments, the constant table and the upvalue list. */
void bc_dump_func(FILE *out, const BcFunc *f);

/* Every function of every module, then each module's globals and structs. */
void bc_dump_program(FILE *out, const BcProgram *p);

#endif
