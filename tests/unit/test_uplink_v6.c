/*
 * The IPv6 part of a bridged network's uplink snapshot (netd/uplink_v6.h): what moves, how
 * lifetimes age on disk and take the bridge's fresher ones at give-back, the JSON both ways,
 * and the <network>.uplink file's formats (a format-1 file, from before IPv6, still loads and
 * restores IPv4; a format it does not know is refused). No root, no kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/kernel/uplink.h"
#include "netd/uplink_v6.h"

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void add_addr(struct netd_uplink_v6 *v, const char *ip, uint8_t len, uint32_t flags,
                     uint32_t valid, uint32_t preferred)
{
	struct netd_v6_addr *a = &v->addrs[v->n_addrs++];

	memset(a, 0, sizeof(*a));
	a->addr = a6(ip);
	a->len = len;
	a->flags = flags;
	a->valid = valid;
	a->preferred = preferred;
}

static struct netd_v6_route *add_route(struct netd_uplink_v6 *v, const char *dst, uint8_t len,
                                       const char *gw, uint8_t proto, uint32_t expires)
{
	struct netd_v6_route *r = &v->routes[v->n_routes++];

	memset(r, 0, sizeof(*r));
	r->dst = a6(dst);
	r->dst_len = len;
	if (gw) {
		r->gateway = a6(gw);
		r->has_gateway = true;
	}
	r->metric = len ? 256 : 1024;
	r->protocol = proto;
	r->type = RTN_UNICAST;
	r->expires = expires;
	return r;
}

/* A SLAAC host: a dynamic global address, a ULA with mngtmpaddr and noprefixroute, a
 * permanent one; the RA's default route and on-link prefix; a static route. */
static void slaac_host(struct netd_uplink_v6 *v)
{
	memset(v, 0, sizeof(*v));
	v->present = true;
	v->taken_at = 1000;
	add_addr(v, "2001:db8:1:0:5054:ff:fe12:3456", 64, 0, 3600, 1800);
	add_addr(v, "fd00:1::5", 64, IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE, 7000, 5000);
	add_addr(v, "2001:db8:1::200", 64, IFA_F_PERMANENT, NETD_V6_FOREVER, NETD_V6_FOREVER);
	add_route(v, "::", 0, "fe80::1", RTPROT_RA, 600)->pref = 1;
	add_route(v, "2001:db8:1::", 64, NULL, RTPROT_KERNEL, 3600);
	add_route(v, "2001:db8:77::", 64, "2001:db8:1::10", RTPROT_BOOT, 0);
	snprintf(v->sysctls[0].key, sizeof(v->sysctls[0].key), "accept_ra");
	snprintf(v->sysctls[0].value, sizeof(v->sysctls[0].value), "2");
	snprintf(v->sysctls[1].key, sizeof(v->sysctls[1].key), "stable_secret");
	snprintf(v->sysctls[1].value, sizeof(v->sysctls[1].value), "2001:db8::1234");
	v->n_sysctls = 2;
}

static void test_what_moves(void **state)
{
	struct in6_addr ll = a6("fe80::"), mc = a6("ff00::"), g = a6("2001:db8::"), any = a6("::");

	(void)state;
	assert_true(netd_uplink_v6_addr_moves(RT_SCOPE_UNIVERSE, 0));
	assert_true(netd_uplink_v6_addr_moves(RT_SCOPE_UNIVERSE, IFA_F_MANAGETEMPADDR));
	assert_false(netd_uplink_v6_addr_moves(RT_SCOPE_LINK, 0)); /* link-local stays */
	assert_false(netd_uplink_v6_addr_moves(RT_SCOPE_HOST, 0));
	assert_false(netd_uplink_v6_addr_moves(RT_SCOPE_UNIVERSE, IFA_F_DADFAILED));

	/* The RA default route, a static route, an RA on-link prefix (kernel, expiring). */
	assert_true(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_RA, &any, 0, 600));
	assert_true(netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_BOOT, &g, 64, 0));
	assert_true(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL, &g, 64, 30));
	/* An address's own prefix route: the kernel makes it anew with the address. */
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL, &g, 64, 0));
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL, &ll, 64, 0));
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNICAST, RTPROT_BOOT, &ll, 64, 0));
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_MULTICAST, RTPROT_BOOT, &mc, 8, 0));
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_LOCAL, RTN_LOCAL, RTPROT_KERNEL, &g, 128, 0));
	assert_false(
	    netd_uplink_v6_route_moves(RT_TABLE_MAIN, RTN_UNREACHABLE, RTPROT_BOOT, &g, 48, 0));
}

