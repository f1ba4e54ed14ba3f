/*
 * The pure rules of moving a bridged network's uplink IPv6 (netd/uplink_v6.h): what moves,
 * what the uplink keeps while it is a port, and lifetimes that age on disk.
 */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "netd/uplink_v6.h"

const char *const netd_uplink_v6_sysctl_keys[] = {
    "disable_ipv6",
    "forwarding",
    "stable_secret",
    "addr_gen_mode",
    "use_tempaddr",
    "temp_valid_lft",
    "temp_prefered_lft",
    "accept_dad",
    "dad_transmits",
    "accept_ra_defrtr",
    "accept_ra_pinfo",
    "accept_ra_rtr_pref",
    "accept_ra_rt_info_max_plen",
    "accept_ra_min_hop_limit",
    "accept_ra_mtu",
    "ra_defrtr_metric",
    "router_solicitations",
    "autoconf",
    "accept_ra",
    NULL,
};

const char *netd_uplink_v6_port_value(const char *key)
{
	if (strcmp(key, "accept_ra") == 0 || strcmp(key, "autoconf") == 0)
		return "0";
	return NULL;
}

bool netd_uplink_v6_addr_moves(uint8_t scope, uint32_t flags)
{
	return scope == RT_SCOPE_UNIVERSE && !(flags & IFA_F_DADFAILED);
}

bool netd_uplink_v6_route_moves(uint32_t table, uint8_t type, uint8_t protocol,
                                const struct in6_addr *dst, uint8_t dst_len, uint32_t expires)
{
	if (table != RT_TABLE_MAIN || type != RTN_UNICAST)
		return false;
	/* fe80::/10 and ff00::/8 routes belong to each link. */
	if (dst_len >= 10 && dst->s6_addr[0] == 0xfe && (dst->s6_addr[1] & 0xc0) == 0x80)
		return false;
	if (dst_len >= 8 && dst->s6_addr[0] == 0xff)
		return false;
	return protocol != RTPROT_KERNEL || expires != 0;
}

/* a and b agree in their first len bits */
static bool same_prefix(const struct in6_addr *a, const struct in6_addr *b, unsigned len)
{
	unsigned whole = len / 8, rest = len % 8;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));

	if (len > 128 || memcmp(a, b, whole) != 0)
		return false;
	return !rest || ((a->s6_addr[whole] ^ b->s6_addr[whole]) & mask) == 0;
}

bool netd_uplink_v6_prefix_route_of(const struct netd_uplink_v6 *v, const struct netd_v6_route *r)
{
	if (r->has_gateway || r->protocol != RTPROT_KERNEL || r->type != RTN_UNICAST)
		return false;
	for (size_t i = 0; i < v->n_addrs; i++)
		if (v->addrs[i].len == r->dst_len &&
		    same_prefix(&v->addrs[i].addr, &r->dst, r->dst_len))
			return true;
	return false;
}

bool netd_v6_route_from_ra(const struct netd_v6_route *r)
{
	return (r->ra || r->protocol == RTPROT_RA) && r->has_gateway;
}

uint32_t netd_v6_addr_flags_to_set(uint32_t flags, bool nodad)
{
	/* inet6_rtm_newaddr() keeps only these of what it is given. */
	uint32_t settable = IFA_F_NODAD | IFA_F_OPTIMISTIC | IFA_F_HOMEADDRESS |
	                    IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE | IFA_F_MCAUTOJOIN;

	return (flags & settable) | (nodad ? IFA_F_NODAD : 0);
}

void netd_uplink_v6_as_found(struct netd_uplink_v6 *v)
{
	for (size_t i = 0; i < v->n_addrs; i++)
		v->addrs[i].flags &= ~(uint32_t)IFA_F_NODAD;
}

/* left - elapsed, or 0 when it ran out; forever stays forever. */
static uint32_t aged(uint32_t left, uint32_t elapsed)
{
	if (left == NETD_V6_FOREVER)
		return left;
	return left > elapsed ? left - elapsed : 0;
}

