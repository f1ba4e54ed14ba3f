/*
 * The daemon's changes (private to netd/daemon/): each one an engine job (netd/engine.h),
 * started by the event loop and resumed when what it waits for happens. Changes to one
 * network run one at a time in the order they were asked for; changes to different networks
 * run side by side; a reload waits for the changes before it and holds back those after it.
 * The periodic reconcile is a pass over the networks, one per loop turn, that skips a network
 * with a change queued or running.
 */
#ifndef NETD_DAEMON_SCHEDULER_H
#define NETD_DAEMON_SCHEDULER_H

#include "loop.h"
#include "netd/engine.h"

struct netd_sched;

/* A change's end: ret (0 or -errno) with diag, and result (attach, detach, down's notes; NULL
 * for the others), which fn owns. */
typedef void (*netd_sched_done_fn)(void *arg, int ret, json_object *result,
                                   const struct netd_diag *diag);

/* interval: seconds between reconcile passes, 0 for none. */
int netd_sched_new(struct netd_loop *l, struct netd_engine *e, unsigned interval,
                   struct netd_sched **out);
/* The changes running are run to their end (blocking: each is bounded by its deadlines) and
 * reported; those still queued are reported as not started (-ECANCELED). Accepts NULL. */
void netd_sched_free(struct netd_sched *s);

/* Queue a change: kind on the network name (NULL for reload), with args (copied; may be
 * NULL). fn is called once, when it ends (maybe before this returns). 0 or -ENOMEM. */
int netd_sched_submit(struct netd_sched *s, enum netd_job_kind kind, const char *name,
                      const struct netd_job_args *args, netd_sched_done_fn fn, void *arg);

/* Queue a change as submit does (reported in the log, nobody to answer), unless a change
 * queued or running holds the network, or waits for it: then -EBUSY and nothing queued. */
int netd_sched_try(struct netd_sched *s, enum netd_job_kind kind, const char *name,
                   const struct netd_job_args *args);

/*
 * Queue the up of an Autostart=yes network at start, as submit does, except: its job is made
 * now, so list and status show the network "starting" while it waits its turn, and at most
 * NETD_SCHED_AUTOSTART_MAX of these run at once. Each waits mostly for its dnsmasq (an event,
 * not a block), so many are in flight; the cap keeps a thousand dnsmasqs from starting at once
 * on a small host and lets a client's change start between them instead of behind them all.
 * 0, or -errno (fn not called).
 */
#define NETD_SCHED_AUTOSTART_MAX 16
int netd_sched_autostart(struct netd_sched *s, const char *name, netd_sched_done_fn fn, void *arg);

/* A reconcile pass now (link notifications were lost), unless one is under way. */
void netd_sched_reconcile(struct netd_sched *s);

#endif
