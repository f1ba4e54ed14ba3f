/*
 * Table inet netd in the kernel (include/netd/nft.h describes its layout and the IR): libnftnl
 * + libmnl, one batch per change, every message acked.
 */
#ifndef NETD_KERNEL_NFT_H
#define NETD_KERNEL_NFT_H

#include "netd/nft.h"

struct netd_nft;

int netd_nft_open(struct netd_nft **out);
void netd_nft_close(struct netd_nft *nft);

/* The digest stored on the network's chains: 0 and digest filled when all of the network's
 * chains exist and agree, -ENOENT when none or only some exist (or the table is absent). */
int netd_nft_observe_net(struct netd_nft *nft, const char *network,
                         char digest[NETD_NFT_DIGEST_LEN + 1]);
/* The cache above is checked against the ruleset's generation at each observe (one round trip).
 * Held, the generation is checked at the first observe only and then trusted: for a pass over
 * many networks that writes nothing. Holding again re-arms the check (after a write of the
 * pass's own); released, every observe checks again. */
void netd_nft_observe_hold(struct netd_nft *nft, bool hold);

/*
 * One atomic batch: create the table, base chains and maps if missing, then add or replace
 * the network's chains (flush + re-add its rules, userdata = digest) and map elements.
 * An error names the message that failed (matched back by sequence number) in diag.
 */
int netd_nft_apply_net(struct netd_nft *nft, const struct netd_nft_net *x, struct netd_diag *diag);

/*
 * One atomic batch: delete the map elements that jump to the network's chains (found by
 * dumping the maps, so it works even when the config changed since `up`), then its chains.
 * When no network is left, the whole table goes. Absent network: 0, nothing sent.
 */
int netd_nft_remove_net(struct netd_nft *nft, const char *network, struct netd_diag *diag);

/* Names of networks that have chains in the table (for `down` of orphans and status). */
int netd_nft_list_networks(struct netd_nft *nft, char (**names)[NETD_NAME_MAX], size_t *n);

#endif
