/* Unsolicited IPv6 neighbour advertisements from a link, over a raw ICMPv6 socket. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/object.h>
#include <netlink/route/addr.h>

#include "netd/kernel/unsol_na.h"
#include "nl_priv.h"

/* A bridge has its link-local address and the few the host gave it; more are not announced
 * (the first ones are: the host's SLAAC and static addresses come before temporary ones). */
#define NA_MAX_ADDRS 32

static int na_socket(int ifindex)
{
	const int hops = 255, off = 0;
	struct icmp6_filter none;
	int fd;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	/* It only sends: no copy of the host's ICMPv6 traffic queued on it. */
	ICMP6_FILTER_SETBLOCKALL(&none);
	/* Hop limit 255: receivers drop neighbour discovery that crossed a router. No copy
	 * looped back to the host's own stack, which would take it for a duplicate. */
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &none, sizeof(none)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, sizeof(ifindex)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* The advertisement, from target (IPV6_PKTINFO picks the source address and the link). */
static int na_sendmsg(int fd, int ifindex, const uint8_t mac[6], const struct in6_addr *target,
                      bool router)
{
	struct sockaddr_in6 to = {
	    .sin6_family = AF_INET6,
	    .sin6_addr = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}},
	    .sin6_scope_id = (uint32_t)ifindex,
	};
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	uint8_t na[NETD_NA_LEN];
	struct iovec iov = {.iov_base = na, .iov_len = netd_na_build(mac, target, router, na)};
	struct msghdr msg = {
	    .msg_name = &to,
	    .msg_namelen = sizeof(to),
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct in6_pktinfo pi = {.ipi6_addr = *target, .ipi6_ifindex = (unsigned)ifindex};

	memset(ctl.buf, 0, sizeof(ctl.buf));
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return sendmsg(fd, &msg, 0) < 0 ? -errno : 0;
}

int netd_na_send(int ifindex, const uint8_t mac[6], const struct in6_addr *target, bool router)
{
	int fd = na_socket(ifindex), ret;

	if (fd < 0)
		return fd;
	ret = na_sendmsg(fd, ifindex, mac, target, router);
	close(fd);
	return ret;
}

struct na_addrs {
	int ifindex;
	struct in6_addr a[NA_MAX_ADDRS];
	size_t n;
};

static int collect(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct na_addrs *l = arg;
	struct nl_addr *x = rtnl_addr_get_local(ra);

	/* Tentative: not the host's until DAD passes (the kernel announces it then); failed:
	 * someone else's. */
	if (nl_object_get_msgtype(obj) != RTM_NEWADDR || rtnl_addr_get_ifindex(ra) != l->ifindex ||
	    !x || nl_addr_get_family(x) != AF_INET6 || nl_addr_get_len(x) != 16 ||
	    (rtnl_addr_get_flags(ra) & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) || l->n == NA_MAX_ADDRS)
		return 0;
	memcpy(&l->a[l->n++], nl_addr_get_binary_addr(x), 16);
	return 0;
}

/* The link forwards IPv6: its advertisements say Router, as the kernel's do. */
static bool forwards(const char *link)
{
	char key[64], v[16] = "";

	snprintf(key, sizeof(key), "net/ipv6/conf/%s/forwarding", link);
	return netd_sysctl_read(key, v, sizeof(v)) == 0 && strcmp(v, "0") != 0;
}

int netd_na_announce(struct netd_nl *nl, const struct netd_link_info *li, size_t *sent)
{
	struct na_addrs l = {.ifindex = li->ifindex};
	int fd = -1, ret, r;
	bool router;

	*sent = 0;
	/* every address first: no request may go out on the socket while its dump is read */
	ret = netd_nl_dump(nl, RTM_GETADDR, AF_INET6, collect, &l);
	if (ret < 0 || l.n == 0)
		goto out;
	router = forwards(li->name);
	fd = na_socket(li->ifindex);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		r = na_sendmsg(fd, li->ifindex, li->mac, &l.a[i], router);
		if (r == 0)
			(*sent)++;
		else if (ret == 0)
			ret = r;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
