/* Bridge ports: the isolation flag (IFLA_BRPORT_ISOLATED), set and read. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/attr.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

/*
 * What `bridge link set dev P isolated on` sends: RTM_SETLINK, family AF_BRIDGE, the
 * port's index, IFLA_PROTINFO (nested) holding IFLA_BRPORT_ISOLATED. Built by hand: libnl
 * 3.7 has no setter for this flag (rtnl_link_bridge_set_flags knows hairpin, guard,
 * learning, flooding, but not isolated).
 */
int netd_nl_port_set_isolated(struct netd_nl *nl, const char *port, bool isolated,
                              struct netd_diag *diag)
{
	struct nl_msg *msg = NULL;
	struct nlattr *pi;
	int ret, idx;

	idx = netd_nl_ifindex(nl, port);
	if (idx < 0) {
		ret = idx;
		goto out;
	}
	msg = netd_nl_link_msg(RTM_SETLINK, 0, AF_BRIDGE, idx, NULL);
	if (!msg || !(pi = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED)) ||
	    nla_put_u8(msg, IFLA_BRPORT_ISOLATED, isolated) < 0) {
		nlmsg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	nla_nest_end(msg, pi);
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0)
		netd_diag_set(diag, "setting port %s isolated %s: %s", port,
		              isolated ? "on" : "off", strerror(-ret));
	return ret;
}

/* A port's bridge attributes come back in IFLA_LINKINFO as the "bridge" slave data, which
 * netd_nl_link_parse() reads with the rest of the link. */
int netd_nl_port_get_isolated(struct netd_nl *nl, const char *port)
{
	struct netd_link_info li;
	int ret = netd_nl_link_get(nl, port, &li);

	if (ret < 0)
		return ret;
	return li.port_isolated < 0 ? -EINVAL : li.port_isolated;
}
