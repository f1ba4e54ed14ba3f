/* Bridges: created with netd's alias and, for modes that want it, without any IPv6. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/route/link/bridge.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

static int ipv6_off(const char *name)
{
	static const char *const keys[][2] = {
	    {"addr_gen_mode", "1"}, /* IN6_ADDR_GEN_MODE_NONE: no link-local on up */
	    {"disable_ipv6", "1"},
	    {"accept_ra", "0"},
	};
	char key[128];
	int ret;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", name, keys[i][0]);
		ret = netd_sysctl_write(key, keys[i][1]);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int bridge_add(struct netd_nl *nl, const char *name)
{
	struct rtnl_link *link = rtnl_link_bridge_alloc();
	struct nl_msg *msg = NULL;
	int ret;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	/* EXCL: a link already under the name is -EEXIST, never adopted. */
	ret = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);
	ret = ret < 0 ? netd_nl_errno(nl, ret) : netd_nl_request(nl, msg);
	rtnl_link_put(link);
	return ret;
}

int netd_nl_bridge_create(struct netd_nl *nl, const char *name, const char *alias, bool no_ipv6,
                          struct netd_diag *diag)
{
	struct stat st;
	int ret;

	if (!netd_ifname_valid(name)) {
		netd_diag_set(diag, "creating bridge %s: invalid interface name", name);
		return -EINVAL;
	}
	ret = bridge_add(nl, name);
	if (ret < 0) {
		netd_diag_set(diag, "creating bridge %s: %s", name, strerror(-ret));
		return ret;
	}
	if (alias && *alias) {
		/* The kernel ignores IFLA_IFALIAS in a create request. */
		ret = netd_nl_link_set_alias(nl, name, alias);
		if (ret < 0) {
			netd_diag_set(diag, "setting alias of bridge %s: %s", name, strerror(-ret));
			goto out;
		}
	}

	/* addr_gen_mode none is refused in the create request itself (EAFNOSUPPORT: the
	 * inet6 device does not exist yet), so it goes in with the sysctls, while the bridge
	 * is still down and has no link-local address. No IPv6 in the kernel: nothing leaks. */
	if (no_ipv6 && stat("/proc/sys/net/ipv6", &st) == 0) {
		ret = ipv6_off(name);
		if (ret < 0) {
			netd_diag_set(diag, "disabling IPv6 on bridge %s: %s", name,
			              strerror(-ret));
			goto out;
		}
	}
out:
	if (ret < 0)
		netd_nl_link_delete(nl, name, NULL);
	return ret;
}
