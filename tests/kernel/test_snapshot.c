/*
 * The kernel's links and addresses as a pass reads them (kernel/snapshot.h), in a network
 * namespace of this process's own: one link dump that carries each bridge port's isolation
 * flag, dumps the kernel filters to one bridge's ports or one link's addresses, and the
 * snapshot's lookups, whole and narrow alike. What a whole snapshot costs is counted in
 * netlink queries, and checked against what iproute2 says.
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_util.h"
#include "netd/kernel/netlink.h"
#include "netd/kernel/snapshot.h"

static struct netd_nl *nl;

static const struct netd_link_info *find(const struct netd_link_info *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/*
 * Two bridges: sb0 with ports sp0 (not isolated) and sp1 (isolated), sb1 with sp2 (not
 * isolated; tagged netd:a all the same); sq0..sq2, the veth peers, are on no bridge. sb0
 * has 10.9.0.1/24 then 10.9.1.1/24, sb1 has 10.9.2.1/24.
 */
static int setup(void **state)
{
	struct netd_diag diag;

	sh("ip link add sb0 type bridge && ip link add sb1 type bridge");
	sh("ip link set sb0 alias netd:a && ip link set sb1 alias netd:b");
	for (int i = 0; i < 3; i++) {
		sh("ip link add sp%d type veth peer name sq%d", i, i);
		sh("ip link set sp%d master sb%d", i, i == 2);
	}
	sh("ip link set sp2 alias netd:a"); /* a port of another bridge tagged for network a */
	/* Taps tagged for network a, on no bridge (taken off theirs), and one untagged. */
	sh("ip tuntap add mode tap name st0 && ip link set st0 alias netd:a");
	sh("ip tuntap add mode tap name st1 && ip link set st1 alias netd:a");
	sh("ip tuntap add mode tap name st2");
	assert_int_equal(netd_nl_port_set_isolated(nl, "sp1", true, &diag), 0);
	sh("bridge -d link show dev sp1 | grep -q 'isolated on'");
	sh("ip addr add 10.9.0.1/24 dev sb0 && ip addr add 10.9.1.1/24 dev sb0");
	sh("ip addr add 10.9.2.1/24 dev sb1");
	return 0;
}

static void test_link_dump_has_isolation(void **state)
{
	struct netd_link_info *v = NULL;
	size_t n = 0;

	assert_int_equal(netd_nl_link_list(nl, &v, &n), 0);
	assert_int_equal(find(v, n, "sp0")->port_isolated, 0);
	assert_int_equal(find(v, n, "sp1")->port_isolated, 1);
	assert_int_equal(find(v, n, "sp2")->port_isolated, 0);
	assert_int_equal(find(v, n, "sp1")->master, (int)if_nametoindex("sb0"));
	/* Not bridge ports: */
	assert_int_equal(find(v, n, "sq1")->port_isolated, -1);
	assert_int_equal(find(v, n, "sb0")->port_isolated, -1);
	assert_int_equal(find(v, n, "lo")->port_isolated, -1);
	assert_string_equal(find(v, n, "sb1")->kind, "bridge");
	assert_string_equal(find(v, n, "sb1")->alias, "netd:b");
	free(v);
}