static void test_ra_routes_and_flags(void **state)
{
	struct netd_uplink_v6 v;

	(void)state;
	slaac_host(&v);
	assert_true(netd_v6_route_from_ra(&v.routes[0]));
	assert_false(netd_v6_route_from_ra(&v.routes[1])); /* no gateway: an on-link prefix */
	assert_false(netd_v6_route_from_ra(&v.routes[2]));
	/* A route put back by the ioctl reads "boot"; the kernel's flags still say RA. */
	v.routes[2].ra = true;
	assert_true(netd_v6_route_from_ra(&v.routes[2]));

	/* State bits the kernel keeps for itself are not sent; nodad is added on request. */
	assert_int_equal(netd_v6_addr_flags_to_set(IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE |
	                                               IFA_F_PERMANENT | IFA_F_TENTATIVE |
	                                               IFA_F_DEPRECATED,
	                                           false),
	                 IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE);
	assert_int_equal(netd_v6_addr_flags_to_set(0, true), IFA_F_NODAD);
	assert_int_equal(netd_v6_addr_flags_to_set(IFA_F_NODAD, false), IFA_F_NODAD);

	/* `down --force` reads the bridge, where every moved address has nodad from netd. */
	v.addrs[0].flags = IFA_F_NODAD | IFA_F_MANAGETEMPADDR;
	v.addrs[1].flags = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
	netd_uplink_v6_as_found(&v);
	assert_int_equal(v.addrs[0].flags, IFA_F_MANAGETEMPADDR);
	assert_int_equal(v.addrs[1].flags, IFA_F_NOPREFIXROUTE);

	assert_string_equal(netd_uplink_v6_port_value("accept_ra"), "0");
	assert_string_equal(netd_uplink_v6_port_value("autoconf"), "0");
	assert_null(netd_uplink_v6_port_value("addr_gen_mode"));
	assert_null(netd_uplink_v6_port_value("forwarding"));
}

static void test_sysctl_order(void **state)
{
	int secret = -1, mode = -1, fwd = -1, ra = -1;

	(void)state;
	for (int i = 0; netd_uplink_v6_sysctl_keys[i]; i++) {
		const char *k = netd_uplink_v6_sysctl_keys[i];

		secret = strcmp(k, "stable_secret") == 0 ? i : secret;
		mode = strcmp(k, "addr_gen_mode") == 0 ? i : mode;
		fwd = strcmp(k, "forwarding") == 0 ? i : fwd;
		ra = strcmp(k, "accept_ra") == 0 ? i : ra;
	}
	assert_true(secret >= 0 && mode > secret);
	assert_true(fwd >= 0 && ra > fwd);
}

static void test_age(void **state)
{
	struct in6_addr ula = a6("fd00:1::5");
	struct netd_uplink_v6 v;

	(void)state;
	slaac_host(&v);
	netd_uplink_v6_age(&v, 1000 + 100);
	assert_int_equal(v.taken_at, 1100);
	assert_int_equal(v.n_addrs, 3);
	assert_int_equal(v.addrs[0].valid, 3500);
	assert_int_equal(v.addrs[0].preferred, 1700);
	assert_int_equal(v.addrs[2].valid, NETD_V6_FOREVER); /* permanent stays so */
	assert_int_equal(v.routes[0].expires, 500);
	assert_int_equal(v.routes[2].expires, 0); /* never expires */

	/* An hour later: the SLAAC address, the default route and the prefix ran out. */
	netd_uplink_v6_age(&v, 1100 + 3600);
	assert_int_equal(v.n_addrs, 2);
	assert_memory_equal(&v.addrs[0].addr, &ula, 16);
	assert_int_equal(v.addrs[0].valid, 3300);
	assert_int_equal(v.addrs[0].preferred, 1300);
	assert_int_equal(v.n_routes, 1);
	assert_int_equal(v.routes[0].dst_len, 64);
	assert_int_equal(v.routes[0].protocol, RTPROT_BOOT);

	/* A clock that went back ages nothing. */
	netd_uplink_v6_age(&v, 10);
	assert_int_equal(v.addrs[0].valid, 3300);
	assert_int_equal(v.taken_at, 4700);
}

