/*
 * The verb `netdctl attach`: guests' taps on a network that is up, one or many in one request,
 * all or nothing. What netd made is recorded in <state>/<network>.taps (attach_record.c); the
 * record, not the kernel, says which taps are netd's to forget or remove (detach.c). The
 * request's checks are pure (core/attach_check.c); making the taps is attach_tap.c's.
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

/* Random bytes for the guests' MACs: a large request may come back short (a signal). */
static int fill_random(uint8_t *buf, size_t len)
{
	for (size_t got = 0; got < len;) {
		ssize_t r = getrandom(buf + got, len - got, 0);

		if (r < 0 && errno != EINTR)
			return -errno;
		got += r > 0 ? (size_t)r : 0;
	}
	return 0;
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
	ret = fill_random(random, n_random);
	if (ret < 0) {
		netd_diag_set(diag, "no free random MAC: %s", strerror(-ret));
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
		if (recs[i].addr.s_addr || !IN6_IS_ADDR_UNSPECIFIED(&recs[i].addr6) ||
		    recs[i].hostname[0])
			return true;
	return false;
}

/*
 * The taps recorded: the record written once, dnsmasq's hosts file rewritten once (one
 * SIGHUP) when a tap brings a static lease or host name, each port bound to its guest first.
 * On failure both are put back as they were (before), the ports unbound and the taps deleted,
 * all at once: no tap without its record and binding, no record without its tap. names has
 * room for k.
 */
static int record(struct netd_engine *e, const struct netd_network *n,
                  const struct netd_tap_state *before, const struct netd_tap_record *recs, size_t k,
                  const char **names, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	bool hosts = any_hosts_entry(recs, k), bound = false;
	int ret = netd_tap_state_copy(before, &s);

	for (size_t i = 0; i < k; i++)
		names[i] = recs[i].tap;
	for (size_t i = 0; ret == 0 && i < k; i++)
		ret = netd_tap_state_add(&s, &recs[i]);
	if (ret == -ENOMEM)
		netd_diag_set(diag, "%s: recording %zu taps: %s", n->name, k, strerror(ENOMEM));
	/* Bound before anything is recorded or announced: no guest ever has its port unbound. */
	if (ret == 0)
		ret = netd_tap_ports_bind(e, n, &s, names, k, diag);
	bound = ret == 0;
	if (ret == 0)
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
	if (ret == 0 && hosts)
		ret = netd_taps_reload_hosts(e, n, &s, diag);
	if (ret < 0) {
		if (bound)
			netd_tap_ports_unbind(e, n, names, k, NULL);
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
	if (ret == 0) {
		netd_pass_stale(e); /* new links: a pass's snapshot no longer has them all */
		ret = netd_taps_make(e, *net, w, k, recs, diag);
	}
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
