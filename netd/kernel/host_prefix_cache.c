/*
 * A cache of the host's IPv4 prefixes (addresses, and routes of the main table), kept current
 * by rtnetlink notices, so that the overlap check of `up` (host_prefix.c) can say "nothing
 * near this subnet" without dumping every address and route of the host (at 1000 networks
 * those two dumps were most of `up`'s CPU in netd).
 *
 * It is a filter, never the answer. Why it is sound:
 * - Its socket joins RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV4_ROUTE before the dumps
 *   that fill it
 *   are taken, so every change after (or during) those dumps is queued on it.
 * - The kernel queues a notice on every subscribed socket before the syscall that made the
 *   change returns. Draining the socket (until EAGAIN) before each use therefore applies every
 *   change made before the check began: the cache then holds every live address and every
 *   live route of the kinds host_prefix.c reports, and maybe more.
 * - The kernel notifies every IPv4 address added or deleted and every route added; it deletes
 *   some routes silently: those via a link that goes down or away are flushed without
 *   RTM_DELROUTE (a bridge's own prefix route at every `down`). The link's notice (RTM_NEWLINK
 *   without IFF_UP, RTM_DELLINK) is the cue: a route whose one path is that link goes with it
 *   (the kernel flushes every such route then, and takes none on a link that is down). A route
 *   with several paths or a nexthop object stays: the cache may hold stale routes, never lack
 *   a live prefix.
 * - A lost notice (ENOBUFS: the socket overflowed) or one the cache does not understand
 *   empties it; only new dumps make it usable again.
 * Hence "nothing in the cache overlaps the subnet" implies "nothing on the host does", and the
 * check answers that without a dump. When something overlaps (or every prefix is asked for),
 * host_prefix.c dumps as before, answers from the dumps, and rebuilds the cache from those
 * same dumps: a stale route costs one slow check, then it is gone.
 *
 * Entries are a set: an added notice inserts an entry that is absent, a deleted one removes
 * it when present. Notices queued during the dumps may describe changes the dumps already
 * show; applied again they change nothing, and applied in the kernel's order they end in the
 * kernel's state. An entry is the object's whole identity, so a delete never removes a twin
 * that is still live: an address is (ifindex, local, peer, prefix length), as the kernel tells
 * two addresses apart; a route is its whole message but the flags that change on their own
 * (linkdown, offload), since `ip route append` makes routes that differ only in a gateway or a
 * metric. A delete that matches nothing (the flags of a future kernel) leaves a stale entry.
 *
 * The socket is its own (never netd_nl's request socket, whose replies it would interleave),
 * without NETLINK_NO_ENOBUFS (an overflow must be seen), connected to the kernel and reading
 * only the kernel's messages, so no other process can feed it a delete. It is made in the
 * network namespace of the moment, which need not be the request socket's (a process that
 * moved since it opened its handle): then there is no cache, and the dumps answer.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host_prefix_cache.h"
#include "nl_priv.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

struct entry {
	struct netd_prefix prefix; /* what the overlap check compares */
	/* Address identity (id == NULL). */
	int ifindex;
	struct in_addr peer;
	/* Route identity: the rtmsg and attributes, flags cleared. */
	unsigned char *id;
	size_t id_len;
	int oif; /* a route's one path's link (RTA_OIF alone); 0: none or several */
};

struct netd_hpc {
	int fd;
	bool usable; /* filled by dumps and no notice lost or misread since */
	bool failed; /* out of memory during a rebuild: not usable until the next */
	struct entry *v;
	size_t n, cap;
	struct netd_hpc_stats stats;
};

static void clear(struct netd_hpc *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].id);
	c->n = 0;
	c->usable = false;
}

static bool same(const struct entry *a, const struct entry *b)
{
	if (a->prefix.addr.s_addr != b->prefix.addr.s_addr || a->prefix.len != b->prefix.len ||
	    !a->id != !b->id)
		return false;
	if (!a->id)
		return a->ifindex == b->ifindex && a->peer.s_addr == b->peer.s_addr;
	return a->id_len == b->id_len && memcmp(a->id, b->id, a->id_len) == 0;
}

