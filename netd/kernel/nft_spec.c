/* The layout of table inet netd as data: its maps and its base chains. The batch builds them
 * from these tables and the verification checks the kernel's against the same ones. */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <linux/netfilter/nf_tables.h>

/* nft(8)'s datatype numbers, so that `nft list` prints the maps' key types. */
#define NFT_TYPE_IPADDR 7
#define NFT_TYPE_IFNAME 41
/* nft's enum byteorder, stored in the maps' userdata: without it nft prints ifnames backwards */
#define NFT_BYTEORDER_HOST 1
#define NFT_BYTEORDER_BIG  2

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
     {{NFT_META_IIFNAME, NETD_NFT_CHAIN_IN, "iifname vmap @in_if"}},
     1},
    {"output",
     "filter",
     NF_INET_LOCAL_OUT,
     0,
     {{NFT_META_OIFNAME, NETD_NFT_CHAIN_OUT, "oifname vmap @out_if"}},
     1},
    {"forward",
     "filter",
     NF_INET_FORWARD,
     0,
     {{NFT_META_IIFNAME, NETD_NFT_CHAIN_FWDI, "iifname vmap @fwd_in_if"},
      {NFT_META_OIFNAME, NETD_NFT_CHAIN_FWDO, "oifname vmap @fwd_out_if"}},
     2},
    {"postrouting",
     "nat",
     NF_INET_POST_ROUTING,
     100,
     {{NFT_META_NFPROTO, NETD_NFT_CHAIN_POST, "ip saddr vmap @nat_src"}},
     1},
};
