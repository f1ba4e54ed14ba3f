/*
 * Bonds: a bridged network's uplink made from host NICs, in any of the kernel's seven modes.
 *
 * bond_opts.c (pure): the mode table indexed by the kernel's value (like iproute2's
 * ip/iplink_bond.c, a name or a number is accepted), the value tables of the other options,
 * and which modes each option applies to (the kernel's rules in bond_options.c and
 * Documentation/networking/bonding.rst).
 * The [Bond] section of a network file is read through the config's key table
 * (netd/core/config_keys.c, one row an option, named by netd_bond_opt()) and checked by
 * config_bond.c once the file is read.
 * The kernel side (create, enslave, give back) is include/netd/kernel/bond.h.
 */
#ifndef NETD_BOND_H
#define NETD_BOND_H

#include <stdbool.h>
#include <stddef.h>

#include "netd/model.h"

/* One per [Bond] key; indexes netd_bond.opt_line. */
enum netd_bond_opt {
	NETD_BOND_OPT_NAME,
	NETD_BOND_OPT_MODE,
	NETD_BOND_OPT_SLAVES,
	NETD_BOND_OPT_MIIMON,
	NETD_BOND_OPT_UPDELAY,
	NETD_BOND_OPT_DOWNDELAY,
	NETD_BOND_OPT_ARP_INTERVAL,
	NETD_BOND_OPT_ARP_IP_TARGETS,
	NETD_BOND_OPT_ARP_VALIDATE,
	NETD_BOND_OPT_ARP_ALL_TARGETS,
	NETD_BOND_OPT_LACP_RATE,
	NETD_BOND_OPT_AD_SELECT,
	NETD_BOND_OPT_AD_ACTOR_SYS_PRIO,
	NETD_BOND_OPT_AD_USER_PORT_KEY,
	NETD_BOND_OPT_AD_ACTOR_SYSTEM,
	NETD_BOND_OPT_XMIT_HASH_POLICY,
	NETD_BOND_OPT_PRIMARY,
	NETD_BOND_OPT_PRIMARY_RESELECT,
	NETD_BOND_OPT_FAIL_OVER_MAC,
	NETD_BOND_OPT_MIN_LINKS,
	NETD_BOND_OPT_RESEND_IGMP,
	NETD_BOND_OPT_NUM_PEER_NOTIF,
	NETD_BOND_OPT_ALL_SLAVES_ACTIVE,
	NETD_BOND_OPT_PACKETS_PER_SLAVE,
	NETD_BOND_OPT_LP_INTERVAL,
	NETD_BOND_OPT_TLB_DYNAMIC_LB,
	NETD_BOND_OPT_ARP_MISSED_MAX,
	NETD_BOND_OPT_PEER_NOTIFY_DELAY,
	NETD_BOND_OPT_MAX,
};

enum netd_bond_mode {
	NETD_BOND_BALANCE_RR,
	NETD_BOND_ACTIVE_BACKUP,
	NETD_BOND_BALANCE_XOR,
	NETD_BOND_BROADCAST,
	NETD_BOND_8023AD,
	NETD_BOND_BALANCE_TLB,
	NETD_BOND_BALANCE_ALB,
	NETD_BOND_MODES,
};

#define NETD_BOND_ALL_MODES ((1u << NETD_BOND_MODES) - 1)

/* A value table of the kernel (index = the kernel's value, NULL where none). */
struct netd_bond_table {
	const char *const *names;
	size_t n;
};

/*
 * What the kernel and systemd-networkd say of one option, each a set of modes (bit 1u << mode):
 * where the kernel uses it (elsewhere it is stored and ignored), where the kernel accepts it
 * (elsewhere it refuses the whole bond), and where networkd sends it to the kernel (elsewhere
 * networkd drops it without a word). netd sends what networkd sends, so a [Bond] written for
 * networkd gives the same kernel options here.
 */
struct netd_bond_opt_def {
	const char *key;    /* the [Bond] key, systemd-networkd's name where it has one */
	const char *kernel; /* the kernel's option name (sysfs, `ip link ... type bond`) */
	unsigned modes;     /* where the kernel uses it */
	unsigned accepted;  /* where the kernel accepts it */
	unsigned sent;      /* where networkd (and so netd) sends it */
};

/* What a [Bond] says that networkd would accept without a word but a user should know: an
 * option the mode ignores, a delay the kernel rounds. Pure text, each with its key's line. */
#define NETD_BOND_NOTES_MAX 8
struct netd_bond_notes {
	size_t n;
	unsigned line[NETD_BOND_NOTES_MAX];
	char text[NETD_BOND_NOTES_MAX][256];
};

extern const struct netd_bond_table netd_bond_modes, netd_bond_xmit_hash_policies,
    netd_bond_arp_validates, netd_bond_arp_all_targets, netd_bond_lacp_rates, netd_bond_ad_selects,
    netd_bond_primary_reselects, netd_bond_fail_over_macs;

/* "balance-rr", ...; NULL out of range. */
const char *netd_bond_mode_to_string(unsigned mode);
/* A name or a number ("4", "802.3ad"); -EINVAL for anything else. */
int netd_bond_mode_from_string(const char *s);
const char *netd_bond_table_name(const struct netd_bond_table *t, unsigned v);
int netd_bond_table_lookup(const struct netd_bond_table *t, const char *s);
/* "a, b or c" into buf; returns buf. */
char *netd_bond_table_list(const struct netd_bond_table *t, char *buf, size_t len);

const struct netd_bond_opt_def *netd_bond_opt(enum netd_bond_opt o);
int netd_bond_opt_by_key(const char *key); /* enum netd_bond_opt, or -ENOENT */
/* "balance-xor, 802.3ad and balance-tlb": the modes in a mask, into buf; returns buf. */
char *netd_bond_modes_list(unsigned modes, char *buf, size_t len);

/*
 * Pure. Rules among the options of one bond once the whole [Bond] is read. Errors are what
 * the kernel would refuse (an option sent in a mode that refuses it, MII and ARP monitoring
 * both, a delay without the MII monitor) and Primary not a slave: -EINVAL with *line (of the
 * offending key) and msg (no "file:line: " prefix). What the kernel accepts and ignores or
 * rounds is a note in *notes (may be NULL), as networkd accepts it: 0.
 */
int netd_bond_check(const struct netd_bond *b, struct netd_bond_notes *notes, unsigned *line,
                    char *msg, size_t len);

/* Pure. Whether option o goes to the kernel: given, and sent by networkd's rules (its mode,
 * a non-zero value where 0 means off, ARP targets and lp_interval only with ARP monitoring). */
bool netd_bond_opt_sent(const struct netd_bond *b, enum netd_bond_opt o);

#endif
