/*
 * GuestSourceCheck for IPv6 in the IR (core/nft_ports6.c): a guest whose IPv6 address netd
 * knows (an attached tap's record, or a [Host] of its MAC) is bound to it and to link-local
 * sources, DAD's :: allowed for its own address, no NA claiming another address, no RA or
 * Redirect; a guest without one keeps the chain it had before (the inet prefix check only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/control.h"
#include "netd/mode.h"
#include "netd/nft.h"
#include "netd/tap.h"

static const uint8_t mac_a[6] = {0x52, 0x54, 0, 0xaa, 0, 1};
static const uint8_t mac_b[6] = {0x52, 0x54, 0, 0xaa, 0, 2};

static struct netd_network *make_net(const char *address6)
{
	struct netd_network *n = netd_network_new();

	assert_non_null(n);
	strcpy(n->name, "net1");
	strcpy(n->bridge, "br1");
	strcpy(n->source, "net1.conf");
	n->mode = NETD_MODE_NAT;
	memcpy(n->policy, netd_mode_ops(n->mode)->defaults, sizeof(n->policy));
	n->has_address = true;
	assert_int_equal(netd_prefix_parse("10.5.0.1/16", &n->address), 0);
	n->has_dhcp = true;
	if (address6) {
		n->has_address6 = true;
		assert_int_equal(netd_prefix6_parse(address6, &n->address6), 0);
	}
	return n;
}

static struct netd_nft_guest guest(const char *port, const uint8_t mac[6], const char *addr6)
{
	struct netd_nft_guest g = {0};

	snprintf(g.port, sizeof(g.port), "%s", port);
	memcpy(g.mac, mac, 6);
	if (addr6)
		assert_int_equal(netd_ipv6_parse(addr6, &g.addr6), 0);
	return g;
}

static char *render_port(const struct netd_nft_port *p)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(netd_nft_render_port(p, f), 0);
	fclose(f);
	return text;
}

/* The IPv6 lines a bound guest's chain has, after its IPv4 ones, in order. */
static void expect_bound6(const struct netd_nft_port *p, const char *addr)
{
	char *text = render_port(p), want[1024];
	const char *v4_end = strstr(text, "ip saddr != ");

	assert_non_null(v4_end);
	snprintf(want, sizeof(want),
	         "ip6 saddr :: icmpv6 type nd-neighbor-solicit icmpv6 taddr %s return\n"
	         "\t\tip6 saddr :: icmpv6 type nd-neighbor-solicit icmpv6 taddr fe80::/64 return\n"
	         "\t\tip6 saddr :: icmpv6 type mld2-listener-report return\n"
	         "\t\tip6 saddr != fe80::/64 ip6 saddr != %s drop\n"
	         "\t\ticmpv6 type nd-neighbor-advert icmpv6 taddr != fe80::/64 icmpv6 taddr != %s "
	         "drop\n"
	         "\t\ticmpv6 type nd-router-advert drop\n"
	         "\t\ticmpv6 type nd-redirect drop\n",
	         addr, addr, addr);
	if (!strstr(v4_end, want))
		fail_msg("port chain:\n%s\nlacks:\n%s", text, want);
	free(text);
}

static bool has_ip6(const struct netd_nft_port *p)
{
	char *text = render_port(p);
	bool has = strstr(text, "ip6 ") || strstr(text, "icmpv6");

	free(text);
	return has;
}

