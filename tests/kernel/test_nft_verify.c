/*
 * The verification of table inet netd by content (netd/kernel/nft_verify.c), against the
 * kernel in a network namespace of the test's own. Every kind of difference is found and
 * named, an identical table has none, what is another network's is not counted, and one
 * apply repairs each to exactly the table there was before (nft(8)'s text as the witness).
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

static struct netd_network *hostonly_net(void)
{
	return make_net("ho", NETD_MODE_HOSTONLY, "netd-ho0", "192.122.56.1/24", true);
}

/* The default network applied (nft_harness.h's fixture). */
static int default_up(void **state)
{
	struct netd_network *n = default_net();

	return fixture_up(state, n, build(n));
}

/* Nothing differs in a table just written, asked once or many times. */
static void test_identical(void **state)
{
	struct netd_network *a = default_net(), *b = hostonly_net();
	struct netd_nft_net *xa = build(a), *xb = build(b);

	apply_ok(xa);
	apply_ok(xb);
	for (int i = 0; i < 3; i++) {
		assert_verified(xa);
		assert_verified(xb);
	}
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* Any one rule deleted from any chain, the base chains' dispatch included. */
static void test_missing_rule(void **state)
{
	struct fixture *f = *state;
	const struct netd_nft_net *x = f->x;
	const char *before = f->before;
	static const char *const chains[] = {"in_default",   "out_default",  "fwdi_default",
	                                     "fwdo_default", "post_default", "input",
	                                     "output",       "forward",      "postrouting"};
	char what[128], cmd[128];

	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		int count = rule_count("inet netd", chains[c]);

		assert_true(count > 0);
		for (int i = 0; i < count; i++) {
			snprintf(cmd, sizeof(cmd), "delete rule inet netd %s handle %u", chains[c],
			         handle_of("inet netd", chains[c], i));
			tamper(cmd);
			snprintf(what, sizeof(what), "%s: 1 rule missing", chains[c]);
			expect_drift_repaired(x, before, what);
		}
	}
	/* The reject behind HostToVM=deny, named as the issue found it. */
	snprintf(cmd, sizeof(cmd), "delete rule inet netd out_default handle %u",
	         handle_of("inet netd", "out_default", rule_count("inet netd", "out_default") - 1));
	tamper(cmd);
	expect_drift_repaired(x, before, "out_default: 1 rule missing");
}

/* A foreign rule inserted or appended, and one of ours changed in place. */
static void test_foreign_and_changed_rules(void **state)
{
	struct fixture *f = *state;
	const struct netd_nft_net *x = f->x;
	const char *before = f->before;
	char cmd[160];

	tamper("add rule inet netd fwdi_default accept");
	expect_drift_repaired(x, before, "fwdi_default: 1 foreign rule");
	tamper("insert rule inet netd in_default accept");
	tamper("add rule inet netd post_default counter accept");
	expect_drift_repaired(x, before,
	                      "in_default: 1 foreign rule, post_default: 1 foreign rule");
	/* The DHCP rule (the fourth, behind the source check and conntrack) now accepts port
	 * 68: same place, other content. */
	snprintf(cmd, sizeof(cmd),
	         "replace rule inet netd in_default handle %u udp dport 68 accept",
	         handle_of("inet netd", "in_default", 3));
	tamper(cmd);
	expect_drift_repaired(x, before, "in_default: 1 rule changed");
	/* The same rules in another order are not the same chain. */
	snprintf(cmd, sizeof(cmd), "delete rule inet netd fwdo_default handle %u",
	         handle_of("inet netd", "fwdo_default", 0));
	tamper(cmd);
	tamper("add rule inet netd fwdo_default ct state established,related accept");
	expect_drift_repaired(x, before, "fwdo_default: 1 rule missing, 1 foreign rule");
}

/* Map elements compared as sets: missing, foreign (jumping to the network's chains), and one
 * of ours sending elsewhere. */
static void test_elements(void **state)
{
	struct fixture *f = *state;
	const struct netd_nft_net *x = f->x;
	const char *before = f->before;
	char *after;

	tamper("delete element inet netd nat_src { 192.122.1.0/24 }");
	expect_drift_repaired(x, before, "nat_src: 192.122.1.0/24 missing");
	tamper("delete element inet netd in_if { \"virbr0\" }");
	tamper("delete element inet netd fwd_out_if { \"virbr0\" }");
	expect_drift_repaired(x, before,
	                      "in_if: \"virbr0\" missing, fwd_out_if: \"virbr0\" missing");
	tamper("add element inet netd fwd_in_if { \"eth9\" : jump fwdi_default }");
	expect_drift_repaired(x, before, "fwd_in_if: \"eth9\" foreign");
	tamper("add element inet netd nat_src { 10.9.9.0/24 : jump post_default }");
	expect_drift_repaired(x, before, "nat_src: 10.9.9.0/24 foreign");
	tamper("delete element inet netd out_if { \"virbr0\" }");
	tamper("add element inet netd out_if { \"virbr0\" : accept }");
	expect_drift_repaired(x, before, "out_if: \"virbr0\" changed");
	/* Any set of the table: a map of someone's, keyed on concatenated ranges, that sends
	 * traffic to the network's chain is the network's business too. */
	tamper("add map inet netd evil { type ifname . ipv4_addr : verdict ; flags interval ; }");
	tamper("add element inet netd evil { \"eth0\" . 10.0.0.0/8 : jump in_default }");
	assert_string_equal(drift_of(x).what,
	                    "evil: 0x657468300000000000000000000000000a000000 foreign");
	apply_ok(x);
	assert_verified(x);
	tamper("delete map inet netd evil");
	after = tables();
	assert_string_equal(before, after);
	free(after);
}

