/* Bonds in the kernel, over rtnetlink (bond.c); the options and their rules are netd/bond.h. */
#ifndef NETD_KERNEL_BOND_H
#define NETD_KERNEL_BOND_H

#include "netd/bond.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/uplink.h"
#include "netd/util/state_file.h"

/*
 * bond.c. Bring the bond of network `network` up: save each slave's state in
 * <state_dir>/<network>.bond, create the bond down with its mode and options and `alias`,
 * enslave each slave (its IPv6 off it first, then down, enslave, up), set the bond up and move
 * the slaves' IPv4 and IPv6 addresses and routes onto it (so that the uplink code then moves
 * them onto the bridge); the bond gets the IPv6 sysctls of netd_bond_saved_v6_donor's slave. A
 * failure undoes everything. On a kernel without the bonding driver the diag says so.
 */
int netd_bond_up(struct netd_nl *nl, const struct netd_bond *b, const char *alias,
                 const char *state_dir, const char *network, struct netd_diag *diag);
/*
 * Delete the bond (when it exists and carries `alias`) and give each saved slave back exactly
 * as it was: no master, its MAC, MTU, up/down state, addresses and routes, IPv6 sysctls (IPv6
 * lifetimes as the bond has them, refreshed by RAs while the network was up). Keeps going on
 * errors, reports the first; forgets the saved state when all went well. No saved state and
 * no bond: 0. A bond of ours without a saved state that loads (nor a .prev that agrees with
 * the kernel) is never deleted: -EBUSY, diag naming the file and why, and nothing changes;
 * a file that does not load, and no bond: -EINVAL naming it, and the file stays.
 */
int netd_bond_down(struct netd_nl *nl, const char *bond, const char *alias, const char *state_dir,
                   const char *network, struct netd_diag *diag);
/* 1 when <state_dir>/<network>.bond exists (whether or not it loads). */
int netd_bond_saved(const char *state_dir, const char *network);

/* ---- <state_dir>/<network>.bond (bond_state.c): a state file of kind "bond" ---- */

#define NETD_BOND_KIND "bond"

/* A slave's JSON is its uplink snapshot's (kernel/uplink.h) with "mtu": a slave saved before
 * netd moved IPv6 has no "ipv6" (s.v6.present false), and only IPv4 is given back to it. */
struct netd_bond_slave_state {
	struct netd_uplink_state s; /* name, MAC, up, addresses, routes (IPv6 in s.v6) */
	unsigned mtu;
};

/* Each slave as it was before netd enslaved it. */
struct netd_bond_saved {
	char bond[IFNAMSIZ];
	struct netd_bond_slave_state slaves[NETD_BOND_MAX_SLAVES];
	size_t n;
};

/* Pure: JSON text and back (caller frees *out); -EINVAL for anything malformed. */
int netd_bond_saved_to_json(const struct netd_bond_saved *sv, char **out);
int netd_bond_saved_from_json(const char *text, struct netd_bond_saved *sv);
int netd_bond_saved_write(const char *state_dir, const char *network,
                          const struct netd_bond_saved *sv);
/* 0; -ENOENT: no such file; -EINVAL: it does not load (info, may be NULL, says why). */
int netd_bond_saved_load(const char *state_dir, const char *network, enum netd_state_copy which,
                         struct netd_bond_saved *sv, struct netd_state_info *info);
/* The file and its previous copy; -EISDIR (diag) when something else lies there. */
int netd_bond_saved_forget(const char *state_dir, const char *network, struct netd_diag *diag);

/* Pure: the slave whose IPv6 sysctls the bond takes (so it runs SLAAC as that slave did): the
 * first with IPv6 addresses or routes to move (the host's IPv6 ran on it), else the first with
 * IPv6 at all; -1 when none has. */
int netd_bond_saved_v6_donor(const struct netd_bond_saved *sv);

/* What netd holds on disk of a bond's slaves, and what `down` gives them back from. */
struct netd_bond_file {
	int loads;                   /* 0: it loads; -ENOENT: no file; -EINVAL: it does not */
	struct netd_state_info info; /* why not, when it does not (or is missing) */
	bool prev_loads;             /* <file>.prev loads */
	bool prev_used; /* the file does not load, and its .prev agrees with the kernel (names
	                 * this bond, whose slaves are the ones the kernel has): down uses it */
};
/* Which copy of the bond file down uses, and in *sv what it says (sv empty when none). */
int netd_bond_saved_pick(struct netd_nl *nl, const char *bond, const char *state_dir,
                         const char *network, struct netd_bond_saved *sv, struct netd_bond_file *f);

/* What the kernel has of a network's bond and its slaves. */
struct netd_bond_facts {
	bool exists;   /* a link has the bond's name */
	bool ours;     /* ... and it is a bond with our alias */
	char kind[32]; /* of the link under the name */
	char alias[256];
	bool saved;                  /* netd holds the slaves' state: the file or its .prev */
	struct netd_bond_file file;  /* the file, when it does not load */
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
