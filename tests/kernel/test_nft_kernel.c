/*
 * netd's nft layer against the kernel, in a network namespace of the test's own (unshared
 * first thing in main, so the machine's ruleset is never touched). nft(8) run through
 * popen() inherits the namespace and is the independent witness of what the kernel holds:
 * each chain must list exactly as the renderer writes it, which proves that the libnftnl
 * expressions and the text say the same thing.
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

static void check_kernel_has(const struct netd_nft_net *x)
{
	for (int k = 0; k < NETD_NFT_CHAIN_KINDS; k++) {
		const struct netd_nft_chain *c = &x->chains[k];
		int st;
		char *got, *want;

		got = run(&st, "nft list chain inet netd %s", c->present ? c->name : "x");
		if (!c->present) {
			free(got);
			continue;
		}
		want = expected_chain(x, c);
		if (st != 0 || strcmp(got, want) != 0) {
			print_error("--- kernel\n%s--- expected\n%s", got, want);
			fail_msg("chain %s differs from the rendered text", c->name);
		}
		free(got);
		free(want);
	}
	assert_verified(x);
}

static bool map_has(const char *map, const char *elem)
{
	char *out = run_ok("nft list map inet netd %s", map);
	bool has = strstr(out, elem) != NULL;

	free(out);
	return has;
}

/* The goldens are valid nft(8) input on top of the base table. */
static void test_goldens_load(void **state)
{
	static const char *const cases[] = {"nat_default",   "nat_host_to_vm", "hostonly_default",
	                                    "hostonly_open", "internal",       "internal_lab",
	                                    "bridged",       "nat_guests",     "bridged_guests"};
	char *out;

	free(run_ok("nft -f %s/nft/base.nft", NETD_TEST_DATA));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512];
		int st;

		snprintf(path, sizeof(path), "%s/nft/%s.nft", NETD_TEST_DATA, cases[i]);
		out = run(&st, "nft -c -f %s", path);
		if (st != 0)
			fail_msg("nft -c -f %s: %s", path, out);
		free(out);
	}
}

static void test_apply_default(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n);
	char(*names)[NETD_NAME_MAX];
	size_t count;
	char *out;

	assert_false(table_exists());
	apply_ok(x);
	check_kernel_has(x);
	assert_true(map_has("in_if", "\"virbr0\" : jump in_default"));
	assert_true(map_has("out_if", "\"virbr0\" : jump out_default"));
	assert_true(map_has("fwd_in_if", "\"virbr0\" : jump fwdi_default"));
	assert_true(map_has("fwd_out_if", "\"virbr0\" : jump fwdo_default"));
	assert_true(map_has("nat_src", "192.122.1.0/24 : jump post_default"));
	out = run_ok("nft list chain inet netd %s", "forward");
	assert_non_null(strstr(out, "type filter hook forward priority filter; policy accept;\n"
	                            "\t\tiifname vmap @fwd_in_if\n\t\toifname vmap @fwd_out_if\n"));
	free(out);
	out = run_ok("nft list chain inet netd %s", "postrouting");
	assert_non_null(strstr(out, "type nat hook postrouting priority srcnat; policy accept;\n"
	                            "\t\tip saddr vmap @nat_src\n"));
	free(out);
	assert_int_equal(netd_nft_list_networks(nft, &names, &count), 0);
	assert_int_equal(count, 1);
	assert_string_equal(names[0], "default");
	free(names);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static void test_reapply_is_noop(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n);
	char *before, *after;

	apply_ok(x);
	before = snapshot();
	apply_ok(x);
	apply_ok(x);
	after = snapshot();
	assert_string_equal(before, after);
	check_kernel_has(x);
	free(before);
	free(after);
	netd_nft_net_free(x);
	netd_network_free(n);
}

static void test_policy_change(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n), *y;
	char *out;

	apply_ok(x);
	n->policy[NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW;
	n->policy[NETD_CELL_VM_TO_VM] = NETD_POLICY_DENY;
	y = build(n);
	assert_string_not_equal(x->digest, y->digest);
	apply_ok(y);
	check_kernel_has(y);
	assert_true(drift_of(x).present);
	assert_int_not_equal(drift_of(x).n, 0);
	out = run_ok("nft list chain inet netd %s", "out_default");
	assert_null(strstr(out, "reject"));
	free(out);
	out = run_ok("nft list chain inet netd %s", "fwdi_default");
	assert_non_null(strstr(out, "oifname \"virbr0\" drop"));
	free(out);
	netd_nft_net_free(x);
	netd_nft_net_free(y);
	netd_network_free(n);
}

