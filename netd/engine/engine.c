/* The engine: config in force + observe -> plan -> apply for up, down, reload, reconcile.
 * The read-only views (list, status, leases) are in engine_views.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "netd/config.h"
#include "engine_priv.h"
#include "netd/util/fsutil.h"
#include "netd/util/log.h"
#include "netd/kernel/link_monitor.h"
#include "netd/mode.h"
#include "netd/tap.h"

void netd_engine_free(struct netd_engine *e)
{
	if (!e)
		return;
	/* The monitor (monitor.c) sits on top of the engine; the engine only owns its socket. */
	netd_link_monitor_close(e->monitor);
	netd_dnsmasq_watch_free(e);
	netd_memo_free(e);
	netd_pass_unwatch(e);
	netd_config_free(e->config);
	free(e->brought_up);
	netd_nl_close(e->nl);
	netd_nft_close(e->nft);
	free(e->config_dir);
	free(e->state_dir);
	free(e->runtime_dir);
	free(e->dnsmasq_bin);
	free(e);
}

int netd_engine_new(const struct netd_engine_opts *opts, struct netd_engine **out,
                    struct netd_diag *diag)
{
	struct netd_engine *e;
	int ret = -ENOMEM;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->config_dir = strdup(opts->config_dir);
	e->state_dir = strdup(opts->state_dir);
	e->runtime_dir = strdup(opts->runtime_dir);
	e->dnsmasq_bin = opts->dnsmasq_bin ? strdup(opts->dnsmasq_bin) : NULL;
	if (!e->config_dir || !e->state_dir || !e->runtime_dir ||
	    (opts->dnsmasq_bin && !e->dnsmasq_bin))
		goto fail;

	ret = netd_config_load_dir(e->config_dir, &e->config, diag);
	if (ret < 0)
		goto fail;
	/* + 1: never a zero-size allocation, and index_in()'s "not found" stays in bounds. */
	e->brought_up = calloc(e->config->n_networks + 1, sizeof(*e->brought_up));
	if (!e->brought_up || netd_dnsmasq_watch_reset(e) < 0 || netd_memo_reset(e) < 0) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = netd_mkdir_p(e->state_dir, 0755);
	if (ret == 0)
		ret = netd_mkdir_p(e->runtime_dir, 0755);
	if (ret < 0) {
		netd_diag_set(diag, "creating %s or %s: %s", e->state_dir, e->runtime_dir,
		              strerror(-ret));
		goto fail;
	}
	netd_pass_watch(e);
	ret = netd_nl_open(&e->nl);
	if (ret < 0) {
		netd_diag_set(diag, "opening a netlink socket: %s", strerror(-ret));
		goto fail;
	}
	ret = netd_nft_open(&e->nft);
	if (ret < 0) {
		netd_diag_set(diag, "opening an nftables socket: %s", strerror(-ret));
		goto fail;
	}
	*out = e;
	return 0;
fail:
	netd_engine_free(e);
	return ret;
}

const struct netd_network *netd_engine_find(struct netd_engine *e, const char *name,
                                            struct netd_diag *diag)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	char known[512] = "";
	size_t len = 0;

	if (n)
		return n;
	for (size_t i = 0; i < e->config->n_networks && len < sizeof(known); i++)
		len += snprintf(known + len, sizeof(known) - len, "%s%s", i ? ", " : "",
		                e->config->networks[i]->name);
	netd_diag_set(diag, "no network named '%s' in %s (known: %s)", name, e->config_dir,
	              known[0] ? known : "none");
	return NULL;
}

static bool last_forwarder(struct netd_engine *e, const struct netd_network *self,
                           struct netd_pass *pass);
static size_t index_in(const struct netd_config *c, const struct netd_network *n);

void netd_view_release(struct netd_view *v)
{
	if (v->d)
		netd_pass_desired_return(v->lender, v->d);
	v->d = NULL;
	v->lender = NULL;
	netd_observed_clear(&v->o);
	netd_pass_end(&v->own);
}

int netd_view_load_in(struct netd_engine *e, const struct netd_network *n, struct netd_pass *pass,
                      struct netd_view *v, struct netd_diag *diag)
{
	struct netd_net_memo *m = &e->memo[index_in(e->config, n)];
	int ret;

