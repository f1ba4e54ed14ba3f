/*
 * Link and address notifications (RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR) as facts: a link that is
 * new, changed or deleted (its name, tag, master, whether it is up; a port that leaves its
 * bridge is a link without a master), a bond that failed over, an IPv4 address added or
 * removed. The engine decides what they mean
 * (engine/monitor.c): a port's policy, a bond's announcement, a network to repair.
 */
#ifndef NETD_KERNEL_LINK_MONITOR_H
#define NETD_KERNEL_LINK_MONITOR_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* netd's tags are shorter; a longer alias is cut here (it cannot be one of netd's). */
#define NETD_LINK_EVENT_ALIAS_MAX 64

struct netd_link_monitor;

enum netd_link_event_kind {
	NETD_LINK_EV_LINK, /* RTM_NEWLINK / RTM_DELLINK of a link */
	NETD_LINK_EV_ADDR, /* RTM_NEWADDR / RTM_DELADDR of an IPv4 address */
};

struct netd_link_event {
	enum netd_link_event_kind kind;
	bool deleted;        /* RTM_DELLINK, RTM_DELADDR */
	int ifindex;         /* the link's (of the address, for NETD_LINK_EV_ADDR) */
	char name[IFNAMSIZ]; /* the link's name; an address's label (the link's name, or name:x) */
	char alias[NETD_LINK_EVENT_ALIAS_MAX]; /* IFLA_IFALIAS, "" when none */
	int master;                            /* ifindex of its master, 0 when none */
	bool up;                               /* IFF_UP */
	bool bond_failover; /* IFLA_EVENT_BONDING_FAILOVER: a bond changed its active slave */
};

/* A non-blocking socket subscribed to link and IPv4 address notifications. */
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
