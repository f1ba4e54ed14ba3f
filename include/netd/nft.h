/*
 * netd's nftables layer. Everything lives in one table, `inet netd`:
 *
 *   chain input       filter hook input   prio 0:    iifname vmap @in_if
 *   chain output      filter hook output  prio 0:    oifname vmap @out_if
 *   chain forward     filter hook forward prio 0:    iifname vmap @fwd_in_if
 *                                                    oifname vmap @fwd_out_if
 *   chain postrouting nat hook postrouting prio 100: ip saddr vmap @nat_src (interval map)
 *                                                    ip6 saddr vmap @nat6_src (interval map)
 *
 * All base chains have policy accept: traffic that is not a netd network's is not ours.
 * Each network owns the regular chains in_<net>, out_<net>, fwdi_<net>, fwdo_<net> and,
 * when it masquerades (or, routed, has forwards: then only their hairpin), post_<net>, plus
 * one element in each map pointing at them (jump).
 * So the per-packet cost is one map lookup per hook whatever the number of networks.
 *
 * fwdi_<net> (packets coming from the bridge) never accepts: an allowed packet returns to
 * the base chain so the destination network's fwdo_<net> still has its say.
 *
 * Anti-spoofing, in two layers:
 *  - in_<net> and fwdi_<net> first drop IPv4 whose source is not in the network's subnet
 *    (DHCP's 0.0.0.0 to port 67 excepted), before any accept or conntrack shortcut: a guest
 *    of one network using another's address gets nothing to the host and nothing routed or
 *    masqueraded (post_<net> is chosen by source address alone). With br_netfilter this also
 *    covers IPv4 between two ports of one bridge, whoever attached them.
 *  - GuestSourceCheck binds each guest port netd knows (a [Tap], an attached tap) to its
 *    guest, in a second table, `bridge netd`, where the port itself is the input interface:
 *
 *   chain prerouting  filter hook prerouting prio -200: iifname vmap @port_if
 *
 *    port_if maps each bound port to its chain port_<net>.<port>: the guest's MAC (frames,
 *    ARP sender), its static address or else the subnet (IPv4, ARP sender; 0.0.0.0 only for
 *    DHCP and ARP probes), no VLAN tags. One hash lookup per frame and a fixed handful of
 *    compares in the port's own chain, whatever the number of networks and ports. Attaching
 *    or detaching a guest changes one chain and one element, never the network's other
 *    chains; each port's chain carries its own digest as a label.
 *
 *   chain output      filter hook output prio -200:     oifname vmap @port_out_if
 *
 *    A spanning network's VXLAN port has a chain there too (core/nft_tunnel.c), reached by
 *    what enters from the tunnel (port_if) and by what the host sends into it (port_out_if):
 *    the gateway's frames and DHCP stay on their host.
 *
 * The rules are first built as a small IR (pure), which renders both to text (golden files,
 * `netdctl status`) and to libnftnl expressions (the kernel batch).
 */
#ifndef NETD_NFT_H
#define NETD_NFT_H

#include <stdio.h>

#include "netd/model.h"

#define NETD_NFT_TABLE          "netd"
#define NETD_NFT_CHAIN_MAX      64
#define NETD_NFT_RULE_MATCH_MAX 6
#define NETD_NFT_DIGEST_LEN     16  /* hex chars */
#define NETD_NFT_DRIFT_MAX      512 /* text of what differs from the kernel's tables */
/* Table bridge netd: its map of bound ports and the prefix of a port's chain. */
#define NETD_NFT_PORT_MAP    "port_if"
#define NETD_NFT_PORT_PREFIX "port_"
/* ... and its map of the VXLAN ports, by the port a frame the host sends leaves through
 * (chain output, hook output: oifname vmap @port_out_if), to the same chain. */
#define NETD_NFT_PORT_OUT_MAP "port_out_if"

