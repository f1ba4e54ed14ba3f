/*
 * The NAT's outside (NATAddress=, NATPorts=: issue #11) in table inet netd, against the kernel
 * in a network namespace of the test's own: the rules the batch writes are the ones nft(8)
 * lists for the text netd renders, a table just written verifies clean, and each kind of
 * change to the NAT rules (another address, other ports, snat put back to masquerade, and the
 * reverse) is drift the verification names and one apply repairs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "nft_harness.h"

/* NATAddress=203.0.113.2 NATPorts=20000-29999 (ports given only when ports). */
static struct netd_network *nat_out_net(bool address, bool ports)
{
	struct netd_network *n =
	    make_net("natout", NETD_MODE_NAT, "netd-no0", "192.122.2.1/24", true);

	if (address)
		assert_int_equal(netd_ipv4_parse("203.0.113.2", &n->nat_address), 0);
	if (ports) {
		n->nat_ports[0] = 20000;
		n->nat_ports[1] = 29999;
	}
	return n;
}

static int snat_up(void **state)
{
	struct netd_network *n = nat_out_net(true, true);

	return fixture_up(state, n, build(n));
}

/* nft(8) reads back, for each variant, the very text netd renders for it. */
static void test_listed_as_rendered(void **state)
{
	static const struct {
		bool address, ports;
		const char *tcp, *all;
	} v[] = {
	    {true, true, "meta l4proto tcp snat ip to 203.0.113.2:20000-29999",
	     "ip daddr != 192.122.2.0/24 snat ip to 203.0.113.2\n"},
	    {true, false, "meta l4proto tcp snat ip to 203.0.113.2:1024-65535",
	     "ip daddr != 192.122.2.0/24 snat ip to 203.0.113.2\n"},
	    {false, true, "meta l4proto tcp masquerade to :20000-29999",
	     "ip daddr != 192.122.2.0/24 masquerade\n"},
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct netd_network *n = nat_out_net(v[i].address, v[i].ports);
		struct netd_nft_net *x = build(n);
		char *listed;

		apply_ok(x);
		assert_verified(x);
		listed = run_ok("nft list chain inet netd %s", "post_natout");
		if (!strstr(listed, v[i].tcp) || !strstr(listed, v[i].all))
			fail_msg("variant %zu: nft lists\n%s", i, listed);
		free(listed);
		netd_nft_net_free(x);
		netd_network_free(n);
	}
}

/* The last three rules of post_natout are the NAT's: tcp, udp, the rest. */
static void replace_nat_rule(int index, const char *rule)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "replace rule inet netd post_natout handle %u %s",
	         handle_of("inet netd", "post_natout", index), rule);
	tamper(cmd);
}

static void test_changed_nat_is_drift(void **state)
{
	struct fixture *f = *state;
	const struct netd_nft_net *x = f->x;

	replace_nat_rule(2, "ip daddr != 192.122.2.0/24 meta l4proto tcp snat ip to "
	                    "203.0.113.3:20000-29999");
	expect_drift_repaired(x, f->before, "post_natout: 1 rule changed");
	replace_nat_rule(3, "ip daddr != 192.122.2.0/24 meta l4proto udp snat ip to "
	                    "203.0.113.2:20000-30000");
	expect_drift_repaired(x, f->before, "post_natout: 1 rule changed");
	replace_nat_rule(2, "ip daddr != 192.122.2.0/24 meta l4proto tcp masquerade to "
	                    ":20000-29999");
	expect_drift_repaired(x, f->before, "post_natout: 1 rule changed");
	replace_nat_rule(4, "ip daddr != 192.122.2.0/24 masquerade");
	expect_drift_repaired(x, f->before, "post_natout: 1 rule changed");
}

/* A table written with masquerade is drift for a network that now says NATAddress=, and the
 * other way round: a reload that changes the NAT's outside rewrites the rules. */
static void test_masquerade_is_not_snat(void **state)
{
	struct netd_network *masq = nat_out_net(false, false), *snat = nat_out_net(true, false);
	struct netd_nft_net *xm = build(masq), *xs = build(snat);

	apply_ok(xm);
	assert_verified(xm);
	assert_int_not_equal(drift_of(xs).n, 0);
	apply_ok(xs);
	assert_verified(xs);
	assert_int_not_equal(drift_of(xm).n, 0);
	netd_nft_net_free(xm);
	netd_nft_net_free(xs);
	netd_network_free(masq);
	netd_network_free(snat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_listed_as_rendered),
	    cmocka_unit_test_setup_teardown(test_changed_nat_is_drift, snat_up, fixture_gone),
	    T(test_masquerade_is_not_snat),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
