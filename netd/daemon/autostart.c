/*
 * Autostart on the event loop. Each network's up is a scheduler job made at once (so list
 * shows it "starting" until it ends) and started under the scheduler's cap; its end is logged
 * here. When the last has ended, what other firewalls break of each network that is up goes
 * to the log, as `netdctl up` would have printed it (one scan of their chains for all, one
 * network per turn), and then netd is ready.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "autostart.h"
#include "netd/util/log.h"
#include "netd/util/wait.h"

struct netd_autostart {
	struct netd_loop *l;
	struct netd_engine *e;
	size_t asked, left, failed;
	long long t0; /* netd_now_ms() when they were queued */
	bool closing;
	void (*done)(void *arg);
	void *arg;
	struct netd_engine_fw *fw; /* the scan the findings are checked against */
	struct netd_timer warn;    /* the next network's findings */
	size_t warn_i;
};

/* Whether the network's entry says up (or partly): one with no findings to log is down. */
static bool not_down(json_object *entry)
{
	json_object *state;

	return json_object_object_get_ex(entry, "state", &state) &&
	       strcmp(json_object_get_string(state), "down") != 0;
}

/* One network's findings, logged; the next network at the next turn. */
static void warn_step(void *arg)
{
	struct netd_autostart *a = arg;
	const char *name;
	struct netd_diag diag;
	json_object *ent = NULL, *w = NULL;
	int ret;

	if (!a->fw && (ret = netd_engine_fw_scan(a->e, &a->fw)) < 0) {
		netd_log(LOG_WARNING, "scanning other firewalls: %s", strerror(-ret));
		a->done(a->arg);
		return;
	}
	for (; (name = netd_engine_network_name(a->e, a->warn_i)); a->warn_i++)
		if (netd_engine_network_autostart(a->e, a->warn_i))
			break;
	if (!name) {
		netd_engine_fw_free(a->fw);
		a->fw = NULL;
		a->done(a->arg);
		return;
	}
	a->warn_i++;
	if (netd_engine_entry_warnings(a->e, a->fw, name, &ent, &w, &diag) == 0 && not_down(ent))
		for (size_t k = 0; k < json_object_array_length(w); k++)
			netd_log_net(LOG_WARNING, name, "%s",
			             json_object_get_string(json_object_array_get_idx(w, k)));
	json_object_put(ent);
	json_object_put(w);
	netd_loop_timer_at(a->l, &a->warn, 0);
}

/* The last up ended: the findings, one network per turn, and then netd is ready (so that a
 * client that waits for "ready" finds them in the log). */
static void finished(struct netd_autostart *a)
{
	if (!a->asked) {
		a->done(a->arg);
		return;
	}
	netd_log(a->failed ? LOG_WARNING : LOG_INFO,
	         "autostart: %zu of %zu network(s) up in %lld ms", a->asked - a->failed, a->asked,
	         netd_now_ms() - a->t0);
	netd_loop_timer_at(a->l, &a->warn, 0);
}

static void one_done(void *arg, int ret, json_object *result, const struct netd_diag *diag)
{
	struct netd_autostart *a = arg;

	json_object_put(result); /* what an up repaired: logged by the engine already */
	if (ret < 0) {
		a->failed++;
		netd_log(ret == -ECANCELED ? LOG_INFO : LOG_ERR, "autostart: %s",
		         diag->msg[0] ? diag->msg : strerror(-ret));
	}
	if (--a->left == 0 && !a->closing)
		finished(a);
}

int netd_autostart_begin(struct netd_loop *l, struct netd_engine *e, struct netd_sched *s,
                         void (*done)(void *arg), void *arg, struct netd_autostart **out)
{
	struct netd_autostart *a = calloc(1, sizeof(*a));
	const char *name;

	*out = NULL;
	if (!a)
		return -ENOMEM;
	*a = (struct netd_autostart){.l = l, .e = e, .done = done, .arg = arg};
	a->t0 = netd_now_ms();
	netd_timer_init(&a->warn, warn_step, a);
	*out = a;
	/* left counts one more until every up is queued, so that none ending early (a job
	 * refused at once) makes netd ready before the rest are asked. */
	a->left = 1;
	for (size_t i = 0; (name = netd_engine_network_name(e, i)); i++) {
		if (!netd_engine_network_autostart(e, i))
			continue;
		a->asked++;
		if (netd_sched_autostart(s, name, one_done, a) < 0)
			a->failed++;
		else
			a->left++;
	}
	if (--a->left == 0)
		finished(a);
	return 0;
}

void netd_autostart_closing(struct netd_autostart *a)
{
	if (a)
		a->closing = true;
}

void netd_autostart_free(struct netd_autostart *a)
{
	if (!a)
		return;
	netd_loop_timer_cancel(a->l, &a->warn);
	netd_engine_fw_free(a->fw);
	free(a);
}
