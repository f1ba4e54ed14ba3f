/*
 * Bonds on THIS kernel, which has no bonding driver (see MACHINE-FACTS.md): creating one must
 * fail with a message that says so, not a raw errno, and leave nothing behind: the slaves
 * (veths) exactly as they were and no link, no saved state. Runs in a network namespace of
 * this process's own. Bonds that work are proven in qemu guests: tests/guest/.
 */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "netd/kernel/bond.h"
#include "netd/config.h"
#include "netd/engine.h"
#include "netd/kernel/netlink.h"
#include "kernel_util.h"

static char dir[64];

/* The whole output of a command. */
static char *sh_out(const char *cmd)
{
	static char buf[8192];
	size_t len;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	len = fread(buf, 1, sizeof(buf) - 1, p);
	buf[len] = '\0';
	pclose(p);
	return buf;
}

/*
 * Everything iproute2 says about the links and addresses of the namespace, less the flags that
 * IPv6 duplicate address detection changes by itself: a link-local address is "tentative" for
 * a second or two after its link comes up (and would be "dadfailed" on a collision). A
 * comparison across that moment was flaky when the machine was busy (ctest -j). The flags are
 * filtered out rather than DAD turned off, since even with accept_dad=0 an address is tentative
 * until the kernel's DAD work item runs, and the rest of each address line is still compared.
 */
static char *host_state(void)
{
	static char copy[8192];

	snprintf(
	    copy, sizeof(copy), "%s",
	    sh_out("ip -o -d link show; ip -o addr show | sed -E 's/ (tentative|dadfailed)//g';"
	           " ip -4 route show"));
	return copy;
}

static int setup(void **state)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %m (the kernel tests run as root)\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/tmp/netd-test-bond.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* Two would-be slaves: one up with an address and a route, one down. */
	sh("ip link set lo up");
	sh("ip link add s0 type veth peer name p0 && ip link add s1 type veth peer name p1");
	sh("ip link set s0 address 02:00:00:00:aa:01 mtu 1400 up && ip link set p0 up");
	sh("ip addr add 10.7.0.1/24 dev s0 && ip route add 10.8.0.0/16 via 10.7.0.254");
	return 0;
}

static int teardown(void **state)
{
	sh("rm -rf %s", dir);
	return 0;
}

static struct netd_bond two_slaves(void)
{
	struct netd_bond b;

	memset(&b, 0, sizeof(b));
	strcpy(b.name, "bond0");
	b.mode = 4;
	strcpy(b.slaves[0], "s0");
	strcpy(b.slaves[1], "s1");
	b.n_slaves = 2;
	b.miimon = 100;
	b.lacp_rate = 1;
	b.opt_line[NETD_BOND_OPT_NAME] = 1;
	b.opt_line[NETD_BOND_OPT_SLAVES] = 2;
	b.opt_line[NETD_BOND_OPT_MIIMON] = 3;
	b.opt_line[NETD_BOND_OPT_LACP_RATE] = 4;
	return b;
}

/* A link made just now: its state before and after DAD has run compares equal. */
static void host_state_ignores_what_dad_changes_by_itself(void **state)
{
	char before[8192];

	sh("ip link add d0 type veth peer name dp0 && ip link set d0 up && ip link set dp0 up");
	/* d0's link-local comes when the kernel's link watch sees its carrier: wait for it. */
	for (int i = 0; i < 100 && !strstr(sh_out("ip -6 addr show dev d0"), "inet6"); i++)
		usleep(20000);
	/* The test is only worth something while the addresses are tentative. */
	assert_non_null(strstr(sh_out("ip -6 addr show dev d0"), "tentative"));
	assert_non_null(strstr(sh_out("ip -6 addr show dev dp0"), "tentative"));
	snprintf(before, sizeof(before), "%s", host_state());
	for (int i = 0; i < 100 && strstr(sh_out("ip -6 addr show tentative"), "inet6"); i++)
		usleep(100000);
	assert_null(strstr(sh_out("ip -6 addr show tentative"), "inet6"));
	assert_string_equal(host_state(), before);
	sh("ip link del d0");
}

