/*
 * Tap devices in the kernel (tap.c): created with the tun ioctls, then configured over
 * rtnetlink like any other link.
 */
#ifndef NETD_KERNEL_TAP_H
#define NETD_KERNEL_TAP_H

#include "netd/kernel/netlink.h"
#include "netd/tap.h"

struct netd_tap_create_opts {
	const char *name; /* NULL or "": NETD_TAP_NAME_TEMPLATE */
	uid_t owner;      /* who may open it besides CAP_NET_ADMIN */
	bool has_group;
	gid_t group;
	unsigned queues; /* > 1: IFF_MULTI_QUEUE */
};

/*
 * A persistent tap (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, plus IFF_MULTI_QUEUE for queues > 1)
 * owned by opts->owner. A given name that already exists is -EEXIST and is left alone.
 * name_out gets the name the kernel gave it.
 */
int netd_tap_create(const struct netd_tap_create_opts *opts, char name_out[IFNAMSIZ],
                    struct netd_diag *diag);

/* What a tap of a network looks like once configured. */
struct netd_tap_settings {
	const char *alias; /* "netd:<network>" */
	uint8_t host_mac[6];
	unsigned mtu; /* the bridge's */
	const char *bridge;
	bool isolated; /* VMToVM=deny */
};

/*
 * Make an existing tap match s: alias, MAC, MTU, master, port isolation, then up (last, so
 * no frame crosses the port before its isolation is set). Only what differs is written, so
 * a tap already right costs one query and no write. *changed (may be NULL) says whether
 * anything was written.
 */
int netd_tap_configure(struct netd_nl *nl, const char *tap, const struct netd_tap_settings *s,
                       bool *changed, struct netd_diag *diag);

#endif
