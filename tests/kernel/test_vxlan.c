/*
 * VXLAN ports against the real kernel, in a network namespace of this process's own: what
 * netd_vxlan_create() makes is checked with iproute2 (`ip -d link`, `bridge -d link`), not
 * only read back through the same code; and the underlay is found by address and by name.
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
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/netlink.h"
#include "netd/kernel/vxlan.h"

static struct netd_nl *nl;

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The whole output of cmd (at most len - 1 bytes). */
static void sh_out(char *buf, size_t len, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(buf, 1, len - 1, p);
	buf[n] = '\0';
	pclose(p);
}

static void want(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' not in: %s", part, text);
}

static int setup(void **state)
{
	struct netd_diag d;

	sh("ip link add ul0 mtu 9000 type veth peer name ul1 mtu 9000 && ip link set ul0 up && "
	   "ip addr add 10.250.0.1/24 dev ul0");
	return netd_nl_bridge_create(nl, "br0", "netd:lab", true, &d) == 0 &&
	               netd_nl_link_set_up(nl, "br0", true, &d) == 0
	           ? 0
	           : -1;
}

static int teardown(void **state)
{
	return system("ip link del vx100 2>/dev/null; ip link del br0; ip link del ul0");
}

static void test_underlay(void **state)
{
	struct netd_underlay u;
	struct netd_diag d = {{0}};
	struct in_addr a = {inet_addr("10.250.0.1")}, none = {0};

	assert_int_equal(netd_underlay_resolve(nl, a, "", &u, &d), 0);
	assert_string_equal(u.ifname, "ul0");
	assert_int_equal(u.mtu, 9000);
	assert_int_equal(netd_underlay_resolve(nl, none, "ul0", &u, &d), 0);
	assert_int_equal(u.addr.s_addr, a.s_addr);
	a.s_addr = inet_addr("10.250.0.9");
	assert_int_equal(netd_underlay_resolve(nl, a, "", &u, &d), -EADDRNOTAVAIL);
	want(d.msg, "underlay address 10.250.0.9 is on none of the host's interfaces");
	assert_int_equal(netd_underlay_resolve(nl, none, "nosuch0", &u, &d), -EADDRNOTAVAIL);
	want(d.msg, "underlay nosuch0 has no IPv4 address");
}

static struct netd_vxlan_spec spec(bool isolated)
{
	struct netd_vxlan_spec s = {
	    .name = "vx100",
	    .alias = "netd:lab",
	    .vni = 100,
	    .port = 4789,
	    .mtu = 8950,
	    .bridge = "br0",
	    .isolated = isolated,
	};

	s.local.s_addr = inet_addr("10.250.0.1");
	return s;
}

static void test_create(void **state)
{
	struct netd_vxlan_spec s = spec(true);
	struct netd_vxlan_facts f;
	struct netd_diag d = {{0}};
	struct netd_link_info br;
	char out[4096];

	assert_int_equal(netd_vxlan_create(nl, &s, &d), 0);
	sh_out(out, sizeof(out), "ip -d link show vx100");
	want(out, "mtu 8950");
	want(out, "master br0");
	want(out, "state UNKNOWN");
	want(out, "vxlan id 100 local 10.250.0.1");
	want(out, "dstport 4789 nolearning");
	want(out, "alias netd:lab");
	/* zebra owns the FDB: no default remote, no multicast group */
	sh_out(out, sizeof(out), "ip -d link show vx100 | grep -o 'vxlan id.*'");
	want(out, "vxlan id 100");
	assert_null(strstr(out, "remote"));
	assert_null(strstr(out, "group"));
	sh_out(out, sizeof(out), "bridge -d link show dev vx100");
	want(out, "learning off");
	want(out, "neigh_suppress on");
	want(out, "isolated on");

	assert_int_equal(netd_vxlan_get(nl, "vx100", &f), 0);
	assert_int_equal(netd_nl_link_get(nl, "br0", &br), 0);
	assert_true(netd_vxlan_matches(&f, &s, br.ifindex));
	s.isolated = false;
	assert_false(netd_vxlan_matches(&f, &s, br.ifindex));
	s = spec(true);
	s.port = 8472;
	assert_false(netd_vxlan_matches(&f, &s, br.ifindex));
	assert_string_equal(f.alias, "netd:lab");

	/* the name taken: refused, and the port there is left as it was */
	s = spec(false);
	assert_int_equal(netd_vxlan_create(nl, &s, &d), -EEXIST);
	want(d.msg, "creating VXLAN port vx100 (VNI 100 on br0): File exists");
	sh("ip link show vx100 >/dev/null");
}

static void test_absent_and_failures(void **state)
{
	struct netd_vxlan_spec s = spec(false);
	struct netd_vxlan_facts f;
	struct netd_diag d = {{0}};

	assert_int_equal(netd_vxlan_get(nl, "vx100", &f), 0);
	assert_false(f.exists);
	/* no bridge: nothing made */
	snprintf(s.bridge, sizeof(s.bridge), "nobr0");
	assert_int_equal(netd_vxlan_create(nl, &s, &d), -ENODEV);
	want(d.msg, "VXLAN port vx100: bridge nobr0");
	assert_int_not_equal(system("ip link show vx100 >/dev/null 2>&1"), 0);
	/* a VNI the kernel refuses: nothing left either */
	s = spec(false);
	s.vni = 1u << 24;
	assert_true(netd_vxlan_create(nl, &s, &d) < 0);
	want(d.msg, "creating VXLAN port vx100");
	assert_int_not_equal(system("ip link show vx100 >/dev/null 2>&1"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_underlay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_create, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_absent_and_failures, setup, teardown),
	};
	struct netd_diag diag;

	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_vxlan: unshare(CLONE_NEWNET): %s (needs root)\n",
		        strerror(errno));
		return 1;
	}
	if (netd_nl_open(&nl) < 0 || netd_nl_link_set_up(nl, "lo", true, &diag) < 0) {
		fprintf(stderr, "test_vxlan: cannot set up the namespace\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