void netd_uplink_v6_age(struct netd_uplink_v6 *v, int64_t now)
{
	int64_t d = now - v->taken_at;
	uint32_t elapsed = d <= 0 ? 0 : d >= NETD_V6_FOREVER ? NETD_V6_FOREVER - 1 : (uint32_t)d;
	size_t k = 0;

	for (size_t i = 0; i < v->n_addrs; i++) {
		struct netd_v6_addr a = v->addrs[i];

		a.valid = aged(a.valid, elapsed);
		a.preferred = aged(a.preferred, elapsed);
		if (a.valid > 0)
			v->addrs[k++] = a;
	}
	v->n_addrs = k;
	k = 0;
	for (size_t i = 0; i < v->n_routes; i++) {
		struct netd_v6_route r = v->routes[i];

		if (r.expires && !(r.expires = aged(r.expires, elapsed)))
			continue;
		v->routes[k++] = r;
	}
	v->n_routes = k;
	if (d > 0)
		v->taken_at = now;
}

static bool same_route(const struct netd_v6_route *a, const struct netd_v6_route *b)
{
	/* Not the protocol: a route from an RA comes back as the kernel's, read as "boot". */
	return a->dst_len == b->dst_len && memcmp(&a->dst, &b->dst, sizeof(a->dst)) == 0 &&
	       a->has_gateway == b->has_gateway &&
	       memcmp(&a->gateway, &b->gateway, sizeof(a->gateway)) == 0 && a->metric == b->metric;
}

static const struct netd_v6_addr *find_addr(const struct netd_uplink_v6 *v,
                                            const struct netd_v6_addr *a)
{
	for (size_t j = 0; j < v->n_addrs; j++)
		if (v->addrs[j].len == a->len && memcmp(&v->addrs[j].addr, &a->addr, 16) == 0)
			return &v->addrs[j];
	return NULL;
}

static const struct netd_v6_route *find_route(const struct netd_uplink_v6 *v,
                                              const struct netd_v6_route *r)
{
	for (size_t j = 0; j < v->n_routes; j++)
		if (same_route(&v->routes[j], r))
			return &v->routes[j];
	return NULL;
}

/* What cur has takes cur's lifetimes; the rest ages to cur's time and goes when it ran out
 * (the bridge let it expire: giving it back would revive it). */
void netd_uplink_v6_refresh(struct netd_uplink_v6 *v, const struct netd_uplink_v6 *cur)
{
	struct netd_uplink_v6 old = *v;
	size_t k = 0;

	netd_uplink_v6_age(&old, cur->taken_at);
	for (size_t i = 0; i < v->n_addrs; i++) {
		const struct netd_v6_addr *now = find_addr(cur, &v->addrs[i]);
		const struct netd_v6_addr *was = find_addr(&old, &v->addrs[i]);
		struct netd_v6_addr a = v->addrs[i];

		if (!now && !was)
			continue;
		a.valid = (now ? now : was)->valid;
		a.preferred = (now ? now : was)->preferred;
		v->addrs[k++] = a;
	}
	v->n_addrs = k;
	k = 0;
	for (size_t i = 0; i < v->n_routes; i++) {
		const struct netd_v6_route *now = find_route(cur, &v->routes[i]);
		const struct netd_v6_route *was = find_route(&old, &v->routes[i]);
		struct netd_v6_route r = v->routes[i];

		if (!now && !was)
			continue;
		r.expires = (now ? now : was)->expires;
		v->routes[k++] = r;
	}
	v->n_routes = k;
	if (cur->taken_at > v->taken_at)
		v->taken_at = cur->taken_at;
}

const char *netd_v6_prefix_format(const struct in6_addr *a, uint8_t len, char *buf, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, ip, sizeof(ip));
	snprintf(buf, n, "%s/%u", ip, len);
	return buf;
}
