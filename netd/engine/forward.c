/*
 * Port forwards on the engine's side (include/netd/forward.h): the bridge's route_localnet,
 * which a forward from 127.0.0.1 (HostAddress=127.0.0.1) needs. The rules themselves are the
 * network's nft batch (netd/core/nft_forward.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine_priv.h"

/*
 * net.ipv4.conf.<bridge>.route_localnet: 1 while a forward of the network takes connections
 * to 127.0.0.1 (the kernel routes nothing from or to 127/8 through an interface without it,
 * so the DNATed packet and the guest's answer would be dropped as martians), else back to
 * what a new interface gets (net.ipv4.conf.default), which the bridge had when netd made it.
 */
int netd_forward_localnet(const struct netd_network *n, const struct netd_desired *d,
                          struct netd_diag *diag)
{
	char key[80], have[16] = "", want[16] = "1";
	int ret;

	if (!d->nft)
		return 0;
	if (!d->nft->route_localnet &&
	    netd_sysctl_read("net/ipv4/conf/default/route_localnet", want, sizeof(want)) < 0)
		snprintf(want, sizeof(want), "0");
	snprintf(key, sizeof(key), "net/ipv4/conf/%s/route_localnet", n->bridge);
	ret = netd_sysctl_read(key, have, sizeof(have));
	if (ret == -ENOENT)
		return 0; /* no bridge (yet): set when it is made and the rules are applied */
	if (ret == 0 && strcmp(have, want) == 0)
		return 0;
	ret = netd_sysctl_write(key, want);
	if (ret < 0)
		netd_diag_set(diag, "setting %s to %s: %s", key, want, strerror(-ret));
	return ret;
}
