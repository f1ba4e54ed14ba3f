/*
 * The verification of table bridge netd by content (netd/kernel/nft_verify_ports.c): the
 * guests' bound ports, checked as table inet netd is (test_nft_verify.c), in a network
 * namespace of the test's own. Each kind of difference in a port's chain, in map port_if or
 * in the table's frame is found and named, what is another network's is not counted, and one
 * apply of the network repairs each to exactly the tables there were before.
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

#define BRIDGE "bridge netd"
#define PORT   "port_default.vnet0"

/* The default network with its guest on vnet0 applied (nft_harness.h's fixture). */
static int guest_up(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_guest g = guest("vnet0", 1, "192.122.1.10");

	return fixture_up(state, n, with_guests(n, &g, 1));
}

/* Any one rule deleted from the port's chain or from the base chain's dispatch. */
static void test_missing_rule(void **state)
{
	struct fixture *f = *state;
	static const char *const chains[] = {PORT, "prerouting"};
	char what[128], cmd[160];

	for (size_t c = 0; c < sizeof(chains) / sizeof(chains[0]); c++) {
		int count = rule_count(BRIDGE, chains[c]);

		assert_true(count > 0);
		for (int i = 0; i < count; i++) {
			snprintf(cmd, sizeof(cmd), "delete rule " BRIDGE " %s handle %u", chains[c],
			         handle_of(BRIDGE, chains[c], i));
			tamper(cmd);
			snprintf(what, sizeof(what), "%s: 1 rule missing", chains[c]);
			expect_drift_repaired(f->x, f->before, what);
		}
	}
}

/* A foreign rule inserted or appended, one of the port's changed in place, its rules in
 * another order, the chain flushed. */
static void test_foreign_and_changed_rules(void **state)
{
	struct fixture *f = *state;
	int last = rule_count(BRIDGE, PORT) - 1;
	char cmd[160];

	tamper("insert rule " BRIDGE " " PORT " accept");
	expect_drift_repaired(f->x, f->before, PORT ": 1 foreign rule");
	tamper("add rule " BRIDGE " " PORT " accept");
	tamper("add rule " BRIDGE " prerouting accept");
	expect_drift_repaired(f->x, f->before,
	                      "prerouting: 1 foreign rule; " PORT ": 1 foreign rule");
	/* The address check (the last rule) now lets the whole subnet through. */
	snprintf(cmd, sizeof(cmd),
	         "replace rule " BRIDGE " " PORT " handle %u ip saddr != 192.122.1.0/24 drop",
	         handle_of(BRIDGE, PORT, last));
	tamper(cmd);
	expect_drift_repaired(f->x, f->before, PORT ": 1 rule changed");
	snprintf(cmd, sizeof(cmd), "delete rule " BRIDGE " " PORT " handle %u",
	         handle_of(BRIDGE, PORT, 0));
	tamper(cmd);
	tamper("add rule " BRIDGE " " PORT " ether saddr != 52:54:00:aa:00:01 drop");
	expect_drift_repaired(f->x, f->before, PORT ": 1 rule missing, 1 foreign rule");
	tamper("flush chain " BRIDGE " " PORT);
	snprintf(cmd, sizeof(cmd), "%s: %d rules missing", PORT, last + 1);
	expect_drift_repaired(f->x, f->before, cmd);
}

/* port_if as a set: the port's element missing, one of another verdict under its key, a
 * foreign element jumping to its chain, the chain gone with its element, a port chain of the
 * network that binds no port. */
static void test_elements_and_chains(void **state)
{
	struct fixture *f = *state;

	tamper("delete element " BRIDGE " port_if { \"vnet0\" }");
	expect_drift_repaired(f->x, f->before, "port_if: \"vnet0\" missing");
	tamper("delete element " BRIDGE " port_if { \"vnet0\" }");
	tamper("add element " BRIDGE " port_if { \"vnet0\" : accept }");
	expect_drift_repaired(f->x, f->before, "port_if: \"vnet0\" changed");
	tamper("add element " BRIDGE " port_if { \"eth9\" : jump " PORT " }");
	expect_drift_repaired(f->x, f->before, "port_if: \"eth9\" foreign");
	tamper("delete element " BRIDGE " port_if { \"vnet0\" }");
	tamper("delete chain " BRIDGE " " PORT);
	expect_drift_repaired(f->x, f->before, PORT ": chain missing; port_if: \"vnet0\" missing");
	tamper("add chain " BRIDGE " port_default.vnet7");
	tamper("add element " BRIDGE " port_if { \"vnet7\" : jump port_default.vnet7 }");
	expect_drift_repaired(f->x, f->before,
	                      "port_default.vnet7: chain not wanted; port_if: \"vnet7\" foreign");
}

