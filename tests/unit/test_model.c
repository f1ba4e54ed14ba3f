/* The model's small pieces: enum <-> string tables, prefixes, MACs, names. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "netd/mode.h"
#include "netd/model.h"

static struct netd_prefix pfx(const char *s)
{
	struct netd_prefix p;

	if (netd_prefix_parse(s, &p) < 0)
		fail_msg("cannot parse %s", s);
	return p;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(netd_ipv4_parse(s, &a), 0);
	return a;
}

static void assert_ip(struct in_addr a, const char *want)
{
	char buf[INET_ADDRSTRLEN];

	assert_string_equal(inet_ntop(AF_INET, &a, buf, sizeof(buf)), want);
}

static void test_mode_strings(void **state)
{
	static const char *const names[NETD_MODE_MAX] = {"nat", "bridged", "hostonly", "internal",
	                                                 "routed"};

	for (int m = 0; m < NETD_MODE_MAX; m++) {
		assert_string_equal(netd_mode_to_string(m), names[m]);
		assert_int_equal(netd_mode_from_string(names[m]), m);
		assert_int_equal(netd_mode_from_string(netd_mode_to_string(m)), m);
		/* The table of modes is indexed by the same enum. */
		assert_int_equal(netd_mode_ops(m)->mode, m);
		assert_string_equal(netd_mode_ops(m)->name, names[m]);
	}
	assert_null(netd_mode_to_string(NETD_MODE_MAX));
	assert_null(netd_mode_to_string((enum netd_mode) - 1));
	assert_null(netd_mode_ops(NETD_MODE_MAX));
	assert_int_equal(netd_mode_from_string("vepa"), -EINVAL);
	assert_int_equal(netd_mode_from_string(""), -EINVAL);
	assert_int_equal(netd_mode_from_string("nat "), -EINVAL);
	assert_int_equal(netd_mode_from_string(NULL), -EINVAL);
}

static void test_cell_strings(void **state)
{
	static const char *const names[NETD_CELL_MAX] = {"VMToHost", "HostToVM", "VMToOutside",
	                                                 "OutsideToVM", "VMToVM"};

	for (int c = 0; c < NETD_CELL_MAX; c++) {
		assert_string_equal(netd_cell_to_string(c), names[c]);
		assert_int_equal(netd_cell_from_string(names[c]), c);
	}
	assert_null(netd_cell_to_string(NETD_CELL_MAX));
	assert_int_equal(netd_cell_from_string("VMToLAN"), -EINVAL);
	assert_int_equal(netd_cell_from_string(""), -EINVAL);
	assert_int_equal(netd_cell_from_string(NULL), -EINVAL);
}

static void test_policy_strings(void **state)
{
	assert_string_equal(netd_policy_to_string(NETD_POLICY_ALLOW), "allow");
	assert_string_equal(netd_policy_to_string(NETD_POLICY_DENY), "deny");
	assert_int_equal(netd_policy_from_string("allow"), NETD_POLICY_ALLOW);
	assert_int_equal(netd_policy_from_string("deny"), NETD_POLICY_DENY);
	for (int p = 0; p < 2; p++)
		assert_int_equal(netd_policy_from_string(netd_policy_to_string(p)), p);
	assert_null(netd_policy_to_string((enum netd_policy)2));
	assert_int_equal(netd_policy_from_string("yes"), -EINVAL);
	assert_int_equal(netd_policy_from_string("allowed"), -EINVAL);
	assert_int_equal(netd_policy_from_string(NULL), -EINVAL);
}

static void test_prefix_parse(void **state)
{
	static const char *const bad[] = {
	    "",
	    "192.122.1.1",
	    "192.122.1.1/",
	    "192.122.1.1/33",
	    "192.122.1.1/-1",
	    "192.122.1.1/+8",
	    "192.122.1.1/ 8",
	    "192.122.1.1/8 ",
	    " 192.122.1.1/8",
	    "192.122.1/24",
	    "1.2.3.4.5/24",
	    "256.1.1.1/8",
	    "a.b.c.d/8",
	    "192.122.1.1/24/1",
	    "192.122.1.1/2x",
	    "/24",
	    "192.122.01.1/24",
	    "192.122.1.1/999999999999999999999",
	    "1111111111111111111111111111111111.1.1.1/8",
	};
	struct netd_prefix p;

	p = pfx("192.122.1.1/24");
	assert_ip(p.addr, "192.122.1.1");
	assert_int_equal(p.len, 24);
	p = pfx("0.0.0.0/0");
	assert_int_equal(p.addr.s_addr, 0);
	assert_int_equal(p.len, 0);
	p = pfx("255.255.255.255/32");
	assert_ip(p.addr, "255.255.255.255");
	assert_int_equal(p.len, 32);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netd_prefix_parse(bad[i], &p) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(netd_prefix_parse(NULL, &p), -EINVAL);
}

