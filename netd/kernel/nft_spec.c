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
};

/* All policy accept: traffic that is not a netd network's is not ours to judge. */
const struct nft_base_spec nft_base[NFT_BASE_CHAINS] = {
    {"input",
     "filter",
     NF_INET_LOCAL_IN,
     0,
     {{NFT_META_IIFNAME, "in_if", "iifname vmap @in_if"}},
     1},
    {"output",
     "filter",
     NF_INET_LOCAL_OUT,
     0,
     {{NFT_META_OIFNAME, "out_if", "oifname vmap @out_if"}},
     1},
    {"forward",
     "filter",
     NF_INET_FORWARD,
     0,
     {{NFT_META_IIFNAME, "fwd_in_if", "iifname vmap @fwd_in_if"},
      {NFT_META_OIFNAME, "fwd_out_if", "oifname vmap @fwd_out_if"}},
     2},
    {"postrouting",
     "nat",
     NF_INET_POST_ROUTING,
     100,
     {{NFT_META_NFPROTO, "nat_src", "ip saddr vmap @nat_src"}},
     1},
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

/* Table bridge netd: each bound port's frames go through its own chain (nft_bridge.c), and
 * so do the frames the host sends through a VXLAN port. */
static const struct nft_map_spec port_map[] = {IFNAME_VMAP(NETD_NFT_PORT_MAP),
                                               IFNAME_VMAP(NETD_NFT_PORT_OUT_MAP)};

static const struct nft_base_spec port_base[] = {
    {"prerouting",
     "filter",
     BR_PRE_ROUTING,
     BR_PRIORITY,
     {{NFT_META_IIFNAME, NETD_NFT_PORT_MAP, "iifname vmap @" NETD_NFT_PORT_MAP}},
     1},
    {"output",
     "filter",
     BR_LOCAL_OUT,
     BR_PRIORITY,
     {{NFT_META_OIFNAME, NETD_NFT_PORT_OUT_MAP, "oifname vmap @" NETD_NFT_PORT_OUT_MAP}},
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
	const struct nft_frame *f = family == NFPROTO_BRIDGE ? &nft_bridge_frame : &nft_inet_frame;

	for (size_t i = 0; i < f->n_maps; i++)
		if (strcmp(f->maps[i].name, name) == 0)
			return &f->maps[i];
	return NULL;
}