static void test_ports_of_one_bridge(void **state)
{
	struct netd_link_info *v = NULL;
	size_t n = 0;

	assert_int_equal(netd_nl_link_ports(nl, (int)if_nametoindex("sb0"), &v, &n), 0);
	assert_int_equal(n, 2);
	assert_non_null(find(v, n, "sp0"));
	assert_int_equal(find(v, n, "sp1")->port_isolated, 1);
	free(v);
	assert_int_equal(netd_nl_link_ports(nl, (int)if_nametoindex("sb1"), &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "sp2");
	free(v);
	v = NULL;
	assert_int_equal(netd_nl_link_ports(nl, (int)if_nametoindex("lo"), &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(netd_nl_link_ports(nl, 0, &v, &n), -ENODEV);

	/* By kind: the three taps; the two bridges; none of a kind nobody has. */
	assert_int_equal(netd_nl_link_of_kind(nl, "tun", &v, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(find(v, n, "st2"));
	free(v);
	assert_int_equal(netd_nl_link_of_kind(nl, "bridge", &v, &n), 0);
	assert_int_equal(n, 2);
	assert_non_null(find(v, n, "sb1"));
	free(v);
	assert_int_equal(netd_nl_link_of_kind(nl, "vxlan", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_addresses_of_one_link(void **state)
{
	struct netd_link_addr *v = NULL;
	struct netd_prefix second = pfx("10.9.1.1/24");
	int sb0 = (int)if_nametoindex("sb0");
	size_t n = 0;
	bool lo = false;

	assert_int_equal(netd_nl_addr_list(nl, sb0, &v, &n), 0);
	assert_int_equal(n, 2); /* the kernel filtered: none of sb1's, none of lo's */
	assert_int_equal(v[0].ifindex, sb0);
	assert_true(v[0].prefix.addr.s_addr == pfx("10.9.0.1/24").addr.s_addr);
	assert_true(v[1].prefix.addr.s_addr == second.addr.s_addr);
	assert_int_equal(v[1].prefix.len, 24);
	free(v);
	assert_int_equal(netd_nl_addr_list(nl, 0, &v, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++)
		lo |= v[i].ifindex == (int)if_nametoindex("lo");
	assert_true(lo);
	free(v);
	assert_int_equal(netd_nl_addr_has(nl, "sb0", &second), 1);
	assert_int_equal(netd_nl_addr_has(nl, "sb1", &second), 0);
}

/* The lookups every observe makes, against what the namespace holds (setup()). */
static void check_lookups(struct netd_kernel_snapshot *k)
{
	struct netd_link_info li, *ports = NULL;
	struct netd_prefix *addrs = NULL, a = pfx("10.9.1.1/24");
	int sb0 = (int)if_nametoindex("sb0");
	size_t n = 0;

	assert_int_equal(netd_snapshot_link(k, "sb0", &li), 0);
	assert_int_equal(li.ifindex, sb0);
	assert_string_equal(li.alias, "netd:a");
	assert_int_equal(netd_snapshot_link(k, "sp1", &li), 0);
	assert_int_equal(li.port_isolated, 1);
	assert_int_equal(li.master, sb0);
	assert_int_equal(netd_snapshot_link(k, "nosuch", &li), -ENODEV);
	assert_int_equal(netd_snapshot_link(k, "bad/name", &li), -ENODEV);
	assert_int_equal(netd_snapshot_link_by_index(k, (int)if_nametoindex("sq2"), &li), 0);
	assert_string_equal(li.name, "sq2");
	assert_int_equal(netd_snapshot_link_by_index(k, 99999, &li), -ENODEV);

	assert_int_equal(netd_snapshot_ports(k, sb0, &ports, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(find(ports, n, "sp0")->port_isolated, 0);
	assert_int_equal(find(ports, n, "sp1")->port_isolated, 1);
	free(ports);
	assert_int_equal(netd_snapshot_ports(k, (int)if_nametoindex("sq0"), &ports, &n), 0);
	assert_int_equal(n, 0);
	assert_null(ports);

	assert_int_equal(netd_snapshot_addrs(k, sb0, &addrs, &n), 0);
	assert_int_equal(n, 2);
	assert_true(addrs[0].addr.s_addr == pfx("10.9.0.1/24").addr.s_addr); /* kernel's order */
	assert_true(addrs[1].addr.s_addr == a.addr.s_addr);
	free(addrs);
	assert_int_equal(netd_snapshot_addr_has(k, sb0, &a), 1);
	a.len = 25;
	assert_int_equal(netd_snapshot_addr_has(k, sb0, &a), 0);
	a.len = 24;
	assert_int_equal(netd_snapshot_addr_has(k, (int)if_nametoindex("sb1"), &a), 0);
	assert_int_equal(netd_snapshot_addrs(k, (int)if_nametoindex("sp0"), &addrs, &n), 0);
	assert_int_equal(n, 0);
	free(addrs); /* the caller's, also when empty (a narrow snapshot allocates it) */

	/* The taps tagged for a network: st0 and st1 (sb0, a bridge, and sp2, a veth, carry
	 * netd:a too, and are not taps). */
	assert_int_equal(netd_snapshot_tagged_taps(k, "netd:a", &ports, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(find(ports, n, "st0")->alias, "netd:a");
	assert_string_equal(find(ports, n, "st1")->kind, "tun");
	free(ports);
	assert_int_equal(netd_snapshot_tagged_taps(k, "netd:none", &ports, &n), 0);
	assert_int_equal(n, 0);
	assert_null(ports);
}

static void test_whole_snapshot(void **state)
{
	struct netd_kernel_snapshot *k = NULL;
	struct netd_nl_stats before, after;
	struct netd_link_info li;

	netd_nl_get_stats(nl, &before);
	assert_int_equal(netd_snapshot_take(nl, &k), 0);
	netd_nl_get_stats(nl, &after);
	/* One link dump and one address dump, whatever the namespace holds. */
	assert_int_equal(after.queries - before.queries, 2);
	assert_true(netd_snapshot_is_whole(k));
	check_lookups(k);
	netd_nl_get_stats(nl, &before);
	assert_int_equal(before.queries, after.queries); /* answered from memory */

	/* It is as old as the pass: a link gone since is still in it. */
	sh("ip link add sb9 type bridge");
	assert_int_equal(netd_snapshot_link(k, "sb9", &li), -ENODEV);
	netd_snapshot_free(k);
	assert_int_equal(netd_snapshot_take(nl, &k), 0);
	assert_int_equal(netd_snapshot_link(k, "sb9", &li), 0);
	netd_snapshot_free(k);
	sh("ip link del sb9");
}

static void test_narrow_snapshot(void **state)
{
	struct netd_kernel_snapshot *k = NULL;
	struct netd_nl_stats before, after;
	struct netd_link_info li;

	netd_nl_get_stats(nl, &before);
	assert_int_equal(netd_snapshot_narrow(nl, &k), 0);
	netd_nl_get_stats(nl, &after);
	assert_int_equal(after.queries, before.queries); /* nothing read up front */
	assert_false(netd_snapshot_is_whole(k));
	check_lookups(k);
	/* Each lookup asks the kernel: what changed since is seen. */
	sh("ip link add sb9 type bridge");
	assert_int_equal(netd_snapshot_link(k, "sb9", &li), 0);
	sh("ip link del sb9");
	netd_snapshot_free(k);
	netd_snapshot_free(NULL);
}

static const struct netd_host_prefix *hp_of(const struct netd_host_prefix *v, size_t n,
                                            const char *prefix)
{
	struct netd_prefix p = pfx(prefix);

	for (size_t i = 0; i < n; i++)
		if (v[i].prefix.addr.s_addr == p.addr.s_addr && v[i].prefix.len == p.len)
			return &v[i];
	return NULL;
}

/* What `up` asks before it makes a bridge: only the host's prefixes near its subnet, each
 * labelled with its link and owner, the kernel's own route of an address left out. */
static void test_host_prefixes_near(void **state)
{
	struct netd_prefix near = pfx("10.9.1.0/24"), far = pfx("10.9.200.0/24");
	struct netd_prefix all = pfx("10.0.0.0/8");
	struct netd_host_prefix *v = NULL;
	size_t n = 0;

	sh("ip link set sb0 up && ip link set sb1 up && ip route add 10.9.128.0/17 dev sb1");
	assert_int_equal(netd_nl_host_prefixes_near(nl, &near, &v, &n), 0);
	assert_int_equal(n, 1); /* neither 10.9.0.1/24 nor the kernel's 10.9.1.0/24 route */
	assert_string_equal(v[0].ifname, "sb0");
	assert_string_equal(v[0].owned_by, "a");
	assert_false(v[0].is_route);
	free(v);
	assert_int_equal(netd_nl_host_prefixes_near(nl, &far, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_true(v[0].is_route);
	assert_string_equal(v[0].ifname, "sb1");
	assert_string_equal(v[0].owned_by, "b");
	free(v);
	assert_int_equal(netd_nl_host_prefixes_near(nl, &all, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_non_null(hp_of(v, n, "10.9.0.1/24"));
	assert_non_null(hp_of(v, n, "10.9.2.1/24"));
	assert_null(hp_of(v, n, "127.0.0.1/8"));
	free(v);
	sh("ip route del 10.9.128.0/17 && ip link set sb0 down && ip link set sb1 down");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_dump_has_isolation),
	    cmocka_unit_test(test_ports_of_one_bridge),
	    cmocka_unit_test(test_addresses_of_one_link),
	    cmocka_unit_test(test_whole_snapshot),
	    cmocka_unit_test(test_narrow_snapshot),
	    cmocka_unit_test(test_host_prefixes_near),
	};
	int ret;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_snapshot: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0) {
		fprintf(stderr, "test_snapshot: no netlink socket\n");
		return 1;
	}
	sh("ip link set lo up");
	ret = cmocka_run_group_tests(tests, setup, NULL);
	netd_nl_close(nl);
	return ret;
}
