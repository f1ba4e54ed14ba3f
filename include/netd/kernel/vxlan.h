/*
 * A spanning network's VXLAN port (netd/kernel/vxlan.c): `vx<VNI>` with the network's alias,
 * local = the underlay's address, its UDP port, learning off and no remote or group, since
 * zebra owns its FDB (the flood list of remote VTEPs and their MACs come from BGP EVPN); MTU
 * the underlay's less the 50 bytes of encapsulation. Enslaved to the network's bridge with
 * the port's learning off and neigh_suppress on (the bridge answers ARP from the neighbours
 * zebra installs), isolated as the policy says.
 */
#ifndef NETD_KERNEL_VXLAN_H
#define NETD_KERNEL_VXLAN_H

#include "netd/model.h"

struct netd_nl;

/* Where the host's VTEP is: its address, the link that has it and that link's MTU. */
struct netd_underlay {
	struct in_addr addr;
	char ifname[IFNAMSIZ];
	unsigned mtu;
};

/* The underlay from Underlay=: an address of the host (addr set, ifname "") or an
 * interface whose first IPv4 address is used (ifname set). -EADDRNOTAVAIL / -ENODEV with
 * diag saying what is missing. */
int netd_underlay_resolve(struct netd_nl *nl, struct in_addr addr, const char *ifname,
                          struct netd_underlay *out, struct netd_diag *diag);

struct netd_vxlan_spec {
	char name[IFNAMSIZ];
	const char *alias; /* "netd:<network>" */
	uint32_t vni;
	struct in_addr local;
	uint16_t port;
	unsigned mtu;
	char bridge[IFNAMSIZ];
	bool isolated;
};

/* What the kernel has under a VXLAN port's name. */
struct netd_vxlan_facts {
	bool exists;
	char kind[32];
	char alias[256];
	uint32_t vni;
	struct in_addr local;
	uint16_t port;
	bool learning;   /* the device's own (IFLA_VXLAN_LEARNING) */
	bool has_remote; /* a default remote or group (IFLA_VXLAN_GROUP) */
	int master;      /* ifindex, 0 none */
	unsigned mtu;
	bool up;
	int port_learning; /* bridge port flags: 1/0, -1 unknown (not a port) */
	int neigh_suppress;
	int isolated;
};

/* Create, enslave and set up the port; on failure nothing is left (diag names the step). */
int netd_vxlan_create(struct netd_nl *nl, const struct netd_vxlan_spec *s, struct netd_diag *diag);
/* exists false when no link has the name. */
int netd_vxlan_get(struct netd_nl *nl, const char *name, struct netd_vxlan_facts *out);
/* The facts are what spec asks for (bridge_index: the bridge's ifindex). */
bool netd_vxlan_matches(const struct netd_vxlan_facts *f, const struct netd_vxlan_spec *s,
                        int bridge_index);

#endif
