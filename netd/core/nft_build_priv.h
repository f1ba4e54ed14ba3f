/* Private to netd/core/nft_*.c: what nft_build.c asks of nft_ports.c and nft_nat.c, and what
 * both ask of nft_digest.c. */
#ifndef NETD_NFT_BUILD_PRIV_H
#define NETD_NFT_BUILD_PRIV_H

#include "netd/nft.h"

/* x->ports: n's [Tap]s, then the guests no [Tap] declares, each bound to its port.
 * x->network and x->subnet are filled already. */
int nft_ports_build(const struct netd_network *n, const struct netd_nft_guest *guests,
                    size_t n_guests, struct netd_nft_net *x);

/* r's verdict in post_<net>: masquerade or snat to NATAddress=, with NATPorts= where ports
 * (TCP and UDP) (nft_nat.c). */
void nft_nat_verdict(const struct netd_network *n, struct netd_nft_rule *r, bool ports);

/* nft_tunnel.c: a spanning network's VXLAN port, DHCP dropped as it enters from the tunnel. */
int nft_tunnel_port_build(const struct netd_network *n, struct netd_nft_net *x);

/* x->fwds: n's forwards, one per port, and the hairpin masquerade in post_<net> (nft_forward.c).
 * Only for a network with chains; x->chains are built already. */
int nft_forwards_build(const struct netd_network *n, struct netd_nft_net *x);

/* The digest of the text of x's inet chains (p NULL), or of port p's chain and element. */
int nft_render_digest(const struct netd_nft_net *x, const struct netd_nft_port *p,
                      char out[NETD_NFT_DIGEST_LEN + 1]);

#endif
