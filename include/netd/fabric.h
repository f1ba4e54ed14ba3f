/*
 * Networks that span hosts: the host's place in a fabric (<config-dir>/NAME.fabric) and the
 * pure parts of its control plane, FRR's BGP EVPN (issue 13).
 *
 * A network with [VXLAN] VNI= gets a VXLAN port vx<VNI> on its bridge (netd/kernel/vxlan.h);
 * zebra finds the VNI by itself and bgpd announces the guests' MACs to the fabric's peers
 * (`advertise-all-vni`), so netd configures FRR once per fabric, not per network: the
 * `router bgp ASN` block of the fabric's ASN is netd's, added while a spanning network is up
 * and removed with the last one. FRR keeps owning the rest of its configuration.
 *
 * Pure: core/config_fabric.c parses the file and checks the networks against it,
 * core/frr_render.c renders vtysh's commands and reads its answers.
 */
#ifndef NETD_FABRIC_H
#define NETD_FABRIC_H

#include "netd/model.h"
#include "netd/nft.h"

#define NETD_VNI_MAX           16777215u /* 24 bits */
#define NETD_VXLAN_PORT        4789      /* IANA's, the kernel's and FRR's default */
#define NETD_VXLAN_OVERHEAD    50        /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 */
#define NETD_FABRIC_PEERS_MAX  64
#define NETD_FABRIC_PEER_GROUP "netd-fabric" /* the reflector's peer group (Listen=) */

/* How the host meets the others: each of them (Peers=), one route reflector
 * (RouteReflector=), or as the reflector itself, accepting whoever comes from a prefix
 * (Listen=). iBGP in every case: one AS for the fabric, so FRR's automatic route targets
 * (ASN:VNI) match on every host. */
enum netd_fabric_role {
	NETD_FABRIC_MESH,
	NETD_FABRIC_CLIENT,
	NETD_FABRIC_REFLECTOR,
};

struct netd_fabric {
	uint32_t asn;
	/* Underlay=: an address of the host (the VTEP) or an interface whose first IPv4
	 * address is; exactly one of the two is set. */
	struct in_addr underlay_addr;
	char underlay_if[IFNAMSIZ];
	enum netd_fabric_role role;
	struct in_addr peers[NETD_FABRIC_PEERS_MAX]; /* Peers=, or the one RouteReflector= */
	size_t n_peers;
	struct netd_prefix listen;          /* Listen= */
	uint16_t port;                      /* Port=, NETD_VXLAN_PORT unless given */
	char frr_socket_dir[NETD_PATH_MAX]; /* FRRSocketDir=; "" FRR's own (vtysh's default) */
	char source[NETD_PATH_MAX];
	unsigned line, line_asn, line_underlay, line_peers, line_port, line_socket;
};

/* ---- config_fabric.c ---- */

/* Parse a fabric file's text ("source" names it in errors). -EINVAL (or -ENOMEM) with diag
 * "source:line: message"; *out is the caller's, freed with free(). */
int netd_fabric_parse_string(const char *text, const char *source, struct netd_fabric **out,
                             struct netd_diag *diag);
int netd_fabric_parse_file(const char *path, struct netd_fabric **out, struct netd_diag *diag);
/* The networks against the fabric: a VNI is used once, and a network with a VNI needs the
 * fabric file. Errors name the network's VNI= line. */
int netd_fabric_check_networks(const struct netd_config *c, struct netd_diag *diag);
/* Whether two fabric files (either NULL: none) say the same of the host's place in the
 * fabric, whatever their lines: a reload that changes it renews every spanning network. */
bool netd_fabric_same(const struct netd_fabric *a, const struct netd_fabric *b);
/* The network's VXLAN port: "vx<VNI>" into buf (IFNAMSIZ). */
void netd_vxlan_port_name(uint32_t vni, char *buf, size_t len);
/* The MAC of a spanning network's bridge, the same on every host (derived from the network's
 * name: locally administered, unicast), so that each host is its guests' gateway under one
 * address and one MAC, and the gateway's frames that flood into the tunnel (its ARP requests)
 * never teach the other hosts' guests another MAC for it. */
