/* The frames of netd's two tables as data: table inet netd's maps and base chains, and table
 * bridge netd's. The batch builds them from these tables and the verification checks the
 * kernel's against the same ones. */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <string.h>

#include <linux/netfilter/nf_tables.h>

/* nft's enum byteorder, stored in the maps' userdata: without it nft prints ifnames backwards */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG  2
/* The kernel's NF_BR_PRE_ROUTING and NF_BR_PRI_FILTER_BRIDGED (nft's "priority filter" in a
 * bridge): before br_netfilter hands IPv4 to the inet hooks (priority 0), so a frame a port
 * may not send never reaches them. */
#define BR_PRE_ROUTING 0
#define BR_LOCAL_OUT   3 /* NF_BR_LOCAL_OUT: what the host sends, per port it leaves by */
#define BR_PRIORITY    (-200)

#define IFNAME_VMAP(n)                                                                             \
	{                                                                                          \
		.name = n, .flags = NFT_SET_MAP, .key_type = NFT_TYPE_IFNAME, .key_len = IFNAMSIZ, \
		.data_type = NFT_DATA_VERDICT, .key_byteorder = NFT_BYTEORDER_HOST                 \
	}

/* nft's datatype numbers of the forwards' concatenations: each field's type shifted in by 6
 * bits (nft's TYPE_BITS), ipv4_addr 7, inet_proto 12, inet_service 13. */
#define TYPE_ADDR_PROTO_PORT ((((7u << 6) | 12u) << 6) | 13u)
#define TYPE_PROTO_PORT      ((12u << 6) | 13u)
#define TYPE_ADDR_PORT       ((7u << 6) | 13u)
/* Concatenated fields take 4 bytes each (a register). */
#define FWD_MAP(n, klen, ktype)                                                                    \
	{                                                                                          \
		.name = n, .flags = NFT_SET_MAP, .key_type = ktype, .key_len = klen,               \
		.data_type = TYPE_ADDR_PORT, .key_byteorder = NFT_BYTEORDER_BIG, .data_len = 8     \
	}
#define FWD_SET(n)                                                                                 \
	{                                                                                          \
		.name = n, .key_type = TYPE_ADDR_PROTO_PORT, .key_len = 12,                        \
		.key_byteorder = NFT_BYTEORDER_BIG                                                 \
	}

const struct nft_map_spec nft_maps[NETD_NFT_CHAIN_KINDS] = {
    [NETD_NFT_CHAIN_IN] = IFNAME_VMAP("in_if"),
    [NETD_NFT_CHAIN_OUT] = IFNAME_VMAP("out_if"),
    [NETD_NFT_CHAIN_FWDI] = IFNAME_VMAP("fwd_in_if"),
    [NETD_NFT_CHAIN_FWDO] = IFNAME_VMAP("fwd_out_if"),
    /* An interval map: the network's whole subnet is one element. */
    [NETD_NFT_CHAIN_POST] = {.name = "nat_src",
                             .flags = NFT_SET_MAP | NFT_SET_INTERVAL,
                             .key_type = NFT_TYPE_IPADDR,
                             .key_len = 4,
                             .data_type = NFT_DATA_VERDICT,
                             .key_byteorder = NFT_BYTEORDER_BIG},
    /* NAT66: the network's IPv6 prefix (issue 10). */
    [NETD_NFT_CHAIN_POST6] = {.name = "nat6_src",
                              .flags = NFT_SET_MAP | NFT_SET_INTERVAL,
                              .key_type = NFT_TYPE_IP6ADDR,
                              .key_len = 16,
                              .data_type = NFT_DATA_VERDICT,
                              .key_byteorder = NFT_BYTEORDER_BIG},
};

/* Both DNAT chains: the bridge's own address, a given HostAddress=, then any but loopback. */
#define FWD_DNAT                                                                                   \
	{                                                                                          \
		{0, NETD_NFT_FWD_SKIP, "ip daddr . meta l4proto . th dport @fwd_skip accept",      \
		 nft_fwd_skip_rule, false},                                                        \
		    {0, NETD_NFT_FWD_ADDR, "fib daddr type local dnat ip to ... map @fwd_addr",    \
		     nft_fwd_dnat_addr_rule, false},                                               \
		{                                                                                  \
			0, NETD_NFT_FWD_ANY,                                                       \
			    "ip daddr != 127.0.0.0/8 fib daddr type local dnat ip to ... map "     \
			    "@fwd_any",                                                            \
			    nft_fwd_dnat_any_rule, false                                           \
		}                                                                                  \
	}