enum netd_nft_match_kind {
	NETD_NFT_M_IIFNAME,     /* iifname "x" */
	NETD_NFT_M_OIFNAME,     /* oifname "x" */
	NETD_NFT_M_OIFNAME_NE,  /* oifname != "x" */
	NETD_NFT_M_IP_SADDR,    /* ip saddr prefix */
	NETD_NFT_M_IP_DADDR,    /* ip daddr prefix */
	NETD_NFT_M_IP_DADDR_NE, /* ip daddr != prefix */
	NETD_NFT_M_L4PROTO,     /* meta l4proto tcp|udp|icmp */
	NETD_NFT_M_UDP_DPORT,   /* udp dport N */
	NETD_NFT_M_UDP_SPORT,   /* udp sport N */
	NETD_NFT_M_TCP_DPORT,   /* tcp dport N */
	NETD_NFT_M_TCP_SPORT,   /* tcp sport N */
	NETD_NFT_M_CT_STATE,    /* ct state in mask (established,related) */
	NETD_NFT_M_IP_SADDR_NE, /* ip saddr != prefix */
	/* table bridge netd only: the frame as the guest's port received it */
	NETD_NFT_M_ETHER_SADDR_NE, /* ether saddr != mac */
	NETD_NFT_M_ETHER_TYPE,     /* ether type N (the outer one: 8021q for a tagged frame) */
	NETD_NFT_M_ARP_SHA_NE,     /* arp saddr ether != mac */
	NETD_NFT_M_ARP_SPA,        /* arp saddr ip prefix */
	NETD_NFT_M_ARP_SPA_NE,     /* arp saddr ip != prefix */
	NETD_NFT_M_CT_DNAT,        /* ct status dnat (a port forward's connection) */
	NETD_NFT_M_FWD_ALLOW,      /* ip daddr . meta l4proto . th dport @fwd_allow */
	/* IPv6 (issue 10; nft_build6.c): the same chains judge both families */
	NETD_NFT_M_IP6_SADDR_NE, /* ip6 saddr != prefix6 */
	NETD_NFT_M_IP6_DADDR_NE, /* ip6 daddr != prefix6 */
	NETD_NFT_M_IP6_DADDR,    /* ip6 daddr prefix6 */
	NETD_NFT_M_ICMPV6_TYPE,  /* icmpv6 type N (implies meta nfproto ipv6, l4proto icmpv6) */
	NETD_NFT_M_ETHER_SADDR,  /* ether saddr mac (a VXLAN port's chain: the gateway's) */
	NETD_NFT_M_ARP_TPA,      /* arp daddr ip prefix */
	/* GuestSourceCheck for IPv6 (nft_ports6.c) */
	NETD_NFT_M_IP6_SADDR,       /* ip6 saddr prefix6 */
	NETD_NFT_M_ICMPV6_TADDR,    /* icmpv6 taddr prefix6 (neighbour discovery's target) */
	NETD_NFT_M_ICMPV6_TADDR_NE, /* icmpv6 taddr != prefix6 */
};

enum netd_nft_ct_bits { /* the kernel's NF_CT_STATE_BIT values */
	                NETD_NFT_CT_INVALID = 1u << 0,
	                NETD_NFT_CT_ESTABLISHED = 1u << 1,
	                NETD_NFT_CT_RELATED = 1u << 2,
	                NETD_NFT_CT_NEW = 1u << 3,
};

struct netd_nft_match {
	enum netd_nft_match_kind kind;
	union {
		char ifname[IFNAMSIZ];
		struct netd_prefix prefix;
		uint8_t l4proto;   /* IPPROTO_* */
		uint16_t port;     /* host byte order */
		uint32_t ct_state; /* netd_nft_ct_bits */
		uint8_t mac[6];
		uint16_t ether_type; /* host byte order, ETH_P_* */
		struct netd_prefix6 prefix6;
		uint8_t icmp_type; /* ICMPv6 type */
	} u;
};

enum netd_nft_verdict {
	NETD_NFT_V_ACCEPT,
	NETD_NFT_V_DROP,
	NETD_NFT_V_RETURN,
	NETD_NFT_V_REJECT,           /* reject with icmpx admin-prohibited (fast failure) */
	NETD_NFT_V_REJECT_TCP_RESET, /* reject with tcp reset: a TCP connect fails at once; an
	                              * ICMP error only fails it at the SYN retry, 1 s later */
	NETD_NFT_V_MASQUERADE,       /* plain masquerade */
	NETD_NFT_V_MASQUERADE_PORTS, /* masquerade to :port_min-port_max */
	NETD_NFT_V_SNAT,             /* snat ip to nat_addr */
	NETD_NFT_V_SNAT_PORTS,       /* snat ip to nat_addr:port_min-port_max */
};

