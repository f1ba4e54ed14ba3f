/*
 * Passes over networks (struct netd_pass): what a pass reads once and shares between the
 * networks it observes, and what the engine keeps of each network's files from one pass to
 * the next (struct netd_net_memo). The state and runtime directories are watched
 * (util/dir_watch.h): a pass brings the watches up to date when it begins, and a file whose
 * version has not moved since it was last read is not read again. Without a watch (inotify
 * unavailable) every pass reads every file, as netd always did.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/util/dir_watch.h"
#include "netd/util/log.h"

static struct netd_dir_watch *watch(const char *dir)
{
	struct netd_dir_watch *w = NULL;
	int ret = netd_dir_watch_open(dir, &w);

	if (ret < 0)
		netd_log(LOG_WARNING, "watching %s: %s (each pass reads its files anew)", dir,
		         strerror(-ret));
	return w;
}

void netd_pass_watch(struct netd_engine *e)
{
	e->state_watch = watch(e->state_dir);
	e->run_watch = watch(e->runtime_dir);
}

void netd_pass_unwatch(struct netd_engine *e)
{
	netd_dir_watch_close(e->state_watch);
	netd_dir_watch_close(e->run_watch);
	e->state_watch = e->run_watch = NULL;
}

int netd_pass_begin(struct netd_engine *e, bool whole, struct netd_pass *pass)
{
	*pass = (struct netd_pass){.forwarders_up = -1, .ip_forward = -1};
	if (e->state_watch)
		netd_dir_watch_update(e->state_watch);
	if (e->run_watch)
		netd_dir_watch_update(e->run_watch);
	return whole ? netd_snapshot_take(e->nl, &pass->k) : netd_snapshot_narrow(e->nl, &pass->k);
}

void netd_pass_end(struct netd_pass *pass)
{
	netd_snapshot_free(pass->k);
	pass->k = NULL;
}

static void memo_clear(struct netd_net_memo *m)
{
	netd_desired_free(m->d);
	netd_dnsmasq_seen_clear(&m->seen);
	memset(m, 0, sizeof(*m));
	netd_dnsmasq_seen_init(&m->seen);
}

void netd_memo_free(struct netd_engine *e)
{
	for (size_t i = 0; e->memo && i <= e->n_memo; i++)
		memo_clear(&e->memo[i]);
	free(e->memo);
	e->memo = NULL;
	e->n_memo = 0;
}

int netd_memo_reset(struct netd_engine *e)
{
	netd_memo_free(e);
	/* + 1: the slot a "not found" index lands on is a valid, empty one. */
	e->memo = calloc(e->config->n_networks + 1, sizeof(*e->memo));
	if (!e->memo)
		return -ENOMEM;
	e->n_memo = e->config->n_networks;
	for (size_t i = 0; i <= e->n_memo; i++)
		netd_dnsmasq_seen_init(&e->memo[i].seen);
	return 0;
}

/* The version of <state>/<network><suffix>; 0 (nothing kept) without a watch. */
static uint64_t state_version(struct netd_engine *e, const struct netd_network *n,
                              const char *suffix)
{
	char name[NETD_NAME_MAX + 16];

	if (!e->state_watch)
		return 0;
	snprintf(name, sizeof(name), "%s%s", n->name, suffix);
	return netd_dir_watch_version(e->state_watch, name);
}

int netd_pass_up_record(struct netd_engine *e, const struct netd_network *n,
                        struct netd_net_memo *m)
{
	uint64_t v = state_version(e, n, ".up");

	if (!v || v != m->up_version) {
		m->up_rec = netd_up_record_load(e->state_dir, n->name);
		m->up_version = v;
	}
	return m->up_rec;
}

int netd_pass_desired(struct netd_engine *e, const struct netd_network *n, struct netd_net_memo *m,
                      const struct netd_dnsmasq_paths *paths, struct netd_desired **out,
                      struct netd_net_memo **lender, struct netd_diag *diag)
{
	struct netd_tap_state taps = {0};
	uint64_t v = state_version(e, n, ".taps");
	int ret;

	*lender = NULL;
	if (v && v == m->taps_version && m->d) {
		*out = m->d;
		goto lend;
	}
	/* The taps netd made for it: attached ones and their static leases. */
	ret = netd_tap_state_load(e->state_dir, n->name, &taps, diag);
	if (ret == 0)
		ret = netd_desired_build(n, paths, &taps, out);
	netd_tap_state_clear(&taps);
	/* Kept for the next pass, unless a view still holds the one kept before: then this
	 * view owns its own. */
	if (ret < 0 || !v || m->borrowers)
		return ret;
	netd_desired_free(m->d);
	m->d = *out;
	m->taps_version = v;
lend:
	m->borrowers++;
	*lender = m;
	return 0;
}

void netd_pass_desired_return(struct netd_net_memo *lender, struct netd_desired *d)
{
	if (lender)
		lender->borrowers--;
	else
		netd_desired_free(d);
}
