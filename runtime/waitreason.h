/* runtime/waitreason.h — why a goroutine waits: one table, read by every
 * goroutine dump (a deadlock, a crash, the REPL's :goroutines).
 *
 * Each line is WAIT(enum, text); the texts are Go's (runtime2.go's
 * waitReasonStrings), so a dump reads like Go's: "goroutine 5 [chan send]:".
 * sched_park takes the enum; G.wait_reason holds it while the goroutine is
 * G_WAITING (written by the parking goroutine before it is switched out,
 * read by dumps with the world stopped or every M idle).
 */
#ifndef CSP_RUNTIME_WAITREASON_H
#define CSP_RUNTIME_WAITREASON_H

#define WAIT_REASONS(WAIT)                                                                                   \
    WAIT(WAIT_ZERO, "waiting")                                                                               \
    WAIT(WAIT_CHAN_RECV, "chan receive")                                                                     \
    WAIT(WAIT_CHAN_SEND, "chan send")                                                                        \
    WAIT(WAIT_CHAN_RECV_NIL, "chan receive (nil chan)")                                                      \
    WAIT(WAIT_CHAN_SEND_NIL, "chan send (nil chan)")                                                         \
    WAIT(WAIT_SELECT, "select")                                                                              \
    WAIT(WAIT_SELECT_NO_CASES, "select (no cases)")                                                          \
    WAIT(WAIT_SLEEP, "sleep")                                                                                \
    WAIT(WAIT_IO, "IO wait")                                                                                 \
    WAIT(WAIT_SEMACQUIRE, "semacquire")                                                                      \
    WAIT(WAIT_SYNC_MUTEX_LOCK, "sync.Mutex.Lock")                                                            \
    WAIT(WAIT_SYNC_RWMUTEX_LOCK, "sync.RWMutex.Lock")                                                        \
    WAIT(WAIT_SYNC_RWMUTEX_RLOCK, "sync.RWMutex.RLock")                                                      \
    WAIT(WAIT_SYNC_WAITGROUP_WAIT, "sync.WaitGroup.Wait")                                                    \
    WAIT(WAIT_SYNC_COND_WAIT, "sync.Cond.Wait")

typedef enum WaitReason {
#define WAIT_ENUM(e, text) e,
    WAIT_REASONS(WAIT_ENUM)
#undef WAIT_ENUM
        WAIT_NREASONS
} WaitReason;

/* Go's text for r ("waiting" for an unknown value). */
static inline const char *wait_reason_text(int r) {
    static const char *const texts[] = {
#define WAIT_TEXT(e, text) text,
        WAIT_REASONS(WAIT_TEXT)
#undef WAIT_TEXT
    };
    return r > 0 && r < WAIT_NREASONS ? texts[r] : texts[WAIT_ZERO];
}

#endif