struct netd_nft_rule {
	struct netd_nft_match match[NETD_NFT_RULE_MATCH_MAX];
	size_t n_match;
	enum netd_nft_verdict verdict;
	uint16_t port_min, port_max;
	struct in_addr nat_addr; /* SNAT's */
};

enum netd_nft_chain_kind {
	NETD_NFT_CHAIN_IN,   /* in_<net>:   iifname <bridge>, hook input */
	NETD_NFT_CHAIN_OUT,  /* out_<net>:  oifname <bridge>, hook output */
	NETD_NFT_CHAIN_FWDI, /* fwdi_<net>: iifname <bridge>, hook forward */
	NETD_NFT_CHAIN_FWDO, /* fwdo_<net>: oifname <bridge>, hook forward */
	NETD_NFT_CHAIN_POST, /* post_<net>: ip saddr in subnet, hook postrouting (nat) */
	/* post6_<net>: ip6 saddr in the IPv6 prefix (NAT66), hook postrouting, map nat6_src */
	NETD_NFT_CHAIN_POST6,
	NETD_NFT_CHAIN_KINDS,
};

struct netd_nft_chain {
	bool present; /* POST: the network masquerades, or has forwards (hairpin) */
	char name[NETD_NFT_CHAIN_MAX];
	struct netd_nft_rule *rules;
	size_t n_rules;
};

/* A guest netd knows the port of: an attached tap's record, or a [Tap]. */
struct netd_nft_guest {
	char port[IFNAMSIZ];
	uint8_t mac[6];
	struct in_addr addr; /* its static lease; s_addr 0: none (the subnet is checked) */
	/* its IPv6 address (attach --address); :: none: a [Host] with its MAC may give one,
	 * else only the inet chains' prefix check applies */
	struct in6_addr addr6;
};

/* One bound port: its chain port_<net>.<port> in table bridge netd and its element. */
struct netd_nft_port {
	char ifname[IFNAMSIZ];
	struct netd_nft_chain chain;
	bool tunnel; /* a VXLAN port: the frames the host sends through it too (port_out_if) */
	/* Hash of the port's text (chain and element): on the chain's first rule. */
	char digest[NETD_NFT_DIGEST_LEN + 1];
};

/*
 * Port forwards (netd/forward.h, core/nft_forward.c): four maps of table inet netd, one element
 * per forwarded port, each labelled with its network's name (an element comment "netd:<net>").
 * They and the base chains below are made by the first network with forwards (a host without
 * any has none of them) and go with the table. Base chain prerouting (nat, dstnat) and
 * output_dnat (nat hook output, dstnat) look the
 * packet up by (address, protocol, port), so a new connection costs three hash lookups
 * whatever the number of forwards and networks (and established ones none: NAT chains see
 * only a connection's first packet):
 *
 *   ip daddr . meta l4proto . th dport @fwd_skip accept              (the bridge's own address)
 *   fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @fwd_addr
 *   ip daddr != 127.0.0.0/8 fib daddr type local dnat ip to meta l4proto . th dport map @fwd_any
 *
 * and a network with forwards accepts what was DNATed to a forward's guest port in fwdo_<net>
 * and out_<net> (ct status dnat ip daddr . meta l4proto . th dport @fwd_allow accept) before
 * its OutsideToVM/HostToVM cell can refuse it. Base chain postrouting_lo (nat, srcnat)
 * masquerades a forwarded connection from 127.0.0.0/8 (HostAddress=127.0.0.1), and post_<net>
 * one from the network's own guests (hairpin: `oifname <bridge> ct status dnat masquerade`), so
 * the guest answers the host. A routed network has post_<net> for that rule alone: the hairpin
 * is all it masquerades, its guests keep their own source address for everything else.
 */
#define NETD_NFT_FWD_ADDR  "fwd_addr"  /* ip . proto . port : guest . port (HostAddress=) */
#define NETD_NFT_FWD_ANY   "fwd_any"   /* proto . port : guest . port (any host address) */
#define NETD_NFT_FWD_SKIP  "fwd_skip"  /* the bridge's address . proto . port: not forwarded */
#define NETD_NFT_FWD_ALLOW "fwd_allow" /* guest . proto . port: accepted once DNATed */

