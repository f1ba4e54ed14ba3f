/*
 * A network's IPv6 on the host (issue 10): its prefix checked against the host's, and the
 * host's address on the bridge. The bridge takes no router advertisements: the host is the
 * router there, and a guest's RA must not configure the host. The forwarding switch is
 * forwarding.c's; the rules are the nft IR's.
 */
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
