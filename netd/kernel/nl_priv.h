/*
 * Private to the kernel layer (netd/kernel/, never included from another layer): the
 * rtnetlink handle behind netlink.h and what the kernel files that talk rtnetlink share
 * (nl.c, nl_batch.c, link.c, addr.c, bond.c, tap.c, uplink.c).
 *
 * Requests are described with libnl-route-3's objects (rtnl_link, rtnl_addr, rtnl_route) and
 * built by libnl (rtnl_*_build_*_request); where libnl 3.7 has no setter for what netd sends,
 * the file builds that one message by hand and says why. Everything goes through
 * netd_nl_request() or netd_nl_query(), which keep the kernel's own errno: libnl folds many
 * (EXFULL, ELOOP, ENOSPC, ...) into NLE_FAILURE, and callers need the real one. No libnl
 * cache: every read is a fresh kernel query, so nothing goes stale between a change and the
 * check that follows it. Many changes at once (a batch of taps, deleting many links) go out
 * together through nl_batch.c, built with libmnl, which keeps the kernel's errno as well.
 */
#ifndef NETD_NL_PRIV_H
#define NETD_NL_PRIV_H

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "netd/kernel/netlink.h"

struct netd_hpc;

struct netd_nl {
	struct nl_sock *sk;
	/* The kernel's own errno from the last NLMSG_ERROR, 0 when none. */
	int kernel_errno;
	struct netd_nl_stats stats;
	/* host_prefix_cache.c: the host's IPv4 prefixes, made by the first overlap check. */
	struct netd_hpc *prefix_cache;
};

/* nl.c: a -errno for a failed libnl call, preferring what the kernel said. */
int netd_nl_errno(struct netd_nl *nl, int nlerr);

/* nl.c: send a request (consumed) and wait for the kernel's ack. */
int netd_nl_request(struct netd_nl *nl, struct nl_msg *msg);

/*
 * nl.c: send a get or a dump (consumed) and hand each reply to each(), parsed by libnl into
 * its object (an rtnl_link for RTM_NEWLINK, rtnl_addr, rtnl_route; borrowed for the call).
 * each() returns 0 or a -errno, which ends the query with that error (the rest of the reply
 * is still read, so the socket stays in step). A reply of a type libnl has no object for is
 * skipped; one it fails to parse ends the query with an error.
 */
int netd_nl_query(struct netd_nl *nl, struct nl_msg *msg,
                  int (*each)(struct nl_object *obj, void *arg), void *arg);
/* nl.c: the same, each reply as the raw message, for what libnl 3.7 does not parse. */
int netd_nl_query_raw(struct netd_nl *nl, struct nl_msg *msg,
                      int (*each)(struct nlmsghdr *h, void *arg), void *arg);
/* nl.c: netd_nl_query_raw() with NETLINK_GET_STRICT_CHK on for this one request, so the
 * kernel applies the filters a dump carries (an address dump's ifa_index, a link dump's
 * IFLA_MASTER) and refuses a malformed one instead of ignoring what it does not know. */
int netd_nl_query_strict(struct netd_nl *nl, struct nl_msg *msg,
                         int (*each)(struct nlmsghdr *h, void *arg), void *arg);
/*
 * nl.c: the request for a dump of type (RTM_GETLINK, RTM_GETADDR or RTM_GETROUTE) of one
 * family: the header struct that type's requests carry (ifinfomsg, ifaddrmsg, rtmsg), zeroed
 * but for the family, as iproute2 sends it and as a kernel checking strictly
 * (NETLINK_GET_STRICT_CHK) requires. -EINVAL for another type.
 */
int netd_nl_dump_msg(int type, int family, struct nl_msg **out);
/* nl.c: netd_nl_query() of netd_nl_dump_msg(type, family). */
int netd_nl_dump(struct netd_nl *nl, int type, int family,
                 int (*each)(struct nl_object *obj, void *arg), void *arg);
/* nl.c: a hand-built RTM_*LINK request (the kernel resolves IFLA_IFNAME when name is given). */
struct nl_msg *netd_nl_link_msg(int type, int flags, int family, int ifindex, const char *name);

/*
 * nl.c: an rtnl_link naming the link `name`, for a change or delete addressed by name (the
 * kernel resolves it: no lookup first). -ERANGE, as the kernel answers, for a name too long:
 * rtnl_link_set_name() would cut it and address another link.
 */
int netd_nl_link_named(const char *name, struct rtnl_link **out);
/* nl.c: apply `changes` to the link it names (by ifindex or name); changes stays the caller's. */
int netd_nl_link_change(struct netd_nl *nl, struct rtnl_link *changes);

/* nl.c: IPv4 addresses between netd and libnl. in4: false unless a is a 4-byte address. */
bool netd_nl_in4(struct nl_addr *a, struct in_addr *out);
struct nl_addr *netd_nl_addr4(struct in_addr addr, unsigned prefixlen);

/* link.c: an RTM_NEWLINK message into li (0), port_isolated from the "bridge" slave data of
 * its IFLA_LINKINFO; -EINVAL for another message or a malformed one. Parsed by hand: libnl
 * 3.7 keeps no slave data, and its full object parse costs far more than these few fields. */
int netd_nl_link_parse(const struct nlmsghdr *h, struct netd_link_info *li);

/*
 * nl_batch.c: rtnetlink requests sent together (one sendmsg for up to 1024 of them), each
 * acked, the acks read after. Build with netd_nl_batch_link() and libmnl's mnl_attr_put*()
 * (a message has NETD_NL_BATCH_MSG_MAX bytes of room), then run.
 */
#define NETD_NL_BATCH_MSG_MAX 1024
struct netd_nl_batch;
struct netd_nl_batch *netd_nl_batch_new(void);
void netd_nl_batch_free(struct netd_nl_batch *b);
size_t netd_nl_batch_count(const struct netd_nl_batch *b);
/* The next message: type with NLM_F_REQUEST | NLM_F_ACK, an ifinfomsg of family, ifindex (0:
 * the caller adds IFLA_IFNAME) and flags/change; tag is the caller's, to name what failed.
 * NULL when out of memory (run then returns -ENOMEM). */
struct nlmsghdr *netd_nl_batch_link(struct netd_nl_batch *b, uint16_t type, uint8_t family,
                                    int ifindex, unsigned flags, unsigned change, size_t tag);
/* Send every message and read every ack: 0, or the kernel's -errno for the first message that
 * failed with *tag its tag (SIZE_MAX when the failure is not a message's: the socket, memory).
 * The kernel carries on after a failing message; the chunks after its chunk are not sent. */
int netd_nl_batch_run(struct netd_nl_batch *b, size_t *tag);

/* link.c: ifindex of name, or -ENODEV. */
int netd_nl_ifindex(struct netd_nl *nl, const char *name);
/* link.c: set the alias of an existing link (a create request's IFLA_IFALIAS is ignored). */
int netd_nl_link_set_alias(struct netd_nl *nl, const char *name, const char *alias);

/* addr.c: add an IPv4 address as given: broadcast (0: none), IFA_F_* flags and scope. */
int netd_nl_addr_put(struct netd_nl *nl, const char *ifname, const struct netd_prefix *p,
                     struct in_addr broadcast, unsigned flags, int scope, struct netd_diag *diag);
/* addr.c: the IPv4 address (IFA_LOCAL) and prefix length of a; false for another family. */
bool netd_nl_addr_prefix(struct rtnl_addr *a, struct netd_prefix *p);

#endif