/* One forwarded port. */
struct netd_nft_fwd {
	uint8_t proto;            /* IPPROTO_TCP, IPPROTO_UDP */
	struct in_addr host_addr; /* s_addr 0: any of the host's but the bridge's */
	uint16_t host_port;       /* host byte order */
	struct in_addr guest;
	uint16_t guest_port;
};

/* Everything one network puts into tables inet netd and bridge netd. */
struct netd_nft_net {
	char network[NETD_NAME_MAX];
	char bridge[IFNAMSIZ];
	struct netd_prefix subnet; /* network address + len; meaningful when has_subnet */
	bool has_subnet;
	struct netd_prefix6 subnet6; /* the IPv6 prefix (network bits only); has_subnet6 */
	bool has_subnet6;
	struct netd_nft_chain chains[NETD_NFT_CHAIN_KINDS];
	/* Hash of the rendered text of the inet chains and elements: a label on the first rule
	 * of the network's chains (nft list shows it as a comment). Never trusted for "in
	 * place": the kernel's rules are compared with these by content
	 * (include/netd/kernel/nft.h). */
	char digest[NETD_NFT_DIGEST_LEN + 1];
	struct netd_nft_port *ports; /* GuestSourceCheck: the bound ports, by port name */
	size_t n_ports;
	/* Its forwards, declared and live, one per port (their elements are in the digest). */
	struct netd_nft_fwd *fwds;
	size_t n_fwds;
	struct in_addr bridge_addr; /* the host's address on the bridge (fwd_skip's key) */
	/* A forward asks for HostAddress=127.x: the bridge needs route_localnet=1. */
	bool route_localnet;
};

/* Pure: the rules a network needs, from its mode and [Policy], its [Tap]s bound to their
 * guests. A bridged network needs no inet chains (its guests are on the LAN): *out has none
 * present, and only its ports when it has [Tap]s. */
int netd_nft_net_build(const struct netd_network *n, struct netd_nft_net **out);
/* The same with more guests bound (attached taps; those a [Tap] declares are skipped, the
 * [Tap] says what its guest is). No ports at all with GuestSourceCheck=no. */
int netd_nft_net_build_guests(const struct netd_network *n, const struct netd_nft_guest *guests,
                              size_t n_guests, struct netd_nft_net **out);
void netd_nft_net_free(struct netd_nft_net *x);
const char *netd_nft_chain_prefix(enum netd_nft_chain_kind k); /* "in_", "out_", ... */
/* The port's entry in x, or NULL. */
const struct netd_nft_port *netd_nft_net_port(const struct netd_nft_net *x, const char *ifname);
/* "port_<net>.<port>" into buf (NETD_NFT_CHAIN_MAX): -EINVAL for names that are not valid. */
int netd_nft_port_chain(const char *network, const char *port, char *buf);
/* Is chain a port chain of network? Fills port (IFNAMSIZ) when so. */
bool netd_nft_port_of(const char *chain, const char *network, char *port);
/* Whose chain is it? true with network filled (NETD_NAME_MAX) for a network's own chain
 * (in_<net>, ..., post_<net>) or one of its port chains (port_<net>.<port>); false for a base
 * chain or a name netd does not make. */
bool netd_nft_chain_owner(const char *chain, char *network);
/* FNV-1a 64 of text, as NETD_NFT_DIGEST_LEN hex chars. */
void netd_nft_digest(const char *text, size_t len, char out[NETD_NFT_DIGEST_LEN + 1]);

/* Pure: nft(8)-style text of a network's chains and map elements (golden files, status):
 * table inet netd's, then table bridge netd's. */
int netd_nft_render_net(const struct netd_nft_net *x, FILE *out);
/* Only table inet netd's part (what x->digest is the hash of). */
int netd_nft_render_inet(const struct netd_nft_net *x, FILE *out);
/* One port's chain and element (what its digest is the hash of). */
int netd_nft_render_port(const struct netd_nft_port *p, FILE *out);
/* The element lines of x's forwards, as nft(8) takes them (part of netd_nft_render_inet). */
int netd_nft_render_forwards(const struct netd_nft_net *x, FILE *out);
/* Pure: the text of the base tables (base chains and empty maps). */
int netd_nft_render_base(FILE *out);
/* Render one rule as nft text, e.g. `iifname "virbr0" udp dport 67 accept`. */
int netd_nft_render_rule(const struct netd_nft_rule *r, FILE *out);

#endif
