/*
 * `netdctl attach`: the request checked against the network's config, its record of taps and
 * what the engine found (leases, whether the name is taken), before anything is made. Pure.
 * The checks run in a fixed order so a request with several faults always hears the same one.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "netd/control.h"
#include "netd/tap.h"

static int check_name(const struct netd_network *n, const struct netd_attach_req *req, bool exists,
                      struct netd_diag *diag)
{
	if (!req->tap[0])
		return 0;
	if (!netd_ifname_valid(req->tap)) {
		netd_diag_set(diag, "invalid tap name '%s'", req->tap);
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n_taps; i++)
		if (strcmp(n->taps[i].name, req->tap) == 0) {
			netd_diag_set(diag, "tap %s is declared by the [Tap] on line %u of %s",
			              req->tap, n->taps[i].line, n->source);
			return -EEXIST;
		}
	if (exists) {
		netd_diag_set(diag,
		              "a link named %s exists already; choose another --tap "
		              "or leave it out (netd picks vnetN)",
		              req->tap);
		return -EEXIST;
	}
	return 0;
}

/* The guest's MAC: the one asked for, if valid and free, or a random free one. */
static int check_mac(const struct netd_network *n, const struct netd_attach_req *req,
                     const struct netd_tap_state *s, const struct netd_attach_facts *f,
                     uint8_t mac[6], struct netd_diag *diag)
{
	char who[160], m[18];
	int ret;

	if (!req->has_mac) {
		ret = netd_tap_pick_mac(n, s, f->leases, f->n_leases, f->random, NETD_TAP_MAC_TRIES,
		                        mac);
		if (ret < 0)
			netd_diag_set(diag, "no free random MAC: %s", strerror(-ret));
		return ret;
	}
	netd_mac_format(req->mac, m);
	if (!netd_tap_guest_mac_valid(req->mac)) {
		netd_diag_set(diag,
		              "MAC %s: a guest needs a unicast MAC, not zero, whose "
		              "first byte is not fe (the host side's)",
		              m);
		return -EINVAL;
	}
	/* A [Host] may hold this guest's static lease: fine, unless we give another. */
	if (netd_tap_mac_taken(n, s, NULL, 0, req->mac, req->has_addr, who, sizeof(who))) {
		netd_diag_set(diag, "MAC %s is already %s's on network %s", m, who, n->name);
		return -EEXIST;
	}
	memcpy(mac, req->mac, 6);
	return 0;
}

static int check_hostname(const struct netd_network *n, const char *name,
                          const struct netd_tap_state *s, struct netd_diag *diag)
{
	if (!name[0])
		return 0;
	if (!n->has_dhcp) {
		netd_diag_set(diag, "%s serves no DHCP: a host name needs its [DHCP] section",
		              n->name);
		return -EINVAL;
	}
	if (!netd_hostname_valid(name)) {
		netd_diag_set(diag, "invalid host name '%s': letters, digits and '-'", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < n->n_hosts; i++)
		if (strcasecmp(n->hosts[i].name, name) == 0) {
			netd_diag_set(diag, "host name %s is the [Host]'s on line %u", name,
			              n->hosts[i].line);
			return -EEXIST;
		}
	for (size_t i = 0; i < s->n; i++)
		if (strcasecmp(s->v[i].hostname, name) == 0) {
			netd_diag_set(diag, "host name %s is tap %s's already", name, s->v[i].tap);
			return -EEXIST;
		}
	return 0;
}

int netd_attach_check(const struct netd_network *n, const struct netd_attach_req *req,
                      const struct netd_tap_state *s, const struct netd_attach_facts *f,
                      struct netd_tap_want *w, struct netd_diag *diag)
{
	int ret;

	ret = check_name(n, req, f->name_exists, diag);
	if (ret < 0)
		return ret;
	if (req->queues > NETD_TAP_QUEUES_MAX) {
		netd_diag_set(diag, "--queues %u: at most %d", req->queues, NETD_TAP_QUEUES_MAX);
		return -EINVAL;
	}
	memset(w, 0, sizeof(*w));
	w->name = req->tap;
	w->queues = req->queues ? req->queues : 1;
	w->owner = req->owner;
	w->group = req->group;
	w->hostname = req->hostname;
	w->addr = req->has_addr ? req->addr : (struct in_addr){0};
	ret = check_mac(n, req, s, f, w->mac, diag);
	if (ret < 0)
		return ret;
	if (req->has_addr) {
		ret = netd_tap_address_check(n, s, f->leases, f->n_leases, w->mac, req->addr,
		                             f->now, diag);
		if (ret < 0)
			return ret;
	}
	return check_hostname(n, req->hostname, s, diag);
}