	memset(v, 0, sizeof(*v));
	v->pass = pass ? pass : &v->own;
	ret = pass ? 0 : netd_pass_begin(e, false, &v->own);
	if (ret == 0)
		ret = netd_dnsmasq_paths_init(&v->ctx.paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0)
		ret = netd_pass_desired(e, n, m, &v->ctx.paths, &v->d, &v->lender, diag);
	if (ret == 0)
		ret = netd_observe(e, v->d, &v->ctx.paths, v->pass, m, &v->o);
	if (ret == 0 && !v->d->forwarding && v->o.ip_forward_on)
		v->o.forwarding_restorable = last_forwarder(e, n, v->pass);
	if (ret < 0) {
		netd_diag_set(diag, "%s: observing the kernel: %s", n->name, strerror(-ret));
		netd_view_release(v);
		return ret;
	}
	v->ctx.e = e;
	v->ctx.net = n;
	v->ctx.d = v->d;
	v->ctx.before = &v->o;
	return 0;
}

int netd_view_load(struct netd_engine *e, const struct netd_network *n, struct netd_view *v,
                   struct netd_diag *diag)
{
	return netd_view_load_in(e, n, NULL, v, diag);
}

bool netd_engine_bridge_get(struct netd_engine *e, const struct netd_network *n,
                            struct netd_link_info *li)
{
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];

	snprintf(alias, sizeof(alias), NETD_ALIAS_PREFIX "%s", n->name);
	return netd_nl_link_get(e->nl, n->bridge, li) == 0 && strcmp(li->alias, alias) == 0;
}

bool netd_engine_bridge_is_ours(struct netd_engine *e, const struct netd_network *n)
{
	struct netd_link_info li;

	return netd_engine_bridge_get(e, n, &li);
}

/* Where n sits in c's list (n is one of c's networks). */
static size_t index_in(const struct netd_config *c, const struct netd_network *n)
{
	size_t i = 0;

	while (i < c->n_networks && c->networks[i] != n)
		i++;
	return i;
}

/* A network is up when netd recorded it so in this boot, or (one left up by a netd older than
 * the record) when its tagged bridge exists. A record that does not read counts as up: it is
 * never taken for "nothing saved". */
static bool up_as_recorded(struct netd_engine *e, const struct netd_network *n,
                           struct netd_kernel_snapshot *k, int rec)
{
	char alias[NETD_NAME_MAX + sizeof(NETD_ALIAS_PREFIX)];
	struct netd_link_info li;

	if (rec != -ENOENT && rec != -ESTALE)
		return true;
	if (!k)
		return netd_engine_bridge_is_ours(e, n);
	snprintf(alias, sizeof(alias), NETD_ALIAS_PREFIX "%s", n->name);
	return netd_snapshot_link(k, n->bridge, &li) == 0 && strcmp(li.alias, alias) == 0;
}

/* The same within a pass: its record and bridge as the pass reads them. */
static bool is_up_in(struct netd_engine *e, const struct netd_network *n, struct netd_pass *pass)
{
	return up_as_recorded(e, n, pass->k,
	                      netd_pass_up_record(e, n, &e->memo[index_in(e->config, n)]));
}

static bool is_up(struct netd_engine *e, const struct netd_network *n)
{
	return up_as_recorded(e, n, NULL, netd_up_record_load(e->state_dir, n->name));
}

static int check_host(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_host_prefix *hp = NULL;
	size_t n_hp = 0;
	int ret;

	if (!n->has_address)
		return 0;
	ret = netd_nl_host_prefixes_near(e->nl, &n->address, &hp, &n_hp);
	if (ret < 0) {
		netd_diag_set(diag, "%s: listing the host's addresses: %s", n->name,
		              strerror(-ret));
		return ret;
	}
	ret = netd_config_check_host(n, hp, n_hp, diag);
	free(hp);
	return ret;
}

/* Observe, plan, apply; *plan is what was (or would have been) done. A reconcile (probe)
 * also asks dnsmasq whether it still answers, which nothing else does. */
static int converge(struct netd_engine *e, const struct netd_network *n, bool probe,
                    struct netd_pass *pass, struct netd_plan *plan, struct netd_diag *diag)
{
	struct netd_view v;
	int ret;

