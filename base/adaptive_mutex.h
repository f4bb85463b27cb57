/* base/adaptive_mutex.h — a pthread mutex that spins a little before it
 * sleeps in the kernel, as Go's runtime lock does (lock_futex.go), for the
 * runtime's short critical sections that two threads want at once: glibc's
 * default mutex goes to futex_wait and back on every collision. */
#ifndef CSP_BASE_ADAPTIVE_MUTEX_H
#define CSP_BASE_ADAPTIVE_MUTEX_H

#include <pthread.h>

static inline void adaptive_mutex_init(pthread_mutex_t *mu) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP /* glibc */
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
#endif
    pthread_mutex_init(mu, &attr);
    pthread_mutexattr_destroy(&attr);
}

#endif
