/*
 * The cache behind the overlap check of `up` (kernel/host_prefix_cache.c): a near query that
 * finds nothing near answers without a dump, and it is never wrong for that. Each test runs
 * in a network namespace of its own (unshared in its setup) with one bridge, pb0, up, and a
 * handle whose cache is built by the setup's first query. Whether a query dumped is read from
 * the handle's query count: none for an answer from the cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host_prefix_cache.h"
#include "kernel_util.h"
#include "netd/kernel/netlink.h"

static struct netd_nl *nl;

struct answer {
	size_t n;
	bool dumped; /* the handle sent a query: the cache could not answer */
	bool is_route;
	char ifname[IFNAMSIZ];
};

static struct answer near_on(struct netd_nl *h, const char *subnet)
{
	struct netd_prefix p = pfx(subnet);
	struct netd_nl_stats before, after;
	struct netd_host_prefix *v = NULL;
	struct answer a = {0};

	netd_nl_get_stats(h, &before);
	assert_int_equal(netd_nl_host_prefixes_near(h, &p, &v, &a.n), 0);
	netd_nl_get_stats(h, &after);
	a.dumped = after.queries != before.queries;
	if (a.n) {
		a.is_route = v[0].is_route;
		snprintf(a.ifname, sizeof(a.ifname), "%s", v[0].ifname);
	}
	free(v);
	return a;
}

static struct answer near(const char *subnet)
{
	return near_on(nl, subnet);
}

/* What a handle with no cache yet (its first query dumps) says. */
static size_t fresh_count(const char *subnet)
{
	struct netd_nl *fresh = NULL;
	struct answer a;

	assert_int_equal(netd_nl_open(&fresh), 0);
	a = near_on(fresh, subnet);
	assert_true(a.dumped);
	netd_nl_close(fresh);
	return a.n;
}

/* Two prefixes near subnet that the kernel tells apart by more than address and length, made
 * by add: deleting the first leaves the second reported; deleting it too leaves nothing, and
 * the cache knows it (no dump). */
static void twins_deleted(const char *add, const char *del_first, const char *del_second,
                          const char *subnet)
{
	struct answer a;

	sh("%s", add);
	assert_int_equal(near(subnet).n, 2);
	sh("%s", del_first);
	assert_int_equal(near(subnet).n, 1);
	sh("%s", del_second);
	a = near(subnet);
	assert_int_equal(a.n, 0);
	assert_false(a.dumped);
}

static int setup(void **state)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
		return -1;
	}
	if (netd_nl_open(&nl) < 0)
		return -1;
	sh("ip link set lo up && ip link add pb0 type bridge && ip link set pb0 up");
	/* The first query makes the cache and fills it from the dumps; the next answers alone. */
	assert_true(near("10.250.0.0/24").dumped);
	assert_false(near("10.250.0.0/24").dumped);
	return 0;
}

static int teardown(void **state)
{
	netd_nl_close(nl); /* the namespace goes with its last socket */
	nl = NULL;
	return 0;
}

/* An address added after the cache was built is seen by the next query (the cache drained
 * its notices first), and a full list rebuilds the cache too. */
static void test_address_added(void **state)
{
	struct netd_host_prefix *v = NULL;
	struct netd_hpc_stats st;
	struct answer a;
	size_t n = 0;

	assert_int_equal(near("10.50.0.0/24").n, 0);
	sh("ip addr add 10.50.0.7/24 dev pb0");
	a = near("10.50.0.0/24");
	assert_int_equal(a.n, 1);
	assert_true(a.dumped);
	assert_false(a.is_route);
	assert_string_equal(a.ifname, "pb0");
	assert_int_equal(near("10.50.0.128/25").n, 1);
	a = near("10.51.0.0/24"); /* not near it: answered from the cache */
	assert_int_equal(a.n, 0);
	assert_false(a.dumped);

	assert_int_equal(netd_nl_host_prefixes(nl, &v, &n), 0);
	free(v);
	netd_nl_prefix_cache_stats(nl, &st);
	assert_int_equal(st.rebuilds, 4); /* setup's, two near 10.50.0.7/24, the full list */
	assert_false(near("10.52.0.0/24").dumped);
}

/* An address deleted is no longer reported, and no longer costs a dump; one that only shares
 * its address and length with it stays. */
static void test_address_deleted(void **state)
{
	struct answer a;

	sh("ip addr add 10.51.0.1/24 dev pb0");
	assert_int_equal(near("10.51.0.0/24").n, 1);
	sh("ip addr del 10.51.0.1/24 dev pb0");
	a = near("10.51.0.0/24");
	assert_int_equal(a.n, 0);
	assert_false(a.dumped); /* the notices removed it and the kernel's route for it */

	/* Two addresses told apart only by a peer. */
	twins_deleted("ip addr add 10.60.0.1/32 dev pb0 && "
	              "ip addr add 10.60.0.1 peer 10.60.0.2/32 dev pb0",
	              "ip addr del 10.60.0.1/32 dev pb0",
	              "ip addr del 10.60.0.1 peer 10.60.0.2/32 dev pb0", "10.60.0.0/24");
}

/* A route added after the cache was built is reported; one deleted is gone. Routes that differ
 * only in their gateway (`ip route append`) are told apart: deleting one keeps the other. */
