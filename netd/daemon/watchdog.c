/* WATCHDOG=1 from the loop's own timer: netd/daemon/watchdog.h. */
#include "watchdog.h"

#include "netd/util/sd_notify.h"
#include "netd/util/wait.h"

static void ping(void *arg)
{
	struct netd_watchdog *w = arg;

	netd_sd_notify("WATCHDOG=1");
	/* a failed re-arm ends the pings: the manager then sees a hung daemon, as it should
	 * for a loop that cannot keep its timers */
	netd_loop_timer_at(w->l, &w->t, netd_now_ms() + w->every_ms);
}

int netd_watchdog_start(struct netd_loop *l, struct netd_watchdog *w)
{
	long long ms = netd_sd_watchdog_ms();

	w->l = l;
	w->every_ms = ms / 2;
	netd_timer_init(&w->t, ping, w);
	if (!ms)
		return 0;
	if (!w->every_ms)
		w->every_ms = 1;
	return netd_loop_timer_at(l, &w->t, netd_now_ms() + w->every_ms);
}

void netd_watchdog_stop(struct netd_watchdog *w)
{
	if (w->l && netd_timer_armed(&w->t))
		netd_loop_timer_cancel(w->l, &w->t);
	w->l = NULL;
}