static void test_two_networks(void **state)
{
	struct netd_network *a = default_net();
	struct netd_network *b =
	    make_net("hostonly", NETD_MODE_HOSTONLY, "vboxnet0", "192.168.56.1/24", true);
	struct netd_nft_net *xa = build(a), *xb = build(b);
	char(*names)[NETD_NAME_MAX];
	size_t count;

	apply_ok(xa);
	apply_ok(xb);
	check_kernel_has(xa);
	check_kernel_has(xb);
	assert_int_equal(netd_nft_list_networks(nft, &names, &count), 0);
	assert_int_equal(count, 2);
	assert_true(strcmp(names[0], "hostonly") == 0 || strcmp(names[1], "hostonly") == 0);
	free(names);

	remove_ok("default");
	assert_false(drift_of(xa).present);
	check_kernel_has(xb);
	assert_false(map_has("in_if", "virbr0"));
	assert_false(map_has("fwd_out_if", "virbr0"));
	assert_false(map_has("nat_src", "post_default"));
	assert_true(map_has("in_if", "\"vboxnet0\" : jump in_hostonly"));
	free(run_ok("nft list chain inet netd %s", "input"));
	assert_int_equal(netd_nft_list_networks(nft, &names, &count), 0);
	assert_int_equal(count, 1);
	assert_string_equal(names[0], "hostonly");
	free(names);

	remove_ok("hostonly");
	assert_false(table_exists());
	assert_false(drift_of(xb).present);
	/* Absent: nothing to do, and no error. */
	remove_ok("hostonly");
	assert_int_equal(netd_nft_list_networks(nft, &names, &count), 0);
	assert_int_equal(count, 0);
	free(names);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* Adjacent NAT subnets: one's interval end is the next one's start in nat_src. Each network
 * still goes down on its own, in either order, and the other keeps its element. */
static void test_adjacent_subnets(void **state)
{
	struct netd_network *a = make_net("a", NETD_MODE_NAT, "nb3", "10.200.3.1/24", true);
	struct netd_network *b = make_net("b", NETD_MODE_NAT, "nb4", "10.200.4.1/24", true);
	struct netd_network *c = make_net("c", NETD_MODE_NAT, "nb5", "10.200.5.1/24", true);
	struct netd_nft_net *xa = build(a), *xb = build(b), *xc = build(c);

	apply_ok(xa);
	apply_ok(xb);
	apply_ok(xc);
	assert_true(map_has("nat_src", "10.200.4.0/24 : jump post_b"));
	remove_ok("b");
	assert_false(map_has("nat_src", "post_b"));
	assert_true(map_has("nat_src", "10.200.3.0/24 : jump post_a"));
	assert_true(map_has("nat_src", "10.200.5.0/24 : jump post_c"));
	apply_ok(xb); /* and back in between its neighbours */
	assert_true(map_has("nat_src", "10.200.4.0/24 : jump post_b"));
	remove_ok("a");
	remove_ok("c");
	assert_true(map_has("nat_src", "10.200.4.0/24 : jump post_b"));
	remove_ok("b");
	assert_false(table_exists());
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_nft_net_free(xc);
	netd_network_free(a);
	netd_network_free(b);
	netd_network_free(c);
}

/* The same network in another shape: nothing of the old shape may stay behind. */
static void test_reshape(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n), *y, *z;
	int st;

	apply_ok(x);
	/* nat -> hostonly with a new bridge: post_ and every old element go. */
	n->mode = NETD_MODE_HOSTONLY;
	snprintf(n->bridge, sizeof(n->bridge), "hostbr7");
	y = build(n);
	apply_ok(y);
	check_kernel_has(y);
	free(run(&st, "nft list chain inet netd post_default"));
	assert_int_not_equal(st, 0);
	assert_false(map_has("nat_src", "post_default"));
	assert_false(map_has("in_if", "virbr0"));
	assert_true(map_has("fwd_out_if", "\"hostbr7\" : jump fwdo_default"));

	/* back to nat, on a wider subnet that starts at the same address as before. */
	n->mode = NETD_MODE_NAT;
	assert_int_equal(netd_prefix_parse("192.122.0.1/24", &n->address), 0);
	netd_nft_net_free(x);
	x = build(n);
	apply_ok(x);
	n->address.len = 23;
	z = build(n);
	apply_ok(z);
	check_kernel_has(z);
	assert_true(map_has("nat_src", "192.122.0.0/23 : jump post_default"));
	assert_false(map_has("nat_src", "192.122.0.0/24"));

	/* bridged needs no rules: the network's chains go, and with them the table. */
	n->mode = NETD_MODE_BRIDGED;
	netd_nft_net_free(y);
	y = build(n);
	apply_ok(y);
	assert_false(table_exists());
	netd_nft_net_free(x);
	netd_nft_net_free(y);
	netd_nft_net_free(z);
	netd_network_free(n);
}