/* An attached guest with an IPv6 address is bound to it; one without keeps no IPv6 rule. */
static void test_attached_bound(void **state)
{
	struct netd_network *n = make_net("fd42:7a:1::1/64");
	struct netd_nft_guest g[] = {guest("vnet0", mac_a, "fd42:7a:1::50"),
	                             guest("vnet1", mac_b, NULL)};
	struct netd_nft_net *x;

	(void)state;
	assert_int_equal(netd_nft_net_build_guests(n, g, 2, &x), 0);
	assert_int_equal(x->n_ports, 2);
	expect_bound6(&x->ports[0], "fd42:7a:1::50");
	assert_false(has_ip6(&x->ports[1]));
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* A [Host] of the guest's MAC with an IPv6 Address= binds it, attached or declared alike;
 * the record's own address wins over the [Host]'s. */
static void test_host_binds(void **state)
{
	struct netd_network *n = make_net("fd42:7a:1::1/64");
	struct netd_nft_guest g[] = {guest("vnet0", mac_a, NULL), guest("vnet1", mac_b, NULL)};
	struct netd_nft_net *x;

	(void)state;
	n->hosts = calloc(2, sizeof(*n->hosts));
	assert_non_null(n->hosts);
	n->n_hosts = 2;
	memcpy(n->hosts[0].mac, mac_a, 6);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::a", &n->hosts[0].addr6), 0);
	memcpy(n->hosts[1].mac, mac_b, 6); /* IPv4 only: binds no IPv6 */
	n->hosts[1].addr.s_addr = htonl(0x0a050009);
	assert_int_equal(netd_nft_net_build_guests(n, g, 2, &x), 0);
	expect_bound6(&x->ports[0], "fd42:7a:1::a");
	assert_false(has_ip6(&x->ports[1]));
	netd_nft_net_free(x);

	g[0] = guest("vnet0", mac_a, "fd42:7a:1::77");
	assert_int_equal(netd_nft_net_build_guests(n, g, 1, &x), 0);
	expect_bound6(&x->ports[0], "fd42:7a:1::77");
	netd_nft_net_free(x);

	/* A [Tap] of that MAC: the same. */
	n->n_taps = 1;
	strcpy(n->taps[0].name, "vm0");
	memcpy(n->taps[0].mac, mac_a, 6);
	assert_int_equal(netd_nft_net_build_guests(n, NULL, 0, &x), 0);
	assert_int_equal(x->n_ports, 1);
	expect_bound6(&x->ports[0], "fd42:7a:1::a");
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* No IPv6 on the network: nothing IPv6 is bound, whatever the [Host] says. */
static void test_no_ipv6_network(void **state)
{
	struct netd_network *n = make_net(NULL);
	struct netd_nft_guest g[] = {guest("vnet0", mac_a, "fd42:7a:1::50")};
	struct netd_nft_net *x;

	(void)state;
	assert_int_equal(netd_nft_net_build_guests(n, g, 1, &x), 0);
	assert_false(has_ip6(&x->ports[0]));
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* The binding changes the port's digest, so attach and reconcile see it. */
static void test_digest_changes(void **state)
{
	struct netd_network *n = make_net("fd42:7a:1::1/64");
	struct netd_nft_guest a[] = {guest("vnet0", mac_a, NULL)};
	struct netd_nft_guest b[] = {guest("vnet0", mac_a, "fd42:7a:1::50")};
	struct netd_nft_net *x, *y;

	(void)state;
	assert_int_equal(netd_nft_net_build_guests(n, a, 1, &x), 0);
	assert_int_equal(netd_nft_net_build_guests(n, b, 1, &y), 0);
	assert_string_not_equal(x->ports[0].digest, y->ports[0].digest);
	netd_nft_net_free(x);
	netd_nft_net_free(y);
	netd_network_free(n);
}

/* attach's IPv6 address: in the prefix, not the host's, not anyone else's. */
static void test_address6_check(void **state)
{
	struct netd_network *n = make_net("fd42:7a:1::1/64");
	struct netd_tap_record rec = {.tap = "vnet5"};
	struct netd_tap_state s = {.v = &rec, .n = 1};
	struct netd_diag d = {{0}};
	struct in6_addr a;

	(void)state;
	n->hosts = calloc(1, sizeof(*n->hosts));
	assert_non_null(n->hosts);
	n->n_hosts = 1;
	n->hosts[0].line = 12;
	memcpy(n->hosts[0].mac, mac_b, 6);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::b", &n->hosts[0].addr6), 0);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::c", &rec.addr6), 0);

	assert_int_equal(netd_ipv6_parse("fd42:7a:1::50", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), 0);
	assert_int_equal(netd_ipv6_parse("fd42:7a:2::50", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "not in net1's IPv6 prefix fd42:7a:1::/64"));
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::1", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "host's own address"));
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EINVAL);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::b", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EADDRINUSE);
	assert_non_null(strstr(d.msg, "line 12"));
	/* The [Host]'s own guest may take its address. */
	assert_int_equal(netd_tap_address6_check(n, &s, mac_b, &a, &d), 0);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::c", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EADDRINUSE);
	assert_non_null(strstr(d.msg, "tap vnet5"));
	n->has_address6 = false;
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::50", &a), 0);
	assert_int_equal(netd_tap_address6_check(n, &s, mac_a, &a, &d), -EINVAL);
	netd_network_free(n);
}

/* The record keeps the address across a write and a read; a record without one reads as
 * before (no "address6" member). */
static void test_record_roundtrip(void **state)
{
	struct netd_tap_record r = {.tap = "vnet0", .queues = 1};
	struct netd_tap_state s = {.v = &r, .n = 1}, back = {0};
	struct netd_diag d = {{0}};
	char *text;

	(void)state;
	memcpy(r.mac, mac_a, 6);
	netd_tap_host_mac(mac_a, r.host_mac);
	assert_int_equal(netd_tap_state_format("net1", &s, &text), 0);
	assert_null(strstr(text, "address6"));
	free(text);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::50", &r.addr6), 0);
	assert_int_equal(netd_tap_state_format("net1", &s, &text), 0);
	assert_non_null(strstr(text, "\"address6\""));
	assert_non_null(strstr(text, "fd42:7a:1::50"));
	assert_int_equal(netd_tap_state_parse(text, &back, &d), 0);
	assert_int_equal(back.n, 1);
	assert_memory_equal(&back.v[0].addr6, &r.addr6, 16);
	free(text);
	netd_tap_state_clear(&back);
}

/* The control request carries it; a bad one is refused by the codec. */
static void test_request_address6(void **state)
{
	static const char ok[] =
	    "{\"cmd\":\"attach\",\"name\":\"net1\",\"address6\":\"fd42:7a:1::50\"}";
	static const char bad[] =
	    "{\"cmd\":\"attach\",\"name\":\"net1\",\"address6\":\"10.0.0.1\"}";
	struct netd_ctl_request req = {0};
	struct netd_diag d = {{0}};
	struct in6_addr a;

	(void)state;
	assert_int_equal(netd_ctl_request_decode(ok, strlen(ok), &req, &d), 0);
	assert_true(req.attach.has_addr6);
	assert_int_equal(netd_ipv6_parse("fd42:7a:1::50", &a), 0);
	assert_memory_equal(&req.attach.addr6, &a, 16);
	netd_ctl_request_clear(&req);
	assert_int_equal(netd_ctl_request_decode(bad, strlen(bad), &req, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "one IPv6 address"));
	netd_ctl_request_clear(&req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_attached_bound),   cmocka_unit_test(test_host_binds),
	    cmocka_unit_test(test_no_ipv6_network),  cmocka_unit_test(test_digest_changes),
	    cmocka_unit_test(test_address6_check),   cmocka_unit_test(test_record_roundtrip),
	    cmocka_unit_test(test_request_address6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
