/* nft(8) text of netd's table: what `nft -f` would load and `nft list` shows. Pure. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>

#include "netd/nft.h"

/* The maps the base chains dispatch through, in the order of enum netd_nft_chain_kind. */
static const char *const map_names[NETD_NFT_CHAIN_KINDS] = {
    "in_if", "out_if", "fwd_in_if", "fwd_out_if", "nat_src", "nat6_src",
};

static void print_prefix6(const char *what, const struct netd_prefix6 *p, FILE *out)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &p->addr, ip, sizeof(ip));
	if (p->len == 128)
		fprintf(out, "%s%s", what, ip);
	else
		fprintf(out, "%s%s/%u", what, ip, p->len);
}

/* nft's names for the ICMPv6 types netd matches. */
static void print_icmp6_type(uint8_t t, FILE *out)
{
	static const char *const nd[] = {"nd-router-solicit", "nd-router-advert",
	                                 "nd-neighbor-solicit", "nd-neighbor-advert",
	                                 "nd-redirect"};

	if (t >= 133 && t <= 137)
		fprintf(out, "icmpv6 type %s", nd[t - 133]);
	else if (t == 143)
		fputs("icmpv6 type mld2-listener-report", out);
	else
		fprintf(out, "icmpv6 type %u", t);
}

static void print_prefix(const struct netd_prefix *p, FILE *out)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, ip, sizeof(ip));
	/* nft prints a host address without "/32". */
	if (p->len == 32)
		fprintf(out, "%s", ip);
	else
		fprintf(out, "%s/%u", ip, p->len);
}

static void print_l4proto(uint8_t proto, FILE *out)
{
	switch (proto) {
	case IPPROTO_TCP:
		fputs("tcp", out);
		break;
	case IPPROTO_UDP:
		fputs("udp", out);
		break;
	case IPPROTO_ICMP:
		fputs("icmp", out);
		break;
	default:
		fprintf(out, "%u", proto);
	}
}

