/*
 * [Network] MTU=, NATAddress= and NATPorts= (issue #11), through the real parser: values taken
 * and what they become, values refused with the exact file:line message, the modes that may
 * say them; and NATAddress= against the host's addresses (netd_config_check_host).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/config.h"

#define NET_NAT         "[Network]\nName=n\nMode=nat\nBridge=b0\nAddress=10.0.0.1/24\n" /* 5 lines */
#define NET(mode, addr) "[Network]\nName=n\nMode=" mode "\nBridge=b0\n" addr /* line 5: the key */

static struct netd_network *parse_ok(const char *fmt, const char *v)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	char text[1024];

	snprintf(text, sizeof(text), fmt, v);
	if (netd_config_parse_string(text, "t.conf", &n, &d) != 0)
		fail_msg("'%s' refused: %s\n--- text ---\n%s", v, d.msg, text);
	return n;
}

static void parse_err(const char *fmt, const char *v, const char *want_fmt)
{
	struct netd_network *n = NULL;
	struct netd_diag d = {""};
	char text[1024], want[1024];

	snprintf(text, sizeof(text), fmt, v);
	snprintf(want, sizeof(want), want_fmt, v);
	if (netd_config_parse_string(text, "t.conf", &n, &d) != -EINVAL) {
		netd_network_free(n);
		fail_msg("'%s' accepted, wanted: %s", v, want);
	}
	assert_null(n);
	assert_string_equal(d.msg, want);
}

#define N(a) (sizeof(a) / sizeof(a[0]))

static void mtu(void **state)
{
	static const struct {
		const char *s;
		unsigned v;
	} good[] = {{"68", 68}, {"1400", 1400}, {"9000", 9000}, {"65535", 65535}};
	static const char *const bad[] = {"67", "65536", "0", "-1", "1.5k", "9k"};
	struct netd_network *n;

	n = parse_ok(NET_NAT "%s", "");
	assert_int_equal(n->mtu, 0); /* not given: the kernel's */
	netd_network_free(n);
	for (size_t i = 0; i < N(good); i++) {
		n = parse_ok(NET_NAT "MTU=%s\n", good[i].s);
		assert_int_equal(n->mtu, good[i].v);
		assert_int_equal(n->line_mtu, 6);
		netd_network_free(n);
	}
	/* Every mode has a bridge, so every mode takes it. */
	n = parse_ok("[Network]\nName=n\nMode=internal\nBridge=b0\nMTU=%s\n", "1400");
	assert_int_equal(n->mtu, 1400);
	netd_network_free(n);
	for (size_t i = 0; i < N(bad); i++)
		parse_err(NET_NAT "MTU=%s\n", bad[i],
		          "t.conf:6: invalid MTU '%s': give a whole number from 68 to 65535");
}

static void nat_ports(void **state)
{
	static const struct {
		const char *s;
		uint16_t min, max;
	} good[] = {{"1024-65535", 1024, 65535},
	            {"2000-2999", 2000, 2999},
	            {"1-1", 1, 1},
	            {"5000", 5000, 5000}};
	static const char *const bad[] = {"0-100", "2000-1000", "1024-65536", "70000",      "a-b",
	                                  "1024-", "-1024",     "1024:2000",  "1024 - 2000"};
	struct netd_network *n;

	n = parse_ok(NET_NAT "%s", "");
	assert_int_equal(n->nat_ports[0], 0); /* netd's default, 1024-65535: nft_nat.c */
	assert_int_equal(n->nat_ports[1], 0);
	netd_network_free(n);
	for (size_t i = 0; i < N(good); i++) {
		n = parse_ok(NET_NAT "NATPorts=%s\n", good[i].s);
		assert_int_equal(n->nat_ports[0], good[i].min);
		assert_int_equal(n->nat_ports[1], good[i].max);
		netd_network_free(n);
	}
	for (size_t i = 0; i < N(bad); i++)
		parse_err(NET_NAT "NATPorts=%s\n", bad[i],
		          "t.conf:6: invalid NATPorts '%s': give the source ports as FIRST-LAST, "
		          "each 1-65535, e.g. NATPorts=1024-65535");
}

