/* dnsmasq's DHCPv6 leases (leases6.c): the section after the "duid" line, the guest's MAC from
 * a DUID-LL or DUID-LLT, torn or foreign lines skipped; the IPv4 parser still ignores them. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "netd/dnsmasq.h"

static const char file[] =
    "1795965392 52:54:00:00:10:01 192.122.1.50 fixed 01:52:54:00:00:10:01\n"
    "duid 00:01:00:01:30:c1:2a:3b:5a:11:22:33:44:55\n"
    "1795965392 1343229953 fd42:7a:1::50 fixed 00:03:00:01:52:54:00:00:10:01\n"
    "0 7 fd42:7a:1::180 * 00:01:00:01:30:c1:2a:3b:52:54:00:00:10:02\n"
    "1795965392 9 fd42:7a:1::181 * 00:02:00:00:ab:11:01\n"
    "1795965392 9 not-an-address * 00:03:00:01:52:54:00:00:10:09\n"
    "1795965392 9 fd42:7a:1::1";

static void parses_the_ipv6_section(void **state)
{
	struct netd_lease6 *l = NULL;
	struct netd_lease *l4 = NULL;
	char ip[INET6_ADDRSTRLEN];
	size_t n = 0;

	assert_int_equal(netd_dnsmasq_leases6_parse(file, &l, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(inet_ntop(AF_INET6, &l[0].addr, ip, sizeof(ip)), "fd42:7a:1::50");
	assert_string_equal(l[0].hostname, "fixed");
	assert_int_equal(l[0].iaid, 1343229953u);
	assert_true(l[0].has_mac); /* DUID-LL */
	assert_memory_equal(l[0].mac, "\x52\x54\x00\x00\x10\x01", 6);
	assert_int_equal(l[1].expiry, 0);
	assert_string_equal(l[1].hostname, "");
	assert_true(l[1].has_mac); /* DUID-LLT */
	assert_memory_equal(l[1].mac, "\x52\x54\x00\x00\x10\x02", 6);
	assert_false(l[2].has_mac); /* DUID-EN carries none */
	assert_string_equal(l[2].duid, "00:02:00:00:ab:11:01");
	free(l);

	/* The IPv4 reader sees only its own line. */
	assert_int_equal(netd_dnsmasq_leases_parse(file, &l4, &n), 0);
	assert_int_equal(n, 1);
	free(l4);

	/* No DHCPv6 section: none. */
	assert_int_equal(netd_dnsmasq_leases6_parse("1 52:54:00:00:10:01 10.0.0.2 * *\n", &l, &n),
	                 0);
	assert_int_equal(n, 0);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(parses_the_ipv6_section)};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
