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
 * libnl 3.7 does not parse (rtnl_link_get_slave_type() is all it keeps): read by hand. */
static int parse_isolated(struct nlmsghdr *h, void *arg)
{
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1], *br[IFLA_BRPORT_MAX + 1];
	int *out = arg;

	if (h->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !info[IFLA_INFO_SLAVE_KIND] ||
	    strcmp(nla_get_string(info[IFLA_INFO_SLAVE_KIND]), "bridge") != 0 ||
	    !info[IFLA_INFO_SLAVE_DATA] ||
	    nla_parse_nested(br, IFLA_BRPORT_MAX, info[IFLA_INFO_SLAVE_DATA], NULL) < 0)
		return 0;
	*out = br[IFLA_BRPORT_ISOLATED] ? nla_get_u8(br[IFLA_BRPORT_ISOLATED]) != 0 : 0;
	return 0;
}

int netd_nl_port_get_isolated(struct netd_nl *nl, const char *port)
{
	struct nl_msg *msg = NULL;
	int ret, isolated = -EINVAL;

	if (!netd_ifname_valid(port))
		return -ENODEV;
	ret = rtnl_link_build_get_request(0, port, &msg);
	if (ret < 0)
		return netd_nl_errno(nl, ret);
	ret = netd_nl_query_raw(nl, msg, parse_isolated, &isolated);
	return ret < 0 ? ret : isolated;
}
