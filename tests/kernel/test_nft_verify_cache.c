/*
 * Verify's remembered answers (netd/kernel/nft_verify_cache.c), against the kernel in a
 * network namespace of the test's own. An unchanged ruleset and unchanged wants give the
 * answer again without comparing; any change of the ruleset (by someone else, a table of
 * someone else's too) or of what the network wants compares again, and a drift is found as
 * if nothing were remembered.
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
#include <unistd.h>

#include <cmocka.h>

#include "nft_harness.h"

/* Verify's counters since the last call: answers given again, answers computed. */
static void expect_counts(uint64_t remembered, uint64_t computed)
{
	static uint64_t last_r, last_c;
	uint64_t r, c;

	netd_nft_verify_counts(nft, &r, &c);
	assert_int_equal(r - last_r, remembered);
	assert_int_equal(c - last_c, computed);
	last_r = r;
	last_c = c;
}

static void test_remembered_until_the_ruleset_moves(void **state)
{
	struct netd_network *a = default_net();
	struct netd_network *b =
	    make_net("ho", NETD_MODE_HOSTONLY, "netd-ho0", "192.122.56.1/24", true);
	struct netd_nft_net *xa = build(a), *xb = build(b);
	struct netd_nft_drift d;
	char cmd[128];

	expect_counts(0, 0);
	apply_ok(xa);
	apply_ok(xb);
	assert_verified(xa);
	assert_verified(xb);
	expect_counts(0, 2);
	for (int i = 0; i < 5; i++) {
		assert_verified(xa);
		assert_verified(xb);
	}
	expect_counts(10, 0);

	/* Someone else's table: the generation moves, every network is compared again. */
	tamper("add table inet scratch");
	assert_verified(xa);
	assert_verified(xb);
	expect_counts(0, 2);

	/* A rule of a's deleted by hand: found, for a only, remembered while it stays. */
	snprintf(cmd, sizeof(cmd), "delete rule inet netd in_default handle %u",
	         handle_of("inet netd", "in_default", 0));
	tamper(cmd);
	d = drift_of(xa);
	assert_string_equal(d.what, "in_default: 1 rule missing");
	assert_verified(xb);
	expect_counts(0, 2);
	d = drift_of(xa);
	assert_string_equal(d.what, "in_default: 1 rule missing");
	expect_counts(1, 0);

	/* netd's own repair moves the generation too: clean again, compared once. */
	apply_ok(xa);
	assert_verified(xa);
	assert_verified(xa);
	expect_counts(1, 1);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* Other wants for the same network at the same generation: compared, the difference found. */
static void test_other_wants_compared(void **state)
{
	struct netd_network *a = default_net(), *a2 = default_net();
	struct netd_nft_net *xa, *xa2;
	struct netd_nft_drift d;

	a2->policy[NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW;
	xa = build(a);
	xa2 = build(a2);
	apply_ok(xa);
	assert_verified(xa);
	assert_verified(xa);
	expect_counts(1, 1);
	d = drift_of(xa2);
	assert_int_not_equal(d.n, 0);
	assert_string_not_equal(d.what, "");
	expect_counts(0, 1);
	assert_verified(xa); /* the first wants again: compared again, still clean */
	expect_counts(0, 1);

	/* Off: every call compares. */
	netd_nft_verify_remember(nft, false);
	assert_verified(xa);
	assert_verified(xa);
	expect_counts(0, 2);
	netd_nft_verify_remember(nft, true);
	netd_nft_net_free(xa);
	netd_nft_net_free(xa2);
	netd_network_free(a);
	netd_network_free(a2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_remembered_until_the_ruleset_moves),
	    T(test_other_wants_compared),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
