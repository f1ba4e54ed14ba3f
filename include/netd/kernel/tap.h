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

/* One tap of netd_taps_create(): how to create it, how to set it up, the name it got. */
struct netd_tap_new {
	struct netd_tap_create_opts opts; /* opts.name may be a template: "vm%d" */
	struct netd_tap_settings set;
	char name[IFNAMSIZ]; /* out: the kernel's name for it */
};

/*
 * Make n new taps at once: each created with the tun ioctls (netlink cannot make a persistent
 * tap with an owner), in the order given, so a template takes the lowest number free when its
 * tap is made; then all of them set up in one rtnetlink batch, acks read after it: per tap one
 * request with its alias, MAC, MTU, master and up, or, for a port to isolate, those without up,
 * then the isolation, then up (no frame crosses the port before it is isolated). All or
 * nothing: on failure every tap made is deleted, diag names the tap and what failed, and
 * *failed (may be NULL) is its index (SIZE_MAX when no one tap failed).
 */
int netd_taps_create(struct netd_nl *nl, struct netd_tap_new *v, size_t n, size_t *failed,
                     struct netd_diag *diag);

#endif
