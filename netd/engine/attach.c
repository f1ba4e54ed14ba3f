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
#include "netd/util/wait.h"

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

/* The request checked against the record and what the kernel and dnsmasq have now. */
static int check(struct netd_engine *e, const struct netd_network *n,
                 const struct netd_attach_req *req, const struct netd_tap_state *s,
                 struct netd_tap_want *w, struct netd_diag *diag)
{
	uint8_t random[NETD_TAP_MAC_TRIES * 3];
	struct netd_attach_facts f = {.now = time(NULL), .random = random};
	struct netd_dnsmasq_paths paths;
	struct netd_lease *leases = NULL;
	struct netd_link_info li;
	int ret;

	/* No lease file yet (or unreadable): nothing to avoid but the config and record. */
	if (netd_dnsmasq_paths_init(&paths, e->runtime_dir, e->state_dir, n->name) == 0 &&
	    netd_dnsmasq_leases_read(&paths, &leases, &f.n_leases) < 0)
		f.n_leases = 0;
	f.leases = leases;
	f.name_exists = req->tap[0] && netd_ifname_valid(req->tap) &&
	                netd_nl_link_get(e->nl, req->tap, &li) == 0;
	if (!req->has_mac && getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random)) {
		ret = -errno;
		netd_diag_set(diag, "no free random MAC: %s", strerror(errno));
		goto out;
	}
	ret = netd_attach_check(n, req, s, &f, w, diag);
out:
	free(leases);
	return ret;
}

int netd_engine_attach(struct netd_engine *e, const char *name, const struct netd_attach_req *req,
                       json_object **out, struct netd_diag *diag)
{
	struct netd_tap_state s = {0};
	struct netd_tap_record rec;
	const struct netd_network *n;
	struct netd_tap_want w;
	ssize_t i;
	int ret;

	*out = NULL;
	n = find_up(e, name, diag, &ret);
	if (!n)
		return ret;
	ret = netd_tap_state_load(e->state_dir, n->name, &s, diag);
	if (ret == 0)
		ret = check(e, n, req, &s, &w, diag);
	if (ret == 0)
		ret = netd_tap_make(e, n, &w, &rec, diag);
	if (ret < 0)
		goto out;
	ret = netd_tap_state_add(&s, &rec);
	if (ret == 0)
		ret = netd_tap_state_save(e->state_dir, n->name, &s, diag);
	if (ret == 0 && (rec.addr.s_addr || rec.hostname[0]))
		ret = netd_taps_reload_hosts(e, n, &s, diag);
	if (ret < 0) {
		/* Undo: no tap without its record, no record without its tap. */
		netd_nl_link_delete(e->nl, rec.tap, NULL);
		i = netd_tap_state_find(&s, rec.tap);
		if (i >= 0) {
			netd_tap_state_remove(&s, (size_t)i);
			netd_tap_state_save(e->state_dir, n->name, &s, NULL);
		}
		goto out;
	}
	*out = netd_tap_record_json(n->name, &rec);
out:
	netd_tap_state_clear(&s);
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

/* After the lease: the tap, then the record. */
static int detach_rest(struct netd_engine *e, struct netd_detach *dt, json_object **out,
                       struct netd_diag *diag)
{
	const struct netd_network *n = dt->n;
	int ret = 0;

	if (dt->exists)
		ret = netd_nl_link_delete(e->nl, dt->tap, diag);
	if (ret == 0 && dt->idx >= 0) {
		netd_tap_state_remove(&dt->s, (size_t)dt->idx);
		ret = netd_tap_state_save(e->state_dir, n->name, &dt->s, diag);
		if (ret == 0 && (dt->rec.addr.s_addr || dt->rec.hostname[0]))
			ret = netd_taps_reload_hosts(e, n, &dt->s, diag);
	}
	if (ret == 0)
		*out = detach_json(n, dt->tap, &dt->rec, dt->idx >= 0, dt->released);
	return ret;
}

/*
 * The lease first, then the tap, then the record: a release that fails leaves the tap and
 * its record as they were, so the same detach can be tried again.
 */
int netd_detach_start(struct netd_engine *e, const char *name, const char *tap,
                      struct netd_detach *dt, struct netd_wait *w, json_object **out,
                      struct netd_diag *diag)
{
	const struct netd_network *n = netd_config_find(e->config, name);
	int ret;

	*out = NULL;
	memset(dt, 0, sizeof(*dt));
	dt->idx = -1;
	snprintf(dt->tap, sizeof(dt->tap), "%s", tap);
	if (!n) {
		netd_diag_set(diag, "no network named '%s' in %s", name, e->config_dir);
		return -ENOENT;
	}
	dt->n = n;
	ret = not_declared(n, tap, diag);
	if (ret == 0)
		ret = netd_tap_state_load(e->state_dir, n->name, &dt->s, diag);
	if (ret < 0)
		return ret;
	dt->idx = netd_tap_state_find(&dt->s, tap);
	if (dt->idx >= 0)
		dt->rec = dt->s.v[dt->idx];
	ret = may_detach(e, n, tap, dt->idx >= 0, &dt->exists, diag);
	if (ret == 0 && dt->idx >= 0)
		ret =
		    netd_tap_lease_forget_start(e, n, dt->rec.mac, &dt->lw, &dt->released, w, diag);
	return ret == 0 ? detach_rest(e, dt, out, diag) : ret;
}

int netd_detach_resume(struct netd_engine *e, struct netd_detach *dt, struct netd_wait *w,
                       json_object **out, struct netd_diag *diag)
{
	int ret = netd_tap_lease_forget_resume(dt->n, &dt->lw, &dt->released, w, diag);

	*out = NULL;
	return ret == 0 ? detach_rest(e, dt, out, diag) : ret;
}

void netd_detach_release(struct netd_detach *dt)
{
	netd_tap_state_clear(&dt->s);
}
