/*
 * The verb `netdctl detach`: taps attach made, one or many in one request, with their static
 * leases and the guests' leases. The record (attach_record.c), not the kernel, says which taps
 * are netd's to forget, and the alias netd:<network> on a link is checked before it is
 * removed, so a link someone else took the name of is left alone. Every tap of a request is
 * checked before anything is done; the taps go together, as one link group (one RCU barrier
 * in the kernel, not one each); the record and dnsmasq's hosts file are written once. Giving a
 * lease back waits for dnsmasq to drop it: a detach is a job (job.c) that returns -EINPROGRESS
 * then and is resumed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"

/* One tap of a detach: what the record and the kernel say about it, what it gave back. */
struct netd_detach_tap {
	char tap[IFNAMSIZ];
	ssize_t idx; /* in the record as loaded; -1: not recorded */
	struct netd_tap_record rec;
	bool exists;
	struct in_addr released;
};

static json_object *detach_json(const struct netd_network *n, const struct netd_detach_tap *g)
{
	json_object *j = json_object_new_object();
	char buf[INET_ADDRSTRLEN], m[18];

	json_object_object_add(j, "network", json_object_new_string(n->name));
	json_object_object_add(j, "tap", json_object_new_string(g->tap));
	netd_mac_format(g->rec.mac, m);
	json_object_object_add(j, "mac", g->idx >= 0 ? json_object_new_string(m) : NULL);
	json_object_object_add(j, "address",
	                       g->rec.addr.s_addr ? json_object_new_string(inet_ntop(
	                                                AF_INET, &g->rec.addr, buf, sizeof(buf)))
	                                          : NULL);
	json_object_object_add(j, "released",
	                       g->released.s_addr ? json_object_new_string(inet_ntop(
	                                                AF_INET, &g->released, buf, sizeof(buf)))
	                                          : NULL);
	return j;
}

/* A [Tap]'s tap goes with its section or its network, never by detach. */
static int not_declared(const struct netd_network *n, const char *tap, struct netd_diag *diag)
{
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, tap) == 0) {
			netd_diag_set(diag,
			              "tap %s is declared by the [Tap] on line %u of %s: remove "
			              "the section and reload, or take the network down",
			              tap, n->taps[i].line, n->source);
			return -EBUSY;
		}
	return 0;
}

/* A tap detach may remove: netd's (tagged), or at least recorded. */
static int may_detach(struct netd_engine *e, const struct netd_network *n,
                      struct netd_detach_tap *g, struct netd_diag *diag)
{
	char alias[NETD_TAP_ALIAS_MAX];
	struct netd_link_info li;

	netd_tap_alias(n, alias);
	g->exists = netd_nl_link_get(e->nl, g->tap, &li) == 0;
	if (g->exists && strcmp(li.alias, alias) != 0) {
		netd_diag_set(diag,
		              "%s is not a tap of network %s (its alias is '%s', not '%s'); "
		              "netd only removes links it tagged",
		              g->tap, n->name, li.alias, alias);
		return -EPERM;
	}
	if (!g->exists && g->idx < 0) {
		netd_diag_set(diag, "network %s has no tap %s", n->name, g->tap);
		return -ENODEV;
	}
	return 0;
}

/* Every tap of the request, before anything is done: all of them may go, or none does. */
static int check_all(struct netd_engine *e, const struct netd_network *n,
                     const struct netd_tap_state *s, struct netd_detach_tap *g, size_t k,
                     struct netd_diag *diag)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < k; i++) {
		g[i].idx = netd_tap_state_find(s, g[i].tap);
		if (g[i].idx >= 0)
			g[i].rec = s->v[g[i].idx];
		ret = not_declared(n, g[i].tap, diag);
		if (ret == 0)
			ret = may_detach(e, n, &g[i], diag);
	}
	return ret;
}

/* The taps that exist, deleted together. */
static int delete_taps(struct netd_engine *e, const struct netd_detach_tap *g, size_t k,
                       struct netd_diag *diag)
{
	const char **names = calloc(k, sizeof(*names));
	size_t n = 0;
	int ret;