/* Takes e->id. unique: insert only when absent (a notice); a dump's entries are appended. */
static int insert(struct netd_hpc *c, struct entry *e, bool unique)
{
	for (size_t i = 0; unique && i < c->n; i++)
		if (same(&c->v[i], e)) {
			free(e->id);
			return 0;
		}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct entry *v = realloc(c->v, cap * sizeof(*v));

		if (!v) {
			free(e->id);
			return -ENOMEM;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *e;
	return 0;
}

/* Every copy (an interrupted dump may have repeated one). Takes e->id. */
static void remove_all(struct netd_hpc *c, struct entry *e)
{
	for (size_t i = 0; i < c->n;)
		if (same(&c->v[i], e)) {
			free(c->v[i].id);
			c->v[i] = c->v[--c->n];
		} else {
			i++;
		}
	free(e->id);
}

/* An RTM_*ADDR message into e: 0, or -EINVAL when it is not a well-formed IPv4 address. */
static int addr_entry(const struct nlmsghdr *h, struct entry *e)
{
	struct nlattr *tb[IFA_MAX + 1], *local, *peer;
	const struct ifaddrmsg *ifa;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return -EINVAL;
	ifa = nlmsg_data(h);
	/* As addr.c reads it: IFA_LOCAL is the address, IFA_ADDRESS the peer when they differ. */
	peer = tb[IFA_ADDRESS];
	local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : peer;
	if (ifa->ifa_family != AF_INET || !local || nla_len(local) != sizeof(struct in_addr) ||
	    (peer && nla_len(peer) != sizeof(struct in_addr)))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	memcpy(&e->prefix.addr, nla_data(local), sizeof(e->prefix.addr));
	memcpy(&e->peer, nla_data(peer ? peer : local), sizeof(e->peer));
	e->prefix.len = ifa->ifa_prefixlen;
	e->ifindex = (int)ifa->ifa_index;
	return 0;
}

/* Clear what the kernel changes in a route on its own: rtm_flags and each hop's flags. */
static void clear_flags(unsigned char *id, size_t len)
{
	struct rtmsg *rtm = (struct rtmsg *)id;
	struct rtattr *rta = RTM_RTA(rtm);
	int left = (int)(len - NLMSG_ALIGN(sizeof(*rtm)));

	rtm->rtm_flags = 0;
	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left)) {
		struct rtnexthop *nh = RTA_DATA(rta);
		int nhleft = (int)RTA_PAYLOAD(rta);

		if (rta->rta_type != RTA_MULTIPATH)
			continue;
		/* RTNH_OK reads rtnh_len before it looks at what is left: past the last hop of a
		 * message's last attribute, that read is out of the buffer. */
		for (; nhleft >= (int)sizeof(*nh) && RTNH_OK(nh, nhleft);
		     nhleft -= (int)RTNH_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh))
			nh->rtnh_flags = 0;
	}
}

/*
 * An RTM_*ROUTE message into e: 1 when it is a route the cache keeps, 0 when not, -EINVAL when
 * it is not well formed, -ENOMEM. Kept: every IPv4 route of the main table but a default or
 * host route, whatever its type: at least what host_prefix.c reports (more only makes a check
 * slower, never wrong).
 */
static int route_entry(const struct nlmsghdr *h, struct entry *e)
{
	struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	uint32_t table;

	if (nlmsg_parse((struct nlmsghdr *)h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return -EINVAL;
	rtm = nlmsg_data(h);
	if (rtm->rtm_family != AF_INET)
		return -EINVAL;
	table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN || rtm->rtm_dst_len == 0 || rtm->rtm_dst_len >= 32)
		return 0;
	if (!tb[RTA_DST] || nla_len(tb[RTA_DST]) != sizeof(struct in_addr))
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	memcpy(&e->prefix.addr, nla_data(tb[RTA_DST]), sizeof(e->prefix.addr));
	e->prefix.len = rtm->rtm_dst_len;
	e->id_len = h->nlmsg_len - NLMSG_HDRLEN;
	e->id = malloc(e->id_len);
	if (!e->id)
		return -ENOMEM;
	memcpy(e->id, nlmsg_data(h), e->id_len);
	clear_flags(e->id, e->id_len);
	if (tb[RTA_OIF] && !tb[RTA_MULTIPATH] && !tb[RTA_NH_ID])
		e->oif = (int)nla_get_u32(tb[RTA_OIF]);
	return 1;
}

/* A link set down or deleted: the routes whose one path is that link are gone, silently. */
static int link_gone(struct netd_hpc *c, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	ifi = nlmsg_data(h);
	if (h->nlmsg_type != RTM_DELLINK && (ifi->ifi_flags & IFF_UP))
		return 0;
	for (size_t i = 0; i < c->n;)
		if (c->v[i].id && c->v[i].oif == ifi->ifi_index) {
			free(c->v[i].id);
			c->v[i] = c->v[--c->n];
		} else {
			i++;
		}
	return 0;
}

/* One notice: 0, or -errno when the cache can no longer be trusted. */
static int apply(struct netd_hpc *c, const struct nlmsghdr *h)
{
	bool add = h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_NEWROUTE;
	struct entry e;
	int ret;

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return link_gone(c, h);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		ret = addr_entry(h, &e);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		ret = route_entry(h, &e);
		if (ret <= 0)
			return ret;
		break;
	default:
		return -EPROTO;
	}
	if (ret < 0)
		return ret;
	if (add)
		return insert(c, &e, true);
	remove_all(c, &e);
	return 0;
}

