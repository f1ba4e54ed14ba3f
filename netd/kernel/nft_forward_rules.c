/*
 * The base chains' rules of port forwards (include/netd/nft.h, "Port forwards") as libnftnl
 * rules, the same expressions nft(8) makes of their text: nft_spec.c names them in the frame.
 */
/* nft_priv.h (netinet/in.h) before the kernel headers, or they clash */
#include "nft_priv.h"

#include <arpa/inet.h>
#include <errno.h>

#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>

static int immediate(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	}
	return nft_add_expr(r, e);
}

/* fib daddr type local: the packet is for one of the host's addresses. */
static int fib_local(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");
	uint32_t local = RTN_LOCAL;

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	return nft_add_expr(r, e) < 0 ? -ENOMEM : nft_cmp(r, NFT_CMP_EQ, &local, sizeof(local));
}

/* dnat to the guest's address (register 1) and port (register 9) the map gave. The kernel
 * echoes the flags and the max registers it derives, so they are given as it will show them. */
static int dnat(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_01);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, NFT_REG32_01);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
		                   NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
	}
	return nft_add_expr(r, e);
}

static int match(struct nftnl_rule *r, struct nft_deps *d, enum netd_nft_match_kind k,
                 uint32_t addr, uint8_t len)
{
	struct netd_nft_match m = {.kind = k};

	m.u.prefix.addr.s_addr = htonl(addr);
	m.u.prefix.len = len;
	return nft_put_match(r, d, &m);
}

int nft_fwd_skip_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = nft_fwd_key_lookup(r, d, true, NETD_NFT_FWD_SKIP, false);

	return ret ? ret : immediate(r, NF_ACCEPT);
}

int nft_fwd_dnat_addr_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = nft_need_ipv4(r, d);

	if (!ret)
		ret = fib_local(r);
	if (!ret)
		ret = nft_fwd_key_lookup(r, d, true, NETD_NFT_FWD_ADDR, true);
	return ret ? ret : dnat(r);
}

/* Loopback only where HostAddress=127.x says so (fwd_addr): it needs route_localnet. */
int nft_fwd_dnat_any_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = match(r, d, NETD_NFT_M_IP_DADDR_NE, 0x7f000000u, 8);

	if (!ret)
		ret = fib_local(r);
	if (!ret)
		ret = nft_fwd_key_lookup(r, d, false, NETD_NFT_FWD_ANY, true);
	return ret ? ret : dnat(r);
}

/* A forwarded connection from 127.0.0.0/8 leaves through the bridge as the host's address
 * there: the guest could not answer loopback. */
int nft_fwd_masq_lo_rule(struct nftnl_rule *r, struct nft_deps *d)
{
	int ret = match(r, d, NETD_NFT_M_IP_SADDR, 0x7f000000u, 8);

	if (!ret)
		ret = match(r, d, NETD_NFT_M_CT_DNAT, 0, 0);
	if (!ret)
		ret = match(r, d, NETD_NFT_M_FWD_ALLOW, 0, 0);
	return ret ? ret : nft_add_expr(r, nftnl_expr_alloc("masq"));
}