static void test_refresh(void **state)
{
	struct netd_uplink_v6 v, cur;

	(void)state;
	slaac_host(&v);
	/* The bridge two hours later: RAs kept the SLAAC address and the default route fresh
	 * (the route read back as "boot"), the prefix route is the address's (no expiry). */
	memset(&cur, 0, sizeof(cur));
	cur.present = true;
	cur.taken_at = 1000 + 7200;
	add_addr(&cur, "2001:db8:1:0:5054:ff:fe12:3456", 64, IFA_F_NODAD, 3598, 1798);
	add_addr(&cur, "2001:db8:1::200", 64, IFA_F_PERMANENT | IFA_F_NODAD, NETD_V6_FOREVER,
	         NETD_V6_FOREVER);
	add_route(&cur, "::", 0, "fe80::1", RTPROT_BOOT, 599);
	add_route(&cur, "2001:db8:77::", 64, "2001:db8:1::10", RTPROT_BOOT, 0);

	netd_uplink_v6_refresh(&v, &cur);
	assert_int_equal(v.taken_at, 8200);
	/* fd00:1::5 (7000 s) is not on the bridge but has time left: 7000 - 7200 < 0: gone. */
	assert_int_equal(v.n_addrs, 2);
	assert_int_equal(v.addrs[0].valid, 3598);
	assert_int_equal(v.addrs[0].preferred, 1798);
	assert_int_equal(v.addrs[0].flags, 0); /* the snapshot's flags, not the bridge's nodad */
	assert_int_equal(v.addrs[1].valid, NETD_V6_FOREVER);
	/* The default route keeps its protocol (ra) and takes the bridge's expiry; the RA
	 * prefix route (3600 s) expired and the bridge has it not: it goes. */
	assert_int_equal(v.n_routes, 2);
	assert_int_equal(v.routes[0].protocol, RTPROT_RA);
	assert_int_equal(v.routes[0].expires, 599);
	assert_int_equal(v.routes[1].dst_len, 64);
	assert_true(v.routes[1].has_gateway);

	/* A rollback right after the take: the bridge has nothing yet, all goes back as read. */
	slaac_host(&v);
	memset(&cur, 0, sizeof(cur));
	cur.taken_at = 1001;
	netd_uplink_v6_refresh(&v, &cur);
	assert_int_equal(v.n_addrs, 3);
	assert_int_equal(v.n_routes, 3);
	assert_int_equal(v.addrs[0].valid, 3599);
}

static void test_json_round_trip(void **state)
{
	struct netd_uplink_v6 v, back;
	json_object *j;

	(void)state;
	slaac_host(&v);
	v.routes[2].ra = true;
	j = netd_uplink_v6_to_json(&v);
	assert_int_equal(netd_uplink_v6_from_json(j, &back), 0);
	json_object_put(j);
	assert_true(back.present);
	assert_int_equal(back.taken_at, v.taken_at);
	assert_int_equal(back.n_addrs, v.n_addrs);
	assert_int_equal(back.n_routes, v.n_routes);
	assert_int_equal(back.n_sysctls, v.n_sysctls);
	assert_memory_equal(back.addrs, v.addrs, sizeof(v.addrs[0]) * v.n_addrs);
	assert_memory_equal(back.routes, v.routes, sizeof(v.routes[0]) * v.n_routes);
	assert_memory_equal(back.sysctls, v.sysctls, sizeof(v.sysctls[0]) * v.n_sysctls);
}

static void test_json_refused(void **state)
{
	static const char *const bad[] = {
	    "[]",
	    "{\"addresses\":[],\"routes\":[],\"sysctls\":{}}", /* no taken_at */
	    "{\"taken_at\":1,\"routes\":[],\"sysctls\":{}}",   /* no addresses */
	    "{\"taken_at\":1,\"addresses\":[],\"routes\":[]}", /* no sysctls */
	    "{\"taken_at\":1,\"addresses\":[{\"prefix\":\"2001:db8::1\",\"scope\":0,\"flags\":0,"
	    "\"valid\":1,\"preferred\":1}],\"routes\":[],\"sysctls\":{}}", /* no length */
	    "{\"taken_at\":1,\"addresses\":[{\"prefix\":\"10.0.0.1/8\",\"scope\":0,\"flags\":0,"
	    "\"valid\":1,\"preferred\":1}],\"routes\":[],\"sysctls\":{}}", /* IPv4 */
	    "{\"taken_at\":1,\"addresses\":[{\"prefix\":\"2001:db8::1/129\",\"scope\":0,"
	    "\"flags\":0,\"valid\":1,\"preferred\":1}],\"routes\":[],\"sysctls\":{}}",
	    "{\"taken_at\":1,\"addresses\":[],\"routes\":[{\"dst\":\"::/0\",\"gateway\":\"x\","
	    "\"metric\":1,\"protocol\":9,\"type\":1,\"pref\":0,\"expires\":0}],\"sysctls\":{}}",
	    /* A key netd does not move names a path under /proc/sys: refused. */
	    "{\"taken_at\":1,\"addresses\":[],\"routes\":[],\"sysctls\":{\"../../"
	    "ip_forward\":\"1\"}}",
	    "{\"taken_at\":1,\"addresses\":[],\"routes\":[],\"sysctls\":{\"accept_ra\":1}}",
	};
	struct netd_uplink_v6 v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_object *j = json_tokener_parse(bad[i]);

		if (netd_uplink_v6_from_json(j, &v) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_false(v.present);
		json_object_put(j);
	}
}

