/*
 * `netdctl attach`: the request checked against the network's config, its record of taps and
 * what the engine found (leases, whether the name is taken), before anything is made. Pure.
 * The checks run in a fixed order so a request with several faults always hears the same one;
 * a request of several taps is checked tap by tap, in its order, each against the taps before
 * it as well.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
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
	if (netd_tap_mac_taken(n, s, NULL, 0, req->mac, req->has_addr || req->has_addr6, who,
	                       sizeof(who))) {
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
	w->addr6 = req->has_addr6 ? req->addr6 : in6addr_any;
	ret = check_mac(n, req, s, f, w->mac, diag);
	if (ret < 0)
		return ret;
	if (req->has_addr6) {
		ret = netd_tap_address6_check(n, s, w->mac, &req->addr6, diag);
		if (ret < 0)
			return ret;
	}
	if (req->has_addr) {
		ret = netd_tap_address_check(n, s, f->leases, f->n_leases, w->mac, req->addr,
		                             f->now, diag);
		if (ret < 0)
			return ret;
	}
	return check_hostname(n, req->hostname, s, diag);
}

/* What two taps of one request cannot share: a name (a template may be shared: the kernel
 * numbers each), a MAC, a static address, a host name. */
static int within_request(const struct netd_attach_req *reqs, const struct netd_tap_want *w,
                          size_t i, struct netd_diag *diag)
{
	const struct netd_attach_req *r = &reqs[i];
	char text[INET6_ADDRSTRLEN];

	for (size_t j = 0; j < i; j++) {
		const struct netd_attach_req *o = &reqs[j];

		if (r->tap[0] && !strchr(r->tap, '%') && strcmp(r->tap, o->tap) == 0) {
			netd_diag_set(diag, "tap name %s is also taps[%zu]'s", r->tap, j);
			return -EEXIST;
		}
		if (r->has_mac && memcmp(r->mac, w[j].mac, 6) == 0) {
			netd_mac_format(r->mac, text);
			netd_diag_set(diag, "MAC %s is also taps[%zu]'s", text, j);
			return -EEXIST;
		}
		if (r->has_addr && o->has_addr && r->addr.s_addr == o->addr.s_addr) {
			inet_ntop(AF_INET, &r->addr, text, sizeof(text));
			netd_diag_set(diag, "address %s is also taps[%zu]'s", text, j);
			return -EADDRINUSE;
		}
		if (r->has_addr6 && o->has_addr6 && memcmp(&r->addr6, &o->addr6, 16) == 0) {
			inet_ntop(AF_INET6, &r->addr6, text, sizeof(text));
			netd_diag_set(diag, "address %s is also taps[%zu]'s", text, j);
			return -EADDRINUSE;
		}
		if (r->hostname[0] && strcasecmp(r->hostname, o->hostname) == 0) {
			netd_diag_set(diag, "host name %s is also taps[%zu]'s", r->hostname, j);
			return -EEXIST;
		}
	}
	return 0;
}

/* The tap of w as the record will hold it, so the taps after it in the request avoid its MAC
 * (a random one included), address and host name. */
static int pending(struct netd_tap_state *all, const struct netd_attach_req *req,
                   const struct netd_tap_want *w)
{
	struct netd_tap_record r;

	memset(&r, 0, sizeof(r));
	snprintf(r.tap, sizeof(r.tap), "%s", req->tap);
	memcpy(r.mac, w->mac, 6);
	r.addr = w->addr;
	r.addr6 = w->addr6;
	snprintf(r.hostname, sizeof(r.hostname), "%s", w->hostname ? w->hostname : "");
	return netd_tap_state_add(all, &r);
}

int netd_attach_check_batch(const struct netd_network *n, const struct netd_attach_req *reqs,
                            const bool *names_exist, size_t k, const struct netd_tap_state *s,
                            const struct netd_attach_facts *f, struct netd_tap_want *w,
                            struct netd_diag *diag)
{
	struct netd_attach_facts one = *f;
	struct netd_tap_state all = {0};
	struct netd_diag why = {{0}};
	int ret = netd_tap_state_copy(s, &all);

	for (size_t i = 0; ret == 0 && i < k; i++) {
		one.name_exists = names_exist && names_exist[i];
		one.random = f->random + i * NETD_TAP_MAC_TRIES * 3;
		ret = within_request(reqs, w, i, &why);
		if (ret == 0)
			ret = netd_attach_check(n, &reqs[i], &all, &one, &w[i], &why);
		if (ret == 0)
			ret = pending(&all, &reqs[i], &w[i]);
		/* A request of one tap hears what a single attach always said. */
		if (ret < 0 && k > 1)
			netd_diag_set(diag, "taps[%zu]: %s", i,
			              why.msg[0] ? why.msg : strerror(-ret));
		else if (ret < 0)
			netd_diag_set(diag, "%s", why.msg[0] ? why.msg : strerror(-ret));
	}
	netd_tap_state_clear(&all);
	return ret;
}
