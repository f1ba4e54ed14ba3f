/* Private to netd/core/nft_ports*.c: a guest port's IPv6 binding (nft_ports6.c). */
#ifndef NETD_NFT_PORTS6_H
#define NETD_NFT_PORTS6_H

#include "netd/nft.h"

/* The most rules nft_port6_bind() adds to a port's chain. */
#define NFT_PORT6_RULES 7

/* The IPv6 address the guest with mac is bound to on n: given when it is not ::, else the
 * address of n's [Host] with that MAC; :: when n has no IPv6 or the guest none known. */
struct in6_addr nft_port6_address(const struct netd_network *n, const uint8_t mac[6],
                                  const struct in6_addr *given);
/* The rules binding a port's guest to addr (not ::), appended to c (room for
 * NFT_PORT6_RULES more). */
void nft_port6_bind(struct netd_nft_chain *c, const struct in6_addr *addr);

#endif
