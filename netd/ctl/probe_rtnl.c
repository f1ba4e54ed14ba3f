/*
 * Every rtnetlink request the probe makes, raw over libmnl: one request, one ack. The VM's
 * veth (created with its peer placed straight into the child's namespace by pid), links up
 * and down, the VM's address and default route, and the host's route lookup that keeps the
 * host's probe on the network's bridge. netdctl links core only, so this is not the kernel
 * layer's netlink code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/types.h>

#include "probe_ns_priv.h"

static int nl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	ssize_t n;
	int ret;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = seq = (unsigned int)netd_probe_now_ms();
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (ret > 0);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

int netd_probe_rtnl_veth_create(const char *host, int master, pid_t pid, const uint8_t mac[6])
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh), *peer;
	struct nlattr *info, *data, *nest;

	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	peer = mnl_nlmsg_put_extra_header(nlh, sizeof(*peer));
	peer->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, NETD_PROBE_VM_IFNAME);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_PID, (uint32_t)pid);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_talk(nlh, NULL, NULL);
}

int netd_probe_rtnl_link_delete(const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, 0);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nlh, NULL, NULL);
}

int netd_probe_rtnl_link_up(int index)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return nl_talk(nlh, NULL, NULL);
}

/* RTM_NEWADDR of addr (alen bytes, of family) / plen on index, into buf. */
static struct nlmsghdr *addr_msg(char *buf, int family, const void *addr, size_t alen, uint8_t plen,
                                 int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)index;
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
	return nlh;
}

int netd_probe_rtnl_addr_add(int index, struct in_addr addr, uint8_t plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = addr_msg(buf, AF_INET, &addr.s_addr, 4, plen, index);
	uint32_t bcast = plen < 31 ? addr.s_addr | htonl(0xffffffffu >> plen) : 0;

	if (bcast)
		mnl_attr_put(nlh, IFA_BROADCAST, 4, &bcast);
	return nl_talk(nlh, NULL, NULL);
}

int netd_probe_rtnl_addr6_add(int index, const struct in6_addr *addr, uint8_t plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return nl_talk(addr_msg(buf, AF_INET6, addr, 16, plen, index), NULL, NULL);
}

static int default_route(int index, int family, const void *gw, size_t gw_len, uint16_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, gw_len, gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	return nl_talk(nlh, NULL, NULL);
}

int netd_probe_rtnl_default_route_add(int index, struct in_addr gw)
{
	return default_route(index, AF_INET, &gw.s_addr, 4, NLM_F_REPLACE);
}

int netd_probe_rtnl_default_route6_add(int index, const struct in6_addr *gw)
{
	/* NLM_F_EXCL: the RA's own default route, when it gave one, stays as it is. */
	int ret = default_route(index, AF_INET6, gw, sizeof(*gw), NLM_F_EXCL);

	return ret == -EEXIST ? 0 : ret;
}

/* --- the VM's SLAAC address: RTM_GETADDR, a global one whose DAD is done --- */

struct addr6_found {
	int index;
	bool found;
	struct in6_addr addr;
	uint8_t plen;
};

static int addr6_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int addr6_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[IFA_MAX + 1] = {0};
	struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr6_found *f = data;
	uint32_t flags;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET6 ||
	    (int)ifa->ifa_index != f->index || ifa->ifa_scope != RT_SCOPE_UNIVERSE || f->found)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), addr6_attr_cb, tb);
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if ((flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) || !tb[IFA_ADDRESS] ||
	    mnl_attr_get_payload_len(tb[IFA_ADDRESS]) != sizeof(f->addr))
		return MNL_CB_OK;
	memcpy(&f->addr, mnl_attr_get_payload(tb[IFA_ADDRESS]), sizeof(f->addr));
	f->plen = ifa->ifa_prefixlen;
	f->found = true;
	return MNL_CB_OK;
}

int netd_probe_rtnl_addr6_global(int index, struct in6_addr *addr, uint8_t *plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr6_found f = {.index = index};
	struct ifaddrmsg *ifa;
	int ret;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	ret = nl_talk(nlh, addr6_cb, &f);
	if (ret)
		return ret;
	if (!f.found)
		return -ENOENT;
	*addr = f.addr;
	*plen = f.plen;
	return 0;
}

/* --- the host's route to an address: RTM_GETROUTE, the answer's RTA_OIF --- */

struct route_oif {
	int oif;
};

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_oif *r = data;

	if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		r->oif = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWROUTE)
		mnl_attr_parse(nlh, sizeof(struct rtmsg), route_attr_cb, data);
	return MNL_CB_OK;
}

int netd_probe_route_oif(struct in_addr dst, int *ifindex)
{
	struct netd_probe_addr a = {.family = AF_INET, .v4 = dst};

	return netd_probe_route_oif_addr(&a, ifindex);
}

int netd_probe_route_oif_addr(const struct netd_probe_addr *dst, int *ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_oif r = {0};
	struct rtmsg *rtm;
	bool v6 = dst->family == AF_INET6;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)dst->family;
	rtm->rtm_dst_len = v6 ? 128 : 32;
	if (v6)
		mnl_attr_put(nlh, RTA_DST, sizeof(dst->v6), &dst->v6);
	else
		mnl_attr_put(nlh, RTA_DST, 4, &dst->v4.s_addr);
	ret = nl_talk(nlh, route_cb, &r);
	if (ret)
		return ret;
	*ifindex = r.oif;
	return r.oif ? 0 : -ENETUNREACH;
}

/* --- one link's master and VXLAN id: RTM_GETLINK by name (the other host's VXLAN port) --- */

static int link_info_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= IFLA_INFO_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int link_vxlan_cb(const struct nlattr *a, void *data)
{
	struct netd_probe_link_facts *f = data;

	if (mnl_attr_get_type(a) == IFLA_VXLAN_ID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		f->vni = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct netd_probe_link_facts *f = data;
	const struct nlattr *info[IFLA_INFO_MAX + 1] = {0};

	if (mnl_attr_get_type(a) == IFLA_MASTER && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		f->master = (int)mnl_attr_get_u32(a);
	if (mnl_attr_get_type(a) != IFLA_LINKINFO)
		return MNL_CB_OK;
	mnl_attr_parse_nested(a, link_info_cb, info);
	f->vxlan = info[IFLA_INFO_KIND] &&
	           mnl_attr_validate(info[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0 &&
	           strcmp(mnl_attr_get_str(info[IFLA_INFO_KIND]), "vxlan") == 0;
	if (f->vxlan && info[IFLA_INFO_DATA])
		mnl_attr_parse_nested(info[IFLA_INFO_DATA], link_vxlan_cb, f);
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWLINK)
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr_cb, data);
	return MNL_CB_OK;
}

int netd_probe_rtnl_link_facts(const char *name, struct netd_probe_link_facts *f)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);

	memset(f, 0, sizeof(*f));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nlh, link_cb, f);
}