void netd_fabric_gateway_mac(const char *network, uint8_t mac[6]);

/* ---- fabric_dhcp.c ---- */

/* This host's slice of a spanning network's DHCP range (first and last, cut in place): its
 * place among the fabric's addresses (self: the underlay's) in order. -ENOTSUP unless the
 * fabric is a full mesh (a client or reflector does not know every host); -ERANGE when the
 * range has fewer addresses than the fabric hosts. */
int netd_fabric_dhcp_slice(const struct netd_fabric *f, struct in_addr self, struct in_addr *first,
                           struct in_addr *last);
/* The same for the DHCPv6 range (the same place, the same cut, in 128-bit arithmetic):
 * -ENOTSUP without a full mesh; -ERANGE when the range has fewer addresses than the fabric
 * hosts (config_fabric.c refuses such a range). */
int netd_fabric_dhcp6_slice(const struct netd_fabric *f, struct in_addr self,
                            struct in6_addr *first, struct in6_addr *last);
/* The cut itself: slice place (0..n-1) of n of [first, last], in place; -ERANGE when the
 * range has fewer than n addresses, -EINVAL for no hosts, a place past them or a reversed
 * range. */
int netd_fabric_dhcp6_cut(size_t n, size_t place, struct in6_addr *first, struct in6_addr *last);
/* How many hosts the ranges are cut for: the full mesh's (the peers and this host), or 0
 * where the fabric is not one (the ranges are then served whole). */
size_t netd_fabric_dhcp_hosts(const struct netd_fabric *f);
/* The MTU guests need by DHCP (option 26) so that full-size packets cross the tunnel: the
 * underlay's less the encapsulation, or 0 when the underlay has room for 1500 (1550 and up). */
unsigned netd_fabric_guest_mtu(unsigned underlay_mtu);

/* ---- nft_guard.c ---- */

/* The chain "input" of table inet netd_fabric: VXLAN (f->port) and BGP accepted from each
 * peer (a reflector: from its Listen= prefix), dropped from anyone else. out->rules is the
 * caller's (free()). */
int netd_nft_fabric_guard(const struct netd_fabric *f, struct netd_nft_chain *out);

/* ---- frr_render.c ---- */

/* One line of the fabric's `router bgp` block as `show running-config` prints it, and as
 * vtysh takes it; in_evpn: inside `address-family l2vpn evpn`. */
struct netd_frr_line {
	bool in_evpn;
	char text[96];
};
#define NETD_FRR_LINES_MAX (4 + 3 * NETD_FABRIC_PEERS_MAX)

/* The block's lines (router_id: the underlay's address); the count, or -ENOSPC. */
int netd_frr_lines(const struct netd_fabric *f, struct in_addr router_id, struct netd_frr_line *v,
                   size_t max);
/* vtysh's commands, one a line ("configure terminal" first): add the block, or remove it
 * (`no router bgp ASN`). Owned by the caller; NULL on ENOMEM. */
char *netd_frr_render_add(const struct netd_fabric *f, struct in_addr router_id);
char *netd_frr_render_remove(const struct netd_fabric *f);
/*
 * What `show running-config` (text) holds of the fabric: 0 no `router bgp ASN` block;
 * 1 the block with every line netd_frr_lines() wants; 2 the block, something missing
 * (the first one in missing).
 */
int netd_frr_config_state(const char *running, const struct netd_fabric *f,
                          struct in_addr router_id, char *missing, size_t len);
/* `show daemons`' answer: which of the two daemons the fabric needs run. */
void netd_frr_daemons_parse(const char *text, bool *zebra, bool *bgpd);

/* ---- frr_status.c ---- */

/* vtysh's commands for the status of VNI vni (three JSON answers), into buf; returns buf. */
char *netd_frr_status_cmds(uint32_t vni, char *buf, size_t len);
/* Their answer as {"peers": [{"address", "state", "uptime"}], "remote_vteps": [...],
 * "local_macs": N, "remote_macs": N}; -EINVAL when it is not three JSON documents. */
struct json_object;
int netd_frr_status_parse(const char *text, struct json_object **out);

#endif
