/*
 * A guest's tap in the kernel, whoever asked for it (`netdctl attach`, a [Tap] at up): the one
 * path that makes taps (one or many at once), the one that puts a tap's settings back, and
 * dnsmasq's hosts file when the record of taps changes.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/kernel/tap.h"
#include "netd/mode.h"

void netd_tap_alias(const struct netd_network *n, char buf[NETD_TAP_ALIAS_MAX])
{
	snprintf(buf, NETD_TAP_ALIAS_MAX, NETD_ALIAS_PREFIX "%s", n->name);
}

bool netd_tap_link_is_ours(struct netd_engine *e, const struct netd_network *n, const char *link,
                           struct netd_link_info *li)
{
	char alias[NETD_TAP_ALIAS_MAX];

	netd_tap_alias(n, alias);
	return netd_nl_link_get(e->nl, link, li) == 0 && strcmp(li->alias, alias) == 0;
}

static int resolve_name(const char *s, bool user, uint32_t *out)
{
	char buf[4096];

	if (user) {
		struct passwd pw, *r = NULL;

		if (getpwnam_r(s, &pw, buf, sizeof(buf), &r) == 0 && r) {
			*out = pw.pw_uid;
			return 0;
		}
	} else {
		struct group gr, *r = NULL;

		if (getgrnam_r(s, &gr, buf, sizeof(buf), &r) == 0 && r) {
			*out = gr.gr_gid;
			return 0;
		}
	}
	return -ENOENT;
}

/* A user or group as [Tap] Owner=/Group= and --owner/--group give it: a number or a name. */
static int resolve_id(const char *s, bool user, uint32_t *out, struct netd_diag *diag)
{
	unsigned long v;
	char *end;

	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v >= UINT32_MAX) {
			netd_diag_set(diag, "invalid %s id '%s'", user ? "user" : "group", s);
			return -EINVAL;
		}
		*out = (uint32_t)v;
		return 0;
	}
	if (resolve_name(s, user, out) < 0) {
		netd_diag_set(diag, "no %s named '%s' on this host", user ? "user" : "group", s);
		return -ENOENT;
	}
	return 0;
}

static int create_opts(const struct netd_tap_want *w, struct netd_tap_create_opts *opts,
                       struct netd_diag *diag)
{
	uint32_t id = 0;
	int ret;

	*opts = (struct netd_tap_create_opts){.name = w->name, .queues = w->queues};
	if (w->owner && w->owner[0]) {
		ret = resolve_id(w->owner, true, &id, diag);
		if (ret < 0)
			return ret;
	}
	opts->owner = id; /* root when not given: nobody else may open the guest's port */
	if (w->group && w->group[0]) {
		id = 0;
		ret = resolve_id(w->group, false, &id, diag);
		if (ret < 0)
			return ret;
		opts->has_group = true;
		opts->group = id;
	}
	return 0;
}

/* The network's bridge, which every tap of it joins. */
static int bridge_of(struct netd_engine *e, const struct netd_network *n, struct netd_link_info *br,
                     struct netd_diag *diag)
{
	int ret = netd_nl_link_get(e->nl, n->bridge, br);

	if (ret < 0)
		netd_diag_set(diag, "%s: bridge %s: %s", n->name, n->bridge, strerror(-ret));
	return ret;
}

/* The settings of the network's taps: tagged, on the bridge with its MTU, isolated as the
 * policy says, and the host side's MAC. */
static int configure(struct netd_engine *e, const struct netd_network *n, const char *tap,
                     const uint8_t host_mac[6], unsigned mtu, struct netd_diag *diag)
{
	char alias[NETD_TAP_ALIAS_MAX];
	struct netd_tap_settings set;

	netd_tap_alias(n, alias);
	set = (struct netd_tap_settings){
	    .alias = alias,
	    .mtu = mtu,
	    .bridge = n->bridge,
	    .isolated = netd_port_isolated(n, tap),
	};
	memcpy(set.host_mac, host_mac, 6);
	return netd_tap_configure(e->nl, tap, &set, NULL, diag);
}

/*
 * One tap of a batch, everything decided before the kernel is asked: its record and how the
 * kernel makes it. The per-tap work of every path that makes taps is here.
 */
static int tap_spec(const struct netd_network *n, const struct netd_tap_want *w, const char *alias,
                    unsigned mtu, struct netd_tap_new *t, struct netd_tap_record *rec,
                    struct netd_diag *diag)
{
	int ret;

	memset(rec, 0, sizeof(*rec));
	ret = create_opts(w, &t->opts, diag);
	if (ret < 0)
		return ret;
	memcpy(rec->mac, w->mac, 6);
	netd_tap_host_mac(w->mac, rec->host_mac);
	rec->addr = w->addr;
	rec->addr6 = w->addr6;
	snprintf(rec->hostname, sizeof(rec->hostname), "%s", w->hostname ? w->hostname : "");
	rec->declared = w->declared;
	rec->queues = w->queues ? w->queues : 1;
	rec->owner = t->opts.owner;
	rec->has_group = t->opts.has_group;
	rec->group = t->opts.group;
	t->set = (struct netd_tap_settings){
	    .alias = alias,
	    .mtu = mtu,
	    .bridge = n->bridge,
	    .isolated = netd_port_isolated(n, w->name),
	};
	memcpy(t->set.host_mac, rec->host_mac, 6);
	return 0;
}

