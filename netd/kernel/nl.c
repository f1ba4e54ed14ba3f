/*
 * The rtnetlink handle: one libnl socket, requests acked, gets and dumps read back as
 * libnl-route objects, and the kernel's own errno kept through all of it.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/addr.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/object.h>
#include <netlink/socket.h>

#include "host_prefix_cache.h"
#include "nl_priv.h"

/* libnl turns an NLMSG_ERROR into its own code, folding many errnos into NLE_FAILURE:
 * keep the kernel's. Runs for every call on the socket's callbacks (nl_send_sync,
 * nl_wait_for_ack, nl_recvmsgs on a clone of them). */
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
	netd_hpc_free(nl->prefix_cache);
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

void netd_nl_get_stats(const struct netd_nl *nl, struct netd_nl_stats *out)
{
	*out = nl->stats;
}

int netd_nl_request(struct netd_nl *nl, struct nl_msg *msg)
{
	int ret;

	nl->stats.requests++;
	nl->kernel_errno = 0;
	ret = nl_send_sync(nl->sk, msg); /* consumes msg */
	return ret < 0 ? netd_nl_errno(nl, ret) : 0;
}

struct query_ctx {
	struct netd_nl *nl;
	int (*each)(struct nl_object *obj, void *arg);
	int (*each_raw)(struct nlmsghdr *h, void *arg);
	void *arg;
	int ret;
};

static void on_object(struct nl_object *obj, void *arg)
{
	struct query_ctx *q = arg;

	q->ret = q->each(obj, q->arg);
}

/* After a failure the rest of the reply is read and dropped: stopping would leave it on the
 * socket for the next request to trip over. */
static int on_reply(struct nl_msg *msg, void *arg)
{
	struct query_ctx *q = arg;
	int err;

	if (q->ret < 0)
		return NL_OK;
	if (q->each_raw) {
		q->ret = q->each_raw(nlmsg_hdr(msg), q->arg);
		return NL_OK;
	}
	/* libnl picks the parser by the message type: RTM_NEWLINK gives an rtnl_link, ...
	 * A message of a type it has no object for is none of netd's business; one it fails
	 * to parse is an error, never an object silently missing from the answer. */
	err = nl_msg_parse(msg, on_object, q);
	if (err < 0 && err != -NLE_MSGTYPE_NOSUPPORT && q->ret == 0)
		q->ret = netd_nl_errno(q->nl, err);
	return NL_OK;
}

static int query(struct netd_nl *nl, struct nl_msg *msg, struct query_ctx *q)
{
	bool dump = nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP;
	struct nl_cb *cb = NULL, *orig;
	int ret;

	nl->stats.queries++;
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
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, q);
	ret = nl_recvmsgs(nl->sk, cb);
	if (ret < 0) {
		ret = netd_nl_errno(nl, ret);
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
	ret = q->ret;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

int netd_nl_query(struct netd_nl *nl, struct nl_msg *msg,
                  int (*each)(struct nl_object *obj, void *arg), void *arg)
{
	struct query_ctx q = {.nl = nl, .each = each, .arg = arg};

	return query(nl, msg, &q);
}

int netd_nl_query_raw(struct netd_nl *nl, struct nl_msg *msg,
                      int (*each)(struct nlmsghdr *h, void *arg), void *arg)
{
	struct query_ctx q = {.nl = nl, .each_raw = each, .arg = arg};

	return query(nl, msg, &q);
}

int netd_nl_query_strict(struct netd_nl *nl, struct nl_msg *msg,
                         int (*each)(struct nlmsghdr *h, void *arg), void *arg)
{
	int fd = nl_socket_get_fd(nl->sk), on = 1, off = 0, ret;

	/* Only for this request: a strict socket also refuses what other requests on the
	 * handle may send without a full header. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on)) < 0) {
		nlmsg_free(msg);
		return -errno;
	}
	ret = netd_nl_query_raw(nl, msg, each, arg);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off)) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

int netd_nl_dump_msg(int type, int family, struct nl_msg **out)
{
	/* The type's whole header, zero but for the family: the kernel reads all of it
	 * (index, prefix length, table, ... filter a strict dump). */
	union {
		struct ifinfomsg link;
		struct ifaddrmsg addr;
		struct rtmsg route;
	} hdr;
	struct nl_msg *msg;
	size_t len;

	*out = NULL;
	memset(&hdr, 0, sizeof(hdr));
	switch (type) {
	case RTM_GETLINK:
		hdr.link.ifi_family = (unsigned char)family;
		len = sizeof(hdr.link);
		break;
	case RTM_GETADDR:
		hdr.addr.ifa_family = (unsigned char)family;
		len = sizeof(hdr.addr);
		break;
	case RTM_GETROUTE:
		hdr.route.rtm_family = (unsigned char)family;
		len = sizeof(hdr.route);
		break;
	default:
		return -EINVAL;
	}
	msg = nlmsg_alloc_simple(type, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &hdr, len, NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	*out = msg;
	return 0;
}

/* Read through query(): libnl's own dump helpers fill a cache, which netd does not keep. */
int netd_nl_dump(struct netd_nl *nl, int type, int family,
                 int (*each)(struct nl_object *obj, void *arg), void *arg)
{
	struct nl_msg *msg;
	int ret;

	ret = netd_nl_dump_msg(type, family, &msg);
	if (ret < 0)
		return ret;
	return netd_nl_query(nl, msg, each, arg);
}

struct nl_msg *netd_nl_link_msg(int type, int flags, int family, int ifindex, const char *name)
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

int netd_nl_link_named(const char *name, struct rtnl_link **out)
{
	struct rtnl_link *link;

	if (strlen(name) >= IFNAMSIZ)
		return -ERANGE;
	link = rtnl_link_alloc();
	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	*out = link;
	return 0;
}

int netd_nl_link_change(struct netd_nl *nl, struct rtnl_link *changes)
{
	struct nl_msg *msg = NULL;
	int ret;

	/* The link as the "original" too: the request then addresses it by what changes
	 * carries (ifindex, or IFLA_IFNAME) and sets only the flags changes names. */
	ret = rtnl_link_build_change_request(changes, changes, 0, &msg);
	if (ret < 0)
		return netd_nl_errno(nl, ret);
	return netd_nl_request(nl, msg);
}

bool netd_nl_in4(struct nl_addr *a, struct in_addr *out)
{
	if (!a || nl_addr_get_family(a) != AF_INET || nl_addr_get_len(a) != sizeof(*out))
		return false;
	memcpy(out, nl_addr_get_binary_addr(a), sizeof(*out));
	return true;
}

struct nl_addr *netd_nl_addr4(struct in_addr addr, unsigned prefixlen)
{
	struct nl_addr *a = nl_addr_build(AF_INET, &addr, sizeof(addr));

	if (a)
		nl_addr_set_prefixlen(a, (int)prefixlen);
	return a;
}