	plan->n = 0;
	ret = netd_view_load_in(e, n, pass, &v, diag);
	if (ret < 0)
		return ret;
	if (probe && v.d->dnsmasq && v.o.dnsmasq_running && v.o.bridge == NETD_BRIDGE_OURS &&
	    v.o.has_address)
		v.o.dnsmasq_hung = netd_dnsmasq_hung(e, index_in(e->config, n), v.o.dnsmasq_pid);
	ret = netd_plan_up(v.d, &v.o, plan, diag);
	if (ret == 0 && plan->n > 0 && v.o.bridge == NETD_BRIDGE_ABSENT)
		ret = check_host(e, n, diag);
	if (ret == 0 && plan->n > 0) {
		ret = netd_apply_up(&v.ctx, plan, diag);
		/* What the repair changed is read again by the next network: ip_forward, and
		 * the ruleset's generation. */
		v.pass->ip_forward = -1;
		if (v.pass->nft_held)
			netd_nft_observe_hold(e->nft, true);
	}
	netd_view_release(&v);
	return ret;
}

static int up_network(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_plan plan;

	return converge(e, n, false, NULL, &plan, diag);
}

/* One network of the periodic reconcile: each repair goes to the log, naming the network and
 * the steps. A network up without a record (rec: what loading it said; left by an older
 * netd) gets one. */
static int reconcile_network(struct netd_engine *e, const struct netd_network *n,
                             struct netd_pass *pass, int rec, struct netd_diag *diag)
{
	struct netd_plan plan;
	char steps[512] = "";
	size_t len = 0;
	int ret = converge(e, n, true, pass, &plan, diag);

	for (size_t i = 0; i < plan.n && len < sizeof(steps); i++)
		len += snprintf(steps + len, sizeof(steps) - len, "%s%s", i ? ", " : "",
		                netd_step_name(plan.steps[i]));
	if (ret < 0)
		netd_log(LOG_WARNING, "%s: reconcile failed: %s", n->name,
		         diag->msg[0] ? diag->msg : strerror(-ret));
	else if (plan.n > 0)
		netd_log(LOG_NOTICE, "%s: reconcile repaired: %s", n->name, steps);
	if (ret == 0 && rec != 0 && rec != -EINVAL)
		ret = netd_up_record_save(e->state_dir, n->name);
	return ret;
}

/* Up by request or autostart: a network that was not up before is this process's own, and
 * --down-on-exit takes down those only (one left up by an earlier netd stays up). */
static int up_requested(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	bool was_up = is_up(e, n);
	bool recorded = netd_up_record_load(e->state_dir, n->name) == 0;
	int ret = 0;

	/* The record first: a network that comes up is one the reconcile keeps up. */
	if (!recorded && (ret = netd_up_record_save(e->state_dir, n->name)) < 0) {
		netd_diag_set(diag, "%s: recording it as up in %s: %s", n->name, e->state_dir,
		              strerror(-ret));
		return ret;
	}
	ret = up_network(e, n, diag);
	if (ret < 0 && !recorded)
		netd_up_record_forget(e->state_dir, n->name);
	if (ret == 0 && !was_up)
		e->brought_up[index_in(e->config, n)] = true;
	return ret;
}

int netd_engine_up(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);

	return n ? up_requested(e, n, diag) : -ENOENT;
}

/* No other network that is up needs forwarding: the saved value can go back. The networks
 * that are up and need it are counted once per pass. */
static bool last_forwarder(struct netd_engine *e, const struct netd_network *self,
                           struct netd_pass *pass)
{
	int others;

	if (pass->forwarders_up < 0) {
		pass->forwarders_up = 0;
		for (size_t i = 0; i < e->config->n_networks; i++) {
			const struct netd_network *n = e->config->networks[i];

			if (netd_network_needs_forwarding(n) && is_up_in(e, n, pass))
				pass->forwarders_up++;
		}
	}
	others = pass->forwarders_up;
	if (netd_network_needs_forwarding(self) && is_up_in(e, self, pass))
		others--;
	return others == 0 && netd_forwarding_saved(e->state_dir);
}

static int down_network(struct netd_engine *e, const struct netd_network *n, struct netd_diag *diag)
{
	struct netd_plan plan;
	struct netd_view v;
	int ret;

	ret = netd_view_load(e, n, &v, diag);
	if (ret < 0)
		return ret;
	/* Taps go with their network, attached ones too (README, "Guests on taps"). */
	netd_plan_down(v.d, &v.o, last_forwarder(e, n, v.pass), &plan);
	ret = netd_apply_down(&v.ctx, &plan, diag);
	netd_view_release(&v);
	return ret;
}

