/*
 * Autostart (private to netd/daemon/): the up of every Autostart=yes network, started once
 * the control socket is served, as scheduler jobs that run side by side (each waits for its
 * dnsmasq as an event), and at their end the other firewalls' findings for each network
 * logged, one network per loop turn from one scan; then netd is ready. Nothing of it holds
 * the loop.
 */
#ifndef NETD_DAEMON_AUTOSTART_H
#define NETD_DAEMON_AUTOSTART_H

#include "scheduler.h"

struct netd_autostart;

/* Every Autostart=yes network's up queued on s; done(arg) is called once, when the last of
 * them has ended and the findings are logged (maybe before this returns: none to start), to
 * say netd is ready. 0 or -ENOMEM. */
int netd_autostart_begin(struct netd_loop *l, struct netd_engine *e, struct netd_sched *s,
                         void (*done)(void *arg), void *arg, struct netd_autostart **out);
/* netd is exiting: the ups still running end and are logged, but done is not called and no
 * findings are logged. Accepts NULL. */
void netd_autostart_closing(struct netd_autostart *a);
/* After netd_sched_free (which ends every autostart). Accepts NULL. */
void netd_autostart_free(struct netd_autostart *a);

#endif
