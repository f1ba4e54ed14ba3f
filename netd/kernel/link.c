/*
 * Links over rtnetlink: lookups, bridges, up/down, master, MAC, bridge port isolation.
 * Requests are built by hand on a libnl socket: every read is a fresh kernel query (no
 * cache to go stale between a change and the check that follows it), and the kernel's
 * own errno reaches the caller.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>

#include "netd/kernel/netlink.h"
#include "nl_priv.h"

static int on_kernel_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct netd_nl *nl = arg;

	nl->kernel_errno = -e->error;
	return NL_STOP;
}

int netd_nl_open(struct netd_nl **out)
{
	struct netd_nl *nl;
	int ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ret = -ENOMEM;
		goto out;
	}
	ret = nl_connect(nl->sk, NETLINK_ROUTE);
	if (ret < 0) {
		ret = netd_nl_errno(nl, ret);
		goto out;
	}
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_kernel_error, nl);
	*out = nl;
	return 0;
out:
	netd_nl_close(nl);
	return ret;
}

void netd_nl_close(struct netd_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int netd_nl_errno(struct netd_nl *nl, int nlerr)
{
	static const int map[][2] = {
	    {NLE_INTR, EINTR},           {NLE_BAD_SOCK, EBADF},
	    {NLE_AGAIN, EAGAIN},         {NLE_NOMEM, ENOMEM},
	    {NLE_EXIST, EEXIST},         {NLE_INVAL, EINVAL},
	    {NLE_RANGE, ERANGE},         {NLE_MSGSIZE, EMSGSIZE},
	    {NLE_OPNOTSUPP, EOPNOTSUPP}, {NLE_AF_NOSUPPORT, EAFNOSUPPORT},
	    {NLE_OBJ_NOTFOUND, ENOENT},  {NLE_NOADDR, EADDRNOTAVAIL},
	    {NLE_BUSY, EBUSY},           {NLE_PROTO_MISMATCH, EPROTONOSUPPORT},
	    {NLE_NOACCESS, EACCES},      {NLE_PERM, EPERM},
	    {NLE_NODEV, ENODEV},         {NLE_DUMP_INTR, EINTR},
	    {NLE_MSG_TRUNC, EMSGSIZE},   {NLE_SEQ_MISMATCH, EPROTO},
	};
	int e = nl->kernel_errno;

	nl->kernel_errno = 0;
	if (e > 0)
		return -e;
	nlerr = nlerr < 0 ? -nlerr : nlerr;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i][0] == nlerr)
			return -map[i][1];
	return -EIO;
}

int netd_nl_request(struct netd_nl *nl, struct nl_msg *msg)
{
	int ret;

	nl->kernel_errno = 0;
	ret = nl_send_sync(nl->sk, msg); /* consumes msg */
	return ret < 0 ? netd_nl_errno(nl, ret) : 0;
}

struct query_ctx {
	int (*parse)(struct nlmsghdr *h, void *arg);
	void *arg;
	int ret;
};

static int on_reply(struct nl_msg *msg, void *arg)
{
	struct query_ctx *q = arg;
	int ret = q->parse(nlmsg_hdr(msg), q->arg);

	if (ret < 0) {
		q->ret = ret;
		return NL_STOP;
	}
	return NL_OK;
}

int netd_nl_query(struct netd_nl *nl, struct nl_msg *msg,
                  int (*parse)(struct nlmsghdr *h, void *arg), void *arg)
{
	struct query_ctx q = {.parse = parse, .arg = arg};
	bool dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP;
	struct nl_cb *cb = NULL, *orig;
	int ret;

	nl->kernel_errno = 0;
	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		ret = netd_nl_errno(nl, ret);
		goto out;
	}
	orig = nl_socket_get_cb(nl->sk); /* takes a reference */
	cb = nl_cb_clone(orig);
	nl_cb_put(orig);
	if (!cb) {
		ret = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, &q);
	ret = nl_recvmsgs(nl->sk, cb);
	if (ret < 0) {
		ret = q.ret < 0 ? q.ret : netd_nl_errno(nl, ret);
		goto out;
	}
	/* A single get is acked after its reply (auto-ack); a dump ends with DONE instead.
	 * Reading the ack now keeps libnl's sequence check in step for the next request. */
	if (!dump) {
		ret = nl_wait_for_ack(nl->sk);
		if (ret < 0) {
			ret = netd_nl_errno(nl, ret);
			goto out;
		}
	}
	ret = q.ret;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* A RTM_*LINK message addressed by name (the kernel resolves IFLA_IFNAME itself). */