/* All policy accept: traffic that is not a netd network's is not ours to judge. */
const struct nft_base_spec nft_base[NFT_BASE_CHAINS] = {
    {"input",
     "filter",
     NF_INET_LOCAL_IN,
     0,
     {{NFT_META_IIFNAME, "in_if", "iifname vmap @in_if", NULL, false}},
     1},
    {"output",
     "filter",
     NF_INET_LOCAL_OUT,
     0,
     {{NFT_META_OIFNAME, "out_if", "oifname vmap @out_if", NULL, false}},
     1},
    {"forward",
     "filter",
     NF_INET_FORWARD,
     0,
     {{NFT_META_IIFNAME, "fwd_in_if", "iifname vmap @fwd_in_if", NULL, false},
      {NFT_META_OIFNAME, "fwd_out_if", "oifname vmap @fwd_out_if", NULL, false}},
     2},
    {"postrouting",
     "nat",
     NF_INET_POST_ROUTING,
     100,
     {{NFT_META_NFPROTO, "nat_src", "ip saddr vmap @nat_src", NULL, false},
      {NFT_META_NFPROTO, "nat6_src", "ip6 saddr vmap @nat6_src", NULL, true}},
     2},
};

const struct nft_frame nft_inet_frame = {
    .family = NFPROTO_INET,
    .family_name = "inet",
    .maps = nft_maps,
    .n_maps = NETD_NFT_CHAIN_KINDS,
    .first_set_id = 1,
    .base = nft_base,
    .n_base = NFT_BASE_CHAINS,
};

/*
 * Port forwards (netd/nft.h): a frame of their own in table inet netd, there while a network
 * has forwards, so a host without any pays nothing for them. One element per forwarded port.
 */
static const struct nft_map_spec fwd_maps[] = {
    FWD_MAP(NETD_NFT_FWD_ADDR, 12, TYPE_ADDR_PROTO_PORT),
    FWD_MAP(NETD_NFT_FWD_ANY, 8, TYPE_PROTO_PORT),
    FWD_SET(NETD_NFT_FWD_SKIP),
    FWD_SET(NETD_NFT_FWD_ALLOW),
};

static const struct nft_base_spec fwd_base[] = {
    /* Port forwards: nft's dstnat priority, before the filter chains see the guest. */
    {"prerouting", "nat", NF_INET_PRE_ROUTING, -100, FWD_DNAT, 3},
    {"output_dnat", "nat", NF_INET_LOCAL_OUT, -100, FWD_DNAT, 3},
    /* A forwarded connection from loopback (HostAddress=127.0.0.1) leaves as the host. */
    {"postrouting_lo",
     "nat",
     NF_INET_POST_ROUTING,
     100,
     {{0, NETD_NFT_FWD_ALLOW,
       "ip saddr 127.0.0.0/8 ct status dnat ip daddr . meta l4proto . th dport @fwd_allow "
       "masquerade",
       nft_fwd_masq_lo_rule, false}},
     1},
};

const struct nft_frame nft_fwd_frame = {
    .family = NFPROTO_INET,
    .family_name = "inet",
    .maps = fwd_maps,
    .n_maps = sizeof(fwd_maps) / sizeof(fwd_maps[0]),
    .first_set_id = 8,
    .base = fwd_base,
    .n_base = sizeof(fwd_base) / sizeof(fwd_base[0]),
};

/* Table bridge netd: each bound port's frames go through its own chain (nft_bridge.c), and
 * so do the frames the host sends through a VXLAN port. */
static const struct nft_map_spec port_map[] = {IFNAME_VMAP(NETD_NFT_PORT_MAP),
                                               IFNAME_VMAP(NETD_NFT_PORT_OUT_MAP)};

static const struct nft_base_spec port_base[] = {
    {"prerouting",
     "filter",
     BR_PRE_ROUTING,
     BR_PRIORITY,
     {{NFT_META_IIFNAME, NETD_NFT_PORT_MAP, "iifname vmap @" NETD_NFT_PORT_MAP, NULL, false}},
     1},
    {"output",
     "filter",
     BR_LOCAL_OUT,
     BR_PRIORITY,
     {{NFT_META_OIFNAME, NETD_NFT_PORT_OUT_MAP, "oifname vmap @" NETD_NFT_PORT_OUT_MAP, NULL,
       false}},
     1},
};

const struct nft_frame nft_bridge_frame = {
    .family = NFPROTO_BRIDGE,
    .family_name = "bridge",
    .maps = port_map,
    .n_maps = 2,
    .first_set_id = 16,
    .base = port_base,
    .n_base = 2,
};

const struct nft_map_spec *nft_map_spec_of(uint8_t family, const char *name)
{
	const struct nft_frame *const inet[] = {&nft_inet_frame, &nft_fwd_frame};
	const struct nft_frame *const bridge[] = {&nft_bridge_frame};
	const struct nft_frame *const *v = family == NFPROTO_BRIDGE ? bridge : inet;
	size_t n = family == NFPROTO_BRIDGE ? 1 : 2;

	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < v[k]->n_maps; i++)
			if (strcmp(v[k]->maps[i].name, name) == 0)
				return &v[k]->maps[i];
	return NULL;
}