static void print_ct_state(uint32_t mask, FILE *out)
{
	/* nft lists the states in bit order. */
	static const char *const names[] = {"invalid", "established", "related", "new"};
	const char *sep = "";

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (mask & (1u << i)) {
			fprintf(out, "%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

static void print_mac(const char *what, const uint8_t mac[6], FILE *out)
{
	fprintf(out, "%s %02x:%02x:%02x:%02x:%02x:%02x", what, mac[0], mac[1], mac[2], mac[3],
	        mac[4], mac[5]);
}

static void print_ether_type(uint16_t t, FILE *out)
{
	/* nft's names for the types netd matches. */
	if (t == ETH_P_8021Q)
		fputs("ether type 8021q", out);
	else if (t == ETH_P_8021AD)
		fputs("ether type 8021ad", out);
	else
		fprintf(out, "ether type 0x%04x", t);
}

/* The matches of table bridge netd: a guest's frame on its port. */
static int print_l2_match(const struct netd_nft_match *m, FILE *out)
{
	switch (m->kind) {
	case NETD_NFT_M_ETHER_SADDR_NE:
		print_mac("ether saddr !=", m->u.mac, out);
		break;
	case NETD_NFT_M_ETHER_SADDR:
		print_mac("ether saddr", m->u.mac, out);
		break;
	case NETD_NFT_M_ARP_TPA:
		fputs("arp daddr ip ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_ETHER_TYPE:
		print_ether_type(m->u.ether_type, out);
		break;
	case NETD_NFT_M_ARP_SHA_NE:
		print_mac("arp saddr ether !=", m->u.mac, out);
		break;
	case NETD_NFT_M_ARP_SPA:
		fputs("arp saddr ip ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_ARP_SPA_NE:
		fputs("arp saddr ip != ", out);
		print_prefix(&m->u.prefix, out);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int print_match(const struct netd_nft_match *m, FILE *out)
{
	switch (m->kind) {
	case NETD_NFT_M_IIFNAME:
		fprintf(out, "iifname \"%s\"", m->u.ifname);
		break;
	case NETD_NFT_M_OIFNAME:
		fprintf(out, "oifname \"%s\"", m->u.ifname);
		break;
	case NETD_NFT_M_OIFNAME_NE:
		fprintf(out, "oifname != \"%s\"", m->u.ifname);
		break;
	case NETD_NFT_M_IP_SADDR:
		fputs("ip saddr ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_IP_SADDR_NE:
		fputs("ip saddr != ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_IP_DADDR:
		fputs("ip daddr ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_IP_DADDR_NE:
		fputs("ip daddr != ", out);
		print_prefix(&m->u.prefix, out);
		break;
	case NETD_NFT_M_IP6_SADDR_NE:
		print_prefix6("ip6 saddr != ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_IP6_DADDR_NE:
		print_prefix6("ip6 daddr != ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_IP6_DADDR:
		print_prefix6("ip6 daddr ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_IP6_SADDR:
		print_prefix6("ip6 saddr ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_ICMPV6_TADDR:
		print_prefix6("icmpv6 taddr ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_ICMPV6_TADDR_NE:
		print_prefix6("icmpv6 taddr != ", &m->u.prefix6, out);
		break;
	case NETD_NFT_M_ICMPV6_TYPE:
		print_icmp6_type(m->u.icmp_type, out);
		break;
	case NETD_NFT_M_L4PROTO:
		fputs("meta l4proto ", out);
		print_l4proto(m->u.l4proto, out);
		break;
	case NETD_NFT_M_UDP_DPORT:
		fprintf(out, "udp dport %u", m->u.port);
		break;
	case NETD_NFT_M_UDP_SPORT:
		fprintf(out, "udp sport %u", m->u.port);
		break;
	case NETD_NFT_M_TCP_DPORT:
		fprintf(out, "tcp dport %u", m->u.port);
		break;
	case NETD_NFT_M_TCP_SPORT:
		fprintf(out, "tcp sport %u", m->u.port);
		break;
	case NETD_NFT_M_CT_STATE:
		fputs("ct state ", out);
		print_ct_state(m->u.ct_state, out);
		break;
	case NETD_NFT_M_CT_DNAT:
		fputs("ct status dnat", out);
		break;
	case NETD_NFT_M_FWD_ALLOW:
		fputs("ip daddr . meta l4proto . th dport @" NETD_NFT_FWD_ALLOW, out);
		break;
	default:
		return print_l2_match(m, out);
	}
	return 0;
}

static int print_verdict(const struct netd_nft_rule *r, FILE *out)
{
	char a[INET_ADDRSTRLEN];

	switch (r->verdict) {
	case NETD_NFT_V_ACCEPT:
		fputs("accept", out);
		break;
	case NETD_NFT_V_DROP:
		fputs("drop", out);
		break;
	case NETD_NFT_V_RETURN:
		fputs("return", out);
		break;
	case NETD_NFT_V_REJECT:
		fputs("reject with icmpx admin-prohibited", out);
		break;
	case NETD_NFT_V_REJECT_TCP_RESET:
		fputs("reject with tcp reset", out);
		break;
	case NETD_NFT_V_MASQUERADE:
		fputs("masquerade", out);
		break;
	case NETD_NFT_V_MASQUERADE_PORTS:
		fprintf(out, "masquerade to :%u-%u", r->port_min, r->port_max);
		break;
	case NETD_NFT_V_SNAT:
	case NETD_NFT_V_SNAT_PORTS:
		/* nft(8)'s own spelling in an inet table. */
		fprintf(out, "snat ip to %s", inet_ntop(AF_INET, &r->nat_addr, a, sizeof(a)));
		if (r->verdict == NETD_NFT_V_SNAT_PORTS)
			fprintf(out, ":%u-%u", r->port_min, r->port_max);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

int netd_nft_render_rule(const struct netd_nft_rule *r, FILE *out)
{
	int ret;

	if (r->n_match > NETD_NFT_RULE_MATCH_MAX)
		return -EINVAL;
	for (size_t i = 0; i < r->n_match; i++) {
		ret = print_match(&r->match[i], out);
		if (ret < 0)
			return ret;
		fputc(' ', out);
	}
	return print_verdict(r, out);
}

static int render_chain(const struct netd_nft_chain *c, FILE *out)
{
	int ret;

	fprintf(out, "\tchain %s {\n", c->name);
	for (size_t i = 0; i < c->n_rules; i++) {
		fputs("\t\t", out);
		ret = netd_nft_render_rule(&c->rules[i], out);
		if (ret < 0)
			return ret;
		fputc('\n', out);
	}
	fputs("\t}\n", out);
	return 0;
}

int netd_nft_render_inet(const struct netd_nft_net *x, FILE *out)
{
	const char *sep = "";
	bool any = false;
	int ret;

	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++)
		any |= x->chains[k].present;
	/* A bridged network owns nothing in the table. */
	if (!any)
		return ferror(out) ? -EIO : 0;

	fprintf(out, "table inet %s {\n", NETD_NFT_TABLE);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		if (!x->chains[k].present)
			continue;
		fputs(sep, out);
		ret = render_chain(&x->chains[k], out);
		if (ret < 0)
			return ret;
		sep = "\n";
	}
	fputs("}\n", out);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		if (!x->chains[k].present)
			continue;
		fprintf(out, "add element inet %s %s { ", NETD_NFT_TABLE, map_names[k]);
		if (k == NETD_NFT_CHAIN_POST)
			print_prefix(&x->subnet, out);
		else if (k == NETD_NFT_CHAIN_POST6)
			print_prefix6("", &x->subnet6, out);
		else
			fprintf(out, "\"%s\"", x->bridge);
		fprintf(out, " : jump %s }\n", x->chains[k].name);
	}
	return netd_nft_render_forwards(x, out);
}

static void print_port_elem(const struct netd_nft_port *p, FILE *out)
{
	fprintf(out, "add element bridge %s %s { \"%s\" : jump %s }\n", NETD_NFT_TABLE,
	        NETD_NFT_PORT_MAP, p->ifname, p->chain.name);
	if (p->tunnel)
		fprintf(out, "add element bridge %s %s { \"%s\" : jump %s }\n", NETD_NFT_TABLE,
		        NETD_NFT_PORT_OUT_MAP, p->ifname, p->chain.name);
}

int netd_nft_render_port(const struct netd_nft_port *p, FILE *out)
{
	int ret = render_chain(&p->chain, out);

	if (ret == 0)
		print_port_elem(p, out);
	return ret < 0 ? ret : ferror(out) ? -EIO : 0;
}

int netd_nft_render_net(const struct netd_nft_net *x, FILE *out)
{
	int ret = netd_nft_render_inet(x, out);

	if (ret < 0 || x->n_ports == 0)
		return ret;
	fprintf(out, "table bridge %s {\n", NETD_NFT_TABLE);
	for (size_t i = 0; i < x->n_ports; i++) {
		if (i > 0)
			fputc('\n', out);
		ret = render_chain(&x->ports[i].chain, out);
		if (ret < 0)
			return ret;
	}
	fputs("}\n", out);
	for (size_t i = 0; i < x->n_ports; i++)
		print_port_elem(&x->ports[i], out);
	return ferror(out) ? -EIO : 0;
}

int netd_nft_render_base(FILE *out)
{
	static const char *const key_types[NETD_NFT_CHAIN_KINDS] = {
	    "ifname", "ifname", "ifname", "ifname", "ipv4_addr", "ipv6_addr",
	};

	fprintf(out, "table inet %s {\n", NETD_NFT_TABLE);
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		fprintf(out, "\tmap %s {\n\t\ttype %s : verdict\n", map_names[k], key_types[k]);
		if (k == NETD_NFT_CHAIN_POST || k == NETD_NFT_CHAIN_POST6)
			fputs("\t\tflags interval\n", out);
		fputs("\t}\n\n", out);
	}
	fputs("\tchain input {\n"
	      "\t\ttype filter hook input priority filter; policy accept;\n"
	      "\t\tiifname vmap @in_if\n"
	      "\t}\n\n"
	      "\tchain output {\n"
	      "\t\ttype filter hook output priority filter; policy accept;\n"
	      "\t\toifname vmap @out_if\n"
	      "\t}\n\n"
	      "\tchain forward {\n"
	      "\t\ttype filter hook forward priority filter; policy accept;\n"
	      "\t\tiifname vmap @fwd_in_if\n"
	      "\t\toifname vmap @fwd_out_if\n"
	      "\t}\n\n"
	      "\tchain postrouting {\n"
	      "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	      "\t\tip saddr vmap @nat_src\n"
	      "\t\tip6 saddr vmap @nat6_src\n"
	      "\t}\n"
	      "}\n",
	      out);
	/* There while a network binds guest ports (GuestSourceCheck) or has a VXLAN port. */
	fprintf(out,
	        "table bridge %s {\n"
	        "\tmap %s {\n\t\ttype ifname : verdict\n\t}\n\n"
	        "\tmap %s {\n\t\ttype ifname : verdict\n\t}\n\n"
	        "\tchain prerouting {\n"
	        "\t\ttype filter hook prerouting priority filter; policy accept;\n"
	        "\t\tiifname vmap @%s\n"
	        "\t}\n\n"
	        "\tchain output {\n"
	        "\t\ttype filter hook output priority filter; policy accept;\n"
	        "\t\toifname vmap @%s\n"
	        "\t}\n"
	        "}\n",
	        NETD_NFT_TABLE, NETD_NFT_PORT_MAP, NETD_NFT_PORT_OUT_MAP, NETD_NFT_PORT_MAP,
	        NETD_NFT_PORT_OUT_MAP);
	return ferror(out) ? -EIO : 0;
}
