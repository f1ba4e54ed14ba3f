/* Network modes: each is one `const struct netd_mode_ops` in modes/<name>.c. */
#ifndef NETD_MODE_H
#define NETD_MODE_H

#include "netd/model.h"

struct netd_mode_ops {
	enum netd_mode mode;
	const char *name;
	/* The documents' table for this mode: the policy when [Policy] says nothing. */
	enum netd_policy defaults[NETD_CELL_MAX];
	/* Cells the mode can enforce when flipped away from the default; a [Policy] key for
	 * a cell not in this mask, set to a non-default value, is a config error. */
	unsigned flippable; /* bit (1u << cell) */
	/* Why a cell cannot be flipped, for the error message; NULL where it can. */
	const char *why_not[NETD_CELL_MAX];
	bool needs_address;  /* Address= required */
	bool allows_address; /* Address= permitted at all */
	bool allows_dhcp;    /* [DHCP] permitted (needs an address) */
	bool needs_uplink;   /* Uplink= required (bridged) */
	bool masquerade;     /* NAT the subnet towards the outside */
	bool no_ipv6;        /* bridge gets no IPv6 link-local, accepts no RA */
	/* Extra validation after parsing; returns 0 or -EINVAL with diag "file:line: ...". */
	int (*validate)(const struct netd_network *n, struct netd_diag *diag);
};

const struct netd_mode_ops *netd_mode_ops(enum netd_mode m);

/* Needs net.ipv4.ip_forward=1 while up: any cell that routes through the host is allowed. */
bool netd_network_needs_forwarding(const struct netd_network *n);

/*
 * The one rule of port isolation (IFLA_BRPORT_ISOLATED): with VMToVM=deny every guest's port of
 * the network's bridge is isolated, and its uplink never is: isolated ports still reach
 * non-isolated ones, which is how guests keep the LAN while not seeing each other.
 * port NULL asks about a guest's port.
 */
bool netd_port_isolated(const struct netd_network *n, const char *port);

#endif
