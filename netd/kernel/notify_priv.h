/*
 * Private to the kernel layer: a netlink socket that only listens to notifications, what
 * link_monitor.c (rtnetlink) and nft_monitor.c (nfnetlink) are built on.
 */
#ifndef NETD_NOTIFY_PRIV_H
#define NETD_NOTIFY_PRIV_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/*
 * A non-blocking, close-on-exec socket of bus joined to each of groups[0..n) (as
 * NETLINK_ADD_MEMBERSHIP numbers them: RTNLGRP_*, NFNLGRP_*), with a receive buffer that holds
 * a burst of thousands of notifications (a bridge deleted with its ports, a ruleset flushed).
 */
int notify_open(int bus, const unsigned *groups, size_t n, struct mnl_socket **out);
/* Every pending message to parse(nlh, data). 0 when all were read; -ENOBUFS when the kernel
 * dropped some (the caller must re-read what it cares about). */
int notify_read(struct mnl_socket *sk, mnl_cb_t parse, void *data);

#endif
