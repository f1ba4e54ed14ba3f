/*
 * The verbs `netdctl attach` and `detach`: a guest's tap on a network that is up, and its
 * removal. What netd made is recorded in <state>/<network>.taps (attach_record.c); the record,
 * not the kernel, says which taps are netd's to forget or remove, and the alias netd:<network>
 * on the link is checked before any removal, so a link someone else took the name of is left
 * alone. The request's checks are pure (core/attach_check.c); making the tap is
 * attach_tap.c's, the lease attach_lease.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "engine_priv.h"
#include "netd/control.h"

static const struct netd_network *find_up(struct netd_engine *e, const char *name,
                                          struct netd_diag *diag, int *err)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	struct netd_link_info li;

	if (!n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		*err = -ENOENT;
		return NULL;
	}
	if (!netd_tap_link_is_ours(e, n, n->bridge, &li) || strcmp(li.kind, "bridge") != 0) {
		netd_diag_set(diag, "network %s is not up (no bridge %s): run netdctl up %s first",
		              name, n->bridge, name);
		*err = -ENETDOWN;
		return NULL;
	}
	return n;
}

/* The requests checked against the record and what the kernel and dnsmasq have now. */
static int check(struct netd_engine *e, const struct netd_network *n,
                 const struct netd_attach_req *reqs, size_t k, const struct netd_tap_state *s,
                 struct netd_tap_want *w, struct netd_diag *diag)
{
	size_t n_random = k * NETD_TAP_MAC_TRIES * 3;
	uint8_t *random = malloc(n_random);
	bool *exists = calloc(k, sizeof(*exists));
	struct netd_attach_facts f = {.now = time(NULL), .random = random};
	struct netd_dnsmasq_paths paths;
	struct netd_lease *leases = NULL;
	struct netd_link_info li;
	int ret = -ENOMEM;

	if (!random || !exists)
		goto out;
	/* No lease file yet (or unreadable): nothing to avoid but the config and record. */
	if (netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name) == 0 &&
	    netd_dnsmasq_leases_read(&paths, &leases, &f.n_leases) < 0)
		f.n_leases = 0;
	f.leases = leases;
	/* A template ("vm%d") names no link: the kernel picks a free number for it. */
	for (size_t i = 0; i < k; i++)
		exists[i] = reqs[i].tap[0] && !strchr(reqs[i].tap, '%') &&
		            netd_ifname_valid(reqs[i].tap) &&
		            netd_nl_link_get(e->nl, reqs[i].tap, &li) == 0;
	if (getrandom(random, n_random, 0) != (ssize_t)n_random) {
		ret = -errno;
		netd_diag_set(diag, "no free random MAC: %s", strerror(errno));
		goto out;
	}
	ret = netd_attach_check_batch(n, reqs, exists, k, s, &f, w, diag);
out:
	if (ret == -ENOMEM && !diag->msg[0])
		netd_diag_set(diag, "%s: checking %zu taps: %s", n->name, k, strerror(ENOMEM));
	free(leases);
	free(random);
	free(exists);
	return ret;
}

static bool any_hosts_entry(const struct netd_tap_record *recs, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (recs[i].addr.s_addr || recs[i].hostname[0])
			return true;
	return false;
}

/*
 * The taps recorded: the record written once, dnsmasq's hosts file rewritten once (one
 * SIGHUP) when a tap brings a static lease or host name. On failure both are put back as
 * they were (before) and the taps deleted, all at once: no tap without its record, no record
 * without its tap. names has room for k.
 */
static int record(struct netd_engine *e, const struct netd_network *n,
                  const struct netd_tap_state *before, const struct netd_tap_record *recs, size_t k,
                  const char **names, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	bool hosts = any_hosts_entry(recs, k);
	int ret = netd_tap_state_copy(before, &s);

	for (size_t i = 0; ret == 0 && i < k; i++)
		ret = netd_tap_state_add(&s, &recs[i]);
	if (ret == -ENOMEM)
		netd_diag_set(diag, "%s: recording %zu taps: %s", n->name, k, strerror(ENOMEM));
	if (ret == 0)
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
	if (ret == 0 && hosts)
		ret = netd_taps_reload_hosts(e, n, &s, diag);
	if (ret < 0) {
		for (size_t i = 0; i < k; i++)
			names[i] = recs[i].tap;
		netd_nl_links_delete(e->nl, names, k, NULL);
		netd_tap_state_save(e->state_dir, n->name, before, NULL);
		if (hosts)
			netd_taps_reload_hosts(e, n, before, NULL);
	}
	netd_tap_state_clear(&s);
	return ret;
}

/* attach of k taps, all or nothing; recs gets them. */
static int attach(struct netd_engine *e, const char *name, const struct netd_attach_req *reqs,
                  size_t k, const struct netd_network **net, struct netd_tap_record *recs,
                  struct netd_diag *diag)
{
	struct netd_tap_want *w = calloc(k, sizeof(*w));
	const char **names = calloc(k, sizeof(*names));
	struct netd_tap_state s = {0};
	int ret;

