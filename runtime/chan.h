/* runtime/chan.h — channels and select, as Go's runtime/chan.go and select.go.
 *
 * A channel is a native object of type "chan" (type(ch) == "chan").
 * Invariants: a channel's lock guards its buffer (a ring of cap Values), its
 * closed flag and its two wait queues (receivers, senders: FIFO lists of
 * waiting records, each naming a parked G and where its value goes or comes
 * from).  A sender that finds a waiting receiver hands the value straight to
 * it (writing into the receiver's stack) and readies it; likewise a receiver
 * that finds a waiting sender.  select locks all its channels in address
 * order (each once), polls the cases in a random order, and if none is ready
 * enqueues one waiting record per case on every channel; the first case to
 * fire wins (a CAS on the select's shared state) and the others are dequeued.
 * close wakes every waiter: receivers get (nil, false), senders panic
 * "send on closed channel".  Nil channels are never ready.
 */
#ifndef CSP_RUNTIME_CHAN_H
#define CSP_RUNTIME_CHAN_H

#include "vm/vm.h"

void chan_register(VM *vm);            /* the "chan" native type */
Value chan_make(VM *vm, int64_t cap);  /* make(chan, cap); cap >= 0 */
/* Before ch is shared: ch keeps `owner` alive, as a timer's channel keeps
 * its Timer (Go's hchan.timer), so whoever can still receive from the
 * channel keeps the timer that sends on it. */
void chan_set_owner(Value ch, Value owner);
/* What a receive from ch once closed gives (make(chan int): 0); set before ch is shared. */
void chan_set_zero(Value ch, Value zero);
bool val_is_chan(Value v);

/* The RuntimeOps hooks (see vm/vm.h): RT_OK, RT_PANIC or RT_PARK. */
int chan_send(G *g, Value ch, Value v);
int chan_recv(G *g, Value ch, uint32_t dst, bool with_ok);
int chan_select(G *g, uint32_t base, int ncases, int nrecv, bool has_default);

int chan_close(G *g, Value ch);        /* close(ch): panics on nil or closed */
/* Close the channel ch (a channel, not nil) unless it is closed already
 * (then false), for a closer that may have no goroutine: g is NULL in a
 * timer's callback (context's deadline), and then the close makes no
 * race-detector edge. */
bool chan_close_once(G *g, Value ch);
int64_t chan_len(Value ch);
int64_t chan_cap(Value ch);

/* Send without a goroutine (timers: time.After, Ticker): succeeds only if a
 * receiver waits or the buffer has room; never blocks, never panics. */
bool chan_try_send(Value ch, Value v);

#endif