static void apply_all(struct netd_hpc *c, const void *buf, size_t len)
{
	int left = (int)len;

	/* libmnl's walk: NLMSG_OK compares the signed length with nlmsg_len (u32). */
	for (const struct nlmsghdr *h = buf; c->usable && mnl_nlmsg_ok(h, left);
	     h = mnl_nlmsg_next(h, &left))
		if (apply(c, h) < 0) {
			c->stats.doubts++;
			clear(c);
		}
	if (c->usable && left != 0) { /* a partial message */
		c->stats.doubts++;
		clear(c);
	}
}

/* Read every queued notice, applying them while the cache is usable; a lost or misread one
 * empties it (the rest is still read, so the rebuild that follows starts with an empty
 * queue). */
static void drain(struct netd_hpc *c)
{
	char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		struct sockaddr_nl from = {0};
		struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
		struct msghdr m = {.msg_name = &from,
		                   .msg_namelen = sizeof(from),
		                   .msg_iov = &iov,
		                   .msg_iovlen = 1};
		ssize_t n = recvmsg(c->fd, &m, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			c->stats.overflows++;
			clear(c);
			continue;
		}
		if (n < 0) { /* EAGAIN: all read; anything else: cannot tell */
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				clear(c);
			return;
		}
		if (from.nl_pid != 0) /* not the kernel's */
			continue;
		if (m.msg_flags & MSG_TRUNC) {
			c->stats.doubts++;
			clear(c);
			continue;
		}
		apply_all(c, buf, (size_t)n);
	}
}

/* 0 when fd and other are sockets of one network namespace; -EXDEV when not, or when the
 * kernel cannot tell. */
static int same_netns(int fd, int other)
{
	uint64_t a = 0, b = 0;
	socklen_t la = sizeof(a), lb = sizeof(b);

	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &a, &la) < 0 ||
	    getsockopt(other, SOL_SOCKET, SO_NETNS_COOKIE, &b, &lb) < 0 || a != b)
		return -EXDEV;
	return 0;
}

int netd_hpc_open(int netns_of, struct netd_hpc **out)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
	                         .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct netd_hpc *c;
	int ret;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (c->fd < 0 || bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    connect(c->fd, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	ret = same_netns(c->fd, netns_of);
	if (ret < 0)
		goto out;
	*out = c;
	return 0;
out:
	netd_hpc_free(c);
	return ret;
}

void netd_hpc_free(struct netd_hpc *c)
{
	if (!c)
		return;
	clear(c);
	free(c->v);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

bool netd_hpc_clear_of(struct netd_hpc *c, const struct netd_prefix *near)
{
	drain(c);
	if (!c->usable)
		return false;
	for (size_t i = 0; i < c->n; i++)
		if (netd_prefix_overlaps(near, &c->v[i].prefix))
			return false;
	c->stats.answered++;
	return true;
}

void netd_hpc_begin(struct netd_hpc *c)
{
	/* Every notice queued now tells of a change made before the dumps begin, which they
	 * show: drop them unread. */
	clear(c);
	drain(c);
	c->failed = false;
}

void netd_hpc_add_addr(struct netd_hpc *c, const struct netd_link_addr *a)
{
	struct entry e = {.prefix = a->prefix, .ifindex = a->ifindex, .peer = a->peer};

	if (insert(c, &e, false) < 0)
		c->failed = true;
}

void netd_hpc_add_route(struct netd_hpc *c, const struct nlmsghdr *h)
{
	struct entry e;
	int ret;

	if (h->nlmsg_type != RTM_NEWROUTE)
		return;
	ret = route_entry(h, &e);
	if (ret > 0)
		ret = insert(c, &e, false);
	if (ret < 0) /* what the dump's own parse accepts, the cache must hold */
		c->failed = true;
}

void netd_hpc_commit(struct netd_hpc *c)
{
	if (c->failed) {
		clear(c);
		return;
	}
	c->usable = true;
	c->stats.rebuilds++;
}

void netd_nl_prefix_cache_stats(const struct netd_nl *nl, struct netd_hpc_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!nl->prefix_cache)
		return;
	*out = nl->prefix_cache->stats;
	out->entries = nl->prefix_cache->n;
}