static void nat_address(void **state)
{
	struct netd_network *n = parse_ok(NET_NAT "NATAddress=%s\n", "203.0.113.2");

	assert_int_equal(n->nat_address.s_addr, inet_addr("203.0.113.2"));
	assert_int_equal(n->line_nat_address, 6);
	netd_network_free(n);
	parse_err(NET_NAT "NATAddress=%s\n", "203.0.113.2/24",
	          "t.conf:6: invalid NATAddress '%s': give one IPv4 address without a prefix "
	          "length, e.g. NATAddress=192.122.1.10");
	parse_err(NET_NAT "NATAddress=%s\n", "0.0.0.0",
	          "t.conf:6: NATAddress=%s: give a unicast address the host has on its uplink");
	parse_err(NET_NAT "NATAddress=%s\n", "224.0.0.5",
	          "t.conf:6: NATAddress=%s: give a unicast address the host has on its uplink");
	parse_err(NET_NAT "NATAddress=%s\n", "127.0.0.1",
	          "t.conf:6: NATAddress=%s: give a unicast address the host has on its uplink");
	parse_err(NET_NAT "NATAddress=%s\n", "10.0.0.1",
	          "t.conf:6: NATAddress=%s is inside the network's own subnet 10.0.0.0/24: give "
	          "an address the host has on its uplink");
}

/* Only a mode that translates the guests' addresses has a NAT to configure. */
static void nat_keys_need_a_nat_mode(void **state)
{
	parse_err(NET("%s", "Address=10.0.0.1/24\n") "NATAddress=203.0.113.2\n", "routed",
	          "t.conf:6: NATAddress= applies only where netd translates the guests' "
	          "addresses (Mode=nat); Mode=%s does not; remove it");
	parse_err(NET("%s", "Address=10.0.0.1/24\n") "NATPorts=2000-2999\n", "hostonly",
	          "t.conf:6: NATPorts= applies only where netd translates the guests' "
	          "addresses (Mode=nat); Mode=%s does not; remove it");
	parse_err(NET("%s", "") "NATPorts=2000-2999\n", "internal",
	          "t.conf:5: NATPorts= applies only where netd translates the guests' "
	          "addresses (Mode=nat); Mode=%s does not; remove it");
}

/* At up: the address must be one the host has, or no reply comes back. */
static void nat_address_is_the_hosts(void **state)
{
	struct netd_network *n = parse_ok(NET_NAT "NATAddress=%s\n", "203.0.113.2");
	struct netd_host_prefix hp[2] = {
	    {.prefix = {.len = 24}, .ifname = "eth0"},
	    {.prefix = {.len = 24}, .ifname = "eth0", .is_route = true},
	};
	struct netd_diag d = {""};

	hp[0].prefix.addr.s_addr = inet_addr("203.0.113.3");
	hp[1].prefix.addr.s_addr = inet_addr("203.0.113.2"); /* a route is not an address */
	assert_int_equal(netd_config_check_host(n, hp, 2, &d), -EINVAL);
	assert_string_equal(d.msg, "t.conf:6: NATAddress=203.0.113.2 is not an address of this "
	                           "host, so no reply to the guests' connections would come "
	                           "back; give one the host has (203.0.113.3 on eth0), or add "
	                           "it to the uplink first");
	assert_int_equal(netd_config_check_host(n, hp, 0, &d), -EINVAL);
	assert_non_null(strstr(d.msg, "give one the host has (none)"));
	hp[0].prefix.addr.s_addr = inet_addr("203.0.113.2");
	assert_int_equal(netd_config_check_host(n, hp, 2, &d), 0);
	netd_network_free(n);
	/* Without NATAddress= nothing is asked of the host's addresses. */
	n = parse_ok(NET_NAT "%s", "");
	assert_int_equal(netd_config_check_host(n, hp, 0, &d), 0);
	netd_network_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mtu),
	    cmocka_unit_test(nat_ports),
	    cmocka_unit_test(nat_address),
	    cmocka_unit_test(nat_keys_need_a_nat_mode),
	    cmocka_unit_test(nat_address_is_the_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
