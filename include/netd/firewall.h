/*
 * Other firewalls on the host. An accept in table inet netd does not override a drop in
 * another table (Docker's FORWARD policy drop, firewalld, ufw): every base chain on a hook
 * gets its say. netd finds such chains and names the matrix cells they break, instead of
 * half-working in silence.
 */
#ifndef NETD_FIREWALL_H
#define NETD_FIREWALL_H

#include <stdint.h>

#include "netd/model.h"

enum netd_fw_hook {
	NETD_FW_HOOK_INPUT,
	NETD_FW_HOOK_FORWARD,
	NETD_FW_HOOK_OUTPUT,
	NETD_FW_HOOK_OTHER,
};

/* A base chain of a table that is not netd's. */
struct netd_fw_chain {
	char family[8]; /* "ip", "ip6", "inet", "bridge", "arp", "netdev" */
	char table[64];
	char chain[64];
	enum netd_fw_hook hook;
	int priority;
	bool policy_drop;
	unsigned drop_rules; /* rules of the chain itself ending in drop or reject */
};

/* One finding: a chain that blocks (policy drop) or may block (drop rules) some cells. */
struct netd_fw_finding {
	const struct netd_fw_chain *chain;
	bool certain;   /* policy drop: every packet not accepted there is dropped */
	unsigned cells; /* bit (1u << enum netd_cell) of the network's allowed cells hit */
};

/*
 * Pure. Which of the network's allowed cells each foreign chain can break. bridge_nf: IPv4
 * bridged traffic passes the inet/ip forward hook (br_netfilter's bridge-nf-call-iptables=1),
 * so a forward drop also breaks VM <-> VM, and every cell of a bridged network.
 * Returns the number of findings written to out (at most max).
 */
size_t netd_fw_check(const struct netd_network *n, const struct netd_fw_chain *chains,
                     size_t n_chains, bool bridge_nf, struct netd_fw_finding *out, size_t max);

/* Pure: one line for a finding, e.g. "table ip filter chain FORWARD (hook forward, policy drop)
 * blocks VMToOutside, OutsideToVM: ...what to do". */
void netd_fw_describe(const struct netd_fw_finding *f, char *buf, size_t len);

#endif