/* The table's frame: a base chain's policy, a map made otherwise, the table gone. */
static void test_frame(void **state)
{
	struct fixture *f = *state;
	const struct netd_nft_net *x = f->x;
	const char *before = f->before;

	tamper("add chain inet netd input { policy drop ; }");
	expect_drift_repaired(x, before, "input: policy drop");
	tamper("flush chain inet netd forward");
	tamper("delete map inet netd fwd_in_if");
	tamper("add map inet netd fwd_in_if { type ipv4_addr : verdict ; }");
	expect_drift_repaired(x, before,
	                      "forward: 2 rules missing, map fwd_in_if: defined otherwise; "
	                      "fwd_in_if: \"virbr0\" missing");
	/* Two dispatch rules since NAT66: ip saddr @nat_src and ip6 saddr @nat6_src. */
	tamper("delete chain inet netd postrouting");
	tamper("add chain inet netd postrouting");
	expect_drift_repaired(x, before,
	                      "postrouting: not a nat chain on its hook at priority 100, "
	                      "postrouting: 2 rules missing");
	tamper("delete table inet netd");
	expect_drift_repaired(x, before, "table inet netd missing");
}

/* Another network's chains and elements are its business: damage to them does not count for
 * this one, and this one's repair leaves them as they are. */
static void test_others_not_counted(void **state)
{
	struct netd_network *a = default_net(), *b = hostonly_net();
	struct netd_nft_net *xa = build(a), *xb = build(b);
	char *damaged, *after, cmd[128];

	apply_ok(xa);
	apply_ok(xb);
	snprintf(cmd, sizeof(cmd), "delete rule inet netd out_ho handle %u",
	         handle_of("inet netd", "out_ho", 0));
	tamper(cmd);
	tamper("add rule inet netd fwdi_ho accept");
	tamper("delete element inet netd in_if { \"netd-ho0\" }");
	tamper("add element inet netd fwd_in_if { \"eth9\" : jump fwdi_ho }");
	damaged = snapshot();
	assert_verified(xa);
	assert_string_equal(drift_of(xb).what, "out_ho: 1 rule missing, fwdi_ho: 1 foreign rule; "
	                                       "in_if: \"netd-ho0\" missing, fwd_in_if: \"eth9\" "
	                                       "foreign");
	/* Repairing default (its own drift) leaves ho's damage for ho's own repair. */
	tamper("add rule inet netd fwdo_default accept");
	apply_ok(xa);
	assert_verified(xa);
	after = snapshot();
	assert_string_equal(damaged, after);
	apply_ok(xb);
	assert_verified(xb);
	assert_verified(xa);
	free(after);
	free(damaged);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* count NAT networks n<i> on bridges nbr<i>, subnets 10.77.<i>.0/24 (one after another),
 * applied. */
static void nat_nets_up(int count, struct netd_network **n, struct netd_nft_net **x)
{
	char name[16], br[16], addr[32];

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		snprintf(br, sizeof(br), "nbr%d", i);
		snprintf(addr, sizeof(addr), "10.77.%d.1/24", i);
		n[i] = make_net(name, NETD_MODE_NAT, br, addr, true);
		x[i] = build(n[i]);
		apply_ok(x[i]);
	}
}

static void nets_free(int count, struct netd_network **n, struct netd_nft_net **x)
{
	for (int i = 0; i < count; i++) {
		netd_nft_net_free(x[i]);
		netd_network_free(n[i]);
	}
}

#define NETS  10
#define ROUND 50

static double verify_all(struct netd_nft_net *const *x)
{
	double t0 = now_ms();

	for (int i = 0; i < NETS; i++) {
		struct netd_nft_drift d;

		assert_int_equal(netd_nft_verify_net(nft, x[i], &d), 0);
		assert_int_equal(d.n, 0);
	}
	return now_ms() - t0;
}

/* Not a benchmark (bench/ has those): the figures for the report, every verdict checked. A
 * reconcile of a host nothing changed reads nothing; one change makes it read the table once. */