/* Down by request: the record goes too, even when a step failed, so the reconcile does not
 * bring back what down took away (a failed step is reported, and down can be run again). */
static int down_requested(struct netd_engine *e, const struct netd_network *n,
                          struct netd_diag *diag)
{
	int ret = down_network(e, n, diag);
	int rec = netd_up_record_forget(e->state_dir, n->name);

	if (ret == 0 && rec < 0) {
		netd_diag_set(diag, "%s: removing its record of being up from %s: %s", n->name,
		              e->state_dir, strerror(-rec));
		ret = rec;
	}
	if (ret == 0)
		e->brought_up[index_in(e->config, n)] = false;
	return ret;
}

int netd_engine_down(struct netd_engine *e, const char *name, struct netd_diag *diag)
{
	const struct netd_network *n = netd_engine_find(e, name, diag);

	return n ? down_requested(e, n, diag) : -ENOENT;
}

/* The first error wins the diag (diag may be NULL); the others are still tried. */
static void keep_first(int ret, const struct netd_diag *d, int *first, struct netd_diag *diag)
{
	if (ret < 0 && *first == 0) {
		*first = ret;
		if (diag)
			*diag = *d;
	}
}

/* Runs fn on every network selected by pick; keeps going, reports the first error. */
static int
for_each(struct netd_engine *e, bool (*pick)(struct netd_engine *, const struct netd_network *),
         int (*fn)(struct netd_engine *, const struct netd_network *, struct netd_diag *),
         struct netd_diag *diag)
{
	int first = 0;

	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		struct netd_diag d = {""};
		int ret;

		if (!pick(e, n))
			continue;
		ret = fn(e, n, &d);
		keep_first(ret, &d, &first, diag);
	}
	return first;
}

static bool pick_autostart(struct netd_engine *e, const struct netd_network *n)
{
	return n->autostart;
}

int netd_engine_autostart(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_autostart, up_requested, diag);
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Every network that is up, whether its bridge is there or not, each observed in one
 * snapshot of the kernel taken for the pass. The pass's length goes to the debug log. */
int netd_engine_reconcile(struct netd_engine *e)
{
	struct netd_pass pass;
	struct netd_nl_stats s0, s1;
	long long t0 = now_us();
	size_t count = 0;
	int ret, first = 0;

	netd_nl_get_stats(e->nl, &s0);
	ret = netd_pass_begin(e, true, &pass);
	if (ret < 0) {
		netd_log(LOG_WARNING, "reconcile: reading the kernel's links and addresses: %s",
		         strerror(-ret));
		return ret;
	}
	pass.nft_held = true;
	netd_nft_observe_hold(e->nft, true);
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		int rec = netd_pass_up_record(e, n, &e->memo[i]);
		struct netd_diag d = {""};

		if (!up_as_recorded(e, n, pass.k, rec))
			continue;
		count++;
		keep_first(reconcile_network(e, n, &pass, rec, &d), &d, &first, NULL);
	}
	netd_nft_observe_hold(e->nft, false);
	netd_pass_end(&pass);
	e->passes++;
	netd_nl_get_stats(e->nl, &s1);
	netd_log(LOG_DEBUG,
	         "reconcile pass: %zu of %zu networks up, %lu netlink queries and %lu changes, "
	         "in %.2f ms",
	         count, e->config->n_networks, s1.queries - s0.queries, s1.requests - s0.requests,
	         (double)(now_us() - t0) / 1000.0);
	return first;
}

static bool pick_brought_up(struct netd_engine *e, const struct netd_network *n)
{
	return e->brought_up[index_in(e->config, n)] && is_up(e, n);
}

int netd_engine_down_all(struct netd_engine *e, struct netd_diag *diag)
{
	return for_each(e, pick_brought_up, down_requested, diag);
}

/* Whether a new definition keeps the devices of the old: if not, the old must go down under
 * the definition that knows what it made (a bond with its slaves, an uplink's snapshot)
 * before the new one comes up. Addresses, DHCP, policy and taps are reconciled in place. */