static void test_bridged_sends_nothing(void **state)
{
	struct netd_network *n = make_net("lan", NETD_MODE_BRIDGED, "br0", NULL, false);
	struct netd_nft_net *x = build(n);

	apply_ok(x);
	assert_false(table_exists());
	assert_false(drift_of(x).present);
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* A batch the kernel refuses names the failing message and changes nothing at all. */
static void test_failure_is_atomic(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n), *y;
	struct netd_nft_chain *c;
	struct netd_diag diag = {""};
	char *before, *after;
	int ret;

	apply_ok(x);
	before = snapshot();

	/* masquerade in a filter chain: the kernel answers EOPNOTSUPP for that rule. */
	n->policy[NETD_CELL_HOST_TO_VM] = NETD_POLICY_ALLOW;
	y = build(n);
	c = &y->chains[NETD_NFT_CHAIN_FWDI];
	c->rules[c->n_rules++] = (struct netd_nft_rule){.verdict = NETD_NFT_V_MASQUERADE};
	ret = netd_nft_apply_net(nft, y, &diag);
	assert_int_equal(ret, -EOPNOTSUPP);
	/* The chain's last rule: its 5th, behind the source check. */
	assert_string_equal(diag.msg, "nft: adding rule 5 of chain fwdi_default (masquerade): "
	                              "Operation not supported");
	after = snapshot();
	assert_string_equal(before, after);
	assert_verified(x);
	free(after);
	netd_nft_net_free(y);
	netd_network_free(n);

	/* A second network claiming the same bridge: its map element clashes. */
	n = make_net("other", NETD_MODE_HOSTONLY, "virbr0", "10.3.0.1/24", false);
	y = build(n);
	ret = netd_nft_apply_net(nft, y, &diag);
	assert_true(ret < 0);
	assert_non_null(strstr(diag.msg, "nft: adding element \"virbr0\" : jump in_other to map "
	                                 "in_if: "));
	after = snapshot();
	assert_string_equal(before, after);
	assert_false(drift_of(y).present);
	free(after);
	free(before);
	netd_nft_net_free(x);
	netd_nft_net_free(y);
	netd_network_free(n);
}

/* Observe sees through tampering: a chain missing, or rules that are not ours. */
static void test_observe_detects_drift(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n);

	assert_false(drift_of(x).present);
	assert_int_not_equal(drift_of(x).n, 0);
	apply_ok(x);
	free(run_ok("nft flush chain inet netd %s", "fwdo_default"));
	free(run_ok("nft add rule inet netd fwdo_default %s", "accept"));
	assert_int_not_equal(drift_of(x).n, 0);
	apply_ok(x);
	check_kernel_has(x);
	/* A user's rule slipped in front of ours is gone after the next apply. */
	free(run_ok("nft insert rule inet netd in_default %s", "drop"));
	assert_int_not_equal(drift_of(x).n, 0);
	apply_ok(x);
	check_kernel_has(x);
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* Not a benchmark (bench/ has those): the figure for the report, and each apply checked. */
static void test_apply_time(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x = build(n);
	double cold[50], warm[50];

	for (int i = 0; i < 50; i++) {
		double t0 = now_ms();

		apply_ok(x);
		cold[i] = now_ms() - t0;
		t0 = now_ms();
		apply_ok(x);
		warm[i] = now_ms() - t0;
		remove_ok("default");
	}
	assert_false(table_exists());
	qsort(cold, 50, sizeof(double), cmp_double);
	qsort(warm, 50, sizeof(double), cmp_double);
	print_message("apply default network: median %.3f ms into an empty namespace, %.3f ms "
	              "re-apply (50 runs each)\n",
	              (cold[24] + cold[25]) / 2, (warm[24] + warm[25]) / 2);
	netd_nft_net_free(x);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_goldens_load),          T(test_apply_default),     T(test_reapply_is_noop),
	    T(test_policy_change),         T(test_two_networks),      T(test_reshape),
	    T(test_bridged_sends_nothing), T(test_failure_is_atomic), T(test_observe_detects_drift),
	    T(test_adjacent_subnets),      T(test_apply_time),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