static void test_verify_cost(void **state)
{
	struct netd_network *n[NETS];
	struct netd_nft_net *x[NETS];
	double same[ROUND], changed[ROUND];

	nat_nets_up(NETS, n, x);
	verify_all(x);
	for (int r = 0; r < ROUND; r++) {
		same[r] = verify_all(x);
		/* Any change to the ruleset moves its generation: here, a table of someone else. */
		tamper(r % 2 ? "delete table inet scratch" : "add table inet scratch");
		changed[r] = verify_all(x);
	}
	qsort(same, ROUND, sizeof(double), cmp_double);
	qsort(changed, ROUND, sizeof(double), cmp_double);
	print_message("verify %d nat networks: median %.3f ms unchanged, %.3f ms after a change "
	              "(%d rounds)\n",
	              NETS, (same[ROUND / 2 - 1] + same[ROUND / 2]) / 2,
	              (changed[ROUND / 2 - 1] + changed[ROUND / 2]) / 2, ROUND);
	nets_free(NETS, n, x);
}

#define MANY 64

/* The drift of network i of x, and every other network verified. */
static void expect_only(struct netd_nft_net *const *x, int i, const char *what)
{
	for (int j = 0; j < MANY; j++) {
		if (j != i) {
			assert_verified(x[j]);
			continue;
		}
		assert_string_equal(drift_of(x[j]).what, what);
	}
}

/* Among many networks (their subnets one after another in nat_src, each interval ending where
 * the next begins), an element's drift is found for the network it concerns and for no other:
 * the elements are looked up by key and by the chain they jump to, not walked. */
static void test_many_networks_elements(void **state)
{
	struct netd_network *n[MANY];
	struct netd_nft_net *x[MANY];

	nat_nets_up(MANY, n, x);
	expect_only(x, -1, "");
	/* An interval of the middle replaced by a smaller one that sends elsewhere. */
	tamper("delete element inet netd nat_src { 10.77.30.0/24 }");
	tamper("add element inet netd nat_src { 10.77.30.0/25 : accept }");
	expect_only(x, 30, "nat_src: 10.77.30.0/24 missing, nat_src: 10.77.30.0/25 foreign");
	apply_ok(x[30]);
	expect_only(x, -1, "");
	/* One network's key jumping to the next one's chain: changed for the one, foreign for the
	 * other. */
	tamper("delete element inet netd in_if { \"nbr10\" }");
	tamper("add element inet netd in_if { \"nbr10\" : jump in_n11 }");
	assert_string_equal(drift_of(x[10]).what, "in_if: \"nbr10\" changed");
	assert_string_equal(drift_of(x[11]).what, "in_if: \"nbr10\" foreign");
	assert_verified(x[12]);
	/* The element is n11's business: n11's repair removes it, then n10's puts its own. */
	apply_ok(x[11]);
	apply_ok(x[10]);
	expect_only(x, -1, "");
	/* The last network's element gone, and one past every subnet jumping to the first's. */
	tamper("delete element inet netd out_if { \"nbr63\" }");
	expect_only(x, 63, "out_if: \"nbr63\" missing");
	apply_ok(x[63]);
	tamper("add element inet netd nat_src { 10.77.200.0/24 : jump post_n0 }");
	expect_only(x, 0, "nat_src: 10.77.200.0/24 foreign");
	apply_ok(x[0]);
	expect_only(x, -1, "");
	nets_free(MANY, n, x);
}

#define OTHERS 20000
#define TRIES  31

/* The median time to verify x, the table unchanged between the tries (no read again). */
static double verify_median(const struct netd_nft_net *x)
{
	double t[TRIES];

	assert_verified(x); /* the snapshot read */
	for (int i = 0; i < TRIES; i++) {
		double t0 = now_ms();

		assert_verified(x);
		t[i] = now_ms() - t0;
	}
	qsort(t, TRIES, sizeof(double), cmp_double);
	return t[TRIES / 2];
}

/* What a network's verification costs does not grow with the elements of other networks:
 * 20000 elements jumping to another network's chain (a walk over them costs milliseconds)
 * leave it within a few times of what it was. */
static void test_cost_flat_in_others_elements(void **state)
{
	struct netd_network *a = default_net(), *b = hostonly_net();
	struct netd_nft_net *xa = build(a), *xb = build(b);
	char path[] = "/tmp/netd-nft-verify-XXXXXX";
	double alone, among;
	int fd, st;
	FILE *f;

	apply_ok(xa);
	apply_ok(xb);
	netd_nft_verify_remember(nft, false); /* time the comparison, not the remembered answer */
	alone = verify_median(xa);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i < OTHERS; i++)
		fprintf(f, "add element inet netd %s { \"zz%d\" : jump in_ho }\n",
		        i % 2 ? "in_if" : "fwd_in_if", i);
	fclose(f);
	free(run(&st, "nft -f %s", path));
	unlink(path);
	assert_int_equal(st, 0);
	among = verify_median(xa);
	print_message("verify default: median %.3f ms alone, %.3f ms among %d elements of "
	              "another network\n",
	              alone, among, OTHERS);
	assert_true(among < 3 * alone + 0.2);
	netd_nft_verify_remember(nft, true);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

#define D(f) cmocka_unit_test_setup_teardown(f, default_up, fixture_gone)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identical),
	    D(test_missing_rule),
	    D(test_foreign_and_changed_rules),
	    D(test_elements),
	    D(test_frame),
	    T(test_others_not_counted),
	    T(test_verify_cost),
	    T(test_many_networks_elements),
	    T(test_cost_flat_in_others_elements),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
