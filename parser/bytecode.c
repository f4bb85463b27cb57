/* parser/bytecode.c — freeing the compiler's output. */
#include <stdlib.h>

#include "parser/bytecode.h"
#include "parser/compile_int.h"

static void const_free(BcConst *c) {
    free(c->s);
    free(c->s2);
}

static void func_free(BcFunc *f) {
    if (!f)
        return;
    free(f->name);
    free(f->upvals);
    free(f->code);
    free(f->lines);
    for (int i = 0; i < f->nk; i++)
        const_free(&f->k[i]);
    free(f->k);
    free(f);
}

void bc_module_free(BcModule *m) {
    if (!m)
        return;
    free(m->name);
    free(m->path);
    for (int i = 0; i < m->nfuncs; i++)
        func_free(m->funcs[i]);
    free(m->funcs);
    if (m->borrowed) {
        free(m);
        return;
    }
    for (int i = 0; i < m->nglobals; i++)
        free(m->global_names[i]);
    free(m->global_names);
    for (int s = 0; s < m->nstructs; s++) {
        BcStruct *st = &m->structs[s];
        for (int f = 0; f < st->nfields; f++) {
            free(st->fields[f].name);
            const_free(&st->fields[f].zero);
        }
        free(st->fields);
        free(st->name);
    }
    free(m->structs);
    free(m);
}

void bc_program_free(BcProgram *p) {
    if (!p)
        return;
    for (int i = 0; i < p->nmodules; i++)
        bc_module_free(p->modules[i]);
    free(p->modules);
    free(p);
}
