/*
 * netd's nftables layer. Everything lives in one table, `inet netd`:
 *
 *   chain input       filter hook input   prio 0:    iifname vmap @in_if
 *   chain output      filter hook output  prio 0:    oifname vmap @out_if
 *   chain forward     filter hook forward prio 0:    iifname vmap @fwd_in_if
 *                                                    oifname vmap @fwd_out_if
 *   chain postrouting nat hook postrouting prio 100: ip saddr vmap @nat_src (interval map)
 *
 * All base chains have policy accept: traffic that is not a netd network's is not ours.
 * Each network owns the regular chains in_<net>, out_<net>, fwdi_<net>, fwdo_<net> and,
 * when it masquerades, post_<net>, plus one element in each map pointing at them (jump).
 * So the per-packet cost is one map lookup per hook whatever the number of networks.
 *
 * fwdi_<net> (packets coming from the bridge) never accepts: an allowed packet returns to
 * the base chain so the destination network's fwdo_<net> still has its say.
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
#define NETD_NFT_DRIFT_MAX      512 /* text of what differs from the kernel's table */

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
	NETD_NFT_V_MASQUERADE_PORTS  /* masquerade to :port_min-port_max */
};

struct netd_nft_rule {
	struct netd_nft_match match[NETD_NFT_RULE_MATCH_MAX];
	size_t n_match;
	enum netd_nft_verdict verdict;
	uint16_t port_min, port_max;
};

enum netd_nft_chain_kind {
	NETD_NFT_CHAIN_IN,   /* in_<net>:   iifname <bridge>, hook input */
	NETD_NFT_CHAIN_OUT,  /* out_<net>:  oifname <bridge>, hook output */
	NETD_NFT_CHAIN_FWDI, /* fwdi_<net>: iifname <bridge>, hook forward */
	NETD_NFT_CHAIN_FWDO, /* fwdo_<net>: oifname <bridge>, hook forward */
	NETD_NFT_CHAIN_POST, /* post_<net>: ip saddr in subnet, hook postrouting (nat) */
	NETD_NFT_CHAIN_KINDS,
};

struct netd_nft_chain {
	bool present; /* POST only exists when the network masquerades */
	char name[NETD_NFT_CHAIN_MAX];
	struct netd_nft_rule *rules;
	size_t n_rules;
};

/* Everything one network puts into table inet netd. */
struct netd_nft_net {
	char network[NETD_NAME_MAX];
	char bridge[IFNAMSIZ];
	struct netd_prefix subnet; /* network address + len; meaningful when has_subnet */
	bool has_subnet;
	struct netd_nft_chain chains[NETD_NFT_CHAIN_KINDS];
	/* Hash of the rendered text: a label on the first rule of the network's chains (nft
	 * list shows it as a comment). Never trusted for "in place": the kernel's rules are
	 * compared with these by content (include/netd/kernel/nft.h). */
	char digest[NETD_NFT_DIGEST_LEN + 1];
};

/* Pure: the rules a network needs, from its mode and [Policy]. A bridged network needs
 * none (its guests are on the LAN) and gets an empty set: *out with no chains present. */
int netd_nft_net_build(const struct netd_network *n, struct netd_nft_net **out);
void netd_nft_net_free(struct netd_nft_net *x);
const char *netd_nft_chain_prefix(enum netd_nft_chain_kind k); /* "in_", "out_", ... */

/* Pure: nft(8)-style text of a network's chains and map elements (golden files, status). */
int netd_nft_render_net(const struct netd_nft_net *x, FILE *out);
/* Pure: the text of the base table (base chains and empty maps). */
int netd_nft_render_base(FILE *out);
/* Render one rule as nft text, e.g. `iifname "virbr0" udp dport 67 accept`. */
int netd_nft_render_rule(const struct netd_nft_rule *r, FILE *out);

#endif
