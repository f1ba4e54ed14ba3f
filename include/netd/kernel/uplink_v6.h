/*
 * The IPv6 of a bridged network's uplink, moved to the bridge and back (the pure rules and
 * the types are netd/uplink_v6.h). kernel/uplink.c runs these inside its take and give-back,
 * so IPv6 moves in the same transaction as IPv4 and is undone with it.
 */
#ifndef NETD_KERNEL_UPLINK_V6_H
#define NETD_KERNEL_UPLINK_V6_H

#include "netd/kernel/netlink.h"
#include "netd/uplink_v6.h"

/* Read link's global IPv6 addresses, its IPv6 routes and its IPv6 sysctls, with the wall
 * clock time. A kernel without IPv6 gives present = false and no error. */
int netd_uplink_v6_snapshot(struct netd_nl *nl, const char *link, struct netd_uplink_v6 *out);

/* Before the uplink is enslaved: the bridge gets the uplink's sysctls (it runs SLAAC as the
 * uplink did), the uplink stops accepting RAs and making addresses, and v's routes and
 * addresses leave it. */
int netd_uplink_v6_leave(struct netd_nl *nl, const struct netd_uplink_v6 *v, const char *uplink,
                         const char *bridge, struct netd_diag *diag);
/* Once it is: v's addresses (usable at once: no second duplicate address detection) and
 * routes onto the bridge. */
int netd_uplink_v6_arrive(struct netd_nl *nl, const struct netd_uplink_v6 *v, const char *bridge,
                          struct netd_diag *diag);
/* Best effort, the first error reported: v's addresses and routes off the bridge (bridge may
 * be NULL or gone) and back on the uplink with the lifetimes the bridge has for them now,
 * then the uplink's sysctls as v has them. */
int netd_uplink_v6_give_back(struct netd_nl *nl, const struct netd_uplink_v6 *v, const char *uplink,
                             const char *bridge, struct netd_diag *diag);

#endif
