/*
 * Ruleset notifications (NFNLGRP_NFTABLES) as facts: which object of which table changed, and
 * whose request changed it; the end of each transaction (a new generation). Any table's: the
 * engine tells netd's own tables from the others' (engine/heal.c).
 */
#ifndef NETD_KERNEL_NFT_MONITOR_H
#define NETD_KERNEL_NFT_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "netd/nft.h"

/* Longer table names (up to 256) are cut here: such a table is not one of netd's. */
#define NETD_NFT_EVENT_TABLE_MAX 64

struct netd_nft_monitor;

enum netd_nft_event_kind {
	NETD_NFT_EV_TABLE,
	NETD_NFT_EV_CHAIN,
	NETD_NFT_EV_RULE,
	NETD_NFT_EV_SET,
	NETD_NFT_EV_ELEM,  /* one element of a set or map */
	NETD_NFT_EV_GEN,   /* a transaction committed: the ruleset's new generation */
	NETD_NFT_EV_OTHER, /* stateful objects, flowtables */
};

struct netd_nft_event {
	enum netd_nft_event_kind kind;
	bool deleted;   /* NFT_MSG_DEL* */
	uint8_t family; /* NFPROTO_INET, NFPROTO_BRIDGE, ... (0 for a generation) */
	char table[NETD_NFT_EVENT_TABLE_MAX];
	/* The chain of a chain or a rule; the chain a map element jumps to (or goes to); ""
	 * otherwise, and for a name longer than any of netd's. */
	char chain[NETD_NFT_CHAIN_MAX];
	/* The netlink socket whose request made the change (nlmsg_pid), 0 when none: a change of
	 * netd's own can be told by its socket (netd_nft_portid()). */
	uint32_t portid;
	uint32_t gen; /* NETD_NFT_EV_GEN: the generation now in force */
	uint32_t pid; /* NETD_NFT_EV_GEN: the process that committed it, 0 when not told */
};

/* A non-blocking socket subscribed to ruleset notifications (needs CAP_NET_ADMIN). */
int netd_nft_monitor_open(struct netd_nft_monitor **out);
void netd_nft_monitor_close(struct netd_nft_monitor *m);
int netd_nft_monitor_fd(const struct netd_nft_monitor *m);
/*
 * Hand every pending notification to cb. 0 when all were read; -ENOBUFS when the kernel
 * dropped some (the caller must re-read what it cares about).
 */
int netd_nft_monitor_read(struct netd_nft_monitor *m,
                          void (*cb)(const struct netd_nft_event *ev, void *arg), void *arg);

#endif
