/*
 * Port forwards in table inet netd (netd/kernel/nft_forward.c), against the kernel in a network
 * namespace of the test's own: a network's forward elements are written, verified by content
 * (an element deleted, changed or added by hand is drift, and one apply puts the table back),
 * other networks' elements are not counted, a forward removed takes only its elements, and
 * removing the network takes them all. A routed network's hairpin chain is its forwards' alone.
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

#include "../unit/forward_fixture.h"
#include "nft_harness.h"

/* The default network with a forward of each kind: any address, a range, loopback udp. */
static struct netd_network *forwarding_net(void)
{
	struct netd_network *n = default_net();

	add_forward(n, IPPROTO_TCP, 8080, 8080, "192.122.1.10", 80, NULL);
	add_forward(n, IPPROTO_TCP, 8000, 8002, "192.122.1.11", 9000, "203.0.113.2");
	add_forward(n, IPPROTO_UDP, 5353, 5353, "192.122.1.10", 53, "127.0.0.1");
	return n;
}

static int forwards_up(void **state)
{
	struct netd_network *n = forwarding_net();

	return fixture_up(state, n, build(n));
}

/* nft(8) reads back what netd wrote, each element with its owner's comment. */
static void test_written(void **state)
{
	struct fixture *f = *state;
	char *out = run_ok("nft list table inet %s", "netd");

	assert_non_null(strstr(out, "tcp . 8080 comment \"netd:default\" : 192.122.1.10 . 80"));
	assert_non_null(strstr(out, "203.0.113.2 . tcp . 8001 comment \"netd:default\" : "
	                            "192.122.1.11 . 9001"));
	assert_non_null(strstr(out, "192.122.1.1 . tcp . 8080 comment \"netd:default\""));
	assert_non_null(strstr(out, "oifname \"virbr0\" ct status dnat masquerade"));
	free(out);
	assert_verified(f->x);
}

static void test_element_drift(void **state)
{
	struct fixture *f = *state;

	tamper("delete element inet netd fwd_any { tcp . 8080 }");
	expect_drift_repaired(f->x, f->before,
	                      "fwd_any: 1 forward element(s) missing, 0 changed, 0 not wanted");
	tamper("delete element inet netd fwd_addr { 203.0.113.2 . tcp . 8001 }");
	tamper("add element inet netd fwd_addr { 203.0.113.2 . tcp . 8001 comment \"netd:default\" "
	       ": 192.122.1.12 . 9001 }");
	expect_drift_repaired(f->x, f->before,
	                      "fwd_addr: 0 forward element(s) missing, 1 changed, 0 not wanted");
	tamper(
	    "add element inet netd fwd_allow { 192.122.1.99 . tcp . 22 comment \"netd:default\" }");
	expect_drift_repaired(f->x, f->before,
	                      "fwd_allow: 0 forward element(s) missing, 0 changed, 1 not wanted");
	tamper("delete element inet netd fwd_allow { 192.122.1.10 . udp . 53 }");
	expect_drift_repaired(f->x, f->before,
	                      "fwd_allow: 1 forward element(s) missing, 0 changed, 0 not wanted");
	/* The DNAT chains are the table's frame: checked rule by rule as the others are. */
	tamper("flush chain inet netd prerouting");
	expect_drift_repaired(f->x, f->before, "prerouting: 3 rules missing");
	tamper("delete chain inet netd postrouting_lo");
	expect_drift_repaired(f->x, f->before, "postrouting_lo: chain missing");
	/* So is the hairpin masquerade, a rule of the network's own post_<net>. */
	tamper("flush chain inet netd post_default");
	expect_drift_repaired(f->x, f->before, "post_default: 6 rules missing");
}

/* Another network's forwards are its own business; one forward gone takes its elements only. */
static void test_others_and_removal(void **state)
{
	struct netd_network *a = forwarding_net(),
	                    *b = make_net("other", NETD_MODE_NAT, "virbr1", "10.7.0.1/24", true);
	struct netd_nft_net *xa, *xb;
	char *out;

	add_forward(b, IPPROTO_TCP, 2222, 2222, "10.7.0.5", 22, NULL);
	xa = build(a);
	xb = build(b);
	apply_ok(xa);
	apply_ok(xb);
	assert_verified(xa);
	assert_verified(xb);
	netd_forward_remove_at(a, 0);
	netd_nft_net_free(xa);
	xa = build(a);
	apply_ok(xa);
	assert_verified(xa);
	assert_verified(xb);
	out = run_ok("nft list set inet netd %s", "fwd_skip");
	assert_null(strstr(out, "tcp . 8080"));
	assert_non_null(strstr(out, "10.7.0.1 . tcp . 2222"));
	free(out);
	remove_ok("default");
	out = run_ok("nft list table inet %s", "netd");
	assert_null(strstr(out, "netd:default"));
	assert_non_null(strstr(out, "tcp . 2222 comment \"netd:other\""));
	free(out);
	assert_verified(xb);
	netd_nft_net_free(xa);
	netd_nft_net_free(xb);
	netd_network_free(a);
	netd_network_free(b);
}