static void test_routes_added_and_deleted(void **state)
{
	struct answer a;

	assert_int_equal(near("10.52.1.0/24").n, 0);
	sh("ip route add 10.52.0.0/16 dev pb0");
	a = near("10.52.1.0/24");
	assert_int_equal(a.n, 1);
	assert_true(a.is_route);
	assert_string_equal(a.ifname, "pb0");
	sh("ip route del 10.52.0.0/16 dev pb0");
	a = near("10.52.1.0/24");
	assert_int_equal(a.n, 0);
	assert_false(a.dumped);

	sh("ip addr add 10.40.0.1/24 dev pb0");
	twins_deleted("ip route add 10.53.0.0/16 via 10.40.0.2 && "
	              "ip route append 10.53.0.0/16 via 10.40.0.3",
	              "ip route del 10.53.0.0/16 via 10.40.0.2",
	              "ip route del 10.53.0.0/16 via 10.40.0.3", "10.53.1.0/24");
}

/* The kernel flushes the routes via a link set down or deleted without a notice of the
 * route (a bridge's own prefix route at every `down`); the link's notice tells the cache, which
 * drops the routes whose one path was that link: the answer is a fresh dump's, without a dump.
 * A route with another path left is kept by the kernel, and by the cache. */
static void test_route_flushed_silently(void **state)
{
	struct answer a;

	sh("ip link add pb1 type bridge && ip link set pb1 up");
	sh("ip link add pb2 type bridge && ip link set pb2 up");
	sh("ip route add 10.54.0.0/16 dev pb1 && ip route add 10.55.0.0/16 dev pb2");
	sh("ip addr add 10.58.0.1/24 dev pb1"); /* its prefix route goes silently too */
	assert_int_equal(near("10.54.1.0/24").n, 1);
	assert_int_equal(near("10.55.1.0/24").n, 1);
	sh("ip link set pb1 down && ip link del pb2");
	sh("! ip route show | grep -q '10.5[45].0.0\\|10.58.0.0'");

	a = near("10.54.1.0/24");
	assert_false(a.dumped); /* the link's notice said it */
	assert_int_equal(a.n, fresh_count("10.54.1.0/24"));
	assert_int_equal(a.n, 0);
	a = near("10.55.1.0/24");
	assert_false(a.dumped);
	assert_int_equal(a.n, fresh_count("10.55.1.0/24"));
	assert_int_equal(a.n, 0);
	/* The address stays on the down link (reported), its prefix route is gone (not). */
	a = near("10.58.0.0/24");
	assert_int_equal(a.n, fresh_count("10.58.0.0/24"));
	assert_int_equal(a.n, 1);
	assert_false(a.is_route);

	sh("ip link add pb3 type bridge && ip link set pb3 up && ip addr add 10.41.0.1/24 dev pb3");
	sh("ip link add pb4 type bridge && ip link set pb4 up && ip addr add 10.42.0.1/24 dev pb4");
	sh("ip route add 10.56.0.0/16 nexthop via 10.41.0.2 dev pb3 nexthop via 10.42.0.2 dev pb4");
	assert_int_equal(near("10.56.1.0/24").n, 1);
	sh("ip link set pb3 down && ip route show | grep -q '^10.56.0.0/16'");
	a = near("10.56.1.0/24");
	assert_int_equal(a.n, fresh_count("10.56.1.0/24"));
	assert_int_equal(a.n, 1);
}

/* Thousands of changes while nobody reads overflow the cache's socket; the notices lost (the
 * last ones, 10.77.0.1/24 among them) cannot make the next answer wrong. */
static void test_overflow(void **state)
{
	struct netd_hpc_stats before, after;
	char path[] = "/tmp/test_hpc_XXXXXX", cmd[64];
	struct answer a;
	int fd, ret;
	FILE *f;

	assert_int_equal(near("10.77.0.0/24").n, 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i < 3000; i++)
		fprintf(f, "addr add 10.200.%d.%d/32 dev pb0\n", i / 250, 1 + i % 250);
	fprintf(f, "addr add 10.77.0.1/24 dev pb0\n");
	fclose(f);
	netd_nl_prefix_cache_stats(nl, &before);
	snprintf(cmd, sizeof(cmd), "ip -batch %s >/dev/null", path);
	ret = system(cmd);
	unlink(path);
	assert_int_equal(ret, 0);

	a = near("10.77.0.0/24");
	netd_nl_prefix_cache_stats(nl, &after);
	assert_true(after.overflows > before.overflows);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.ifname, "pb0");
	assert_int_equal(near("10.200.3.0/24").n, 250);
	a = near("10.78.0.0/24");
	assert_int_equal(a.n, 0);
	assert_false(a.dumped);
}

/* A handle opened before its process moved to another namespace: its cache would watch the
 * wrong one, so it has none and the dumps of its own namespace answer. */
static void test_process_moved(void **state)
{
	struct netd_nl *first = NULL;
	struct netd_hpc_stats st;
	int ns;

	ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	assert_true(ns >= 0);
	assert_int_equal(netd_nl_open(&first), 0);
	assert_int_equal(unshare(CLONE_NEWNET), 0);
	assert_int_equal(near_on(first, "10.70.0.0/24").n, 0);
	sh("nsenter --net=/proc/%d/fd/%d ip addr add 10.70.0.1/24 dev pb0", (int)getpid(), ns);
	assert_int_equal(near_on(first, "10.70.0.0/24").n, 1);
	netd_nl_prefix_cache_stats(first, &st);
	assert_int_equal(st.rebuilds, 0);
	netd_nl_close(first);
	close(ns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_address_added, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_address_deleted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_routes_added_and_deleted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_route_flushed_silently, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_process_moved, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
