/* dnsmasq lease file parsing: good lines kept, anything else skipped (see netd/leases.c). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/dnsmasq.h"

static void check(const struct netd_lease *l, time_t expiry, const char *mac, const char *addr,
                  const char *host, const char *cid)
{
	char m[18], a[INET_ADDRSTRLEN];

	netd_mac_format(l->mac, m);
	inet_ntop(AF_INET, &l->addr, a, sizeof(a));
	assert_int_equal(l->expiry, expiry);
	assert_string_equal(m, mac);
	assert_string_equal(a, addr);
	assert_string_equal(l->hostname, host);
	assert_string_equal(l->client_id, cid);
}

static void test_parse_mixed_file(void **state)
{
	struct netd_dnsmasq_paths p;
	struct netd_lease *v = NULL;
	size_t n = 99;

	/* The file mixes good leases, torn and malformed lines, and a DHCPv6 section. */
	assert_int_equal(
	    netd_dnsmasq_paths_init(&p, "/nonexistent", NETD_TEST_DATA "/dnsmasq", "leases"), 0);
	/* leases.txt, not leases.leases: read it through the parser directly. */
	FILE *f = fopen(NETD_TEST_DATA "/dnsmasq/leases.txt", "r");
	char buf[4096] = {0};

	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_int_equal(netd_dnsmasq_leases_parse(buf, &v, &n), 0);
	assert_int_equal(n, 4);
	check(&v[0], 1717171717, "52:54:00:12:34:56", "192.122.1.57", "guest1",
	      "01:52:54:00:12:34:56");
	check(&v[1], 0, "52:54:00:aa:bb:01", "192.122.1.10", "web", "");
	check(&v[2], 1717171000, "52:54:00:12:34:57", "192.122.1.58", "", "");
	check(&v[3], 1717171800, "52:54:00:12:34:62", "192.122.1.62", "tail", "");
	free(v);
}

static void test_parse_empty_and_torn(void **state)
{
	struct netd_lease *v = NULL;
	size_t n = 99;

	assert_int_equal(netd_dnsmasq_leases_parse("", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	/* A reader racing dnsmasq's in-place rewrite sees half a line: it is dropped. */
	assert_int_equal(netd_dnsmasq_leases_parse("100 52:54:00:00:00:01 10.0.0.2 a *\n"
	                                           "200 52:54:00:00:0",
	                                           &v, &n),
	                 0);
	assert_int_equal(n, 1);
	check(&v[0], 100, "52:54:00:00:00:01", "10.0.0.2", "a", "");
	free(v);
	/* Too many fields, trailing junk in numbers, an over-long hostname. */
	char longname[200];

	memset(longname, 'h', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	char text[512];

	snprintf(text, sizeof(text),
	         "1 52:54:00:00:00:01 10.0.0.2 a * extra\n"
	         "1x 52:54:00:00:00:01 10.0.0.2 a *\n"
	         "1 52:54:00:00:00:01 10.0.0.2 %s *\n",
	         longname);
	assert_int_equal(netd_dnsmasq_leases_parse(text, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void test_read_missing_is_empty(void **state)
{
	struct netd_dnsmasq_paths p;
	struct netd_lease *v = (void *)1;
	size_t n = 99;

	assert_int_equal(netd_dnsmasq_paths_init(&p, "/nonexistent", "/nonexistent/state", "x"), 0);
	assert_int_equal(netd_dnsmasq_leases_read(&p, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_read_file(void **state)
{
	char dir[] = "/tmp/netd-leases-XXXXXX";
	struct netd_dnsmasq_paths p;
	struct netd_lease *v = NULL;
	size_t n = 0;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(netd_dnsmasq_paths_init(&p, dir, dir, "net1"), 0);
	f = fopen(p.leases, "w");
	assert_non_null(f);
	fputs("1800000000 52:54:00:00:00:07 192.168.7.7 seven 01:52:54:00:00:00:07\n", f);
	fclose(f);
	assert_int_equal(netd_dnsmasq_leases_read(&p, &v, &n), 0);
	assert_int_equal(n, 1);
	check(&v[0], 1800000000, "52:54:00:00:00:07", "192.168.7.7", "seven",
	      "01:52:54:00:00:00:07");
	free(v);
	unlink(p.leases);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_mixed_file),
	    cmocka_unit_test(test_parse_empty_and_torn),
	    cmocka_unit_test(test_read_missing_is_empty),
	    cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
