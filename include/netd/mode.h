/*
 * Network modes: each is one `const struct netd_mode_ops` in modes/<name>.c, and modes.c is the
 * table of them. Every decision that depends on the mode is a field or hook below, read where the
 * decision is taken; nothing outside modes/ and the model compares a NETD_MODE_ value
 * (tests/layers/check_layers.sh). Modes decide; they open no sockets and call nothing but the
 * model. tests/unit/test_modes.c checks each mode's entries against the documents' matrix.
 */
#ifndef NETD_MODE_H
#define NETD_MODE_H

#include <stdint.h>

#include "netd/model.h"

struct netd_mode_ops {
	enum netd_mode mode; /* its index in the table: netd_mode_ops(mode) returns this */
	const char *name;    /* the Mode= value, as netd_mode_to_string(mode) spells it */

	/* ---- the policy ---- */
	/* The documents' table for this mode: the policy when [Policy] says nothing. */
	enum netd_policy defaults[NETD_CELL_MAX];
	/* Cells the mode can enforce when flipped away from the default; a [Policy] key for
	 * a cell not in this mask, set to a non-default value, is a config error. */
	unsigned flippable; /* bit (1u << cell) */
	/* Why a cell cannot be flipped, for the error message; NULL where it can. */
	const char *why_not[NETD_CELL_MAX];

	/* ---- what a definition may say (config validation) ---- */
	bool needs_address;  /* Address= required */
	bool allows_address; /* Address= permitted at all */
	bool allows_dhcp;    /* [DHCP] permitted (needs an address) */
	bool needs_uplink;   /* Uplink= required, and only then permitted */

	/* ---- how guests' traffic crosses the host ---- */
	/*
	 * Switched, not routed: the guests are hosts of the uplink's LAN and their traffic with
	 * the host and the LAN is switched by the bridge. So netd writes no nft chains for the
	 * network (nothing it routes is there to filter; the cells it could not enforce are not
	 * flippable), never needs forwarding, and gives the bridge no address: the network's
	 * address is the LAN's, which the uplink brings to the bridge. For a foreign firewall,
	 * every cell crosses the forward hook when br_netfilter is on (firewall_check.c).
	 * Not switched: whatever leaves the bridge for the host or beyond passes the host's IPv4
	 * input, output and forward hooks, where the network's chains enforce its [Policy].
	 */
	bool switched;
	/*
	 * The host routes between the guests and the outside while [Policy] allows VMToOutside
	 * or OutsideToVM: net.ipv4.ip_forward=1 while up (netd_network_needs_forwarding). A
	 * routed mode has the host's address on the bridge (needs_address); never switched.
	 */
	bool routed;
	/*
	 * Guests get the host as their default router (DHCP option 3) whatever the policy: they
	 * expect a gateway, as libvirt's NAT guests do, even with VMToOutside denied. Without it
	 * they get one only while the network needs forwarding, and an empty option otherwise,
	 * so no guest sends its default route to a host that does not route for it
	 * (netd_network_host_is_router). Implies routed.
	 */
	bool host_is_router;
	/* NAT the subnet towards the outside (chain post_<net>). Implies routed. A routed mode
	 * without it has post_<net> only for the hairpin of its forwards (core/nft_forward.c). */
	bool masquerade;
	/*
	 * net.ipv4.conf.<bridge>.arp_ignore, written when the bridge is made. Linux answers ARP on
	 * any interface for any of the host's addresses (arp_ignore=0), which tells a guest that
	 * the host is there, and where, on a network that must not see it. 0 leaves the kernel's
	 * default; 1 answers only for the bridge's own address (a host address that serves DHCP
	 * and DNS); 8 answers for none (the host has no address there).
	 */
	uint8_t arp_ignore;
	/*
	 * Where the network has no IPv6 prefix, the bridge gets no IPv6 at all (no link-local
	 * address, no router advertisements taken), so nothing reaches the host behind the IPv4
	 * rules. Every mode whose bridge is netd's own has it; bridged does not (its bridge
	 * carries the uplink's IPv6, core/uplink_v6.c).
	 */
	bool no_ipv6;
	/*
	 * Why the mode's networks cannot span hosts ([VXLAN] VNI=, netd/fabric.h), for the
	 * error message; NULL where they can. A VXLAN port on a bridge that also holds a LAN
	 * uplink joins two layer-2 segments through two paths: a loop, with no spanning tree.
	 */
	const char *why_no_vxlan;
	/*
	 * [Forward] sections and `netdctl forward add` are allowed: the host has an address on the
	 * bridge and routes to the guests, so it can DNAT a port of its own to one of them
	 * (netd/forward.h). A mode without it refuses them: nothing crosses the host to forward.
	 */
	bool port_forwards;

	/* ---- hooks ---- */
	/* Extra validation after parsing; returns 0 or -EINVAL with diag "file:line: ...". */
	int (*validate)(const struct netd_network *n, struct netd_diag *diag);
};

/* The mode's entry; NULL for a value outside enum netd_mode. */
const struct netd_mode_ops *netd_mode_ops(enum netd_mode m);

/* Needs net.ipv4.ip_forward=1 while up: a routed mode with a cell allowed that routes through the
 * host (VMToOutside or OutsideToVM). */
bool netd_network_needs_forwarding(const struct netd_network *n);

/* Guests get the host's address as their default router (DHCP option 3): where the mode says so
 * always (host_is_router), elsewhere while the network needs forwarding. */
bool netd_network_host_is_router(const struct netd_network *n);

/*
 * The one rule of port isolation (IFLA_BRPORT_ISOLATED): with VMToVM=deny every guest's port of
 * the network's bridge is isolated, and its uplink never is: isolated ports still reach
 * non-isolated ones, which is how guests keep the LAN while not seeing each other.
 * port NULL asks about a guest's port.
 */
bool netd_port_isolated(const struct netd_network *n, const char *port);

#endif
