/*
 * A dual-stack network's rules in the kernel (issue 10): the IPv6 rules and NAT66's map
 * element go in with the IPv4 ones in one batch, `nft list` shows exactly the rendered text,
 * the verification holds them to what the builder emits (a rule or the nat6_src element
 * gone, an element of someone else's, a rule changed), and one apply puts them back.
 */
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

static struct netd_network *dual_net(bool nat66)
{
	struct netd_network *n = default_net();

	n->has_address6 = true;
	assert_int_equal(netd_prefix6_parse("fd42:7a:1::1/64", &n->address6), 0);
	n->has_dhcp6 = true;
	n->ipv6_nat = nat66;
	return n;
}

/* Every chain of x as `nft list chain` prints it (the harness's expected_chain). */
static void check_chains(const struct netd_nft_net *x)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		const struct netd_nft_chain *c = &x->chains[k];
		char *want, *got;
		int st;

		if (!c->present)
			continue;
		want = expected_chain(x, c);
		got = run(&st, "nft list chain inet netd %s", c->name);
		if (st != 0 || strcmp(got, want) != 0)
			fail_msg("chain %s:\n--- kernel\n%s--- rendered\n%s", c->name, got, want);
		free(got);
		free(want);
	}
}

static void test_dual_stack_applied_as_rendered(void **state)
{
	struct netd_network *n = dual_net(true);
	struct netd_nft_net *x = build(n);
	char *out;

	assert_true(x->chains[NETD_NFT_CHAIN_POST6].present);
	apply_ok(x);
	check_chains(x);
	assert_verified(x);
	out = run_ok("nft list map inet netd %s", "nat6_src");
	assert_non_null(strstr(out, "fd42:7a:1::/64 : jump post6_default"));
	free(out);
	out = run_ok("nft list chain inet netd %s", "postrouting");
	assert_non_null(strstr(out, "\t\tip saddr vmap @nat_src\n\t\tip6 saddr vmap @nat6_src\n"));
	free(out);
	/* IPv6NAT=no: post6_ and its element go, in one apply; the rest stays verified. */
	netd_nft_net_free(x);
	n->ipv6_nat = false;
	x = build(n);
	apply_ok(x);
	assert_verified(x);
	out = run_ok("nft list map inet netd %s", "nat6_src");
	assert_null(strstr(out, "post6_default"));
	free(out);
	out = snapshot();
	assert_null(strstr(out, "chain post6_default"));
	free(out);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static int dual_up(void **state)
{
	struct netd_network *n = dual_net(true);

	return fixture_up(state, n, build(n));
}

static void test_ipv6_drift(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	tamper("delete element inet netd nat6_src { fd42:7a:1::/64 }");
	expect_drift_repaired(f->x, f->before, "nat6_src: fd42:7a:1::/64 missing");
	tamper("add element inet netd nat6_src { fd99::/64 : jump post6_default }");
	expect_drift_repaired(f->x, f->before, "nat6_src: fd99::/64 foreign");
	tamper("flush chain inet netd post6_default");
	expect_drift_repaired(f->x, f->before, "post6_default: 4 rules missing");
	snprintf(cmd, sizeof(cmd), "delete rule inet netd in_default handle %u",
	         handle_of("inet netd", "in_default", 3));
	tamper(cmd);
	expect_drift_repaired(f->x, f->before, "in_default: 1 rule missing");
}

#define D(f) cmocka_unit_test_setup_teardown(f, dual_up, fixture_gone)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_dual_stack_applied_as_rendered),
	    D(test_ipv6_drift),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