static void test_ipv4_parse(void **state)
{
	struct in_addr a;

	assert_ip(ip("10.0.0.1"), "10.0.0.1");
	assert_int_equal(ntohl(ip("1.2.3.4").s_addr), 0x01020304);
	assert_int_equal(netd_ipv4_parse("10.0.0.1/24", &a), -EINVAL);
	assert_int_equal(netd_ipv4_parse("10.0.0", &a), -EINVAL);
	assert_int_equal(netd_ipv4_parse("10.0.0.1 ", &a), -EINVAL);
	assert_int_equal(netd_ipv4_parse("::1", &a), -EINVAL);
	assert_int_equal(netd_ipv4_parse("", &a), -EINVAL);
	assert_int_equal(netd_ipv4_parse(NULL, &a), -EINVAL);
}

static void test_prefix_format(void **state)
{
	char buf[19];
	struct netd_prefix p = pfx("192.122.1.1/24");

	assert_string_equal(netd_prefix_format(&p, false, buf, sizeof(buf)), "192.122.1.1/24");
	assert_string_equal(netd_prefix_format(&p, true, buf, sizeof(buf)), "192.122.1.0/24");
	p = pfx("255.255.255.255/32");
	assert_string_equal(netd_prefix_format(&p, true, buf, sizeof(buf)), "255.255.255.255/32");
	p = pfx("10.9.8.7/0");
	assert_string_equal(netd_prefix_format(&p, true, buf, sizeof(buf)), "0.0.0.0/0");
	assert_string_equal(netd_prefix_format(&p, false, buf, sizeof(buf)), "10.9.8.7/0");
	p = pfx("10.255.255.255/9");
	assert_string_equal(netd_prefix_format(&p, true, buf, sizeof(buf)), "10.128.0.0/9");
	/* format and parse are inverses */
	for (int len = 0; len <= 32; len++) {
		struct netd_prefix q = {ip("172.16.254.3"), (uint8_t)len}, r;

		netd_prefix_format(&q, false, buf, sizeof(buf));
		assert_int_equal(netd_prefix_parse(buf, &r), 0);
		assert_int_equal(r.addr.s_addr, q.addr.s_addr);
		assert_int_equal(r.len, len);
	}
}

static void test_prefix_network_broadcast(void **state)
{
	struct netd_prefix p = pfx("192.122.1.77/24");

	assert_ip(netd_prefix_network(&p), "192.122.1.0");
	assert_ip(netd_prefix_broadcast(&p), "192.122.1.255");
	p = pfx("10.1.2.3/8");
	assert_ip(netd_prefix_network(&p), "10.0.0.0");
	assert_ip(netd_prefix_broadcast(&p), "10.255.255.255");
	p = pfx("10.1.2.3/30");
	assert_ip(netd_prefix_network(&p), "10.1.2.0");
	assert_ip(netd_prefix_broadcast(&p), "10.1.2.3");
	p = pfx("10.1.2.3/31");
	assert_ip(netd_prefix_network(&p), "10.1.2.2");
	assert_ip(netd_prefix_broadcast(&p), "10.1.2.3");
	p = pfx("10.1.2.3/32");
	assert_ip(netd_prefix_network(&p), "10.1.2.3");
	assert_ip(netd_prefix_broadcast(&p), "10.1.2.3");
	/* /0 must not shift by 32 (undefined in C). */
	p = pfx("10.1.2.3/0");
	assert_ip(netd_prefix_network(&p), "0.0.0.0");
	assert_ip(netd_prefix_broadcast(&p), "255.255.255.255");
}