	if (!names) {
		netd_diag_set(diag, "deleting %zu taps: %s", k, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < k; i++)
		if (g[i].exists)
			names[n++] = g[i].tap;
	ret = netd_nl_links_delete(e->nl, names, n, diag);
	free(names);
	return ret;
}

/* The record without the taps that are gone (all of them, unless deleting failed part way),
 * written once; the hosts file rewritten once when a static lease or host name went. */
static int forget(struct netd_engine *e, const struct netd_network *n, struct netd_tap_state *s,
                  const struct netd_detach_tap *g, size_t k, bool all_gone, struct netd_diag *diag)
{
	struct netd_link_info li;
	bool save = false, hosts = false;
	ssize_t idx;
	int ret;

	for (size_t i = 0; i < k; i++) {
		if (g[i].idx < 0 || (!all_gone && netd_nl_link_get(e->nl, g[i].tap, &li) == 0))
			continue;
		idx = netd_tap_state_find(s, g[i].tap);
		if (idx >= 0)
			netd_tap_state_remove(s, (size_t)idx);
		save = true;
		hosts |= g[i].rec.addr.s_addr || !IN6_IS_ADDR_UNSPECIFIED(&g[i].rec.addr6) ||
		         g[i].rec.hostname[0];
	}
	ret = save ? netd_tap_state_save(e->state_dir, n->name, s, diag) : 0;
	if (ret == 0 && hosts)
		ret = netd_taps_reload_hosts(e, n, s, diag);
	return ret;
}

/* Their ports unbound (GuestSourceCheck), or with rebind those of them still there bound
 * again as the record s has them: a tap that stays keeps its guest's binding. */
static int ports(struct netd_engine *e, const struct netd_network *n,
                 const struct netd_tap_state *s, const struct netd_detach_tap *g, size_t k,
                 bool rebind, struct netd_diag *diag)
{
	const char **names = calloc(k ? k : 1, sizeof(*names));
	struct netd_link_info li;
	size_t m = 0;
	int ret;

	if (!names) {
		netd_diag_set(diag, "%s: unbinding %zu ports: %s", n->name, k, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (size_t i = 0; i < k; i++)
		if (!rebind || (g[i].idx >= 0 && netd_nl_link_get(e->nl, g[i].tap, &li) == 0))
			names[m++] = g[i].tap;
	ret = rebind ? netd_tap_ports_bind(e, n, s, names, m, diag)
	             : netd_tap_ports_unbind(e, n, names, m, diag);
	free(names);
	return ret;
}

/* After the leases: the ports' bindings, then the taps, then the record. */
static int detach_rest(struct netd_engine *e, struct netd_detach *dt, struct netd_diag *diag)
{
	const struct netd_network *n = dt->n;
	struct netd_diag why = {{0}};
	int ret, del;

	netd_pass_stale(e); /* links go: a pass's snapshot no longer says what is there */
	ret = ports(e, n, &dt->s, dt->g, dt->k, false, diag);
	if (ret < 0)
		return ret;
	del = delete_taps(e, dt->g, dt->k, &why);
	/* What went is forgotten even when not all of it could go. */
	ret = forget(e, n, &dt->s, dt->g, dt->k, del == 0, diag);
	if (del < 0) {
		ports(e, n, &dt->s, dt->g, dt->k, true, NULL);
		ret = del;
		netd_diag_set(diag, "%s", why.msg);
	}
	return ret;
}

/* The answer: one tap's, or a batch's {"network","taps":[...]}. */
static json_object *answer(const struct netd_detach *dt)
{
	json_object *out, *arr;

	if (!dt->batch)
		return detach_json(dt->n, &dt->g[0]);
	out = json_object_new_object();
	arr = json_object_new_array();
	json_object_object_add(out, "network", json_object_new_string(dt->n->name));
	for (size_t i = 0; i < dt->k; i++)
		json_object_array_add(arr, detach_json(dt->n, &dt->g[i]));
	json_object_object_add(out, "taps", arr);
	return out;
}

/*
 * The leases from tap dt->i on, one after the other, then the rest. A release that fails
 * leaves every tap and the record as they were, so the same detach can be tried again.
 */
static int leases_then_rest(struct netd_engine *e, struct netd_detach *dt, struct netd_wait *w,
                            json_object **out, struct netd_diag *diag)
{
	struct netd_detach_tap *g;
	int ret = 0;

	for (; ret == 0 && dt->i < dt->k; dt->i++) {
		g = &dt->g[dt->i];
		if (g->idx >= 0)
			ret = netd_tap_lease_forget_start(e, dt->n, g->rec.mac, &dt->lw,
			                                  &g->released, w, diag);
		if (ret == -EINPROGRESS)
			return ret;
	}
	if (ret == 0)
		ret = detach_rest(e, dt, diag);
	if (ret == 0)
		*out = answer(dt);
	return ret;
}

int netd_detach_start(struct netd_engine *e, const char *name, const char *const *taps, size_t k,
                      bool batch, struct netd_detach *dt, struct netd_wait *w, json_object **out,
                      struct netd_diag *diag)
{
	int ret;

	*out = NULL;
	memset(dt, 0, sizeof(*dt));
	dt->batch = batch;
	dt->n = netd_config_find(e->config, name);
	if (!dt->n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		return -ENOENT;
	}
	dt->g = calloc(k ? k : 1, sizeof(*dt->g));
	if (!dt->g) {
		netd_diag_set(diag, "detach %s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	dt->k = k;
	for (size_t i = 0; i < k; i++) {
		snprintf(dt->g[i].tap, sizeof(dt->g[i].tap), "%s", taps[i]);
		dt->g[i].idx = -1;
	}
	ret = netd_tap_state_load(e->state_dir, dt->n->name, &dt->s, diag);
	if (ret == 0)
		ret = check_all(e, dt->n, &dt->s, dt->g, k, diag);
	return ret == 0 ? leases_then_rest(e, dt, w, out, diag) : ret;
}

int netd_detach_resume(struct netd_engine *e, struct netd_detach *dt, struct netd_wait *w,
                       json_object **out, struct netd_diag *diag)
{
	struct netd_detach_tap *g = &dt->g[dt->i];
	int ret = netd_tap_lease_forget_resume(dt->n, &dt->lw, &g->released, w, diag);

	*out = NULL;
	if (ret < 0)
		return ret;
	dt->i++;
	return leases_then_rest(e, dt, w, out, diag);
}

void netd_detach_release(struct netd_detach *dt)
{
	netd_tap_state_clear(&dt->s);
	free(dt->g);
	dt->g = NULL;
}
