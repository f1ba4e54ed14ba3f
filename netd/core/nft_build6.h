/* Private to netd/core/nft_build*.c: the IPv6 rules nft_build.c adds to a network's chains
 * (nft_build6.c), each where the IPv4 rule of the same job stands. */
#ifndef NETD_NFT_BUILD6_H
#define NETD_NFT_BUILD6_H

#include "netd/nft.h"

/* in_<net>, after the IPv4 source check: ND and RS, DHCPv6, the IPv6 source check. */
void nft_build6_in(const struct netd_network *n, struct netd_nft_chain *c);
/* out_<net>, before the cell: RA and ND, DHCPv6 replies. */
void nft_build6_out(const struct netd_network *n, struct netd_nft_chain *c);
/* fwdi_<net>, after the IPv4 source check: the IPv6 one. */
void nft_build6_fwdi(const struct netd_network *n, struct netd_nft_chain *c);
/* Does n get post6_<net> (NAT66)? Its mode masquerades, it has IPv6, IPv6NAT is not no. */
bool nft_build6_masquerades(const struct netd_network *n, bool mode_masquerades);
void nft_build6_post(const struct netd_network *n, struct netd_nft_chain *c);

#endif