/* 1000 forwards: written in one batch, verified without drift. */
static void test_many(void **state)
{
	struct netd_network *n = default_net();
	struct netd_nft_net *x;

	for (int i = 0; i < 1000; i++)
		add_forward(n, IPPROTO_TCP, (uint16_t)(10000 + i), (uint16_t)(10000 + i),
		            "192.122.1.10", (uint16_t)(20000 + i), NULL);
	x = build(n);
	apply_ok(x);
	assert_verified(x);
	apply_ok(x);
	assert_verified(x);
	netd_nft_net_free(x);
	netd_network_free(n);
}

/* A routed network with a forward: post_<net> holds the hairpin and nothing else (its guests
 * keep their address), verified as the other chains are, and goes with the last forward. */
static struct netd_network *routed_net(void)
{
	struct netd_network *n =
	    make_net("routed", NETD_MODE_ROUTED, "netd-rt0", "192.122.60.1/24", true);

	add_forward(n, IPPROTO_TCP, 8080, 8080, "192.122.60.10", 80, NULL);
	return n;
}

static int routed_up(void **state)
{
	struct netd_network *n = routed_net();

	return fixture_up(state, n, build(n));
}

static void test_routed_hairpin_drift(void **state)
{
	struct fixture *f = *state;
	char *out = run_ok("nft list table inet %s", "netd");

	assert_non_null(strstr(out, "192.122.60.0/24 : jump post_routed"));
	free(out);
	assert_int_equal(rule_count("inet netd", "post_routed"), 1);
	out = run_ok("nft list chain inet netd %s", "post_routed");
	assert_non_null(strstr(out, "oifname \"netd-rt0\" ct status dnat masquerade"));
	free(out);
	tamper("flush chain inet netd post_routed");
	expect_drift_repaired(f->x, f->before, "post_routed: 1 rule missing");
	/* A masquerade of the guests' own traffic slipped in is drift too. */
	tamper("add rule inet netd post_routed ip daddr != 192.122.60.0/24 masquerade");
	expect_drift_repaired(f->x, f->before, "post_routed: 1 foreign rule");
	tamper("delete element inet netd nat_src { 192.122.60.0/24 }");
	expect_drift_repaired(f->x, f->before, "nat_src: 192.122.60.0/24 missing");
}

static void test_routed_last_forward_gone(void **state)
{
	struct fixture *f = *state;
	struct netd_nft_drift d;
	struct netd_nft_net *x;
	char *out;

	netd_forward_remove_at(f->n, 0);
	x = build(f->n);
	apply_ok(x);
	assert_verified(x);
	out = run_ok("nft list table inet %s", "netd");
	assert_null(strstr(out, "post_routed"));
	assert_null(strstr(out, "192.122.60.0/24 : jump"));
	free(out);
	/* A hairpin chain left behind without forwards is not the network's any more. */
	tamper("add chain inet netd post_routed");
	assert_string_equal(drift_of(x).what, "post_routed: chain not wanted");
	apply_ok(x);
	assert_verified(x);
	netd_nft_net_free(x);
	/* A forward again (a live one): the chain and its element come back in one apply. */
	add_forward(f->n, IPPROTO_UDP, 5000, 5000, "192.122.60.12", 5001, NULL);
	x = build(f->n);
	d = drift_of(x);
	assert_non_null(strstr(d.what, "post_routed: chain missing"));
	assert_non_null(strstr(d.what, "nat_src: 192.122.60.0/24 missing"));
	apply_ok(x);
	assert_verified(x);
	assert_int_equal(rule_count("inet netd", "post_routed"), 1);
	netd_nft_net_free(x);
}

#define F(f) cmocka_unit_test_setup_teardown(f, forwards_up, fixture_gone)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    F(test_written),
	    F(test_element_drift),
	    T(test_others_and_removal),
	    T(test_many),
	    cmocka_unit_test_setup_teardown(test_routed_hairpin_drift, routed_up, fixture_gone),
	    cmocka_unit_test_setup_teardown(test_routed_last_forward_gone, routed_up, fixture_gone),
	};

	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
