/* The planner's steps for a spanning network: FRR first (so FRR that does not run fails the
 * up before anything is made), the VXLAN port once the bridge is up, the port deleted before
 * the bridge, and FRR's block removed only with the last spanning network. Pure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "netd/config.h"
#include "netd/fabric.h"
#include "netd/plan.h"

static struct netd_network *net;
static struct netd_desired *d;
static struct netd_fabric fabric = {.asn = 65000};

static int setup(void **state)
{
	struct netd_diag diag;

	if (netd_config_parse_string("[Network]\nName=lab\nMode=internal\nBridge=brlab\n"
	                             "[VXLAN]\nVNI=100\n",
	                             "lab.conf", &net, &diag) < 0 ||
	    netd_desired_build(net, NULL, NULL, &d) < 0)
		return -1;
	/* what the engine adds (engine/fabric.c) */
	d->fabric = &fabric;
	snprintf(d->vxlan, sizeof(d->vxlan), "vx100");
	return 0;
}

static int teardown(void **state)
{
	netd_desired_free(d);
	netd_network_free(net);
	return 0;
}

static void steps(const struct netd_plan *p, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "; " : "",
		         netd_step_name(p->steps[i]));
}

static void test_up_fresh(void **state)
{
	struct netd_observed o = {0};
	struct netd_plan p;
	char got[512];

	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "configure FRR; apply the fabric's guard; create bridge; apply "
	                         "nftables rules; set bridge up; create VXLAN port");
}

static void test_up_converged_and_drift(void **state)
{
	struct netd_observed o = {0};
	struct netd_plan p;
	char got[512];

	o.bridge = NETD_BRIDGE_OURS;
	o.bridge_up = o.rules_present = o.rules_current = true;
	o.vxlan_exists = o.vxlan_ours = o.vxlan_current = true;
	o.frr_running = true;
	o.frr_config = 1;
	o.guard = 1;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	assert_int_equal(p.n, 0);
	/* the guard's table flushed or edited: put back */
	o.guard = 2;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "apply the fabric's guard");
	o.guard = 1;
	/* FRR restarted without the block, or a line of it removed: put back */
	o.frr_config = 2;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "configure FRR");
	/* the port not as wanted (the underlay's MTU changed, isolation flipped) */
	o.frr_config = 1;
	o.vxlan_current = false;
	assert_int_equal(netd_plan_up(d, &o, &p, NULL), 0);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "create VXLAN port");
}

static void test_up_foreign_port(void **state)
{
	struct netd_observed o = {0};
	struct netd_diag diag = {{0}};
	struct netd_plan p;

	o.vxlan_exists = true;
	snprintf(o.vxlan_alias, sizeof(o.vxlan_alias), "someone");
	assert_int_equal(netd_plan_up(d, &o, &p, &diag), -EEXIST);
	assert_non_null(strstr(diag.msg, "lab.conf:6: VXLAN port vx100: a link of that name "
	                                 "already exists and is not netd's (alias 'someone'"));
}

static void test_down(void **state)
{
	struct netd_observed o = {0};
	struct netd_plan p;
	char got[512];

	o.bridge = NETD_BRIDGE_OURS;
	o.rules_present = true;
	o.vxlan_exists = o.vxlan_ours = true;
	o.frr_config = 1;
	netd_plan_down(d, &o, false, &p);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "remove nftables rules; delete VXLAN port; delete bridge");
	o.frr_last = true;
	o.guard = 1;
	netd_plan_down(d, &o, false, &p);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "remove nftables rules; delete VXLAN port; delete bridge; remove "
	                         "FRR configuration; remove the fabric's guard");
	/* FRR without the block (not running, or restarted), no guard: nothing to remove */
	o.frr_config = 0;
	o.guard = 0;
	netd_plan_down(d, &o, false, &p);
	steps(&p, got, sizeof(got));
	assert_string_equal(got, "remove nftables rules; delete VXLAN port; delete bridge");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_up_fresh),
	    cmocka_unit_test(test_up_converged_and_drift),
	    cmocka_unit_test(test_up_foreign_port),
	    cmocka_unit_test(test_down),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
