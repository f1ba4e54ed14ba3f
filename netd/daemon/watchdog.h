/* The service manager's watchdog (WatchdogSec=): WATCHDOG=1 from the event loop every half
 * interval, so a loop that hangs stops the pings and the manager restarts the daemon. */
#ifndef NETD_DAEMON_WATCHDOG_H
#define NETD_DAEMON_WATCHDOG_H

#include "loop.h"

struct netd_watchdog {
	struct netd_loop *l;
	struct netd_timer t;
	long long every_ms; /* 0: no watchdog asked for */
};

/* Arm the pings if the manager asked for a watchdog ($WATCHDOG_USEC): 0 or -errno. */
int netd_watchdog_start(struct netd_loop *l, struct netd_watchdog *w);
/* Before the loop goes. Accepts a watchdog never started. */
void netd_watchdog_stop(struct netd_watchdog *w);

#endif