/* The table's frame: the base chain's policy, the base chain on another hook, the map made
 * otherwise, the table gone. */
static void test_frame(void **state)
{
	struct fixture *f = *state;

	tamper("add chain " BRIDGE " prerouting { policy drop ; }");
	expect_drift_repaired(f->x, f->before, "prerouting: policy drop");
	tamper("delete chain " BRIDGE " prerouting");
	tamper("add chain " BRIDGE " prerouting { type filter hook input priority -200 ; }");
	expect_drift_repaired(f->x, f->before,
	                      "prerouting: not a filter chain on its hook at priority -200, "
	                      "prerouting: 1 rule missing");
	tamper("flush chain " BRIDGE " prerouting");
	tamper("delete map " BRIDGE " port_if");
	tamper("add map " BRIDGE " port_if { type ipv4_addr : verdict ; }");
	expect_drift_repaired(f->x, f->before,
	                      "prerouting: 1 rule missing, map port_if: defined otherwise; "
	                      "port_if: \"vnet0\" missing");
	tamper("delete table " BRIDGE);
	expect_drift_repaired(f->x, f->before, "table bridge netd missing");
}

/* Another network's ports are its business: damage to them does not count for default, and
 * default's repair leaves them as they are. A port name another network's chain holds is not
 * default's to bind: apply leaves it, so verification expects nothing of it. */
static void test_others_not_counted(void **state)
{
	struct netd_network *a = default_net(), *b = make_net("ho", NETD_MODE_HOSTONLY, "netd-ho0",
	                                                      "192.122.56.1/24", true);
	struct netd_nft_guest ga[] = {guest("vnet0", 1, "192.122.1.10"),
	                              guest("vnet1", 3, "192.122.1.11")};
	struct netd_nft_guest gb = guest("vnet1", 2, "192.122.56.10");
	struct netd_nft_net *xa = with_guests(a, ga, 1), *xb = with_guests(b, &gb, 1);
	struct netd_nft_net *stale = with_guests(a, ga, 2);
	char *damaged, *after, cmd[160];

	apply_ok(xa);
	apply_ok(xb);
	snprintf(cmd, sizeof(cmd), "delete rule " BRIDGE " port_ho.vnet1 handle %u",
	         handle_of(BRIDGE, "port_ho.vnet1", 0));
	tamper(cmd);
	tamper("add element " BRIDGE " port_if { \"eth9\" : jump port_ho.vnet1 }");
	damaged = tables();
	assert_verified(xa);
	assert_string_equal(drift_of(xb).what,
	                    "port_ho.vnet1: 1 rule missing; port_if: \"eth9\" foreign");
	/* default's own drift repaired leaves ho's for ho's own repair. */
	tamper("add rule " BRIDGE " " PORT " accept");
	apply_ok(xa);
	assert_verified(xa);
	after = tables();
	assert_string_equal(damaged, after);
	free(after);
	free(damaged);
	apply_ok(xb);
	assert_verified(xb);
	/* default's record of vnet1 outlived its tap: ho holds the name now. */
	assert_verified(stale);
	damaged = tables();
	apply_ok(stale);
	after = tables();
	assert_string_equal(damaged, after);
	assert_null(strstr(after, "port_default.vnet1"));
	free(after);
	free(damaged);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_nft_net_free(stale);
	netd_network_free(a);
	netd_network_free(b);
}

#define G(f) cmocka_unit_test_setup_teardown(f, guest_up, fixture_gone)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    G(test_missing_rule), G(test_foreign_and_changed_rules), G(test_elements_and_chains),
	    G(test_frame),        T(test_others_not_counted),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
