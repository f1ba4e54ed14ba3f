/* The engine: the config in force, its sockets, and what every change and view shares (the
 * view of one network, its bridge, whether it is up, the host's addresses, the forwarding
 * switch). The changes themselves run as jobs (job.c, change.c, reload.c); the read-only
 * views are engine_views.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netd/config.h"
#include "engine_priv.h"
#include "netd/util/fsutil.h"
#include "netd/util/log.h"
#include "netd/util/state_file.h"
#include "netd/kernel/file_watch.h"
#include "netd/kernel/link_monitor.h"
#include "netd/mode.h"
#include "netd/kernel/snapshot.h"
#include "netd/tap.h"

void netd_engine_free(struct netd_engine *e)
{
	if (!e)
		return;
	/* The monitor (monitor.c) sits on top of the engine; the engine only owns its socket. */
	netd_link_monitor_close(e->monitor);
	netd_heal_set_free(e);
	netd_dnsmasq_watch_free(e);
	netd_file_watch_close(e->resolv_watch);
	netd_config_free(e->config);
	free(e->brought_up);
	free(e->repairs);
	netd_snapshot_free(e->pass_k);
	netd_nl_close(e->nl);
	netd_nft_close(e->nft);
	free(e->config_dir);
	free(e->state_dir);
	free(e->runtime_dir);
	free(e->dnsmasq_bin);
	free(e->resolv_conf);
	json_object_put(e->frr.status);
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
	e->resolv_conf = strdup(opts->resolv_conf ? opts->resolv_conf : "/etc/resolv.conf");
	if (!e->config_dir || !e->state_dir || !e->runtime_dir || !e->resolv_conf ||
	    (opts->dnsmasq_bin && !e->dnsmasq_bin))
		goto fail;

	ret = netd_config_load_dir(e->config_dir, &e->config, diag);
	if (ret < 0)
		goto fail;
	netd_forward_merge_live(e, e->config);
	/* Accepted but ignored by the kernel (a bond option of another mode): said once. */
	for (size_t i = 0; i < e->config->n_networks; i++)
		netd_log_lines(LOG_WARNING, e->config->networks[i]->warnings);
	/* + 1: never a zero-size allocation, and netd_engine_index()'s "not found" stays in
	 * bounds. */
	e->brought_up = calloc(e->config->n_networks + 1, sizeof(*e->brought_up));
	if (!e->brought_up || netd_dnsmasq_watch_reset(e) < 0) {
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

void netd_view_release(struct netd_view *v)
{
	netd_desired_free(v->d);
	v->d = NULL;
	netd_observed_clear(&v->o);
}

/* No other spanning network is up: FRR's part of the fabric goes with this one. */
static bool last_spanning(struct netd_engine *e, const struct netd_network *self)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];

		if (n != self && n->vni && netd_engine_is_up(e, n))
			return false;
	}
	return true;
}

int netd_view_load(struct netd_engine *e, const struct netd_network *n, struct netd_view *v,
                   struct netd_diag *diag)
{
	struct netd_state_issue *taps_issue = NULL;
	struct netd_tap_state taps = {0};
	int ret;

	memset(v, 0, sizeof(*v));
	ret = netd_dnsmasq_paths_init(&v->ctx.paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0) /* the taps netd made for it: attached ones and their static leases */
		ret = netd_tap_state_load(e->state_dir, n->name, &taps, NULL);
	/* A record that does not load is no reason to leave the rest unobserved: the taps are
	 * left alone (plan.c) and status says why. Its .prev is not used by itself: it may lack
	 * the last tap attached or list one detached since, no kernel fact can tell, and down,
	 * which removes every tap tagged for the network, does not need it. */
	if (ret == -EINVAL) {
		taps_issue = malloc(sizeof(*taps_issue));
		ret =
		    taps_issue ? netd_tap_state_issue(e->state_dir, n->name, taps_issue) : -ENOMEM;
	}
	if (ret == 0)
		ret = netd_desired_build(n, &v->ctx.paths, &taps, &v->d);
	if (ret == 0)
		ret = netd_fabric_desired(e, v->d, &v->ctx.paths);
	netd_tap_state_clear(&taps);
	if (ret == 0)
		ret = netd_observe(e, v->d, &v->ctx.paths, &v->o);
	if (ret == 0 && taps_issue)
		v->o.files[NETD_STATE_FILE_TAPS] = *taps_issue;
	free(taps_issue);
	if (ret == 0 && !v->d->forwarding && v->o.ip_forward_on)
		v->o.forwarding_restorable = netd_engine_last_forwarder(e, n) == 1;
	if (ret == 0 && v->d->vxlan[0])
		v->o.frr_last = last_spanning(e, n);
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

size_t netd_engine_index(const struct netd_config *c, const struct netd_network *n)
{
	size_t i = 0;

	while (i < c->n_networks && c->networks[i] != n)
		i++;
	return i;
}

bool netd_engine_is_up(struct netd_engine *e, const struct netd_network *n)
{
	int ret = netd_up_record_load(e->state_dir, n->name);

	return (ret != -ENOENT && ret != -ESTALE) || netd_engine_bridge_is_ours(e, n);
}

int netd_engine_check_host(struct netd_engine *e, const struct netd_network *n,
                           struct netd_diag *diag)
{
	struct netd_host_prefix *hp = NULL;
	size_t n_hp = 0;
	int ret;

	if (!n->has_address)
		return 0;
	/* Only the prefixes near the subnet matter, and labelling those costs a get per link
	 * instead of a dump of every link (most of the check's cost at 500 networks); a
	 * NATAddress= is looked for among every address of the host. */
	if (n->nat_address.s_addr)
		ret = netd_nl_host_prefixes(e->nl, &hp, &n_hp);
	else
		ret = netd_nl_host_prefixes_near(e->nl, &n->address, &hp, &n_hp);
	if (ret < 0) {
		netd_diag_set(diag, "%s: listing the host's addresses: %s", n->name,
		              strerror(-ret));
		return ret;
	}
	ret = netd_config_check_host(n, hp, n_hp, diag);
	free(hp);
	if (ret == 0 && n->has_address6)
		ret = netd_engine_check_host6(e, n, diag);
	return ret;
}

int netd_engine_last_forwarder(struct netd_engine *e, const struct netd_network *self)
{
	for (size_t i = 0; i < e->config->n_networks; i++) {
		const struct netd_network *n = e->config->networks[i];

		if (n != self && netd_network_needs_forwarding(n) && netd_engine_is_up(e, n))
			return 0;
	}
	return netd_forwarding_saved(e->state_dir);
}

void netd_keep_first(int ret, const struct netd_diag *d, int *first, struct netd_diag *diag)
{
	if (ret < 0 && *first == 0) {
		*first = ret;
		if (diag)
			*diag = *d;
	}
}