	*net = find_up(e, name, diag, &ret);
	if (!*net)
		goto out;
	if (!w || !names) {
		ret = -ENOMEM;
		netd_diag_set(diag, "attach %s: %s", name, strerror(ENOMEM));
		goto out;
	}
	ret = netd_tap_state_load(e->state_dir, (*net)->name, &s, diag);
	if (ret == 0)
		ret = check(e, *net, reqs, k, &s, w, diag);
	if (ret == 0)
		ret = netd_taps_make(e, *net, w, k, recs, diag);
	if (ret == 0)
		ret = record(e, *net, &s, recs, k, names, diag);
out:
	netd_tap_state_clear(&s);
	free(w);
	free(names);
	return ret;
}

int netd_engine_attach(struct netd_engine *e, const char *name, const struct netd_attach_req *req,
                       json_object **out, struct netd_diag *diag)
{
	const struct netd_network *n = NULL;
	struct netd_tap_record rec;
	int ret;

	*out = NULL;
	ret = attach(e, name, req, 1, &n, &rec, diag);
	if (ret == 0)
		*out = netd_tap_record_json(n->name, &rec);
	return ret;
}

int netd_engine_attach_batch(struct netd_engine *e, const char *name,
                             const struct netd_attach_req *reqs, size_t k, json_object **out,
                             struct netd_diag *diag)
{
	struct netd_tap_record *recs = calloc(k ? k : 1, sizeof(*recs));
	const struct netd_network *n = NULL;
	json_object *taps;
	int ret = -ENOMEM;

	*out = NULL;
	if (!recs) {
		netd_diag_set(diag, "attach %s: %s", name, strerror(ENOMEM));
		return ret;
	}
	ret = attach(e, name, reqs, k, &n, recs, diag);
	if (ret < 0)
		goto out;
	*out = json_object_new_object();
	taps = json_object_new_array();
	json_object_object_add(*out, "network", json_object_new_string(n->name));
	for (size_t i = 0; i < k; i++)
		json_object_array_add(taps, netd_tap_record_json(n->name, &recs[i]));
	json_object_object_add(*out, "taps", taps);
out:
	free(recs);
	return ret;
}

static json_object *detach_json(const struct netd_network *n, const char *tap,
                                const struct netd_tap_record *rec, bool known,
                                struct in_addr released)
{
	json_object *j = json_object_new_object();
	char buf[INET_ADDRSTRLEN], m[18];

	json_object_object_add(j, "network", json_object_new_string(n->name));
	json_object_object_add(j, "tap", json_object_new_string(tap));
	netd_mac_format(rec->mac, m);
	json_object_object_add(j, "mac", known ? json_object_new_string(m) : NULL);
	json_object_object_add(j, "address",
	                       rec->addr.s_addr ? json_object_new_string(inet_ntop(
	                                              AF_INET, &rec->addr, buf, sizeof(buf)))
	                                        : NULL);
	json_object_object_add(j, "released",
	                       released.s_addr ? json_object_new_string(inet_ntop(
	                                             AF_INET, &released, buf, sizeof(buf)))
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
static int may_detach(struct netd_engine *e, const struct netd_network *n, const char *tap,
                      bool known, bool *exists, struct netd_diag *diag)
{
	char alias[NETD_TAP_ALIAS_MAX];
	struct netd_link_info li;

	netd_tap_alias(n, alias);
	*exists = netd_nl_link_get(e->nl, tap, &li) == 0;
	if (*exists && strcmp(li.alias, alias) != 0) {
		netd_diag_set(diag,
		              "%s is not a tap of network %s (its alias is '%s', not '%s'); "
		              "netd only removes links it tagged",
		              tap, n->name, li.alias, alias);
		return -EPERM;
	}
	if (!*exists && !known) {
		netd_diag_set(diag, "network %s has no tap %s", n->name, tap);
		return -ENODEV;
	}
	return 0;
}

/*
 * The lease first, then the tap, then the record: a release that fails leaves the tap and
 * its record as they were, so the same detach can be tried again.
 */
int netd_engine_detach(struct netd_engine *e, const char *name, const char *tap, json_object **out,
                       struct netd_diag *diag)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	struct netd_tap_state s = {0};
	struct netd_tap_record rec = {0};
	struct in_addr released = {0};
	bool exists = false;
	ssize_t idx;
	int ret;

	*out = NULL;
	if (!n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		return -ENOENT;
	}
	ret = not_declared(n, tap, diag);
	if (ret == 0)
		ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret < 0)
		return ret;
	idx = netd_tap_state_find(&s, tap);
	if (idx >= 0)
		rec = s.v[idx];
	ret = may_detach(e, n, tap, idx >= 0, &exists, diag);
	if (ret == 0 && idx >= 0)
		ret = netd_tap_lease_forget(e, n, rec.mac, &released, diag);
	if (ret == 0 && exists)
		ret = netd_nl_link_delete(e->nl, tap, diag);
	if (ret == 0 && idx >= 0) {
		netd_tap_state_remove(&s, (size_t)idx);
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
		if (ret == 0 && (rec.addr.s_addr || rec.hostname[0]))
			ret = netd_taps_reload_hosts(e, n, &s, diag);
	}
	if (ret == 0)
		*out = detach_json(n, tap, &rec, idx >= 0, released);
	netd_tap_state_clear(&s);
	return ret;
}