static void test_prefix_contains(void **state)
{
	struct netd_prefix p = pfx("192.122.1.1/24");

	assert_true(netd_prefix_contains(&p, ip("192.122.1.0")));
	assert_true(netd_prefix_contains(&p, ip("192.122.1.1")));
	assert_true(netd_prefix_contains(&p, ip("192.122.1.255")));
	assert_false(netd_prefix_contains(&p, ip("192.122.0.255")));
	assert_false(netd_prefix_contains(&p, ip("192.122.2.0")));
	assert_false(netd_prefix_contains(&p, ip("10.0.0.1")));
	p = pfx("0.0.0.0/0");
	assert_true(netd_prefix_contains(&p, ip("0.0.0.0")));
	assert_true(netd_prefix_contains(&p, ip("255.255.255.255")));
	p = pfx("10.0.0.5/32");
	assert_true(netd_prefix_contains(&p, ip("10.0.0.5")));
	assert_false(netd_prefix_contains(&p, ip("10.0.0.4")));
	assert_false(netd_prefix_contains(&p, ip("10.0.0.6")));
	/* The top bit of the address (host order) is compared like the others. */
	p = pfx("128.0.0.1/1");
	assert_true(netd_prefix_contains(&p, ip("255.0.0.0")));
	assert_false(netd_prefix_contains(&p, ip("127.255.255.255")));
}

static void test_prefix_overlaps(void **state)
{
	static const struct {
		const char *a, *b;
		bool overlap;
	} cases[] = {
	    {"192.122.1.1/24", "192.122.1.200/24", true},
	    {"10.0.0.1/16", "10.0.200.1/24", true},
	    {"10.0.0.1/24", "10.0.1.1/24", false}, /* adjacent */
	    {"10.0.0.1/23", "10.0.1.1/24", true},
	    {"10.0.0.1/24", "10.0.0.255/32", true},
	    {"10.0.0.1/24", "10.0.1.0/32", false},
	    {"0.0.0.0/0", "203.0.113.1/24", true},
	    {"10.0.0.1/8", "11.0.0.1/8", false},
	    {"192.168.0.1/16", "192.169.0.1/16", false},
	    {"10.0.0.7/32", "10.0.0.7/32", true},
	    {"10.0.0.7/32", "10.0.0.8/32", false},
	    {"128.0.0.0/1", "127.0.0.1/8", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netd_prefix a = pfx(cases[i].a), b = pfx(cases[i].b);

		/* Symmetric by definition. */
		if (netd_prefix_overlaps(&a, &b) != cases[i].overlap ||
		    netd_prefix_overlaps(&b, &a) != cases[i].overlap)
			fail_msg("%s vs %s: expected %s", cases[i].a, cases[i].b,
			         cases[i].overlap ? "overlap" : "no overlap");
	}
}

static void test_mac(void **state)
{
	static const char *const bad[] = {
	    "52:54:00:12:34",     "52:54:00:12:34:56:78",
	    "52-54-00-12-34-56",  "525400123456",
	    "52:54:00:12:34:5g",  "52:54:00:12:34:5",
	    "052:54:00:12:34:56", " 52:54:00:12:34:56",
	    "52:54:00:12:34:56 ", "+2:54:00:12:34:56",
	    "52:54:00:12:34: 6",  "52::54:00:12:34:56",
	    "52:54:00:12:34:56:", "",
	    "5:254:00:12:34:56",  "0x:54:00:12:34:56:",
	};
	uint8_t mac[6];
	char buf[18];

	assert_int_equal(netd_mac_parse("52:54:00:12:34:56", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){0x52, 0x54, 0x00, 0x12, 0x34, 0x56}), 6);
	assert_int_equal(netd_mac_parse("AA:bb:Cc:dD:ee:FF", mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}), 6);
	netd_mac_format(mac, buf);
	assert_string_equal(buf, "aa:bb:cc:dd:ee:ff");
	netd_mac_format((uint8_t[]){0, 1, 2, 3, 4, 5}, buf);
	assert_string_equal(buf, "00:01:02:03:04:05");
	assert_int_equal(netd_mac_parse(buf, mac), 0);
	assert_memory_equal(mac, ((uint8_t[]){0, 1, 2, 3, 4, 5}), 6);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netd_mac_parse(bad[i], mac) != -EINVAL)
			fail_msg("'%s' parsed", bad[i]);
	assert_int_equal(netd_mac_parse(NULL, mac), -EINVAL);
}