/* The <network>.uplink body: format 1 (before IPv6) still loads, IPv4 only; format 2 carries
 * "ipv6"; an unknown format, or format 2 without its "ipv6", is refused. */
static void test_uplink_file_formats(void **state)
{
	static const char v1[] =
	    "{\"name\":\"eth0\",\"mac\":\"52:54:00:12:34:56\",\"was_up\":true,"
	    "\"addresses\":[{\"prefix\":\"203.0.113.2/24\",\"broadcast\":\"203.0.113.255\","
	    "\"flags\":128,\"scope\":0}],\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gateway\":"
	    "\"203.0.113.1\",\"prefsrc\":\"0.0.0.0\",\"metric\":0,\"protocol\":3,\"scope\":0,"
	    "\"type\":1}]}";
	struct netd_uplink_state *s = calloc(1, sizeof(*s)), *back = calloc(1, sizeof(*back));
	char *text = NULL, *edited;

	(void)state;
	assert_int_equal(netd_uplink_from_json(v1, s), 0);
	assert_string_equal(s->name, "eth0");
	assert_int_equal(s->n_addrs, 1);
	assert_int_equal(s->n_routes, 1);
	assert_false(s->v6.present);

	/* Without IPv6 the file is written as before: no format, no "ipv6". */
	assert_int_equal(netd_uplink_to_json(s, &text), 0);
	assert_null(strstr(text, "\"ipv6\""));
	assert_null(strstr(text, "\"format\""));
	free(text);

	slaac_host(&s->v6);
	assert_int_equal(netd_uplink_to_json(s, &text), 0);
	assert_non_null(strstr(text, "\"format\":2"));
	assert_int_equal(netd_uplink_from_json(text, back), 0);
	assert_true(back->v6.present);
	assert_int_equal(back->v6.n_addrs, 3);
	assert_int_equal(back->v6.n_routes, 3);
	assert_int_equal(back->n_addrs, 1);

	edited = strdup(text);
	memcpy(strstr(edited, "\"format\":2"), "\"format\":3", strlen("\"format\":3"));
	assert_int_equal(netd_uplink_from_json(edited, back), -EINVAL);
	free(edited);
	edited = strdup(text);
	memcpy(strstr(edited, "\"ipv6\""), "\"ipv7\"", strlen("\"ipv7\""));
	assert_int_equal(netd_uplink_from_json(edited, back), -EINVAL);
	free(edited);
	free(text);
	free(s);
	free(back);
}

/* The on-link routes of the moved addresses' prefixes, which leave takes off the uplink
 * whatever their expiry: no gateway, the kernel's, the address's prefix exactly. */
static void test_prefix_route_of(void **state)
{
	struct netd_uplink_v6 *v = calloc(1, sizeof(*v));
	struct netd_v6_route r;

	(void)state;
	assert_non_null(v);
	slaac_host(v);
	add_addr(v, "2001:db8:5:80::9", 57, 0, NETD_V6_FOREVER, NETD_V6_FOREVER);
	memset(&r, 0, sizeof(r));
	r.dst = a6("2001:db8:1::");
	r.dst_len = 64;
	r.protocol = RTPROT_KERNEL;
	r.type = RTN_UNICAST;
	r.expires = 3592;
	assert_true(netd_uplink_v6_prefix_route_of(v, &r));
	r.expires = 0;
	assert_true(netd_uplink_v6_prefix_route_of(v, &r));
	r.dst = a6("2001:db8:5:80::"); /* /57: the bits past it do not count */
	r.dst_len = 57;
	assert_true(netd_uplink_v6_prefix_route_of(v, &r));
	r.dst = a6("2001:db8:5:0::"); /* bit 57 differs */
	assert_false(netd_uplink_v6_prefix_route_of(v, &r));
	r.dst = a6("2001:db8:1::");
	r.dst_len = 48; /* a shorter prefix: not an address's */
	assert_false(netd_uplink_v6_prefix_route_of(v, &r));
	r.dst_len = 64;
	r.protocol = RTPROT_BOOT; /* someone's static route to the prefix stays */
	assert_false(netd_uplink_v6_prefix_route_of(v, &r));
	r.protocol = RTPROT_KERNEL;
	r.gateway = a6("fe80::1");
	r.has_gateway = true;
	assert_false(netd_uplink_v6_prefix_route_of(v, &r));
	r.has_gateway = false;
	r.dst = a6("2001:db8:2::"); /* no address there */
	assert_false(netd_uplink_v6_prefix_route_of(v, &r));
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_what_moves),      cmocka_unit_test(test_ra_routes_and_flags),
	    cmocka_unit_test(test_sysctl_order),    cmocka_unit_test(test_age),
	    cmocka_unit_test(test_refresh),         cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_json_refused),    cmocka_unit_test(test_uplink_file_formats),
	    cmocka_unit_test(test_prefix_route_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
