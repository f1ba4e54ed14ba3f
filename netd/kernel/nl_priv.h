/* Shared by netd/netlink_*.c only: the handle and the request helpers behind netlink.h. */
#ifndef NETD_NETLINK_PRIV_H
#define NETD_NETLINK_PRIV_H

#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "netd/kernel/netlink.h"

struct netd_nl {
	struct nl_sock *sk;
	/* The kernel's own errno from the last NLMSG_ERROR: libnl folds many errnos
	 * (EXFULL, ENOSPC, ...) into NLE_FAILURE, and callers need the real one. */
	int kernel_errno;
};

/* A -errno for a failed libnl call, preferring what the kernel said. */
int netd_nl_errno(struct netd_nl *nl, int nlerr);

/* Send a request built by the caller (consumed) and wait for the kernel's ack. */
int netd_nl_request(struct netd_nl *nl, struct nl_msg *msg);

/* Send a single-object request (consumed) and hand the reply to parse(). */
int netd_nl_query(struct netd_nl *nl, struct nl_msg *msg,
                  int (*parse)(struct nlmsghdr *h, void *arg), void *arg);

/* ifindex of name, or -ENODEV. */
int netd_nl_ifindex(struct netd_nl *nl, const char *name);

#endif
