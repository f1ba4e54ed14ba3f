/*
 * Private to the kernel layer: the cache of the host's IPv4 prefixes that lets the overlap
 * check of `up` (host_prefix.c) answer "nothing near" without a dump. host_prefix_cache.c says
 * why it is sound; host_prefix.c drives it (it owns the dumps), nl.c frees it with its handle.
 */
#ifndef NETD_HOST_PREFIX_CACHE_H
#define NETD_HOST_PREFIX_CACHE_H

#include <linux/netlink.h>
#include <stdbool.h>

#include "netd/kernel/netlink.h"

struct netd_hpc;

/* A cache, empty and not yet usable, whose socket already hears every IPv4 address and route
 * change: the dumps that fill it must come after this. -EXDEV when the caller's network
 * namespace is not that of the socket netns_of (the request socket the dumps go through). */
int netd_hpc_open(int netns_of, struct netd_hpc **out);
void netd_hpc_free(struct netd_hpc *c);

/* Apply every change queued since the last call, then: true when the cache is usable and
 * nothing in it overlaps near (no prefix of the host does), false when only a dump can say. */
bool netd_hpc_clear_of(struct netd_hpc *c, const struct netd_prefix *near);

/* A rebuild from one address dump and one route dump: begin, each address, each route dump
 * reply (any message; the cache keeps what it keeps), commit once both dumps succeeded. */
void netd_hpc_begin(struct netd_hpc *c);
void netd_hpc_add_addr(struct netd_hpc *c, const struct netd_link_addr *a);
void netd_hpc_add_route(struct netd_hpc *c, const struct nlmsghdr *h);
void netd_hpc_commit(struct netd_hpc *c);

/* What the cache has done (tests, measurements). */
struct netd_hpc_stats {
	unsigned long answered;  /* near queries answered "nothing near" without a dump */
	unsigned long rebuilds;  /* rebuilds committed */
	unsigned long overflows; /* notices lost (ENOBUFS), each followed by a rebuild */
	unsigned long doubts;    /* notices not understood, each followed by a rebuild */
	size_t entries;
};
/* The stats of nl's cache (all zero when it has none yet). */
void netd_nl_prefix_cache_stats(const struct netd_nl *nl, struct netd_hpc_stats *out);

#endif
