/*
 * What every wait of the probe checks: the clock its deadlines are measured by, and the flag
 * a SIGINT or SIGTERM sets to cut them all short (with the handler that sets it, caught only
 * while a probe runs). Every other probe_*.c may call this file; it calls none of them, so
 * the waits below probe.c (probe_ns.c, probe_traffic.c, probe_link.c, probe_dhcp.c, ...)
 * need nothing from the run above them.
 */
#include <signal.h>
#include <time.h>

#include "probe.h"

volatile sig_atomic_t netd_probe_interrupted;

static void on_signal(int sig)
{
	netd_probe_interrupted = sig;
}

void netd_probe_signals_catch(struct netd_probe_signals *saved)
{
	struct sigaction sa = {.sa_handler = on_signal};

	netd_probe_interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &saved->old_int); /* no SA_RESTART: every wait returns at once */
	sigaction(SIGTERM, &sa, &saved->old_term);
}

void netd_probe_signals_restore(const struct netd_probe_signals *saved)
{
	sigaction(SIGINT, &saved->old_int, NULL);
	sigaction(SIGTERM, &saved->old_term, NULL);
}

long long netd_probe_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}
