/*
 * A network's IPv6 on the host (issue 10): its prefix checked against the host's, and the
 * host's address on the bridge. The bridge takes no router advertisements: the host is the
 * router there, and a guest's RA must not configure the host. The forwarding switch is
 * forwarding.c's; the rules are the nft IR's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "netd/config.h"

int netd_engine_check_host6(struct netd_engine *e, const struct netd_network *n,
                            struct netd_diag *diag)
{
	struct netd_host_prefix6 *hp = NULL;
	size_t n_hp = 0;
	int ret;

	if (!n->has_address6)
		return 0;
	ret = netd_nl_host_prefixes6(e->nl, &hp, &n_hp);
	if (ret < 0) {
		netd_diag_set(diag, "%s: listing the host's IPv6 addresses: %s", n->name,
		              strerror(-ret));
		return ret;
	}
	ret = netd_config_check_host6(n, hp, n_hp, diag);
	free(hp);
	return ret;
}

int netd_ipv6_address_has(struct netd_engine *e, const struct netd_network *n)
{
	if (!n->has_address6)
		return 1;
	return netd_nl_addr6_has(e->nl, n->bridge, &n->address6);
}

int netd_ipv6_address_add(struct netd_engine *e, const struct netd_network *n,
                          struct netd_diag *diag)
{
	char key[96];
	int ret;

	if (!n->has_address6 || netd_ipv6_address_has(e, n) == 1)
		return 0;
	snprintf(key, sizeof(key), "net/ipv6/conf/%s/accept_ra", n->bridge);
	ret = netd_sysctl_write(key, "0");
	if (ret < 0) {
		netd_diag_set(diag, "setting %s: %s", key, strerror(-ret));
		return ret;
	}
	return netd_nl_addr6_add(e->nl, n->bridge, &n->address6, diag);
}

void netd_leases6_json(const struct netd_dnsmasq_paths *paths, json_object *arr)
{
	struct netd_lease6 *l = NULL;
	size_t count = 0;

	/* The IPv4 leases of the same file were read a moment ago: a failure here is the
	 * file going away in between, and leaves the list as it is. */
	if (netd_dnsmasq_leases6_read(paths, &l, &count) < 0)
		return;
	for (size_t i = 0; i < count; i++) {
		json_object *o = json_object_new_object();
		char mac[18] = "", ip[INET6_ADDRSTRLEN];

		if (l[i].has_mac)
			netd_mac_format(l[i].mac, mac);
		inet_ntop(AF_INET6, &l[i].addr, ip, sizeof(ip));
		json_object_object_add(o, "mac", json_object_new_string(mac));
		json_object_object_add(o, "address", json_object_new_string(ip));
		json_object_object_add(o, "hostname", json_object_new_string(l[i].hostname));
		json_object_object_add(o, "expiry", json_object_new_int64(l[i].expiry));
		json_object_object_add(o, "duid", json_object_new_string(l[i].duid));
		json_object_array_add(arr, o);
	}
	free(l);
}

void netd_address6_json(const struct netd_network *n, json_object *j)
{
	char buf[64];

	if (n->has_address6)
		json_object_object_add(j, "address6",
		                       json_object_new_string(netd_prefix6_format(
		                           &n->address6, false, buf, sizeof(buf))));
}

void netd_dhcp6_json(const struct netd_network *n, json_object *j)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	json_object *d;

	if (!n->has_dhcp6)
		return;
	d = json_object_new_object();
	inet_ntop(AF_INET6, &n->dhcp6_first, a, sizeof(a));
	inet_ntop(AF_INET6, &n->dhcp6_last, b, sizeof(b));
	json_object_object_add(d, "first", json_object_new_string(a));
	json_object_object_add(d, "last", json_object_new_string(b));
	json_object_object_add(j, "dhcp6", d);
}

int netd_ipv6_forwarding_safe(struct netd_engine *e, struct netd_diag *diag)
{
	char names[16][IFNAMSIZ], key[96], val[16];
	size_t n = 0;
	int ret;

	if (netd_forwarding6_on())
		return 0;
	ret = netd_nl_ra_route_links(e->nl, names, 16, &n);
	if (ret < 0) {
		netd_diag_set(diag, "listing the host's IPv6 routes: %s", strerror(-ret));
		return ret;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "net/ipv6/conf/%.15s/accept_ra", names[i]);
		if (netd_sysctl_read(key, val, sizeof(val)) < 0 || strcmp(val, "1") != 0)
			continue;
		netd_diag_set(diag,
		              "%s has IPv6 routes from router advertisements and accept_ra=1: with "
		              "IPv6 forwarding on, the kernel would stop taking RAs there and the "
		              "host would lose them; set net.ipv6.conf.%s.accept_ra=2 first",
		              names[i], names[i]);
		return -EBUSY;
	}
	return 0;
}

bool netd_same_ipv6(const struct netd_network *a, const struct netd_network *b)
{
	return a->has_address6 == b->has_address6 &&
	       (!a->has_address6 || (a->address6.len == b->address6.len &&
	                             memcmp(&a->address6.addr, &b->address6.addr, 16) == 0));
}
