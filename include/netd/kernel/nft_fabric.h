/*
 * The fabric's guard (netd/fabric.h: netd_nft_fabric_guard) in a table of its own, `inet
 * netd_fabric`, with one base chain `input` (hook input, priority -1, policy accept): host-wide
 * rules, which netd's table of per-network chains has no place for. Made and replaced in one
 * batch; compared with what it should hold rule by rule (netd/kernel/nft_fabric.c).
 */
#ifndef NETD_KERNEL_NFT_FABRIC_H
#define NETD_KERNEL_NFT_FABRIC_H

#include "netd/nft.h"

#define NETD_NFT_FABRIC_TABLE "netd_fabric"

struct netd_nft;

/* The table and chain made if missing, the chain's rules replaced by guard's. */
int netd_nft_fabric_apply(struct netd_nft *nft, const struct netd_nft_chain *guard,
                          struct netd_diag *diag);
/* The table deleted; none there is no error. */
int netd_nft_fabric_remove(struct netd_nft *nft, struct netd_diag *diag);
/* 1 when the chain holds exactly guard's rules, in order; 2 when it holds others; 0 when there
 * is no such table (or chain). */
int netd_nft_fabric_current(struct netd_nft *nft, const struct netd_nft_chain *guard);

#endif