static bool same_devices(const struct netd_network *a, const struct netd_network *b)
{
	struct netd_bond x, y;

	/* The bond's values, not where in the file they were written. Both networks come
	 * from calloc and are filled in place, so their padding compares equal too. */
	memcpy(&x, &a->bond, sizeof(x));
	memcpy(&y, &b->bond, sizeof(y));
	x.line = y.line = 0;
	memset(x.opt_line, 0, sizeof(x.opt_line));
	memset(y.opt_line, 0, sizeof(y.opt_line));
	return a->mode == b->mode && strcmp(a->bridge, b->bridge) == 0 &&
	       strcmp(a->uplink, b->uplink) == 0 && memcmp(&x, &y, sizeof(x)) == 0;
}

/* The brought_up marks of old's networks, by name, for fresh's (networks gone drop theirs). */
static bool *marks_for(const struct netd_engine *e, const struct netd_config *fresh)
{
	bool *marks = calloc(fresh->n_networks + 1, sizeof(*marks));

	for (size_t i = 0; marks && i < fresh->n_networks; i++) {
		const struct netd_network *o =
		    netd_config_find(e->config, fresh->networks[i]->name);

		marks[i] = o && e->brought_up[index_in(e->config, o)];
	}
	return marks;
}

/*
 * Reload, first half: a network that is up and whose devices changed (or that is gone from
 * the config) goes down under the old definition, the one that knows what it made. renew[i]
 * (per fresh network) records those that must come up again under the new one.
 */
static void down_changed(struct netd_engine *e, const struct netd_config *fresh, bool *renew,
                         int *first, struct netd_diag *diag)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		const struct netd_network *m = netd_config_find(fresh, n->name);
		struct netd_diag d = {""};
		int ret;

		if ((m && same_devices(m, n)) || !is_up(e, n))
			continue;
		/* Gone from the config: down for good. */
		ret = m ? down_network(e, n, &d) : down_requested(e, n, &d);
		if (ret == 0 && m)
			renew[index_in(fresh, m)] = true;
		keep_first(ret, &d, first, diag);
	}
}

/*
 * Reload, second half, under the new config: the networks taken down for a change of devices
 * come up under their new definition; the others that are up are reconciled to theirs. A
 * renewed network that fails to come up is left down (its up was rolled back) and the
 * message says so: the new definition is the one in force, and `up` retries it.
 */
static void up_changed(struct netd_engine *e, const bool *renew, int *first, struct netd_diag *diag)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];
		struct netd_diag d = {""};
		size_t len;
		int ret;

		if (!renew[i] && !is_up(e, n))
			continue;
		ret = up_network(e, n, &d);
		if (ret < 0 && renew[i]) {
			netd_up_record_forget(e->state_dir, n->name);
			len = strlen(d.msg);
			snprintf(d.msg + len, sizeof(d.msg) - len,
			         " (%s is down: taken down under its old definition, it did not "
			         "come up under the new one)",
			         n->name);
		}
		keep_first(ret, &d, first, diag);
	}
}

int netd_engine_reload(struct netd_engine *e, struct netd_diag *diag)
{
	struct netd_config *fresh = NULL;
	bool *renew = NULL, *marks = NULL;
	int ret, first = 0;

	ret = netd_config_load_dir(e->config_dir, &fresh, diag);
	if (ret < 0) {
		size_t len = strlen(diag->msg);

		/* Nothing changed: say so, to netdctl and in the daemon's log alike. */
		if (len)
			snprintf(diag->msg + len, sizeof(diag->msg) - len,
			         " (the old config stays)");
		return ret;
	}
	renew = calloc(fresh->n_networks + 1, sizeof(*renew));
	marks = marks_for(e, fresh);
	if (!renew || !marks) {
		netd_config_free(fresh);
		ret = -ENOMEM;
		goto out;
	}
	down_changed(e, fresh, renew, &first, diag);
	netd_config_free(e->config);
	e->config = fresh;
	free(e->brought_up);
	e->brought_up = marks;
	marks = NULL;
	/* The queries in flight and what the passes kept were per network of the old config. */
	if (netd_dnsmasq_watch_reset(e) < 0 || netd_memo_reset(e) < 0)
		keep_first(-ENOMEM, &(struct netd_diag){"out of memory"}, &first, diag);
	up_changed(e, renew, &first, diag);
	ret = first;
out:
	free(renew);
	free(marks);
	return ret;
}