static void creating_a_bond_says_the_driver_is_missing_and_touches_nothing(void **state)
{
	struct netd_bond b = two_slaves();
	struct netd_diag diag = {""};
	struct netd_nl *nl;
	char before[8192], path[256];

	/* What `ip` itself gets here, so the test knows it runs where it claims to. */
	assert_int_not_equal(system("ip link add probe0 type bond 2>/dev/null"), 0);

	snprintf(before, sizeof(before), "%s", host_state());
	assert_non_null(strstr(before, "s0"));
	assert_int_equal(netd_nl_open(&nl), 0);
	assert_int_equal(netd_bond_up(nl, &b, "netd:lan", dir, "lan", &diag), -EOPNOTSUPP);
	assert_string_equal(diag.msg, "creating bond bond0: this kernel has no bonding driver "
	                              "(CONFIG_BONDING); bonds need a kernel with the bonding "
	                              "module");
	assert_string_equal(host_state(), before);
	assert_int_not_equal(system("ip link show bond0 >/dev/null 2>&1"), 0);
	snprintf(path, sizeof(path), "%s/lan.bond", dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(netd_bond_saved(dir, "lan"), 0);

	/* down with nothing made and nothing saved is a no-op */
	assert_int_equal(netd_bond_down(nl, "bond0", "netd:lan", dir, "lan", &diag), 0);
	assert_string_equal(host_state(), before);
	netd_nl_close(nl);
}

static void a_missing_or_taken_slave_is_named_before_anything_is_made(void **state)
{
	struct netd_bond b = two_slaves();
	struct netd_diag diag = {""};
	struct netd_nl *nl;
	char before[8192];

	assert_int_equal(netd_nl_open(&nl), 0);
	strcpy(b.slaves[1], "nosuch0");
	snprintf(before, sizeof(before), "%s", host_state());
	assert_int_equal(netd_bond_up(nl, &b, "netd:lan", dir, "lan", &diag), -ENODEV);
	assert_string_equal(diag.msg, "slave nosuch0 of bond bond0: no such interface");

	sh("ip link add tb0 type bridge && ip link set s1 master tb0");
	snprintf(before, sizeof(before), "%s", host_state());
	b = two_slaves();
	assert_int_equal(netd_bond_up(nl, &b, "netd:lan", dir, "lan", &diag), -EBUSY);
	assert_string_equal(diag.msg, "slave s1 of bond bond0 is already enslaved to tb0");
	assert_string_equal(host_state(), before);
	assert_int_equal(netd_bond_saved(dir, "lan"), 0);
	sh("ip link del tb0");
	netd_nl_close(nl);
}

/* The whole path: config file -> plan -> apply; the failed step is undone and named. */
static void engine_up_fails_at_create_bond_and_undoes_the_bridge(void **state)
{
	struct netd_engine_opts opts = {0};
	struct netd_engine *e = NULL;
	struct netd_diag diag = {""};
	char conf[128], state_dir[128], run[128], before[8192];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/conf", dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	snprintf(run, sizeof(run), "%s/run", dir);
	assert_int_equal(mkdir(conf, 0755), 0);
	snprintf(before, sizeof(before), "%s/lan.conf", conf);
	f = fopen(before, "w");
	assert_non_null(f);
	fputs("[Network]\nName=lan\nMode=bridged\nBridge=netdlan0\n\n[Bond]\nName=bond0\n"
	      "Mode=802.3ad\nSlaves=s0 s1\nMIIMonitorSec=100ms\nLACPTransmitRate=fast\n",
	      f);
	fclose(f);
	opts.config_dir = conf;
	opts.state_dir = state_dir;
	opts.runtime_dir = run;
	assert_int_equal(netd_engine_new(&opts, &e, &diag), 0);

	snprintf(before, sizeof(before), "%s", host_state());
	assert_int_equal(netd_engine_up(e, "lan", &diag), -EOPNOTSUPP);
	assert_string_equal(
	    diag.msg, "lan: step 'create bond' failed: creating bond bond0: this kernel has no "
	              "bonding driver (CONFIG_BONDING); bonds need a kernel with the bonding "
	              "module (undone: set bridge up, create bridge)");
	assert_string_equal(host_state(), before);
	assert_int_not_equal(system("ip link show netdlan0 >/dev/null 2>&1"), 0);
	assert_int_equal(netd_bond_saved(state_dir, "lan"), 0);
	snprintf(before, sizeof(before), "%s/lan.uplink", state_dir);
	assert_int_equal(access(before, F_OK), -1);

	/* down after the failure finds nothing to do and changes nothing */
	snprintf(before, sizeof(before), "%s", host_state());
	assert_int_equal(netd_engine_down(e, "lan", &diag), 0);
	assert_string_equal(host_state(), before);
	netd_engine_free(e);
}

/* A bond file that does not load: down names it, keeps it and touches nothing; a .prev that
 * agrees with the kernel (it names the bond, and lists slaves that are free, as when the bond
 * is gone) is used instead, and both go once the slaves are given back. */
static void a_bond_file_that_does_not_load_is_named_and_kept(void **state)
{
	struct netd_bond_saved *sv = calloc(1, sizeof(*sv));
	struct netd_diag diag = {""};
	struct netd_nl *nl;
	char before[8192], path[256], prev[300], want[512];

	assert_non_null(sv);
	assert_int_equal(netd_nl_open(&nl), 0);
	strcpy(sv->bond, "bond0");
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(netd_uplink_snapshot(nl, i ? "s1" : "s0", &sv->slaves[i].s), 0);
		sv->slaves[i].mtu = i ? 1500 : 1400;
	}
	sv->n = 2;
	snprintf(path, sizeof(path), "%s/lan.bond", dir);
	snprintf(prev, sizeof(prev), "%s.prev", path);
	assert_int_equal(netd_bond_saved_write(dir, "lan", sv), 0);
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(unlink(prev), 0);

	snprintf(before, sizeof(before), "%s", host_state());
	assert_int_equal(netd_bond_down(nl, "bond0", "netd:lan", dir, "lan", &diag), -EINVAL);
	snprintf(want, sizeof(want),
	         "%s is empty: the slaves of bond bond0 cannot be given back; the file stays",
	         path);
	assert_string_equal(diag.msg, want);
	assert_string_equal(host_state(), before);
	assert_int_equal(access(path, F_OK), 0);

	/* Written again (a damaged file keeps no .prev of itself: the new content is it). */
	assert_int_equal(netd_bond_saved_write(dir, "lan", sv), 0);
	assert_int_equal(truncate(path, 10), 0);
	assert_int_equal(netd_bond_down(nl, "bond0", "netd:lan", dir, "lan", &diag), 0);
	assert_string_equal(host_state(), before);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(prev, F_OK), -1);
	netd_nl_close(nl);
	free(sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(host_state_ignores_what_dad_changes_by_itself),
	    cmocka_unit_test(creating_a_bond_says_the_driver_is_missing_and_touches_nothing),
	    cmocka_unit_test(a_missing_or_taken_slave_is_named_before_anything_is_made),
	    cmocka_unit_test(engine_up_fails_at_create_bond_and_undoes_the_bridge),
	    cmocka_unit_test(a_bond_file_that_does_not_load_is_named_and_kept),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