int netd_taps_make(struct netd_engine *e, const struct netd_network *n,
                   const struct netd_tap_want *w, size_t k, struct netd_tap_record *recs,
                   struct netd_diag *diag)
{
	struct netd_tap_new *v = calloc(k ? k : 1, sizeof(*v));
	char alias[NETD_TAP_ALIAS_MAX];
	struct netd_diag why = {{0}};
	struct netd_link_info br;
	size_t bad = SIZE_MAX;
	int ret = v ? 0 : -ENOMEM;

	netd_tap_alias(n, alias);
	if (ret == 0)
		ret = bridge_of(e, n, &br, diag);
	for (size_t i = 0; ret == 0 && i < k; i++)
		if ((ret = tap_spec(n, &w[i], alias, br.mtu, &v[i], &recs[i], &why)) < 0)
			bad = i;
	if (ret == 0)
		ret = netd_taps_create(e->nl, v, k, &bad, &why);
	/* Made, and named by the kernel: per-tap work that needs the name goes in this loop. */
	for (size_t i = 0; ret == 0 && i < k; i++)
		memcpy(recs[i].tap, v[i].name, sizeof(recs[i].tap));
	/* Which tap of several failed: its place in the request. */
	if (ret < 0 && why.msg[0] && k > 1 && bad != SIZE_MAX)
		netd_diag_set(diag, "taps[%zu]: %s", bad, why.msg);
	else if (ret < 0 && why.msg[0])
		netd_diag_set(diag, "%s", why.msg);
	if (ret == -ENOMEM && !why.msg[0])
		netd_diag_set(diag, "%s: making %zu taps: %s", n->name, k, strerror(ENOMEM));
	free(v);
	return ret;
}

int netd_tap_make(struct netd_engine *e, const struct netd_network *n,
                  const struct netd_tap_want *w, struct netd_tap_record *rec,
                  struct netd_diag *diag)
{
	return netd_taps_make(e, n, w, 1, rec, diag);
}

int netd_tap_settle(struct netd_engine *e, const struct netd_network *n,
                    const struct netd_tap_record *r, struct netd_diag *diag)
{
	struct netd_link_info br;
	int ret = bridge_of(e, n, &br, diag);

	return ret < 0 ? ret : configure(e, n, r->tap, r->host_mac, br.mtu, diag);
}

int netd_tap_enslave(struct netd_engine *e, const struct netd_network *n, const char *tap,
                     struct netd_diag *diag)
{
	int ret = netd_nl_link_set_master(e->nl, tap, n->bridge, diag);

	/* A port joins a bridge not isolated. */
	if (ret == 0 && netd_port_isolated(n, tap))
		ret = netd_nl_port_set_isolated(e->nl, tap, true, diag);
	return ret;
}

int netd_taps_reload_hosts(struct netd_engine *e, const struct netd_network *n,
                           const struct netd_tap_state *s, struct netd_diag *diag)
{
	struct netd_dnsmasq_paths paths;
	char *hosts = NULL;
	int ret;

	if (!netd_dnsmasq_wanted(n))
		return 0;
	ret = netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name);
	if (ret == 0)
		ret = netd_tap_state_hosts(n, s, &hosts);
	if (ret == 0)
		ret = netd_dnsmasq_reload_hosts(&paths, hosts);
	if (ret == -ESRCH) /* no dnsmasq: the next reconcile starts it with this very file */
		ret = 0;
	if (ret < 0)
		netd_diag_set(diag, "%s: updating dnsmasq's hosts file %s: %s", n->name,
		              paths.hosts, strerror(-ret));
	free(hosts);
	return ret;
}

/* GuestSourceCheck: the tap's port bound to its guest as the record s has it, in one nft
 * batch that touches nothing else of the network's (nothing when the network binds no
 * ports). */
static int bind_port(struct netd_engine *e, const struct netd_network *n,
                     const struct netd_tap_state *s, const char *tap, struct netd_diag *diag)
{
	struct netd_nft_net *x = NULL;
	int ret = netd_tap_nft_build(n, s, &x);

	if (ret < 0)
		netd_diag_set(diag, "%s: building the rules of tap %s: %s", n->name, tap,
		              strerror(-ret));
	else
		ret = netd_nft_apply_port(e->nft, x, tap, diag);
	netd_nft_net_free(x);
	return ret;
}

int netd_tap_ports_bind(struct netd_engine *e, const struct netd_network *n,
                        const struct netd_tap_state *s, const char *const *taps, size_t k,
                        struct netd_diag *diag)
{
	size_t bound = 0;
	int ret = 0;

	while (ret == 0 && bound < k) {
		ret = bind_port(e, n, s, taps[bound], diag);
		if (ret == 0)
			bound++;
	}
	if (ret < 0)
		netd_tap_ports_unbind(e, n, taps, bound, NULL);
	return ret;
}

int netd_tap_ports_unbind(struct netd_engine *e, const struct netd_network *n,
                          const char *const *taps, size_t k, struct netd_diag *diag)
{
	int first = 0;

	for (size_t i = 0; i < k; i++) {
		int ret = netd_nft_remove_port(e->nft, n->name, taps[i], first ? NULL : diag);

		if (ret < 0 && first == 0)
			first = ret;
	}
	return first;
}