static struct nl_msg *link_msg(int type, int flags, int family, int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = family, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int parse_link(struct nlmsghdr *h, void *arg)
{
	struct netd_link_info *li = arg;
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->up = ifi->ifi_flags & IFF_UP;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(li->name, tb[IFLA_IFNAME], sizeof(li->name));
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(li->alias, tb[IFLA_IFALIAS], sizeof(li->alias));
	if (tb[IFLA_MASTER])
		li->master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_MTU])
		li->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(li->mac, nla_data(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    info[IFLA_INFO_KIND])
		nla_strlcpy(li->kind, info[IFLA_INFO_KIND], sizeof(li->kind));
	return 0;
}

static int link_get(struct netd_nl *nl, int ifindex, const char *name, struct netd_link_info *out)
{
	struct nl_msg *msg;
	int ret;

	if (name && !netd_ifname_valid(name))
		return -ENODEV;
	msg = link_msg(RTM_GETLINK, 0, AF_UNSPEC, ifindex, name);
	if (!msg)
		return -ENOMEM;
	out->ifindex = 0;
	ret = netd_nl_query(nl, msg, parse_link, out);
	if (ret == 0 && out->ifindex == 0)
		ret = -ENODEV;
	return ret;
}

int netd_nl_link_get(struct netd_nl *nl, const char *name, struct netd_link_info *out)
{
	return link_get(nl, 0, name, out);
}

int netd_nl_link_get_by_index(struct netd_nl *nl, int ifindex, struct netd_link_info *out)
{
	if (ifindex <= 0)
		return -ENODEV;
	return link_get(nl, ifindex, NULL, out);
}

int netd_nl_ifindex(struct netd_nl *nl, const char *name)
{
	struct netd_link_info li;
	int ret = netd_nl_link_get(nl, name, &li);

	return ret < 0 ? ret : li.ifindex;
}

struct link_list {
	struct netd_link_info *v;
	size_t n, cap;
};

static int collect_link(struct nlmsghdr *h, void *arg)
{
	struct link_list *l = arg;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct netd_link_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	parse_link(h, &l->v[l->n]);
	l->n++;
	return 0;
}

