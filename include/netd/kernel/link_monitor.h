/*
 * Link notifications (RTNLGRP_LINK) as facts: a link that has a master now, a bond that failed
 * over. The engine decides what they mean (engine/monitor.c).
 */
#ifndef NETD_KERNEL_LINK_MONITOR_H
#define NETD_KERNEL_LINK_MONITOR_H

#include <net/if.h>
#include <stdbool.h>

struct netd_link_monitor;

struct netd_link_event {
	char name[IFNAMSIZ];
	int master;         /* ifindex of its master, 0 when none */
	bool bond_failover; /* IFLA_EVENT_BONDING_FAILOVER: a bond changed its active slave */
};

/* A non-blocking socket subscribed to link notifications. */
int netd_link_monitor_open(struct netd_link_monitor **out);
void netd_link_monitor_close(struct netd_link_monitor *m);
int netd_link_monitor_fd(const struct netd_link_monitor *m);
/*
 * Hand every pending notification to cb. 0 when all were read; -ENOBUFS when the kernel
 * dropped some (the caller must re-read the state it cares about).
 */
int netd_link_monitor_read(struct netd_link_monitor *m,
                           void (*cb)(const struct netd_link_event *ev, void *arg), void *arg);

#endif
