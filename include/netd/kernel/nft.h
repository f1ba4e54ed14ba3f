/*
 * Tables inet netd and bridge netd in the kernel (include/netd/nft.h describes their layout
 * and the IR): libnftnl + libmnl, one batch per change, every message acked.
 */
#ifndef NETD_KERNEL_NFT_H
#define NETD_KERNEL_NFT_H

#include "netd/nft.h"

struct netd_nft;

int netd_nft_open(struct netd_nft **out);
void netd_nft_close(struct netd_nft *nft);
/* The socket's netlink port id: the nlmsg_pid of the notifications of netd's own changes. */
uint32_t netd_nft_portid(const struct netd_nft *nft);
/* The snapshot that verify reads is checked against the ruleset's generation at each verify
 * (one round trip). Held, the generation is checked at the first verify only and then
 * trusted: for a pass over many networks that writes nothing. Holding again re-arms the check
 * (after a write of the pass's own); released, every verify checks again. */
void netd_nft_observe_hold(struct netd_nft *nft, bool hold);
/* Netlink messages and bytes the socket has read in answers to its dumps and gets since it
 * was opened: what a change or a verify costs in reading the tables back (for tests). */
void netd_nft_read_counts(const struct netd_nft *nft, uint64_t *msgs, uint64_t *bytes);
/* netd_nft_verify_net remembers its answer per network and gives it again while the ruleset's
 * generation and what the network wants are the same (on by default; off: every call compares,
 * for tests that time the comparison). Counts of answers given again and computed. */
void netd_nft_verify_remember(struct netd_nft *nft, bool on);
void netd_nft_verify_counts(const struct netd_nft *nft, uint64_t *remembered, uint64_t *computed);

/*
 * What differs between netd's tables and what x wants, by content. In table inet netd: every
 * rule of the network's chains (in order; foreign rules count), its elements in every map (as
 * sets of key -> verdict; elements that jump to its chains or meet its keys are its business,
 * others' are not), and the table's base chains (hook, policy, dispatch rules) and map
 * definitions. In table bridge netd, the same for the ports x binds: each port's chain, its
 * port chains x no longer binds, its elements of port_if, and the table's base chain and map.
 * Rules are compared expression by expression as the kernel sends them back, against what
 * the batch would send (handles, positions, userdata and counter values aside). Reads the
 * tables only when the ruleset generation moved since the last read.
 */
struct netd_nft_drift {
	bool present; /* some chain of the network is in either table */
	unsigned n;   /* differences found: 0 when the kernel has exactly what x wants */
	/* e.g. "out_default: 1 rule missing, fwdi_default: 1 foreign rule; nat_src:
	 * 192.122.1.0/24 missing": base chains and maps of the tables, then the network's
	 * chains, then its elements, groups apart by "; " */
	char what[NETD_NFT_DRIFT_MAX];
};
int netd_nft_verify_net(struct netd_nft *nft, const struct netd_nft_net *x,
                        struct netd_nft_drift *out);

/*
 * One atomic batch: create the tables, base chains and maps if missing (a base chain or map
 * defined otherwise is made again), then add or replace the network's chains (flush + re-add
 * its rules, the digest as a label on the first) and map elements, deleting elements of its
 * business that it does not want, and its bound ports in table bridge netd the same way
 * (chains, elements; what it no longer binds goes). This is also the repair of whatever
 * verify found.
 * An error names the message that failed (matched back by sequence number) in diag.
 */
int netd_nft_apply_net(struct netd_nft *nft, const struct netd_nft_net *x, struct netd_diag *diag);

/*
 * One atomic batch: delete the map elements that jump to the network's chains (found by
 * dumping the maps, so it works even when the config changed since `up`), then its chains,
 * in both tables. When no network is left in a table, the whole table goes. Absent network:
 * 0, nothing sent.
 */
int netd_nft_remove_net(struct netd_nft *nft, const char *network, struct netd_diag *diag);

/* Attach: one batch binding x's port (its chain and element, the name taken from any chain
 * that had it), leaving the network's other ports and table inet netd alone. Nothing when x
 * does not bind it. */
int netd_nft_apply_port(struct netd_nft *nft, const struct netd_nft_net *x, const char *port,
                        struct netd_diag *diag);
/* Detach: one batch unbinding the network's port, if bound. */
int netd_nft_remove_port(struct netd_nft *nft, const char *network, const char *port,
                         struct netd_diag *diag);

/* Names of networks that have chains in the table (for `down` of orphans and status). */
int netd_nft_list_networks(struct netd_nft *nft, char (**names)[NETD_NAME_MAX], size_t *n);

#endif
