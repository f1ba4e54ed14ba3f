/*
 * netd_nft_observe_hold(): held, the ruleset's generation is checked at the first verify and
 * then trusted (a pass over N networks costs one check, not N), until held again or released.
 * In a network namespace of the test's own; the table is deleted behind netd's back with nft.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/kernel/nft.h"
#include "netd/mode.h"

static struct netd_nft *nft;

static const struct netd_nft_net *x;

/* 0: the tables hold exactly what x wants; -ENOENT: none of its chains; 1: they differ. */
static int observe(void)
{
	struct netd_nft_drift d;
	int ret = netd_nft_verify_net(nft, x, &d);

	if (ret < 0)
		return ret;
	if (!d.present)
		return -ENOENT;
	return d.n ? 1 : 0;
}

static void test_hold(void **state)
{
	struct netd_network *n = netd_network_new();
	struct netd_diag diag = {""};
	struct netd_nft_net *built = NULL;

	assert_non_null(n);
	snprintf(n->name, sizeof(n->name), "default");
	snprintf(n->bridge, sizeof(n->bridge), "virbr0");
	n->mode = NETD_MODE_NAT;
	for (int c = 0; c < NETD_CELL_MAX; c++)
		n->policy[c] = netd_mode_ops(n->mode)->defaults[c];
	n->has_address = true;
	assert_int_equal(netd_prefix_parse("192.122.1.1/24", &n->address), 0);
	assert_int_equal(netd_nft_net_build(n, &built), 0);
	x = built;
	assert_int_equal(netd_nft_apply_net(nft, x, &diag), 0);

	/* Released (the default): every observe sees the ruleset as it is. */
	assert_int_equal(observe(), 0);
	assert_int_equal(system("nft delete table inet netd"), 0);
	assert_int_equal(observe(), -ENOENT);
	assert_int_equal(netd_nft_apply_net(nft, x, &diag), 0);

	/* Held: the first observe checks, the next ones trust that check. */
	netd_nft_observe_hold(nft, true);
	assert_int_equal(observe(), 0);
	assert_int_equal(system("nft delete table inet netd"), 0);
	assert_int_equal(observe(), 0);
	/* Held again (after a write of the pass's own): checked again. */
	netd_nft_observe_hold(nft, true);
	assert_int_equal(observe(), -ENOENT);
	/* A write of netd's own (apply) re-arms the check: verify sees what it wrote. */
	assert_int_equal(netd_nft_apply_net(nft, x, &diag), 0);
	assert_int_equal(observe(), 0);
	netd_nft_observe_hold(nft, false);
	assert_int_equal(observe(), 0);

	netd_nft_net_free(built);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hold),
	};
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_nft_hold: unshare(CLONE_NEWNET) (needs root)\n");
		return 1;
	}
	if (netd_nft_open(&nft) < 0)
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	netd_nft_close(nft);
	return ret;
}