static void test_ifname(void **state)
{
	static const char *const good[] = {"eth0", "a",  "virbr0", "br-lan.10", "abcdefghijklmno",
	                                   "...",  "_x", "-"};
	static const char *const bad[] = {
	    "", "abcdefghijklmnop", "a/b", "a:b", "a b", "a\tb", "a\nb", ".", "..", "\x7f"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!netd_ifname_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netd_ifname_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(netd_ifname_valid(NULL));
}

static void test_netname(void **state)
{
	static const char *const good[] = {"default", "a", "lab-1", "host_only",
	                                   "abcdefghijklmnopqrstuvwxyz01234"};
	static const char *const bad[] = {
	    "", "abcdefghijklmnopqrstuvwxyz012345", "a b", "a.b", "a/b", "caf\xc3\xa9", "a:b"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!netd_netname_valid(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netd_netname_valid(bad[i]))
			fail_msg("'%s' accepted", bad[i]);
	assert_false(netd_netname_valid(NULL));
}

static void test_diag(void **state)
{
	struct netd_diag d;
	char big[2000];

	netd_diag_set(NULL, "ignored %d", 1);
	netd_diag_set(&d, "%s:%u: %s", "a.conf", 7u, "boom");
	assert_string_equal(d.msg, "a.conf:7: boom");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	netd_diag_set(&d, "%s", big);
	assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
}

static void test_hostname(void **state)
{
	assert_true(netd_hostname_valid("vm-1"));
	assert_true(netd_hostname_valid("A9"));
	assert_false(netd_hostname_valid(""));
	assert_false(netd_hostname_valid("-vm"));
	assert_false(netd_hostname_valid("vm-"));
	assert_false(netd_hostname_valid("vm.lab"));
	assert_false(netd_hostname_valid("vm_1"));
	assert_false(netd_hostname_valid("\xc3\xa9t\xc3\xa9")); /* not ASCII, whatever the locale */
	assert_true(
	    netd_hostname_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_false(netd_hostname_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

/* The one rule of port isolation: guests' ports with VMToVM=deny, never the uplink. */
static void test_port_isolated(void **state)
{
	struct netd_network n = {.mode = NETD_MODE_BRIDGED, .uplink = "eth0"};

	n.policy[NETD_CELL_VM_TO_VM] = NETD_POLICY_ALLOW;
	assert_false(netd_port_isolated(&n, "vnet0"));
	assert_false(netd_port_isolated(&n, NULL));
	n.policy[NETD_CELL_VM_TO_VM] = NETD_POLICY_DENY;
	assert_true(netd_port_isolated(&n, "vnet0"));
	assert_true(netd_port_isolated(&n, NULL));
	assert_false(netd_port_isolated(&n, "eth0"));
	n.uplink[0] = '\0'; /* no uplink: every port is a guest's */
	assert_true(netd_port_isolated(&n, "eth0"));
}

static void test_network_and_config(void **state)
{
	struct netd_network *a = netd_network_new(), *b = netd_network_new();
	struct netd_config *c = calloc(1, sizeof(*c));

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_string_equal(a->name, "");
	assert_int_equal(a->n_hosts, 0);
	assert_null(a->hosts);
	strcpy(a->name, "one");
	strcpy(b->name, "two");
	b->hosts = calloc(2, sizeof(*b->hosts));
	b->n_hosts = 2;
	c->networks = calloc(2, sizeof(*c->networks));
	c->networks[0] = a;
	c->networks[1] = b;
	c->n_networks = 2;
	assert_ptr_equal(netd_config_find(c, "two"), b);
	assert_ptr_equal(netd_config_find(c, "one"), a);
	assert_null(netd_config_find(c, "three"));
	assert_null(netd_config_find(NULL, "one"));
	netd_config_free(c); /* frees the networks and their hosts: valgrind checks */
	netd_config_free(NULL);
	netd_network_free(NULL);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mode_strings),
	    cmocka_unit_test(test_port_isolated),
	    cmocka_unit_test(test_hostname),
	    cmocka_unit_test(test_cell_strings),
	    cmocka_unit_test(test_policy_strings),
	    cmocka_unit_test(test_prefix_parse),
	    cmocka_unit_test(test_ipv4_parse),
	    cmocka_unit_test(test_prefix_format),
	    cmocka_unit_test(test_prefix_network_broadcast),
	    cmocka_unit_test(test_prefix_contains),
	    cmocka_unit_test(test_prefix_overlaps),
	    cmocka_unit_test(test_mac),
	    cmocka_unit_test(test_ifname),
	    cmocka_unit_test(test_netname),
	    cmocka_unit_test(test_diag),
	    cmocka_unit_test(test_network_and_config),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
