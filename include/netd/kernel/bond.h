/* Bonds in the kernel, over rtnetlink (bond.c); the options and their rules are netd/bond.h. */
#ifndef NETD_KERNEL_BOND_H
#define NETD_KERNEL_BOND_H

#include "netd/bond.h"
#include "netd/kernel/netlink.h"

/*
 * bond.c. Bring the bond of network `network` up: save each slave's state in
 * <state_dir>/<network>.bond, create the bond down with its mode and options and `alias`,
 * enslave each slave (down, enslave, up), set the bond up and move the slaves' IPv4 addresses
 * and routes onto it (so that the uplink code then moves them onto the bridge). A failure
 * undoes everything. On a kernel without the bonding driver the diag says so.
 */
int netd_bond_up(struct netd_nl *nl, const struct netd_bond *b, const char *alias,
                 const char *state_dir, const char *network, struct netd_diag *diag);
/*
 * Delete the bond (when it exists and carries `alias`) and give each saved slave back exactly
 * as it was: no master, its MAC, MTU, up/down state, addresses and routes. Keeps going on
 * errors, reports the first; forgets the saved state when all went well. No saved state and
 * no bond: 0.
 */
int netd_bond_down(struct netd_nl *nl, const char *bond, const char *alias, const char *state_dir,
                   const char *network, struct netd_diag *diag);
/* 1 when <state_dir>/<network>.bond exists. */
int netd_bond_saved(const char *state_dir, const char *network);

/* What the kernel has of a network's bond and its slaves. */
struct netd_bond_facts {
	bool exists;   /* a link has the bond's name */
	bool ours;     /* ... and it is a bond with our alias */
	char kind[32]; /* of the link under the name */
	char alias[256];
	bool saved;                  /* <state_dir>/<network>.bond exists */
	char slave_absent[IFNAMSIZ]; /* first slave that does not exist, "" when none */
	char slave_busy[IFNAMSIZ];   /* first slave with another master, "" when none */
	char slave_master[IFNAMSIZ]; /* ... that master */
};

/* Read the facts of bond b of network `network`. */
int netd_bond_observe(struct netd_nl *nl, const struct netd_bond *b, const char *network,
                      const char *alias, const char *state_dir, struct netd_bond_facts *f);

#define NETD_BOND_NO_DRIVER                                                                        \
	"this kernel has no bonding driver (CONFIG_BONDING); bonds need a kernel with the "        \
	"bonding module"

#endif
