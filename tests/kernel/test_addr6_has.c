/*
 * netd_nl_addr6_has (netd/kernel/addr6.c): the bridge's IPv6 address found by a dump the
 * kernel filters to that bridge, in a network namespace of the test's own. The same address
 * on another link, or another prefix length, is not the bridge's.
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

#include "netd/kernel/netlink.h"

static struct netd_nl *nl;

static struct netd_prefix6 prefix6(const char *text)
{
	struct netd_prefix6 p;

	assert_int_equal(netd_prefix6_parse(text, &p), 0);
	return p;
}

static void test_has(void **state)
{
	struct netd_prefix6 a = prefix6("fd00:1::1/64"), a48 = prefix6("fd00:1::1/48"),
	                    b = prefix6("fd00:2::1/64");
	struct netd_diag diag = {{0}};

	assert_int_equal(netd_nl_bridge_create(nl, "nbr6a", "netd:a", false, &diag), 0);
	assert_int_equal(netd_nl_bridge_create(nl, "nbr6b", "netd:b", false, &diag), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6a", &a), 0);
	assert_int_equal(netd_nl_addr6_add(nl, "nbr6a", &a, &diag), 0);
	assert_int_equal(netd_nl_addr6_add(nl, "nbr6b", &b, &diag), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6a", &a), 1);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6a", &a48), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6a", &b), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6b", &b), 1);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6b", &a), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6none", &a), -ENODEV);
	assert_int_equal(netd_nl_addr6_del(nl, "nbr6a", &a, &diag), 0);
	assert_int_equal(netd_nl_addr6_has(nl, "nbr6a", &a), 0);
}

static int setup(void **state)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s: this test needs root\n",
		        strerror(errno));
		return -1;
	}
	return netd_nl_open(&nl) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	netd_nl_close(nl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_has),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
