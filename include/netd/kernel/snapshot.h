/*
 * The kernel's links and IPv4 addresses as one pass sees them (a `list`, a reconcile pass, a
 * `status`, an `up`), shared by every network the pass observes, so that observing N networks
 * costs one dump of each instead of N (snapshot.c).
 *
 * Two ways to take one, with the same lookups:
 *  - whole: everything read up front, one link dump (each bridge port's isolation flag comes
 *    in its own link's message) and one address dump; lookups answer from memory, by
 *    binary search. For a pass over all networks.
 *  - narrow: nothing read up front; each lookup asks the kernel for just what it names (a
 *    get by name or index, a link dump filtered to one bridge's ports, an address dump
 *    filtered to one link). For a pass over one network, where a whole dump would cost in
 *    proportion to every other network on the host.
 * A whole snapshot is as old as the pass: a pass that changes a network's objects must not
 * look them up again in it (other networks' objects stay as they were read).
 * Lookups return 0 or -errno (-ENODEV: no such link) and copy out what they find.
 */
#ifndef NETD_KERNEL_SNAPSHOT_H
#define NETD_KERNEL_SNAPSHOT_H

#include "netd/kernel/netlink.h"

struct netd_kernel_snapshot;

int netd_snapshot_take(struct netd_nl *nl, struct netd_kernel_snapshot **out);
int netd_snapshot_narrow(struct netd_nl *nl, struct netd_kernel_snapshot **out);
void netd_snapshot_free(struct netd_kernel_snapshot *k);

/* Whether it was read whole (lookups cost no kernel query). */
bool netd_snapshot_is_whole(const struct netd_kernel_snapshot *k);

int netd_snapshot_link(struct netd_kernel_snapshot *k, const char *name,
                       struct netd_link_info *out);
int netd_snapshot_link_by_index(struct netd_kernel_snapshot *k, int ifindex,
                                struct netd_link_info *out);
/* The links enslaved to master (an ifindex), by ifindex (caller frees *out; none: NULL, 0). */
int netd_snapshot_ports(struct netd_kernel_snapshot *k, int master, struct netd_link_info **out,
                        size_t *n);
/* The taps (kind "tun") whose alias is alias: whole, by ifindex; narrow, in the kernel's order
 * from one dump the kernel filters by kind (it cannot filter by alias, and a dump of every
 * link was a quarter of an `up`'s CPU at 500 networks). Caller frees *out; none: NULL, 0. */
int netd_snapshot_tagged_taps(struct netd_kernel_snapshot *k, const char *alias,
                              struct netd_link_info **out, size_t *n);
/* The IPv4 addresses of ifindex in the kernel's order (caller frees *out; none: NULL, 0). */
int netd_snapshot_addrs(struct netd_kernel_snapshot *k, int ifindex, struct netd_prefix **out,
                        size_t *n);
/* 1 when ifindex has exactly p (address and prefix length), 0 when not. */
int netd_snapshot_addr_has(struct netd_kernel_snapshot *k, int ifindex,
                           const struct netd_prefix *p);

#endif