int netd_nl_link_list(struct netd_nl *nl, struct netd_link_info **out, size_t *n)
{
	struct link_list l = {0};
	struct nl_msg *msg;
	int ret;

	msg = link_msg(RTM_GETLINK, NLM_F_DUMP, AF_UNSPEC, 0, NULL);
	if (!msg)
		return -ENOMEM;
	ret = netd_nl_query(nl, msg, collect_link, &l);
	if (ret < 0) {
		free(l.v);
		return ret;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

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

int netd_nl_bridge_create(struct netd_nl *nl, const char *name, const char *alias, bool no_ipv6,
                          struct netd_diag *diag)
{
	struct nl_msg *msg = NULL;
	struct nlattr *info;
	struct stat st;
	bool created = false;
	int ret;

	if (!netd_ifname_valid(name)) {
		netd_diag_set(diag, "creating bridge %s: invalid interface name", name);
		return -EINVAL;
	}
	msg = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, AF_UNSPEC, 0, name);
	if (!msg || !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0) {
		ret = -ENOMEM;
		goto out;
	}
	nla_nest_end(msg, info);
	ret = netd_nl_request(nl, msg);
	msg = NULL;
	if (ret < 0) {
		netd_diag_set(diag, "creating bridge %s: %s", name, strerror(-ret));
		goto out;
	}
	created = true;

	/* The kernel ignores IFLA_IFALIAS in a create request: set it on the new link. */
	if (alias && *alias) {
		msg = link_msg(RTM_NEWLINK, 0, AF_UNSPEC, 0, name);
		if (!msg || nla_put_string(msg, IFLA_IFALIAS, alias) < 0) {
			ret = -ENOMEM;
			goto out;
		}
		ret = netd_nl_request(nl, msg);
		msg = NULL;
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
	ret = 0;
out:
	nlmsg_free(msg);
	if (ret < 0 && created)
		netd_nl_link_delete(nl, name, NULL);
	if (ret == -ENOMEM)
		netd_diag_set(diag, "creating bridge %s: %s", name, strerror(ENOMEM));
	return ret;
}

int netd_nl_link_delete(struct netd_nl *nl, const char *name, struct netd_diag *diag)
{
	struct nl_msg *msg = link_msg(RTM_DELLINK, 0, AF_UNSPEC, 0, name);
	int ret;

	if (!msg)
		return -ENOMEM;
	ret = netd_nl_request(nl, msg);
	if (ret < 0)
		netd_diag_set(diag, "deleting link %s: %s", name, strerror(-ret));
	return ret;
}

int netd_nl_link_set_up(struct netd_nl *nl, const char *name, bool up, struct netd_diag *diag)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, AF_UNSPEC, 0, name);
	struct ifinfomsg *ifi;
	int ret;

	if (!msg)
		return -ENOMEM;
	ifi = nlmsg_data(nlmsg_hdr(msg));
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ret = netd_nl_request(nl, msg);
	if (ret < 0)
		netd_diag_set(diag, "setting %s %s: %s", name, up ? "up" : "down", strerror(-ret));
	return ret;
}

int netd_nl_link_set_master(struct netd_nl *nl, const char *name, const char *master,
                            struct netd_diag *diag)
{
	struct nl_msg *msg = NULL;
	int ret, idx = 0;

	if (master) {
		idx = netd_nl_ifindex(nl, master);
		if (idx < 0) {
			ret = idx;
			goto out;
		}
	}
	msg = link_msg(RTM_NEWLINK, 0, AF_UNSPEC, 0, name);
	if (!msg || nla_put_u32(msg, IFLA_MASTER, (uint32_t)idx) < 0) {
		nlmsg_free(msg);
		ret = -ENOMEM;
		goto out;
	}
	ret = netd_nl_request(nl, msg);
out:
	if (ret < 0 && master)
		netd_diag_set(diag, "enslaving %s to %s: %s", name, master, strerror(-ret));
	else if (ret < 0)
		netd_diag_set(diag, "releasing %s from its master: %s", name, strerror(-ret));
	return ret;
}

int netd_nl_link_set_mac(struct netd_nl *nl, const char *name, const uint8_t mac[6],
                         struct netd_diag *diag)
{
	struct nl_msg *msg = link_msg(RTM_NEWLINK, 0, AF_UNSPEC, 0, name);
	char buf[18];
	int ret;

	if (!msg || nla_put(msg, IFLA_ADDRESS, 6, mac) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = netd_nl_request(nl, msg);
	if (ret < 0) {
		netd_mac_format(mac, buf);
		netd_diag_set(diag, "setting MAC of %s to %s: %s", name, buf, strerror(-ret));
	}
	return ret;
}

/*
 * What `bridge link set dev P isolated on` sends: RTM_SETLINK, family AF_BRIDGE, the
 * port's index, IFLA_PROTINFO (nested) holding IFLA_BRPORT_ISOLATED. libnl 3.7 has no
 * setter for this flag.
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
	msg = link_msg(RTM_SETLINK, 0, AF_BRIDGE, idx, NULL);
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

/* A port's bridge attributes come back in IFLA_LINKINFO as the "bridge" slave data. */
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
	struct nl_msg *msg;
	int ret, isolated = -EINVAL;

	if (!netd_ifname_valid(port))
		return -ENODEV;
	msg = link_msg(RTM_GETLINK, 0, AF_UNSPEC, 0, port);
	if (!msg)
		return -ENOMEM;
	ret = netd_nl_query(nl, msg, parse_isolated, &isolated);
	return ret < 0 ? ret : isolated;
}
