/* runtime/fatal_signal.c — a crash ends the program as Go's does.
 *
 * C code called through ffi may fault (strlen(NULL), a double free that
 * makes glibc abort), and so may a bug in the interpreter.  Instead of a bare
 * "Segmentation fault", the program then prints Go's report for a signal in
 * foreign code,
 *
 *     fatal error: unexpected signal during runtime execution
 *     [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x7f...]
 *
 *     goroutine 1 [syscall]:
 *     main.main()
 *         prog.csp:4
 *
 * and exits with status 2.  The report allocates (the trace is built in a
 * buffer), which is not safe in a signal handler if the fault came from
 * inside malloc: an alarm then ends the process rather than leaving it hung.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"

static const struct {
    int signo;
    const char *text; /* Go's */
} fatal_signals[] = {
    {SIGSEGV, "SIGSEGV: segmentation violation"},
    {SIGBUS, "SIGBUS: bus error"},
    {SIGFPE, "SIGFPE: floating-point exception"},
    {SIGILL, "SIGILL: illegal instruction"},
    {SIGABRT, "SIGABRT: abort"},
};

static uintptr_t fault_pc(void *uctx) {
    const ucontext_t *uc = uctx;
#if defined(__x86_64__)
    return (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    return (uintptr_t)uc->uc_mcontext.pc;
#else
    (void)uc;
    return 0;
#endif
}

static void on_fatal_signal(int signo, siginfo_t *si, void *uctx) {
    static atomic_int reporting;
    if (atomic_exchange(&reporting, 1)) {
        /* another thread reports already: wait for it to end the process */
        for (;;)
            pause();
    }
    alarm(5);
    const char *text = "unknown signal";
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        if (fatal_signals[i].signo == signo)
            text = fatal_signals[i].text;
    fputs("fatal error: unexpected signal during runtime execution\n", stderr);
    if (signo == SIGABRT) /* sent, not a fault: no faulting address */
        fprintf(stderr, "[signal %s]\n", text);
    else
        fprintf(stderr, "[signal %s code=0x%x addr=0x%lx pc=0x%lx]\n", text, (unsigned)si->si_code,
                (unsigned long)(uintptr_t)si->si_addr, (unsigned long)fault_pc(uctx));
    sched_dump_current();
    fflush(stderr);
    _exit(2);
}

void fatal_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND; /* a fault inside the report gets the default action */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i].signo, &sa, NULL);
}
