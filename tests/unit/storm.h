/* tests/unit/storm.h — the harness of the C storm tests (scheduler, I/O
 * hand-off): run a storm in child processes for GOMAXPROCS 1, 2 and 4 and
 * for 2 with CSP_GCSTRESS=1, each under an alarm so that a hang (a lost
 * wake-up) fails the test instead of blocking the suite.  `child` runs the
 * storm and exits 0, or reports a broken invariant on stderr and exits 1. */
#ifndef CSP_TESTS_STORM_H
#define CSP_TESTS_STORM_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parser/compile.h"
#include "runtime/sched.h"
#include "stdlib/stdlib.h"
#include "vm/interp.h"

/* A broken invariant: say so on stderr and end the child with status 1. */
static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("FAIL: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fflush(stdout);
    fflush(stderr);
    _exit(1);
}

/* In the child: run `script` as the csp command would, with the test's own
 * native module `module` (its functions drive the runtime from C). */
static _Noreturn void run_script(const char *name, const char *module, const NativeReg *fns,
                                 const char *script) {
    char *argv[] = {(char *)name, NULL};
    VM *vm = vm_new(1, argv);
    stdlib_open(vm);
    vm_native_module(vm, module, fns);
    CompileHooks hooks = vm_compile_hooks(vm);
    BcProgram *prog = compile_source(name, script, strlen(script), &hooks, stderr);
    if (!prog)
        fail("the stress script does not compile");
    Value top = vm_load_program(vm, prog);
    bc_program_free(prog);
    sched_run_main(vm, top);
    vm_exit(vm, 0);
}

static int run_storms(const char *what, void (*child)(void)) {
    static const struct {
        const char *procs;
        const char *gcstress;
    } runs[] = {{"1", NULL}, {"2", NULL}, {"4", NULL}, {"2", "1"}};
    int failures = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            setenv("GOMAXPROCS", runs[i].procs, 1);
            if (runs[i].gcstress)
                setenv("CSP_GCSTRESS", runs[i].gcstress, 1);
            else
                unsetenv("CSP_GCSTRESS");
            alarm(150);
            child();
            _exit(0); /* child does not return */
        }
        int status;
        if (waitpid(pid, &status, 0) < 0) {
            perror("waitpid");
            return 1;
        }
        const char *gc = runs[i].gcstress ? " CSP_GCSTRESS=1" : "";
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            printf("ok %s, GOMAXPROCS=%s%s\n", what, runs[i].procs, gc);
        } else {
            failures++;
            if (WIFSIGNALED(status))
                fprintf(stderr, "FAIL: %s, GOMAXPROCS=%s%s: killed by signal %d%s\n", what, runs[i].procs, gc,
                        WTERMSIG(status), WTERMSIG(status) == SIGALRM ? " (hung)" : "");
            else
                fprintf(stderr, "FAIL: %s, GOMAXPROCS=%s%s: exit status %d\n", what, runs[i].procs, gc,
                        WEXITSTATUS(status));
        }
    }
    return failures ? 1 : 0;
}

#endif
