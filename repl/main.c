/* repl/main.c — the `csp` command: run a script file or a -e snippet.
 *
 *   csp FILE.csp [args]     csp run FILE.csp [args]     csp -e 'code' [args]
 *   csp -race FILE.csp      csp run -race FILE.csp      (the race detector)
 *   csp --version           csp --help
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csp_config.h"
#include "parser/compile.h"
#include "runtime/sched.h"
#include "stdlib/stdlib.h"
#include "vm/interp.h"
#include "vm/race.h"

static const char usage[] =
    "csp — a scripting language with Go's concurrency\n"
    "\n"
    "usage:\n"
    "  csp FILE.csp [arguments]      run a script (os.Args[1:] are the arguments)\n"
    "  csp run FILE.csp [arguments]  the same\n"
    "  csp -e 'code' [arguments]     run the code given on the command line\n"
    "  csp -race FILE.csp ...        run with the data-race detector (also: csp run -race);\n"
    "                                races are reported on stderr, and the exit status is 66\n"
    "  csp --version                 print the version\n"
    "  csp --help                    print this help\n"
    "\n"
    "environment:\n"
    "  CSP_GCSTRESS=1   collect garbage at every safepoint (for testing)\n";

/* Compile, load and run; never returns. */
static _Noreturn void run(const char *path, const char *code, bool race, int argc, char **argv) {
    VM *vm = vm_new(argc, argv);
    if (race)
        race_enable(vm); /* before loading: the loader selects the instrumented opcodes */
    stdlib_open(vm);
    CompileHooks hooks = vm_compile_hooks(vm);
    BcProgram *prog = code ? compile_source("-e", code, strlen(code), &hooks, stderr)
                           : compile_file(path, &hooks, stderr);
    if (!prog)
        vm_exit(vm, 1);
    Value top = vm_load_program(vm, prog);
    bc_program_free(prog);
    /* The script's top level is goroutine 1; the process exits when it ends. */
    sched_run_main(vm, top);
    vm_exit(vm, 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *a = argv[1];
    if (!strcmp(a, "--version") || !strcmp(a, "version")) {
        printf("csp version %s\n", CSP_VERSION);
        return 0;
    }
    if (!strcmp(a, "--help") || !strcmp(a, "-h") || !strcmp(a, "help")) {
        fputs(usage, stdout);
        return 0;
    }
    int first = 1;
    if (!strcmp(a, "run")) {
        if (argc < 3) {
            fputs("csp run: no script given\n\n", stderr);
            fputs(usage, stderr);
            return 2;
        }
        first = 2;
    }
    bool race = false;
    while (first < argc && !strcmp(argv[first], "-race")) {
        race = true;
        first++;
    }
    if (first >= argc) {
        fputs("csp: no script given\n\n", stderr);
        fputs(usage, stderr);
        return 2;
    }
    if (!strcmp(argv[first], "-e")) {
        if (first + 1 >= argc) {
            fputs("csp -e: no code given\n", stderr);
            return 2;
        }
        const char *code = argv[first + 1];
        argv[first + 1] = "-e"; /* os.Args[0] */
        run(NULL, code, race, argc - first - 1, argv + first + 1);
    }
    if (argv[first][0] == '-') {
        fprintf(stderr, "csp: unknown flag %s\n\n%s", argv[first], usage);
        return 2;
    }
    run(argv[first], NULL, race, argc - first, argv + first);
}
