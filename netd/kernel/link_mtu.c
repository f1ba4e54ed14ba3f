/* A link's MTU: [Network] MTU= on the bridge and its ports, a bond's slaves given back. */
#include <errno.h>
#include <string.h>

#include <netlink/route/link.h>

#include "nl_priv.h"

int netd_nl_link_set_mtu(struct netd_nl *nl, const char *name, unsigned mtu, struct netd_diag *diag)
{
	struct rtnl_link *link = NULL;
	int ret;

	ret = netd_nl_link_named(name, &link);
	if (ret == 0) {
		rtnl_link_set_mtu(link, mtu);
		ret = netd_nl_link_change(nl, link);
	}
	/* EINVAL from the kernel: above what the device (or, for a bridge, a port) takes. */
	if (ret < 0)
		netd_diag_set(diag, "setting MTU of %s to %u: %s", name, mtu, strerror(-ret));
	rtnl_link_put(link);
	return ret;
}
