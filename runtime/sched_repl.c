/* runtime/sched_repl.c — the scheduler under the REPL.
 *
 * The REPL's own thread is no M and holds no P: while it waits for a line,
 * the Ms run whatever goroutines earlier entries started.  An entry runs as
 * goroutine 1 (Sched.main_g) and the REPL thread sleeps on Sched.entry_sem
 * until the entry ends.  Exactly one party ends an entry, by swapping
 * main_g from the entry's G to NULL: the G itself when it returns or dies of
 * a panic or a stack overflow (goexit), the deadlock check when nothing can
 * ever wake it, or the REPL thread when Ctrl-C finds it parked (it is left
 * behind, as a leaked goroutine: if something wakes it later, it ends at its
 * next loop).  Whoever ends it stores how in entry_end, then posts
 * entry_sem (goexit only once the G is freed, so that the next entry does
 * not count it among the goroutines). */
#include <errno.h>
#include <semaphore.h>
#include <stdio.h>
#include <time.h>

#include "runtime/sched_int.h"
#include "vm/interp.h"
#include "vm/race.h"

void sched_repl_start(VM *vm) {
    vm->repl = true;
    Sched *s = sched_init(vm);
    s->repl = true;
    atomic_fetch_or(&s->rare, RARE_REPL);
    sem_init(&s->entry_sem, 0, 0);
    pthread_mutex_lock(&s->lock);
    sched_pidleput(s, s->allp[0]); /* no M yet: the first entry starts one */
    pthread_mutex_unlock(&s->lock);
    sched_start_sysmon(s);
}

int sched_nprocs(VM *vm) {
    return atomic_load(&sched_of(vm)->nprocs);
}

bool repl_entry_claim(Sched *s, G *g, int how) {
    G *expect = g;
    if (!atomic_compare_exchange_strong(&s->main_g, &expect, NULL))
        return false; /* a goroutine an entry started, or an entry already left behind */
    if (how == REPL_ENTRY_DONE && RACE_ON(s->vm))
        race_release(g, s, 0); /* the next entry happens after this one */
    atomic_store(&s->entry_end, how);
    return true;
}

void repl_entry_post(Sched *s) {
    sem_post(&s->entry_sem);
}

void repl_deadlock(Sched *s) {
    G *g = atomic_load(&s->main_g);
    if (!g)
        return; /* at the prompt: the next line may wake anyone */
    VM *vm = s->vm;
    fflush(vm->out);
    fputs("fatal error: all goroutines are asleep - deadlock!\n", vm->err);
    sched_dump_goroutines(s, NULL, false);
    fflush(vm->err);
    atomic_store(&g->interrupted, 1); /* if a later entry wakes it, it stops at its next loop */
    sched_preempt(s, g);
    if (repl_entry_claim(s, g, REPL_ENTRY_DEADLOCK))
        repl_entry_post(s);
}

void sched_repl_interrupt(VM *vm) {
    Sched *s = sched_of(vm);
    atomic_store(&s->interrupt, 1);
    sem_post(&s->entry_sem);
}

void sched_repl_sync(G *g) {
    if (RACE_ON(g->vm))
        race_acquire(g, g->vm->sched, 0);
}

static void sem_wait_intr(sem_t *sem) {
    while (sem_wait(sem) < 0 && errno == EINTR)
        ;
}

/* Ctrl-C: a running entry stops at its next loop (a Goexit, so its deferred
 * calls run); one that is parked, or still running after 200 ms, is left
 * behind.  Returns true when the entry has ended. */
static bool interrupt_entry(Sched *s, G *g) {
    pthread_mutex_lock(&s->lock); /* g is not freed (g_free takes the lock) while it is main_g */
    bool mine = atomic_load(&s->main_g) == g;
    if (mine) {
        atomic_store(&g->interrupted, 1);
        sched_preempt(s, g);
    }
    pthread_mutex_unlock(&s->lock);
    if (!mine)
        return false; /* it ended: its post is on the way */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200 * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    while (sem_timedwait(&s->entry_sem, &ts) < 0 && errno == EINTR)
        ;
    if (atomic_load(&s->entry_end) != REPL_ENTRY_RUNNING)
        return true;
    G *expect = g;
    if (atomic_compare_exchange_strong(&s->main_g, &expect, NULL))
        return true;
    return false;
}

int sched_repl_run(VM *vm, Value fn) {
    Sched *s = sched_of(vm);
    atomic_store(&s->interrupt, 0);
    while (sem_trywait(&s->entry_sem) == 0) /* a Ctrl-C at the prompt, an old entry's post */
        ;
    pthread_mutex_lock(&s->lock);
    G *g = sched_gget(s);
    __atomic_store_n(&g->id, 1, __ATOMIC_RELAXED); /* each entry is goroutine 1, as a script's main, */
    atomic_fetch_add(&s->goidgen, 1); /* yet takes a number: goroutines of the next entries count on */
    stack_ensure(g, 1 + STACK_SLACK); /* a reused G may have no stack */
    g->stack[0] = fn;
    g->top = 1;
    atomic_store(&s->entry_end, REPL_ENTRY_RUNNING);
    atomic_store(&s->main_g, g);
    atomic_fetch_add(&s->ngoroutines, 1);
    atomic_store(&g->status, G_RUNNABLE);
    sched_globrunq_put(s, g);
    P *p = sched_pidleget(s);
    pthread_mutex_unlock(&s->lock);
    if (p)
        startm(s, p, false);
    bool interrupted = false;
    for (;;) {
        sem_wait_intr(&s->entry_sem);
        int how = atomic_load(&s->entry_end);
        if (how != REPL_ENTRY_RUNNING)
            return interrupted && how == REPL_ENTRY_DONE ? REPL_ENTRY_INTERRUPTED : how;
        if (atomic_exchange(&s->interrupt, 0)) {
            interrupted = true;
            if (interrupt_entry(s, g)) {
                how = atomic_load(&s->entry_end);
                return how == REPL_ENTRY_RUNNING || how == REPL_ENTRY_DONE ? REPL_ENTRY_INTERRUPTED : how;
            }
        }
    }
}

void sched_repl_goroutines(G *self, FILE *out) {
    Sched *s = sched_of(self->vm);
    fflush(self->vm->out);
    stw_stop(s, sched_current_m());
    sched_dump_goroutines_to(s, self, true, out);
    stw_start(s);
}

void sched_dump_others(G *self, FILE *out) {
    Sched *s = sched_of(self->vm);
    stw_stop(s, sched_current_m());
    sched_dump_goroutines_to(s, self, false, out);
    stw_start(s);
}
